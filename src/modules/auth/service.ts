import { and, asc, eq, gt, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { queryRows } from '../../db/connection.js'
import type { Role } from '../../lib/policy.js'
import type { Principal } from '../../lib/principal.js'
import { apiTokens, principals, roleGrants } from './tables.js'
import { bootstrapTokenParts, generateToken, hashesEqual, hashToken, tokenPrefix } from './tokens.js'
import { assertReturned } from '../../lib/returned.js'
import { decodeCursor, finishPage } from '../../lib/pagination.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { units } from '../units/tables.js'
import { msg } from '../../lib/i18n.js'

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

/**
 * A token row for a principal in the given role (no audit: the command issuing it records
 * `token.created`). The secret is returned once, never stored.
 */
export async function insertToken(
  tx: Queryable,
  input: { principalId: string; name: string; role: Role; expiresAt: Date | null; fixedToken?: string | undefined },
): Promise<{ row: typeof apiTokens.$inferSelect; token: string }> {
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
  return { row, token: parts.token }
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

/** Whether any principal holds the admin role over every unit (first-run check at start-up). */
export async function hasAdmin(db: Queryable): Promise<boolean> {
  const [admin] = await db
    .select({ id: roleGrants.id })
    .from(roleGrants)
    .where(and(eq(roleGrants.role, 'admin'), isNull(roleGrants.unitId)))
    .limit(1)
  return admin !== undefined
}

export type PrincipalRow = typeof principals.$inferSelect
export type GrantRow = typeof roleGrants.$inferSelect

export const grantView = (g: GrantRow) => ({
  id: g.id,
  role: g.role,
  unit_id: g.unitId,
  created_at: g.createdAt.toISOString(),
})

export async function principalView(db: Queryable, p: PrincipalRow) {
  const grants = await db
    .select()
    .from(roleGrants)
    .where(eq(roleGrants.principalId, p.id))
    .orderBy(asc(roleGrants.createdAt), asc(roleGrants.id))
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    email: p.email,
    created_at: p.createdAt.toISOString(),
    disabled_at: p.disabledAt?.toISOString() ?? null,
    grants: grants.map(grantView),
  }
}

export async function loadPrincipal(db: Queryable, id: string, forUpdate = false): Promise<PrincipalRow> {
  const query = db.select().from(principals).where(eq(principals.id, id))
  const [row] = forUpdate ? await query.for('update') : await query
  if (!row) throw notFound('principal', id)
  return row
}

/** The units a token's role is granted on (empty when the role covers every unit). */
export async function scopeUnitIds(db: Queryable, p: Principal): Promise<string[]> {
  if (p.scopeAll || p.principalId === null) return []
  const grants = await db
    .select({ unitId: roleGrants.unitId })
    .from(roleGrants)
    .where(and(eq(roleGrants.principalId, p.principalId), eq(roleGrants.role, p.role)))
  return grants.flatMap((g) => (g.unitId ? [g.unitId] : []))
}

export async function insertPrincipal(
  tx: Queryable,
  input: { name: string; kind: PrincipalRow['kind']; email?: string | null | undefined },
): Promise<PrincipalRow> {
  const [row] = await tx
    .insert(principals)
    .values({ name: input.name, kind: input.kind, email: input.email ?? null })
    .returning()
  assertReturned(row, 'insert')
  return row
}

/** One page of principals by id, optionally matching `q` (name or e-mail) or holding `role`. */
export async function listPrincipals(
  db: Queryable,
  query: { cursor?: string | undefined; q?: string | undefined; role?: Role | undefined; limit: number },
) {
  const conditions: (SQL | undefined)[] = []
  if (query.cursor) conditions.push(gt(principals.id, decodeCursor(query.cursor, 'id').id))
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    conditions.push(or(ilike(principals.name, like), ilike(principals.email, like)))
  }
  if (query.role) {
    conditions.push(
      inArray(
        principals.id,
        db.select({ id: roleGrants.principalId }).from(roleGrants).where(eq(roleGrants.role, query.role)),
      ),
    )
  }
  const rows = await db
    .select()
    .from(principals)
    .where(and(...conditions))
    .orderBy(asc(principals.id))
    .limit(query.limit + 1)
  const page = finishPage(rows, query.limit, 'id', (r) => ({ value: null, id: r.id }))
  return {
    items: await Promise.all(page.items.map((p) => principalView(db, p))),
    next_cursor: page.next_cursor,
  }
}

export async function patchPrincipalRow(
  tx: Queryable,
  before: PrincipalRow,
  input: { name?: string | undefined; email?: string | null | undefined; disabled?: boolean | undefined },
): Promise<PrincipalRow> {
  const { name, email, disabled } = input
  const [row] = await tx
    .update(principals)
    .set({
      ...(name !== undefined ? { name } : {}),
      ...(email !== undefined ? { email } : {}),
      ...(disabled !== undefined ? { disabledAt: disabled ? (before.disabledAt ?? new Date()) : null } : {}),
    })
    .where(eq(principals.id, before.id))
    .returning()
  if (!row) throw notFound('principal', before.id)
  return row
}

/**
 * Conflict of interest: a principal may not evaluate (TPI) a unit it operates, nor operate one
 * it evaluates. Overlap means one granted subtree contains the other.
 */
async function assertNoConflict(
  tx: Queryable,
  principalId: string,
  role: string,
  unitPath: string | null,
): Promise<void> {
  const opposite = role === 'evaluator' ? 'unit_operator' : role === 'unit_operator' ? 'evaluator' : null
  if (!opposite) return
  const rows = await tx
    .select({ unitId: roleGrants.unitId, path: units.path })
    .from(roleGrants)
    .leftJoin(units, eq(units.id, roleGrants.unitId))
    .where(and(eq(roleGrants.principalId, principalId), eq(roleGrants.role, opposite)))
  const clash = rows.find(
    (r) => unitPath === null || r.path === null || r.path.startsWith(unitPath) || unitPath.startsWith(r.path),
  )
  if (clash) {
    throw new ProblemError(
      422,
      'conflict_of_interest',
      msg('auth:conflict_of_interest', { opposite, unit: clash.unitId ?? msg('auth:all_units_paren'), role }),
      {
        errors: [
          {
            pointer: '/body/unit_id',
            rule: 'conflict_of_interest',
            message: msg('auth:field.conflict_of_interest', { opposite }),
          },
        ],
      },
    )
  }
}

/** Grants a role (on a unit subtree or every unit); refuses admin-on-a-unit, unknown units, conflicts and repeats. */
export async function insertGrant(
  tx: Queryable,
  principalId: string,
  role: Role,
  unitId: string | null,
): Promise<GrantRow> {
  if (role === 'admin' && unitId) {
    throw new ProblemError(422, 'admin_grant_with_unit', msg('auth:admin_grant_with_unit'), {
      errors: [
        { pointer: '/body/unit_id', rule: 'admin_grant_with_unit', message: msg('auth:field.admin_grant_with_unit') },
      ],
    })
  }
  await loadPrincipal(tx, principalId, true) // row lock: concurrent grants for one principal are checked in turn
  let unitPath: string | null = null
  if (unitId) {
    const [unit] = await tx.select({ path: units.path }).from(units).where(eq(units.id, unitId))
    if (!unit) {
      throw new ProblemError(422, 'unit_not_found', msg('auth:unit_not_found', { unitId }), {
        errors: [{ pointer: '/body/unit_id', rule: 'exists', message: msg('auth:field.exists') }],
      })
    }
    unitPath = unit.path
  }
  await assertNoConflict(tx, principalId, role, unitPath)
  const [row] = await tx.insert(roleGrants).values({ principalId, role, unitId }).onConflictDoNothing().returning()
  if (!row)
    throw new ProblemError(
      409,
      'grant_exists',
      msg('auth:grant_exists', { role, unit: unitId ?? msg('auth:all_units') }),
    )
  return row
}

export async function removeGrant(tx: Queryable, principalId: string, grantId: string): Promise<GrantRow> {
  const [row] = await tx
    .delete(roleGrants)
    .where(and(eq(roleGrants.id, grantId), eq(roleGrants.principalId, principalId)))
    .returning()
  if (!row) throw notFound('grant', grantId)
  return row
}

/** expires_at, when sent, must lie in the future (422 naming the field). */
export function parseExpiry(expiresAt: string | undefined): Date | null {
  const at = expiresAt ? new Date(expiresAt) : null
  if (at && at.getTime() <= Date.now()) {
    throw new ProblemError(422, 'expiry_in_past', msg('auth:expiry_in_past'), {
      errors: [{ pointer: '/body/expires_at', rule: 'future', message: msg('auth:field.future') }],
    })
  }
  return at
}

/** 422 unless the principal holds `role` (a token is issued only in a granted role). */
export async function assertRoleGranted(tx: Queryable, principalId: string, role: Role): Promise<void> {
  const [grant] = await tx
    .select({ id: roleGrants.id })
    .from(roleGrants)
    .where(and(eq(roleGrants.principalId, principalId), eq(roleGrants.role, role)))
    .limit(1)
  if (!grant) {
    throw new ProblemError(422, 'role_not_granted', msg('auth:role_not_granted', { role }), {
      errors: [{ pointer: '/body/role', rule: 'granted', message: msg('auth:field.granted') }],
    })
  }
}

export async function listTokens(db: Queryable, principalId: string) {
  const rows = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.principalId, principalId))
    .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id))
  return rows.map(tokenView)
}

/**
 * Revokes a token: admins any, others only their own (someone else's is reported as missing:
 * its existence is not the caller's business). Returns the row before and after; `after` is
 * null when it was already revoked (nothing changed).
 */
export async function revokeTokenRow(tx: Queryable, p: Principal, id: string) {
  const own = p.role === 'admin' || p.principalId === null ? undefined : eq(apiTokens.principalId, p.principalId)
  const [before] = await tx
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.id, id), own))
    .for('update')
  if (!before) throw notFound('token', id)
  if (before.revokedAt) return { before, after: null }
  const [row] = await tx
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, before.id), isNull(apiTokens.revokedAt)))
    .returning()
  if (!row) throw notFound('token', before.id)
  return { before, after: row }
}
