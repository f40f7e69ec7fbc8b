import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import type { Db, Queryable } from '../../db/connection.js'
import { loadDefinition } from '../instruments/cache.js'
import {
  scoreInstrument,
  type AnswerValue,
  type InstrumentDefinition,
  type ScoreResult,
} from '../instruments/domain/index.js'
import { areaNodes, contributionsOf, divergenceOf, stageFacts, type StageFacts } from './metrics-rules.js'
import { stageMetrics } from './metrics-table.js'
import { answers, assessmentStages, assessments } from './tables.js'

/**
 * A stage's metrics (stage_metrics, ./metrics-table.ts), kept in the transaction of every change
 * to the stage. They are the write path's own record of what a stage amounts to; the dashboards
 * read them and the counters the database sums from them, and are never called from here.
 */

type StageRow = typeof assessmentStages.$inferSelect

/** What the stage metrics need of a stage's assessment. */
export type StageAssessment = { periodId: string; unitId: string; instrumentVersionId: string }

/**
 * Brings the stage's stage_metrics row up to date (the triggers of migration 0006 then move the
 * difference into dashboard_counters). Called in the transaction of every change to a stage:
 * answers written or cleared, status changes, stage creation. Pass the score when the caller has
 * just computed it; without one the stage's answers are read and scored here.
 * A self or tpi stage also refreshes the tpi row's self-vs-TPI divergence.
 */
export async function syncStageMetrics(
  tx: Queryable,
  stage: StageRow,
  computed: {
    def?: InstrumentDefinition
    score?: ScoreResult
    /** the stage's assessment, when the caller holds it (saves reading it here) */
    assessment?: StageAssessment
  } = {},
): Promise<void> {
  const assessment =
    computed.assessment ??
    (
      await tx
        .select({
          periodId: assessments.periodId,
          unitId: assessments.unitId,
          instrumentVersionId: assessments.instrumentVersionId,
        })
        .from(assessments)
        .where(eq(assessments.id, stage.assessmentId))
    )[0]
  if (!assessment) throw new Error(`assessment ${stage.assessmentId} not found`)
  const def = usable(computed.def ?? (await loadDefinition(tx, assessment.instrumentVersionId)))
  let score = computed.score
  if (!score) {
    const rows = await tx
      .select({ code: answers.questionCode, value: answers.value })
      .from(answers)
      .where(eq(answers.stageId, stage.id))
    score = scoreInstrument(def, Object.fromEntries(rows.map((r) => [r.code, (r.value ?? null) as AnswerValue])), {
      explain: false,
    })
  }
  const facts = stageFacts(def, score)
  const areas = areaNodes(def)
  const sibling = stage.kind === 'self' ? 'tpi' : stage.kind === 'tpi' ? 'self' : null
  const [other] = sibling
    ? await tx
        .select({
          stageId: stageMetrics.stageId,
          status: stageMetrics.status,
          questionCount: stageMetrics.questionCount,
          answeredCount: stageMetrics.answeredCount,
          total: stageMetrics.total,
          maxTotal: stageMetrics.maxTotal,
          values: stageMetrics.values,
          multipliers: stageMetrics.multipliers,
          predicate: stageMetrics.predicate,
        })
        .from(stageMetrics)
        .where(and(eq(stageMetrics.assessmentId, stage.assessmentId), eq(stageMetrics.kind, sibling)))
    : []
  const divergence = stage.kind === 'tpi' && other ? divergenceOf(other, facts) : null
  const row = {
    stageId: stage.id,
    assessmentId: stage.assessmentId,
    periodId: assessment.periodId,
    unitId: assessment.unitId,
    kind: stage.kind,
    status: stage.status,
    stageVersion: stage.version,
    ...factColumns(facts),
    // The plan counts follow off the write path (refreshPlanCounts): the planner costs ~5 ms a write (both targets).
    wbkChanges: null,
    wbbmChanges: null,
    planChecked: false,
    divergence: divergence?.total ?? null,
    divergenceAbs: divergence ? Math.abs(divergence.total) : null,
    contributions: contributionsOf(facts, stage.status, areas, divergence),
    updatedAt: sql`now()` as unknown as Date,
  }
  const { stageId: _key, ...updates } = row
  await tx.insert(stageMetrics).values(row).onConflictDoUpdate({ target: stageMetrics.stageId, set: updates })
  if (stage.kind === 'self' && other) {
    // The tpi stage's divergence follows the self stage's answers.
    const d = divergenceOf(facts, other)
    await tx
      .update(stageMetrics)
      .set({
        divergence: d.total,
        divergenceAbs: Math.abs(d.total),
        contributions: contributionsOf(other, other.status, areas, d),
        updatedAt: sql`now()`,
      })
      .where(eq(stageMetrics.stageId, other.stageId))
  }
}

/** A definition without nodes or rules (a stub row) scores as an empty instrument instead of failing the write. */
export const usable = (def: InstrumentDefinition): InstrumentDefinition =>
  Array.isArray(def.nodes) && Array.isArray(def.predicateRules)
    ? def
    : {
        ...def,
        nodes: Array.isArray(def.nodes) ? def.nodes : [],
        predicateRules: Array.isArray(def.predicateRules) ? def.predicateRules : [],
      }

function factColumns(f: StageFacts) {
  return {
    questionCount: f.questionCount,
    answeredCount: f.answeredCount,
    total: f.total,
    maxTotal: f.maxTotal,
    values: f.values,
    multipliers: f.multipliers,
    predicate: f.predicate,
    wbkShort: f.wbkShort,
    wbbmShort: f.wbbmShort,
    lacking: f.lacking,
  }
}

/**
 * Creates the stage_metrics rows missing for stages that existed before migration 0006 (run at
 * start-up; a no-op afterwards). Safe with several replicas: re-syncing a row changes nothing.
 */
export async function backfillStageMetrics(db: Db): Promise<number> {
  let done = 0
  for (;;) {
    const missing = await db
      .select({ stage: assessmentStages })
      .from(assessmentStages)
      .leftJoin(stageMetrics, eq(stageMetrics.stageId, assessmentStages.id))
      .where(isNull(stageMetrics.stageId))
      .orderBy(asc(assessmentStages.createdAt), asc(assessmentStages.id))
      .limit(200)
    if (missing.length === 0) return done
    // self stages first, so a tpi stage finds its self row for the divergence
    missing.sort((a, b) => (a.stage.kind === 'self' ? 0 : 1) - (b.stage.kind === 'self' ? 0 : 1))
    await db.transaction(async (tx) => {
      for (const { stage } of missing) await syncStageMetrics(tx, stage)
    })
    done += missing.length
  }
}
