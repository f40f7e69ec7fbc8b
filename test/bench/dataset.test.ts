import t from 'tap'
import { validateAnswers } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import {
  answerableQuestions,
  generateAnswers,
  parseArgs,
  planUnit,
  prng,
  stageReached,
  totalOf,
  verifyAnswers,
} from '../../scripts/bench/dataset.js'

const def = loadSeedInstrument()
const questions = answerableQuestions(def)

t.test('the benchmark answers every answerable question of LKE-ZI-2026 with valid values', async (t) => {
  t.equal(questions.length, 127)
  for (let seed = 1; seed <= 20; seed++) {
    const rnd = prng(seed)
    const self = generateAnswers(def, questions, 0.35 + seed / 40, rnd)
    t.equal(Object.keys(self).length, 127, `seed ${seed}: 127 answers`)
    t.ok(
      questions.every((q) => self[q.code] !== null && self[q.code] !== undefined),
      `seed ${seed}: none blank`,
    )
    t.same(validateAnswers(def, self), [], `seed ${seed}: valid`)
    const tpi = verifyAnswers(def, questions, self, 0.2, rnd)
    t.same(validateAnswers(def, tpi), [], `seed ${seed}: the TPI's re-marking is valid`)
    t.ok(
      questions.some((q) => tpi[q.code] !== self[q.code]),
      `seed ${seed}: the TPI changes some answers`,
    )
  }
})

t.test('the dataset is deterministic and varied', async (t) => {
  t.same(
    generateAnswers(def, questions, 0.7, prng(5)),
    generateAnswers(def, questions, 0.7, prng(5)),
    'same seed, same answers',
  )
  const plans = Array.from({ length: 2000 }, (_, i) => planUnit(prng(1_000_003 + i)))
  t.same(
    plans.slice(0, 50),
    Array.from({ length: 50 }, (_, i) => planUnit(prng(1_000_003 + i))),
    'same seed, same plans',
  )
  const share = (f: (p: (typeof plans)[number]) => boolean): number => plans.filter(f).length / plans.length
  t.ok(
    share((p) => ['proposed', 'evaluated', 'designated', 'not_designated'].includes(p.declaration)) > 0.2,
    'enough units proposed for PortalRB',
  )
  t.ok(
    share((p) => p.stage === 'self_draft' || p.stage === 'self_returned') > 0.08,
    'enough writable self stages for the batch benchmark',
  )
  t.ok(share((p) => stageReached(p.stage, 'tpi_draft')) > 0.5, 'most units verified by the TPI')
  t.ok(
    plans.every((p) => p.target === 'WBK' || p.priorWbk),
    'WBBM only for units designated WBK in the prior period',
  )
  const totals = Array.from({ length: 200 }, (_, i) => {
    const rnd = prng(9000 + i)
    return totalOf(def, generateAnswers(def, questions, planUnit(rnd).quality, rnd))
  })
  t.ok(
    Math.min(...totals) < 75 && Math.max(...totals) > 85,
    `totals spread across the WBK and WBBM thresholds (${Math.min(...totals).toFixed(1)}–${Math.max(...totals).toFixed(1)})`,
  )
})

t.test('argument parsing', async (t) => {
  const args = parseArgs(['--units', '20', '--database-url=postgres://x/y', '--recreate'])
  t.equal(args.get('units'), '20')
  t.equal(args.get('database-url'), 'postgres://x/y')
  t.equal(args.get('recreate'), 'true')
  t.throws(() => parseArgs(['units']), /unexpected argument/)
})
