import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createMessages, LANGUAGES, msg, negotiateLanguage } from '../../src/lib/i18n.js'
import type { CatalogueTree } from '../../src/messages/catalogue.js'
import { catalogues } from '../../src/messages/index.js'

/** Every leaf key of a catalogue tree, with the {{parameters}} its text uses. */
function leaves(tree: CatalogueTree, prefix = ''): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') {
      out.set(path, [...value.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1] as string).sort())
    } else for (const [k, v] of leaves(value, path)) out.set(k, v)
  }
  return out
}

t.test('every message exists in Indonesian and English, with the same parameters', async (t) => {
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
    }
  }
})

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

t.test("every msg('namespace:key') in the source is in both catalogues", async (t) => {
  const messages = createMessages()
  const used = new Set<string>()
  for (const file of sourceFiles('src')) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bmsg\(\s*'([\w-]+:[\w.-]+)'/g)) used.add(m[1] as string)
  }
  const missing = [...used].flatMap((key) => LANGUAGES.filter((l) => !messages.has(key, l)).map((l) => `${key} (${l})`))
  t.same(missing, [], 'keys used in src/ but missing from a catalogue')
})

t.test('rendering: parameters, nested messages, both languages', async (t) => {
  const messages = createMessages('id')
  const id = messages.translator('id')
  const en = messages.translator('en')
  t.equal(id(msg('common:status.404')), 'Tidak Ditemukan')
  t.equal(en(msg('common:status.404')), 'Not Found')
  t.equal(en('plain text stays'), 'plain text stays')
  t.equal(messages.defaultLanguage, 'id')
})

t.test('Accept-Language negotiation', async (t) => {
  t.equal(negotiateLanguage(undefined, 'id'), 'id')
  t.equal(negotiateLanguage('en-US,en;q=0.9', 'id'), 'en')
  t.equal(negotiateLanguage('id-ID', 'en'), 'id')
  t.equal(negotiateLanguage('in', 'en'), 'id', 'the old code for Indonesian')
  t.equal(negotiateLanguage('fr-FR, en;q=0.5, id;q=0.8', 'en'), 'id', 'the highest q we speak wins')
  t.equal(negotiateLanguage('fr-FR', 'id'), 'id', 'nothing we speak: the default')
  t.equal(negotiateLanguage('en;q=0, id;q=0', 'en'), 'en', 'q=0 means not this one')
  t.equal(negotiateLanguage('*', 'id'), 'id')
})

t.test('no ProblemError is given a literal English text (a new message goes in the catalogue)', async (t) => {
  const ts = (await import('typescript')).default
  const literal: string[] = []
  for (const file of sourceFiles('src')) {
    const text = readFileSync(file, 'utf8')
    if (!text.includes('ProblemError(')) continue
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
    const visit = (node: import('typescript').Node): void => {
      if (ts.isNewExpression(node) && node.expression.getText(source) === 'ProblemError') {
        const detail = node.arguments?.[2]
        if (
          detail &&
          (ts.isStringLiteral(detail) || ts.isNoSubstitutionTemplateLiteral(detail) || ts.isTemplateExpression(detail))
        ) {
          const { line } = source.getLineAndCharacterOfPosition(detail.getStart(source))
          literal.push(`${file}:${line + 1}`)
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  t.same(literal, [], "details are msg('namespace:key', params)")
})

/** The programme's terms: an Indonesian text never says the English word where the term applies. */
const GLOSSARY: Record<string, string> = {
  declaration: 'pencanangan',
  evidence: 'data dukung',
  proposal: 'usulan',
  designation: 'penetapan',
}
/** Names kept as they are in both languages. */
const KEPT = ['TPI', 'TPN', 'LKE']

t.test(
  'Indonesian texts use the programme’s terms (pencanangan, data dukung, usulan, penetapan; TPI, TPN, LKE)',
  async (t) => {
    const wrong: string[] = []
    for (const [namespace, catalogue] of Object.entries(catalogues)) {
      const en = leafTexts(catalogue.en)
      for (const [key, text] of leafTexts(catalogue.id)) {
        // parameters, identifiers (evidence_id), paths and headers are not prose
        const prose = text.replace(/\{\{[^}]*\}\}/g, ' ').replace(/\S*[_/{}]\S*/g, ' ')
        for (const [english, term] of Object.entries(GLOSSARY))
          if (new RegExp(`\\b${english}s?\\b`, 'i').test(prose))
            wrong.push(`${namespace}:${key} says "${english}", not "${term}"`)
        for (const name of KEPT)
          if (new RegExp(`\\b${name}\\b`).test(en.get(key) ?? '') && !new RegExp(`\\b${name}\\b`).test(text))
            wrong.push(`${namespace}:${key} drops ${name}`)
      }
    }
    t.same(wrong, [])
  },
)

function leafTexts(tree: CatalogueTree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of leafTexts(value, path)) out.set(k, v)
  }
  return out
}
