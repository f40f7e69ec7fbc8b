import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { checkIfMatch, ifNoneMatchHits, versionEtag } from '../../lib/etag.js'
import { Type } from 'typebox'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { problemResponses } from '../../lib/problem.js'
import { recordAudit } from '../audit/service.js'
import * as S from './schemas.js'
import {
  createUnit,
  deleteUnit,
  listUnits,
  loadVisibleUnit,
  setArchived,
  subtree,
  toUnitView,
  updateUnit,
} from './service.js'
import { ADMIN, READERS } from '../../lib/policy.js'

const TAGS = ['units']

const unitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'Register a unit (instansi, OPD or unit kerja)',
        description:
          'Rules: code unique within the instansi (409 unit_code_taken), and an instansi’s code unique among instansi (409 instansi_code_taken); the parent must exist (422 parent_not_found), be active (422 parent_archived) and accept the kind (422 kind_parent_mismatch: instansi has no parent, an OPD sits under the instansi, a unit kerja under an OPD or another unit kerja); valid_to not before valid_from (422 invalid_validity); predecessor in the same instansi (422 predecessor_not_found).',
        operationId: 'createUnit',
        body: S.CreateUnitBody,
        response: { 201: S.UnitRef, ...problemResponses(400, 401, 403, 409, 422) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const row = await app.db.transaction(async (tx) => {
        const created = await createUnit(tx, request.body)
        await recordAudit(tx, request, {
          action: 'unit.created',
          entityType: 'unit',
          entityId: created.id,
          before: null,
          after: toUnitView(created),
        })
        return created
      })
      return reply
        .code(201)
        .header('location', `/v1/units/${row.id}`)
        .header('etag', versionEtag(row))
        .send(toUnitView(row))
    },
  )

  app.get(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'List units in the caller’s scope',
        description:
          'Keyset pagination: pages neither repeat nor skip rows while others are written. For incremental sync use sort=updated_at with updated_since.',
        operationId: 'listUnits',
        querystring: S.UnitListQuery,
        response: { 200: S.UnitPage, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request, reply) => {
      return sendPage(
        request,
        reply,
        await listUnits(app.db, request.principal, request.query, request.query.limit ?? DEFAULT_LIMIT),
      )
    },
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read a unit',
        operationId: 'getUnit',
        params: S.UnitIdParams,
        headers: S.IfNoneMatchHeaders,
        response: {
          200: S.UnitRef,
          304: Type.Null({ description: 'Not Modified: the If-None-Match ETag is current' }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
      config: READERS,
    },
    async (request, reply) => {
      const row = await loadVisibleUnit(app.db, request.principal, request.params.id)
      reply.header('etag', versionEtag(row))
      if (ifNoneMatchHits(request.headers['if-none-match'], versionEtag(row))) return reply.code(304).send(null)
      return toUnitView(row)
    },
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change a unit (only the fields sent)',
        description:
          'Send If-Match with the ETag you read to refuse lost updates (412 precondition_failed). Moving a unit (parent_id) moves its subtree; a move that would make a cycle is 422 parent_cycle; moving to another instansi is 422 parent_other_instansi.',
        operationId: 'updateUnit',
        params: S.UnitIdParams,
        headers: S.IfMatchHeaders,
        body: S.PatchUnitBody,
        response: { 200: S.UnitRef, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      config: { ...ADMIN, changesAccess: true },
    },
    async (request, reply) => {
      const row = await app.db.transaction(async (tx) => {
        const current = await loadVisibleUnit(tx, request.principal, request.params.id, { forUpdate: true })
        checkIfMatch(request.headers['if-match'], current, 'unit')
        const updated = await updateUnit(tx, current, request.body)
        await recordAudit(tx, request, {
          action: 'unit.updated',
          entityType: 'unit',
          entityId: current.id,
          before: toUnitView(current),
          after: toUnitView(updated),
        })
        return updated
      })
      return reply.header('etag', versionEtag(row)).send(toUnitView(row))
    },
  )

  for (const [action, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    app.post(
      `/:id/${action}`,
      {
        schema: {
          tags: TAGS,
          summary: archived
            ? 'Archive a unit (it stays for history; refused while it has active children)'
            : 'Bring an archived unit back (refused while its parent is archived)',
          operationId: archived ? 'archiveUnit' : 'unarchiveUnit',
          params: S.UnitIdParams,
          headers: S.IfMatchHeaders,
          response: { 200: S.UnitRef, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
        },
        config: { ...ADMIN, changesAccess: true },
      },
      async (request, reply) => {
        const row = await app.db.transaction(async (tx) => {
          const current = await loadVisibleUnit(tx, request.principal, request.params.id, { forUpdate: true })
          checkIfMatch(request.headers['if-match'], current, 'unit')
          const changed = await setArchived(tx, current, archived)
          if (changed !== current) {
            await recordAudit(tx, request, {
              action: `unit.${action}d`,
              entityType: 'unit',
              entityId: current.id,
              before: toUnitView(current),
              after: toUnitView(changed),
            })
          }
          return changed
        })
        return reply.header('etag', versionEtag(row)).send(toUnitView(row))
      },
    )
  }

  app.delete(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a unit registered by mistake',
        description:
          'Refused with 409 unit_referenced once anything refers to the unit (children, successors, grants, assessments): archive it instead.',
        operationId: 'deleteUnit',
        params: S.UnitIdParams,
        headers: S.IfMatchHeaders,
        response: { 204: Type.Null({ description: 'deleted' }), ...problemResponses(400, 401, 403, 404, 409, 412) },
      },
      config: { ...ADMIN, changesAccess: true },
    },
    async (request, reply) => {
      await app.db.transaction(async (tx) => {
        const current = await loadVisibleUnit(tx, request.principal, request.params.id, { forUpdate: true })
        checkIfMatch(request.headers['if-match'], current, 'unit')
        await deleteUnit(tx, current)
        await recordAudit(tx, request, {
          action: 'unit.deleted',
          entityType: 'unit',
          entityId: current.id,
          before: toUnitView(current),
          after: null,
        })
      })
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/:id/tree',
    {
      schema: {
        tags: TAGS,
        summary: 'The subtree under a unit, nested',
        operationId: 'getUnitTree',
        params: S.UnitIdParams,
        querystring: S.TreeQuery,
        response: { 200: S.TreeResponse, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const root = await loadVisibleUnit(app.db, request.principal, request.params.id)
      return subtree(app.db, root, {
        includeArchived: request.query.include_archived ?? false,
        maxDepth: request.query.max_depth,
      })
    },
  )
}

export default unitRoutes
