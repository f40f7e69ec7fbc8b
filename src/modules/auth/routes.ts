import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { ADMIN, READERS as ANY_ROLE } from '../../lib/policy.js'
import { problemResponses } from '../../lib/problem.js'
import { requestContext } from '../../lib/command.js'
import { principalRowId } from '../../lib/principal.js'
import { createGrant, createPrincipal, createToken, deleteGrant, revokeToken, updatePrincipal } from './commands.js'
import * as S from './schemas.js'
import { grantView, listPrincipals, listTokens, loadPrincipal, principalView, scopeUnitIds } from './service.js'

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
      return {
        principal_id: principalRowId(p),
        name: p.name,
        role: p.role,
        token_id: p.tokenId,
        scope: { all_units: p.scopeAll, unit_ids: await scopeUnitIds(app.db, p) },
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
      const view = await createPrincipal(requestContext(request), request.body)
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
      const query = { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }
      return sendPage(request, reply, await listPrincipals(app.db, query))
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
      config: { ...ADMIN, changesAccess: true },
    },
    async (request) => updatePrincipal(requestContext(request), { id: request.params.id, ...request.body }),
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
      config: { ...ADMIN, changesAccess: true },
    },
    async (request, reply) => {
      const grant = await createGrant(requestContext(request), {
        principalId: request.params.id,
        role: request.body.role,
        unitId: request.body.unit_id ?? null,
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
      config: { ...ADMIN, changesAccess: true },
    },
    async (request, reply) => {
      await deleteGrant(requestContext(request), { principalId: request.params.id, grantId: request.params.grant_id })
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
      const created = await createToken(requestContext(request), { principalId: request.params.id, ...request.body })
      return reply.code(201).header('cache-control', 'no-store').send(created)
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
      return { items: await listTokens(app.db, request.params.id) }
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
      config: { ...ANY_ROLE, changesAccess: true },
    },
    async (request) => revokeToken(requestContext(request), { id: request.params.id }),
  )
}

function Type204() {
  return { type: 'null', description: 'No content' } as const
}

export default authRoutes
