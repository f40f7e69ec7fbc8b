import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { versionEtag } from '../../lib/etag.js'
import { Type } from 'typebox'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { problemResponses } from '../../lib/problem.js'
import { IdempotencyHeaders } from '../idempotency/plugin.js'
import { requestContext } from '../../lib/command.js'
import { createPeriod, deletePeriod, reopenPeriodWindow, updatePeriod } from './commands.js'
import * as S from './schemas.js'
import { databaseNow, listPeriods, loadPeriod, toPeriodView } from './service.js'
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
      const row = await createPeriod(requestContext(request), request.body)
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
      const row = await updatePeriod(requestContext(request), {
        id: request.params.id,
        patch: request.body,
        ifMatch: request.headers['if-match'],
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
      const row = await reopenPeriodWindow(requestContext(request), { ...request.params, ...request.body })
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
      await deletePeriod(requestContext(request), { id: request.params.id, ifMatch: request.headers['if-match'] })
      return reply.code(204).send(null)
    },
  )
}

export default periodRoutes
