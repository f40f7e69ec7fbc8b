import { sql } from 'drizzle-orm'
import { boolean, doublePrecision, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { periods } from '../periods/tables.js'
import { units } from '../units/tables.js'
import type { Contributions, Lacking } from './metrics-rules.js'
import { STAGE_KINDS, STAGE_STATUSES } from './rules.js'
import { assessmentStages, assessments } from './tables.js'
import { jsonb } from '../../db/jsonb.js'

/**
 * One row per assessment stage: what its current answers amount to, kept current in the same
 * transaction as every answer write and status change (syncStageMetrics, ./metrics.ts). The
 * dashboards read these rows and the counters the database sums from them (src/db/sql/dashboards.sql);
 * they never read the answers table.
 */
export const stageMetrics = pgTable(
  'stage_metrics',
  {
    stageId: uuid('stage_id')
      .primaryKey()
      .references(() => assessmentStages.id, { onDelete: 'cascade' }),
    assessmentId: uuid('assessment_id')
      .notNull()
      .references(() => assessments.id, { onDelete: 'cascade' }),
    periodId: uuid('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'cascade' }),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    kind: text('kind', { enum: STAGE_KINDS }).notNull(),
    status: text('status', { enum: STAGE_STATUSES }).notNull(),
    stageVersion: integer('stage_version').notNull(),
    questionCount: integer('question_count').notNull(),
    answeredCount: integer('answered_count').notNull(),
    total: doublePrecision('total').notNull(),
    maxTotal: doublePrecision('max_total').notNull(),
    /** the value of every area (komponen, sub-komponen, area perubahan) */
    values: jsonb('values').$type<Record<string, number>>().notNull(),
    /** every answered scored question's conversion (0–1) */
    multipliers: jsonb('multipliers').$type<Record<string, number>>().notNull(),
    predicate: text('predicate', { enum: ['none', 'WBK', 'WBBM'] }).notNull(),
    wbkShort: doublePrecision('wbk_short').notNull(),
    wbbmShort: doublePrecision('wbbm_short').notNull(),
    lacking: jsonb('lacking').$type<Lacking[]>().notNull(),
    /** the planner's fewest answer changes to meet WBK / WBBM (0: met; null: out of reach), migration 0013 */
    wbkChanges: integer('wbk_changes'),
    wbbmChanges: integer('wbbm_changes'),
    planChecked: boolean('plan_checked').notNull().default(false),
    /** tpi stages beside a self stage: tpi total − self total */
    divergence: doublePrecision('divergence'),
    divergenceAbs: doublePrecision('divergence_abs'),
    /** metric → [count, sum], added by triggers into dashboard_counters of every ancestor */
    contributions: jsonb('contributions').$type<Contributions>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('stage_metrics_assessment_idx').on(t.assessmentId, t.kind),
    index('stage_metrics_unit_idx').on(t.unitId, t.kind),
    // "closest to WBK": not yet eligible, smallest shortfall first; "closest to WBBM" likewise.
    index('stage_metrics_wbk_idx').on(t.periodId, t.kind, t.predicate, t.wbkShort, t.stageId),
    index('stage_metrics_wbbm_idx').on(t.periodId, t.kind, t.predicate, t.wbbmShort, t.stageId),
    index('stage_metrics_wbk_changes_idx').on(t.periodId, t.kind, t.predicate, t.wbkChanges, t.wbkShort, t.stageId),
    index('stage_metrics_wbbm_changes_idx').on(t.periodId, t.kind, t.predicate, t.wbbmChanges, t.wbbmShort, t.stageId),
    index('stage_metrics_plan_unchecked_idx').on(t.stageId).where(sql`NOT ${t.planChecked}`),
    index('stage_metrics_divergence_idx').on(t.periodId, t.kind, t.divergenceAbs, t.stageId),
  ],
)
export type StageMetricsRow = typeof stageMetrics.$inferSelect
