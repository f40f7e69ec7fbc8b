import { bigint, numeric, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core'
import { periods } from '../periods/tables.js'

/**
 * Summed contributions per period, scope and stage kind (or 'decl' for declarations): the scope
 * is every strict ancestor of a unit (instansi, OPD, parent unit kerja) plus the nil uuid for
 * "every unit". Maintained only by the triggers of src/db/sql/dashboards.sql (stage_metrics,
 * declarations, proposals, units.path): the dashboards learn of writes there, never from the write
 * path's code. Sums are numeric so adding and removing a contribution never drifts.
 */
export const dashboardCounters = pgTable(
  'dashboard_counters',
  {
    periodId: uuid('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'cascade' }),
    scopeId: uuid('scope_id').notNull(),
    kind: text('kind').notNull(),
    metric: text('metric').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
    sum: numeric('sum').notNull(),
  },
  (t) => [primaryKey({ name: 'dashboard_counters_pkey', columns: [t.periodId, t.scopeId, t.kind, t.metric] })],
)
