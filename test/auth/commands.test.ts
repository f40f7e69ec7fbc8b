import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import { systemContext, type CommandContext } from '../../src/lib/command.js'
import { ProblemError } from '../../src/lib/problem.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import {
  bootstrapAdmin,
  createGrant,
  createPrincipal,
  createPrincipalWithToken,
  createToken,
  deleteGrant,
  revokeToken,
  updatePrincipal,
} from '../../src/modules/auth/commands.js'
import { authenticate } from '../../src/modules/auth/service.js'
import { apiTokens } from '../../src/modules/auth/tables.js'
import { createTestDatabase } from '../helpers/database.js'

/** The principal, grant and token commands without HTTP. */
t.test('auth commands', async (t) => {
  const testDb = await createTestDatabase()
  t.teardown(() => testDb.destroy())
  const db = testDb.database.db
  const admin: CommandContext = systemContext(db, 'auth test')
  const actions = async (entityId: string) =>
    (await db.select().from(auditEvents).where(eq(auditEvents.entityId, entityId)).orderBy(asc(auditEvents.id))).map(
      (a) => a.action,
    )
  const problem = (status: number, code: string) => ({ constructor: ProblemError, status, code })

  t.test('bootstrap makes one admin, once', async (t) => {
    const secret = `zit_bootstrap_${'a'.repeat(40)}`
    t.equal(await bootstrapAdmin(db, secret), 'created')
    t.equal(await bootstrapAdmin(db, secret), 'admin_exists')
    const principal = await authenticate(db, secret)
    t.match(principal, { role: 'admin', scopeAll: true })
  })

  t.test('principal, grant, token, revoke: each audited, the secret works until revoked', async (t) => {
    const view = await createPrincipal(admin, { name: 'Sari', kind: 'user' })
    t.match(view, { name: 'Sari', grants: [] })
    await t.rejects(
      createToken(admin, { principalId: view.id, name: 'laptop', role: 'viewer' }),
      problem(422, 'role_not_granted'),
    )
    await t.rejects(
      createToken(admin, { principalId: view.id, name: 'laptop', role: 'viewer', expires_at: '2000-01-01T00:00:00Z' }),
      problem(422, 'expiry_in_past'),
    )
    const grant = await createGrant(admin, { principalId: view.id, role: 'viewer', unitId: null })
    await t.rejects(
      createGrant(admin, { principalId: view.id, role: 'viewer', unitId: null }),
      problem(409, 'grant_exists'),
    )
    const token = await createToken(admin, { principalId: view.id, name: 'laptop', role: 'viewer' })
    t.match(token, { principal_id: view.id, role: 'viewer', revoked_at: null })
    t.match(await authenticate(db, token.token), { principalId: view.id, role: 'viewer' })

    // A principal revokes its own token; someone else's is reported missing.
    const caller = await authenticate(db, token.token)
    if (typeof caller === 'string') throw new Error(caller)
    const own: CommandContext = { ...admin, principal: caller }
    const other = await createPrincipalWithToken(admin, { name: 'Budi', kind: 'user', role: 'viewer' })
    await t.rejects(revokeToken(own, { id: other.id }), problem(404, 'token_not_found'))
    const revoked = await revokeToken(own, { id: token.id })
    t.ok(revoked.revoked_at)
    t.equal(await authenticate(db, token.token), 'token_revoked')
    await revokeToken(own, { id: token.id })
    t.same(await actions(token.id), ['token.created', 'token.revoked'], 'revoking again leaves no trace')

    await deleteGrant(admin, { principalId: view.id, grantId: grant.id })
    const disabled = await updatePrincipal(admin, { id: view.id, disabled: true })
    t.ok(disabled.disabled_at)
    t.same(await actions(view.id), ['principal.created', 'principal.updated'])
    t.same(await actions(grant.id), ['grant.created', 'grant.deleted'])
  })

  t.test('createPrincipalWithToken (the CLI path) writes principal, grant and token in one go', async (t) => {
    const created = await createPrincipalWithToken(admin, { name: 'Integrasi', kind: 'service', role: 'integration' })
    t.match(await authenticate(db, created.token), { principalId: created.principal_id, role: 'integration' })
    t.same(await actions(created.principal_id), ['principal.created'])
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, created.id))
    t.equal(row?.principalId, created.principal_id)
    t.match(await db.select().from(auditEvents).where(eq(auditEvents.entityId, created.id)), [
      { action: 'token.created', actorName: 'auth test', actorRole: 'system' },
    ])
  })
})
