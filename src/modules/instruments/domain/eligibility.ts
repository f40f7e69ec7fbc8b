/**
 * Eligibility for a predicate from the version's predicate rules (data: see the seed overlay, each
 * number with its source and confidence).
 *
 * - A rule's actual value: `total` → the score's total; `node` → that node's value (a question's
 *   `value`, e.g. an IPAK survey's index ÷ 4 × 17.5); `nodes` → the sum of their values.
 *   With measure `share_of_weight`, actual = value ÷ weight (the sum of the weights for `nodes`),
 *   a fraction like the workbook's "%" column M (`=L6/H6`), and `min` is a fraction too (0.6 = 60 %).
 * - A rule passes when actual ≥ min − 1e-9: "at least" in the regulation's sense, with a tolerance
 *   for binary floating point (3.6 ÷ 4 × 17.5 is 15.750000000000002 or 15.749999999999998 depending
 *   on the order of operations; an index of exactly 3.60 must meet a 15.75 minimum).
 * - The predicate is WBBM when every WBBM rule and every WBK rule passes (WBBM builds on WBK), else
 *   WBK when every WBK rule passes, else none. A predicate with no rules is never reached.
 *   Non-score requirements (e.g. holding WBK before a WBBM proposal) are not evaluated here.
 */
import { indexTree } from './tree.js'
import type {
  EligibilityResult,
  EligibilityRuleResult,
  InstrumentDefinition,
  PredicateRule,
  ScoreResult,
} from './types.js'

export const ELIGIBILITY_TOLERANCE = 1e-9

export function evaluateEligibility(def: InstrumentDefinition, score: ScoreResult): EligibilityResult {
  const tree = indexTree(def)
  const nodeValue = new Map<string, number>(score.nodes.map((n) => [n.code, n.value]))
  for (const q of score.questions) nodeValue.set(q.code, q.value ?? 0)
  const weightOf = (code: string): number => {
    const node = tree.byCode.get(code)
    return typeof node?.bobot === 'number' ? node.bobot : 0
  }
  const measure = (rule: PredicateRule): number => {
    let value: number
    let weight: number
    const target = rule.target
    if (target.kind === 'total') {
      value = score.total
      weight = score.maxTotal
    } else if (target.kind === 'node') {
      value = nodeValue.get(target.code) ?? 0
      weight = weightOf(target.code)
    } else {
      value = target.codes.reduce((s, c) => s + (nodeValue.get(c) ?? 0), 0)
      weight = target.codes.reduce((s, c) => s + weightOf(c), 0)
    }
    if (rule.measure === 'value') return value
    return weight > 0 ? value / weight : 0
  }
  const rules: EligibilityRuleResult[] = def.predicateRules.map((rule) => {
    const actual = measure(rule)
    return {
      rule: rule.id,
      predicate: rule.predicate,
      description: rule.description,
      required: rule.min,
      actual,
      passed: actual >= rule.min - ELIGIBILITY_TOLERANCE,
      source: rule.source,
    }
  })
  const all = (p: 'WBK' | 'WBBM') => {
    const mine = rules.filter((r) => r.predicate === p)
    return mine.length > 0 && mine.every((r) => r.passed)
  }
  const wbk = all('WBK')
  const predicate = wbk && all('WBBM') ? 'WBBM' : wbk ? 'WBK' : 'none'
  return { predicate, rules }
}
