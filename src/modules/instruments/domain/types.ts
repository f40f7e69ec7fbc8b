/**
 * The LKE instrument's data model: a tree of weighted nodes ending in questions, plus the
 * predicate rules (WBK / WBBM minima) of the version. Plain data, JSON-serialisable: a definition
 * is stored as jsonb and compared by digest, so every field here is part of the stored format.
 */

export const ANSWER_TYPES = [
  'ya_tidak',
  'abc',
  'abcd',
  'abcde',
  'percentage',
  'count',
  'rupiah',
  'survey_index',
] as const
export type AnswerType = (typeof ANSWER_TYPES)[number]

/** Answer types chosen from a list of options (Ya/Tidak, A–E), each option converting to a multiplier. */
export const OPTION_ANSWER_TYPES = ['ya_tidak', 'abc', 'abcd', 'abcde'] as const
export type OptionAnswerType = (typeof OPTION_ANSWER_TYPES)[number]

/** The option values each option type must offer (the workbook's `Pilihan Jawaban` column: Ya/Tidak, A/B/C, …). */
export const OPTION_VALUES: Record<OptionAnswerType, readonly string[]> = {
  ya_tidak: ['Ya', 'Tidak'],
  abc: ['A', 'B', 'C'],
  abcd: ['A', 'B', 'C', 'D'],
  abcde: ['A', 'B', 'C', 'D', 'E'],
}

/**
 * Answer types that are inputs only: the workbook's conversion cell gives them an empty text
 * (`IF(J="Jumlah",IF(K="","Blm Diisi",""))`, the same for Rupiah), which AVERAGE skips, so they
 * never count in a score by themselves; they feed ratio questions (`formula`).
 */
export const INPUT_ANSWER_TYPES = ['count', 'rupiah'] as const

export const NODE_LEVELS = ['komponen', 'sub_komponen', 'area_perubahan', 'sub_area', 'question'] as const
export type NodeLevel = (typeof NODE_LEVELS)[number]

export interface AnswerOption {
  /** the answer as written: Ya, Tidak, A … E */
  value: string
  label?: string
  /** what the answer converts to, 0–1 (the workbook's IF chain: A/B/C/D = 1, 0.67, 0.33, 0) */
  multiplier: number
}

export interface ExternalRefs {
  /** PortalRB's `soal_id` (questions imported from the master soal) */
  portalrbSoalId?: string | number
  /** where the official LKE Excel holds the question (master soal `excel_sheet`, `excel_baris`, `excel_kolom_*`) */
  excelSheet?: string
  excelRow?: number
  excelColumns?: Record<string, string>
}

export interface InstrumentNode {
  /** unique in the version; imported nodes are `N<PortalRB node id>`, questions `Q<soal id>`, overlay ratios `R…` */
  code: string
  parentCode: string | null
  level: NodeLevel
  name: string
  /** position among its siblings (ascending; need not be an integer) */
  order: number
  /**
   * The weight (max score). Every non-question node has one. Questions have `null` inside a node
   * that averages its questions (a sub-area: AVERAGE(questions) × the sub-area's weight) and their
   * own weight where the workbook multiplies each question by it (Hasil: `CONV*H203`).
   */
  bobot: number | null
  // question-only fields (undefined on other levels):
  answerType?: AnswerType
  /** option types only: each allowed answer and its multiplier */
  options?: AnswerOption[]
  kriteriaNilai?: string
  evidenceGuidance?: string
  /**
   * Ratio questions (answerType `percentage`): an expression over sibling question codes, see
   * formula.ts for the grammar. The question is computed, never answered; its result is a
   * fraction 0–1 like the workbook's `%` cells (clamped to [0, 1]).
   */
  formula?: string
  /**
   * Extra sibling codes that must all be answered before the formula is evaluated, besides the
   * codes the formula names (the workbook's blank checks sometimes list an input the ratio does
   * not use: `IF(OR(K172="",K174="",K173=""),"Blm Diisi",…K174/K172…)`). Added field.
   */
  formulaRequires?: string[]
  /** false for "Jumlah"/"Rupiah" inputs that only feed a formula; default: false for count/rupiah, true otherwise */
  scored?: boolean
  external?: ExternalRefs
}

export type PredicateTarget =
  | { kind: 'total' }
  | { kind: 'node'; code: string }
  /** added kind: several nodes taken together (value = sum of values, weight = sum of weights), e.g. an area perubahan's Pemenuhan + Reform parts */
  | { kind: 'nodes'; codes: string[] }

export interface PredicateRule {
  id: string
  predicate: 'WBK' | 'WBBM'
  description: string
  target: PredicateTarget
  /** `value`: the score itself; `share_of_weight`: score ÷ weight, a fraction (0.6 = 60 %) */
  measure: 'value' | 'share_of_weight'
  /** passes when actual ≥ min (within 1e-9, see eligibility.ts) */
  min: number
  /** where the number comes from: PermenPANRB 90/2021 (page and part), the PortalRB guide, or the instrument's own data; never a file outside the repository */
  source: string
  /** CONFIRMED (read in PermenPANRB 90/2021), MEDIUM, UNCONFIRMED */
  confidence: string
}

export interface InstrumentDefinition {
  /** e.g. LKE-ZI-2026 */
  code: string
  name: string
  year: number
  nodes: InstrumentNode[]
  predicateRules: PredicateRule[]
}

/** 'Ya'/'Tidak', 'A'..'E', or a number: percentage 0–100, count, rupiah, survey index 0–4; null = not answered */
export type AnswerValue = string | number | null

export interface ValidationIssue {
  /** JSON pointer into the input that was validated (the definition, the master soal, the overlay or the answers) */
  pointer: string
  /** stable: unknown_answer_type, duplicate_code, weights_do_not_sum, formula_unknown_reference, formula_syntax, parent_not_found, … */
  code: string
  message: string
  /** importMasterSoal only: which document `pointer` points into. Added field. */
  document?: 'master_soal' | 'overlay'
}

export class InstrumentValidationError extends Error {
  readonly issues: ValidationIssue[]
  constructor(issues: ValidationIssue[], message?: string) {
    super(
      message ??
        `instrument is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}): ${issues
          .slice(0, 3)
          .map((i) => `${i.pointer}: ${i.message}`)
          .join('; ')}${issues.length > 3 ? '; …' : ''}`,
    )
    this.name = 'InstrumentValidationError'
    this.issues = issues
  }
}

/** How a node's value is made from its children (see scoring.ts). */
export type CombineRule = 'sum' | 'average_times_weight' | 'weighted_sum'

export interface NodeScore {
  code: string
  level: NodeLevel
  value: number
  /** the node's weight (bobot) */
  max: number | null
  combine: CombineRule
  /** child codes in order (questions included) */
  children: string[]
  /** scored questions that had a value (average_times_weight / weighted_sum nodes) */
  answered: number
  /** scored questions under the node (average_times_weight / weighted_sum nodes) */
  scoredQuestions: number
  explanation: string
}

export interface FormulaResult {
  expression: string
  /** the inputs the formula reads or requires, as answered (null = not answered) */
  inputs: Record<string, number | null>
  /** the fraction after clamping to [0, 1]; null when not computable */
  result: number | null
  /** the value before clamping, when it differed */
  unclamped?: number
  /** why there is no result */
  error?: 'inputs_missing' | 'division_by_zero' | 'invalid_formula'
}

export interface QuestionScore {
  code: string
  answer: AnswerValue
  /** a usable value was given (for a formula question: its result could be computed) */
  answered: boolean
  /** the conversion 0–1 (the workbook's conversion cell); null for inputs and unanswered questions */
  multiplier: number | null
  /** the number the workbook shows in column L (Nilai) for the row: the multiplier, times the question's own weight where it has one; null when it shows text */
  value: number | null
  /** whether the question counts in its node (false for count/rupiah inputs) */
  scored: boolean
  formula?: FormulaResult
  /** set when a given answer was ignored (not valid for the question) */
  error?: string
  explanation?: string
}

export interface ScoreResult {
  /** sum of the komponen values, unrounded */
  total: number
  /** sum of the komponen weights (100 for LKE ZI) */
  maxTotal: number
  /** every non-question node, depth first in order */
  nodes: NodeScore[]
  /** every question, depth first in order */
  questions: QuestionScore[]
  /** codes of answerable questions (no formula) without a usable answer, in order */
  unanswered: string[]
}

export interface EligibilityRuleResult {
  rule: string
  predicate: 'WBK' | 'WBBM'
  description: string
  required: number
  actual: number
  passed: boolean
  source: string
}

export interface EligibilityResult {
  predicate: 'WBK' | 'WBBM' | 'none'
  rules: EligibilityRuleResult[]
}

export interface InstrumentDiff {
  added: string[]
  removed: string[]
  reweighted: { code: string; from: number | null; to: number | null }[]
  reworded: { code: string; field: string; from: unknown; to: unknown }[]
  moved: { code: string; from: string | null; to: string | null }[]
}
