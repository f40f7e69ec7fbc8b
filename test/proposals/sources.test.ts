/**
 * Every `source` a Bagian Organisasi reads points to PermenPANRB 90/2021 (page and part), the
 * PortalRB guide, or the instrument's own data in this repository: never to a file outside it
 * (the research notes in ../shared are not shipped).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/lib/paths.js'
import { loadSeedInstrument, loadSeedOverlay } from '../../src/modules/instruments/seed/index.js'
import { DEFAULT_PROPOSAL_RULES, SOURCES } from '../../src/modules/proposals/rules.js'

const root = projectRoot()
/** Whatever looks like a file name in a text. */
const FILE = /[A-Za-z0-9_./-]+\.(?:md|json|xlsx|txt|pdf|ts|js|csv)\b/g
const outside = (text: string): string[] => {
  const bad: string[] = []
  if (/shared\/reference|\.\.\/shared|zi-rules/.test(text)) bad.push(text.slice(0, 120))
  for (const f of text.match(FILE) ?? []) if (!existsSync(join(root, f))) bad.push(f)
  return bad
}
const REGULATION = /^PermenPANRB 90\/2021 Lampiran (II|III) .*p\. \d+/

t.test(
  'the seeded instrument: every rule cites the regulation with its page; nothing outside the repository',
  async (t) => {
    const def = loadSeedInstrument()
    t.equal(def.predicateRules.length, 24)
    for (const r of def.predicateRules) {
      t.match(r.source, REGULATION, `${r.id} cites the regulation with a page`)
      t.equal(r.confidence, 'CONFIRMED', `${r.id} is confirmed by the regulation`)
      t.same(outside(r.source), [], `${r.id}: no file outside the repository`)
    }
    const overlay = loadSeedOverlay() as unknown as { questions: { code: string; source?: string }[]; notes: unknown }
    for (const q of overlay.questions)
      if (q.source) t.same(outside(q.source), [], `${q.code}: its source is in the repository`)
    t.same(outside(JSON.stringify(overlay.notes)), [], 'the notes too')
    t.same(outside(JSON.stringify(overlay)), [], 'the whole overlay')
  },
)

t.test('the proposal rules and checks: the regulation or the PortalRB guide, labelled', async (t) => {
  for (const r of DEFAULT_PROPOSAL_RULES.gate_rules) {
    t.match(r.source, REGULATION, `${r.id} cites P90 Tabel 5`)
    t.same(outside(r.source), [], r.id)
  }
  for (const [key, text] of Object.entries(SOURCES)) {
    t.match(text, /PermenPANRB 90\/2021|PortalRB/, `${key} names the regulation or PortalRB`)
    t.same(outside(text), [], key)
  }
  t.match(SOURCES.portalrbTwoYears, /^PortalRB practice, not PermenPANRB 90\/2021/, 'practice labelled as such')
})

t.test('the API document and the docs name no file outside the repository as a source', async (t) => {
  const openapi = readFileSync(join(root, 'openapi', 'openapi.json'), 'utf8')
  t.notMatch(openapi, /zi-rules|shared\/reference/, 'openapi.json')
  for (const doc of ['docs/proposals.md', 'docs/scoring.md'])
    t.notMatch(readFileSync(join(root, doc), 'utf8'), /zi-rules/, doc)
})
