import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { jsonb } from '../../db/jsonb.js'
import { assessments } from '../assessments/tables.js'
import { periods } from '../periods/tables.js'
import { units } from '../units/tables.js'
import type { SurveyItem } from './rules.js'

export const SURVEY_KINDS = ['ipak', 'ipkp'] as const
export type SurveyKind = (typeof SURVEY_KINDS)[number]

export const QUESTIONNAIRE_STATUSES = ['draft', 'published'] as const
export type QuestionnaireStatus = (typeof QUESTIONNAIRE_STATUSES)[number]

/**
 * A questionnaire (an IPAK or IPKP item set) as versioned data. The bundled sets have no period;
 * the admin adapts one for a period (a new draft based on it), edits the draft and publishes it.
 * A published set never changes (a trigger of migrations/0020_survey.sql refuses it), so every
 * response keeps meaning what it meant when it was given.
 */
export const surveyQuestionnaires = pgTable(
  'survey_questionnaires',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: SURVEY_KINDS }).notNull(),
    code: text('code').notNull(),
    title: text('title').notNull(),
    periodId: uuid('period_id').references(() => periods.id, { onDelete: 'restrict' }),
    basedOnId: uuid('based_on_id'),
    status: text('status', { enum: QUESTIONNAIRE_STATUSES }).notNull().default('draft'),
    items: jsonb('items').$type<SurveyItem[]>().notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
    publishedByName: text('published_by_name'),
    createdByName: text('created_by_name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('survey_questionnaires_code_key').on(t.code),
    index('survey_questionnaires_period_idx').on(t.periodId),
  ],
)
export type QuestionnaireRow = typeof surveyQuestionnaires.$inferSelect

/**
 * One unit's survey in a period: its service types (the composition of respondents must cover
 * them), its window, the published questionnaires it asks, and the unguessable token of its public
 * link. `justification` is the statistical reason recorded when fewer than 30 people were served.
 */
export const surveyCampaigns = pgTable(
  'survey_campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    periodId: uuid('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    serviceTypes: jsonb('service_types').$type<string[]>().notNull(),
    opensAt: timestamp('opens_at', { withTimezone: true, mode: 'date' }).notNull(),
    closesAt: timestamp('closes_at', { withTimezone: true, mode: 'date' }).notNull(),
    ipakQuestionnaireId: uuid('ipak_questionnaire_id').references(() => surveyQuestionnaires.id, {
      onDelete: 'restrict',
    }),
    ipkpQuestionnaireId: uuid('ipkp_questionnaire_id').references(() => surveyQuestionnaires.id, {
      onDelete: 'restrict',
    }),
    publicToken: text('public_token').notNull(),
    requiresInvitation: boolean('requires_invitation').notNull().default(false),
    justification: text('justification'),
    justifiedByName: text('justified_by_name'),
    justifiedAt: timestamp('justified_at', { withTimezone: true, mode: 'date' }),
    createdByName: text('created_by_name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('survey_campaigns_token_key').on(t.publicToken),
    index('survey_campaigns_unit_period_idx').on(t.unitId, t.periodId),
    index('survey_campaigns_period_idx').on(t.periodId),
    check('survey_campaigns_window_check', sql`${t.closesAt} > ${t.opensAt}`),
    check(
      'survey_campaigns_questionnaire_check',
      sql`${t.ipakQuestionnaireId} is not null or ${t.ipkpQuestionnaireId} is not null`,
    ),
  ],
)
export type CampaignRow = typeof surveyCampaigns.$inferSelect

/** An invitation code handed to one person served: it admits one response (only its hash is kept). */
export const surveyInvitations = pgTable(
  'survey_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => surveyCampaigns.id, { onDelete: 'restrict' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('survey_invitations_code_key').on(t.campaignId, t.codeHash)],
)
export type InvitationRow = typeof surveyInvitations.$inferSelect

export const RESPONSE_CHANNELS = ['form', 'import'] as const
export type ResponseChannel = (typeof RESPONSE_CHANNELS)[number]

/**
 * One respondent's answers: anonymous (no name, phone, e-mail or address is ever stored), the
 * optional profile the SKM collects, the item answers (1–4) per questionnaire. Immutable; a void
 * (reason, who, when) is the only change the database allows, and a row is never deleted.
 */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => surveyCampaigns.id, { onDelete: 'restrict' }),
    channel: text('channel', { enum: RESPONSE_CHANNELS }).notNull(),
    serviceType: text('service_type'),
    ageBand: text('age_band'),
    education: text('education'),
    /** item code → answer 1..4, per questionnaire kind */
    answers: jsonb('answers').$type<Partial<Record<SurveyKind, Record<string, number>>>>().notNull(),
    invitationId: uuid('invitation_id').references(() => surveyInvitations.id, { onDelete: 'restrict' }),
    importId: uuid('import_id'),
    importRow: integer('import_row'),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    voidedAt: timestamp('voided_at', { withTimezone: true, mode: 'date' }),
    voidReason: text('void_reason'),
    voidedByName: text('voided_by_name'),
  },
  (t) => [
    index('survey_responses_campaign_idx').on(t.campaignId, t.submittedAt),
    uniqueIndex('survey_responses_invitation_key').on(t.invitationId),
  ],
)
export type ResponseRow = typeof surveyResponses.$inferSelect

/**
 * A survey index the unit applied to its LKE self stage (Q125 or Q127): what was written and the
 * provenance it was computed from, so a later change of the index is shown against it.
 */
export const surveyLkeApplications = pgTable(
  'survey_lke_applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => surveyCampaigns.id, { onDelete: 'restrict' }),
    assessmentId: uuid('assessment_id')
      .notNull()
      .references(() => assessments.id, { onDelete: 'restrict' }),
    kind: text('kind', { enum: SURVEY_KINDS }).notNull(),
    questionCode: text('question_code').notNull(),
    value: doublePrecision('value').notNull(),
    respondents: integer('respondents').notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true, mode: 'date' }).notNull(),
    appliedByName: text('applied_by_name').notNull(),
    appliedAt: timestamp('applied_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('survey_lke_applications_assessment_idx').on(t.assessmentId, t.kind, t.appliedAt)],
)
export type LkeApplicationRow = typeof surveyLkeApplications.$inferSelect
