import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { and, asc, eq, gt, gte, lt, type SQL } from 'drizzle-orm'
import { Type } from 'typebox'
import { decodeCursor, DEFAULT_LIMIT, finishPage, nextLink, PageMeta, PageQuery } from '../../lib/pagination.js'
import { problemResponses } from '../../lib/problem.js'
import { verifyChain } from './service.js'
import { auditEvents } from './tables.js'
import { ADMIN } from '../../lib/policy.js'

const AuditEvent = Type.Object({
  id: Type.Integer(),
  occurred_at: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    principal_id: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    role: Type.String(),
  }),
  action: Type.String(),
  entity_type: Type.String(),
  entity_id: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  request_id: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  prev_hash: Type.String(),
  hash: Type.String(),
})

const EventQuery = Type.Object(
  {
    ...PageQuery,
    entity_type: Type.Optional(Type.String({ maxLength: 64 })),
    entity_id: Type.Optional(Type.String({ maxLength: 128 })),
    actor_id: Type.Optional(Type.String({ format: 'uuid' })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'occurred at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'occurred before' })),
  },
  { additionalProperties: false },
)

const Verification = Type.Object({
  valid: Type.Boolean(),
  checked: Type.Integer({ description: 'events verified before the first broken link (or all of them)' }),
  first_broken: Type.Union([
    Type.Object({
      id: Type.Integer(),
      reason: Type.Union([Type.Literal('prev_hash_mismatch'), Type.Literal('hash_mismatch')]),
    }),
    Type.Null(),
  ]),
})

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/events',
    {
      schema: {
        tags: ['audit'],
        summary: 'List audit events (oldest first) with filters',
        operationId: 'listAuditEvents',
        querystring: EventQuery,
        response: {
          200: Type.Object({ items: Type.Array(AuditEvent), ...PageMeta }),
          ...problemResponses(400, 401, 403),
        },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const q = request.query
      const limit = q.limit ?? DEFAULT_LIMIT
      const conditions: (SQL | undefined)[] = [
        q.cursor ? gt(auditEvents.id, Number(decodeCursor(q.cursor, 'id').id)) : undefined,
        q.entity_type ? eq(auditEvents.entityType, q.entity_type) : undefined,
        q.entity_id ? eq(auditEvents.entityId, q.entity_id) : undefined,
        q.actor_id ? eq(auditEvents.actorPrincipalId, q.actor_id) : undefined,
        q.action ? eq(auditEvents.action, q.action) : undefined,
        q.from ? gte(auditEvents.occurredAt, new Date(q.from)) : undefined,
        q.to ? lt(auditEvents.occurredAt, new Date(q.to)) : undefined,
      ]
      const rows = await app.db
        .select()
        .from(auditEvents)
        .where(and(...conditions))
        .orderBy(asc(auditEvents.id))
        .limit(limit + 1)
      const page = finishPage(rows, limit, 'id', (r) => ({ value: null, id: String(r.id) }))
      const link = nextLink(request.url, page.next_cursor)
      if (link) reply.header('link', link)
      return {
        items: page.items.map((r) => ({
          id: r.id,
          occurred_at: r.occurredAt.toISOString(),
          actor: { principal_id: r.actorPrincipalId, name: r.actorName, role: r.actorRole },
          action: r.action,
          entity_type: r.entityType,
          entity_id: r.entityId,
          before: r.before ?? null,
          after: r.after ?? null,
          request_id: r.requestId,
          ip: r.ip,
          prev_hash: r.prevHash,
          hash: r.hash,
        })),
        next_cursor: page.next_cursor,
      }
    },
  )

  app.get(
    '/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Re-walk the hash chain and report the first broken link',
        operationId: 'verifyAuditChain',
        response: { 200: Verification, ...problemResponses(401, 403) },
      },
      config: ADMIN,
    },
    async () => verifyChain(app.db),
  )
}
export default auditRoutes
