import t from 'tap'
import { eq } from 'drizzle-orm'
import { units } from '../../src/modules/units/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'

t.test('instansi codes are unique among instansi', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const admin = bearer(await createToken(ctx, 'admin'))
  const post = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/units', headers: admin, payload })
  const created = async (payload: Record<string, unknown>) => {
    const res = await post(payload)
    if (res.statusCode !== 201) throw new Error(`create failed: ${res.body}`)
    return res.json() as { id: string; version: number; code: string }
  }

  const bogor = await created({ code: '3201', name: 'Pemerintah Kabupaten Bogor', kind: 'instansi' })
  const sukabumi = await created({ code: '3202', name: 'Pemerintah Kabupaten Sukabumi', kind: 'instansi' })

  t.test('a second instansi with a taken code is 409 instansi_code_taken and nothing is written', async (t) => {
    const res = await post({ code: '3201', name: 'Pemerintah Kabupaten Lain', kind: 'instansi' })
    t.equal(res.statusCode, 409)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.json(), {
      code: 'instansi_code_taken',
      existing_id: bogor.id,
      errors: [{ pointer: '/body/code', rule: 'instansi_code_taken' }],
    })
    const rows = await app.db.select({ id: units.id }).from(units).where(eq(units.code, '3201'))
    t.equal(rows.length, 1)
  })

  t.test('renaming an instansi onto another instansi’s code is 409 and changes nothing', async (t) => {
    const res = await app.inject({
      method: 'PATCH',
      url: `/v1/units/${sukabumi.id}`,
      headers: admin,
      payload: { code: '3201' },
    })
    t.equal(res.statusCode, 409)
    t.equal(res.json().code, 'instansi_code_taken')
    const after = await app.inject({ method: 'GET', url: `/v1/units/${sukabumi.id}`, headers: admin })
    t.equal(after.json().code, '3202')
    t.equal(after.json().version, sukabumi.version)
  })

  t.test('OPDs and unit kerja may reuse an instansi code, and an instansi may keep its own', async (t) => {
    const opd = await created({ code: '3201', name: 'Dinas di Sukabumi', kind: 'opd', parent_id: sukabumi.id })
    t.equal(opd.code, '3201', 'an OPD of another instansi may carry the code')
    const same = await app.inject({
      method: 'PATCH',
      url: `/v1/units/${bogor.id}`,
      headers: admin,
      payload: { code: '3201', name: 'Pemerintah Kabupaten Bogor (baru)' },
    })
    t.equal(same.statusCode, 200)
  })

  t.test('the database refuses a duplicate that bypasses the service', async (t) => {
    const id = crypto.randomUUID()
    await t.rejects(
      app.db.insert(units).values({
        id,
        instansiId: id,
        parentId: null,
        path: `/${id}/`,
        code: '3202',
        name: 'Raced',
        kind: 'instansi',
        afirmasi: false,
        externalIds: {},
      }),
      { cause: { code: '23505' } },
      'unique violation (SQLSTATE 23505) on the instansi code',
    )
  })
})
