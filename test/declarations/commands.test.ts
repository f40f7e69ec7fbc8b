import t from 'tap'
import { eq } from 'drizzle-orm'
import type { Db } from '../../src/db/connection.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import {
  createDeclaration,
  declareMany,
  transitionDeclaration,
  updateDeclaration,
} from '../../src/modules/declarations/commands.js'
import { events } from '../../src/modules/events/tables.js'
import { createUnit } from '../../src/modules/units/commands.js'
import { commandContext } from '../helpers/commands.js'
import { createTestDatabase } from '../helpers/database.js'
import { insertPeriod } from '../helpers/periods.js'
import type { TestContext } from '../helpers/app.js'

// The pencanangan's commands without HTTP.
t.test('declaration commands', async (t) => {
  const test = await createTestDatabase()
  t.teardown(() => test.destroy())
  const { db } = test.database
  const admin = await commandContext(db, 'admin', { requestId: 'req-decl' })
  const pemda = await createUnit(admin, { code: 'KOTA-Y', name: 'Pemerintah Kota Y', kind: 'instansi' })
  const opdA = await createUnit(admin, { code: 'A', name: 'Dinas A', kind: 'opd', parent_id: pemda.id })
  const opdB = await createUnit(admin, { code: 'B', name: 'Dinas B', kind: 'opd', parent_id: pemda.id })
  const period = await insertPeriod({ app: { db } } as unknown as Pick<TestContext, 'app'>, { year: 2026 })
  const trail = async (id: string) => ({
    audit: (await db.select().from(auditEvents).where(eq(auditEvents.entityId, id))).map((a) => a.action),
    events: (await db.select().from(events).where(eq(events.subjectId, id))).map((e) => [e.type, e.requestId]),
  })
  const operator = await commandContext(db as Db, 'unit_operator', { scopePaths: [opdA.path] })

  t.test('create, update and transition: each one audit record and one event', async (t) => {
    const { declaration, history } = await createDeclaration(operator, {
      unit_id: opdA.id,
      period_id: period.id,
      target: 'WBK',
      declared_on: '2026-12-09',
    })
    t.match(history, [{ fromStatus: null, toStatus: 'declared', actorPrincipalId: operator.principal.principalId }])
    await t.rejects(updateDeclaration(operator, { id: declaration.id, ifMatch: '"9"' }, { notes: 'x' }), {
      code: 'precondition_failed',
    })
    await updateDeclaration(operator, { id: declaration.id }, { notes: 'Piagam ditandatangani' })
    const moved = await transitionDeclaration(operator, { id: declaration.id }, { to: 'building', reason: 'mulai' })
    t.equal(moved.declaration.status, 'building')
    await t.rejects(transitionDeclaration(operator, { id: declaration.id }, { to: 'proposed', reason: 'x' }), {
      code: 'transition_forbidden',
    })
    const { audit, events: emitted } = await trail(declaration.id)
    t.same(audit, ['declaration.created', 'declaration.updated', 'declaration.transitioned'])
    t.same(
      emitted.map((e) => e[0]),
      ['declaration.created', 'declaration.updated', 'declaration.transitioned'],
    )
    t.equal(emitted[0]?.[1], operator.requestId, 'the event carries the command’s request id')
  })

  t.test('declareMany: all or nothing, a verdict per unit', async (t) => {
    const refused = await declareMany(admin, {
      period_id: period.id,
      declared_on: '2026-12-09',
      units: [
        { unit_id: opdB.id, target: 'WBK' },
        { unit_id: opdA.id, target: 'WBK' },
      ],
    })
    t.equal(refused.refused, true)
    t.same(
      refused.verdicts.map((v) => [v.code, v.verdict, v.problem?.code ?? null]),
      [
        ['B', 'ok', null],
        ['A', 'refused', 'declaration_exists'],
      ],
    )
    t.same((await trail(opdB.id)).events, [], 'B was not declared either')
    const done = await declareMany(admin, {
      period_id: period.id,
      declared_on: '2026-12-09',
      documents: [{ kind: 'piagam_pencanangan', url: 'https://example.go.id/piagam.pdf' }],
      units: [{ unit_id: opdB.id, target: 'WBK' }],
    })
    t.equal(done.refused, false)
    const id = done.verdicts[0]?.declaration_id as string
    t.same((await trail(id)).audit, ['declaration.created'])
  })
})
