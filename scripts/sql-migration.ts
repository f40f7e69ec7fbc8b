/**
 * Copies live SQL files (src/db/sql/) into a new, append-only migration:
 *
 *   npm run sql:migration -- <number>_<name> <file.sql> [<file.sql> …]
 *
 * e.g. `npm run sql:migration -- 0023_dashboard_rollup dashboards.sql` after editing
 * src/db/sql/dashboards.sql. The files are rendered ({{WRITE_LOCK}} and the other lock ids from
 * src/db/locks.ts) and re-runnable (CREATE OR REPLACE FUNCTION; DROP TRIGGER IF EXISTS before each
 * CREATE TRIGGER), and the journal gets the migration's entry (idx = its number; set `when` to
 * the value you were given if the team allots them).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { liveSqlFiles } from '../src/db/live-sql.js'
import { migrationsFolder } from '../src/lib/paths.js'

const [tag, ...files] = process.argv.slice(2)
if (!tag || !/^\d{4}_[a-z0-9_]+$/.test(tag) || files.length === 0) {
  console.error('usage: npm run sql:migration -- <number>_<name> <file.sql> [<file.sql> …]')
  process.exit(2)
}
const out = join(migrationsFolder(), `${tag}.sql`)
if (existsSync(out)) {
  console.error(`${out} exists: migrations are append-only, pick the next number`)
  process.exit(1)
}
const live = new Map(liveSqlFiles().map((f) => [f.file, f]))
const chosen = files.map((f) => {
  const found = live.get(f.replace(/^.*\//, ''))
  if (!found) {
    console.error(`${f} is not a file of src/db/sql/ (${[...live.keys()].join(', ')})`)
    process.exit(1)
  }
  return found
})
writeFileSync(
  out,
  `${chosen
    .map((f) => `-- From src/db/sql/${f.file}.\n${f.statements.join('\n--> statement-breakpoint\n')}`)
    .join('\n--> statement-breakpoint\n')}\n`,
)
const journalFile = join(migrationsFolder(), 'meta', '_journal.json')
const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as {
  entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[]
}
const last = journal.entries.at(-1)
journal.entries.push({
  idx: Number(tag.slice(0, 4)),
  version: '7',
  when: Math.max(Date.now(), (last?.when ?? 0) + 10_000),
  tag,
  breakpoints: true,
})
writeFileSync(journalFile, `${JSON.stringify(journal, null, 2)}\n`)
console.log(`wrote ${out} and its journal entry`)
