/**
 * What a stage's current answers amount to, as plain functions (no Fastify, no database): its
 * facts (answered count, node values, eligibility, shortfalls) and its **contributions**, a map
 * `metric → [count, sum]` kept on its stage_metrics row (src/modules/assessments/metrics.ts). The
 * database adds a stage's contributions into the dashboards' counters for every ancestor of its
 * unit (src/db/sql/dashboards.sql); src/modules/dashboards/rules.ts turns summed counters back
 * into figures. Part of the write path, so it lives with the assessments, not the dashboards.
 */
import {
  evaluateEligibility,
  indexTree,
  type InstrumentDefinition,
  type NodeLevel,
  type ScoreResult,
} from '../instruments/domain/index.js'

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
