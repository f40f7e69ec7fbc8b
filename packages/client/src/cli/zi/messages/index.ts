/**
 * The `zi` CLI's messages, one namespace per file (file name = namespace), each file holding
 * both languages side by side. packages/client/test/cli-messages.test.ts fails when a key or a
 * `{{parameter}}` is missing from either language, or when a `t('namespace:key')` in
 * src/cli/ names a key that is not here.
 *
 * Translating a command file (e.g. a new `actions.ts` beside main.ts):
 *  1. Create `messages/actions.ts` exporting `{ en: {…}, id: {…} } satisfies Catalogue`, one key
 *     per sentence a person reads; parameters as `{{name}}`, counts as `key_one`/`key_other`
 *     with `{ count }` (both variants in both languages). Its usage lines go under the key
 *     `usage` (the same column layout as `cli:usage.commands`).
 *  2. Register it below with one line (alphabetical).
 *  3. In the command: `import { t } from './i18n.js'`, then `usageError(t('actions:need_unit'))`,
 *     `ctx.err(t('actions:done', { count: n }))`; headers of padded tables for people as
 *     `table(headers('cli:col.code', 'cli:col.name'), rows)` (add a new word to cli.ts's `col`).
 *     Write every key as a whole literal ('actions:done', not `actions:${x}`): the test finds
 *     the keys the source uses by those literals. A server problem needs nothing: `failure()`
 *     prints its detail, which the server already sent in the CLI's language. Data for scripts stays
 *     as it is: --json, TSV lines (`tsvLine`, their header names included), exit codes, and the
 *     values the server sends (codes, statuses, kinds).
 *  4. In main.ts, add `'actions:usage'` to USAGE_SECTIONS (the help prints them in order); a usage
 *     line written into the old `USAGE` template literal moves into that key, in both languages.
 *  5. Indonesian uses the programme's terms: pencanangan, pembangunan, LKE, TPI, TPN, data dukung,
 *     usulan, penetapan, rencana aksi, area perubahan, unit kerja, instansi, catatan, rekomendasi,
 *     tindak lanjut.
 *  6. Test it in Indonesian too (test/cli/zi-lang.test.ts shows how: ZI_LANG='' and
 *     LANG=id_ID.UTF-8, or --lang id); the test helper runs zi with ZI_LANG=en otherwise.
 */
import actions from './actions.js'
import type { Catalogue } from './catalogue.js'
import cli from './cli.js'
import config from './config.js'
import files from './files.js'
import plan from './plan.js'
import report from './report.js'

/** Every namespace, one line each, alphabetical. */
export const catalogues: Record<string, Catalogue> = {
  actions,
  cli,
  config,
  files,
  plan,
  report,
}
