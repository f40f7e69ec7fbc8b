import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../../lib/command.js'
import { versionEtag } from '../../lib/etag.js'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { problemResponses } from '../../lib/problem.js'
import { IdempotencyHeaders } from '../idempotency/plugin.js'
import * as S from './schemas.js'
import { createDeclaration, declareMany, transitionDeclaration, updateDeclaration } from './commands.js'
import { ProblemError } from '../../lib/problem.js'
import {
  listDeclarations,
  loadHistory,
  loadVisibleDeclaration,
  toDeclarationView,
  toTransitionView,
} from './service.js'
import { READERS, UNIT_WRITERS as WRITERS } from '../../lib/policy.js'
import { msg } from '../../lib/i18n.js'

const TAGS = ['declarations']

const declarationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'Declare a unit’s ZI target for a period (pencanangan)',
        description:
          'Rules: the unit must be in the caller’s scope, active, and an OPD or unit kerja (422 unit_not_found / unit_archived / unit_kind_not_eligible); the period must exist (422 period_not_found); one declaration per unit and period (409 declaration_exists); WBBM needs a WBK (or WBBM) designation of the unit in an earlier period (422 wbbm_requires_wbk); each document needs a url or an evidence_id of the same unit (422 document_source_missing / evidence_not_found). Accepts Idempotency-Key.',
        operationId: 'createDeclaration',
        headers: IdempotencyHeaders,
        body: S.CreateDeclarationBody,
        response: { 201: S.DeclarationDetail, ...problemResponses(400, 401, 403, 409, 422) },
      },
      config: { ...WRITERS, idempotent: true },
    },
    async (request, reply) => {
      const { declaration: row, history } = await createDeclaration(requestContext(request), request.body)
      return reply
        .code(201)
        .header('location', `/v1/declarations/${row.id}`)
        .header('etag', versionEtag(row))
        .send({ ...toDeclarationView(row, request.principal), history: history.map(toTransitionView) })
    },
  )

  app.post(
    '/batch',
    {
      schema: {
        tags: TAGS,
        summary: 'Mass pencanangan: declare ZI for many units of a period at once (all or nothing)',
        description:
          'One request for the ceremony where every OPD signs the piagam and the pakta integritas: each unit with its target, one date, the shared documents (on every declaration, before the unit’s own) and notes. Each unit is checked and written exactly as POST /v1/declarations would (scope, active OPD or unit kerja, one declaration per unit and period, WBBM needs WBK, documents), with its own audit record and declaration.created event. Every unit is checked, not only up to the first refusal: when any is refused nothing is written and the answer is 422 declarations_refused with each unit’s verdict in `units` (a refused unit’s `problem` is what the single call answers, its pointers under /body/units/<i>/ or /body/documents/<j> for a shared document) and the same pointers in `errors`. dry_run=true answers 200 with the verdicts and writes nothing. Applied: 201 with each declaration’s id. Accepts Idempotency-Key.',
        operationId: 'declareMany',
        headers: IdempotencyHeaders,
        body: S.DeclareManyBody,
        response: {
          200: S.DeclareManyResult,
          201: S.DeclareManyResult,
          ...problemResponses(400, 401, 403, 409, 422),
        },
      },
      config: { ...WRITERS, idempotent: true },
    },
    async (request, reply) => {
      const outcome = await declareMany(requestContext(request), request.body)
      const refused = outcome.verdicts.filter((v) => v.verdict === 'refused')
      if (outcome.refused && !outcome.dryRun) {
        throw new ProblemError(
          422,
          'declarations_refused',
          msg('declarations:declarations_refused', {
            refusedCount: refused.length,
            verdictsCount: outcome.verdicts.length,
            first: refused[0]?.code ?? refused[0]?.unit_id,
            code: refused[0]?.problem?.code,
          }),
          { units: outcome.verdicts, errors: refused.flatMap((v) => v.problem?.errors ?? []) },
        )
      }
      return reply.code(outcome.dryRun ? 200 : 201).send({
        dry_run: outcome.dryRun,
        period_id: request.body.period_id,
        declared: outcome.verdicts.length - refused.length,
        refused: refused.length,
        units: outcome.verdicts,
      })
    },
  )

  app.get(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'List declarations of units in the caller’s scope',
        description:
          'Ordered by updated_at then id; use updated_since for incremental sync. status may repeat: status=proposed&status=evaluated.',
        operationId: 'listDeclarations',
        querystring: S.DeclarationListQuery,
        response: { 200: S.DeclarationPage, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request, reply) => {
      return sendPage(
        request,
        reply,
        await listDeclarations(app.db, request.principal, request.query, request.query.limit ?? DEFAULT_LIMIT),
      )
    },
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read a declaration with its history',
        operationId: 'getDeclaration',
        params: S.DeclarationIdParams,
        response: { 200: S.DeclarationDetail, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const { declaration } = await loadVisibleDeclaration(app.db, request.principal, request.params.id)
      const history = await loadHistory(app.db, declaration.id)
      return reply
        .header('etag', versionEtag(declaration))
        .send({ ...toDeclarationView(declaration, request.principal), history: history.map(toTransitionView) })
    },
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change a declaration (only while declared or building)',
        description:
          '409 declaration_locked once proposed. Same rules as create for target and documents. Send If-Match to refuse lost updates (412).',
        operationId: 'updateDeclaration',
        params: S.DeclarationIdParams,
        headers: S.IfMatchHeaders,
        body: S.PatchDeclarationBody,
        response: { 200: S.DeclarationView, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      const row = await updateDeclaration(
        requestContext(request),
        { id: request.params.id, ifMatch: request.headers['if-match'] },
        request.body,
      )
      return reply.header('etag', versionEtag(row)).send(toDeclarationView(row, request.principal))
    },
  )

  app.post(
    '/:id/transitions',
    {
      schema: {
        tags: TAGS,
        summary: 'Move a declaration along its lifecycle',
        description:
          'declared → building → proposed → evaluated → designated | not_designated (also proposed → not_designated); designated → revoked. A step the lifecycle does not allow: 409 invalid_transition with `allowed` (the next states). This endpoint makes the plain move declared → building (admin or unit operator); later steps need their record (409 record_required for the admin, 403 transition_forbidden for others): propose with POST /v1/periods/{period_id}/proposals, then the /v1/declarations/{id}/proposal/… records. The reason is kept in the history.',
        operationId: 'transitionDeclaration',
        params: S.DeclarationIdParams,
        headers: S.IfMatchHeaders,
        body: S.TransitionBody,
        response: { 200: S.DeclarationDetail, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      const { declaration: row, history } = await transitionDeclaration(
        requestContext(request),
        { id: request.params.id, ifMatch: request.headers['if-match'] },
        request.body,
      )
      return reply
        .header('etag', versionEtag(row))
        .send({ ...toDeclarationView(row, request.principal), history: history.map(toTransitionView) })
    },
  )
}

export default declarationRoutes
