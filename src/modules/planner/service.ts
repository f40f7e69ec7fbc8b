import { and, asc, eq, inArray, not } from 'drizzle-orm'
import type { Db } from '../../db/connection.js'
import { ProblemError } from '../../lib/problem.js'
import { answers, assessments } from '../assessments/tables.js'
import { loadDefinition } from '../instruments/cache.js'
import {
  evaluateEligibility,
  planImprovement,
  PlannerError,
  scoreInstrument,
  type AnswerValue,
  type InstrumentDefinition,
  type PlanOptions,
  type PlanResult,
  type PlanTarget,
  type ScoreResult,
} from '../instruments/domain/index.js'
import { stageMetrics } from '../dashboards/tables.js'

/** The plan, with a planner refusal as a 422 naming the option (or the rule) at fault. */
export function planOr422(
  def: InstrumentDefinition,
  answerSet: Record<string, AnswerValue>,
  target: PlanTarget,
  opts: PlanOptions,
  pointerPrefix: string,
): PlanResult {
  try {
    return planImprovement(def, answerSet, target, opts)
  } catch (error) {
    if (error instanceof PlannerError) {
      const pointer =
        error.code === 'plan_invalid_option' ? `${pointerPrefix}${error.pointer}` : `/definition${error.pointer}`
      throw new ProblemError(422, error.code, error.message, {
        errors: [{ pointer, rule: error.code, message: error.message }],
      })
    }
    throw error
  }
}

/** A stage's answers as the score read them (computed questions have none). */
export const answersOfScore = (score: ScoreResult): Record<string, AnswerValue> =>
  Object.fromEntries(
    score.questions.filter((q) => q.answer !== null && q.formula === undefined).map((q) => [q.code, q.answer]),
  )

/**
 * The fewest changes (default options) to meet WBK and WBBM, for the dashboards: 0 when met, null
 * when out of reach (or the version's rules are beyond the planner).
 */
export function planCounts(
  def: InstrumentDefinition,
  score: ScoreResult,
): { wbkChanges: number | null; wbbmChanges: number | null; planChecked: true } {
  const predicate = evaluateEligibility(def, score).predicate
  const count = (target: PlanTarget): number | null => {
    if (!def.predicateRules.some((r) => r.predicate === target)) return null
    try {
      const plan = planImprovement(def, answersOfScore(score), target)
      return plan.reachable ? plan.changes : null
    } catch (error) {
      if (error instanceof PlannerError) return null
      throw error
    }
  }
  return {
    wbkChanges: predicate === 'none' ? count('WBK') : 0,
    wbbmChanges: predicate === 'WBBM' ? 0 : count('WBBM'),
    planChecked: true,
  }
}

/**
 * Fills in the plan counts of stage_metrics rows written before migration 0013 (start-up; a no-op
 * afterwards). Several replicas may run it at once: each row's update is idempotent.
 */
export async function backfillPlanCounts(db: Db): Promise<number> {
  let done = 0
  for (;;) {
    const rows = await db
      .select({ stageId: stageMetrics.stageId, versionId: assessments.instrumentVersionId })
      .from(stageMetrics)
      .innerJoin(assessments, eq(assessments.id, stageMetrics.assessmentId))
      .where(not(stageMetrics.planChecked))
      .orderBy(asc(stageMetrics.stageId))
      .limit(200)
    if (rows.length === 0) return done
    const values = await db
      .select({ stageId: answers.stageId, code: answers.questionCode, value: answers.value })
      .from(answers)
      .where(
        inArray(
          answers.stageId,
          rows.map((r) => r.stageId),
        ),
      )
    const byStage = new Map<string, Record<string, AnswerValue>>()
    for (const v of values) {
      const set = byStage.get(v.stageId) ?? {}
      set[v.code] = (v.value ?? null) as AnswerValue
      byStage.set(v.stageId, set)
    }
    for (const row of rows) {
      const def = await loadDefinition(db, row.versionId)
      const counts = planCounts(def, scoreInstrument(def, byStage.get(row.stageId) ?? {}))
      await db
        .update(stageMetrics)
        .set(counts)
        .where(and(eq(stageMetrics.stageId, row.stageId), not(stageMetrics.planChecked)))
    }
    done += rows.length
  }
}
