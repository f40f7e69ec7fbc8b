import { sql } from 'drizzle-orm'
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { jsonb } from '../../db/jsonb.js'
import { principals } from '../auth/tables.js'
import { DELIVERIES, NOTICE_STATUSES } from './rules.js'

/**
 * A person's notice settings: the language of their mails, immediate mails or one daily digest,
 * the kinds they unsubscribed from, and the secret their unsubscribe links are signed with. A
 * person without a row has the defaults (Indonesian, immediate, every kind).
 */
export const noticePreferences = pgTable('notice_preferences', {
  principalId: uuid('principal_id')
    .primaryKey()
    .references(() => principals.id, { onDelete: 'cascade' }),
  language: text('language', { enum: ['id', 'en'] })
    .notNull()
    .default('id'),
  delivery: text('delivery', { enum: DELIVERIES }).notNull().default('immediate'),
  mutedKinds: text('muted_kinds').array().notNull().default(sql`'{}'::text[]`),
  /** signs this person's unsubscribe links (HMAC-SHA256); never shown */
  unsubscribeSecret: text('unsubscribe_secret')
    .notNull()
    .default(sql`replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '')`),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
})
export type NoticePreferencesRow = typeof noticePreferences.$inferSelect

/**
 * The notice outbox: one row per (kind, subject, recipient, occasion), so a replica creating the
 * same notice again (a reminder ticked twice, an event scanned twice) adds nothing. The delivery
 * worker sends what is pending here (one mail each, or the day's digest of a person).
 */
export const notices = pgTable(
  'notices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => principals.id, { onDelete: 'cascade' }),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    /** what makes this notice of the subject distinct: the event id, or the reminder ('7d', '3d', '1d', 'opened') */
    occasion: text('occasion').notNull(),
    /** the change-feed event it comes from (none for reminders) */
    eventId: bigint('event_id', { mode: 'number' }),
    unitId: uuid('unit_id'),
    periodId: uuid('period_id'),
    /** the template's parameters */
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    /** the object's path under PUBLIC_BASE_URL */
    link: text('link'),
    /** waits for the recipient's daily digest */
    digest: boolean('digest').notNull().default(false),
    status: text('status', { enum: NOTICE_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** when the worker may (re)try; the digest hour for a digest notice; while a mail is sent, the end of its lease */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('notices_once_key').on(t.kind, t.subjectType, t.subjectId, t.recipientId, t.occasion),
    index('notices_due_idx').on(t.recipientId, t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('notices_created_idx').on(t.createdAt, t.id),
  ],
)
export type NoticeRow = typeof notices.$inferSelect

/** Every attempt to mail a notice: when, and why it failed. */
export const noticeAttempts = pgTable(
  'notice_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    noticeId: uuid('notice_id')
      .notNull()
      .references(() => notices.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    error: text('error'),
    /** the SMTP server's message id when it accepted the mail */
    messageId: text('message_id'),
  },
  (t) => [index('notice_attempts_notice_idx').on(t.noticeId, t.attempt)],
)

/** One row: the last change-feed event turned into notices (ids follow commit order). */
export const noticeCursor = pgTable(
  'notice_cursor',
  {
    id: boolean('id').primaryKey().default(true),
    lastEventId: bigint('last_event_id', { mode: 'number' }).notNull(),
  },
  (t) => [check('notice_cursor_one_row', sql`${t.id}`)],
)
