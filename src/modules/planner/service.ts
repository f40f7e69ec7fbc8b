import { and, asc, eq, inArray, not, sql } from 'drizzle-orm'
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
import { stageMetrics } from '../assessments/metrics-table.js'

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
 * The plan counts (default options) of stages from their stored answers, computed in memory:
 * the worker stores them, a dashboard read uses them for the stages the worker has not reached.
 */
export async function computePlanCounts(
  db: Db,
  stages: readonly { stageId: string; versionId: string }[],
): Promise<Map<string, ReturnType<typeof planCounts>>> {
  const out = new Map<string, ReturnType<typeof planCounts>>()
  if (stages.length === 0) return out
  const values = await db
    .select({ stageId: answers.stageId, code: answers.questionCode, value: answers.value })
    .from(answers)
    .where(
      inArray(
        answers.stageId,
        stages.map((r) => r.stageId),
      ),
    )
  const byStage = new Map<string, Record<string, AnswerValue>>()
  for (const v of values) {
    const set = byStage.get(v.stageId) ?? {}
    set[v.code] = (v.value ?? null) as AnswerValue
    byStage.set(v.stageId, set)
  }
  for (const stage of stages) {
    const def = await loadDefinition(db, stage.versionId)
    out.set(stage.stageId, planCounts(def, scoreInstrument(def, byStage.get(stage.stageId) ?? {}, { explain: false })))
  }
  return out
}

/**
 * Computes the plan counts of stage_metrics rows whose answers changed since (plan_checked false:
 * every write clears it, so the planner's ~5 ms a write (both targets) stays off the write path). The
 * plan worker (src/workers) runs it every second and once at start; reads never write: they
 * compute the rows still pending in memory (computePlanCounts). Several replicas may run it at once: a row is only updated while its stage is at
 * the version whose answers were planned, so a write that lands meanwhile leaves it pending for the
 * next round instead of being overwritten by an older plan. Returns the rows filled.
 */
export async function refreshPlanCounts(
  db: Db,
  opts: {
    periodId?: string
    maxRounds?: number
    /** leave rows written in the last `quietMs`: a script writing a stage batch after batch is planned once it stops */
    quietMs?: number
  } = {},
): Promise<number> {
  let done = 0
  for (let round = 0; round < (opts.maxRounds ?? Number.POSITIVE_INFINITY); round++) {
    const rows = await db
      .select({
        stageId: stageMetrics.stageId,
        stageVersion: stageMetrics.stageVersion,
        versionId: assessments.instrumentVersionId,
      })
      .from(stageMetrics)
      .innerJoin(assessments, eq(assessments.id, stageMetrics.assessmentId))
      .where(
        and(
          not(stageMetrics.planChecked),
          opts.periodId ? eq(stageMetrics.periodId, opts.periodId) : undefined,
          opts.quietMs
            ? sql`${stageMetrics.updatedAt} < now() - ${opts.quietMs} * interval '1 millisecond'`
            : undefined,
        ),
      )
      .orderBy(asc(stageMetrics.stageId))
      .limit(200)
    if (rows.length === 0) break
    const computed = await computePlanCounts(db, rows)
    let filled = 0
    for (const row of rows) {
      const counts = computed.get(row.stageId)!
      const updated = await db
        .update(stageMetrics)
        .set(counts)
        .where(
          and(
            eq(stageMetrics.stageId, row.stageId),
            eq(stageMetrics.stageVersion, row.stageVersion),
            not(stageMetrics.planChecked),
          ),
        )
        .returning({ stageId: stageMetrics.stageId })
      filled += updated.length
    }
    done += filled
    // Every row of the round changed meanwhile (a stream of writes): the next round would read
    // them again, so leave them to the worker rather than spin here.
    if (filled === 0) break
  }
  return done
}
