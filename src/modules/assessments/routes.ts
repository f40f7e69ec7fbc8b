import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { etagMatches, versionEtag } from '../../lib/etag.js'
import { and, asc, eq, gt, type SQL } from 'drizzle-orm'
import { Type } from 'typebox'
import { DEFAULT_LIMIT, decodeCursor, finishPage, nextLink } from '../../lib/pagination.js'
import { ProblemError, problemResponses } from '../../lib/problem.js'
import { recordAudit } from '../audit/service.js'
import { emitEvent, stageEvent } from '../events/service.js'
import { unitScopeCondition } from '../auth/scope.js'
import { scoreInstrument } from '../instruments/domain/index.js'
import { IdempotencyHeaders } from '../idempotency/plugin.js'
import { assertWindowOpen } from '../periods/service.js'
import { units } from '../units/tables.js'
import { diffAnswers, windowFor } from './rules.js'
import * as S from './schemas.js'
import {
  answerMap,
  answerView,
  assertCanReadStage,
  assertCanWriteStage,
  createAssessment,
  deleteAnswer,
  listStages,
  loadAssessment,
  loadDefinition,
  loadStage,
  stageScore,
  stageAnswers,
  stageView,
  startStage,
  transitionStage,
  writeAnswers,
  type AssessmentRow,
} from './service.js'
import { assessments, questionComments, stageSnapshots } from './tables.js'
import { WORKERS } from '../../lib/policy.js'
import { assertReturned } from '../../lib/returned.js'

const ALL = ['admin', 'evaluator', 'unit_operator', 'viewer', 'integration'] as const
const READERS = { policy: { roles: ALL } }
const TAGS = ['assessments']

async function assessmentView(db: Parameters<typeof listStages>[0], a: AssessmentRow, unitName: string) {
  const stages = await listStages(db, a.id)
  return {
    id: a.id,
    period_id: a.periodId,
    unit_id: a.unitId,
    unit_name: unitName,
    instrument_version_id: a.instrumentVersionId,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
    stages: stages.map(stageView),
  }
}

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
      config: { policy: { roles: ['admin', 'unit_operator'] as const }, idempotent: true },
    },
    async (request, reply) => {
      const view = await app.db.transaction(async (tx) => {
        const created = await createAssessment(tx, request.principal, request.body)
        const [unit] = await tx.select({ name: units.name }).from(units).where(eq(units.id, created.assessment.unitId))
        const v = await assessmentView(tx, created.assessment, unit?.name ?? '')
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
      const limit = request.query.limit ?? DEFAULT_LIMIT
      const conditions: (SQL | undefined)[] = [unitScopeCondition(request.principal, units.path)]
      if (request.query.period_id) conditions.push(eq(assessments.periodId, request.query.period_id))
      if (request.query.unit_id) conditions.push(eq(assessments.unitId, request.query.unit_id))
      if (request.query.cursor) conditions.push(gt(assessments.id, decodeCursor(request.query.cursor, 'id').id))
      const rows = await app.db
        .select({ assessment: assessments, unitName: units.name })
        .from(assessments)
        .innerJoin(units, eq(units.id, assessments.unitId))
        .where(and(...conditions))
        .orderBy(asc(assessments.id))
        .limit(limit + 1)
      const page = finishPage(rows, limit, 'id', (r) => ({ value: null, id: r.assessment.id }))
      const link = nextLink(request.url, page.next_cursor)
      if (link) reply.header('link', link)
      return {
        items: await Promise.all(page.items.map((r) => assessmentView(app.db, r.assessment, r.unitName))),
        next_cursor: page.next_cursor,
      }
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
        await tx.select({ id: assessments.id }).from(assessments).where(eq(assessments.id, assessment.id)).for('update')
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
      const inm = request.headers['if-none-match']
      if (inm && etagMatches(inm, versionEtag(stage))) return reply.code(304).send(null)
      return { stage: stageView(stage), answers: (await stageAnswers(app.db, stage.id)).map(answerView) }
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
        const existing = (await stageAnswers(tx, stage.id)).find((a) => a.row.questionCode === code)
        const ifMatch = request.headers['if-match']
        if (existing) {
          if (request.headers['if-none-match']?.trim() === '*')
            throw new ProblemError(
              412,
              'precondition_failed',
              `An answer to ${code} already exists (version ${existing.row.version}).`,
            )
          if (!ifMatch)
            throw new ProblemError(
              428,
              'precondition_required',
              `An answer to ${code} exists; send If-Match: ${versionEtag(existing.row)} (its ETag) to change it.`,
            )
          if (!etagMatches(ifMatch, versionEtag(existing.row))) {
            throw new ProblemError(
              412,
              'precondition_failed',
              `The answer to ${code} changed since you read it (now version ${existing.row.version}); read it again.`,
              { current_version: existing.row.version },
            )
          }
        } else if (ifMatch && ifMatch.trim() !== '*') {
          throw new ProblemError(412, 'precondition_failed', `There is no answer to ${code} yet for If-Match to match.`)
        }
        const def = await loadDefinition(tx, assessment.instrumentVersionId)
        const body = request.body
        const { stage: updatedStage, written } = await writeAnswers(
          tx,
          { principal: request.principal, stage, def, unitPath: unit.path },
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
        const existing = (await stageAnswers(tx, stage.id)).find((a) => a.row.questionCode === request.params.code)
        if (!existing) throw new ProblemError(404, 'answer_not_found', `There is no answer to ${request.params.code}.`)
        const ifMatch = request.headers['if-match']
        if (!ifMatch)
          throw new ProblemError(
            428,
            'precondition_required',
            `Send If-Match: ${versionEtag(existing.row)} to clear this answer.`,
          )
        if (!etagMatches(ifMatch, versionEtag(existing.row)))
          throw new ProblemError(412, 'precondition_failed', 'The answer changed since you read it.')
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
          stageEvent('answer.changed', assessment, updatedStage, { question_codes: [request.params.code] }, request.id),
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
        const before = new Map((await stageAnswers(tx, stage.id)).map((a) => [a.row.questionCode, answerView(a)]))
        const { stage: updated, written } = await writeAnswers(
          tx,
          { principal: request.principal, stage, def, unitPath: unit.path },
          request.body.answers,
          (i, field) => `/body/answers/${i}/${field}`,
        )
        await recordAudit(tx, request, {
          action: 'answers.batch_written',
          entityType: 'assessment_stage',
          entityId: stage.id,
          before: written.map(
            (w) => before.get(w.row.questionCode) ?? { question_code: w.row.questionCode, value: null },
          ),
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
        const ifMatch = request.headers['if-match']
        if (ifMatch && !etagMatches(ifMatch, versionEtag(current)))
          throw new ProblemError(
            412,
            'precondition_failed',
            `The stage changed since you read it (now version ${current.version}).`,
          )
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
      const rows = await app.db
        .select()
        .from(stageSnapshots)
        .where(eq(stageSnapshots.stageId, stage.id))
        .orderBy(asc(stageSnapshots.createdAt), asc(stageSnapshots.id))
      return {
        items: rows.map((r) => ({
          id: r.id,
          status: r.status,
          created_at: r.createdAt.toISOString(),
          total: (r.score as { total: number }).total,
          answers: r.answers,
        })),
      }
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
      const [a, b] = await Promise.all([stageAnswers(app.db, from.id), stageAnswers(app.db, to.id)])
      const scoreA = scoreInstrument(def, answerMap(a))
      const scoreB = scoreInstrument(def, answerMap(b))
      const valueIn = (score: typeof scoreA, code: string) =>
        score.questions.find((q) => q.code === code)?.value ?? null
      const changes = diffAnswers(
        a.map((x) => ({ questionCode: x.row.questionCode, value: x.row.value ?? null, note: x.row.note })),
        b.map((x) => ({ questionCode: x.row.questionCode, value: x.row.value ?? null, note: x.row.note })),
      ).map((c) => ({ ...c, from_value: valueIn(scoreA, c.question_code), to_value: valueIn(scoreB, c.question_code) }))
      return {
        from: { stage: from.kind, total: scoreA.total },
        to: { stage: to.kind, total: scoreB.total },
        total_effect: scoreB.total - scoreA.total,
        changes,
      }
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
      const stages = new Map((await listStages(app.db, assessment.id)).map((s) => [s.id, s.kind]))
      const rows = await app.db
        .select()
        .from(questionComments)
        .where(
          and(eq(questionComments.assessmentId, assessment.id), eq(questionComments.questionCode, request.params.code)),
        )
        .orderBy(asc(questionComments.createdAt), asc(questionComments.id))
      return {
        items: rows.map((c) => ({
          id: c.id,
          question_code: c.questionCode,
          stage: c.stageId ? (stages.get(c.stageId) ?? null) : null,
          author_name: c.authorName,
          author_role: c.authorRole,
          body: c.body,
          created_at: c.createdAt.toISOString(),
        })),
      }
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
        if (!def.nodes.some((n) => n.level === 'question' && n.code === request.params.code)) {
          throw new ProblemError(422, 'unknown_question', `The instrument has no question ${request.params.code}.`, {
            errors: [{ pointer: '/params/code', rule: 'unknown_question', message: 'no such question' }],
          })
        }
        const p = request.principal
        const [row] = await tx
          .insert(questionComments)
          .values({
            assessmentId: assessment.id,
            questionCode: request.params.code,
            authorId: p.principalId,
            authorName: p.name,
            authorRole: p.role,
            body: request.body.body,
          })
          .returning()
        assertReturned(row, 'insert')
        await recordAudit(tx, request, {
          action: 'comment.created',
          entityType: 'question_comment',
          entityId: row.id,
          before: null,
          after: { question_code: row.questionCode, body: row.body, assessment_id: assessment.id },
        })
        return row
      })
      return reply.code(201).send({
        id: comment.id,
        question_code: comment.questionCode,
        stage: null,
        author_name: comment.authorName,
        author_role: comment.authorRole,
        body: comment.body,
        created_at: comment.createdAt.toISOString(),
      })
    },
  )
}

export default assessmentRoutes
