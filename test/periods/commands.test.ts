import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import { systemContext, type CommandContext } from '../../src/lib/command.js'
import { ProblemError } from '../../src/lib/problem.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { createPeriod, deletePeriod, reopenPeriodWindow, updatePeriod } from '../../src/modules/periods/commands.js'
import { periods } from '../../src/modules/periods/tables.js'
import { createTestDatabase } from '../helpers/database.js'
import { hoursFromNow, insertInstrument } from '../helpers/periods.js'
import type { TestContext } from '../helpers/app.js'

/** The period commands without HTTP: transaction, precondition, audit row. */
t.test('period commands', async (t) => {
  const testDb = await createTestDatabase()
  t.teardown(() => testDb.destroy())
  const db = testDb.database.db
  const helperCtx = { app: { db } } as unknown as Pick<TestContext, 'app'>
  const ctx: CommandContext = systemContext(db, 'period test')
  const instrument = await insertInstrument(helperCtx, 'published')
  const auditOf = (id: string) =>
    db.select().from(auditEvents).where(eq(auditEvents.entityId, id)).orderBy(asc(auditEvents.id))
  const problem = (status: number, code: string) => ({ constructor: ProblemError, status, code })

  const created = await createPeriod(ctx, {
    code: 'ZI-CMD',
    name: '  Evaluasi  ',
    year: 2026,
    instrument_version_id: instrument,
    windows: { revision: { opens_at: hoursFromNow(-1), closes_at: hoursFromNow(1) } },
  })
  t.match(created, { code: 'ZI-CMD', name: 'Evaluasi', version: 1 })
  t.match(await auditOf(created.id), [{ action: 'period.created', actorName: 'period test', actorRole: 'system' }])

  t.test('a rule refused writes nothing and leaves no audit', async (t) => {
    const before = (await db.select().from(auditEvents)).length
    await t.rejects(
      createPeriod(ctx, { code: 'ZI-CMD', name: 'x', year: 2026, instrument_version_id: instrument }),
      problem(409, 'period_code_taken'),
    )
    t.equal((await db.select().from(auditEvents)).length, before)
  })

  t.test('update checks If-Match against the locked row', async (t) => {
    await t.rejects(
      updatePeriod(ctx, { id: created.id, patch: { name: 'x' }, ifMatch: '"7"' }),
      problem(412, 'precondition_failed'),
    )
    const updated = await updatePeriod(ctx, { id: created.id, patch: { name: 'Baru' }, ifMatch: '"1"' })
    t.match(updated, { name: 'Baru', version: 2 })
    const rows = await auditOf(created.id)
    t.match(rows.at(-1), { action: 'period.updated', before: { name: 'Evaluasi' }, after: { name: 'Baru' } })
  })

  t.test('reopen names the caller and the reason', async (t) => {
    const until = hoursFromNow(48)
    const row = await reopenPeriodWindow(ctx, { id: created.id, window: 'revision', until, reason: 'banjir' })
    // the system acting on its own has no principal row to name
    t.equal(row.windows.revision?.reopened_by, null)
    t.match((await auditOf(created.id)).at(-1), {
      action: 'period.window_reopened',
      after: { window: 'revision', reason: 'banjir' },
    })
    await t.rejects(
      reopenPeriodWindow(ctx, { id: created.id, window: 'proposal', until, reason: 'x' }),
      problem(422, 'window_not_scheduled'),
    )
  })

  t.test('delete: 404 for an unknown id, then gone and audited', async (t) => {
    await t.rejects(deletePeriod(ctx, { id: '00000000-0000-4000-8000-000000000000' }), problem(404, 'period_not_found'))
    await deletePeriod(ctx, { id: created.id })
    t.same(await db.select().from(periods).where(eq(periods.id, created.id)), [])
    t.match((await auditOf(created.id)).at(-1), { action: 'period.deleted', after: null })
  })
})
