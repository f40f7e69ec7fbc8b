import { type AnyPgColumn, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import type { InstrumentDefinition } from './domain/index.js'
import { jsonb } from '../../db/jsonb.js'

export const INSTRUMENT_STATUSES = ['draft', 'published', 'retired'] as const
export type InstrumentStatus = (typeof INSTRUMENT_STATUSES)[number]

/**
 * One version of the LKE instrument (e.g. LKE-ZI-2026). The whole tree and its predicate rules
 * are one jsonb document: it is read and scored as a unit (≈130 questions), never joined
 * node by node, and a published version never changes (a trigger refuses it).
 */
export const instrumentVersions = pgTable(
  'instrument_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    year: integer('year').notNull(),
    status: text('status', { enum: INSTRUMENT_STATUSES }).notNull().default('draft'),
    definition: jsonb('definition').$type<InstrumentDefinition>().notNull(),
    /** SHA-256 of the canonical definition: equal digests mean equal instruments. */
    digest: text('digest').notNull(),
    source: text('source', { enum: ['seed', 'import', 'clone'] }).notNull(),
    clonedFromId: uuid('cloned_from_id').references((): AnyPgColumn => instrumentVersions.id, { onDelete: 'restrict' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
    retiredAt: timestamp('retired_at', { withTimezone: true, mode: 'date' }),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('instrument_versions_code_key').on(t.code),
    index('instrument_versions_year_idx').on(t.year, t.code),
    index('instrument_versions_clone_idx').on(t.clonedFromId),
  ],
)
export type InstrumentVersionRow = typeof instrumentVersions.$inferSelect
