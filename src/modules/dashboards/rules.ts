/**
 * Dashboard figures as plain functions (no Fastify, no database).
 *
 * Every stage keeps one `stage_metrics` row (src/modules/assessments/metrics.ts): the facts of its current answers
 * (answered count, node values, eligibility, shortfalls) and its **contributions**, a map
 * `metric → [count, sum]` that the database adds into `dashboard_counters` for every ancestor of
 * the unit (and a global row) whenever the stage changes: triggers apply the difference between
 * the old and new contributions, so a period summary reads a few hundred counter rows whatever
 * the number of units or answers. This file decides what a stage contributes and turns summed
 * counters back into figures.
 */
import { indexTree, type InstrumentDefinition } from '../instruments/domain/index.js'
import { DECLARATION_STATUSES, TARGETS, type DeclarationStatus } from '../declarations/rules.js'
import { FUNNEL_STEPS, type FunnelStep } from '../proposals/rules.js'

// A stage's facts and contributions are computed on the write path: src/modules/assessments/metrics-rules.ts.
import { HISTOGRAM_BUCKETS, areaNodes } from '../assessments/metrics-rules.js'

/** Summed counters of one stage kind (or 'decl'): metric → {count, sum}. */
export type Metrics = Map<string, { count: number; sum: number }>

const get = (m: Metrics, key: string) => m.get(key) ?? { count: 0, sum: 0 }
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null)

export const STAGE_STATUS_KEYS = ['draft', 'submitted', 'returned', 'approved'] as const

export function completionOf(m: Metrics) {
  const stages = get(m, 'stages').count
  const byStatus = Object.fromEntries(STAGE_STATUS_KEYS.map((s) => [s, get(m, `status:${s}`).count])) as Record<
    (typeof STAGE_STATUS_KEYS)[number],
    number
  >
  const questions = get(m, 'questions').sum
  const answered = get(m, 'answered').sum
  return {
    stages,
    by_status: byStatus,
    questions,
    answered,
    answered_pct: pct(ratio(answered, questions)),
    complete: get(m, 'complete').count,
    /** handed in: submitted (awaiting review) or approved */
    submitted_pct: pct(ratio(byStatus.submitted + byStatus.approved, stages)),
    approved_pct: pct(ratio(byStatus.approved, stages)),
  }
}

const pct = (r: number | null): number | null => (r === null ? null : r * 100)

export function histogramOf(m: Metrics, prefix: string) {
  return Array.from({ length: HISTOGRAM_BUCKETS }, (_, k) => ({
    from_pct: (k * 100) / HISTOGRAM_BUCKETS,
    to_pct: ((k + 1) * 100) / HISTOGRAM_BUCKETS,
    count: get(m, `${prefix}:b${k}`).count,
  }))
}

export function scoresOf(m: Metrics, def: InstrumentDefinition) {
  const total = get(m, 'total')
  const maxTotal = areaNodes(def)
    .filter((a) => a.level === 'komponen')
    .reduce((s, a) => s + a.max, 0)
  return {
    scored_stages: get(m, 'scored').count,
    total: { max: maxTotal, average: ratio(total.sum, total.count), histogram: histogramOf(m, 'total') },
    areas: areaNodes(def).map((a) => {
      const v = get(m, `node:${a.code}`)
      const average = ratio(v.sum, v.count)
      return {
        code: a.code,
        name: a.name,
        level: a.level,
        max: a.max,
        average,
        average_pct: average === null || !(a.max > 0) ? null : (average / a.max) * 100,
        histogram: histogramOf(m, `node:${a.code}`),
      }
    }),
    eligible: { WBK: get(m, 'eligible:WBK').count, WBBM: get(m, 'eligible:WBBM').count },
  }
}

export function declarationsOf(m: Metrics) {
  const byTarget = TARGETS.map((target) => {
    const by_status = Object.fromEntries(
      DECLARATION_STATUSES.map((s) => [s, get(m, `${target}:${s}`).count]),
    ) as Record<DeclarationStatus, number>
    return { target, units: Object.values(by_status).reduce((a, b) => a + b, 0), by_status }
  })
  return { units: byTarget.reduce((s, t) => s + t.units, 0), by_target: byTarget }
}

/**
 * The proposal funnel from the counters: "declared" and "building" from the declarations (kind
 * 'decl', `<target>:<status>`), the later steps from the proposals (kind 'proposal', one metric per
 * step reached). Cumulative: a designated unit also counts as declared, building, proposed, passed
 * the selection and evaluated; not_designated and revoked count the units that ended there.
 */
export function funnelOf(decl: Metrics, proposal: Metrics): Record<FunnelStep, number> {
  const declarations = declarationsOf(decl)
  const stillDeclared = declarations.by_target.reduce((n, t) => n + t.by_status.declared, 0)
  const out = { declared: declarations.units, building: declarations.units - stillDeclared } as Record<
    FunnelStep,
    number
  >
  for (const step of FUNNEL_STEPS) if (!(step in out)) out[step] = get(proposal, step).count
  return out
}

/** Questions by their average conversion (0–1) across the stages that answered them, lowest first. */
export function lowestQuestions(m: Metrics, def: InstrumentDefinition, limit: number) {
  return questionRanking(m, def, 'q:', 'asc', limit).map(({ code, name, parent, count, avg }) => ({
    code,
    name,
    sub_area: parent,
    answered: count,
    average: avg,
  }))
}

/** Questions by the average |tpi − self| of their conversions, largest first. */
export function divergentQuestions(m: Metrics, def: InstrumentDefinition, limit: number) {
  return questionRanking(m, def, 'qdiv:', 'desc', limit).map(({ code, name, parent, count, avg }) => ({
    code,
    name,
    sub_area: parent,
    units: count,
    average_abs_difference: avg,
  }))
}

function questionRanking(m: Metrics, def: InstrumentDefinition, prefix: string, order: 'asc' | 'desc', limit: number) {
  const tree = indexTree(def)
  const rows: {
    code: string
    name: string
    parent: { code: string; name: string } | null
    count: number
    avg: number
  }[] = []
  for (const [key, v] of m) {
    if (!key.startsWith(prefix) || v.count <= 0) continue
    const code = key.slice(prefix.length)
    const node = tree.byCode.get(code)
    if (!node) continue
    const parent = node.parentCode ? tree.byCode.get(node.parentCode) : undefined
    rows.push({
      code,
      name: node.name,
      parent: parent ? { code: parent.code, name: parent.name } : null,
      count: v.count,
      avg: v.sum / v.count,
    })
  }
  rows.sort(
    (a, b) => (order === 'asc' ? a.avg - b.avg : b.avg - a.avg) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  )
  return rows.slice(0, limit)
}

/** Per-area values of two stages side by side: to − from. */
export function areaDifferences(def: InstrumentDefinition, from: Record<string, number>, to: Record<string, number>) {
  return areaNodes(def).map((a) => {
    const f = from[a.code] ?? 0
    const t = to[a.code] ?? 0
    return { code: a.code, name: a.name, self: f, tpi: t, difference: t - f }
  })
}

/**
 * The scope roots whose counters together cover a principal's units exactly once: the granted
 * units' ids, dropping any whose path lies inside another granted path.
 */
export function scopeRoots(scopePaths: readonly string[]): string[] {
  const sorted = [...new Set(scopePaths)].sort((a, b) => a.length - b.length || (a < b ? -1 : 1))
  const kept: string[] = []
  for (const p of sorted) if (!kept.some((k) => p.startsWith(k))) kept.push(p)
  return kept.map(lastIdOf).sort()
}

export const lastIdOf = (path: string): string => {
  const parts = path.split('/').filter(Boolean)
  return parts[parts.length - 1] ?? ''
}

/** The counters key standing for every unit (admins and unscoped grants). */
export const GLOBAL_SCOPE = '00000000-0000-0000-0000-000000000000'
