import { sql } from 'drizzle-orm'
import type { Static } from 'typebox'
import type { Db, Tx } from '../../db/connection.js'
import { BOOTSTRAP_LOCK } from '../../db/locks.js'
import { audit, systemContext, type CommandContext } from '../../lib/command.js'
import type { Role } from '../../lib/policy.js'
import { assertReturned } from '../../lib/returned.js'
import type * as S from './schemas.js'
import {
  assertRoleGranted,
  grantView,
  hasAdmin,
  insertGrant,
  insertPrincipal,
  insertToken,
  loadPrincipal,
  parseExpiry,
  patchPrincipalRow,
  principalView,
  removeGrant,
  revokeTokenRow,
  tokenView,
  type GrantRow,
} from './service.js'
import { principals, roleGrants } from './tables.js'

type PrincipalView = Awaited<ReturnType<typeof principalView>>
type TokenView = ReturnType<typeof tokenView>
/** A token as created: its view and, this once, its secret. */
export type CreatedToken = TokenView & { token: string }

/**
 * Issues a token inside the caller's transaction, audited `token.created` (every path that makes
 * a token goes through here). The secret is in the result, once; it is never stored.
 */
export async function issueToken(
  tx: Tx,
  ctx: CommandContext,
  input: { principalId: string; name: string; role: Role; expiresAt: Date | null; fixedToken?: string | undefined },
): Promise<CreatedToken> {
  const { row, token } = await insertToken(tx, input)
  const view = tokenView(row)
  await audit(tx, ctx, {
    action: 'token.created',
    entityType: 'api_token',
    entityId: row.id,
    before: null,
    after: view,
  })
  return { ...view, token }
}

/** Creates a principal without grants; audited `principal.created`. */
export async function createPrincipal(
  ctx: CommandContext,
  input: Static<typeof S.CreatePrincipalBody>,
): Promise<PrincipalView> {
  return ctx.db.transaction(async (tx) => {
    const row = await insertPrincipal(tx, input)
    const view = await principalView(tx, row)
    await audit(tx, ctx, {
      action: 'principal.created',
      entityType: 'principal',
      entityId: row.id,
      before: null,
      after: view,
    })
    return view
  })
}

/** Renames, changes the e-mail of, disables or re-enables a principal (row locked); audited `principal.updated`. */
export async function updatePrincipal(
  ctx: CommandContext,
  input: { id: string } & Static<typeof S.UpdatePrincipalBody>,
): Promise<PrincipalView> {
  const { id, ...patch } = input
  return ctx.db.transaction(async (tx) => {
    const before = await loadPrincipal(tx, id, true)
    const row = await patchPrincipalRow(tx, before, patch)
    const after = await principalView(tx, row)
    await audit(tx, ctx, {
      action: 'principal.updated',
      entityType: 'principal',
      entityId: row.id,
      before: await principalView(tx, before),
      after,
    })
    return after
  })
}

/** Grants a role, on a unit subtree or every unit; audited `grant.created`. */
export async function createGrant(
  ctx: CommandContext,
  input: { principalId: string; role: Role; unitId: string | null },
): Promise<GrantRow> {
  return ctx.db.transaction(async (tx) => {
    const row = await insertGrant(tx, input.principalId, input.role, input.unitId)
    await audit(tx, ctx, {
      action: 'grant.created',
      entityType: 'role_grant',
      entityId: row.id,
      before: null,
      after: { principal_id: input.principalId, ...grantView(row) },
    })
    return row
  })
}

/** Removes one of a principal's grants; audited `grant.deleted`. */
export async function deleteGrant(ctx: CommandContext, input: { principalId: string; grantId: string }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const row = await removeGrant(tx, input.principalId, input.grantId)
    await audit(tx, ctx, {
      action: 'grant.deleted',
      entityType: 'role_grant',
      entityId: row.id,
      before: { principal_id: row.principalId, ...grantView(row) },
      after: null,
    })
  })
}

/**
 * Issues a token to an existing principal in a role it holds (422 role_not_granted otherwise;
 * expires_at must lie ahead); audited `token.created`. The secret is in the result, once.
 */
export async function createToken(
  ctx: CommandContext,
  input: { principalId: string } & Static<typeof S.CreateTokenBody>,
): Promise<CreatedToken> {
  const expiresAt = parseExpiry(input.expires_at)
  return ctx.db.transaction(async (tx) => {
    const principal = await loadPrincipal(tx, input.principalId)
    await assertRoleGranted(tx, principal.id, input.role)
    return issueToken(tx, ctx, { principalId: principal.id, name: input.name, role: input.role, expiresAt })
  })
}

/**
 * Revokes a token: admins any, others their own. Revoking a revoked token changes nothing and
 * leaves no trace; otherwise audited `token.revoked`.
 */
export async function revokeToken(ctx: CommandContext, input: { id: string }): Promise<TokenView> {
  return ctx.db.transaction(async (tx) => {
    const { before, after } = await revokeTokenRow(tx, ctx.principal, input.id)
    if (!after) return tokenView(before)
    await audit(tx, ctx, {
      action: 'token.revoked',
      entityType: 'api_token',
      entityId: after.id,
      before: tokenView(before),
      after: tokenView(after),
    })
    return tokenView(after)
  })
}

export interface NewPrincipalWithToken {
  name: string
  kind: 'user' | 'service'
  role: Role
  unitId?: string | null
  expiresAt?: Date | null
  /** The bootstrap token named by the configuration (else a fresh secret is generated). */
  fixedToken?: string
}

/** A principal, its one grant and a token, inside the caller's transaction. */
async function addPrincipalWithToken(tx: Tx, ctx: CommandContext, input: NewPrincipalWithToken): Promise<CreatedToken> {
  const [principal] = await tx.insert(principals).values({ name: input.name, kind: input.kind }).returning()
  assertReturned(principal, 'insert')
  const unitId = input.unitId ?? null
  const [grant] = await tx
    .insert(roleGrants)
    .values({ principalId: principal.id, role: input.role, unitId })
    .returning()
  await audit(tx, ctx, {
    action: 'principal.created',
    entityType: 'principal',
    entityId: principal.id,
    before: null,
    after: {
      id: principal.id,
      name: principal.name,
      kind: principal.kind,
      grants: [{ id: grant?.id, role: input.role, unit_id: unitId }],
    },
  })
  const token = await issueToken(tx, ctx, {
    principalId: principal.id,
    name: input.name,
    role: input.role,
    expiresAt: input.expiresAt ?? null,
    fixedToken: input.fixedToken,
  })
  return token
}

/**
 * Creates a principal with one grant and a token in one transaction (the admin CLI's
 * `token create`, the benchmark); audited `principal.created` and `token.created`.
 */
export async function createPrincipalWithToken(
  ctx: CommandContext,
  input: NewPrincipalWithToken,
): Promise<CreatedToken> {
  return ctx.db.transaction((tx) => addPrincipalWithToken(tx, ctx, input))
}

/**
 * When BOOTSTRAP_ADMIN_TOKEN is set and no admin exists, make that token an admin's. Runs at
 * start-up under an advisory lock so that replicas starting together create one admin; the
 * audit names the system actor `bootstrap`.
 */
export async function bootstrapAdmin(db: Db, token: string): Promise<'created' | 'admin_exists'> {
  const ctx = systemContext(db, 'bootstrap')
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`)
    if (await hasAdmin(tx)) return 'admin_exists'
    await addPrincipalWithToken(tx, ctx, {
      name: 'bootstrap admin',
      kind: 'service',
      role: 'admin',
      expiresAt: null,
      fixedToken: token,
    })
    return 'created'
  })
}
