import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { eq } from 'drizzle-orm'
import { requestContext } from '../../lib/command.js'
import { versionEtag } from '../../lib/etag.js'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { msg } from '../../lib/i18n.js'
import { ProblemError, problemResponses } from '../../lib/problem.js'
import { isUnitInScope } from '../auth/scope.js'
import { IdempotencyHeaders } from '../idempotency/plugin.js'
import { AREA_NAMES } from '../instruments/domain/areas.js'
import { units } from '../units/tables.js'
import { addMonitoringNote, createAction, createActionsFromPlan, recordRealisation, updateAction } from './commands.js'
import { jakartaDate } from './rules.js'
import * as S from './schemas.js'
import { actionDetail, listActions, loadVisibleAction } from './service.js'
import { actionPlanSummary } from './summary.js'

const TAGS = ['actions']
const WRITERS = { policy: { roles: ['admin', 'unit_operator'] as const } }
const MONITORS = { policy: { roles: ['admin', 'evaluator'] as const } }
const READ_ROLES = { policy: { roles: ['admin', 'evaluator', 'unit_operator', 'viewer'] as const } }

/** A YYYY-MM-DD date taken as that day in Asia/Jakarta (noon WIB, so the date is the same there). */
const asOfDate = (date: string | undefined): Date => (date ? new Date(`${date}T12:00:00+07:00`) : new Date())
const OVERDUE_NOTE =
  'Overdue: the target date is before the as_of date (default today), both read in Asia/Jakarta (WIB), and the action is planned or in progress.'

/** /v1/actions: the rencana aksi of units, per period and area perubahan (docs/action-plans.md). */
const actionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'Add an action to a unit’s rencana aksi for a period',
        description:
          'Unit operators (of their units) and admins. Rules: the unit in your scope and active (422 unit_not_found / unit_archived); the period exists (422 period_not_found); area required unless question_code is given (422 area_required); question_code must be a question of the period’s LKE (422 question_not_found) and its area must agree with area (422 area_mismatch); pic_principal_id must exist (422 pic_principal_not_found). Emits action.created. Accepts Idempotency-Key.',
        operationId: 'createAction',
        headers: IdempotencyHeaders,
        body: S.CreateActionBody,
        response: { 201: S.ActionDetail, ...problemResponses(400, 401, 403, 409, 422) },
      },
      config: { ...WRITERS, idempotent: true },
    },
    async (request, reply) => {
      const view = await createAction(requestContext(request), request.body)
      return reply.code(201).header('location', `/v1/actions/${view.id}`).header('etag', versionEtag(view)).send(view)
    },
  )

  app.post(
    '/from-plan',
    {
      schema: {
        tags: TAGS,
        summary: 'Propose actions from the improvement plan of a stage (one per plan step, on its question)',
        description:
          'The plan is the one GET /v1/assessments/{id}/stages/{stage}/plan answers for the stage’s current answers (default options). Each step becomes a planned action on its question: the question’s area perubahan, its name as title, its kriteria nilai as description, its evidence guidance as expected output, the proposed answer in `plan`. A question that already has an action that is not cancelled is skipped (`skipped`), so running it again creates nothing (200). Emits action.created for each new action. Accepts Idempotency-Key.',
        operationId: 'createActionsFromPlan',
        headers: IdempotencyHeaders,
        body: S.FromPlanBody,
        response: { 200: S.FromPlanResult, 201: S.FromPlanResult, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: { ...WRITERS, idempotent: true },
    },
    async (request, reply) => {
      const outcome = await createActionsFromPlan(requestContext(request), request.body)
      return reply.code(outcome.created.length > 0 ? 201 : 200).send(outcome)
    },
  )

  app.get(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'List actions of the units in your scope',
        description: `Ordered by target date, then id. Filters: unit_id, period_id, area, status (repeat), question_code, overdue. ${OVERDUE_NOTE}`,
        operationId: 'listActions',
        querystring: S.ActionListQuery,
        response: { 200: S.ActionPage, ...problemResponses(400, 401, 403) },
      },
      config: READ_ROLES,
    },
    async (request, reply) => {
      const q = request.query
      return sendPage(
        request,
        reply,
        await listActions(app.db, request.principal, q, q.limit ?? DEFAULT_LIMIT, jakartaDate(asOfDate(q.as_of))),
      )
    },
  )

  app.get(
    '/summary',
    {
      schema: {
        tags: TAGS,
        summary: 'A unit’s rencana aksi for a period per area perubahan: counts by status, overdue, progress',
        description: `The six areas in the regulation’s order, zeros included. progress_percent is the mean of the non-cancelled actions’ latest monthly progress (an action without a realisation counts 0). ${OVERDUE_NOTE}`,
        operationId: 'getActionPlanSummary',
        querystring: S.SummaryQuery,
        response: { 200: S.SummaryView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READ_ROLES,
    },
    async (request) => {
      const q = request.query
      const [unit] = await app.db.select({ path: units.path }).from(units).where(eq(units.id, q.unit_id))
      if (!unit || !isUnitInScope(request.principal, unit.path)) {
        throw new ProblemError(404, 'unit_not_found', msg('actions:unit_not_found', { id: q.unit_id }))
      }
      const s = await actionPlanSummary(app.db, { unitId: q.unit_id, periodId: q.period_id, asOf: asOfDate(q.as_of) })
      return {
        unit_id: s.unitId,
        period_id: s.periodId,
        as_of: s.asOf,
        total: s.total,
        by_status: s.byStatus,
        overdue: s.overdue,
        areas: s.areas.map((a) => ({
          area: a.area,
          area_name: AREA_NAMES[a.area],
          total: a.total,
          done: a.done,
          overdue: a.overdue,
          cancelled: a.cancelled,
          progress_percent: a.progressPercent,
        })),
      }
    },
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read an action with its monthly realisation and the TPI’s monitoring notes',
        operationId: 'getAction',
        params: S.ActionIdParams,
        response: { 200: S.ActionDetail, ...problemResponses(400, 401, 403, 404) },
      },
      config: READ_ROLES,
    },
    async (request, reply) => {
      const { action } = await loadVisibleAction(app.db, request.principal, request.params.id)
      const view = await actionDetail(app.db, action, jakartaDate(new Date()))
      return reply.header('etag', versionEtag(view)).send(view)
    },
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change an action: its fields or its status (cancelling needs cancel_reason)',
        description:
          'Unit operators (of their units) and admins. Same rules as create for area and question_code; status cancelled needs cancel_reason (422 cancel_reason_required) and a cancel_reason needs status cancelled (422 cancel_reason_without_cancel). A patch that changes nothing answers the action as it is and leaves no audit record or event. Send If-Match to refuse lost updates (412). Emits action.updated.',
        operationId: 'updateAction',
        params: S.ActionIdParams,
        headers: S.IfMatchHeaders,
        body: S.PatchActionBody,
        response: { 200: S.ActionDetail, ...problemResponses(400, 401, 403, 404, 412, 422) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      const view = await updateAction(
        requestContext(request),
        { id: request.params.id, ifMatch: request.headers['if-match'] },
        request.body,
      )
      return reply.header('etag', versionEtag(view)).send(view)
    },
  )

  app.put(
    '/:id/realisations/:month',
    {
      schema: {
        tags: TAGS,
        summary: 'Record (or replace) the realisation of an action for a month: progress, narrative, evidence',
        description:
          'Unit operators (of their units) and admins. One realisation per month (YYYY-MM); sending the same again changes nothing. Evidence items name an evidence record of the same unit (422 evidence_not_found) or a url (422 evidence_source_missing). A planned action moves to in_progress with its first realisation. Send If-Match to refuse lost updates (412). Emits action.realisation_recorded.',
        operationId: 'recordActionRealisation',
        params: S.RealisationParams,
        headers: S.IfMatchHeaders,
        body: S.RealisationBody,
        response: { 200: S.ActionDetail, ...problemResponses(400, 401, 403, 404, 412, 422) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      const view = await recordRealisation(
        requestContext(request),
        { id: request.params.id, month: request.params.month, ifMatch: request.headers['if-match'] },
        request.body,
      )
      return reply.header('etag', versionEtag(view)).send(view)
    },
  )

  app.post(
    '/:id/monitoring-notes',
    {
      schema: {
        tags: TAGS,
        summary: 'Add the TPI’s monitoring note to an action',
        description:
          'Evaluators (the TPI, for the units in their scope) and admins; the note keeps its author and time. Emits action.monitoring_noted.',
        operationId: 'addActionMonitoringNote',
        params: S.ActionIdParams,
        headers: S.IfMatchHeaders,
        body: S.MonitoringNoteBody,
        response: { 201: S.ActionDetail, ...problemResponses(400, 401, 403, 404, 412, 422) },
      },
      config: MONITORS,
    },
    async (request, reply) => {
      const view = await addMonitoringNote(
        requestContext(request),
        { id: request.params.id, ifMatch: request.headers['if-match'] },
        request.body,
      )
      return reply.code(201).header('etag', versionEtag(view)).send(view)
    },
  )
}

export default actionRoutes
