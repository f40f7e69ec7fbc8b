/**
 * The improvement planner: which answers a unit must change, question by question, to meet every
 * rule of a predicate (WBK, or WBBM with the WBK rules it builds on), with the fewest changes (the
 * least total cost when questions carry costs).
 *
 * WHY IT IS EXACT. Every predicate rule is "a sum of node values ≥ a minimum" (a share of weight is
 * the same with the minimum times the weight), and every node value is a sum of *groups*: a sub-area
 * that averages its questions (`average_times_weight`), or one weighted question (`weighted_sum`,
 * Hasil). So every rule is monotone in every group's value, and a plan only ever needs, for each
 * group and each cost, the highest value that cost can buy there: the group's frontier.
 *
 * 1. Group frontiers. A group's items are its scored questions: an option question may move to its
 *    best option (a lower option never beats it for the same cost and the same answered count), a
 *    blank may be answered (which can LOWER the average: the workbook's AVERAGE skips blanks), and a
 *    ratio question is moved through its Jumlah inputs (clusters of ratios sharing inputs are one
 *    item; each changeable input is tried at 0, 1, the other inputs' values and their sum). A small
 *    DP over the items keyed by (cost, answered count) keeps the largest sum of multipliers; the
 *    group's value is weight × sum ÷ count, and its frontier the Pareto points (cost ↑, value ↑).
 * 2. Combination. When the rules' group sets are laminar (nested or disjoint: total ⊇ Pengungkit ⊇
 *    each area's Pemenuhan + Reform, the Hasil rules inside Hasil — the seeded instrument), a DP up
 *    that laminar tree max-plus-convolves the children's frontiers and drops the points that fail a
 *    rule of the set: the root's cheapest point is the optimum. Otherwise (rules weighting a group
 *    twice, or overlapping sets) an exact branch-and-bound over the groups' frontier points.
 * 3. Presentation. Each proposed option answer is lowered to the lowest option that still meets the
 *    rules with the rest of the plan (same number of changes, less to prove), the steps are ordered by
 *    their own gain, and the result is re-scored with the real engine (scoring.ts, eligibility.ts).
 *
 * Unreachable targets: the rules that fail even with every changeable answer at its best are
 * reported; the plan is then the cheapest one meeting every rule that can be met. With a cap on
 * changes that binds, the plan is the one with the highest total within the cap.
 */
import { evaluateEligibility, ELIGIBILITY_TOLERANCE } from './eligibility.js'
import { evaluateFormula, FormulaEvaluationError, parseFormula, referencedCodes, type Ast } from './formula.js'
import { scoreInstrument } from './scoring.js'
import {
  checkAnswer,
  combineRuleOf,
  indexTree,
  isComputed,
  isOptionType,
  isQuestion,
  isScored,
  type TreeIndex,
} from './tree.js'
import type {
  AnswerValue,
  EligibilityRuleResult,
  InstrumentDefinition,
  InstrumentNode,
  PredicateRule,
  ScoreResult,
} from './types.js'

export type PlanTarget = 'WBK' | 'WBBM'
export const PLAN_TARGETS: readonly PlanTarget[] = ['WBK', 'WBBM']
export const MAX_QUESTION_COST = 100

export interface PlanOptions {
  /** questions the unit cannot change; when given it replaces the default (defaultFixedQuestions) */
  fixed?: readonly string[]
  /** cost per question code, a whole number 1–100 (default 1) */
  costs?: Readonly<Record<string, number>>
  /** the most the plan may cost (with the default costs: the most changes) */
  maxChanges?: number
}

export interface RuleGap {
  rule: string
  predicate: 'WBK' | 'WBBM'
  description: string
  required: number
  actual: number
  /** required − actual in the rule's own measure (a fraction for shares of weight) */
  shortfall: number
  /** the same in points of score (for shares: times the weight) */
  points_short: number
}

export interface PlanStep {
  /** 1-based position in the plan */
  order: number
  code: string
  name: string
  /** the sub-area (or Hasil node) the question counts in */
  node_code: string
  node_name: string
  current: AnswerValue
  proposed: string | number
  /** the total's rise when this step is applied after the steps before it (can be negative for a blank answered) */
  points: number
  cost: number
  /** the failing rules this step works toward */
  rules: string[]
  /** for a Jumlah input: the ratio question it moves */
  ratio_code?: string
  kriteria_nilai?: string
  evidence_guidance?: string
}

export interface PlanResult {
  target: PlanTarget
  /** every rule of the target is met once the plan is applied */
  reachable: boolean
  /** the rules of the target that fail with the current answers */
  failing: RuleGap[]
  steps: PlanStep[]
  changes: number
  cost: number
  before: { total: number; predicate: 'WBK' | 'WBBM' | 'none' }
  after: { total: number; predicate: 'WBK' | 'WBBM' | 'none'; rules: EligibilityRuleResult[] }
  /** the rules of the target still failing after the plan (empty when reachable) */
  unreachable: RuleGap[]
  /** why the target is out of reach: no change can do it, or not within max_changes */
  unreachable_reason: 'none' | 'not_reachable' | 'max_changes'
  /** questions held fixed */
  fixed: string[]
  algorithm: 'laminar_dp' | 'branch_and_bound'
  /** the plan's answers re-scored by the engine meet every rule the plan claims to meet */
  verified: boolean
}

export class PlannerError extends Error {
  readonly code: 'plan_unsupported_rule' | 'plan_invalid_option'
  readonly pointer: string
  constructor(code: 'plan_unsupported_rule' | 'plan_invalid_option', pointer: string, message: string) {
    super(message)
    this.name = 'PlannerError'
    this.code = code
    this.pointer = pointer
  }
}

// ---------------------------------------------------------------------------------------------
// Defaults

/** Codes a formula divides by (the population a ratio is taken of: agents, complaints received, officials who must report). */
function denominatorCodes(ast: Ast, out = new Set<string>(), under = false): Set<string> {
  switch (ast.kind) {
    case 'ref':
      if (under) out.add(ast.code)
      break
    case 'unary':
      denominatorCodes(ast.arg, out, under)
      break
    case 'binary':
      denominatorCodes(ast.left, out, under)
      denominatorCodes(ast.right, out, under || ast.op === '/')
      break
    case 'call':
      for (const a of ast.args) denominatorCodes(a, out, under)
      break
    default:
  }
  return out
}

/**
 * What a unit cannot change by its own work: survey indices, questions scored with their own weight
 * (the Hasil: survey results and capaian kinerja), and the answered denominators of ratio questions
 * (how many agents, complaints or officials there are is a fact to report, not a lever; a blank one
 * stays changeable because it must be filled in).
 */
export function defaultFixedQuestions(
  def: InstrumentDefinition,
  answers: Readonly<Record<string, AnswerValue>>,
): string[] {
  const tree = indexTree(def)
  const fixed = new Set<string>()
  for (const node of tree.ordered) {
    if (!isQuestion(node)) continue
    const parent = node.parentCode === null ? undefined : tree.byCode.get(node.parentCode)
    const siblings = parent ? (tree.children.get(parent.code) ?? []) : []
    if (node.answerType === 'survey_index') fixed.add(node.code)
    if (parent && combineRuleOf(siblings) === 'weighted_sum' && !isComputed(node)) fixed.add(node.code)
    if (isComputed(node)) {
      try {
        for (const code of denominatorCodes(parseFormula(node.formula as string))) {
          const v = answers[code]
          if (v !== null && v !== undefined) fixed.add(code)
        }
      } catch {
        // an invalid formula is validateInstrument's business; it has no value to plan for
      }
    }
  }
  return tree.ordered.filter((n) => fixed.has(n.code)).map((n) => n.code)
}

// ---------------------------------------------------------------------------------------------
// Groups and their frontiers

interface Change {
  code: string
  to: string | number
  ratio?: string
}
interface ItemOption {
  cost: number
  count: number
  sum: number
  changes: Change[]
}
interface FrontierPoint {
  cost: number
  value: number
  changes: Change[]
}
interface Group {
  id: number
  /** the node the group's value is: the sub-area, or the weighted question */
  code: string
  node: InstrumentNode
  /** codes whose value includes this group's (itself and its ancestors) */
  within: Set<string>
  frontier: FrontierPoint[]
}

const costOf = (opts: PlanOptions, code: string): number => opts.costs?.[code] ?? 1

function bestOption(q: InstrumentNode): { value: string | number; multiplier: number } | null {
  if (isOptionType(q.answerType)) {
    let best: { value: string; multiplier: number } | null = null
    for (const o of q.options ?? [])
      if (!best || o.multiplier > best.multiplier) best = { value: o.value, multiplier: o.multiplier }
    return best
  }
  if (q.answerType === 'percentage') return { value: 100, multiplier: 1 }
  if (q.answerType === 'survey_index') return { value: 4, multiplier: 1 }
  return null
}

/** The usable number for a Jumlah input, as scoring reads it. */
function numericAnswer(q: InstrumentNode, raw: AnswerValue | undefined): number | null {
  if (raw === null || raw === undefined) return null
  const check = checkAnswer(q, raw)
  return check.ok && typeof check.value === 'number' ? check.value : null
}

function paretoByCost(points: FrontierPoint[]): FrontierPoint[] {
  points.sort((a, b) => a.cost - b.cost || b.value - a.value)
  const out: FrontierPoint[] = []
  for (const p of points)
    if (out.length === 0 || p.value > (out[out.length - 1] as FrontierPoint).value + 1e-12) out.push(p)
  return out
}

/** The options of a cluster of ratio questions sharing Jumlah inputs. */
function ratioClusterOptions(
  ratios: InstrumentNode[],
  tree: TreeIndex,
  answers: Readonly<Record<string, AnswerValue>>,
  fixed: Set<string>,
  opts: PlanOptions,
  perQuestionWeight: boolean,
): ItemOption[] {
  const parsed = ratios.map((r) => {
    try {
      const ast = parseFormula(r.formula as string)
      return { r, ast, needs: [...new Set([...referencedCodes(ast), ...(r.formulaRequires ?? [])])] }
    } catch {
      return { r, ast: null, needs: [] as string[] }
    }
  })
  const inputs = [...new Set(parsed.flatMap((p) => p.needs))]
  const current = new Map<string, number | null>()
  for (const code of inputs) {
    const node = tree.byCode.get(code)
    current.set(code, node ? numericAnswer(node, answers[code]) : null)
  }
  const evaluate = (values: Map<string, number | null>): { count: number; sum: number } => {
    let count = 0
    let sum = 0
    for (const p of parsed) {
      if (!p.ast || !isScored(p.r) || p.needs.some((c) => values.get(c) === null || values.get(c) === undefined))
        continue
      let result: number
      try {
        result = evaluateFormula(p.ast, values)
      } catch (error) {
        if (error instanceof FormulaEvaluationError) continue
        throw error
      }
      const m = Math.min(1, Math.max(0, result))
      count += 1
      sum += perQuestionWeight && typeof p.r.bobot === 'number' ? m * p.r.bobot : m
    }
    return { count, sum }
  }
  const base = evaluate(current)
  const options: ItemOption[] = [{ cost: 0, count: base.count, sum: base.sum, changes: [] }]
  const movable = inputs.filter((c) => !fixed.has(c) && tree.byCode.get(c)?.answerType === 'count')
  const answeredValues = inputs.map((c) => current.get(c)).filter((v): v is number => typeof v === 'number')
  const candidatesOf = (code: string): number[] => {
    const own = current.get(code)
    const others = inputs
      .filter((c) => c !== code)
      .map((c) => current.get(c))
      .filter((v): v is number => typeof v === 'number')
    const set = new Set<number>([0, 1, ...others, others.reduce((s, v) => s + v, 0)])
    if (answeredValues.length === 0) set.add(1)
    return [...set].filter((v) => v !== own && Number.isSafeInteger(v) && v >= 0).sort((a, b) => a - b)
  }
  const ratioOf = ratios.length === 1 ? (ratios[0] as InstrumentNode).code : undefined
  const best = new Map<string, ItemOption>()
  // every non-empty subset of the movable inputs, each input at each of its candidates
  const n = Math.min(movable.length, 6)
  for (let mask = 1; mask < 1 << n; mask++) {
    const chosen = movable.filter((_, i) => mask & (1 << i))
    const cost = chosen.reduce((s, c) => s + costOf(opts, c), 0)
    if (opts.maxChanges !== undefined && cost > opts.maxChanges) continue
    const lists = chosen.map(candidatesOf)
    const idx = chosen.map(() => 0)
    if (lists.some((l) => l.length === 0)) continue
    for (;;) {
      const values = new Map(current)
      chosen.forEach((c, i) => values.set(c, (lists[i] as number[])[idx[i] as number] as number))
      const r = evaluate(values)
      const key = `${cost}|${r.count}`
      const prev = best.get(key)
      if (!prev || r.sum > prev.sum + 1e-12) {
        best.set(key, {
          cost,
          count: r.count,
          sum: r.sum,
          changes: chosen.map((c) => ({
            code: c,
            to: values.get(c) as number,
            ...(ratioOf ? { ratio: ratioOf } : {}),
          })),
        })
      }
      let k = 0
      while (k < idx.length) {
        idx[k] = (idx[k] as number) + 1
        if ((idx[k] as number) < (lists[k] as number[]).length) break
        idx[k] = 0
        k++
      }
      if (k === idx.length) break
    }
  }
  options.push(...best.values())
  return options
}

/** Items of a group → its frontier by a DP over (cost, answered count). */
function frontierOf(items: ItemOption[][], average: boolean, weight: number, cap: number): FrontierPoint[] {
  let states = new Map<string, ItemOption>([['0|0', { cost: 0, count: 0, sum: 0, changes: [] }]])
  for (const options of items) {
    const next = new Map<string, ItemOption>()
    for (const s of states.values()) {
      for (const o of options) {
        const cost = s.cost + o.cost
        if (cost > cap) continue
        const count = s.count + o.count
        const sum = s.sum + o.sum
        const key = `${cost}|${count}`
        const prev = next.get(key)
        if (!prev || sum > prev.sum + 1e-12)
          next.set(key, { cost, count, sum, changes: o.changes.length ? [...s.changes, ...o.changes] : s.changes })
      }
    }
    states = next
  }
  const points: FrontierPoint[] = []
  for (const s of states.values()) {
    const value = average ? (s.count > 0 ? (s.sum / s.count) * weight : 0) : s.sum
    points.push({ cost: s.cost, value, changes: s.changes })
  }
  return paretoByCost(points)
}

function buildGroups(
  _def: InstrumentDefinition,
  tree: TreeIndex,
  score: ScoreResult,
  answers: Readonly<Record<string, AnswerValue>>,
  fixed: Set<string>,
  opts: PlanOptions,
  cap: number,
): Group[] {
  const qScore = new Map(score.questions.map((q) => [q.code, q]))
  const groups: Group[] = []
  const ancestors = (code: string): Set<string> => {
    const out = new Set<string>()
    let at: string | null = code
    while (at !== null && !out.has(at)) {
      out.add(at)
      at = tree.byCode.get(at)?.parentCode ?? null
    }
    return out
  }
  const questionItem = (q: InstrumentNode, perQuestionWeight: boolean): ItemOption[] => {
    const s = qScore.get(q.code)
    const m = s?.multiplier ?? null
    const factor = perQuestionWeight && typeof q.bobot === 'number' ? q.bobot : 1
    const options: ItemOption[] = [
      { cost: 0, count: m === null ? 0 : 1, sum: m === null ? 0 : m * factor, changes: [] },
    ]
    const best = bestOption(q)
    const c = costOf(opts, q.code)
    if (!fixed.has(q.code) && best && (m === null || best.multiplier > m) && c <= cap) {
      options.push({ cost: c, count: 1, sum: best.multiplier * factor, changes: [{ code: q.code, to: best.value }] })
    }
    return options
  }
  /** ratio questions sharing an input are one item */
  const ratioClusters = (ratios: InstrumentNode[]): InstrumentNode[][] => {
    const clusters: { codes: Set<string>; ratios: InstrumentNode[] }[] = []
    for (const r of ratios) {
      let needs: string[] = []
      try {
        needs = [...referencedCodes(parseFormula(r.formula as string)), ...(r.formulaRequires ?? [])]
      } catch {
        needs = []
      }
      const hits = clusters.filter((c) => needs.some((n) => c.codes.has(n)))
      const merged = { codes: new Set(needs), ratios: [r] }
      for (const h of hits) {
        h.codes.forEach((x) => merged.codes.add(x))
        merged.ratios.unshift(...h.ratios)
        clusters.splice(clusters.indexOf(h), 1)
      }
      clusters.push(merged)
    }
    return clusters.map((c) => c.ratios)
  }
  for (const node of tree.ordered) {
    if (isQuestion(node)) continue
    const kids = tree.children.get(node.code) ?? []
    const combine = combineRuleOf(kids)
    if (combine === 'sum') continue
    const scored = kids.filter((k) => isQuestion(k) && isScored(k))
    if (combine === 'average_times_weight') {
      const items = scored.filter((k) => !isComputed(k)).map((k) => questionItem(k, false))
      for (const cluster of ratioClusters(scored.filter(isComputed)))
        items.push(ratioClusterOptions(cluster, tree, answers, fixed, opts, false))
      groups.push({
        id: groups.length,
        code: node.code,
        node,
        within: ancestors(node.code),
        frontier: frontierOf(items, true, typeof node.bobot === 'number' ? node.bobot : 0, cap),
      })
    } else {
      for (const k of scored.filter((x) => !isComputed(x))) {
        groups.push({
          id: groups.length,
          code: k.code,
          node: k,
          within: ancestors(k.code),
          frontier: frontierOf([questionItem(k, true)], false, 0, cap),
        })
      }
      for (const cluster of ratioClusters(scored.filter(isComputed))) {
        const head = cluster[0] as InstrumentNode
        groups.push({
          id: groups.length,
          code: head.code,
          node: head,
          within: ancestors(head.code),
          frontier: frontierOf([ratioClusterOptions(cluster, tree, answers, fixed, opts, true)], false, 0, cap),
        })
      }
    }
  }
  return groups
}

// ---------------------------------------------------------------------------------------------
// Rules over groups

interface RuleModel {
  rule: PredicateRule
  /** group id → how many times its value counts in the rule */
  coef: Map<number, number>
  weight: number
}

function ruleModels(_def: InstrumentDefinition, tree: TreeIndex, groups: Group[], rules: PredicateRule[]): RuleModel[] {
  const weightOf = (code: string): number => {
    const n = tree.byCode.get(code)
    return typeof n?.bobot === 'number' ? n.bobot : 0
  }
  const maxTotal = (tree.children.get(null) ?? [])
    .filter((r) => !isQuestion(r))
    .reduce((s, r) => s + (typeof r.bobot === 'number' ? r.bobot : 0), 0)
  return rules.map((rule, i) => {
    const coef = new Map<number, number>()
    let codes: string[]
    let weight: number
    if (rule.target.kind === 'total') {
      codes = (tree.children.get(null) ?? []).filter((r) => !isQuestion(r)).map((r) => r.code)
      weight = maxTotal
    } else {
      codes = rule.target.kind === 'node' ? [rule.target.code] : rule.target.codes
      weight = codes.reduce((s, c) => s + weightOf(c), 0)
    }
    for (const code of codes) {
      const node = tree.byCode.get(code)
      if (node && isQuestion(node) && !groups.some((g) => g.code === code)) {
        throw new PlannerError(
          'plan_unsupported_rule',
          `/predicateRules/${i}/target`,
          `rule ${rule.id} targets question ${code}, whose value is not a sum of sub-areas; the planner cannot plan for it`,
        )
      }
      for (const g of groups) if (g.within.has(code)) coef.set(g.id, (coef.get(g.id) ?? 0) + 1)
    }
    return { rule, coef, weight }
  })
}

const passes = (m: RuleModel, value: number): boolean =>
  (m.rule.measure === 'value' ? value : m.weight > 0 ? value / m.weight : 0) >= m.rule.min - ELIGIBILITY_TOLERANCE

const ruleValue = (m: RuleModel, value: (g: number) => number): number => {
  let v = 0
  for (const [g, a] of m.coef) v += a * value(g)
  return v
}

// ---------------------------------------------------------------------------------------------
// Combination

interface Combined {
  cost: number
  value: number
  /** a group's own frontier point, or the two points merged into this one */
  group?: [number, number]
  left?: Combined
  right?: Combined
}

const ZERO: Combined = { cost: 0, value: 0 }

function picksOf(c: Combined, out = new Map<number, number>()): Map<number, number> {
  const stack: Combined[] = [c]
  while (stack.length > 0) {
    const x = stack.pop() as Combined
    if (x.group) out.set(x.group[0], x.group[1])
    if (x.left) stack.push(x.left)
    if (x.right) stack.push(x.right)
  }
  return out
}

function mergeFrontiers(a: Combined[], b: Combined[], cap: number): Combined[] {
  const out: Combined[] = []
  for (const x of a) {
    for (const y of b) {
      const cost = x.cost + y.cost
      if (cost > cap) break
      out.push({ cost, value: x.value + y.value, left: x, right: y })
    }
  }
  out.sort((p, q) => p.cost - q.cost || q.value - p.value)
  const pruned: Combined[] = []
  for (const p of out)
    if (pruned.length === 0 || p.value > (pruned[pruned.length - 1] as Combined).value + 1e-12) pruned.push(p)
  return pruned
}

const groupCombined = (g: Group): Combined[] =>
  g.frontier.map((p, i) => ({ cost: p.cost, value: p.value, group: [g.id, i] }))

/** The laminar tree DP; null when the rules are not laminar over the groups (or weight a group twice). */
function laminarSolve(groups: Group[], models: RuleModel[], cap: number): Map<number, number> | null | 'infeasible' {
  if (models.some((m) => [...m.coef.values()].some((a) => a !== 1))) return null
  const sets = new Map<string, { members: Set<number>; rules: RuleModel[] }>()
  for (const m of models) {
    const key = [...m.coef.keys()].sort((x, y) => x - y).join(',')
    const entry = sets.get(key) ?? { members: new Set(m.coef.keys()), rules: [] }
    entry.rules.push(m)
    sets.set(key, entry)
  }
  const list = [...sets.values()].sort((x, y) => y.members.size - x.members.size)
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = (list[i] as { members: Set<number> }).members
      const b = (list[j] as { members: Set<number> }).members
      let inter = 0
      for (const x of b) if (a.has(x)) inter++
      if (inter !== 0 && inter !== b.size) return null
    }
  }
  const all = new Set<number>(list.flatMap((s) => [...s.members]))
  const root = { members: all, rules: [] as RuleModel[] }
  const nodes = [root, ...list]
  const parent = new Map<number, number>()
  for (let i = 1; i < nodes.length; i++) {
    let best = 0
    for (let j = 1; j < i; j++) {
      const big = (nodes[j] as { members: Set<number> }).members
      const small = (nodes[i] as { members: Set<number> }).members
      if (
        big.size >= small.size &&
        [...small].every((x) => big.has(x)) &&
        big.size <= (nodes[best] as { members: Set<number> }).members.size
      )
        best = j
    }
    parent.set(i, best)
  }
  const byId = new Map(groups.map((g) => [g.id, g]))
  const solveNode = (i: number): Combined[] => {
    const node = nodes[i] as { members: Set<number>; rules: RuleModel[] }
    const childSets = [...parent.entries()].filter(([, p]) => p === i).map(([c]) => c)
    const covered = new Set<number>()
    let acc: Combined[] = [ZERO]
    for (const c of childSets) {
      ;(nodes[c] as { members: Set<number> }).members.forEach((x) => covered.add(x))
      acc = mergeFrontiers(acc, solveNode(c), cap)
    }
    for (const gid of node.members)
      if (!covered.has(gid)) acc = mergeFrontiers(acc, groupCombined(byId.get(gid) as Group), cap)
    return acc.filter((p) => node.rules.every((m) => passes(m, p.value)))
  }
  const top = solveNode(0)
  const first = top[0]
  return first ? picksOf(first) : 'infeasible'
}

/** Exact branch-and-bound over the groups' frontier points (any non-negative rule weights). */
function branchAndBound(groups: Group[], models: RuleModel[], cap: number): Map<number, number> | 'infeasible' {
  const relevant = groups.filter((g) => models.some((m) => m.coef.has(g.id)) && g.frontier.length > 1)
  relevant.sort((a, b) => (b.frontier.at(-1) as FrontierPoint).value - (a.frontier.at(-1) as FrontierPoint).value)
  const base = new Map(groups.map((g) => [g.id, (g.frontier[0] as FrontierPoint).value]))
  // what is still to gain in each rule from group k onward
  const rest: number[][] = models.map(() => new Array(relevant.length + 1).fill(0))
  for (let k = relevant.length - 1; k >= 0; k--) {
    const g = relevant[k] as Group
    const gain = (g.frontier.at(-1) as FrontierPoint).value - (g.frontier[0] as FrontierPoint).value
    models.forEach((m, r) => {
      const row = rest[r] as number[]
      row[k] = (row[k + 1] as number) + (m.coef.get(g.id) ?? 0) * gain
    })
  }
  let bestCost = Infinity
  let bestValue = -Infinity
  let bestPicks: Map<number, number> | null = null
  const current = models.map((m) => ruleValue(m, (g) => base.get(g) as number))
  const picks = new Map<number, number>()
  const visit = (k: number, cost: number, total: number) => {
    if (cost > cap || cost > bestCost) return
    for (let r = 0; r < models.length; r++) {
      if (!passes(models[r] as RuleModel, (current[r] as number) + ((rest[r] as number[])[k] as number))) return
    }
    if (models.every((m, r) => passes(m, current[r] as number))) {
      if (cost < bestCost || (cost === bestCost && total > bestValue)) {
        bestCost = cost
        bestValue = total
        bestPicks = new Map(picks)
      }
    }
    if (k === relevant.length) return
    const g = relevant[k] as Group
    const v0 = (g.frontier[0] as FrontierPoint).value
    for (let i = g.frontier.length - 1; i >= 0; i--) {
      const p = g.frontier[i] as FrontierPoint
      const d = p.value - v0
      models.forEach((m, r) => (current[r] = (current[r] as number) + (m.coef.get(g.id) ?? 0) * d))
      if (i > 0) picks.set(g.id, i)
      else picks.delete(g.id)
      visit(k + 1, cost + p.cost, total + d)
      models.forEach((m, r) => (current[r] = (current[r] as number) - (m.coef.get(g.id) ?? 0) * d))
    }
    picks.delete(g.id)
  }
  visit(0, 0, 0)
  return bestPicks ?? 'infeasible'
}

// ---------------------------------------------------------------------------------------------
// A lean re-score for trying plans (the engine builds an explanation for every node, which is what a
// reader wants and ~2 ms a call); the plan is verified by the engine itself at the end.

const astCache = new Map<string, { ast: Ast; refs: string[] } | null>()
function astOf(formula: string): { ast: Ast; refs: string[] } | null {
  if (!astCache.has(formula)) {
    try {
      const ast = parseFormula(formula)
      astCache.set(formula, { ast, refs: referencedCodes(ast) })
    } catch {
      astCache.set(formula, null)
    }
  }
  return astCache.get(formula) ?? null
}

interface Compiled {
  answerable: InstrumentNode[]
  computed: { q: InstrumentNode; ast: Ast; needs: string[] }[]
  scoredWeighted: InstrumentNode[]
  /** non-question nodes, children before parents */
  nodes: {
    code: string
    combine: 'sum' | 'average_times_weight' | 'weighted_sum'
    weight: number
    kids: string[]
    root: boolean
  }[]
}
const compiledTrees = new WeakMap<TreeIndex, Compiled>()

function compile(tree: TreeIndex): Compiled {
  const hit = compiledTrees.get(tree)
  if (hit) return hit
  const questions = tree.ordered.filter(isQuestion)
  const computed: Compiled['computed'] = []
  for (const q of questions) {
    if (!isComputed(q) || !isScored(q)) continue
    const parsed = astOf(q.formula as string)
    if (parsed) computed.push({ q, ast: parsed.ast, needs: [...parsed.refs, ...(q.formulaRequires ?? [])] })
  }
  const nodes: Compiled['nodes'] = []
  const visit = (node: InstrumentNode, root: boolean) => {
    const kids = tree.children.get(node.code) ?? []
    const combine = combineRuleOf(kids)
    if (combine === 'sum') for (const k of kids) if (!isQuestion(k)) visit(k, false)
    const list =
      combine === 'sum' ? kids.filter((k) => !isQuestion(k)) : kids.filter((k) => isQuestion(k) && isScored(k))
    nodes.push({
      code: node.code,
      combine,
      weight: typeof node.bobot === 'number' ? node.bobot : 0,
      kids: list.map((k) => k.code),
      root,
    })
  }
  for (const root of tree.children.get(null) ?? []) if (!isQuestion(root)) visit(root, true)
  const compiled: Compiled = {
    answerable: questions.filter((q) => !isComputed(q)),
    computed,
    scoredWeighted: questions.filter((q) => isScored(q) && typeof q.bobot === 'number'),
    nodes,
  }
  compiledTrees.set(tree, compiled)
  return compiled
}

function quickScore(
  tree: TreeIndex,
  answers: Readonly<Record<string, AnswerValue>>,
): { total: number; value: Map<string, number> } {
  const c = compile(tree)
  const mult = new Map<string, number>()
  const numeric = new Map<string, number>()
  for (const q of c.answerable) {
    const raw = answers[q.code]
    if (raw === null || raw === undefined) continue
    const check = checkAnswer(q, raw)
    if (!check.ok) continue
    const v = check.value
    if (typeof v === 'number') numeric.set(q.code, v)
    let m: number | null = null
    if (isOptionType(q.answerType)) m = (q.options ?? []).find((o) => o.value === v)?.multiplier ?? null
    else if (q.answerType === 'percentage') m = (v as number) / 100
    else if (q.answerType === 'survey_index') m = (v as number) / 4
    if (m !== null && isScored(q)) mult.set(q.code, m)
  }
  for (const f of c.computed) {
    if (f.needs.some((code) => !numeric.has(code))) continue
    try {
      mult.set(f.q.code, Math.min(1, Math.max(0, evaluateFormula(f.ast, numeric))))
    } catch (error) {
      if (!(error instanceof FormulaEvaluationError)) throw error
    }
  }
  const value = new Map<string, number>(mult)
  for (const q of c.scoredWeighted) {
    const m = mult.get(q.code)
    if (m !== undefined) value.set(q.code, m * (q.bobot as number))
  }
  let total = 0
  for (const n of c.nodes) {
    let v = 0
    if (n.combine === 'sum') {
      for (const k of n.kids) v += value.get(k) as number
    } else if (n.combine === 'average_times_weight') {
      let sum = 0
      let count = 0
      for (const k of n.kids) {
        const m = mult.get(k)
        if (m !== undefined) {
          sum += m
          count++
        }
      }
      v = count === 0 ? 0 : (sum / count) * n.weight
    } else {
      for (const k of n.kids) v += value.get(k) ?? 0
    }
    value.set(n.code, v)
    if (n.root) total += v
  }
  return { total, value }
}

function quickPasses(m: RuleModel, scored: { total: number; value: Map<string, number> }): boolean {
  const t = m.rule.target
  const v =
    t.kind === 'total'
      ? scored.total
      : t.kind === 'node'
        ? (scored.value.get(t.code) ?? 0)
        : t.codes.reduce((s, c) => s + (scored.value.get(c) ?? 0), 0)
  return passes(m, v)
}

// ---------------------------------------------------------------------------------------------

const gapOf = (r: EligibilityRuleResult, model: RuleModel | undefined): RuleGap => {
  const shortfall = Math.max(0, r.required - r.actual)
  const share = model?.rule.measure === 'share_of_weight'
  return {
    rule: r.rule,
    predicate: r.predicate,
    description: r.description,
    required: r.required,
    actual: r.actual,
    shortfall,
    points_short: share ? shortfall * (model?.weight ?? 0) : shortfall,
  }
}

export function rulesOfTarget(def: InstrumentDefinition, target: PlanTarget): PredicateRule[] {
  return def.predicateRules.filter((r) => r.predicate === 'WBK' || (target === 'WBBM' && r.predicate === 'WBBM'))
}

function checkOptions(def: InstrumentDefinition, tree: TreeIndex, opts: PlanOptions): void {
  for (const code of opts.fixed ?? []) {
    if (!tree.byCode.get(code) || !isQuestion(tree.byCode.get(code) as InstrumentNode))
      throw new PlannerError('plan_invalid_option', '/fixed', `fixed: no question ${code} in ${def.code}`)
  }
  for (const [code, cost] of Object.entries(opts.costs ?? {})) {
    if (!tree.byCode.get(code) || !isQuestion(tree.byCode.get(code) as InstrumentNode))
      throw new PlannerError('plan_invalid_option', `/costs/${code}`, `costs: no question ${code} in ${def.code}`)
    if (!Number.isInteger(cost) || cost < 1 || cost > MAX_QUESTION_COST)
      throw new PlannerError(
        'plan_invalid_option',
        `/costs/${code}`,
        `costs: ${code} must cost a whole number from 1 to ${MAX_QUESTION_COST}, not ${cost}`,
      )
  }
  if (opts.maxChanges !== undefined && (!Number.isInteger(opts.maxChanges) || opts.maxChanges < 0))
    throw new PlannerError('plan_invalid_option', '/max_changes', 'max_changes must be a whole number ≥ 0')
}

export function planImprovement(
  def: InstrumentDefinition,
  answers: Readonly<Record<string, AnswerValue>>,
  target: PlanTarget,
  opts: PlanOptions = {},
): PlanResult {
  const tree = indexTree(def)
  checkOptions(def, tree, opts)
  const fixedList = opts.fixed ? [...new Set(opts.fixed)] : defaultFixedQuestions(def, answers)
  const fixed = new Set(fixedList)
  const score0 = scoreInstrument(def, answers, { explain: false })
  const elig0 = evaluateEligibility(def, score0)
  const rules = rulesOfTarget(def, target)
  const ruleIds = new Set(rules.map((r) => r.id))
  const fullCap = Number.MAX_SAFE_INTEGER
  const groups = buildGroups(def, tree, score0, answers, fixed, opts, opts.maxChanges ?? fullCap)
  const models = ruleModels(def, tree, groups, rules)
  const modelById = new Map(models.map((m) => [m.rule.id, m]))
  const targetRules0 = elig0.rules.filter((r) => ruleIds.has(r.rule))
  const failing = targetRules0.filter((r) => !r.passed).map((r) => gapOf(r, modelById.get(r.rule)))

  // rules no change can meet: every group at its frontier's top is the best for every rule at once
  const uncapped =
    opts.maxChanges === undefined ? groups : buildGroups(def, tree, score0, answers, fixed, opts, fullCap)
  const top = new Map(uncapped.map((g) => [g.id, (g.frontier.at(-1) as FrontierPoint).value]))
  const meetable = models.filter((m) =>
    passes(
      m,
      ruleValue(m, (g) => top.get(g) as number),
    ),
  )
  const allMeetable = meetable.length === models.length

  const cap = opts.maxChanges ?? fullCap
  let algorithm: PlanResult['algorithm'] = 'laminar_dp'
  let picks: Map<number, number> | 'infeasible'
  const lam = laminarSolve(groups, meetable, cap)
  if (lam === null) {
    algorithm = 'branch_and_bound'
    picks = branchAndBound(groups, meetable, cap)
  } else picks = lam
  let reason: PlanResult['unreachable_reason'] = allMeetable ? 'none' : 'not_reachable'
  let relaxRules = meetable
  if (picks === 'infeasible') {
    // the cap binds: the highest total within it
    reason = 'max_changes'
    relaxRules = []
    let acc: Combined[] = [ZERO]
    for (const g of groups) acc = mergeFrontiers(acc, groupCombined(g), cap)
    let best = acc[0] as Combined
    for (const p of acc) if (p.value > best.value + 1e-12) best = p
    picks = picksOf(best)
  }

  const changes: Change[] = []
  for (const g of groups) {
    const i = picks.get(g.id)
    if (i !== undefined && i > 0) changes.push(...(g.frontier[i] as FrontierPoint).changes)
  }
  const applied = (list: Change[]): Record<string, AnswerValue> => {
    const out: Record<string, AnswerValue> = { ...answers }
    for (const c of list) out[c.code] = c.to
    return out
  }
  const meets = (list: Change[], check: RuleModel[]): boolean => {
    const scored = quickScore(tree, applied(list))
    return check.every((m) => quickPasses(m, scored))
  }

  // the lowest option that still does it, one step at a time (same number of changes, less to prove)
  if (relaxRules.length > 0 && changes.length <= 40) {
    for (const c of changes) {
      const q = tree.byCode.get(c.code) as InstrumentNode
      if (!isOptionType(q.answerType)) continue
      const chosen = (q.options ?? []).find((o) => o.value === c.to)
      const currentM = score0.questions.find((s) => s.code === c.code)?.multiplier ?? null
      const lower = (q.options ?? [])
        .filter((o) => chosen && o.multiplier < chosen.multiplier && (currentM === null || o.multiplier > currentM))
        .sort((a, b) => a.multiplier - b.multiplier)
      for (const o of lower) {
        const was = c.to
        c.to = o.value
        if (meets(changes, relaxRules)) break
        c.to = was
      }
    }
  }

  // order: by the gain of each change alone, then points as applied one after another
  const total0 = score0.total
  const alone = new Map(changes.map((c) => [c, quickScore(tree, applied([c])).total - total0]))
  const ordered = [...changes].sort(
    (a, b) => (alone.get(b) as number) - (alone.get(a) as number) || (a.code < b.code ? -1 : 1),
  )
  const groupOfCode = new Map<string, Group>()
  for (const g of groups) {
    const kids = isQuestion(g.node) ? [g.node] : (tree.children.get(g.code) ?? [])
    for (const k of kids) {
      groupOfCode.set(k.code, g)
      if (isComputed(k)) {
        try {
          for (const c of [...referencedCodes(parseFormula(k.formula as string)), ...(k.formulaRequires ?? [])])
            groupOfCode.set(c, g)
        } catch {
          // no value, nothing to map
        }
      }
    }
  }
  const failingIds = new Set(failing.map((f) => f.rule))
  const steps: PlanStep[] = []
  let prevTotal = total0
  const soFar: Change[] = []
  for (const c of ordered) {
    soFar.push(c)
    const t = quickScore(tree, applied(soFar)).total
    const q = tree.byCode.get(c.code) as InstrumentNode
    const g = groupOfCode.get(c.code)
    const guideFrom = c.ratio ? tree.byCode.get(c.ratio) : undefined
    const step: PlanStep = {
      order: steps.length + 1,
      code: c.code,
      name: q.name,
      node_code: g?.code ?? (q.parentCode as string),
      node_name: g?.node.name ?? '',
      current: Object.hasOwn(answers, c.code) ? (answers[c.code] ?? null) : null,
      proposed: c.to,
      points: t - prevTotal,
      cost: costOf(opts, c.code),
      rules: g ? models.filter((m) => failingIds.has(m.rule.id) && m.coef.has(g.id)).map((m) => m.rule.id) : [],
    }
    if (c.ratio) step.ratio_code = c.ratio
    const kriteria = q.kriteriaNilai ?? guideFrom?.kriteriaNilai
    const guidance = q.evidenceGuidance ?? guideFrom?.evidenceGuidance
    if (kriteria !== undefined) step.kriteria_nilai = kriteria
    if (guidance !== undefined) step.evidence_guidance = guidance
    steps.push(step)
    prevTotal = t
  }

  const finalScore = scoreInstrument(def, applied(changes), { explain: false })
  const finalElig = evaluateEligibility(def, finalScore)
  const finalTarget = finalElig.rules.filter((r) => ruleIds.has(r.rule))
  const stillFailing = finalTarget.filter((r) => !r.passed)
  const claimed = new Set(relaxRules.map((m) => m.rule.id))
  const verified = finalTarget.every((r) => !claimed.has(r.rule) || r.passed)
  return {
    target,
    reachable: stillFailing.length === 0,
    failing,
    steps,
    changes: steps.length,
    cost: steps.reduce((s, x) => s + x.cost, 0),
    before: { total: score0.total, predicate: elig0.predicate },
    after: { total: finalScore.total, predicate: finalElig.predicate, rules: finalTarget },
    unreachable: stillFailing.map((r) => gapOf(r, modelById.get(r.rule))),
    unreachable_reason: stillFailing.length === 0 ? 'none' : reason,
    fixed: fixedList,
    algorithm,
    verified,
  }
}
