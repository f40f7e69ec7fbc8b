import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import {
  chooseLanguage,
  extractLangOption,
  hasMessage,
  LANGUAGES,
  languageOf,
  t as translate,
  useLanguage,
} from '../src/cli/zi/i18n.js'
import type { CatalogueTree } from '../src/cli/zi/messages/catalogue.js'
import { catalogues } from '../src/cli/zi/messages/index.js'

const here = import.meta.dirname

/** Every leaf key of a catalogue tree, with the {{parameters}} its text uses. */
function leaves(tree: CatalogueTree, prefix = ''): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') {
      out.set(path, [...new Set([...value.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1] as string))].sort())
    } else for (const [k, v] of leaves(value, path)) out.set(k, v)
  }
  return out
}

t.test('every message of zi exists in Indonesian and English, with the same parameters', async (t) => {
  t.ok(Object.keys(catalogues).length >= 4, 'the namespaces are registered')
  for (const [namespace, catalogue] of Object.entries(catalogues)) {
    const en = leaves(catalogue.en)
    const id = leaves(catalogue.id)
    t.same(
      [...en.keys()].filter((k) => !id.has(k)),
      [],
      `${namespace}: keys with English but no Indonesian`,
    )
    t.same(
      [...id.keys()].filter((k) => !en.has(k)),
      [],
      `${namespace}: keys with Indonesian but no English`,
    )
    for (const [key, params] of en) {
      if (id.has(key)) t.same(id.get(key), params, `${namespace}:${key} uses the same parameters in both languages`)
      if (/_(one|other)$/.test(key))
        t.ok(params.includes('count') || key.endsWith('_one'), `${namespace}:${key} is a plural: it takes {{count}}`)
    }
  }
})

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

t.test("every 'namespace:key' the CLI's source names is in both catalogues", async (t) => {
  const namespaces = Object.keys(catalogues).join('|')
  const literal = new RegExp(`'((?:${namespaces}):[\\w.-]+)'`, 'g')
  const used = new Set<string>()
  const cli = join(here, '../src/cli')
  for (const file of sourceFiles(cli).filter((f) => !f.includes('/messages/')))
    for (const m of readFileSync(file, 'utf8').matchAll(literal)) used.add(m[1] as string)
  t.ok(used.size > 100, `the source's keys are found (${used.size})`)
  // A plural key is used without its suffix; i18next picks `_one`/`_other` by `count`.
  const has = (key: string, language: (typeof LANGUAGES)[number]) =>
    hasMessage(key, language) || (hasMessage(`${key}_one`, language) && hasMessage(`${key}_other`, language))
  const missing = [...used].flatMap((key) => LANGUAGES.filter((l) => !has(key, l)).map((l) => `${key} (${l})`))
  t.same(missing, [], 'keys used in src/cli/ but missing from a catalogue')
  // And nothing in the catalogues is left unused (plural variants count as their base key).
  const unused: string[] = []
  for (const [namespace, catalogue] of Object.entries(catalogues))
    for (const key of leaves(catalogue.en).keys()) {
      const base = `${namespace}:${key.replace(/_(one|other)$/, '')}`
      if (!used.has(base)) unused.push(base)
    }
  t.same(unused, [], 'every catalogue key is used by the source')
})

t.test('rendering in both languages, plurals included', async (t) => {
  t.teardown(() => useLanguage('id'))
  useLanguage('en')
  t.equal(translate('cli:units.count', { count: 1 }), '1 unit')
  t.equal(translate('cli:units.count', { count: 3 }), '3 units')
  t.equal(translate('plan:changes', { count: 2 }), '2 changes')
  t.match(translate('cli:usage.header'), /^Usage: zi <command>/)
  useLanguage('id')
  t.equal(translate('cli:units.count', { count: 3 }), '3 unit')
  t.equal(translate('cli:assessments.count', { count: 1 }), '1 penilaian')
  t.equal(translate('config:no_token'), 'tidak berisi token')
  t.match(translate('cli:usage.header'), /^Cara pakai: zi <perintah>/)
  t.equal(
    translate('cli:declare.done', { count: 2, target: 'WBK', date: '2026-03-01', key: 'k' }),
    'pencanangan WBK untuk 2 unit pada 2026-03-01; Idempotency-Key k',
  )
})

t.test('the language of a run: --lang, ZI_LANG, the locale, else Indonesian', async (t) => {
  t.same(chooseLanguage('en', { ZI_LANG: 'id', LANG: 'id_ID.UTF-8' }), { language: 'en' }, '--lang wins')
  t.same(chooseLanguage(undefined, { ZI_LANG: 'en', LANG: 'id_ID.UTF-8' }), { language: 'en' }, 'then ZI_LANG')
  t.same(chooseLanguage(undefined, { LANG: 'en_GB.UTF-8' }), { language: 'en' }, 'then the locale')
  t.same(chooseLanguage(undefined, { LANG: 'id_ID.UTF-8' }), { language: 'id' })
  t.same(chooseLanguage(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'id_ID.UTF-8' }), { language: 'en' }, 'LC_ALL first')
  t.same(
    chooseLanguage(undefined, { LC_MESSAGES: 'en_US', LANG: 'id_ID' }),
    { language: 'en' },
    'LC_MESSAGES before LANG',
  )
  t.same(chooseLanguage(undefined, { LANG: 'C.UTF-8' }), { language: 'id' }, 'a locale we do not speak: Indonesian')
  t.same(chooseLanguage(undefined, {}), { language: 'id' }, 'nothing set: Indonesian')
  t.same(chooseLanguage('fr', {}), { language: 'id', invalid: '--lang=fr' }, 'a --lang we do not speak is an error')
  t.same(chooseLanguage(undefined, { ZI_LANG: 'de' }), { language: 'id', invalid: 'ZI_LANG=de' })
  t.same(
    chooseLanguage('fr', { ZI_LANG: 'en' }),
    { language: 'en', invalid: '--lang=fr' },
    'the error itself is told in the language the other sources choose',
  )
  t.same(chooseLanguage(undefined, { ZI_LANG: 'de', LANG: 'en_US.UTF-8' }), { language: 'en', invalid: 'ZI_LANG=de' })
  t.equal(languageOf('in'), 'id', 'the old code for Indonesian')
  t.equal(languageOf('en-AU'), 'en')
  t.same(extractLangOption(['units', '--lang', 'en', '--json']), { args: ['units', '--json'], lang: 'en' })
  t.same(extractLangOption(['--lang=id', 'whoami']), { args: ['whoami'], lang: 'id' })
  t.same(extractLangOption(['answers', 'push', '--', '--lang']), {
    args: ['answers', 'push', '--', '--lang'],
    lang: undefined,
  })
})
