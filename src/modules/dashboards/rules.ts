/**
 * Dashboard figures as plain functions (no Fastify, no database).
 *
 * Every stage keeps one `stage_metrics` row (see tables.ts): the facts of its current answers
 * (answered count, node values, eligibility, shortfalls) and its **contributions**, a map
 * `metric → [count, sum]` that the database adds into `dashboard_counters` for every ancestor of
 * the unit (and a global row) whenever the stage changes: triggers apply the difference between
 * the old and new contributions, so a period summary reads a few hundred counter rows whatever
 * the number of units or answers. This file decides what a stage contributes and turns summed
 * counters back into figures.
 */
import {
  evaluateEligibility,
  indexTree,
  type InstrumentDefinition,
  type NodeLevel,
  type ScoreResult,
} from '../instruments/domain/index.js'
import { DECLARATION_STATUSES, TARGETS, type DeclarationStatus } from '../declarations/rules.js'
import { FUNNEL_STEPS, type FunnelStep } from '../proposals/rules.js'

/** Histogram buckets per node: 10 % of the node's weight each (0–10 %, …, 90–100 %). */
export const HISTOGRAM_BUCKETS = 10

/** The levels reported as "areas" (komponen, sub-komponen, area perubahan). */
export const AREA_LEVELS: readonly NodeLevel[] = ['komponen', 'sub_komponen', 'area_perubahan']

export type Predicate = 'none' | 'WBK' | 'WBBM'

export interface Lacking {
  rule: string
  predicate: 'WBK' | 'WBBM'
  description: string
  required: number
  actual: number
  /** what is missing, in points of the instrument (a share-of-weight rule's gap × its weight) */
  points_short: number
}

/** What a stage's current answers amount to; stored on its stage_metrics row. */
export interface StageFacts {
  /** answerable questions (no formula) */
  questionCount: number
  answeredCount: number
  total: number
  maxTotal: number
  /** the value of every area (komponen, sub-komponen, area perubahan) */
  values: Record<string, number>
  /** the conversion (0–1) of every answered scored question */
  multipliers: Record<string, number>
  predicate: Predicate
  /** sum of the failing WBK rules' shortfalls (0 when eligible for WBK) */
  wbkShort: number
  /** sum of the failing WBK and WBBM rules' shortfalls (0 when eligible for WBBM) */
  wbbmShort: number
  lacking: Lacking[]
}

export interface AreaNode {
  code: string
  name: string
  level: NodeLevel
  max: number
}

export function areaNodes(def: InstrumentDefinition): AreaNode[] {
  const tree = indexTree(def)
  return tree.ordered
    .filter((n) => AREA_LEVELS.includes(n.level))
    .map((n) => ({ code: n.code, name: n.name, level: n.level, max: typeof n.bobot === 'number' ? n.bobot : 0 }))
}

/** The weight a predicate rule measures against: the total's, a node's, or the sum of several. */
function ruleWeight(
  def: InstrumentDefinition,
  tree: ReturnType<typeof indexTree>,
  maxTotal: number,
  ruleId: string,
): number {
  const rule = def.predicateRules.find((r) => r.id === ruleId)
  if (!rule) return 0
  const w = (code: string) => {
    const b = tree.byCode.get(code)?.bobot
    return typeof b === 'number' ? b : 0
  }
  if (rule.target.kind === 'total') return maxTotal
  if (rule.target.kind === 'node') return w(rule.target.code)
  return rule.target.codes.reduce((s, c) => s + w(c), 0)
}

/**
 * The facts of a scored stage: counts, values, the predicate it reaches (evaluateEligibility)
 * and, per failing rule, what is missing in points. The shortfalls of overlapping rules add up
 * (the total and an area may both be short), so `wbkShort` ranks units by how far they are; it
 * is not the exact number of points to gain.
 */
export function stageFacts(def: InstrumentDefinition, score: ScoreResult): StageFacts {
  const tree = indexTree(def)
  const answerable = tree.ordered.filter((n) => n.level === 'question' && typeof n.formula !== 'string').length
  const values: Record<string, number> = {}
  for (const n of score.nodes) if (AREA_LEVELS.includes(n.level)) values[n.code] = n.value
  const multipliers: Record<string, number> = {}
  for (const q of score.questions) if (q.scored && q.multiplier !== null) multipliers[q.code] = q.multiplier
  const eligibility = evaluateEligibility(def, score)
  const methodOf = new Map(def.predicateRules.map((r) => [r.id, r.measure]))
  const lacking: Lacking[] = eligibility.rules
    .filter((r) => !r.passed)
    .map((r) => {
      const gap = r.required - r.actual
      const points =
        methodOf.get(r.rule) === 'share_of_weight' ? gap * ruleWeight(def, tree, score.maxTotal, r.rule) : gap
      return {
        rule: r.rule,
        predicate: r.predicate,
        description: r.description,
        required: r.required,
        actual: r.actual,
        points_short: points,
      }
    })
  const sum = (xs: Lacking[]) => xs.reduce((s, l) => s + l.points_short, 0)
  return {
    questionCount: answerable,
    answeredCount: answerable - score.unanswered.length,
    total: score.total,
    maxTotal: score.maxTotal,
    values,
    multipliers,
    predicate: eligibility.predicate,
    wbkShort: sum(lacking.filter((l) => l.predicate === 'WBK')),
    wbbmShort: sum(lacking),
    lacking,
  }
}

/** tpi − self: the totals' difference and, per question answered in both, the absolute difference of the conversions. */
export interface Divergence {
  total: number
  questions: Record<string, number>
}

export function divergenceOf(
  self: Pick<StageFacts, 'total' | 'multipliers'>,
  tpi: Pick<StageFacts, 'total' | 'multipliers'>,
): Divergence {
  const questions: Record<string, number> = {}
  for (const [code, m] of Object.entries(tpi.multipliers)) {
    const s = self.multipliers[code]
    if (s !== undefined) questions[code] = Math.abs(m - s)
  }
  return { total: tpi.total - self.total, questions }
}

/** The 0-based histogram bucket of `value` out of `max` (a value at the top goes in the last bucket). */
export function bucketOf(value: number, max: number): number | null {
  if (!(max > 0)) return null
  const share = value / max
  // 1e-9: 0.7 × 4 ÷ 4 may come out as 0.6999999999999998 and must still land in the 70–80 % bucket.
  return Math.min(HISTOGRAM_BUCKETS - 1, Math.max(0, Math.floor(share * HISTOGRAM_BUCKETS + 1e-9)))
}

export type Contributions = Record<string, [number, number]>

/**
 * What one stage adds to the counters of its unit's ancestors (metric → [count, sum]):
 *   stages, status:<status>, questions (sum = answerable questions), answered (sum = answered), complete;
 *   once at least one question is answered ("scored" stages): scored, total (+ total:b<k>),
 *   node:<code> (+ node:<code>:b<k>) for every area, eligible:WBK / eligible:WBBM, q:<code> (sum = conversion);
 *   for a tpi stage with a self stage beside it: div (sum = tpi − self total), qdiv:<code> (sum = |tpi − self|).
 */
export function contributionsOf(
  facts: Pick<
    StageFacts,
    'questionCount' | 'answeredCount' | 'total' | 'maxTotal' | 'values' | 'multipliers' | 'predicate'
  >,
  status: string,
  areas: readonly Pick<AreaNode, 'code' | 'max'>[],
  divergence: Divergence | null,
): Contributions {
  const c: Contributions = {
    stages: [1, 0],
    [`status:${status}`]: [1, 0],
    questions: [1, facts.questionCount],
    answered: [1, facts.answeredCount],
  }
  if (facts.questionCount > 0 && facts.answeredCount >= facts.questionCount) c.complete = [1, 0]
  if (facts.answeredCount > 0) {
    c.scored = [1, 0]
    c.total = [1, facts.total]
    const tb = bucketOf(facts.total, facts.maxTotal)
    if (tb !== null) c[`total:b${tb}`] = [1, 0]
    for (const area of areas) {
      const v = facts.values[area.code] ?? 0
      c[`node:${area.code}`] = [1, v]
      const b = bucketOf(v, area.max)
      if (b !== null) c[`node:${area.code}:b${b}`] = [1, 0]
    }
    if (facts.predicate !== 'none') c['eligible:WBK'] = [1, 0]
    if (facts.predicate === 'WBBM') c['eligible:WBBM'] = [1, 0]
    for (const [code, m] of Object.entries(facts.multipliers)) c[`q:${code}`] = [1, m]
  }
  if (divergence) {
    c.div = [1, divergence.total]
    for (const [code, d] of Object.entries(divergence.questions)) c[`qdiv:${code}`] = [1, d]
  }
  return c
}

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
