import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'

t.test('audit trail', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const admin = await createToken(ctx, 'admin')

  t.test('every mutation writes an event with actor, before and after', async (t) => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: { ...bearer(admin), 'x-request-id': 'req-audit-1' },
      payload: { name: 'Auditee', kind: 'user' },
    })
    const id = created.json().id
    await app.inject({
      method: 'PATCH',
      url: `/v1/principals/${id}`,
      headers: bearer(admin),
      payload: { name: 'Auditee Renamed' },
    })
    const res = await app.inject({
      method: 'GET',
      url: `/v1/audit/events?entity_type=principal&entity_id=${id}`,
      headers: bearer(admin),
    })
    t.equal(res.statusCode, 200)
    const [first, second] = res.json().items
    t.match(first, {
      action: 'principal.created',
      entity_id: id,
      before: null,
      after: { name: 'Auditee' },
      request_id: 'req-audit-1',
      actor: { role: 'admin' },
    })
    t.match(second, { action: 'principal.updated', before: { name: 'Auditee' }, after: { name: 'Auditee Renamed' } })
    t.equal(second.prev_hash, first.hash, 'consecutive events of one entity chain when nothing happened between')
    t.ok(first.ip)
  })

  t.test('a refused request writes nothing', async (t) => {
    const before = (await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: bearer(admin) })).json().checked
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: bearer(admin),
      payload: { name: '', kind: 'user' },
    })
    t.equal(bad.statusCode, 400)
    const after = (await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: bearer(admin) })).json().checked
    t.equal(after, before)
  })

  t.test('filters and pagination', async (t) => {
    for (let i = 0; i < 5; i++)
      await app.inject({
        method: 'POST',
        url: '/v1/principals',
        headers: bearer(admin),
        payload: { name: `P${i}`, kind: 'user' },
      })
    const ids: number[] = []
    let cursor: string | null = null
    do {
      const url: string = `/v1/audit/events?action=principal.created&limit=2${cursor ? `&cursor=${cursor}` : ''}`
      const page = await app.inject({ method: 'GET', url, headers: bearer(admin) })
      t.equal(page.statusCode, 200)
      for (const e of page.json().items) {
        t.equal(e.action, 'principal.created')
        ids.push(e.id)
      }
      cursor = page.json().next_cursor
    } while (cursor)
    t.same(
      ids,
      [...ids].sort((a, b) => a - b),
      'oldest first',
    )
    t.equal(new Set(ids).size, ids.length, 'no duplicates')
    const future = await app.inject({
      method: 'GET',
      url: '/v1/audit/events?from=2999-01-01T00:00:00Z',
      headers: bearer(admin),
    })
    t.same(future.json().items, [])
    const forged = await app.inject({ method: 'GET', url: '/v1/audit/events?cursor=bm9wZQ', headers: bearer(admin) })
    t.equal(forged.statusCode, 400)
    t.equal(forged.json().code, 'invalid_cursor')
    const viewer = await createToken(ctx, 'viewer')
    t.equal((await app.inject({ method: 'GET', url: '/v1/audit/events', headers: bearer(viewer) })).statusCode, 403)
  })

  t.test('the database refuses UPDATE, DELETE and TRUNCATE', async (t) => {
    // the audit_events_refuse_change trigger (src/db/sql/audit.sql), SQLSTATE 42501
    const refused = (op: string) => ({
      cause: { code: '42501', message: `audit_events is append-only: ${op} refused` },
    })
    await t.rejects(app.db.execute(sql`update audit_events set action = 'x'`), refused('UPDATE'))
    await t.rejects(app.db.execute(sql`delete from audit_events`), refused('DELETE'))
    await t.rejects(app.db.execute(sql`truncate audit_events`), refused('TRUNCATE'))
    const verify = await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: bearer(admin) })
    t.match(verify.json(), { valid: true, first_broken: null })
    t.ok(verify.json().checked > 5)
  })

  t.test('tampering by the table owner is detected', async (t) => {
    const events = (
      await app.inject({ method: 'GET', url: '/v1/audit/events?limit=500', headers: bearer(admin) })
    ).json().items
    const victim = events[3]
    // The owner can bypass the guard; the hash chain still tells.
    await app.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update`)
      await tx.execute(sql`update audit_events set after = '{"name":"forged"}'::jsonb where id = ${victim.id}`)
      await tx.execute(sql`alter table audit_events enable trigger audit_events_no_update`)
    })
    const verify = await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: bearer(admin) })
    t.match(verify.json(), { valid: false, first_broken: { id: victim.id, reason: 'hash_mismatch' } })
    t.equal(verify.json().checked, 3)
  })
})
