import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/connection.js'
import { apiTokens } from '../../src/modules/auth/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertSmallTree } from '../helpers/units.js'

t.test('tokens, roles and grants', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const admin = await createToken(ctx, 'admin')
  const tree = await insertSmallTree(ctx)

  t.test('401 without, with a malformed and with an unknown token', async (t) => {
    const none = await app.inject({ method: 'GET', url: '/v1/me' })
    t.equal(none.statusCode, 401)
    t.equal(none.json().code, 'unauthenticated')
    t.match(none.headers['www-authenticate'], /^Bearer/)
    const basic = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: 'Basic Zm9vOmJhcg==' } })
    t.equal(basic.statusCode, 401)
    const garbage = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer('not-a-token') })
    t.equal(garbage.statusCode, 401)
    t.equal(garbage.json().code, 'invalid_token')
    const forged = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(admin.slice(0, -4) + 'AAAA') })
    t.equal(forged.statusCode, 401, 'right prefix, wrong secret')
  })

  t.test('the token lifecycle through the API', async (t) => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: bearer(admin),
      payload: { name: 'Inspektorat TPI script', kind: 'service' },
    })
    t.equal(created.statusCode, 201)
    const principalId = created.json().id
    const noRole = await app.inject({
      method: 'POST',
      url: `/v1/principals/${principalId}/tokens`,
      headers: bearer(admin),
      payload: { name: 'ci', role: 'evaluator' },
    })
    t.equal(noRole.statusCode, 422)
    t.equal(noRole.json().code, 'role_not_granted')

    const grant = await app.inject({
      method: 'POST',
      url: `/v1/principals/${principalId}/grants`,
      headers: bearer(admin),
      payload: { role: 'evaluator', unit_id: tree.opdA.id },
    })
    t.equal(grant.statusCode, 201)
    const dup = await app.inject({
      method: 'POST',
      url: `/v1/principals/${principalId}/grants`,
      headers: bearer(admin),
      payload: { role: 'evaluator', unit_id: tree.opdA.id },
    })
    t.equal(dup.statusCode, 409)
    t.equal(dup.json().code, 'grant_exists')

    const tok = await app.inject({
      method: 'POST',
      url: `/v1/principals/${principalId}/tokens`,
      headers: bearer(admin),
      payload: { name: 'laptop', role: 'evaluator' },
    })
    t.equal(tok.statusCode, 201)
    t.equal(tok.headers['cache-control'], 'no-store')
    const { token, id, prefix } = tok.json()
    t.match(token, /^zit_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/)
    t.ok(token.includes(prefix), 'the visible prefix identifies the token')

    const [stored] = await app.db.select().from(apiTokens).where(eq(apiTokens.id, id))
    t.ok(stored, 'stored')
    t.not(stored?.hash, token)
    t.notOk(JSON.stringify(stored).includes(token.slice(14)), 'the secret is not stored')
    t.equal(stored?.lastUsedAt, null)

    const me = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })
    t.equal(me.statusCode, 200)
    t.match(me.json(), {
      principal_id: principalId,
      role: 'evaluator',
      scope: { all_units: false, unit_ids: [tree.opdA.id] },
    })
    // Recorded off the request path: written at the next flush (every TOKEN_USAGE_FLUSH_MS, and on close).
    await app.auth.flushUsage()
    const [used] = await app.db.select().from(apiTokens).where(eq(apiTokens.id, id))
    t.ok(used?.lastUsedAt, 'last_used_at recorded')

    const list = await app.inject({
      method: 'GET',
      url: `/v1/principals/${principalId}/tokens`,
      headers: bearer(admin),
    })
    t.equal(list.statusCode, 200)
    t.equal(list.json().items.length, 1)
    t.notOk(list.body.includes(token), 'listing never shows the secret')
    t.notOk('token' in list.json().items[0])

    const forbidden = await app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: bearer(token),
      payload: { name: 'x', kind: 'user' },
    })
    t.equal(forbidden.statusCode, 403)
    t.equal(forbidden.json().code, 'forbidden_role')

    const revoke = await app.inject({ method: 'DELETE', url: `/v1/tokens/${id}`, headers: bearer(admin) })
    t.equal(revoke.statusCode, 200)
    t.ok(revoke.json().revoked_at)
    const after = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })
    t.equal(after.statusCode, 401, 'revocation is effective on the very next request')
    t.equal(after.json().code, 'token_revoked')
  })

  t.test('expired tokens and disabled principals are refused', async (t) => {
    const expiring = await createToken(ctx, 'viewer')
    await app.db.execute(
      sql`update api_tokens set expires_at = now() - interval '1 second' where prefix = ${expiring.slice(4, 12)}`,
    )
    const res = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(expiring) })
    t.equal(res.statusCode, 401)
    t.equal(res.json().code, 'token_expired')

    const viewer = await createToken(ctx, 'viewer')
    const me = (await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(viewer) })).json()
    const disable = await app.inject({
      method: 'PATCH',
      url: `/v1/principals/${me.principal_id}`,
      headers: bearer(admin),
      payload: { disabled: true },
    })
    t.equal(disable.statusCode, 200)
    t.ok(disable.json().disabled_at)
    const refused = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(viewer) })
    t.equal(refused.statusCode, 401)
    t.equal(refused.json().code, 'principal_disabled')

    const past = await app.inject({
      method: 'POST',
      url: `/v1/principals/${me.principal_id}/tokens`,
      headers: bearer(admin),
      payload: { name: 'x', role: 'viewer', expires_at: '2001-01-01T00:00:00Z' },
    })
    t.equal(past.statusCode, 422)
    t.equal(past.json().code, 'expiry_in_past')
  })

  t.test('a non-admin may revoke only its own tokens; others look missing', async (t) => {
    const mine = await createToken(ctx, 'viewer')
    const other = await createToken(ctx, 'viewer')
    const [otherRow] = await app.db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.prefix, other.slice(4, 12)))
    const res = await app.inject({ method: 'DELETE', url: `/v1/tokens/${otherRow?.id}`, headers: bearer(mine) })
    t.equal(res.statusCode, 404)
    const still = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(other) })
    t.equal(still.statusCode, 200)
    const me = (await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(mine) })).json()
    const own = await app.inject({ method: 'DELETE', url: `/v1/tokens/${me.token_id}`, headers: bearer(mine) })
    t.equal(own.statusCode, 200)
  })

  t.test('conflict of interest: no evaluator grant over a unit the principal operates', async (t) => {
    const p = (
      await app.inject({
        method: 'POST',
        url: '/v1/principals',
        headers: bearer(admin),
        payload: { name: 'Kepala Puskesmas', kind: 'user' },
      })
    ).json()
    const operate = await app.inject({
      method: 'POST',
      url: `/v1/principals/${p.id}/grants`,
      headers: bearer(admin),
      payload: { role: 'unit_operator', unit_id: tree.a1.id },
    })
    t.equal(operate.statusCode, 201)
    for (const unit of [tree.a1, tree.opdA, tree.instansi]) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/principals/${p.id}/grants`,
        headers: bearer(admin),
        payload: { role: 'evaluator', unit_id: unit.id },
      })
      t.equal(res.statusCode, 422, `evaluator over ${unit.name} overlaps`)
      t.equal(res.json().code, 'conflict_of_interest')
      t.equal(res.json().errors[0].pointer, '/body/unit_id')
    }
    const allUnits = await app.inject({
      method: 'POST',
      url: `/v1/principals/${p.id}/grants`,
      headers: bearer(admin),
      payload: { role: 'evaluator' },
    })
    t.equal(allUnits.statusCode, 422, 'an all-units evaluator grant overlaps too')
    const sibling = await app.inject({
      method: 'POST',
      url: `/v1/principals/${p.id}/grants`,
      headers: bearer(admin),
      payload: { role: 'evaluator', unit_id: tree.b1.id },
    })
    t.equal(sibling.statusCode, 201, 'a unit in another OPD is fine')
    const reverse = await app.inject({
      method: 'POST',
      url: `/v1/principals/${p.id}/grants`,
      headers: bearer(admin),
      payload: { role: 'unit_operator', unit_id: tree.opdB.id },
    })
    t.equal(reverse.statusCode, 422, 'operating a subtree the principal evaluates is refused too')
    const adminWithUnit = await app.inject({
      method: 'POST',
      url: `/v1/principals/${p.id}/grants`,
      headers: bearer(admin),
      payload: { role: 'admin', unit_id: tree.b1.id },
    })
    t.equal(adminWithUnit.statusCode, 422)
    t.equal(adminWithUnit.json().code, 'admin_grant_with_unit')
    const missingUnit = await app.inject({
      method: 'POST',
      url: `/v1/principals/${p.id}/grants`,
      headers: bearer(admin),
      payload: { role: 'viewer', unit_id: '00000000-0000-4000-8000-000000000000' },
    })
    t.equal(missingUnit.statusCode, 422)
    t.equal(missingUnit.json().code, 'unit_not_found')
  })

  t.test('removing a grant removes the scope at once', async (t) => {
    const p = (
      await app.inject({
        method: 'POST',
        url: '/v1/principals',
        headers: bearer(admin),
        payload: { name: 'Dashboard', kind: 'service' },
      })
    ).json()
    const g = (
      await app.inject({
        method: 'POST',
        url: `/v1/principals/${p.id}/grants`,
        headers: bearer(admin),
        payload: { role: 'viewer', unit_id: tree.opdB.id },
      })
    ).json()
    const tok = (
      await app.inject({
        method: 'POST',
        url: `/v1/principals/${p.id}/tokens`,
        headers: bearer(admin),
        payload: { name: 'dash', role: 'viewer' },
      })
    ).json().token
    t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(tok) })).statusCode, 200)
    const del = await app.inject({
      method: 'DELETE',
      url: `/v1/principals/${p.id}/grants/${g.id}`,
      headers: bearer(admin),
    })
    t.equal(del.statusCode, 204)
    const after = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(tok) })
    t.equal(after.statusCode, 401)
    t.equal(after.json().code, 'role_not_granted')
  })

  t.test('principals list: filters and pagination', async (t) => {
    const seen = new Set<string>()
    let cursor: string | undefined
    let pages = 0
    do {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/principals',
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
        headers: bearer(admin),
      })
      t.equal(res.statusCode, 200)
      for (const p of res.json().items) {
        t.notOk(seen.has(p.id), 'no duplicates')
        seen.add(p.id)
      }
      cursor = res.json().next_cursor ?? undefined
      if (cursor) t.match(res.headers.link, /rel="next"/)
      pages++
    } while (cursor && pages < 50)
    const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from principals`)
    t.equal(seen.size, n, 'every principal once')
    const evaluators = await app.inject({ method: 'GET', url: '/v1/principals?role=evaluator', headers: bearer(admin) })
    t.ok(
      evaluators
        .json()
        .items.every((p: { grants: { role: string }[] }) => p.grants.some((g) => g.role === 'evaluator')),
    )
  })
})
