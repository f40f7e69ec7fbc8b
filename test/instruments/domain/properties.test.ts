/**
 * Properties of the scoring engine on the seeded LKE-ZI-2026, for random valid answer sets drawn from
 * each question's own options / answer type (as scripts/golden/answer-sets.ts draws them), some left blank:
 * - every node's value is within [0, its weight], every question's within [0, its weight or 1];
 * - a node that sums its children is the sum of their values; the total is the sum of the komponen;
 * - monotone: moving one option answer to an option with a higher multiplier never lowers any node,
 *   nor the total.
 */
import fc from 'fast-check'
import t from 'tap'
import {
  scoreInstrument,
  validateAnswers,
  type AnswerValue,
  type InstrumentDefinition,
  type InstrumentNode,
  type ScoreResult,
} from '../../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../../src/modules/instruments/seed/index.js'

const def: InstrumentDefinition = loadSeedInstrument()
const TOLERANCE = 1e-9
const RUNS = 300

/** The questions a user answers (a formula question is computed from its inputs). */
const answerable = def.nodes.filter((n) => n.level === 'question' && n.formula === undefined)
const byCode = new Map(def.nodes.map((n) => [n.code, n]))

/** One answer for `q`, from its answer type; null (blank) about one time in five. */
function answerFor(q: InstrumentNode): fc.Arbitrary<AnswerValue> {
  let given: fc.Arbitrary<AnswerValue>
  if (q.options && q.options.length > 0) given = fc.constantFrom(...q.options.map((o) => o.value))
  else if (q.answerType === 'survey_index') given = fc.integer({ min: 0, max: 400 }).map((n) => n / 100)
  else if (q.answerType === 'percentage') given = fc.double({ min: 0, max: 100, noNaN: true })
  else if (q.answerType === 'count') given = fc.integer({ min: 0, max: 20 })
  else if (q.answerType === 'rupiah') given = fc.integer({ min: 0, max: 1_000_000_000 })
  else throw new Error(`no generator for ${q.code} (${String(q.answerType)})`)
  return fc.oneof({ arbitrary: given, weight: 4 }, { arbitrary: fc.constant(null), weight: 1 })
}

const answerSet: fc.Arbitrary<Record<string, AnswerValue>> = fc.record(
  Object.fromEntries(answerable.map((q) => [q.code, answerFor(q)])),
)

/** Valid sets only: the engine refuses (validateAnswers) a ratio dividing by zero, as the workbook has no number for it. */
const valid = (answers: Record<string, AnswerValue>): boolean => validateAnswers(def, answers).length === 0

const nodeValues = (s: ScoreResult) => new Map(s.nodes.map((n) => [n.code, n.value]))

t.test('the generator covers every answerable question and yields valid sets', async (t) => {
  t.equal(answerable.length, 127)
  const sample = fc.sample(answerSet, { numRuns: 50, seed: 42 })
  t.ok(sample.filter(valid).length > 10, 'most sets are valid')
  t.same(
    validateAnswers(def, Object.fromEntries(answerable.map((q) => [q.code, null]))),
    [],
    'blank everywhere is valid',
  )
})

t.test('every value is within [0, its weight]', async (t) => {
  fc.assert(
    fc.property(answerSet, (answers) => {
      fc.pre(valid(answers))
      const s = scoreInstrument(def, answers)
      for (const n of s.nodes) {
        const max = n.max ?? 0
        if (!(n.value >= 0 && n.value <= max + TOLERANCE))
          throw new Error(`${n.code} (${n.level}) = ${n.value}, outside [0, ${max}]`)
      }
      for (const q of s.questions) {
        if (q.multiplier !== null && !(q.multiplier >= 0 && q.multiplier <= 1))
          throw new Error(`${q.code}: multiplier ${q.multiplier} outside [0, 1]`)
        if (q.value === null) continue
        const bobot = byCode.get(q.code)?.bobot
        const max = typeof bobot === 'number' ? bobot : 1
        if (!(q.value >= 0 && q.value <= max + TOLERANCE))
          throw new Error(`${q.code} = ${q.value}, outside [0, ${max}]`)
      }
      if (!(s.total >= 0 && s.total <= s.maxTotal + TOLERANCE))
        throw new Error(`total ${s.total} outside [0, ${s.maxTotal}]`)
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} answer sets`)
})

t.test('sums add up: total = Σ komponen, a summing node = Σ its children', async (t) => {
  fc.assert(
    fc.property(answerSet, (answers) => {
      fc.pre(valid(answers))
      const s = scoreInstrument(def, answers)
      const values = nodeValues(s)
      const komponen = s.nodes.filter((n) => n.level === 'komponen')
      const sum = komponen.reduce((acc, n) => acc + n.value, 0)
      if (Math.abs(s.total - sum) > TOLERANCE) throw new Error(`total ${s.total} ≠ Σ komponen ${sum}`)
      for (const n of s.nodes) {
        if (n.combine !== 'sum') continue
        const children = n.children.reduce((acc, c) => acc + (values.get(c) ?? Number.NaN), 0)
        if (Math.abs(n.value - children) > TOLERANCE) throw new Error(`${n.code} = ${n.value} ≠ Σ children ${children}`)
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} answer sets`)
})

/** Option questions answered in `answers` whose answer is not already the best option. */
const improvable = (answers: Record<string, AnswerValue>) =>
  answerable.filter((q) => {
    const given = answers[q.code]
    if (!q.options || typeof given !== 'string') return false
    const current = q.options.find((o) => o.value === given)?.multiplier ?? 1
    return q.options.some((o) => o.multiplier > current)
  })

t.test('monotone: a better option on one question never lowers a node nor the total', async (t) => {
  let improved = 0
  fc.assert(
    fc.property(answerSet, fc.nat(), fc.nat(), (answers, pickQuestion, pickOption) => {
      fc.pre(valid(answers))
      const candidates = improvable(answers)
      fc.pre(candidates.length > 0)
      const q = candidates[pickQuestion % candidates.length] as InstrumentNode
      const current = (q.options ?? []).find((o) => o.value === answers[q.code])?.multiplier ?? 1
      const better = (q.options ?? []).filter((o) => o.multiplier > current)
      const option = better[pickOption % better.length] as { value: string; multiplier: number }
      const after = { ...answers, [q.code]: option.value }

      const s0 = scoreInstrument(def, answers)
      const s1 = scoreInstrument(def, after)
      improved++
      if (s1.total < s0.total)
        throw new Error(
          `${q.code}: ${String(answers[q.code])} → ${option.value} lowered the total ${s0.total} → ${s1.total}`,
        )
      const before = nodeValues(s0)
      for (const n of s1.nodes) {
        const b = before.get(n.code) as number
        if (n.value < b)
          throw new Error(`${q.code}: ${String(answers[q.code])} → ${option.value} lowered ${n.code} ${b} → ${n.value}`)
      }
      // and it raised the question's own sub-area (it is scored, and every seeded option question is)
      const parent = s1.nodes.find((n) => n.code === q.parentCode)
      if (parent && !(parent.value > (before.get(parent.code) as number)))
        throw new Error(`${q.code}: ${q.parentCode} did not rise`)
    }),
    { numRuns: RUNS },
  )
  t.ok(improved > RUNS / 2, `${improved} improvements checked`)
})

t.test('explain: false gives the same numbers, without the texts', async (t) => {
  fc.assert(
    fc.property(answerSet, (answers) => {
      const full = scoreInstrument(def, answers)
      const bare = scoreInstrument(def, answers, { explain: false })
      const strip = <T extends { explanation?: string }>(x: T) => ({ ...x, explanation: undefined })
      const same =
        JSON.stringify(full.nodes.map(strip)) === JSON.stringify(bare.nodes.map(strip)) &&
        JSON.stringify(full.questions.map(strip)) === JSON.stringify(bare.questions.map(strip)) &&
        full.total === bare.total
      const textless =
        bare.nodes.every((n) => n.explanation === '') && bare.questions.every((q) => q.explanation === undefined)
      const explained = full.nodes.every((n) => n.explanation.length > 0)
      return same && textless && explained
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} answer sets`)
})

t.test('explanations show each number to at most 12 significant digits (no float noise)', async (t) => {
  const significant = (token: string) => token.replace('.', '').replace(/^0+/, '').replace(/e.*$/, '').length
  fc.assert(
    fc.property(answerSet, (answers) => {
      const s = scoreInstrument(def, answers)
      const texts = [...s.nodes.map((n) => n.explanation), ...s.questions.map((q) => q.explanation ?? '')]
      return texts.every((x) => (x.match(/\d+\.\d+/g) ?? []).every((token) => significant(token) <= 12))
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} answer sets`)
})
