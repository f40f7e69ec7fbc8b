/**
 * The engine against the official workbook: fixtures made by scripts/golden (LibreOffice recalculating
 * shared/reference/lke-zi-form.xlsx with K185, L175 and J8 corrected), committed, so no LibreOffice here.
 *
 * Tolerance 1e-9, not the workbook's displayed precision (2 decimals, number format 0.00): both sides
 * compute the same IEEE doubles from the same literals (0.67, 0.33, K/4*H, …), so anything beyond
 * last-bit noise is a real difference; the noise comes from LibreOffice summing with compensated
 * (Kahan/Neumaier) summation in SUM/AVERAGE and from the SUM argument order (L100 sums L113 last),
 * about 1e-14 on totals ≤ 100. 1e-9 catches any real difference while staying clear of that.
 */
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { scoreInstrument, validateAnswers, type AnswerValue } from '../../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../../src/modules/instruments/seed/index.js'

interface Fixture {
  case: string
  instrument: string
  answers: Record<string, AnswerValue>
  expected: { total: number | null; nodes: Record<string, number | null>; questions: Record<string, number | null> }
  workbookErrors: Record<string, string>
  how: string
}

const dir = new URL('../../fixtures/golden/', import.meta.url)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
const def = loadSeedInstrument()
const TOLERANCE = 1e-9

t.ok(files.length >= 10, `${files.length} golden cases`)

for (const file of files) {
  const fx = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Fixture
  t.test(fx.case, async (t) => {
    t.equal(fx.instrument, def.code)
    const score = scoreInstrument(def, fx.answers)
    const nodes = new Map(score.nodes.map((n) => [n.code, n]))
    const questions = new Map(score.questions.map((q) => [q.code, q]))
    const errored = Object.keys(fx.workbookErrors)
    const close = (actual: number, expected: number, what: string) =>
      t.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: engine ${actual}, workbook ${expected}`)

    if (errored.length === 0) {
      t.same(validateAnswers(def, fx.answers), [], 'the engine accepts the answer set')
      close(score.total, fx.expected.total as number, 'total (L208)')
    }
    t.equal(Object.keys(fx.expected.nodes).length, score.nodes.length, 'every node is in the fixture')
    for (const [code, expected] of Object.entries(fx.expected.nodes)) {
      const node = nodes.get(code)
      if (!node) {
        t.fail(`no node ${code}`)
        continue
      }
      if (expected === null) {
        // the workbook shows an error here: the engine's documented stand-in is 0 (see scoring.ts)
        t.ok(fx.workbookErrors[code], `${code} is null only where the workbook shows an error`)
        continue
      }
      close(node.value, expected, `${code} (${node.level})`)
    }
    for (const [code, expected] of Object.entries(fx.expected.questions)) {
      const q = questions.get(code)
      if (!q) {
        t.fail(`no question ${code}`)
        continue
      }
      if (fx.workbookErrors[code]) {
        t.equal(q.value, null, `${code}: the workbook shows ${fx.workbookErrors[code]}, the engine has no value`)
        continue
      }
      if (expected === null)
        t.equal(q.value, null, `${code}: text in the workbook (input or blank), no value in the engine`)
      else close(q.value ?? Number.NaN, expected, `${code} (question)`)
    }
  })
}

t.test('where the workbook has no number, the engine says why', async (t) => {
  const divide = JSON.parse(readFileSync(new URL('division-by-zero.json', dir), 'utf8')) as Fixture
  t.equal(divide.workbookErrors.R53, '#DIV/0!')
  t.equal(divide.workbookErrors.total, '#DIV/0!')
  t.same(
    validateAnswers(def, divide.answers).map((i) => i.code),
    ['formula_division_by_zero'],
    'the engine refuses the answer set that makes the workbook divide by zero',
  )
  const score = scoreInstrument(def, divide.answers)
  t.equal(score.questions.find((q) => q.code === 'R53')?.formula?.error, 'division_by_zero')
  t.equal(score.nodes.find((n) => n.code === 'N53')?.value, 0, 'scored anyway, the sub-area has no value: 0')
  t.equal(score.total, 97, 'everything else is at its best: 100 − N53 (3)')

  const none = JSON.parse(readFileSync(new URL('all-unanswered.json', dir), 'utf8')) as Fixture
  t.ok(none.workbookErrors.total, `the workbook's total is ${none.workbookErrors.total}`)
  const empty = scoreInstrument(def, none.answers)
  t.equal(empty.total, 0)
  t.equal(empty.unanswered.length, Object.keys(none.answers).length, 'every answerable question is listed unanswered')
})
