import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { instrumentVersions } from '../instruments/tables.js'
import { jsonb } from '../../db/jsonb.js'

export const WINDOW_NAMES = ['self_assessment', 'tpi_verification', 'revision', 'proposal'] as const
export type WindowName = (typeof WINDOW_NAMES)[number]

/**
 * One window of a period, as stored (timestamps as ISO 8601 strings in UTC). A reopen overrides
 * the scheduled dates: the window is open until `reopened_until`, whatever `closes_at` says.
 */
export interface StoredWindow {
  opens_at: string
  closes_at: string
  reopened_until?: string | null
  reopen_reason?: string | null
  reopened_at?: string | null
  reopened_by?: string | null
}
export type StoredWindows = Partial<Record<WindowName, StoredWindow>>

/**
 * An evaluation period (e.g. ZI-2026): the instrument version it scores with and its windows.
 * The four windows are one jsonb map: they are always read and written with their period,
 * never queried on their own.
 */
export const periods = pgTable(
  'periods',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    year: integer('year').notNull(),
    instrumentVersionId: uuid('instrument_version_id')
      .notNull()
      .references(() => instrumentVersions.id, { onDelete: 'restrict' }),
    windows: jsonb('windows').$type<StoredWindows>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('periods_code_key').on(t.code),
    index('periods_year_idx').on(t.year, t.id),
    index('periods_updated_idx').on(t.updatedAt, t.id),
    index('periods_instrument_idx').on(t.instrumentVersionId),
  ],
)
export type PeriodRow = typeof periods.$inferSelect
