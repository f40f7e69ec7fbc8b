import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import { ProblemError } from '../../src/lib/problem.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { recordInstansiGate, updateProposalPackage } from '../../src/modules/proposals/commands.js'
import { commandContext } from '../helpers/commands.js'
import { createTestDatabase } from '../helpers/database.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertUnit } from '../helpers/units.js'
import type { TestContext } from '../helpers/app.js'

// The proposal commands without HTTP: a database, a context, one call.
t.test('proposal commands', async (t) => {
  const test = await createTestDatabase()
  t.teardown(() => test.destroy())
  const { db } = test.database
  const helperCtx = { app: { db } } as unknown as Pick<TestContext, 'app'>
  const ctx = await commandContext(db, 'admin', { requestId: 'req-proposals' })
  const period = await insertPeriod(helperCtx)
  const instansi = await insertUnit(helperCtx, { kind: 'instansi' })
  const opd = await insertUnit(helperCtx, { kind: 'opd', parent: instansi })
  const other = await insertUnit(helperCtx, { kind: 'instansi' })
  const auditOf = (id: string) =>
    db.select().from(auditEvents).where(eq(auditEvents.entityId, id)).orderBy(asc(auditEvents.id))
  const problem = (status: number, code: string) => ({ constructor: ProblemError, status, code })

  t.test('the instansi gate: the values, the eligibility and one audit record carrying the request', async (t) => {
    const view = await recordInstansiGate(ctx, {
      periodId: period.id,
      instansiId: instansi.id,
      body: { spip_level: { value: 3 }, sakip_predicate: { value: 'B' } },
    })
    t.match(view, {
      instansi: { id: instansi.id },
      period_id: period.id,
      WBK: { eligible: false },
      values: { spip_level: { value: 3, recorded_by: { name: ctx.principal.name } }, opini_bpk: null },
    })
    t.match(await auditOf(instansi.id), [
      {
        action: 'instansi_gate.recorded',
        requestId: 'req-proposals',
        before: { period_id: period.id, spip_level: null },
        after: { period_id: period.id, spip_level: { value: 3 }, sakip_predicate: { value: 'B' } },
      },
    ])
  })

  t.test('an OPD is no instansi, another instansi is out of scope: nothing written', async (t) => {
    const scoped = await commandContext(db, 'admin', { scopePaths: [instansi.path] })
    const before = (await db.select().from(auditEvents)).length
    await t.rejects(
      recordInstansiGate(ctx, { periodId: period.id, instansiId: opd.id, body: { spip_level: { value: 2 } } }),
      problem(404, 'instansi_not_found'),
    )
    await t.rejects(
      updateProposalPackage(scoped, { periodId: period.id, instansiId: other.id, body: { pic: { name: 'Budi' } } }),
      problem(404, 'instansi_not_found'),
    )
    t.equal((await db.select().from(auditEvents)).length, before)
  })
})
