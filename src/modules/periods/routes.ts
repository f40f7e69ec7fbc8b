import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { checkIfMatch, versionEtag } from '../../lib/etag.js'
import { Type } from 'typebox'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { problemResponses } from '../../lib/problem.js'
import { IdempotencyHeaders } from '../idempotency/plugin.js'
import { recordAudit } from '../audit/service.js'
import * as S from './schemas.js'
import {
  createPeriod,
  databaseNow,
  deletePeriod,
  listPeriods,
  loadPeriod,
  reopenWindow,
  toPeriodView,
  updatePeriod,
} from './service.js'
import type { PeriodRow } from './tables.js'
import { ADMIN, READERS } from '../../lib/policy.js'

const TAGS = ['periods']

const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'the ETag from a GET; 412 when the period changed since' })),
})

const periodRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const view = async (row: PeriodRow) => toPeriodView(row, await databaseNow(app.db))

  app.post(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'Create an evaluation period',
        description:
          'Rules: code unique (409 period_code_taken); the instrument version must exist (422 instrument_not_found) and be published (422 instrument_not_published); each window must close after it opens (422 invalid_window). Accepts Idempotency-Key.',
        operationId: 'createPeriod',
        headers: IdempotencyHeaders,
        body: S.CreatePeriodBody,
        response: { 201: S.PeriodView, ...problemResponses(400, 401, 403, 409, 422) },
      },
      config: { ...ADMIN, idempotent: true },
    },
    async (request, reply) => {
      const row = await app.db.transaction(async (tx) => {
        const created = await createPeriod(tx, request.body)
        const now = await databaseNow(tx)
        await recordAudit(tx, request, {
          action: 'period.created',
          entityType: 'period',
          entityId: created.id,
          before: null,
          after: toPeriodView(created, now),
        })
        return created
      })
      return reply
        .code(201)
        .header('location', `/v1/periods/${row.id}`)
        .header('etag', versionEtag(row))
        .send(await view(row))
    },
  )

  app.get(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'List periods (by code)',
        operationId: 'listPeriods',
        querystring: S.PeriodListQuery,
        response: { 200: S.PeriodPage, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request, reply) => {
      return sendPage(request, reply, await listPeriods(app.db, request.query, request.query.limit ?? DEFAULT_LIMIT))
    },
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read a period, with the state of each window now',
        operationId: 'getPeriod',
        params: S.PeriodIdParams,
        response: { 200: S.PeriodView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const row = await loadPeriod(app.db, request.params.id)
      return reply.header('etag', versionEtag(row)).send(await view(row))
    },
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change a period (only the fields sent)',
        description:
          'windows: a window sent replaces its dates (an active reopen stays), null unschedules it. Same rules as create. Send If-Match to refuse lost updates (412 precondition_failed).',
        operationId: 'updatePeriod',
        params: S.PeriodIdParams,
        headers: IfMatchHeaders,
        body: S.PatchPeriodBody,
        response: { 200: S.PeriodView, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const row = await app.db.transaction(async (tx) => {
        const current = await loadPeriod(tx, request.params.id, { forUpdate: true })
        checkIfMatch(request.headers['if-match'], current, 'period')
        const updated = await updatePeriod(tx, current, request.body)
        const now = await databaseNow(tx)
        await recordAudit(tx, request, {
          action: 'period.updated',
          entityType: 'period',
          entityId: current.id,
          before: toPeriodView(current, now),
          after: toPeriodView(updated, now),
        })
        return updated
      })
      return reply.header('etag', versionEtag(row)).send(await view(row))
    },
  )

  app.post(
    '/:id/windows/:window/reopen',
    {
      schema: {
        tags: TAGS,
        summary: 'Reopen a window until a given instant',
        description:
          'The window is open until `until` whatever its dates say (the dates stay). `until` must be in the future (422 invalid_reopen); the window must have dates (422 window_not_scheduled). Audited with the reason.',
        operationId: 'reopenPeriodWindow',
        params: S.WindowParams,
        body: S.ReopenBody,
        response: { 200: S.PeriodView, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const { id, window } = request.params
      const row = await app.db.transaction(async (tx) => {
        const current = await loadPeriod(tx, id, { forUpdate: true })
        const updated = await reopenWindow(tx, current, window, {
          until: request.body.until,
          reason: request.body.reason,
          by: request.principal.principalId,
        })
        const now = await databaseNow(tx)
        await recordAudit(tx, request, {
          action: 'period.window_reopened',
          entityType: 'period',
          entityId: current.id,
          before: { window, ...toPeriodView(current, now).windows[window] },
          after: { window, ...toPeriodView(updated, now).windows[window], reason: request.body.reason },
        })
        return updated
      })
      return reply.header('etag', versionEtag(row)).send(await view(row))
    },
  )

  app.delete(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a period created by mistake',
        description: 'Refused with 409 period_referenced once declarations, evidence or assessments refer to it.',
        operationId: 'deletePeriod',
        params: S.PeriodIdParams,
        headers: IfMatchHeaders,
        response: { 204: Type.Null({ description: 'deleted' }), ...problemResponses(400, 401, 403, 404, 409, 412) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      await app.db.transaction(async (tx) => {
        const current = await loadPeriod(tx, request.params.id, { forUpdate: true })
        checkIfMatch(request.headers['if-match'], current, 'period')
        const now = await databaseNow(tx)
        await deletePeriod(tx, current)
        await recordAudit(tx, request, {
          action: 'period.deleted',
          entityType: 'period',
          entityId: current.id,
          before: toPeriodView(current, now),
          after: null,
        })
      })
      return reply.code(204).send(null)
    },
  )
}

export default periodRoutes
