import t from 'tap'
import { eq } from 'drizzle-orm'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { units } from '../../src/modules/units/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'

t.test('unit registry', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const admin = bearer(await createToken(ctx, 'admin'))

  const post = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/units', headers: admin, payload })
  const patch = (id: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'PATCH', url: `/v1/units/${id}`, headers: { ...admin, ...headers }, payload })
  const created = async (payload: Record<string, unknown>) => {
    const res = await post(payload)
    if (res.statusCode !== 201) throw new Error(`create failed: ${res.body}`)
    return res.json() as { id: string; version: number; code: string; instansi_id: string }
  }

  const pemda = await created({ code: '3201', name: 'Pemerintah Kabupaten Bogor', kind: 'instansi' })
  const dinkes = await created({
    code: '1.02.01',
    name: 'Dinas Kesehatan',
    kind: 'opd',
    parent_id: pemda.id,
    external_ids: { portalrb: 'OPD-77' },
  })
  const puskesmas = await created({
    code: '1.02.01.01',
    name: 'Puskesmas Cibinong',
    kind: 'unit',
    parent_id: dinkes.id,
    afirmasi: true,
    valid_from: '2024-01-01',
  })

  t.test('create returns the unit with location, etag and the fields as sent', async (t) => {
    const res = await post({ code: '1.02.01.02', name: '  Puskesmas Citeureup ', kind: 'unit', parent_id: dinkes.id })
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.equal(res.headers.location, `/v1/units/${body.id}`)
    t.equal(res.headers.etag, '"1"')
    t.match(body, {
      code: '1.02.01.02',
      name: 'Puskesmas Citeureup',
      kind: 'unit',
      parent_id: dinkes.id,
      instansi_id: pemda.id,
      afirmasi: false,
      depth: 2,
      archived_at: null,
      version: 1,
      external_ids: {},
    })
    const read = await app.inject({ method: 'GET', url: `/v1/units/${puskesmas.id}`, headers: admin })
    t.equal(read.statusCode, 200)
    t.match(read.json(), { afirmasi: true, valid_from: '2024-01-01', valid_to: null, depth: 2 })
    t.same((await app.inject({ method: 'GET', url: `/v1/units/${dinkes.id}`, headers: admin })).json().external_ids, {
      portalrb: 'OPD-77',
    })
    t.equal(pemda.instansi_id, pemda.id, 'an instansi is its own instansi')
  })

  t.test('rules each answer their own code and change nothing', async (t) => {
    const before = (await app.db.select().from(units)).length
    const cases: [string, Record<string, unknown>, number, string, string][] = [
      [
        'duplicate code',
        { code: '1.02.01', name: 'Dinas Lain', kind: 'opd', parent_id: pemda.id },
        409,
        'unit_code_taken',
        '/body/code',
      ],
      [
        'missing parent',
        { code: 'X1', name: 'X', kind: 'opd', parent_id: '00000000-0000-4000-8000-000000000000' },
        422,
        'parent_not_found',
        '/body/parent_id',
      ],
      [
        'OPD under a unit kerja',
        { code: 'X2', name: 'X', kind: 'opd', parent_id: puskesmas.id },
        422,
        'kind_parent_mismatch',
        '/body/parent_id',
      ],
      [
        'unit kerja without parent',
        { code: 'X3', name: 'X', kind: 'unit' },
        422,
        'kind_parent_mismatch',
        '/body/parent_id',
      ],
      [
        'instansi under an OPD',
        { code: 'X4', name: 'X', kind: 'instansi', parent_id: dinkes.id },
        422,
        'kind_parent_mismatch',
        '/body/parent_id',
      ],
      [
        'validity reversed',
        { code: 'X5', name: 'X', kind: 'unit', parent_id: dinkes.id, valid_from: '2025-02-01', valid_to: '2025-01-01' },
        422,
        'invalid_validity',
        '/body/valid_to',
      ],
      [
        'unknown predecessor',
        {
          code: 'X6',
          name: 'X',
          kind: 'unit',
          parent_id: dinkes.id,
          predecessor_id: '00000000-0000-4000-8000-000000000000',
        },
        422,
        'predecessor_not_found',
        '/body/predecessor_id',
      ],
    ]
    for (const [label, payload, status, code, pointer] of cases) {
      const res = await post(payload)
      t.equal(res.statusCode, status, label)
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', `${label}: problem+json`)
      t.equal(res.json().code, code, label)
      t.equal(res.json().errors?.[0]?.pointer, pointer, `${label} names the field`)
    }
    t.equal((await app.db.select().from(units)).length, before, 'no unit was written by a refused request')
  })

  t.test('schema validation: unknown fields, bad kinds, bad codes are 400 naming the field', async (t) => {
    const unknown = await post({ code: 'Y1', name: 'Y', kind: 'opd', parent_id: pemda.id, level: 3 })
    t.equal(unknown.statusCode, 400)
    t.match(unknown.json().errors, [{ pointer: '/body/level', rule: 'additionalProperties' }])
    const kind = await post({ code: 'Y1', name: 'Y', kind: 'bidang', parent_id: pemda.id })
    t.equal(kind.statusCode, 400)
    t.equal(kind.json().errors[0].pointer, '/body/kind')
    const code = await post({ code: ' spaced code', name: 'Y', kind: 'opd', parent_id: pemda.id })
    t.equal(code.statusCode, 400)
    t.equal(code.json().errors[0].pointer, '/body/code')
    const blank = await post({ code: 'Y2', name: '   ', kind: 'opd', parent_id: pemda.id })
    t.equal(blank.statusCode, 400, 'a name of only spaces is refused')
    const badId = await app.inject({ method: 'GET', url: '/v1/units/not-a-uuid', headers: admin })
    t.equal(badId.statusCode, 400)
    t.equal(badId.json().errors[0].pointer, '/params/id')
    const emptyPatch = await patch(puskesmas.id, {})
    t.equal(emptyPatch.statusCode, 400)
    const kindPatch = await patch(puskesmas.id, { kind: 'opd' })
    t.equal(kindPatch.statusCode, 400, 'kind cannot change')
  })

  t.test('PATCH with If-Match: the lost update is refused, external ids merge', async (t) => {
    const read = await app.inject({ method: 'GET', url: `/v1/units/${dinkes.id}`, headers: admin })
    const etag = read.headers.etag as string
    const first = await patch(
      dinkes.id,
      { name: 'Dinas Kesehatan Kab. Bogor', external_ids: { sipd: '1.02', portalrb: null } },
      { 'if-match': etag },
    )
    t.equal(first.statusCode, 200)
    t.equal(first.json().name, 'Dinas Kesehatan Kab. Bogor')
    t.same(first.json().external_ids, { sipd: '1.02' }, 'merge patch: null removes, new keys are added')
    t.equal(first.json().version, read.json().version + 1)
    t.not(first.headers.etag, etag)
    const stale = await patch(dinkes.id, { name: 'Overwritten' }, { 'if-match': etag })
    t.equal(stale.statusCode, 412)
    t.equal(stale.json().code, 'precondition_failed')
    const now = await app.inject({ method: 'GET', url: `/v1/units/${dinkes.id}`, headers: admin })
    t.equal(now.json().name, 'Dinas Kesehatan Kab. Bogor', 'the stale write changed nothing')
    const notModified = await app.inject({
      method: 'GET',
      url: `/v1/units/${dinkes.id}`,
      headers: { ...admin, 'if-none-match': now.headers.etag as string },
    })
    t.equal(notModified.statusCode, 304)
    t.equal(notModified.body, '')
    const dupCode = await patch(dinkes.id, { code: '3201' })
    t.equal(dupCode.statusCode, 409)
    t.equal(dupCode.json().code, 'unit_code_taken')
    const reversed = await patch(puskesmas.id, { valid_to: '2023-12-31' })
    t.equal(reversed.statusCode, 422, 'valid_to checked against the stored valid_from')
    t.equal(reversed.json().code, 'invalid_validity')
    const selfPred = await patch(puskesmas.id, { predecessor_id: puskesmas.id })
    t.equal(selfPred.json().code, 'predecessor_not_found')
  })

  t.test('moving a unit moves its subtree; cycles and other instansi are refused', async (t) => {
    const dinsos = await created({ code: '1.06.01', name: 'Dinas Sosial', kind: 'opd', parent_id: pemda.id })
    const upt = await created({ code: '1.02.01.90', name: 'UPT Laboratorium', kind: 'unit', parent_id: dinkes.id })
    const lab = await created({ code: '1.02.01.91', name: 'Lab Lapangan', kind: 'unit', parent_id: upt.id })

    const cycle = await patch(upt.id, { parent_id: lab.id })
    t.equal(cycle.statusCode, 422)
    t.equal(cycle.json().code, 'parent_cycle')
    const self = await patch(upt.id, { parent_id: upt.id })
    t.equal(self.json().code, 'parent_cycle')

    const other = await created({ code: '3202', name: 'Pemerintah Kabupaten Lain', kind: 'instansi' })
    const otherOpd = await created({ code: '1.02.01', name: 'Dinkes Lain', kind: 'opd', parent_id: other.id })
    t.equal(otherOpd.code, '1.02.01', 'the same code is fine in another instansi')
    const cross = await patch(upt.id, { parent_id: otherOpd.id })
    t.equal(cross.statusCode, 422)
    t.equal(cross.json().code, 'parent_other_instansi')

    const moved = await patch(upt.id, { parent_id: dinsos.id })
    t.equal(moved.statusCode, 200)
    t.equal(moved.json().parent_id, dinsos.id)
    const [labRow] = await app.db.select().from(units).where(eq(units.id, lab.id))
    t.equal(labRow?.path, `/${pemda.id}/${dinsos.id}/${upt.id}/${lab.id}/`, 'the grandchild path follows the move')
    const tree = await app.inject({ method: 'GET', url: `/v1/units/${dinsos.id}/tree`, headers: admin })
    t.equal(tree.statusCode, 200)
    t.equal(tree.json().count, 3)
    t.equal(tree.json().root.children[0].children[0].id, lab.id)

    // A token scoped to Dinas Sosial now sees the moved subtree, and Dinas Kesehatan's token does not.
    const dinsosViewer = bearer(await createToken(ctx, 'viewer', { unitIds: [dinsos.id] }))
    const dinkesViewer = bearer(await createToken(ctx, 'viewer', { unitIds: [dinkes.id] }))
    t.equal((await app.inject({ method: 'GET', url: `/v1/units/${lab.id}`, headers: dinsosViewer })).statusCode, 200)
    t.equal((await app.inject({ method: 'GET', url: `/v1/units/${lab.id}`, headers: dinkesViewer })).statusCode, 404)
  })

  t.test('archive, unarchive and delete', async (t) => {
    const opd = await created({ code: '2.01', name: 'Dinas Arsip', kind: 'opd', parent_id: pemda.id })
    const child = await created({ code: '2.01.01', name: 'UPT Arsip', kind: 'unit', parent_id: opd.id })

    const blocked = await app.inject({ method: 'POST', url: `/v1/units/${opd.id}/archive`, headers: admin })
    t.equal(blocked.statusCode, 409)
    t.equal(blocked.json().code, 'unit_has_active_children')

    const archivedChild = await app.inject({ method: 'POST', url: `/v1/units/${child.id}/archive`, headers: admin })
    t.equal(archivedChild.statusCode, 200)
    t.ok(archivedChild.json().archived_at)
    const again = await app.inject({ method: 'POST', url: `/v1/units/${child.id}/archive`, headers: admin })
    t.equal(again.json().version, archivedChild.json().version, 'archiving twice is a no-op')
    const archivedOpd = await app.inject({ method: 'POST', url: `/v1/units/${opd.id}/archive`, headers: admin })
    t.equal(archivedOpd.statusCode, 200)

    const underArchived = await post({ code: '2.01.02', name: 'Baru', kind: 'unit', parent_id: opd.id })
    t.equal(underArchived.statusCode, 422)
    t.equal(underArchived.json().code, 'parent_archived')
    const unarchiveChild = await app.inject({ method: 'POST', url: `/v1/units/${child.id}/unarchive`, headers: admin })
    t.equal(unarchiveChild.statusCode, 422, 'a child cannot come back under an archived parent')
    t.equal(unarchiveChild.json().code, 'parent_archived')
    t.equal(
      (await app.inject({ method: 'POST', url: `/v1/units/${opd.id}/unarchive`, headers: admin })).json().archived_at,
      null,
    )

    const treeDefault = await app.inject({ method: 'GET', url: `/v1/units/${opd.id}/tree`, headers: admin })
    t.equal(treeDefault.json().count, 1, 'archived children are left out by default')
    const treeAll = await app.inject({
      method: 'GET',
      url: `/v1/units/${opd.id}/tree?include_archived=true`,
      headers: admin,
    })
    t.equal(treeAll.json().count, 2)

    const referenced = await app.inject({ method: 'DELETE', url: `/v1/units/${opd.id}`, headers: admin })
    t.equal(referenced.statusCode, 409)
    t.equal(referenced.json().code, 'unit_referenced')
    const granted = await created({ code: '2.02', name: 'Dinas Dengan Hak', kind: 'opd', parent_id: pemda.id })
    await createToken(ctx, 'unit_operator', { unitIds: [granted.id] })
    const grantRef = await app.inject({ method: 'DELETE', url: `/v1/units/${granted.id}`, headers: admin })
    t.equal(grantRef.json().code, 'unit_referenced', 'a role grant refers to it')

    const deleted = await app.inject({ method: 'DELETE', url: `/v1/units/${child.id}`, headers: admin })
    t.equal(deleted.statusCode, 204)
    t.equal((await app.inject({ method: 'GET', url: `/v1/units/${child.id}`, headers: admin })).statusCode, 404)
    const trail = await app.db.select().from(auditEvents).where(eq(auditEvents.entityId, child.id))
    t.same(
      trail.map((e) => e.action),
      ['unit.created', 'unit.archived', 'unit.deleted'],
      'every change is in the audit trail, refused ones are not',
    )
  })

  t.test('reads are open to every role in scope, writes to admins only', async (t) => {
    const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [puskesmas.id] }))
    t.equal((await app.inject({ method: 'GET', url: `/v1/units/${puskesmas.id}`, headers: operator })).statusCode, 200)
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/units/${pemda.id}`, headers: operator })).statusCode,
      404,
      'outside the scope looks missing',
    )
    const write = await app.inject({
      method: 'PATCH',
      url: `/v1/units/${puskesmas.id}`,
      headers: operator,
      payload: { name: 'Mine now' },
    })
    t.equal(write.statusCode, 403)
    t.equal(write.json().code, 'forbidden_role')
    const list = await app.inject({ method: 'GET', url: '/v1/units?limit=500', headers: operator })
    t.same(
      list.json().items.map((u: { id: string }) => u.id),
      [puskesmas.id],
      'a list holds only units in scope',
    )
    const tree = await app.inject({ method: 'GET', url: `/v1/units/${pemda.id}/tree`, headers: operator })
    t.equal(tree.statusCode, 404)
  })
})
