/**
 * The seeded LKE-ZI-2026 carries evidence (data dukung) guidance on every question, transcribed from the
 * Pemda workbook's data-dukung column and the master soal's kriteria_nilai
 * (scripts/instruments/evidence-guidance.ts); nothing specific to that one Pemda is copied.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { validateInstrument } from '../../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../../src/modules/instruments/seed/index.js'

const def = loadSeedInstrument()
const questions = def.nodes.filter((n) => n.level === 'question')

t.test('every question of the seed has guidance; the definition stays valid', async (t) => {
  t.equal(questions.length, 135)
  t.same(
    questions.filter((q) => !q.evidenceGuidance?.trim()).map((q) => q.code),
    [],
  )
  t.same(validateInstrument(def), [])
})

t.test('the workbook examples and the best-answer criteria are in it, without the Pemda’s own details', async (t) => {
  const q1 = questions.find((q) => q.code === 'Q1')
  t.match(q1?.evidenceGuidance, /Tim telah dibentuk di dalam unit kerja/)
  t.match(q1?.evidenceGuidance, /SK Kepala OPD Ttg Tim Kerja Pembangunan/)
  t.match(
    questions.find((q) => q.code === 'Q2')?.evidenceGuidance,
    /^Data dukung menunjukkan: dengan prosedur\/mekanisme yang jelas/,
  )
  t.match(questions.find((q) => q.code === 'Q88')?.evidenceGuidance, /Jumlah Agen Perubahan/)
  const all = questions.map((q) => q.evidenceGuidance).join('\n')
  t.notMatch(all, /https?:\/\//, 'no links to one Pemda’s drive')
  t.notMatch(all, /Tangerang/, 'no city name')
  t.notMatch(all, /xxx/, 'no placeholders')
})

t.test('the seed file is what the generator writes from the reference files', async (t) => {
  const file = JSON.parse(
    readFileSync(new URL('../../../src/modules/instruments/seed/lke-zi-2026.evidence.json', import.meta.url), 'utf8'),
  )
  t.equal(Object.keys(file.guidance).length, questions.length)
  t.match(file.$comment, /scripts\/instruments\/evidence-guidance\.ts/)
})
