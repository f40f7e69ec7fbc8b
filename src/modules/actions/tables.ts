import { sql } from 'drizzle-orm'
import { check, date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { jsonb } from '../../db/jsonb.js'
import { principals } from '../auth/tables.js'
import { AREA_CODES } from '../instruments/domain/areas.js'
import { periods } from '../periods/tables.js'
import { units } from '../units/tables.js'
import { ACTION_SOURCES, ACTION_STATUSES } from './rules.js'

/** An item of data dukung a realisation cites: an evidence record of the unit, or a link. */
export interface RealisationEvidence {
  evidence_id?: string
  title?: string
  url?: string
}

/**
 * Rencana aksi: one action of a unit's work plan for a period, in one area perubahan (Lampiran I,
 * Tahap pembangunan), optionally tied to an LKE question of the period's instrument. Versioned
 * (ETag "<version>"): every change of the action, its realisations or its monitoring notes bumps it.
 */
export const actions = pgTable(
  'actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    periodId: uuid('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'restrict' }),
    area: text('area', { enum: AREA_CODES }).notNull(),
    /** an LKE question code of the period's instrument version */
    questionCode: text('question_code'),
    title: text('title').notNull(),
    description: text('description'),
    picName: text('pic_name').notNull(),
    picPrincipalId: uuid('pic_principal_id').references(() => principals.id, { onDelete: 'set null' }),
    targetDate: date('target_date', { mode: 'string' }).notNull(),
    expectedOutput: text('expected_output'),
    status: text('status', { enum: ACTION_STATUSES }).notNull().default('planned'),
    cancelReason: text('cancel_reason'),
    source: text('source', { enum: ACTION_SOURCES }).notNull().default('manual'),
    /** from a plan: the target (WBK / WBBM) and the answer the step proposes */
    planTarget: text('plan_target'),
    proposedAnswer: text('proposed_answer'),
    createdByName: text('created_by_name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('actions_unit_period_idx').on(t.unitId, t.periodId, t.area, t.targetDate),
    index('actions_period_status_idx').on(t.periodId, t.status, t.targetDate),
    index('actions_open_target_idx').on(t.targetDate).where(sql`${t.status} in ('planned', 'in_progress')`),
    check('actions_cancel_reason_check', sql`(${t.status} = 'cancelled') = (${t.cancelReason} is not null)`),
    check('actions_status_check', sql`${t.status} in ('planned', 'in_progress', 'done', 'cancelled')`),
    check('actions_source_check', sql`${t.source} in ('manual', 'plan')`),
    check(
      'actions_area_check',
      sql`${t.area} in ('manajemen_perubahan', 'penataan_tatalaksana', 'penataan_sdm', 'penguatan_akuntabilitas', 'penguatan_pengawasan', 'pelayanan_publik')`,
    ),
  ],
)
export type ActionRow = typeof actions.$inferSelect

/** Monthly realisation of an action: one per month (recording a month again replaces it). */
export const actionRealisations = pgTable(
  'action_realisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    actionId: uuid('action_id')
      .notNull()
      .references(() => actions.id, { onDelete: 'cascade' }),
    /** YYYY-MM */
    month: text('month').notNull(),
    progressPercent: integer('progress_percent').notNull(),
    narrative: text('narrative'),
    evidence: jsonb('evidence').$type<RealisationEvidence[]>().notNull().default([]),
    recordedById: uuid('recorded_by_id').references(() => principals.id, { onDelete: 'set null' }),
    recordedByName: text('recorded_by_name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('action_realisations_action_month_key').on(t.actionId, t.month),
    check('action_realisations_progress_check', sql`${t.progressPercent} between 0 and 100`),
    check('action_realisations_month_check', sql`${t.month} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
  ],
)
export type ActionRealisationRow = typeof actionRealisations.$inferSelect

/** The TPI's monitoring notes on an action (append-only; by an evaluator or an admin). */
export const actionMonitoringNotes = pgTable(
  'action_monitoring_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    actionId: uuid('action_id')
      .notNull()
      .references(() => actions.id, { onDelete: 'cascade' }),
    note: text('note').notNull(),
    authorPrincipalId: uuid('author_principal_id').references(() => principals.id, { onDelete: 'set null' }),
    authorName: text('author_name').notNull(),
    authorRole: text('author_role').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [index('action_monitoring_notes_action_idx').on(t.actionId, t.createdAt)],
)
export type ActionMonitoringNoteRow = typeof actionMonitoringNotes.$inferSelect
