import { sql } from 'drizzle-orm'
import {
  type AnyPgColumn,
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { jsonb } from '../../db/jsonb.js'

export const UNIT_KINDS = ['instansi', 'opd', 'unit'] as const
export type UnitKind = (typeof UNIT_KINDS)[number]

/** What kind of instansi the root is: a Kementerian/Lembaga or a Pemda (provinsi, kabupaten, kota). */
export const INSTANSI_KINDS = ['kementerian_lembaga', 'provinsi', 'kabupaten', 'kota'] as const
export type InstansiKind = (typeof INSTANSI_KINDS)[number]

/**
 * The organisation tree: the instansi (Pemda) at the root, its OPDs, their unit kerja.
 * `path` is the chain of ids from the root ("/<root>/<opd>/<unit>/") so that subtree and scope
 * checks are one indexed prefix match instead of a recursive query.
 */
export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    instansiId: uuid('instansi_id').notNull(),
    parentId: uuid('parent_id').references((): AnyPgColumn => units.id, { onDelete: 'restrict' }),
    path: text('path').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: UNIT_KINDS }).notNull(),
    /** Only on an instansi (CHECK units_instansi_kind_check); the proposal gate depends on it. */
    instansiKind: text('instansi_kind', { enum: INSTANSI_KINDS }),
    afirmasi: boolean('afirmasi').notNull().default(false),
    validFrom: date('valid_from', { mode: 'string' }),
    validTo: date('valid_to', { mode: 'string' }),
    predecessorId: uuid('predecessor_id').references((): AnyPgColumn => units.id, { onDelete: 'restrict' }),
    externalIds: jsonb('external_ids').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'date' }),
    /** Row version, bumped on every change; the ETag of a unit. */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('units_instansi_code_key').on(t.instansiId, t.code),
    uniqueIndex('units_instansi_root_code_key').on(t.code).where(sql`${t.kind} = 'instansi'`),
    index('units_parent_idx').on(t.parentId),
    index('units_path_idx').using('btree', sql`${t.path} text_pattern_ops`),
    index('units_updated_idx').on(t.updatedAt, t.id),
    index('units_name_idx').on(t.name, t.id),
    index('units_predecessor_idx').on(t.predecessorId),
    // the id PortalRB knows a unit by (src/modules/portalrb: portalrbIdOf, portalrbIdSql)
    index('units_portalrb_id_idx').using(
      'btree',
      sql`coalesce(nullif(${t.externalIds} ->> 'portalrb', ''), ${t.code})`,
    ),
    check(
      'units_instansi_kind_check',
      sql`${t.instansiKind} IS NULL OR (${t.kind} = 'instansi' AND ${t.instansiKind} IN ('kementerian_lembaga', 'provinsi', 'kabupaten', 'kota'))`,
    ),
  ],
)
export type UnitRow = typeof units.$inferSelect
