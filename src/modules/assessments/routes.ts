import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ifNoneMatchHits, versionEtag } from '../../lib/etag.js'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { READERS, UNIT_WRITERS, WORKERS } from '../../lib/policy.js'
import { problemResponses } from '../../lib/problem.js'
import { IdempotencyHeaders } from '../idempotency/plugin.js'
import { requestContext } from '../../lib/command.js'
import {
  clearAnswer,
  commentOnQuestion,
  moveStage,
  openAssessment,
  openStage,
  putAnswer,
  writeStageAnswers,
} from './commands.js'
import * as S from './schemas.js'
import {
  answerView,
  writeReport,
  assertCanReadStage,
  assessmentView,
  commentView,
  diffStages,
  listAssessments,
  listComments,
  listSnapshots,
  loadAssessment,
  loadDefinition,
  loadStage,
  stageAnswersInTreeOrder,
  stageScore,
  stageView,
} from './service.js'

const TAGS = ['assessments']

const assessmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'Open the assessment of a unit in a period (with its self stage as a draft)',
        operationId: 'createAssessment',
        body: S.CreateAssessmentBody,
        headers: IdempotencyHeaders,
        response: { 201: Type.Ref('Assessment'), ...problemResponses(400, 401, 403, 409, 422) },
      },
      config: { ...UNIT_WRITERS, idempotent: true },
    },
    async (request, reply) => {
      const view = await openAssessment(requestContext(request), request.body)
      return reply.code(201).header('location', `/v1/assessments/${view.id}`).send(view)
    },
  )

  app.get(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'List assessments in scope',
        operationId: 'listAssessments',
        querystring: S.AssessmentListQuery,
        response: { 200: S.AssessmentPage, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const query = { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }
      return sendPage(request, reply, await listAssessments(app.db, request.principal, query))
    },
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read an assessment and its stages',
        operationId: 'getAssessment',
        params: S.AssessmentParams,
        response: { 200: Type.Ref('Assessment'), ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const { assessment, unit } = await loadAssessment(app.db, request.principal, request.params.id)
      return assessmentView(app.db, assessment, unit.name)
    },
  )

  app.post(
    '/:id/stages',
    {
      schema: {
        tags: TAGS,
        summary: 'Start a stage (tpi, tpn, sanggah), optionally copying an earlier stage’s answers',
        operationId: 'startStage',
        params: S.AssessmentParams,
        body: S.StartStageBody,
        response: { 201: Type.Ref('Stage'), ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      config: WORKERS,
    },
    async (request, reply) => {
      const stage = await openStage(requestContext(request), { assessmentId: request.params.id, ...request.body })
      return reply.code(201).header('etag', versionEtag(stage)).send(stageView(stage))
    },
  )

  app.get(
    '/:id/stages/:stage/answers',
    {
      schema: {
        tags: TAGS,
        summary: 'All answers of a stage',
        operationId: 'listAnswers',
        params: S.StageParams,
        headers: Type.Object({ 'if-none-match': Type.Optional(Type.String()) }),
        response: {
          200: S.AnswersResponse,
          304: Type.Null({ description: 'unchanged since the ETag' }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
      config: READERS,
    },
    async (request, reply) => {
      const { assessment } = await loadAssessment(app.db, request.principal, request.params.id)
      const stage = await loadStage(app.db, assessment.id, request.params.stage)
      assertCanReadStage(request.principal, stage)
      reply.header('etag', versionEtag(stage))
      if (ifNoneMatchHits(request.headers['if-none-match'], versionEtag(stage))) return reply.code(304).send(null)
      const def = await loadDefinition(app.db, assessment.instrumentVersionId)
      return {
        stage: stageView(stage),
        answers: (await stageAnswersInTreeOrder(app.db, def, stage.id)).map(answerView),
      }
    },
  )

  app.put(
    '/:id/stages/:stage/answers/:code',
    {
      schema: {
        tags: TAGS,
        summary: 'Write one answer',
        description:
          'Changing an existing answer needs If-Match with its ETag (428 without, 412 when stale), so two evaluators never overwrite each other silently. A new answer needs no If-Match (or If-None-Match: *). The same value, note, recommendation (tpi stages) and evidence again changes nothing: 200 with the answer as stored, no version moves, no audit record or event (with nothing stored and nothing to store, 200 with version 0: no answer exists).',
        operationId: 'putAnswer',
        params: S.AnswerParams,
        headers: Type.Object({
          'if-match': Type.Optional(Type.String()),
          'if-none-match': Type.Optional(Type.String()),
        }),
        body: S.PutAnswerBody,
        response: {
          200: Type.Ref('Answer'),
          201: Type.Ref('Answer'),
          ...problemResponses(400, 401, 403, 404, 409, 412, 422, 428),
        },
      },
      config: WORKERS,
    },
    async (request, reply) => {
      const { id, stage, code } = request.params
      const result = await putAnswer(requestContext(request), {
        assessmentId: id,
        stage,
        code,
        ...request.body,
        ifMatch: request.headers['if-match'],
        ifNoneMatch: request.headers['if-none-match'],
      })
      if (!result.answer) {
        // nothing stored and nothing to store: no answer exists, none was made
        return reply.code(200).send({
          question_code: code,
          value: null,
          note: null,
          evidence_ids: [],
          updated_at: result.stage.updatedAt.toISOString(),
          updated_by: null,
          version: 0,
        })
      }
      return reply
        .code(result.created ? 201 : 200)
        .header('etag', versionEtag(result.answer.row))
        .send(answerView(result.answer))
    },
  )

  app.delete(
    '/:id/stages/:stage/answers/:code',
    {
      schema: {
        tags: TAGS,
        summary: 'Clear one answer (If-Match required)',
        operationId: 'deleteAnswer',
        params: S.AnswerParams,
        headers: S.IfMatchHeaders,
        response: {
          204: Type.Null({ description: 'cleared' }),
          ...problemResponses(400, 401, 403, 404, 409, 412, 428),
        },
      },
      config: WORKERS,
    },
    async (request, reply) => {
      await clearAnswer(requestContext(request), {
        assessmentId: request.params.id,
        stage: request.params.stage,
        code: request.params.code,
        ifMatch: request.headers['if-match'],
      })
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/:id/stages/:stage/answers/batch',
    {
      schema: {
        tags: TAGS,
        summary: 'Write many answers at once: all or nothing',
        description:
          'Up to every question of the stage in one transaction. A 422 lists every failing item (JSON pointers into answers/<i>); nothing is written unless all pass. An item that changes nothing (the same value, note, recommendation and evidence; an empty note or recommendation is none) is not written and its expected_version not checked; when no item changes anything the write leaves no trace (no answer or stage version moves, no audit record, no event or webhook). The reply lists the written answers, `unchanged` and the `diff` (from what to what). dry_run=true checks everything and returns the diff without writing. Send Idempotency-Key so a retried request replays the first response.',
        operationId: 'batchAnswers',
        params: S.StageParams,
        querystring: S.DryRunQuery,
        headers: IdempotencyHeaders,
        body: S.BatchBody,
        response: { 200: S.BatchResponse, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      config: { ...WORKERS, idempotent: true },
      bodyLimit: 4 * 1024 * 1024,
    },
    async (request) => {
      const result = await writeStageAnswers(requestContext(request), {
        assessmentId: request.params.id,
        stage: request.params.stage,
        items: request.body.answers,
        dryRun: request.query.dry_run ?? false,
      })
      return writeReport(result)
    },
  )

  app.post(
    '/:id/stages/:stage/transitions',
    {
      schema: {
        tags: TAGS,
        summary: 'Submit, return (with per-question comments) or approve a stage',
        description:
          'Submitting is the writers’ act (self: unit operator; tpi: evaluator); returning and approving the reviewers’. An approved stage is locked. Submits and approvals freeze a snapshot of answers and score.',
        operationId: 'transitionStage',
        params: S.StageParams,
        headers: S.IfMatchHeaders,
        body: S.TransitionBody,
        response: { 200: Type.Ref('Stage'), ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      config: WORKERS,
    },
    async (request) => {
      const stage = await moveStage(requestContext(request), {
        assessmentId: request.params.id,
        stage: request.params.stage,
        ...request.body,
        ifMatch: request.headers['if-match'],
      })
      return stageView(stage)
    },
  )

  app.get(
    '/:id/stages/:stage/score',
    {
      schema: {
        tags: TAGS,
        summary: 'The stage’s score (explain=true for every node and question) and WBK/WBBM eligibility',
        operationId: 'getStageScore',
        params: S.StageParams,
        querystring: S.ScoreQuery,
        response: { 200: Type.Ref('Score'), ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const { assessment } = await loadAssessment(app.db, request.principal, request.params.id)
      const stage = await loadStage(app.db, assessment.id, request.params.stage)
      assertCanReadStage(request.principal, stage)
      const def = await loadDefinition(app.db, assessment.instrumentVersionId)
      reply.header('etag', versionEtag(stage))
      return stageScore(app.db, def, stage.id, request.query.explain ?? false)
    },
  )

  app.get(
    '/:id/stages/:stage/snapshots',
    {
      schema: {
        tags: TAGS,
        summary: 'The frozen copies taken at each submit and approval',
        operationId: 'listStageSnapshots',
        params: S.StageParams,
        response: { 200: S.SnapshotList, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const { assessment } = await loadAssessment(app.db, request.principal, request.params.id)
      const stage = await loadStage(app.db, assessment.id, request.params.stage)
      assertCanReadStage(request.principal, stage)
      return { items: await listSnapshots(app.db, stage.id) }
    },
  )

  app.get(
    '/:id/diff',
    {
      schema: {
        tags: TAGS,
        summary: 'What changed between two stages (e.g. from=self&to=tpi), with the score effect',
        operationId: 'diffStages',
        params: S.AssessmentParams,
        querystring: S.DiffQuery,
        response: { 200: S.DiffView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const { assessment } = await loadAssessment(app.db, request.principal, request.params.id)
      const [from, to] = await Promise.all([
        loadStage(app.db, assessment.id, request.query.from),
        loadStage(app.db, assessment.id, request.query.to),
      ])
      assertCanReadStage(request.principal, from)
      assertCanReadStage(request.principal, to)
      const def = await loadDefinition(app.db, assessment.instrumentVersionId)
      return diffStages(app.db, def, from, to)
    },
  )

  app.get(
    '/:id/questions/:code/comments',
    {
      schema: {
        tags: TAGS,
        summary: 'The comment thread on one question',
        operationId: 'listQuestionComments',
        params: S.QuestionParams,
        response: { 200: S.CommentList, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const { assessment } = await loadAssessment(app.db, request.principal, request.params.id)
      return { items: await listComments(app.db, assessment.id, request.params.code) }
    },
  )

  app.post(
    '/:id/questions/:code/comments',
    {
      schema: {
        tags: TAGS,
        summary: 'Add to the comment thread on one question (unit and evaluators)',
        operationId: 'addQuestionComment',
        params: S.QuestionParams,
        body: S.CommentBody,
        response: { 201: S.CommentView, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: WORKERS,
    },
    async (request, reply) => {
      const comment = await commentOnQuestion(requestContext(request), {
        assessmentId: request.params.id,
        code: request.params.code,
        body: request.body.body,
      })
      return reply.code(201).send(commentView(comment, null))
    },
  )
}

export default assessmentRoutes
