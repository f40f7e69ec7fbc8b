import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { checkIfMatch, ifNoneMatchHits, versionEtag } from '../../lib/etag.js'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { READERS, UNIT_WRITERS, WORKERS } from '../../lib/policy.js'
import { problemResponses } from '../../lib/problem.js'
import { recordAudit } from '../audit/service.js'
import { emitEvent } from '../events/service.js'
import { stageEvent } from './events.js'
import { IdempotencyHeaders } from '../idempotency/plugin.js'
import { assertWindowOpen } from '../periods/service.js'
import { windowFor } from './rules.js'
import * as S from './schemas.js'
import {
  addComment,
  answerView,
  beforeViews,
  assertCanReadStage,
  assertCanWriteStage,
  assessmentView,
  checkAnswerClear,
  checkAnswerWrite,
  commentView,
  createAssessment,
  deleteAnswer,
  diffStages,
  findStageAnswer,
  listAssessments,
  listComments,
  listSnapshots,
  loadAssessment,
  loadDefinition,
  loadStage,
  stageAnswersInTreeOrder,
  stageScore,
  stageView,
  startStage,
  transitionStage,
  writeAnswers,
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
      const view = await app.db.transaction(async (tx) => {
        const created = await createAssessment(tx, request.principal, request.body)
        const v = await assessmentView(tx, created.assessment, created.unit.name)
        await recordAudit(tx, request, {
          action: 'assessment.created',
          entityType: 'assessment',
          entityId: v.id,
          before: null,
          after: v,
        })
        await emitEvent(tx, {
          type: 'assessment.created',
          unitId: v.unit_id,
          periodId: v.period_id,
          assessmentId: v.id,
          subject: { type: 'assessment', id: v.id },
          data: { assessment_id: v.id, stages: v.stages.map((s) => s.kind) },
          requestId: request.id,
        })
        return v
      })
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
      const stage = await app.db.transaction(async (tx) => {
        const { assessment } = await loadAssessment(tx, request.principal, request.params.id)
        const def = await loadDefinition(tx, assessment.instrumentVersionId)
        const started = await startStage(tx, { principal: request.principal, assessment, def }, request.body)
        await recordAudit(tx, request, {
          action: 'stage.started',
          entityType: 'assessment_stage',
          entityId: started.id,
          before: null,
          after: { ...stageView(started), copy_from: request.body.copy_from ?? null },
        })
        await emitEvent(
          tx,
          stageEvent('stage.started', assessment, started, { copy_from: request.body.copy_from ?? null }, request.id),
        )
        return started
      })
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
          'Changing an existing answer needs If-Match with its ETag (428 without, 412 when stale), so two evaluators never overwrite each other silently. A new answer needs no If-Match (or If-None-Match: *).',
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
      const { code } = request.params
      const result = await app.db.transaction(async (tx) => {
        const { assessment, unit } = await loadAssessment(tx, request.principal, request.params.id)
        const stage = await loadStage(tx, assessment.id, request.params.stage, { forUpdate: true })
        assertCanWriteStage(request.principal, stage)
        await assertWindowOpen(tx, assessment.periodId, windowFor(stage.kind, stage.status))
        const existing = await findStageAnswer(tx, stage.id, code)
        checkAnswerWrite(existing?.row, code, request.headers)
        const def = await loadDefinition(tx, assessment.instrumentVersionId)
        const body = request.body
        const { stage: updatedStage, written } = await writeAnswers(
          tx,
          { principal: request.principal, stage, def, unitPath: unit.path, assessment },
          [
            {
              question_code: code,
              value: body.value,
              ...(body.note !== undefined ? { note: body.note } : {}),
              ...(body.evidence_ids ? { evidence_ids: body.evidence_ids } : {}),
            },
          ],
          (_i, field) => (field === 'question_code' ? '/params/code' : `/body/${field}`),
        )
        const after = written[0]!
        await recordAudit(tx, request, {
          action: existing ? 'answer.updated' : 'answer.created',
          entityType: 'answer',
          entityId: after.row.id,
          before: existing ? answerView(existing) : null,
          after: { ...answerView(after), stage_id: stage.id },
        })
        await emitEvent(
          tx,
          stageEvent('answer.changed', assessment, updatedStage, { question_codes: [code] }, request.id),
        )
        return { answer: after, created: !existing }
      })
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
      await app.db.transaction(async (tx) => {
        const { assessment } = await loadAssessment(tx, request.principal, request.params.id)
        const stage = await loadStage(tx, assessment.id, request.params.stage, { forUpdate: true })
        assertCanWriteStage(request.principal, stage)
        await assertWindowOpen(tx, assessment.periodId, windowFor(stage.kind, stage.status))
        const { code } = request.params
        const existing = checkAnswerClear(await findStageAnswer(tx, stage.id, code), code, request.headers['if-match'])
        const updatedStage = await deleteAnswer(
          tx,
          stage,
          await loadDefinition(tx, assessment.instrumentVersionId),
          existing.row,
        )
        await recordAudit(tx, request, {
          action: 'answer.deleted',
          entityType: 'answer',
          entityId: existing.row.id,
          before: answerView(existing),
          after: null,
        })
        await emitEvent(
          tx,
          stageEvent('answer.changed', assessment, updatedStage, { question_codes: [code] }, request.id),
        )
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
          'Up to every question of the stage in one transaction. A 422 lists every failing item (JSON pointers into answers/<i>); nothing is written unless all pass. Send Idempotency-Key so a retried request replays the first response.',
        operationId: 'batchAnswers',
        params: S.StageParams,
        headers: IdempotencyHeaders,
        body: S.BatchBody,
        response: { 200: S.AnswersResponse, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      config: { ...WORKERS, idempotent: true },
      bodyLimit: 4 * 1024 * 1024,
    },
    async (request) => {
      return app.db.transaction(async (tx) => {
        const { assessment, unit } = await loadAssessment(tx, request.principal, request.params.id)
        const stage = await loadStage(tx, assessment.id, request.params.stage, { forUpdate: true })
        assertCanWriteStage(request.principal, stage)
        await assertWindowOpen(tx, assessment.periodId, windowFor(stage.kind, stage.status))
        const def = await loadDefinition(tx, assessment.instrumentVersionId)
        const {
          stage: updated,
          written,
          before,
        } = await writeAnswers(
          tx,
          { principal: request.principal, stage, def, unitPath: unit.path, assessment },
          request.body.answers,
          (i, field) => `/body/answers/${i}/${field}`,
        )
        await recordAudit(tx, request, {
          action: 'answers.batch_written',
          entityType: 'assessment_stage',
          entityId: stage.id,
          before: beforeViews(written, before),
          after: written.map(answerView),
        })
        await emitEvent(
          tx,
          stageEvent(
            'answer.changed',
            assessment,
            updated,
            { question_codes: written.map((w) => w.row.questionCode) },
            request.id,
          ),
        )
        return { stage: stageView(updated), answers: written.map(answerView) }
      })
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
      const stage = await app.db.transaction(async (tx) => {
        const { assessment } = await loadAssessment(tx, request.principal, request.params.id)
        const current = await loadStage(tx, assessment.id, request.params.stage, { forUpdate: true })
        checkIfMatch(request.headers['if-match'], current, 'stage')
        const def = await loadDefinition(tx, assessment.instrumentVersionId)
        const updated = await transitionStage(
          tx,
          { principal: request.principal, stage: current, def, assessment },
          request.body,
        )
        await recordAudit(tx, request, {
          action: `stage.${request.body.to}`,
          entityType: 'assessment_stage',
          entityId: current.id,
          before: stageView(current),
          after: {
            ...stageView(updated),
            reason: request.body.reason ?? null,
            comments: request.body.comments?.length ?? 0,
          },
        })
        await emitEvent(
          tx,
          stageEvent(
            `stage.${request.body.to}`,
            assessment,
            updated,
            { reason: request.body.reason ?? null },
            request.id,
          ),
        )
        return updated
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
      const comment = await app.db.transaction(async (tx) => {
        const { assessment } = await loadAssessment(tx, request.principal, request.params.id)
        const def = await loadDefinition(tx, assessment.instrumentVersionId)
        const row = await addComment(
          tx,
          { principal: request.principal, assessment, def },
          request.params.code,
          request.body.body,
        )
        await recordAudit(tx, request, {
          action: 'comment.created',
          entityType: 'question_comment',
          entityId: row.id,
          before: null,
          after: { question_code: row.questionCode, body: row.body, assessment_id: assessment.id },
        })
        return row
      })
      return reply.code(201).send(commentView(comment, null))
    },
  )
}

export default assessmentRoutes
