import {
  type AnyPgColumn,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { principals } from '../auth/tables.js'
import { evidence } from '../evidence/tables.js'
import { instrumentVersions } from '../instruments/tables.js'
import { periods } from '../periods/tables.js'
import { units } from '../units/tables.js'
import { STAGE_KINDS, STAGE_STATUSES } from './rules.js'
import { jsonb } from '../../db/jsonb.js'

/** One unit in one period, scored with the period's instrument version. */
export const assessments = pgTable(
  'assessments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    periodId: uuid('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'restrict' }),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    /** Copied from the period at creation, so a stored score always names the instrument it used. */
    instrumentVersionId: uuid('instrument_version_id')
      .notNull()
      .references(() => instrumentVersions.id, { onDelete: 'restrict' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('assessments_period_unit_key').on(t.periodId, t.unitId),
    index('assessments_unit_idx').on(t.unitId),
    index('assessments_updated_idx').on(t.updatedAt, t.id),
  ],
)

export const assessmentStages = pgTable(
  'assessment_stages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    assessmentId: uuid('assessment_id')
      .notNull()
      .references(() => assessments.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: STAGE_KINDS }).notNull(),
    status: text('status', { enum: STAGE_STATUSES }).notNull().default('draft'),
    copiedFromStageId: uuid('copied_from_stage_id').references((): AnyPgColumn => assessmentStages.id, {
      onDelete: 'restrict',
    }),
    /** Latest computed score of the stage's answers (kept current on every write, for cheap dashboards). */
    total: jsonb('total').$type<number | null>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }),
    approvedAt: timestamp('approved_at', { withTimezone: true, mode: 'date' }),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('assessment_stages_kind_key').on(t.assessmentId, t.kind),
    index('assessment_stages_updated_idx').on(t.updatedAt, t.id),
  ],
)

/** (stage, question) → value. The row version is the answer's ETag. */
export const answers = pgTable(
  'answers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stageId: uuid('stage_id')
      .notNull()
      .references(() => assessmentStages.id, { onDelete: 'cascade' }),
    questionCode: text('question_code').notNull(),
    /** "Ya"/"Tidak", "A"…"E", or a number: exactly what the scoring engine takes. */
    value: jsonb('value').$type<string | number | null>(),
    note: text('note'),
    /** The TPI's recommendation beside its note (rekomendasi); only a tpi stage's answers carry one. */
    recommendation: text('recommendation'),
    updatedBy: uuid('updated_by').references(() => principals.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('answers_stage_question_key').on(t.stageId, t.questionCode),
    index('answers_updated_idx').on(t.updatedAt, t.id),
  ],
)

/** Evidence (data dukung) behind an answer; one item may back several answers. */
export const answerEvidence = pgTable(
  'answer_evidence',
  {
    answerId: uuid('answer_id')
      .notNull()
      .references(() => answers.id, { onDelete: 'cascade' }),
    evidenceId: uuid('evidence_id')
      .notNull()
      .references(() => evidence.id, { onDelete: 'restrict' }),
  },
  (t) => [primaryKey({ columns: [t.answerId, t.evidenceId] }), index('answer_evidence_evidence_idx').on(t.evidenceId)],
)

/** The stage's answers and score frozen at each submit and approval; never updated (trigger). */
export const stageSnapshots = pgTable(
  'stage_snapshots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stageId: uuid('stage_id')
      .notNull()
      .references(() => assessmentStages.id, { onDelete: 'restrict' }),
    status: text('status', { enum: STAGE_STATUSES }).notNull(),
    answers: jsonb('answers')
      .$type<
        {
          question_code: string
          value: string | number | null
          note: string | null
          recommendation?: string
          evidence_ids: string[]
        }[]
      >()
      .notNull(),
    score: jsonb('score').$type<unknown>().notNull(),
    createdBy: uuid('created_by').references(() => principals.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('stage_snapshots_stage_idx').on(t.stageId, t.createdAt)],
)

/** Per-question threads between the unit and its evaluators, across the assessment's stages. */
export const questionComments = pgTable(
  'question_comments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    assessmentId: uuid('assessment_id')
      .notNull()
      .references(() => assessments.id, { onDelete: 'cascade' }),
    stageId: uuid('stage_id').references(() => assessmentStages.id, { onDelete: 'cascade' }),
    questionCode: text('question_code').notNull(),
    authorId: uuid('author_id').references(() => principals.id, { onDelete: 'set null' }),
    authorName: text('author_name').notNull(),
    authorRole: text('author_role').notNull(),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('question_comments_thread_idx').on(t.assessmentId, t.questionCode, t.createdAt)],
)

/** Stage status changes with who, when and why. */
export const stageTransitions = pgTable(
  'stage_transitions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stageId: uuid('stage_id')
      .notNull()
      .references(() => assessmentStages.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status', { enum: STAGE_STATUSES }).notNull(),
    toStatus: text('to_status', { enum: STAGE_STATUSES }).notNull(),
    reason: text('reason'),
    actorId: uuid('actor_id').references(() => principals.id, { onDelete: 'set null' }),
    actorName: text('actor_name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('stage_transitions_stage_idx').on(t.stageId, t.createdAt)],
)
