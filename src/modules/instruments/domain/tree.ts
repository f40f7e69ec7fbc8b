import {
  INPUT_ANSWER_TYPES,
  OPTION_ANSWER_TYPES,
  type AnswerValue,
  type CombineRule,
  type InstrumentDefinition,
  type InstrumentNode,
  type OptionAnswerType,
} from './types.js'

/** The definition as a tree: nodes by code, children in order, everything depth first. */
export interface TreeIndex {
  byCode: Map<string, InstrumentNode>
  children: Map<string | null, InstrumentNode[]>
  /** depth first from the roots, siblings by (order, code); nodes in a cycle or under a missing parent are left out */
  ordered: InstrumentNode[]
}

export const byOrder = (a: InstrumentNode, b: InstrumentNode): number =>
  a.order - b.order || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)

const sealed = new WeakSet<InstrumentDefinition>()
const sealedIndexes = new WeakMap<InstrumentDefinition, TreeIndex>()

/**
 * Marks a definition that will never change (a published version as the cache loaded it), so
 * its tree is indexed once instead of on every score, validation and eligibility check. Only
 * sealed definitions are remembered: drafts and definitions being built are indexed afresh.
 */
export function sealDefinition<D extends InstrumentDefinition>(def: D): D {
  sealed.add(def)
  return def
}

/** Tolerant of invalid data (the first of duplicate codes wins); validateInstrument reports the problems. */
export function indexTree(def: InstrumentDefinition): TreeIndex {
  const cached = sealedIndexes.get(def)
  if (cached) return cached
  const index = buildTreeIndex(def)
  if (sealed.has(def)) {
    // shared by every request from now on: frozen so that a caller cannot change it for the others
    Object.freeze(index.ordered)
    for (const list of index.children.values()) Object.freeze(list)
    sealedIndexes.set(def, index)
  }
  return index
}

/** The ancestors of a node, root first (stops at a missing parent). */
export function ancestorsOf(index: TreeIndex, node: InstrumentNode): InstrumentNode[] {
  const ancestors: InstrumentNode[] = []
  const seen = new Set<string>([node.code])
  for (let parent = node.parentCode; parent !== null && !seen.has(parent); ) {
    const p = index.byCode.get(parent)
    if (!p) break
    seen.add(parent)
    ancestors.unshift(p)
    parent = p.parentCode
  }
  return ancestors
}

function buildTreeIndex(def: InstrumentDefinition): TreeIndex {
  const byCode = new Map<string, InstrumentNode>()
  for (const node of def.nodes) if (!byCode.has(node.code)) byCode.set(node.code, node)
  const children = new Map<string | null, InstrumentNode[]>()
  for (const node of byCode.values()) {
    const list = children.get(node.parentCode) ?? []
    list.push(node)
    children.set(node.parentCode, list)
  }
  for (const list of children.values()) list.sort(byOrder)
  const ordered: InstrumentNode[] = []
  const seen = new Set<string>()
  const visit = (parent: string | null) => {
    for (const node of children.get(parent) ?? []) {
      if (seen.has(node.code)) continue
      seen.add(node.code)
      ordered.push(node)
      visit(node.code)
    }
  }
  visit(null)
  return { byCode, children, ordered }
}

export const isQuestion = (node: InstrumentNode): boolean => node.level === 'question'
export const isOptionType = (t: unknown): t is OptionAnswerType =>
  (OPTION_ANSWER_TYPES as readonly unknown[]).includes(t)
export const isInputType = (t: unknown): boolean => (INPUT_ANSWER_TYPES as readonly unknown[]).includes(t)

/** Whether a question counts in its node: `scored` when set, else false for count/rupiah inputs, true otherwise. */
export const isScored = (q: InstrumentNode): boolean => q.scored ?? !isInputType(q.answerType)

/** A question whose value comes from its formula and is never answered. */
export const isComputed = (q: InstrumentNode): boolean => typeof q.formula === 'string'

/**
 * How a non-question node combines its children (the workbook's formulas):
 * - child nodes → `sum` (`=SUM(L7,L10,L14,L18)`, areas, Pemenuhan/Reform, komponen, total);
 * - questions, none of the scored ones with a weight → `average_times_weight` (`=AVERAGE(L8:L9)*H7`);
 * - questions with their own weights → `weighted_sum` (Hasil: `=IF(K202="","Blm Diisi",K202/4)*H202`,
 *   `=CONV*H203`, summed by `=SUM(L202,L203)`).
 */
export function combineRuleOf(children: readonly InstrumentNode[]): CombineRule {
  if (children.some((c) => !isQuestion(c))) return 'sum'
  return children.some((c) => isScored(c) && c.bobot !== null && c.bobot !== undefined)
    ? 'weighted_sum'
    : 'average_times_weight'
}

export type AnswerCheck =
  | { ok: true; value: string | number }
  // answer_precision: a survey index with more than two decimals (added with that check, which did not type-check without it)
  | {
      ok: false
      code:
        | 'computed_question'
        | 'answer_wrong_type'
        | 'answer_not_allowed'
        | 'answer_out_of_range'
        | 'answer_precision'
      message: string
    }

/**
 * Checks one given (non-null) answer against its question. Option answers match the option values
 * case-insensitively, as the workbook's `K8="Ya"` does (Excel compares text without case); the
 * normalised value is the option's own spelling.
 */
export function checkAnswer(q: InstrumentNode, value: Exclude<AnswerValue, null>): AnswerCheck {
  if (isComputed(q))
    return {
      ok: false,
      code: 'computed_question',
      message: `${q.code} is computed by its formula (${q.formula}); answer its inputs instead`,
    }
  const t = q.answerType
  if (isOptionType(t)) {
    const allowed = (q.options ?? []).map((o) => o.value)
    if (typeof value !== 'string')
      return {
        ok: false,
        code: 'answer_wrong_type',
        message: `${q.code} takes one of ${allowed.join(', ')}, not a number`,
      }
    const match = (q.options ?? []).find((o) => o.value.toLowerCase() === value.toLowerCase())
    if (!match)
      return {
        ok: false,
        code: 'answer_not_allowed',
        message: `${q.code} takes one of ${allowed.join(', ')}, not "${value}"`,
      }
    return { ok: true, value: match.value }
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { ok: false, code: 'answer_wrong_type', message: `${q.code} (${t}) takes a number` }
  }
  switch (t) {
    case 'percentage':
      if (value < 0 || value > 100)
        return { ok: false, code: 'answer_out_of_range', message: `${q.code} is a percentage: 0 to 100, not ${value}` }
      return { ok: true, value }
    case 'survey_index':
      if (value < 0 || value > 4)
        return { ok: false, code: 'answer_out_of_range', message: `${q.code} is a survey index: 0 to 4, not ${value}` }
      // Survey results are published with two decimals (e.g. 3.67); more is a typo or a raw average.
      if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-9)
        return {
          ok: false,
          code: 'answer_precision',
          message: `${q.code} is a survey index with at most two decimals, not ${value}`,
        }
      return { ok: true, value }
    case 'count':
      if (!Number.isSafeInteger(value) || value < 0)
        return {
          ok: false,
          code: 'answer_out_of_range',
          message: `${q.code} is a count: a whole number ≥ 0, not ${value}`,
        }
      return { ok: true, value }
    case 'rupiah':
      if (value < 0)
        return {
          ok: false,
          code: 'answer_out_of_range',
          message: `${q.code} is an amount in rupiah: ≥ 0, not ${value}`,
        }
      return { ok: true, value }
    default:
      return { ok: false, code: 'answer_not_allowed', message: `${q.code} has no valid answer type` }
  }
}

/** JSON pointer token escaping (RFC 6901). */
export const pointerToken = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1')
