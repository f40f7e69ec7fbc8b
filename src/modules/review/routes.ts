import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext } from '../../lib/command.js'
import { ifNoneMatchHits, versionEtag } from '../../lib/etag.js'
import { READERS } from '../../lib/policy.js'
import { problemResponses } from '../../lib/problem.js'
import { StageParams } from '../assessments/schemas.js'
import { putStageReview } from './commands.js'
import * as S from './schemas.js'
import { readReview } from './service.js'

const TAGS = ['assessments']
/** The TPI's writers: evaluators and admins (a unit operator reads the review once the stage is submitted). */
const EVALUATORS = { policy: { roles: ['admin', 'evaluator'] as const } }

/** …/stages/{stage}/review under /v1/assessments (src/routes/index.ts assessmentsHome). */
const reviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id/stages/:stage/review',
    {
      schema: {
        tags: TAGS,
        summary:
          'The TPI’s review of a stage: per area its conclusion and recommendations, per question its note and recommendation',
        description:
          'Only a tpi stage is reviewed (422 review_not_for_stage for the others). The six areas come in the regulation’s order, empty ones included; `questions` lists the answers with a note (catatan) or a recommendation (rekomendasi). A unit operator sees it once the tpi stage is submitted (404 while a draft). ETag: the review’s version.',
        operationId: 'getStageReview',
        params: StageParams,
        headers: Type.Object({ 'if-none-match': Type.Optional(Type.String()) }),
        response: {
          200: S.ReviewView,
          304: Type.Null({ description: 'unchanged since the ETag' }),
          ...problemResponses(400, 401, 403, 404, 422),
        },
      },
      config: READERS,
    },
    async (request, reply) => {
      const view = await readReview(app.db, request.principal, request.params.id, request.params.stage)
      const etag = versionEtag(view)
      reply.header('etag', etag)
      if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send(null)
      return view
    },
  )

  app.put(
    '/:id/stages/:stage/review',
    {
      schema: {
        tags: TAGS,
        summary: 'Write the TPI’s conclusion and recommendations of areas of a tpi stage',
        description:
          'The stage’s writers (evaluators, admins) while the tpi stage is a draft or returned and its window is open (403, 409 stage_locked, 422 window_closed otherwise). Areas left out keep theirs, and so do fields left out; an area that changes nothing is not written, and when none changes the write leaves no trace (no version moves, no audit record, no event). If-Match (optional): the review’s ETag you read ("0" before the first write), 412 when it changed since. Each change is audited (stage.review_updated) and emits stage.review_changed. The per-question recommendations are written with the answers (`recommendation` on PUT …/answers/{code} and the batch route).',
        operationId: 'putStageReview',
        params: StageParams,
        querystring: S.ReviewQuery,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: S.ReviewBody,
        response: { 200: S.ReviewWriteView, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      config: EVALUATORS,
    },
    async (request, reply) => {
      const result = await putStageReview(requestContext(request), {
        assessmentId: request.params.id,
        stage: request.params.stage,
        areas: request.body.areas,
        ifMatch: request.headers['if-match'],
        dryRun: request.query.dry_run ?? false,
      })
      return reply.header('etag', versionEtag(result.view)).send({
        ...result.view,
        dry_run: result.dryRun,
        changed: result.outcome.changes.map((c) => c.area),
        diff: result.outcome.changes,
      })
    },
  )
}

export default reviewRoutes
