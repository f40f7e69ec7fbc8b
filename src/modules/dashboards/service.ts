import { and, asc, desc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm'
import { queryRows, type Queryable } from '../../db/connection.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import type { StageKind } from '../assessments/rules.js'
import { isUnitInScope, unitScopeCondition } from '../auth/scope.js'
import { loadDefinition } from '../instruments/cache.js'
import type { InstrumentDefinition } from '../instruments/domain/index.js'
import { periods, type PeriodRow } from '../periods/tables.js'
import { units, type UnitRow } from '../units/tables.js'
import { GLOBAL_SCOPE, scopeRoots, type Metrics } from './rules.js'
import { stageMetrics, type StageMetricsRow } from '../assessments/metrics-table.js'
import { usable } from '../assessments/metrics.js'
import { msg } from '../../lib/i18n.js'

// The stage_metrics rows are written on the write path (src/modules/assessments/metrics.ts).
export { backfillStageMetrics, syncStageMetrics, type StageAssessment } from '../assessments/metrics.js'

// ---------------------------------------------------------------------------------------------
// Reading

export interface DashboardScope {
  /** counters keys: GLOBAL_SCOPE, or unit ids whose subtrees together are the scope */
  roots: string[]
  /** the same scope as a WHERE condition on units.path (undefined = every unit) */
  pathCondition: SQL | undefined
  unit: UnitRow | null
}

/** The principal's scope, optionally narrowed to one unit's subtree (404 when that unit is out of scope). */
export async function resolveScope(
  db: Queryable,
  principal: Principal,
  unitId: string | undefined,
): Promise<DashboardScope> {
  if (unitId) {
    const [unit] = await db.select().from(units).where(eq(units.id, unitId))
    if (!unit || !isUnitInScope(principal, unit.path)) throw notFound('unit', unitId)
    return { roots: [unit.id], pathCondition: sql`${units.path} like ${`${unit.path}%`}`, unit }
  }
  if (principal.scopeAll) return { roots: [GLOBAL_SCOPE], pathCondition: undefined, unit: null }
  return {
    roots: scopeRoots(principal.scopePaths),
    pathCondition: unitScopeCondition(principal, units.path),
    unit: null,
  }
}

/** The period or 404 `period_not_found`: one home, src/modules/periods/service.ts (loadPeriod). */
export { loadPeriod as loadPeriodOr404 } from '../periods/service.js'

/** Unit operators do not see a TPI (or TPN) stage's working draft; their dashboards keep to the stages they may read. */
export function assertStageVisible(principal: Principal, kind: StageKind): void {
  if (principal.role === 'unit_operator' && (kind === 'tpi' || kind === 'tpn')) {
    throw new ProblemError(403, 'stage_not_visible', msg('dashboards:stage_not_visible', { kind }), {
      errors: [
        {
          pointer: '/query/stage',
          rule: 'stage_not_visible',
          message: msg('dashboards:field.stage_not_visible', { kind }),
        },
      ],
    })
  }
}

interface MetricRow {
  root: string
  kind: string
  metric: string
  count: string | number
  sum: string | number
}

/**
 * Summed counters for each root, per kind and metric: the counters of the root's descendants
 * plus the root's own stages and declaration (a root's counters hold its strict descendants).
 * `metricFilter`: only metrics starting with one of these prefixes (or equal to them).
 */
export async function aggregate(
  db: Queryable,
  periodId: string,
  roots: string[],
  kinds: string[],
  metricFilter?: { prefixes: string[] } | { exclude: string[] },
): Promise<Map<string, Map<string, Metrics>>> {
  const result = new Map<string, Map<string, Metrics>>()
  if (roots.length === 0) return result
  const rootsSql = sql`array[${sql.join(
    roots.map((r) => sql`${r}`),
    sql`, `,
  )}]::uuid[]`
  const kindsSql = sql`array[${sql.join(
    kinds.map((k) => sql`${k}`),
    sql`, `,
  )}]::text[]`
  const filter = (col: SQL): SQL => {
    if (!metricFilter) return sql`true`
    if ('prefixes' in metricFilter)
      return sql`(${sql.join(
        metricFilter.prefixes.map((p) => sql`${col} like ${`${p}%`}`),
        sql` or `,
      )})`
    return sql`not (${sql.join(
      metricFilter.exclude.map((p) => sql`${col} like ${`${p}%`}`),
      sql` or `,
    )})`
  }
  const wantDecl = kinds.includes('decl')
  const wantProposals = kinds.includes('proposal')
  // A root's own stages and declaration (the global root stands for no unit)
  const own = roots.some((r) => r !== GLOBAL_SCOPE)
  const rows = await queryRows<MetricRow>(
    db,
    sql`select root, kind, metric, sum(count)::text as count, sum(sum)::text as sum from (
      select scope_id as root, kind, metric, count, sum from dashboard_counters
        where period_id = ${periodId} and scope_id = any(${rootsSql}) and kind = any(${kindsSql}) and ${filter(sql`metric`)}
      ${
        own
          ? sql`union all
      select sm.unit_id, sm.kind, c.key, (c.value->>0)::bigint, (c.value->>1)::numeric
        from stage_metrics sm cross join lateral jsonb_each(sm.contributions) c
        where sm.period_id = ${periodId} and sm.unit_id = any(${rootsSql}) and sm.kind = any(${kindsSql}) and ${filter(sql`c.key`)}`
          : sql``
      }
      ${
        wantDecl && own
          ? sql`union all
      select d.unit_id, 'decl', d.target || ':' || d.status, 1::bigint, 0::numeric
        from declarations d where d.period_id = ${periodId} and d.unit_id = any(${rootsSql})`
          : sql``
      }
      ${
        wantProposals && own
          ? sql`union all
      select pr.unit_id, 'proposal', c.key, (c.value->>0)::bigint, 0::numeric
        from proposals pr cross join lateral jsonb_each(dashboard_proposal_contribution(pr)) c
        where pr.period_id = ${periodId} and pr.unit_id = any(${rootsSql})`
          : sql``
      }
    ) x group by root, kind, metric`,
  )
  for (const r of rows) {
    const count = Number(r.count)
    const total = Number(r.sum)
    if (count === 0 && total === 0) continue
    let byKind = result.get(r.root)
    if (!byKind) result.set(r.root, (byKind = new Map()))
    let metrics = byKind.get(r.kind)
    if (!metrics) byKind.set(r.kind, (metrics = new Map()))
    metrics.set(r.metric, { count, sum: total })
  }
  return result
}

/** Adds up the metrics of several roots (a principal granted two OPDs). */
export function mergeRoots(byRoot: Map<string, Map<string, Metrics>>, kind: string): Metrics {
  const merged: Metrics = new Map()
  for (const byKind of byRoot.values()) {
    for (const [metric, v] of byKind.get(kind) ?? []) {
      const m = merged.get(metric) ?? { count: 0, sum: 0 }
      merged.set(metric, { count: m.count + v.count, sum: m.sum + v.sum })
    }
  }
  return merged
}

const unitRef = { id: units.id, code: units.code, name: units.name, kind: units.kind }

/** Stages of `kind` nearest to a predicate: not yet reaching it, smallest shortfall first. */
export async function closestTo(
  db: Queryable,
  periodId: string,
  kind: StageKind,
  scope: DashboardScope,
  predicate: 'WBK' | 'WBBM',
  limit: number,
) {
  const short = predicate === 'WBK' ? stageMetrics.wbkShort : stageMetrics.wbbmShort
  const rows = await db
    .select({
      m: {
        assessmentId: stageMetrics.assessmentId,
        status: stageMetrics.status,
        total: stageMetrics.total,
        wbkShort: stageMetrics.wbkShort,
        wbbmShort: stageMetrics.wbbmShort,
        lacking: stageMetrics.lacking,
      },
      unit: unitRef,
    })
    .from(stageMetrics)
    .innerJoin(units, eq(units.id, stageMetrics.unitId))
    .where(
      and(
        eq(stageMetrics.periodId, periodId),
        eq(stageMetrics.kind, kind),
        eq(stageMetrics.predicate, predicate === 'WBK' ? 'none' : 'WBK'),
        sql`${stageMetrics.answeredCount} > 0`,
        scope.pathCondition,
      ),
    )
    .orderBy(asc(short), asc(stageMetrics.stageId))
    .limit(limit)
  return rows.map(({ m, unit }) => ({
    unit,
    assessment_id: m.assessmentId,
    stage_status: m.status,
    total: m.total,
    points_short: predicate === 'WBK' ? m.wbkShort : m.wbbmShort,
    lacking: m.lacking.filter((l) => predicate === 'WBBM' || l.predicate === 'WBK'),
  }))
}

/** TPI stages whose total differs most from their self stage's. */
export async function largestDivergences(db: Queryable, periodId: string, scope: DashboardScope, limit: number) {
  const rows = await db
    .select({ m: stageMetrics, unit: unitRef })
    .from(stageMetrics)
    .innerJoin(units, eq(units.id, stageMetrics.unitId))
    .where(
      and(
        eq(stageMetrics.periodId, periodId),
        eq(stageMetrics.kind, 'tpi'),
        isNotNull(stageMetrics.divergenceAbs),
        scope.pathCondition,
      ),
    )
    .orderBy(desc(stageMetrics.divergenceAbs), asc(stageMetrics.stageId))
    .limit(limit)
  if (rows.length === 0) return []
  const selfRows = await db
    .select()
    .from(stageMetrics)
    .where(
      and(
        inArray(
          stageMetrics.assessmentId,
          rows.map((r) => r.m.assessmentId),
        ),
        eq(stageMetrics.kind, 'self'),
      ),
    )
  const selfOf = new Map(selfRows.map((s) => [s.assessmentId, s]))
  return rows.map(({ m, unit }) => ({ unit, tpi: m, self: selfOf.get(m.assessmentId) ?? null }))
}

/** The stage_metrics rows of one unit across periods, oldest year first. */
export async function unitHistory(
  db: Queryable,
  unitId: string,
  kind: StageKind,
): Promise<{ m: StageMetricsRow; period: PeriodRow }[]> {
  return db
    .select({ m: stageMetrics, period: periods })
    .from(stageMetrics)
    .innerJoin(periods, eq(periods.id, stageMetrics.periodId))
    .where(and(eq(stageMetrics.unitId, unitId), eq(stageMetrics.kind, kind)))
    .orderBy(asc(periods.year), asc(periods.code), asc(periods.id))
}

/** The period's instrument definition, as the dashboards read it. */
export async function periodDefinition(db: Queryable, instrumentVersionId: string): Promise<InstrumentDefinition> {
  return usable(await loadDefinition(db, instrumentVersionId))
}
