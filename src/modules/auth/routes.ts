import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { and, asc, eq, gt, ilike, inArray, isNull, or, type SQL } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { decodeCursor, finishPage, nextLink, DEFAULT_LIMIT } from '../../lib/pagination.js'
import { ProblemError, notFound, problemResponses } from '../../lib/problem.js'
import { actorFromRequest, recordAudit } from '../audit/service.js'
import { units } from '../units/tables.js'
import * as S from './schemas.js'
import { issueToken, tokenView } from './service.js'
import { apiTokens, principals, roleGrants } from './tables.js'
import { ADMIN, READERS as ANY_ROLE } from '../../lib/policy.js'
import { assertReturned } from '../../lib/returned.js'

type PrincipalRow = typeof principals.$inferSelect
type GrantRow = typeof roleGrants.$inferSelect

const grantView = (g: GrantRow) => ({
  id: g.id,
  role: g.role,
  unit_id: g.unitId,
  created_at: g.createdAt.toISOString(),
})

async function principalView(db: Queryable, p: PrincipalRow) {
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

async function loadPrincipal(db: Queryable, id: string, forUpdate = false): Promise<PrincipalRow> {
  const query = db.select().from(principals).where(eq(principals.id, id))
  const [row] = forUpdate ? await query.for('update') : await query
  if (!row) throw notFound('principal', id)
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
      `The principal is ${opposite} of unit ${clash.unitId ?? '(all units)'}, which overlaps the requested ${role} grant: an evaluator may not assess a unit it operates.`,
      {
        errors: [
          {
            pointer: '/body/unit_id',
            rule: 'conflict_of_interest',
            message: `overlaps the principal's ${opposite} grant`,
          },
        ],
      },
    )
  }
}

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who am I: the principal, role and scope of the calling token',
        operationId: 'getMe',
        response: { 200: S.Me, ...problemResponses(401) },
      },
      config: ANY_ROLE,
    },
    async (request) => {
      const p = request.principal
      const scopeUnits = p.scopeAll
        ? []
        : await app.db
            .select({ unitId: roleGrants.unitId })
            .from(roleGrants)
            .where(and(eq(roleGrants.principalId, p.principalId), eq(roleGrants.role, p.role)))
      return {
        principal_id: p.principalId,
        name: p.name,
        role: p.role,
        token_id: p.tokenId,
        scope: { all_units: p.scopeAll, unit_ids: scopeUnits.flatMap((g) => (g.unitId ? [g.unitId] : [])) },
      }
    },
  )

  app.post(
    '/principals',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a principal (a person or a service client)',
        operationId: 'createPrincipal',
        body: S.CreatePrincipalBody,
        response: { 201: S.PrincipalView, ...problemResponses(400, 401, 403) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const view = await app.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(principals)
          .values({ name: request.body.name, kind: request.body.kind, email: request.body.email ?? null })
          .returning()
        assertReturned(row, 'insert')
        const v = await principalView(tx, row)
        await recordAudit(tx, request, {
          action: 'principal.created',
          entityType: 'principal',
          entityId: row.id,
          before: null,
          after: v,
        })
        return v
      })
      return reply.code(201).header('location', `/v1/principals/${view.id}`).send(view)
    },
  )

  app.get(
    '/principals',
    {
      schema: {
        tags: ['auth'],
        summary: 'List principals',
        operationId: 'listPrincipals',
        querystring: S.PrincipalListQuery,
        response: { 200: S.PrincipalPage, ...problemResponses(400, 401, 403) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const limit = request.query.limit ?? DEFAULT_LIMIT
      const conditions: (SQL | undefined)[] = []
      if (request.query.cursor) conditions.push(gt(principals.id, decodeCursor(request.query.cursor, 'id').id))
      if (request.query.q) {
        const like = `%${request.query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
        conditions.push(or(ilike(principals.name, like), ilike(principals.email, like)))
      }
      if (request.query.role) {
        conditions.push(
          inArray(
            principals.id,
            app.db
              .select({ id: roleGrants.principalId })
              .from(roleGrants)
              .where(eq(roleGrants.role, request.query.role)),
          ),
        )
      }
      const rows = await app.db
        .select()
        .from(principals)
        .where(and(...conditions))
        .orderBy(asc(principals.id))
        .limit(limit + 1)
      const page = finishPage(rows, limit, 'id', (r) => ({ value: null, id: r.id }))
      const link = nextLink(request.url, page.next_cursor)
      if (link) reply.header('link', link)
      return {
        items: await Promise.all(page.items.map((p) => principalView(app.db, p))),
        next_cursor: page.next_cursor,
      }
    },
  )

  app.get(
    '/principals/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Read a principal with its grants',
        operationId: 'getPrincipal',
        params: S.IdParams,
        response: { 200: S.PrincipalView, ...problemResponses(400, 401, 403, 404) },
      },
      config: ADMIN,
    },
    async (request) => principalView(app.db, await loadPrincipal(app.db, request.params.id)),
  )

  app.patch(
    '/principals/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Rename, change e-mail, disable or re-enable a principal (disabling stops all its tokens at once)',
        operationId: 'updatePrincipal',
        params: S.IdParams,
        body: S.UpdatePrincipalBody,
        response: { 200: S.PrincipalView, ...problemResponses(400, 401, 403, 404) },
      },
      config: ADMIN,
    },
    async (request) =>
      app.db.transaction(async (tx) => {
        const before = await loadPrincipal(tx, request.params.id, true)
        const { name, email, disabled } = request.body
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
        const after = await principalView(tx, row)
        await recordAudit(tx, request, {
          action: 'principal.updated',
          entityType: 'principal',
          entityId: row.id,
          before: await principalView(tx, before),
          after,
        })
        return after
      }),
  )

  app.post(
    '/principals/:id/grants',
    {
      schema: {
        tags: ['auth'],
        summary: 'Grant a role, optionally limited to a unit subtree',
        description: 'An evaluator may not be granted a unit it operates (or the reverse): 422 conflict_of_interest.',
        operationId: 'createGrant',
        params: S.IdParams,
        body: S.CreateGrantBody,
        response: { 201: S.Grant, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const { role } = request.body
      const unitId = request.body.unit_id ?? null
      if (role === 'admin' && unitId) {
        throw new ProblemError(422, 'admin_grant_with_unit', 'An admin grant covers every unit: leave unit_id out.', {
          errors: [{ pointer: '/body/unit_id', rule: 'admin_grant_with_unit', message: 'must be null for role admin' }],
        })
      }
      const grant = await app.db.transaction(async (tx) => {
        await loadPrincipal(tx, request.params.id, true) // row lock: concurrent grants for one principal are checked in turn
        let unitPath: string | null = null
        if (unitId) {
          const [unit] = await tx.select({ path: units.path }).from(units).where(eq(units.id, unitId))
          if (!unit) {
            throw new ProblemError(422, 'unit_not_found', `No unit with id ${unitId}.`, {
              errors: [{ pointer: '/body/unit_id', rule: 'exists', message: 'no such unit' }],
            })
          }
          unitPath = unit.path
        }
        await assertNoConflict(tx, request.params.id, role, unitPath)
        const [row] = await tx
          .insert(roleGrants)
          .values({ principalId: request.params.id, role, unitId })
          .onConflictDoNothing()
          .returning()
        if (!row)
          throw new ProblemError(
            409,
            'grant_exists',
            `The principal already holds ${role} on ${unitId ?? 'all units'}.`,
          )
        await recordAudit(tx, request, {
          action: 'grant.created',
          entityType: 'role_grant',
          entityId: row.id,
          before: null,
          after: { principal_id: request.params.id, ...grantView(row) },
        })
        return row
      })
      return reply.code(201).send(grantView(grant))
    },
  )

  app.delete(
    '/principals/:id/grants/:grant_id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Remove a grant (tokens of that role lose the scope at once)',
        operationId: 'deleteGrant',
        params: S.GrantParams,
        response: { 204: Type204(), ...problemResponses(400, 401, 403, 404) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      await app.db.transaction(async (tx) => {
        const [row] = await tx
          .delete(roleGrants)
          .where(and(eq(roleGrants.id, request.params.grant_id), eq(roleGrants.principalId, request.params.id)))
          .returning()
        if (!row) throw notFound('grant', request.params.grant_id)
        await recordAudit(tx, request, {
          action: 'grant.deleted',
          entityType: 'role_grant',
          entityId: row.id,
          before: { principal_id: row.principalId, ...grantView(row) },
          after: null,
        })
      })
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/principals/:id/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API token for a principal in one of its roles (the secret is shown once)',
        operationId: 'createToken',
        params: S.IdParams,
        body: S.CreateTokenBody,
        response: { 201: S.CreatedTokenView, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const { name, role, expires_at } = request.body
      const expiresAt = expires_at ? new Date(expires_at) : null
      if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw new ProblemError(422, 'expiry_in_past', 'expires_at must be in the future.', {
          errors: [{ pointer: '/body/expires_at', rule: 'future', message: 'must be in the future' }],
        })
      }
      const created = await app.db.transaction(async (tx) => {
        const principal = await loadPrincipal(tx, request.params.id)
        const [grant] = await tx
          .select({ id: roleGrants.id })
          .from(roleGrants)
          .where(and(eq(roleGrants.principalId, principal.id), eq(roleGrants.role, role)))
          .limit(1)
        if (!grant) {
          throw new ProblemError(
            422,
            'role_not_granted',
            `The principal does not hold the role ${role}; grant it first.`,
            {
              errors: [{ pointer: '/body/role', rule: 'granted', message: 'role not granted to this principal' }],
            },
          )
        }
        return issueToken(tx, actorFromRequest(request), { principalId: principal.id, name, role, expiresAt })
      })
      const [row] = await app.db.select().from(apiTokens).where(eq(apiTokens.id, created.id))
      if (!row) throw new Error('token vanished')
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...tokenView(row), token: created.token })
    },
  )

  app.get(
    '/principals/:id/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: "List a principal's tokens (never the secrets)",
        operationId: 'listTokens',
        params: S.IdParams,
        response: { 200: S.TokenList, ...problemResponses(400, 401, 403, 404) },
      },
      config: ADMIN,
    },
    async (request) => {
      await loadPrincipal(app.db, request.params.id)
      const rows = await app.db
        .select()
        .from(apiTokens)
        .where(eq(apiTokens.principalId, request.params.id))
        .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id))
      return { items: rows.map(tokenView) }
    },
  )

  app.delete(
    '/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke a token (effective at once on every replica); admins revoke any, others their own',
        operationId: 'revokeToken',
        params: S.IdParams,
        response: { 200: S.TokenView, ...problemResponses(400, 401, 403, 404) },
      },
      config: ANY_ROLE,
    },
    async (request) =>
      app.db.transaction(async (tx) => {
        const p = request.principal
        const own = p.role === 'admin' ? undefined : eq(apiTokens.principalId, p.principalId)
        const [before] = await tx
          .select()
          .from(apiTokens)
          .where(and(eq(apiTokens.id, request.params.id), own))
          .for('update')
        // Someone else's token is reported as missing: its existence is not the caller's business.
        if (!before) throw notFound('token', request.params.id)
        if (before.revokedAt) return tokenView(before)
        const [row] = await tx
          .update(apiTokens)
          .set({ revokedAt: new Date() })
          .where(and(eq(apiTokens.id, before.id), isNull(apiTokens.revokedAt)))
          .returning()
        if (!row) throw notFound('token', before.id)
        await recordAudit(tx, request, {
          action: 'token.revoked',
          entityType: 'api_token',
          entityId: row.id,
          before: tokenView(before),
          after: tokenView(row),
        })
        return tokenView(row)
      }),
  )
}

function Type204() {
  return { type: 'null', description: 'No content' } as const
}

export default authRoutes
