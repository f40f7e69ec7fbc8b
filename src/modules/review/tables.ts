import { sql } from 'drizzle-orm'
import { check, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { jsonb } from '../../db/jsonb.js'
import { assessmentStages } from '../assessments/tables.js'
import { principals } from '../auth/tables.js'
import { AREA_CODES, type AreaCode } from '../instruments/domain/areas.js'

/**
 * The TPI's review of one stage: its version is the review's ETag (every change to any area
 * moves it), and who last changed it. The per-question recommendations are on `answers`.
 */
export const stageReviews = pgTable('stage_reviews', {
  stageId: uuid('stage_id')
    .primaryKey()
    .references(() => assessmentStages.id, { onDelete: 'cascade' }),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedBy: uuid('updated_by').references(() => principals.id, { onDelete: 'set null' }),
  updatedByName: text('updated_by_name').notNull(),
})

/** Per area perubahan of a reviewed stage: the TPI's conclusion and its recommendations, in order. */
export const stageAreaReviews = pgTable(
  'stage_area_reviews',
  {
    stageId: uuid('stage_id')
      .notNull()
      .references(() => stageReviews.stageId, { onDelete: 'cascade' }),
    area: text('area', { enum: AREA_CODES }).$type<AreaCode>().notNull(),
    conclusion: text('conclusion'),
    recommendations: jsonb('recommendations').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedBy: uuid('updated_by').references(() => principals.id, { onDelete: 'set null' }),
    updatedByName: text('updated_by_name').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.stageId, t.area] }),
    check(
      'stage_area_reviews_area_check',
      sql`${t.area} IN ('manajemen_perubahan', 'penataan_tatalaksana', 'penataan_sdm', 'penguatan_akuntabilitas', 'penguatan_pengawasan', 'pelayanan_publik')`,
    ),
  ],
)
