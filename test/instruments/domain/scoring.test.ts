import t from 'tap'
import type { Test } from 'tap'
import { scoreInstrument, validateInstrument, type ScoreResult } from '../../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../../src/modules/instruments/seed/index.js'
import { patched, synthetic } from './synthetic.js'

const near = (t: Test, actual: number | null | undefined, expected: number, what: string) =>
  t.ok(typeof actual === 'number' && Math.abs(actual - expected) <= 1e-12, `${what}: ${actual} ≈ ${expected}`)
const nodeOf = (s: ScoreResult, code: string) => {
  const n = s.nodes.find((x) => x.code === code)
  if (!n) throw new Error(`no node ${code}`)
  return n
}
const questionOf = (s: ScoreResult, code: string) => {
  const q = s.questions.find((x) => x.code === code)
  if (!q) throw new Error(`no question ${code}`)
  return q
}

t.test('synthetic instrument: a hand-computed case', async (t) => {
  const def = synthetic()
  t.same(validateInstrument(def), [])
  const s = scoreInstrument(def, {
    q1: 'Ya',
    q2: 'B',
    q3: 'C',
    q4: 'D',
    q5: 4,
    q6: 3,
    q7: 80,
    q8: 'A',
    q9: 3,
    q10: 'B',
  })
  // SA1 = AVERAGE(1, 0.5, 0.33) × 2 = 1.22
  near(t, nodeOf(s, 'SA1').value, ((1 + 0.5 + 0.33) / 3) * 2, 'SA1')
  t.equal(nodeOf(s, 'SA1').combine, 'average_times_weight')
  // r1 = min(1, 3 / 4) = 0.75; SA2 = AVERAGE(0.25, 0.75) × 4 = 2 (q5, q6 are inputs, not averaged)
  t.equal(questionOf(s, 'r1').multiplier, 0.75)
  t.same(questionOf(s, 'r1').formula, { expression: 'min(1, q6 / q5)', inputs: { q6: 3, q5: 4 }, result: 0.75 })
  t.equal(questionOf(s, 'q5').value, null, 'an input has no value of its own')
  t.equal(questionOf(s, 'q5').scored, false)
  t.equal(nodeOf(s, 'SA2').value, 2)
  near(t, nodeOf(s, 'A1').value, 1.22 + 2, 'A1 = SA1 + SA2')
  // q7 = 80 % → 0.8 × 1.5 = 1.2; SA3b = 1 × 2.5; SA3 = 3.7 (a sub-area of sub-areas sums)
  near(t, nodeOf(s, 'SA3a').value, 1.2, 'SA3a')
  t.equal(nodeOf(s, 'SA3').combine, 'sum')
  near(t, nodeOf(s, 'SA3').value, 3.7, 'SA3')
  near(t, nodeOf(s, 'K1').value, 6.92, 'K1 = S1 = A1 + A2')
  // Hasil: q9 = 3 / 4 × 3 = 2.25, q10 = B = 0.75 × 2 = 1.5
  t.equal(questionOf(s, 'q9').value, 2.25)
  t.equal(questionOf(s, 'q9').multiplier, 0.75)
  t.equal(questionOf(s, 'q10').value, 1.5)
  t.equal(nodeOf(s, 'H1').combine, 'weighted_sum')
  t.equal(nodeOf(s, 'H1').value, 3.75)
  near(t, s.total, 6.92 + 3.75, 'total')
  t.equal(s.maxTotal, 15)
  t.same(s.unanswered, [])
  t.same(
    s.nodes.map((n) => n.code),
    ['K1', 'S1', 'A1', 'SA1', 'SA2', 'A2', 'SA3', 'SA3a', 'SA3b', 'K2', 'H1'],
    'every non-question node, depth first in order',
  )
  t.same(
    s.questions.map((q) => q.code),
    ['q1', 'q2', 'q3', 'q4', 'r1', 'q5', 'q6', 'q7', 'q8', 'q9', 'q10'],
  )
  t.match(nodeOf(s, 'SA1').explanation, /AVERAGE\(1, 0\.5, 0\.33\) × 2 = 1\.22/)
  t.match(questionOf(s, 'r1').explanation, /min\(1, q6 \/ q5\) with q6=3, q5=4 = 0\.75/)
})

t.test('synthetic instrument: the unanswered rule', async (t) => {
  const def = synthetic()
  // SA1: only q2 answered → AVERAGE skips the blanks (the workbook's "Blm Diisi" is text) → 0.5 × 2
  const s = scoreInstrument(def, { q2: 'B', q4: null, q5: 4, q8: 'x' })
  t.equal(nodeOf(s, 'SA1').value, 1)
  t.equal(nodeOf(s, 'SA1').answered, 1)
  t.equal(nodeOf(s, 'SA1').scoredQuestions, 3)
  t.match(nodeOf(s, 'SA1').explanation, /1 of 3 scored questions answered/)
  // SA2: q4 blank, r1 not computable (q6 blank) → no number in the workbook (#DIV/0!) → 0
  t.equal(questionOf(s, 'r1').formula?.error, 'inputs_missing')
  t.equal(questionOf(s, 'r1').answered, false)
  t.equal(nodeOf(s, 'SA2').value, 0)
  t.match(nodeOf(s, 'SA2').explanation, /#DIV\/0!/)
  // an invalid answer is ignored and flagged
  t.equal(questionOf(s, 'q8').error, 'answer_not_allowed')
  t.equal(nodeOf(s, 'SA3b').value, 0)
  // Hasil blank: "Blm Diisi" × weight is #VALUE! in the workbook → 0
  t.equal(nodeOf(s, 'H1').value, 0)
  t.same(
    s.unanswered,
    ['q1', 'q3', 'q4', 'q6', 'q7', 'q8', 'q9', 'q10'],
    'answerable questions without a usable answer, in order; r1 is computed',
  )
  t.equal(s.total, 1)
  const empty = scoreInstrument(def, {})
  t.equal(empty.total, 0)
  t.equal(empty.unanswered.length, 10)
})

t.test('synthetic instrument: conversions and ratio edges', async (t) => {
  const def = synthetic()
  t.equal(
    questionOf(scoreInstrument(def, { q1: 'ya' }), 'q1').multiplier,
    1,
    'options match without case, as Excel compares text',
  )
  t.equal(questionOf(scoreInstrument(def, { q1: 'ya' }), 'q1').answer, 'ya', 'the answer is reported as given')
  t.equal(
    questionOf(scoreInstrument(def, { q3: 'B' }), 'q3').multiplier,
    0.67,
    'A/B/C/D: the workbook literal 0.67, not 2/3',
  )
  t.equal(questionOf(scoreInstrument(def, { q5: 3, q6: 5 }), 'r1').multiplier, 1, 'capped at 1')
  t.equal(
    questionOf(scoreInstrument(def, { q5: 3, q6: 5 }), 'r1').formula?.unclamped,
    undefined,
    'the formula caps itself',
  )
  const uncapped = questionOf(scoreInstrument(patched(def, 'r1', { formula: 'q6 / q5' }), { q5: 3, q6: 5 }), 'r1')
  t.equal(uncapped.multiplier, 1, 'a formula above 1 is clamped to 1')
  t.equal(uncapped.formula?.unclamped, 5 / 3)
  t.match(uncapped.explanation, /clamped to 1/)
  const zero = scoreInstrument(def, { q4: 'A', q5: 0, q6: 0 })
  t.equal(questionOf(zero, 'r1').formula?.error, 'division_by_zero')
  t.equal(questionOf(zero, 'r1').error, 'division_by_zero')
  t.equal(nodeOf(zero, 'SA2').value, 4, 'the ratio without a value is skipped like a blank')
  t.equal(questionOf(scoreInstrument(def, { q9: 4 }), 'q9').value, 3)
  const odd = patched(def, 'r1', { formula: 'q6 - q5' })
  t.equal(
    questionOf(scoreInstrument(odd, { q5: 4, q6: 1 }), 'r1').multiplier,
    0,
    'a custom formula below 0 is clamped to 0',
  )
  const broken = patched(def, 'r1', { formula: 'q6 / ' })
  t.equal(
    questionOf(scoreInstrument(broken, { q5: 4, q6: 1 }), 'r1').formula?.error,
    'invalid_formula',
    'an invalid definition still scores',
  )
  const unscored = patched(def, 'q1', { scored: false })
  t.equal(
    nodeOf(scoreInstrument(unscored, { q1: 'Tidak', q2: 'A', q3: 'A' }), 'SA1').value,
    2,
    'scored: false leaves a question out of the average',
  )
})

t.test('seed LKE-ZI-2026: hand-computed', async (t) => {
  const def = loadSeedInstrument()
  const s = scoreInstrument(def, {
    Q1: 'Ya', // N4 Penyusunan Tim Kerja (0.5): AVERAGE(1, 0.5) × 0.5 = 0.375
    Q2: 'B',
    Q88: 4, // N36 Komitmen dalam perubahan (2): R36a = min(1, 2/4) = 0.5; R36b not computable → 0.5 × 2 = 1
    Q89: 2,
    Q113: 1, // N55 LHKPN (1): R55 = min(1, 3 / (1 + 2 + 3)) = 0.5 → 0.5; N56 blank → 0; N54 = 0.5
    Q114: 2,
    Q115: 3,
    Q116: 3,
    Q125: 3.2, // IPAK 3.2 / 4 × 17.5 = 14
    Q126: 'C', // capaian C = 0.5 × 5 = 2.5
    Q127: 3.6, // IPKP 3.6 / 4 × 17.5 = 15.75
  })
  near(t, nodeOf(s, 'N4').value, 0.375, 'N4')
  near(t, nodeOf(s, 'N36').value, 1, 'N36')
  t.equal(questionOf(s, 'R36b').formula?.error, 'inputs_missing')
  near(t, nodeOf(s, 'N54').value, 0.5, 'N54 = N55 + N56 (the master soal; the Pemda copy averages L176:L179)')
  near(t, questionOf(s, 'Q125').value, 14, 'Q125')
  near(t, nodeOf(s, 'N61').value, 16.5, 'N61 = Q125 + Q126')
  near(t, nodeOf(s, 'N62').value, 15.75, 'N62')
  near(t, nodeOf(s, 'N1').value, 0.375 + 1 + 0.5, 'Pengungkit')
  near(t, nodeOf(s, 'N60').value, 32.25, 'Hasil')
  near(t, s.total, 0.375 + 1 + 0.5 + 32.25, 'total')
  t.equal(s.maxTotal, 100)
  t.equal(s.unanswered.length, 127 - 11)
})

t.test('seed LKE-ZI-2026: every answer at its best is 100, at its worst 0', async (t) => {
  const def = loadSeedInstrument()
  const best: Record<string, string | number> = {}
  const worst: Record<string, string | number> = {}
  for (const q of def.nodes) {
    if (q.level !== 'question' || q.formula) continue
    if (q.options) {
      const sorted = [...q.options].sort((a, b) => b.multiplier - a.multiplier)
      best[q.code] = (sorted[0] as { value: string }).value
      worst[q.code] = (sorted.at(-1) as { value: string }).value
    } else if (q.answerType === 'survey_index') {
      best[q.code] = 4
      worst[q.code] = 0
    } else {
      best[q.code] = 5 // every ratio: 5 / 5, 5 / 15 for LHKPN/LHKASN, (5 − 5) / 5 for discipline
      worst[q.code] = 5
    }
  }
  Object.assign(best, { Q103: 0, Q116: 15, Q120: 15 })
  Object.assign(worst, { Q89: 0, Q91: 0, Q103: 9, Q106: 0, Q112: 0, Q116: 0, Q120: 0, Q123: 0 })
  t.equal(scoreInstrument(def, best).total, 100)
  t.equal(scoreInstrument(def, worst).total, 0)
  const komponen = scoreInstrument(def, best).nodes.filter((n) => n.level === 'komponen')
  t.same(
    komponen.map((n) => [n.code, n.value]),
    [
      ['N1', 60],
      ['N60', 40],
    ],
  )
})
