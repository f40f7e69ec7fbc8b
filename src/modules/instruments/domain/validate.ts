import {
  FormulaEvaluationError,
  FormulaSyntaxError,
  evaluateFormula,
  parseFormula,
  referencedCodes,
  type Ast,
} from './formula.js'
import {
  checkAnswer,
  combineRuleOf,
  indexTree,
  isComputed,
  isInputType,
  isOptionType,
  isQuestion,
  isScored,
  pointerToken,
} from './tree.js'
import {
  ANSWER_TYPES,
  NODE_LEVELS,
  OPTION_VALUES,
  type AnswerValue,
  type InstrumentDefinition,
  type InstrumentNode,
  type ValidationIssue,
} from './types.js'

/** Codes are what formulas name, so they follow the formula grammar's `code` (letters, digits, `_`, `.`), 1–64 characters. */
export const CODE_PATTERN = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/

/** Two weights are equal within 1e-9 (relative to the larger): 0.25 + 0.5 + 1.25 + … is not exact in binary. */
export const weightsEqual = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))

const LEVEL_RANK: Record<string, number> = { komponen: 0, sub_komponen: 1, area_perubahan: 2, sub_area: 3, question: 4 }
const QUESTION_ONLY = [
  'answerType',
  'options',
  'kriteriaNilai',
  'evidenceGuidance',
  'formula',
  'formulaRequires',
  'scored',
] as const
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const fmt = (x: number): string => String(Math.round(x * 1e9) / 1e9)

/**
 * Every problem with a definition, [] when it is valid. Pointers are into the definition
 * (`/nodes/12/bobot`, `/predicateRules/3/target/code`).
 */
export function validateInstrument(def: InstrumentDefinition): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const add = (pointer: string, code: string, message: string) => issues.push({ pointer, code, message })
  if (typeof def !== 'object' || def === null) {
    add('', 'invalid_definition', 'the definition must be an object')
    return issues
  }
  if (typeof def.code !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(def.code))
    add('/code', 'invalid_definition', 'code: 1–64 letters, digits, ".", "_" or "-", e.g. LKE-ZI-2026')
  if (typeof def.name !== 'string' || def.name.trim() === '')
    add('/name', 'invalid_definition', 'name must be a non-empty string')
  if (!Number.isInteger(def.year) || def.year < 2000 || def.year > 2100)
    add('/year', 'invalid_definition', 'year must be an integer 2000–2100')
  if (!Array.isArray(def.nodes)) {
    add('/nodes', 'invalid_definition', 'nodes must be an array')
    return issues
  }
  if (!Array.isArray(def.predicateRules))
    add('/predicateRules', 'invalid_definition', 'predicateRules must be an array')

  // --- codes, levels, parents
  const firstAt = new Map<string, number>()
  def.nodes.forEach((node, i) => {
    const at = `/nodes/${i}`
    if (typeof node !== 'object' || node === null) {
      add(at, 'invalid_definition', 'a node must be an object')
      return
    }
    if (typeof node.code !== 'string' || !CODE_PATTERN.test(node.code)) {
      add(
        `${at}/code`,
        'invalid_code',
        `code ${JSON.stringify(node.code)}: 1–64 characters, a letter or "_" then letters, digits, "_" or "."`,
      )
    } else if (firstAt.has(node.code)) {
      add(`${at}/code`, 'duplicate_code', `code ${node.code} is already used by /nodes/${firstAt.get(node.code)}`)
    } else firstAt.set(node.code, i)
    if (!(NODE_LEVELS as readonly string[]).includes(node.level))
      add(`${at}/level`, 'unknown_level', `level ${JSON.stringify(node.level)} is not one of ${NODE_LEVELS.join(', ')}`)
    if (typeof node.name !== 'string' || node.name.trim() === '')
      add(`${at}/name`, 'invalid_name', `${node.code}: name must be a non-empty string`)
    if (!isFiniteNumber(node.order)) add(`${at}/order`, 'invalid_order', `${node.code}: order must be a number`)
  })
  const indexOf = (code: string): number => firstAt.get(code) ?? -1
  const tree = indexTree(def)
  const parentOk = new Set<string>()
  def.nodes.forEach((node, i) => {
    if (typeof node !== 'object' || node === null || firstAt.get(node.code) !== i) return
    const at = `/nodes/${i}`
    if (node.parentCode === null) {
      if (node.level !== 'komponen')
        add(
          `${at}/parentCode`,
          'root_not_komponen',
          `${node.code} is a ${node.level} without a parent; only a komponen is at the top`,
        )
      parentOk.add(node.code)
      return
    }
    const parent = tree.byCode.get(node.parentCode)
    if (!parent) {
      add(
        `${at}/parentCode`,
        'parent_not_found',
        `${node.code}: parent ${JSON.stringify(node.parentCode)} does not exist`,
      )
      return
    }
    if (isQuestion(parent)) {
      add(
        `${at}/parentCode`,
        'question_has_children',
        `${node.code} is under ${parent.code}, a question; questions have no children`,
      )
      return
    }
    const rp = LEVEL_RANK[parent.level]
    const rc = LEVEL_RANK[node.level]
    if (
      rp !== undefined &&
      rc !== undefined &&
      !(rc > rp || (node.level === 'sub_area' && parent.level === 'sub_area'))
    ) {
      add(
        `${at}/level`,
        'level_not_below_parent',
        `${node.code} is a ${node.level} under ${parent.code}, a ${parent.level}: levels go komponen → sub_komponen → area_perubahan → sub_area (→ sub_area) → question`,
      )
    }
    parentOk.add(node.code)
  })
  // cycles: nodes with a valid parent chain that never reaches a root
  const reached = new Set(tree.ordered.map((n) => n.code))
  def.nodes.forEach((node, i) => {
    if (typeof node !== 'object' || node === null || firstAt.get(node.code) !== i) return
    if (parentOk.has(node.code) && !reached.has(node.code))
      add(
        `/nodes/${i}/parentCode`,
        'parent_cycle',
        `${node.code} is its own ancestor (parent chain ${chainOf(node.code, tree.byCode)})`,
      )
  })

  // --- weights, question fields, combine rules
  def.nodes.forEach((node, i) => {
    if (typeof node !== 'object' || node === null || firstAt.get(node.code) !== i) return
    const at = `/nodes/${i}`
    if (!isQuestion(node)) {
      if (!isFiniteNumber(node.bobot) || node.bobot < 0)
        add(`${at}/bobot`, 'invalid_weight', `${node.code}: a ${node.level} needs a weight (bobot) ≥ 0`)
      for (const f of QUESTION_ONLY)
        if (node[f] !== undefined)
          add(`${at}/${f}`, 'question_only_field', `${node.code}: ${f} applies to questions only`)
      return
    }
    if (node.bobot !== null && node.bobot !== undefined && (!isFiniteNumber(node.bobot) || node.bobot < 0))
      add(`${at}/bobot`, 'invalid_weight', `${node.code}: a question's weight is null or a number ≥ 0`)
    validateQuestionFields(node, at, add)
  })

  for (const parent of tree.ordered) {
    if (isQuestion(parent)) continue
    const at = `/nodes/${indexOf(parent.code)}`
    const kids = tree.children.get(parent.code) ?? []
    if (kids.length === 0) {
      add(at, 'empty_node', `${parent.code} (${parent.level}) has no children`)
      continue
    }
    const questions = kids.filter(isQuestion)
    if (questions.length > 0 && questions.length < kids.length) {
      add(
        at,
        'mixed_children',
        `${parent.code} has both questions (${questions.map((q) => q.code).join(', ')}) and sub-nodes; a node holds one or the other`,
      )
      continue
    }
    if (!isFiniteNumber(parent.bobot)) continue
    const rule = combineRuleOf(kids)
    if (rule === 'sum') {
      if (kids.some((k) => !isFiniteNumber(k.bobot))) continue
      const sum = kids.reduce((s, k) => s + (k.bobot as number), 0)
      if (!weightsEqual(sum, parent.bobot)) {
        add(
          `${at}/bobot`,
          'weights_do_not_sum',
          `${parent.code} weighs ${fmt(parent.bobot)} but its children weigh ${kids.map((k) => `${k.code} ${fmt(k.bobot as number)}`).join(' + ')} = ${fmt(sum)}`,
        )
      }
      continue
    }
    const scored = questions.filter(isScored)
    if (scored.length === 0) {
      add(
        at,
        'no_scored_questions',
        `${parent.code} has no scored question (only inputs ${questions.map((q) => q.code).join(', ')}): add a ratio question with a formula over them`,
      )
      continue
    }
    if (rule === 'weighted_sum') {
      const missing = scored.filter((q) => !isFiniteNumber(q.bobot))
      if (missing.length > 0) {
        add(
          `/nodes/${indexOf((missing[0] as InstrumentNode).code)}/bobot`,
          'question_weights_mixed',
          `${parent.code}: some scored questions have their own weight and ${missing.map((q) => q.code).join(', ')} do not; give all or none a weight`,
        )
        continue
      }
      const sum = scored.reduce((s, q) => s + (q.bobot as number), 0)
      if (!weightsEqual(sum, parent.bobot)) {
        add(
          `${at}/bobot`,
          'weights_do_not_sum',
          `${parent.code} weighs ${fmt(parent.bobot)} but its questions weigh ${scored.map((q) => `${q.code} ${fmt(q.bobot as number)}`).join(' + ')} = ${fmt(sum)}`,
        )
      }
    }
    // formulas: references must be sibling inputs
    for (const q of questions) {
      if (!isComputed(q)) continue
      const qi = indexOf(q.code)
      let refs: string[]
      try {
        refs = referencedCodes(parseFormula(q.formula as string))
      } catch {
        continue // reported by validateQuestionFields
      }
      const siblings = new Map(questions.map((s) => [s.code, s]))
      const checkRef = (code: string, pointer: string) => {
        const target = tree.byCode.get(code)
        if (!target)
          return add(pointer, 'formula_unknown_reference', `${q.code}: the formula names ${code}, which does not exist`)
        if (!siblings.has(code))
          return add(
            pointer,
            'formula_reference_not_sibling',
            `${q.code}: the formula names ${code}, which is not a question beside it under ${parent.code}`,
          )
        if (
          code === q.code ||
          isComputed(target) ||
          isOptionType(target.answerType) ||
          !(ANSWER_TYPES as readonly string[]).includes(target.answerType as string)
        ) {
          return add(
            pointer,
            'formula_reference_not_input',
            `${q.code}: the formula names ${code}, which is not a numeric input (count, rupiah, percentage or survey index answered directly)`,
          )
        }
      }
      for (const code of refs) checkRef(code, `/nodes/${qi}/formula`)
      ;(q.formulaRequires ?? []).forEach((code, k) => checkRef(code, `/nodes/${qi}/formulaRequires/${k}`))
    }
  }

  // --- predicate rules
  if (Array.isArray(def.predicateRules)) {
    const ids = new Map<string, number>()
    def.predicateRules.forEach((rule, i) => {
      const at = `/predicateRules/${i}`
      if (typeof rule !== 'object' || rule === null) return add(at, 'invalid_rule', 'a rule must be an object')
      if (typeof rule.id !== 'string' || rule.id === '')
        add(`${at}/id`, 'invalid_rule', 'id must be a non-empty string')
      else if (ids.has(rule.id))
        add(
          `${at}/id`,
          'duplicate_rule_id',
          `rule id ${rule.id} is already used by /predicateRules/${ids.get(rule.id)}`,
        )
      else ids.set(rule.id, i)
      if (rule.predicate !== 'WBK' && rule.predicate !== 'WBBM')
        add(`${at}/predicate`, 'invalid_rule', 'predicate must be WBK or WBBM')
      if (rule.measure !== 'value' && rule.measure !== 'share_of_weight')
        add(`${at}/measure`, 'invalid_rule', 'measure must be value or share_of_weight')
      if (!isFiniteNumber(rule.min) || rule.min < 0) add(`${at}/min`, 'invalid_rule', 'min must be a number ≥ 0')
      else if (rule.measure === 'share_of_weight' && rule.min > 1)
        add(`${at}/min`, 'invalid_rule', 'a share of weight is a fraction 0–1 (0.6 = 60 %)')
      for (const f of ['description', 'source', 'confidence'] as const) {
        if (typeof rule[f] !== 'string' || rule[f].trim() === '')
          add(`${at}/${f}`, 'invalid_rule', `${f} must be a non-empty string`)
      }
      const target = rule.target as { kind?: unknown; code?: unknown; codes?: unknown } | undefined
      const checkTarget = (code: unknown, pointer: string) => {
        const node = typeof code === 'string' ? tree.byCode.get(code) : undefined
        if (!node) add(pointer, 'rule_unknown_target', `rule ${rule.id}: no node ${JSON.stringify(code)}`)
        else if (rule.measure === 'share_of_weight' && !(isFiniteNumber(node.bobot) && node.bobot > 0)) {
          add(pointer, 'invalid_rule', `rule ${rule.id}: ${node.code} has no weight, so it has no share of weight`)
        }
      }
      if (target?.kind === 'total') return
      if (target?.kind === 'node') return checkTarget(target.code, `${at}/target/code`)
      if (target?.kind === 'nodes' && Array.isArray(target.codes) && target.codes.length > 0) {
        target.codes.forEach((c, k) => checkTarget(c, `${at}/target/codes/${k}`))
        return
      }
      add(`${at}/target`, 'invalid_rule', 'target is {kind: total}, {kind: node, code} or {kind: nodes, codes: [≥ 1]}')
    })
  }
  return issues
}

function chainOf(code: string, byCode: Map<string, InstrumentNode>): string {
  const chain: string[] = [code]
  let cur = byCode.get(code)?.parentCode ?? null
  while (cur !== null && !chain.includes(cur) && chain.length < 20) {
    chain.push(cur)
    cur = byCode.get(cur)?.parentCode ?? null
  }
  if (cur !== null) chain.push(cur)
  return chain.join(' → ')
}

function validateQuestionFields(
  q: InstrumentNode,
  at: string,
  add: (pointer: string, code: string, message: string) => void,
): void {
  const t = q.answerType
  if (t === undefined)
    return add(`${at}/answerType`, 'missing_answer_type', `${q.code}: a question needs an answer type`)
  if (!(ANSWER_TYPES as readonly string[]).includes(t))
    return add(
      `${at}/answerType`,
      'unknown_answer_type',
      `${q.code}: answer type ${JSON.stringify(t)} is not one of ${ANSWER_TYPES.join(', ')}`,
    )
  if (isOptionType(t)) {
    if (!Array.isArray(q.options) || q.options.length === 0) {
      add(
        `${at}/options`,
        'options_missing',
        `${q.code}: a ${t} question needs its options (${OPTION_VALUES[t].join('/')}) with multipliers`,
      )
    } else {
      const seen = new Set<string>()
      q.options.forEach((o, k) => {
        if (typeof o?.value !== 'string')
          return add(`${at}/options/${k}/value`, 'options_mismatch', `${q.code}: an option value must be a string`)
        if (seen.has(o.value.toLowerCase()))
          add(`${at}/options/${k}/value`, 'duplicate_option', `${q.code}: option ${o.value} appears twice`)
        seen.add(o.value.toLowerCase())
        if (!isFiniteNumber(o.multiplier) || o.multiplier < 0 || o.multiplier > 1)
          add(
            `${at}/options/${k}/multiplier`,
            'invalid_multiplier',
            `${q.code}: option ${o.value} converts to ${JSON.stringify(o.multiplier)}; a multiplier is 0–1`,
          )
      })
      const want = OPTION_VALUES[t].map((v) => v.toLowerCase()).sort()
      const have = q.options.map((o) => String(o?.value).toLowerCase()).sort()
      if (want.join('|') !== have.join('|'))
        add(
          `${at}/options`,
          'options_mismatch',
          `${q.code}: a ${t} question offers ${OPTION_VALUES[t].join(', ')}, not ${q.options.map((o) => o?.value).join(', ')}`,
        )
    }
  } else if (q.options !== undefined) {
    add(
      `${at}/options`,
      'options_not_allowed',
      `${q.code}: a ${t} question is answered with a number and has no options`,
    )
  }
  if (q.scored === true && isInputType(t))
    add(
      `${at}/scored`,
      'unscorable_input',
      `${q.code}: a ${t} question is an input (the workbook shows it as text); it feeds a formula and cannot be scored`,
    )
  if (q.formula !== undefined) {
    if (t !== 'percentage')
      add(
        `${at}/formula`,
        'formula_answer_type',
        `${q.code}: only a percentage question has a formula (a ratio), not a ${t} one`,
      )
    try {
      parseFormula(q.formula)
    } catch (error) {
      if (error instanceof FormulaSyntaxError) add(`${at}/formula`, 'formula_syntax', `${q.code}: ${error.message}`)
      else throw error
    }
  }
  if (q.formulaRequires !== undefined) {
    if (q.formula === undefined)
      add(`${at}/formulaRequires`, 'formula_answer_type', `${q.code}: formulaRequires needs a formula`)
    if (!Array.isArray(q.formulaRequires) || q.formulaRequires.some((c) => typeof c !== 'string'))
      add(`${at}/formulaRequires`, 'formula_unknown_reference', `${q.code}: formulaRequires is a list of codes`)
  }
}

interface ParsedFormula {
  q: InstrumentNode
  ast: Ast
  refs: string[]
  /** the codes that must all be answered before the formula is evaluated */
  needed: string[]
}

/**
 * The computed questions with their parsed formulas (unparsable ones left out), once per tree
 * index: a sealed (shared, frozen) definition keeps one index, so a batch validating each of its
 * 127 items parses the formulas once, not 127 times.
 */
const parsedFormulas = new WeakMap<object, ParsedFormula[]>()
function computedFormulas(tree: ReturnType<typeof indexTree>): ParsedFormula[] {
  const cached = parsedFormulas.get(tree)
  if (cached) return cached
  const out: ParsedFormula[] = []
  for (const q of tree.ordered) {
    if (!isQuestion(q) || !isComputed(q)) continue
    try {
      const ast = parseFormula(q.formula as string)
      const refs = referencedCodes(ast)
      out.push({ q, ast, refs, needed: [...new Set([...refs, ...(q.formulaRequires ?? [])])] })
    } catch {
      // an unparsable formula is reported by validateInstrument, not here
    }
  }
  parsedFormulas.set(tree, out)
  return out
}

/**
 * Problems with an answer set: unknown codes, codes that are not questions, answers to computed
 * (formula) questions, values not allowed for the question's type or out of range, and ratios whose
 * inputs are complete but divide by zero (the workbook shows #DIV/0! there and has no score).
 * Pointers are into the answers object (`/Q12`). null means "not answered" and is always allowed.
 */
export function validateAnswers(def: InstrumentDefinition, answers: Record<string, AnswerValue>): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const tree = indexTree(def)
  const usable = new Map<string, number>()
  for (const [code, value] of Object.entries(answers)) {
    const pointer = `/${pointerToken(code)}`
    const node = tree.byCode.get(code)
    if (!node) {
      issues.push({ pointer, code: 'unknown_question', message: `no question ${code} in ${def.code}` })
      continue
    }
    if (!isQuestion(node)) {
      issues.push({ pointer, code: 'not_a_question', message: `${code} is a ${node.level}, not a question` })
      continue
    }
    if (value === null) continue
    if (value === undefined || (typeof value !== 'string' && typeof value !== 'number')) {
      issues.push({ pointer, code: 'answer_wrong_type', message: `${code}: an answer is a string, a number or null` })
      continue
    }
    const check = checkAnswer(node, value)
    if (!check.ok) issues.push({ pointer, code: check.code, message: check.message })
    else if (typeof check.value === 'number') usable.set(code, check.value)
  }
  // complete ratios that divide by zero
  for (const { q, ast, refs, needed } of computedFormulas(tree)) {
    if (!needed.every((c) => usable.has(c))) continue
    const result = evaluateSafely(ast, usable)
    if (result === 'division_by_zero') {
      const zero = refs.filter((c) => usable.get(c) === 0)
      issues.push({
        pointer: `/${pointerToken(zero[0] ?? refs[0] ?? q.code)}`,
        code: 'formula_division_by_zero',
        message: `${q.code} = ${q.formula} divides by zero with these answers (${needed.map((c) => `${c}=${usable.get(c)}`).join(', ')}); the workbook shows #DIV/0! and gives no score`,
      })
    }
  }
  return issues
}

function evaluateSafely(ast: Ast, values: Map<string, number>): number | 'division_by_zero' | 'error' {
  try {
    return evaluateFormula(ast, values)
  } catch (error) {
    if (error instanceof FormulaEvaluationError)
      return error.reason === 'division_by_zero' ? 'division_by_zero' : 'error'
    throw error
  }
}
