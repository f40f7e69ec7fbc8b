import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db, Queryable } from '../../db/connection.js'
import { queryRows } from '../../db/connection.js'
import type { Role } from '../../lib/policy.js'
import type { Principal } from '../../lib/principal.js'
import { appendAudit, type AuditActor } from '../audit/service.js'
import { apiTokens, principals, roleGrants } from './tables.js'
import { bootstrapTokenParts, generateToken, hashesEqual, hashToken, tokenPrefix } from './tokens.js'
import { BOOTSTRAP_LOCK } from '../../db/locks.js'
import { assertReturned } from '../../lib/returned.js'

export type AuthFailure =
  | 'invalid_token'
  | 'token_expired'
  | 'token_revoked'
  | 'principal_disabled'
  | 'role_not_granted'

interface TokenRow {
  token_id: string
  hash: string
  role: Role
  expires_at: Date | string | null
  revoked_at: Date | string | null
  principal_id: string
  name: string
  disabled_at: Date | string | null
  grant_count: number
  unit_less: boolean
  paths: string[] | null
}

export interface VerifiedToken {
  principal: Principal
  /** The token's own expiry, for a cache to check on every hit. */
  expiresAt: Date | null
}

/**
 * Resolves a bearer token to a principal with one query (token, principal and the grants of
 * the token's role). Writes nothing: the auth plugin caches the result and records last use
 * off the request path.
 */
export async function verifyToken(db: Queryable, token: string): Promise<VerifiedToken | AuthFailure> {
  const prefix = tokenPrefix(token) ?? bootstrapTokenParts(token).prefix
  const [row] = await queryRows<TokenRow>(
    db,
    sql`select t.id as token_id, t.hash, t.role, t.expires_at, t.revoked_at,
               p.id as principal_id, p.name, p.disabled_at,
               (select count(*)::int from role_grants g where g.principal_id = p.id and g.role = t.role) as grant_count,
               exists (select 1 from role_grants g where g.principal_id = p.id and g.role = t.role and g.unit_id is null) as unit_less,
               (select array_agg(u.path) from role_grants g join units u on u.id = g.unit_id
                 where g.principal_id = p.id and g.role = t.role) as paths
          from api_tokens t join principals p on p.id = t.principal_id
         where t.prefix = ${prefix}`,
  )
  if (!row || !hashesEqual(row.hash, hashToken(token))) return 'invalid_token'
  if (row.revoked_at) return 'token_revoked'
  const expiresAt = row.expires_at ? new Date(row.expires_at) : null
  if (expiresAt && expiresAt.getTime() <= Date.now()) return 'token_expired'
  if (row.disabled_at) return 'principal_disabled'
  if (row.grant_count === 0) return 'role_not_granted'
  return {
    expiresAt,
    principal: {
      tokenId: row.token_id,
      principalId: row.principal_id,
      name: row.name,
      role: row.role,
      scopeAll: row.role === 'admin' || row.unit_less,
      scopePaths: row.paths ?? [],
    },
  }
}

/** verifyToken for callers without a cache (scripts): the principal or why the token fails. */
export async function authenticate(db: Queryable, token: string): Promise<Principal | AuthFailure> {
  const result = await verifyToken(db, token)
  return typeof result === 'string' ? result : result.principal
}

/**
 * Writes the last use of many tokens in one statement. A later time never goes backwards
 * (two replicas flushing in either order).
 */
export async function recordTokenUse(db: Queryable, batch: { ids: string[]; times: Date[] }): Promise<void> {
  if (batch.ids.length === 0) return
  const uses = JSON.stringify(batch.ids.map((id, i) => ({ id, at: batch.times[i]!.toISOString() })))
  await db.execute(sql`update api_tokens t set last_used_at = greatest(t.last_used_at, u.at)
    from jsonb_to_recordset(${uses}::jsonb) as u(id uuid, at timestamptz)
    where t.id = u.id`)
}

export interface CreatedToken {
  id: string
  token: string
  prefix: string
  name: string
  role: Role
  expires_at: string | null
  created_at: string
}

/** Creates a token for a principal in the given role; the secret is returned once, never stored. */
export async function issueToken(
  tx: Queryable,
  actor: AuditActor,
  input: { principalId: string; name: string; role: Role; expiresAt: Date | null; fixedToken?: string },
): Promise<CreatedToken> {
  const parts = input.fixedToken ? bootstrapTokenParts(input.fixedToken) : generateToken()
  const [row] = await tx
    .insert(apiTokens)
    .values({
      principalId: input.principalId,
      name: input.name,
      role: input.role,
      prefix: parts.prefix,
      hash: parts.hash,
      expiresAt: input.expiresAt,
    })
    .returning()
  assertReturned(row, 'insert')
  const view = tokenView(row)
  await appendAudit(tx, actor, {
    action: 'token.created',
    entityType: 'api_token',
    entityId: row.id,
    before: null,
    after: view,
  })
  return {
    ...view,
    token: parts.token,
    name: row.name,
    role: row.role,
    expires_at: view.expires_at,
    created_at: view.created_at,
  }
}

export function tokenView(row: typeof apiTokens.$inferSelect) {
  return {
    id: row.id,
    principal_id: row.principalId,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt?.toISOString() ?? null,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  }
}

/** Creates a principal with one grant and a token, in one transaction (CLI and bootstrap). */
export async function createPrincipalWithToken(
  db: Db,
  actor: AuditActor,
  input: {
    name: string
    kind: 'user' | 'service'
    role: Role
    unitId?: string | null
    expiresAt?: Date | null
    fixedToken?: string
  },
): Promise<CreatedToken & { principal_id: string }> {
  return db.transaction(async (tx) => {
    const [principal] = await tx.insert(principals).values({ name: input.name, kind: input.kind }).returning()
    assertReturned(principal, 'insert')
    const [grant] = await tx
      .insert(roleGrants)
      .values({ principalId: principal.id, role: input.role, unitId: input.unitId ?? null })
      .returning()
    await appendAudit(tx, actor, {
      action: 'principal.created',
      entityType: 'principal',
      entityId: principal.id,
      before: null,
      after: {
        id: principal.id,
        name: principal.name,
        kind: principal.kind,
        grants: [{ id: grant?.id, role: input.role, unit_id: input.unitId ?? null }],
      },
    })
    const token = await issueToken(tx, actor, {
      principalId: principal.id,
      name: input.name,
      role: input.role,
      expiresAt: input.expiresAt ?? null,
      ...(input.fixedToken ? { fixedToken: input.fixedToken } : {}),
    })
    return { ...token, principal_id: principal.id }
  })
}

/**
 * When BOOTSTRAP_ADMIN_TOKEN is set and no admin exists, make that token an admin's. Runs at
 * start-up under an advisory lock so that replicas starting together create one admin.
 */
export async function bootstrapAdmin(db: Db, token: string): Promise<'created' | 'admin_exists'> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`)
    const [admin] = await tx
      .select({ id: roleGrants.id })
      .from(roleGrants)
      .where(and(eq(roleGrants.role, 'admin'), isNull(roleGrants.unitId)))
      .limit(1)
    if (admin) return 'admin_exists'
    const [principal] = await tx.insert(principals).values({ name: 'bootstrap admin', kind: 'service' }).returning()
    assertReturned(principal, 'insert')
    await tx.insert(roleGrants).values({ principalId: principal.id, role: 'admin' })
    const actor: AuditActor = { principalId: null, name: 'bootstrap', role: 'system', requestId: null, ip: null }
    await appendAudit(tx, actor, {
      action: 'principal.created',
      entityType: 'principal',
      entityId: principal.id,
      before: null,
      after: {
        id: principal.id,
        name: principal.name,
        kind: principal.kind,
        grants: [{ role: 'admin', unit_id: null }],
      },
    })
    await issueToken(tx, actor, {
      principalId: principal.id,
      name: 'bootstrap admin',
      role: 'admin',
      expiresAt: null,
      fixedToken: token,
    })
    return 'created'
  })
}

/** Whether any principal holds the admin role over every unit (first-run check at start-up). */
export async function hasAdmin(db: Queryable): Promise<boolean> {
  const [admin] = await db
    .select({ id: roleGrants.id })
    .from(roleGrants)
    .where(and(eq(roleGrants.role, 'admin'), isNull(roleGrants.unitId)))
    .limit(1)
  return admin !== undefined
}
