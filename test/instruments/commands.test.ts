import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import { systemContext } from '../../src/lib/command.js'
import { ProblemError } from '../../src/lib/problem.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import {
  cloneInstrument,
  deleteInstrument,
  importInstrument,
  putInstrumentPredicateRules,
  setInstrumentStatus,
  updateInstrument,
  updateInstrumentNodes,
} from '../../src/modules/instruments/commands.js'
import { loadSeedMasterSoal } from '../../src/modules/instruments/seed/index.js'
import { seedInstruments } from '../../src/modules/instruments/service.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { createTestDatabase } from '../helpers/database.js'

/** The instrument version commands without HTTP: clone → edit → publish → retire → delete, and import. */
t.test('instrument commands', async (t) => {
  const testDb = await createTestDatabase()
  t.teardown(() => testDb.destroy())
  const db = testDb.database.db
  const ctx = systemContext(db, 'instrument test')
  await seedInstruments(db)
  const [seed] = await db.select().from(instrumentVersions).where(eq(instrumentVersions.source, 'seed'))
  if (!seed) throw new Error('no seeded instrument')
  const problem = (status: number, code: string) => ({ constructor: ProblemError, status, code })
  const actions = async (id: string) =>
    (await db.select().from(auditEvents).where(eq(auditEvents.entityId, id)).orderBy(asc(auditEvents.id))).map(
      (a) => a.action,
    )

  t.test('a published version is not edited', async (t) => {
    await t.rejects(updateInstrument(ctx, { id: seed.id, name: 'x' }), problem(409, 'instrument_not_draft'))
  })

  t.test('clone, edit, publish, retire, delete', async (t) => {
    const draft = await cloneInstrument(ctx, { id: seed.id, code: 'LKE-CMD' })
    t.match(draft, { status: 'draft', source: 'clone', clonedFromId: seed.id })
    const renamed = await updateInstrument(ctx, { id: draft.id, name: 'LKE perintah' })
    t.equal(renamed.definition.name, 'LKE perintah')
    const edited = await updateInstrumentNodes(ctx, { id: draft.id, changes: [{ code: 'Q1', name: 'Diubah' }] })
    t.equal(edited.definition.nodes.find((n) => n.code === 'Q1')?.name, 'Diubah')
    await t.rejects(
      updateInstrumentNodes(ctx, { id: draft.id, changes: [{ code: 'N4', bobot: 1 }] }),
      problem(422, 'instrument_invalid'),
    )
    const rules = await putInstrumentPredicateRules(ctx, { id: draft.id, rules: seed.definition.predicateRules })
    t.same(rules.definition.predicateRules, seed.definition.predicateRules)
    const published = await setInstrumentStatus(ctx, { id: draft.id, to: 'published' })
    t.equal(published.status, 'published')
    await setInstrumentStatus(ctx, { id: draft.id, to: 'published' })
    await setInstrumentStatus(ctx, { id: draft.id, to: 'retired' })
    await deleteInstrument(ctx, { id: draft.id })
    t.same(await db.select().from(instrumentVersions).where(eq(instrumentVersions.id, draft.id)), [])
    t.same(
      await actions(draft.id),
      [
        'instrument.cloned',
        'instrument.updated',
        'instrument.nodes_updated',
        'instrument.predicate_rules_replaced',
        'instrument.published',
        'instrument.retired',
        'instrument.deleted',
      ],
      'a refused edit and publishing twice leave no trace',
    )
  })

  t.test('import the master soal with the seed as overlay', async (t) => {
    const imported = await importInstrument(ctx, {
      document: structuredClone(loadSeedMasterSoal()) as never,
      code: 'LKE-CMD-IMP',
      overlay_from: seed.id,
    })
    t.match(imported, { code: 'LKE-CMD-IMP', status: 'draft', source: 'import' })
    t.same(await actions(imported.id), ['instrument.imported'])
    await t.rejects(
      importInstrument(ctx, {
        document: structuredClone(loadSeedMasterSoal()) as never,
        code: 'LKE-CMD-IMP',
        overlay_from: seed.id,
      }),
      problem(409, 'instrument_code_taken'),
    )
  })
})
