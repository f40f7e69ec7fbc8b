import t from 'tap'
import { scoreInstrument } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import {
  areaNodes,
  bucketOf,
  contributionsOf,
  divergenceOf,
  stageFacts,
} from '../../src/modules/assessments/metrics-rules.js'
import { scopeRoots, type Metrics, completionOf, lowestQuestions } from '../../src/modules/dashboards/rules.js'

const def = loadSeedInstrument()

t.test('histogram buckets', async (t) => {
  t.equal(bucketOf(0, 4), 0)
  t.equal(bucketOf(4, 4), 9, 'the top value goes in the last bucket')
  t.equal(bucketOf(2.8, 4), 7, '70 % is the 70–80 % bucket, floating point notwithstanding')
  t.equal(bucketOf(0.7 * 3.5, 3.5), 7)
  t.equal(bucketOf(1, 0), null, 'no weight, no bucket')
})

t.test('scope roots: nested grants are counted once', async (t) => {
  t.same(scopeRoots(['/i/a/', '/i/a/x/', '/i/b/']), ['a', 'b'])
  t.same(scopeRoots(['/i/a/x/', '/i/a/x/']), ['x'])
  t.same(scopeRoots([]), [])
})

t.test('a stage’s contributions follow its facts', async (t) => {
  const empty = stageFacts(def, scoreInstrument(def, {}))
  const areas = areaNodes(def)
  t.equal(empty.answeredCount, 0)
  t.equal(empty.questionCount, def.nodes.filter((n) => n.level === 'question' && !n.formula).length)
  const c0 = contributionsOf(empty, 'draft', areas, null)
  t.same(
    Object.keys(c0).sort(),
    ['answered', 'questions', 'stages', 'status:draft'],
    'an unanswered stage counts, but has no score yet',
  )
  const answers = { Q1: 'Ya', Q2: 'A' }
  const facts = stageFacts(def, scoreInstrument(def, answers))
  const c1 = contributionsOf(facts, 'submitted', areas, null)
  t.same(c1.answered, [1, 2])
  t.same(c1['q:Q1'], [1, 1])
  t.ok(c1.scored && c1.total && c1['status:submitted'])
  t.equal(Object.keys(c1).filter((k) => /^node:[^:]+$/.test(k)).length, areas.length, 'every area once')
  t.equal(facts.predicate, 'none')
  t.ok(facts.wbkShort > 0)
  t.ok(facts.lacking.every((l) => l.points_short > 0))
  const d = divergenceOf(facts, stageFacts(def, scoreInstrument(def, { Q1: 'Tidak', Q2: 'A', Q3: 'A' })))
  t.same(d.questions, { Q1: 1, Q2: 0 }, 'only questions answered in both')
  const c2 = contributionsOf(facts, 'draft', areas, d)
  t.same(c2['qdiv:Q1'], [1, 1])
  t.same(c2.div, [1, d.total])
})

t.test('figures from summed metrics', async (t) => {
  const m: Metrics = new Map([
    ['stages', { count: 4, sum: 0 }],
    ['status:submitted', { count: 1, sum: 0 }],
    ['status:approved', { count: 1, sum: 0 }],
    ['questions', { count: 4, sum: 400 }],
    ['answered', { count: 4, sum: 100 }],
    ['q:Q1', { count: 2, sum: 0.5 }],
    ['q:Q2', { count: 1, sum: 0.5 }],
    ['q:Q3', { count: 3, sum: 3 }],
  ])
  t.match(completionOf(m), {
    stages: 4,
    answered_pct: 25,
    submitted_pct: 50,
    approved_pct: 25,
    by_status: { draft: 0, submitted: 1, returned: 0, approved: 1 },
  })
  t.same(
    lowestQuestions(m, def, 2).map((q) => [q.code, q.average]),
    [
      ['Q1', 0.25],
      ['Q2', 0.5],
    ],
  )
  t.same(completionOf(new Map()).answered_pct, null, 'no stages: no percentage')
})
