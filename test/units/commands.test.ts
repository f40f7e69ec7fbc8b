import t from 'tap'
import { eq } from 'drizzle-orm'
import { ProblemError } from '../../src/lib/problem.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import {
  archiveUnit,
  createUnit,
  importRegistry,
  moveUnit,
  removeUnit,
  unarchiveUnit,
  updateUnit,
} from '../../src/modules/units/commands.js'
import { commandContext } from '../helpers/commands.js'
import { createTestDatabase } from '../helpers/database.js'

// The registry's commands without HTTP: a database, a context, one call.
t.test('unit commands', async (t) => {
  const test = await createTestDatabase()
  t.teardown(() => test.destroy())
  const { db } = test.database
  const ctx = await commandContext(db, 'admin', { requestId: 'req-units' })
  const auditOf = async (id: string) =>
    (await db.select().from(auditEvents).where(eq(auditEvents.entityId, id))).map((a) => [a.action, a.requestId])

  const pemda = await createUnit(ctx, { code: 'KAB-X', name: 'Pemerintah Kabupaten X', kind: 'instansi' })
  const dinkes = await createUnit(ctx, { code: '1.02', name: 'Dinas Kesehatan', kind: 'opd', parent_id: pemda.id })
  const dikbud = await createUnit(ctx, { code: '1.01', name: 'Dinas Pendidikan', kind: 'opd', parent_id: pemda.id })
  const pkm = await createUnit(ctx, { code: '1.02.01', name: 'Puskesmas', kind: 'unit', parent_id: dinkes.id })

  t.test('create writes the unit and one audit record carrying the request', async (t) => {
    t.match(pkm, { instansiId: pemda.id, parentId: dinkes.id, path: `/${pemda.id}/${dinkes.id}/${pkm.id}/` })
    t.same(await auditOf(pkm.id), [['unit.created', 'req-units']])
  })

  t.test('update checks If-Match; move re-roots the subtree', async (t) => {
    await t.rejects(updateUnit(ctx, { id: pkm.id, ifMatch: '"7"' }, { name: 'Puskesmas Kota' }), {
      code: 'precondition_failed',
    })
    const renamed = await updateUnit(ctx, { id: pkm.id, ifMatch: '"1"' }, { name: 'Puskesmas Kota' })
    t.equal(renamed.version, 2)
    const moved = await moveUnit(ctx, { id: pkm.id }, dikbud.id)
    t.equal(moved.path, `/${pemda.id}/${dikbud.id}/${pkm.id}/`)
    await t.rejects(moveUnit(ctx, { id: dikbud.id }, pkm.id), { code: 'kind_parent_mismatch' })
    t.same(
      (await auditOf(pkm.id)).map((a) => a[0]),
      ['unit.created', 'unit.updated', 'unit.updated'],
    )
  })

  t.test('archiving twice leaves one trace; a parent with active children is refused', async (t) => {
    await t.rejects(archiveUnit(ctx, { id: dikbud.id }), { code: 'unit_has_active_children' })
    await archiveUnit(ctx, { id: pkm.id })
    await archiveUnit(ctx, { id: pkm.id })
    await unarchiveUnit(ctx, { id: pkm.id })
    t.same(
      (await auditOf(pkm.id)).slice(3).map((a) => a[0]),
      ['unit.archived', 'unit.unarchived'],
    )
  })

  t.test('remove refuses a referenced unit and deletes a mistaken one', async (t) => {
    await t.rejects(removeUnit(ctx, { id: dikbud.id }), { code: 'unit_referenced' })
    const typo = await createUnit(ctx, { code: '9.99', name: 'Salah ketik', kind: 'opd', parent_id: pemda.id })
    await removeUnit(ctx, { id: typo.id })
    t.same(
      (await auditOf(typo.id)).map((a) => a[0]),
      ['unit.created', 'unit.deleted'],
    )
  })

  t.test('an out-of-scope caller gets 404 as for a missing unit', async (t) => {
    const operator = await commandContext(db, 'unit_operator', { scopePaths: [dinkes.path] })
    const error = await updateUnit(operator, { id: dikbud.id }, { name: 'x' }).catch((e: unknown) => e)
    t.ok(error instanceof ProblemError)
    t.match(error, { status: 404, code: 'unit_not_found' })
  })

  t.test('importRegistry: the file against the registered tree, applied once', async (t) => {
    const file = Buffer.from(
      [
        'kode;nama;jenis;kode induk',
        'KAB-X;Pemerintah Kabupaten X;instansi;',
        '1.01;Dinas Pendidikan;opd;KAB-X',
        '1.02;Dinas Kesehatan;opd;KAB-X',
        '1.02.01;Puskesmas Kota;unit;1.02',
        '1.03;Dinas Sosial;opd;KAB-X',
      ].join('\n'),
    )
    const preview = await importRegistry(ctx, { bytes: file, dryRun: true, archiveMissing: false })
    t.same(
      preview.plan.rows.map((r) => [r.row.code, r.action]),
      [
        ['KAB-X', 'unchanged'],
        ['1.01', 'unchanged'],
        ['1.02', 'unchanged'],
        ['1.03', 'new'],
        ['1.02.01', 'moved'],
      ],
    )
    const applied = await importRegistry(ctx, { bytes: file, dryRun: false, archiveMissing: false })
    const social = applied.unitIds.get('1.03') as string
    t.same(await auditOf(social), [['unit.created', 'req-units']])
    const again = await importRegistry(ctx, { bytes: file, dryRun: false, archiveMissing: false })
    t.ok(again.plan.rows.every((r) => r.action === 'unchanged'))
    await t.rejects(importRegistry(ctx, { bytes: Buffer.from('kode,nama\n'), dryRun: true, archiveMissing: false }), {
      code: 'registry_rows_invalid',
    })
  })
})
