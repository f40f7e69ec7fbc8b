/**
 * Scoring: the official LKE ZI workbook's formulas (sheet `LKE ZI`, column L "Nilai"), node by node.
 *
 * Conversion of one answer (the workbook's cell L<row>, one long IF chain on the `Pilihan Jawaban`
 * column J and the answer K):
 *   Ya/Tidak       Ya = 1, Tidak = 0
 *   A/B/C          A = 1, B = 0.5, C = 0
 *   A/B/C/D        A = 1, B = 0.67, C = 0.33, D = 0   (the workbook's literal 0.67 / 0.33, not 2/3 / 1/3)
 *   A/B/C/D/E      A = 1, B = 0.75, C = 0.5, D = 0.25, E = 0
 *   %              the fraction itself (`IF(K="","Blm Diisi",K)`); answered directly here as 0–100, so ÷ 100
 *   Jumlah, Rupiah an empty text "" (or "Blm Diisi"): never a number, so never counted — inputs only
 *   blank          the text "Blm Diisi" (for every type)
 * The multipliers are data (each question's `options`, from the master soal's `skema_penilaian`);
 * the values above are the workbook's and the master soal's.
 *
 * Ratio questions (`formula`): the workbook's `%` rows compute K from the Jumlah rows below them, e.g.
 * `K128 = IF(OR(K129="",K130=""),"Blm Diisi",IF(K130/K129>1,1,K130/K129))`, i.e. min(1, K130/K129),
 * "Blm Diisi" while an input is blank, #DIV/0! when the denominator is 0 (no IFERROR anywhere).
 * Here: the formula is evaluated once every code it names and every `formulaRequires` code is answered;
 * the result is clamped to [0, 1] (all the workbook's ratios are capped at 1 and floored at 0 where they
 * can go below), and a division by zero leaves the question without a value (see the unanswered rule).
 *
 * Nodes:
 *   sub-area with questions   `=AVERAGE(L8:L9)*H7`: mean of the scored questions' conversions × weight
 *                             (`average_times_weight`)
 *   node with child nodes     `=SUM(L7,L10,L14,L18)`: sum of the children (`sum`); areas, Pemenuhan/Reform
 *                             (`L5`, `L125`), Pengungkit (`L198 = SUM(L125,L5)`), Hasil (`L206`), total
 *                             (`L208 = SUM(L198,L206)`); also a sub-area made of sub-areas (LHKPN + non-LHKPN,
 *                             where the Pemda copy's L175 is wrong, see the shared README)
 *   questions with own weight `weighted_sum`: Hasil, `L202 = IF(K202="","Blm Diisi",K202/4)*H202` (survey index
 *                             0–4 → index ÷ 4 × 17.5), `L203 = CONV*H203` (capaian kinerja A–E × 5), summed by
 *                             `L201 = SUM(L202,L203)`, `L204 = SUM(L205)`
 *
 * UNANSWERED RULE. A blank answer converts to the text "Blm Diisi", and Excel's AVERAGE skips text, so a
 * sub-area is the mean of its ANSWERED scored questions × its weight (3 of 4 answered with A → full
 * weight): the engine does exactly that. Where the workbook has no number at all the engine uses 0 and
 * lists the questions in `unanswered`:
 *   - a sub-area with no answered scored question: AVERAGE of no number → #DIV/0! in the workbook (and so
 *     in every SUM above it, up to the total); here the sub-area is 0;
 *   - a blank Hasil question: "Blm Diisi" × weight → #VALUE! in the workbook; here it adds 0;
 *   - a ratio dividing by zero: #DIV/0! in the workbook; here the ratio has no value, so it is skipped like
 *     a blank in its sub-area's average. validateAnswers refuses such answer sets
 *     (`formula_division_by_zero`), so the routes never score one.
 * Answers that are not valid for their question are ignored (treated as blank, `error` set on the
 * question); validateAnswers reports them.
 *
 * ROUNDING. None: the workbook rounds nothing (no ROUND in any formula; its cells only display 2
 * decimals through the number format `0.00`), so every value here is the unrounded double; the total
 * is the plain sum of the komponen values. Rounding for display is the caller's business.
 */
import {
  FormulaEvaluationError,
  FormulaSyntaxError,
  evaluateFormula,
  parseFormula,
  referencedCodes,
} from './formula.js'
import { checkAnswer, combineRuleOf, indexTree, isComputed, isOptionType, isQuestion, isScored } from './tree.js'
import type {
  AnswerValue,
  FormulaResult,
  InstrumentDefinition,
  InstrumentNode,
  NodeScore,
  QuestionScore,
  ScoreResult,
} from './types.js'

/** x to 12 significant digits, without float noise (0.1 + 0.2 → 0.3); short numbers as they are. */
const show = (x: number): string => {
  const plain = String(x)
  // 12 characters hold at most 12 significant digits: rounding to 12 would change nothing.
  return plain.length <= 12 ? plain : String(Number(x.toPrecision(12)))
}

/**
 * `explain: false` leaves the explanation texts empty (the numbers are the same): a write that
 * only stores the total, or a score read without ?explain, does not build ~200 strings.
 */
export function scoreInstrument(
  def: InstrumentDefinition,
  answers: Record<string, AnswerValue>,
  { explain = true }: { explain?: boolean } = {},
): ScoreResult {
  const tree = indexTree(def)
  const questions = new Map<string, QuestionScore>()
  /** answers usable as formula inputs: the numbers as given */
  const numeric = new Map<string, number>()
  const unanswered: string[] = []
  const given = (code: string): AnswerValue => (Object.hasOwn(answers, code) ? (answers[code] ?? null) : null)

  // 1. answered questions
  for (const q of tree.ordered) {
    if (!isQuestion(q) || isComputed(q)) continue
    const raw = given(q.code)
    const scored = isScored(q)
    const score: QuestionScore = { code: q.code, answer: raw, answered: false, multiplier: null, value: null, scored }
    questions.set(q.code, score)
    if (raw === null) {
      unanswered.push(q.code)
      if (explain) score.explanation = 'not answered ("Blm Diisi")'
      continue
    }
    const check =
      typeof raw === 'string' || typeof raw === 'number'
        ? checkAnswer(q, raw)
        : ({ ok: false, code: 'answer_wrong_type', message: `${q.code}: not a string or number` } as const)
    if (!check.ok) {
      unanswered.push(q.code)
      score.error = check.code
      if (explain) score.explanation = `answer ignored: ${check.message}`
      continue
    }
    score.answered = true
    const v = check.value
    if (typeof v === 'number') numeric.set(q.code, v)
    let multiplier: number | null = null
    let how = ''
    if (isOptionType(q.answerType)) {
      multiplier = (q.options ?? []).find((o) => o.value === v)?.multiplier ?? null
      if (explain) how = `${v} → ${multiplier}`
    } else if (q.answerType === 'percentage') {
      multiplier = (v as number) / 100
      if (explain) how = `${v} % → ${show(multiplier)}`
    } else if (q.answerType === 'survey_index') {
      multiplier = (v as number) / 4
      if (explain) how = `index ${v} / 4 = ${show(multiplier)}`
    } else {
      how = `input ${v} (not scored by itself; feeds a formula)`
    }
    if (multiplier !== null && scored) {
      score.multiplier = multiplier
      score.value = q.bobot !== null && q.bobot !== undefined ? multiplier * q.bobot : multiplier
      if (explain && q.bobot !== null && q.bobot !== undefined) how += ` × ${q.bobot} = ${show(score.value)}`
    } else if (multiplier !== null) {
      score.multiplier = multiplier
      how += ' (not scored)'
    }
    if (explain) score.explanation = how
  }

  // 2. computed (ratio) questions
  for (const q of tree.ordered) {
    if (!isQuestion(q) || !isComputed(q)) continue
    const scored = isScored(q)
    const score: QuestionScore = { code: q.code, answer: null, answered: false, multiplier: null, value: null, scored }
    questions.set(q.code, score)
    const formula: FormulaResult = { expression: q.formula as string, inputs: {}, result: null }
    score.formula = formula
    let ast
    try {
      ast = parseFormula(q.formula as string)
    } catch (error) {
      if (!(error instanceof FormulaSyntaxError)) throw error
      formula.error = 'invalid_formula'
      if (explain) score.explanation = `formula not valid: ${error.message}`
      continue
    }
    const needed = [...new Set([...referencedCodes(ast), ...(q.formulaRequires ?? [])])]
    for (const c of needed) formula.inputs[c] = numeric.get(c) ?? null
    const missing = needed.filter((c) => !numeric.has(c))
    if (missing.length > 0) {
      formula.error = 'inputs_missing'
      if (explain) score.explanation = `not computed: ${missing.join(', ')} not answered ("Blm Diisi")`
      continue
    }
    let result: number
    try {
      result = evaluateFormula(ast, numeric)
    } catch (error) {
      if (!(error instanceof FormulaEvaluationError)) throw error
      formula.error = error.reason === 'division_by_zero' ? 'division_by_zero' : 'invalid_formula'
      score.error = formula.error
      if (explain) score.explanation = `not computed: ${error.message}`
      continue
    }
    const clamped = Math.min(1, Math.max(0, result))
    formula.result = clamped
    if (clamped !== result) formula.unclamped = result
    score.answered = true
    if (scored) {
      score.multiplier = clamped
      score.value = q.bobot !== null && q.bobot !== undefined ? clamped * q.bobot : clamped
    }
    if (explain) {
      const inputs = needed.map((c) => `${c}=${numeric.get(c)}`).join(', ')
      let how = `${q.formula} with ${inputs} = ${show(result)}${clamped !== result ? ` → clamped to ${clamped}` : ''}`
      if (scored && q.bobot !== null && q.bobot !== undefined) how += ` × ${q.bobot} = ${show(score.value as number)}`
      score.explanation = how
    }
  }

  // 3. nodes, bottom up
  const nodeScores = new Map<string, NodeScore>()
  const scoreNode = (node: InstrumentNode): NodeScore => {
    const kids = tree.children.get(node.code) ?? []
    const combine = combineRuleOf(kids)
    const weight = typeof node.bobot === 'number' ? node.bobot : 0
    const result: NodeScore = {
      code: node.code,
      level: node.level,
      value: 0,
      max: node.bobot ?? null,
      combine,
      children: kids.map((k) => k.code),
      answered: 0,
      scoredQuestions: 0,
      explanation: '',
    }
    if (combine === 'sum') {
      const parts = kids
        .filter((k) => !isQuestion(k))
        .map((k) => [k.code, (nodeScores.get(k.code) ?? scoreNode(k)).value] as const)
      result.value = parts.reduce((s, [, v]) => s + v, 0)
      if (explain)
        result.explanation = `SUM(${parts.map(([c, v]) => `${c} ${show(v)}`).join(', ')}) = ${show(result.value)}`
    } else {
      const scored = kids.filter((k) => isQuestion(k) && isScored(k)).map((k) => questions.get(k.code) as QuestionScore)
      const answered = scored.filter((s) => s.multiplier !== null)
      result.scoredQuestions = scored.length
      result.answered = answered.length
      if (combine === 'average_times_weight') {
        if (answered.length === 0) {
          result.value = 0
          if (explain)
            result.explanation = `no scored question answered (of ${scored.length}): 0 (the workbook's AVERAGE has no number and shows #DIV/0!)`
        } else {
          const mean = answered.reduce((s, q) => s + (q.multiplier as number), 0) / answered.length
          result.value = mean * weight
          if (explain)
            result.explanation =
              `AVERAGE(${answered.map((q) => show(q.multiplier as number)).join(', ')}) × ${weight} = ${show(result.value)}` +
              (answered.length < scored.length
                ? `; ${answered.length} of ${scored.length} scored questions answered, the others skipped as the workbook's AVERAGE skips "Blm Diisi"`
                : '')
        }
      } else {
        result.value = answered.reduce((s, q) => s + (q.value as number), 0)
        if (explain)
          result.explanation = `SUM(${scored.map((q) => `${q.code} ${q.value === null ? '— (not answered: 0; the workbook shows #VALUE!)' : show(q.value)}`).join(', ')}) = ${show(result.value)}`
      }
    }
    nodeScores.set(node.code, result)
    return result
  }
  const roots = tree.children.get(null) ?? []
  for (const root of roots) if (!isQuestion(root)) scoreNode(root)

  const total = roots.filter((r) => !isQuestion(r)).reduce((s, r) => s + (nodeScores.get(r.code) as NodeScore).value, 0)
  const maxTotal = roots
    .filter((r) => !isQuestion(r))
    .reduce((s, r) => s + (typeof r.bobot === 'number' ? r.bobot : 0), 0)
  return {
    total,
    maxTotal,
    nodes: tree.ordered
      .filter((n) => !isQuestion(n) && nodeScores.has(n.code))
      .map((n) => nodeScores.get(n.code) as NodeScore),
    questions: tree.ordered.filter(isQuestion).map((n) => questions.get(n.code) as QuestionScore),
    unanswered,
  }
}
