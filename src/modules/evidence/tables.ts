import { type AnyPgColumn, bigint, date, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { principals } from '../auth/tables.js'
import { periods } from '../periods/tables.js'
import { units } from '../units/tables.js'

export const EVIDENCE_KINDS = ['link', 'file'] as const
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number]

/**
 * Data dukung: a link, or an uploaded file kept content-addressed under
 * `${DATA_DIR}/evidence/<sha256[0:2]>/<sha256>` (several items may share one file: the same
 * upload twice, or an item carried into a later period). Answers refer to items by `id`
 * (answer_evidence, ON DELETE RESTRICT).
 */
export const evidence = pgTable(
  'evidence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    periodId: uuid('period_id').references(() => periods.id, { onDelete: 'restrict' }),
    kind: text('kind', { enum: EVIDENCE_KINDS }).notNull(),
    title: text('title').notNull(),
    url: text('url'),
    fileName: text('file_name'),
    mediaType: text('media_type'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    sha256: text('sha256'),
    effectiveDate: date('effective_date', { mode: 'string' }),
    carriedFromId: uuid('carried_from_id').references((): AnyPgColumn => evidence.id, { onDelete: 'set null' }),
    uploadedById: uuid('uploaded_by_id').references(() => principals.id, { onDelete: 'set null' }),
    uploadedByName: text('uploaded_by_name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('evidence_unit_idx').on(t.unitId, t.createdAt, t.id),
    index('evidence_period_idx').on(t.periodId),
    index('evidence_created_idx').on(t.createdAt, t.id),
    index('evidence_sha256_idx').on(t.sha256),
    index('evidence_carried_from_idx').on(t.carriedFromId),
  ],
)
export type EvidenceRow = typeof evidence.$inferSelect
