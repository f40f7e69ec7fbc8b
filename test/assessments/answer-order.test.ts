import { eq } from 'drizzle-orm'
import t from 'tap'
import { inTreeOrder } from '../../src/modules/assessments/rules.js'
import type { InstrumentDefinition, InstrumentNode } from '../../src/modules/instruments/domain/index.js'
import { indexTree } from '../../src/modules/instruments/domain/index.js'
import { loadDefinition } from '../../src/modules/instruments/cache.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

t.test('inTreeOrder follows the tree, not the text of the codes; unknown codes last', async (t) => {
  const node = (code: string, parentCode: string | null, order: number) =>
    ({ code, parentCode, order, level: parentCode ? 'question' : 'area' }) as unknown as InstrumentNode
  const def = {
    nodes: [node('A', null, 1), node('Q100', 'A', 3), node('Q10', 'A', 2), node('Q2', 'A', 1)],
  } as unknown as InstrumentDefinition
  t.same(
    inTreeOrder(def, ['Q100', 'Zz', 'Q10', 'Q2', 'Qa'], (c) => c),
    ['Q2', 'Q10', 'Q100', 'Qa', 'Zz'],
  )
})

t.test('GET …/answers lists a stage’s answers in the instrument’s order', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const [seeded] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  const period = await insertPeriod(ctx, { instrumentVersionId: seeded!.id })
  const admin = bearer(await createToken(ctx, 'admin'))
  const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] }))
  const created = await app.inject({
    method: 'POST',
    url: '/v1/assessments',
    headers: admin,
    payload: { period_id: period.id, unit_id: tree.a1.id },
  })
  t.equal(created.statusCode, 201)
  const url = `/v1/assessments/${created.json().id}/stages/self/answers`
  const written = await app.inject({
    method: 'POST',
    url: `${url}/batch`,
    headers: operator,
    payload: {
      answers: [
        { question_code: 'Q100', value: 'A' },
        { question_code: 'Q10', value: 'A' },
        { question_code: 'Q2', value: 'A' },
      ],
    },
  })
  t.equal(written.statusCode, 200, written.body)

  const res = await app.inject({ method: 'GET', url, headers: operator })
  t.equal(res.statusCode, 200)
  const codes = res.json().answers.map((a: { question_code: string }) => a.question_code)
  t.same(codes, ['Q2', 'Q10', 'Q100'], 'Q2 before Q10 before Q100, as in the questionnaire')
  const def = await loadDefinition(app.db, seeded!.id)
  const treeOrder = indexTree(def)
    .ordered.map((n) => n.code)
    .filter((c) => codes.includes(c))
  t.same(codes, treeOrder, 'the order is the tree’s')
})
