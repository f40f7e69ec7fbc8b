import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { and, asc, count, eq, isNotNull, isNull, ne } from 'drizzle-orm'
import { problemResponses } from '../../lib/problem.js'
import { assertCanReadStage, loadAssessment, loadStage, stageAnswerValues } from '../assessments/service.js'
import { loadDefinition } from '../instruments/cache.js'
import { assertAnswersValid } from '../instruments/score-view.js'
import { loadVersion } from '../instruments/service.js'
import { IdParams } from '../instruments/schemas.js'
import { StageParams } from '../assessments/schemas.js'
import { assertStageVisible, loadPeriodOr404, resolveScope } from '../dashboards/service.js'
import { PeriodParams } from '../dashboards/schemas.js'
import { stageMetrics } from '../assessments/metrics-table.js'
import { units } from '../units/tables.js'
import { assessments } from '../assessments/tables.js'
import * as S from './schemas.js'
import { computePlanCounts, planOr422 } from './service.js'

const ALL = ['admin', 'evaluator', 'unit_operator', 'viewer', 'integration'] as const
const SCORERS = ['admin', 'evaluator', 'unit_operator', 'viewer'] as const

/** The stage's plan: GET /v1/assessments/{id}/stages/{stage}/plan. */
export const stagePlanRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id/stages/:stage/plan',
    {
      schema: {
        tags: ['assessments'],
        summary:
          'The path to WBK or WBBM: the fewest answer changes for the stage’s current answers, with the evidence each needs',
        description:
          'Read-only. The plan meets every rule of the target once applied (re-scored by the scoring engine); when no change of the answers the unit controls can, `reachable` is false and `unreachable` names the rules. Fixed by default: survey indices, Hasil questions, answered ratio denominators (override with `fixed`, repeated).',
        operationId: 'getStagePlan',
        params: StageParams,
        querystring: S.StagePlanQuery,
        response: { 200: S.StagePlanView, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: { policy: { roles: ALL } },
    },
    async (request) => {
      const { assessment } = await loadAssessment(app.db, request.principal, request.params.id)
      const stage = await loadStage(app.db, assessment.id, request.params.stage)
      assertCanReadStage(request.principal, stage)
      const [def, answerSet] = await Promise.all([
        loadDefinition(app.db, assessment.instrumentVersionId),
        stageAnswerValues(app.db, stage.id),
      ])
      const q = request.query
      const plan = planOr422(
        def,
        answerSet,
        q.target,
        {
          ...(q.fixed ? { fixed: q.fixed } : {}),
          ...(q.max_changes !== undefined ? { maxChanges: q.max_changes } : {}),
        },
        '/query',
      )
      return { assessment_id: assessment.id, stage: stage.kind, stage_status: stage.status, plan }
    },
  )
}

/** What-if: POST /v1/instruments/{id}/plan with posted answers. */
export const instrumentPlanRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/:id/plan',
    {
      schema: {
        tags: ['instruments'],
        summary: 'Plan the fewest answer changes to reach WBK or WBBM for posted answers (what-if, nothing stored)',
        description:
          'Answers are checked as for …/score (422 answers_invalid). `costs` makes the plan the least total cost; `max_changes` caps it.',
        operationId: 'planInstrument',
        params: IdParams,
        body: S.PlanBody,
        response: { 200: S.PlanView, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: { policy: { roles: SCORERS } },
    },
    async (request) => {
      const row = await loadVersion(app.db, request.params.id)
      const b = request.body
      assertAnswersValid(row.definition, b.answers, '/body/answers')
      return planOr422(
        row.definition,
        b.answers,
        b.target,
        {
          ...(b.fixed ? { fixed: b.fixed } : {}),
          ...(b.costs ? { costs: b.costs } : {}),
          ...(b.max_changes !== undefined ? { maxChanges: b.max_changes } : {}),
        },
        '/body',
      )
    },
  )
}

/** GET /v1/dashboards/periods/{period_id}/closest-by-changes: units ranked by the changes they need. */
export const planDashboardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/periods/:period_id/closest-by-changes',
    {
      schema: {
        tags: ['dashboards'],
        summary:
          'Units ranked by the number of answer changes they need to reach WBK or WBBM ("3 questions from WBK"), then by points short',
        description:
          'From the planner’s counts kept with each stage’s metrics (default options: survey indices and Hasil fixed, cost 1 per question).',
        operationId: 'listClosestByChanges',
        params: PeriodParams,
        querystring: S.ByChangesQuery,
        response: { 200: S.ByChangesView, ...problemResponses(400, 401, 403, 404) },
      },
      config: { policy: { roles: ALL } },
    },
    async (request) => {
      const period = await loadPeriodOr404(app.db, request.params.period_id)
      const stage = request.query.stage ?? 'self'
      assertStageVisible(request.principal, stage)
      const scope = await resolveScope(app.db, request.principal, request.query.unit_id)
      const target = request.query.target
      const changes = target === 'WBK' ? stageMetrics.wbkChanges : stageMetrics.wbbmChanges
      const short = target === 'WBK' ? stageMetrics.wbkShort : stageMetrics.wbbmShort
      const notThere = target === 'WBK' ? eq(stageMetrics.predicate, 'none') : ne(stageMetrics.predicate, 'WBBM')
      const base = and(
        eq(stageMetrics.periodId, period.id),
        eq(stageMetrics.kind, stage),
        notThere,
        scope.pathCondition,
      )
      const limit = request.query.limit ?? 20
      const unit = { id: units.id, code: units.code, name: units.name, kind: units.kind }
      const m = {
        stageId: stageMetrics.stageId,
        assessmentId: stageMetrics.assessmentId,
        status: stageMetrics.status,
        total: stageMetrics.total,
        changes,
        short,
      }
      // A read never writes: stages written since the plan worker's last round are planned here,
      // in memory, so an answer is never missing from the ranking; the worker stores them.
      const [stored, [unreachable], pending] = await Promise.all([
        app.db
          .select({ m, unit })
          .from(stageMetrics)
          .innerJoin(units, eq(units.id, stageMetrics.unitId))
          .where(and(base, eq(stageMetrics.planChecked, true), isNotNull(changes)))
          .orderBy(asc(changes), asc(short), asc(stageMetrics.stageId))
          .limit(limit),
        app.db
          .select({ n: count() })
          .from(stageMetrics)
          .innerJoin(units, eq(units.id, stageMetrics.unitId))
          .where(and(base, isNull(changes), eq(stageMetrics.planChecked, true))),
        app.db
          .select({ m, unit, versionId: assessments.instrumentVersionId })
          .from(stageMetrics)
          .innerJoin(units, eq(units.id, stageMetrics.unitId))
          .innerJoin(assessments, eq(assessments.id, stageMetrics.assessmentId))
          .where(and(base, eq(stageMetrics.planChecked, false))),
      ])
      const computed = await computePlanCounts(
        app.db,
        pending.map((p) => ({ stageId: p.m.stageId, versionId: p.versionId })),
      )
      let outOfReach = unreachable?.n ?? 0
      const planned = pending.flatMap((p) => {
        const c = computed.get(p.m.stageId)!
        const n = target === 'WBK' ? c.wbkChanges : c.wbbmChanges
        if (n === null) {
          outOfReach++
          return []
        }
        return [{ m: { ...p.m, changes: n }, unit: p.unit }]
      })
      const rows = [...stored, ...planned]
        .sort(
          (x, y) =>
            (x.m.changes as number) - (y.m.changes as number) ||
            x.m.short - y.m.short ||
            (x.m.stageId < y.m.stageId ? -1 : x.m.stageId > y.m.stageId ? 1 : 0),
        )
        .slice(0, limit)
      return {
        period_id: period.id,
        target,
        stage,
        items: rows.map(({ m, unit }) => ({
          unit,
          assessment_id: m.assessmentId,
          stage_status: m.status,
          total: m.total,
          changes: m.changes as number,
          points_short: m.short,
          label: `${m.changes} question${m.changes === 1 ? '' : 's'} from ${target}`,
        })),
        out_of_reach: outOfReach,
      }
    },
  )
}
