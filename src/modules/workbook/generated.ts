import {
  combineRuleOf,
  indexTree,
  isComputed,
  isScored,
  parseFormula,
  referencedCodes,
  type Ast,
  type InstrumentDefinition,
  type InstrumentNode,
  type PredicateRule,
} from '../instruments/domain/index.js'
import { CHOICES_OF_TYPE } from './rules.js'

/**
 * The LKE sheet generated from an instrument version's tree (any version, published or draft), as
 * plain data: which row holds which node, and every cell's text or formula. No exceljs here; the
 * service writes the cells. The formulas compute what scoring.ts and eligibility.ts compute:
 *
 *   Konversi (I) of a question   option types: the option's multiplier (an IF chain over the options,
 *                                compared without case as the engine does); % : the fraction typed
 *                                (the cell is formatted as a percentage, as the official sheet's % rows);
 *                                survey index: ÷ 4; Jumlah/Rupiah: inputs, never a number; blank: the
 *                                text "Blm Diisi", which AVERAGE and SUM skip; a ratio: its formula.
 *   Nilai (J) of a question      Konversi × its own Bobot where it has one (Hasil), else Konversi.
 *   Nilai of a node              sum: SUM of the child nodes; average_times_weight:
 *                                IF(COUNT(konversi)=0, 0, AVERAGE(konversi) × Bobot) over the scored
 *                                questions (the engine's 0 where the official sheet shows #DIV/0!);
 *                                weighted_sum: SUM of the questions' Nilai.
 *   A ratio question (H)         IF(every input is a number, MIN(1, MAX(0, <formula>)), "Blm Diisi"),
 *                                the grammar translated (translateFormula); a division by zero shows
 *                                #DIV/0! as in the official sheet.
 *   Predikat sheet               each rule's actual value, share of weight and pass (≥ min − 1e-9),
 *                                then WBK / WBBM / the predicate, as evaluateEligibility decides.
 */

export const GENERATED_SHEET = 'LKE'
export const PREDICATE_SHEET = 'Predikat'
/** the column headers; data rows start below */
export const HEADER_ROW = 3
export const FIRST_ROW = 4

export const COLUMNS = {
  code: 'A',
  level: 'B',
  name: 'C',
  weight: 'D',
  choices: 'E',
  options: 'F',
  kriteria: 'G',
  answer: 'H',
  conversion: 'I',
  value: 'J',
  share: 'K',
  note: 'L',
  evidence: 'M',
  evidenceTitles: 'N',
  compareAnswer: 'O',
  compareNote: 'P',
} as const

export const HEADERS: Record<keyof typeof COLUMNS, string> = {
  code: 'Kode',
  level: 'Tingkat',
  name: 'Uraian',
  weight: 'Bobot',
  choices: 'Pilihan Jawaban',
  options: 'Skema Penilaian',
  kriteria: 'Kriteria Penilaian',
  answer: 'Jawaban',
  conversion: 'Konversi',
  value: 'Nilai',
  share: '%',
  note: 'Catatan',
  evidence: 'Data Dukung (tautan atau nama berkas, satu per baris)',
  evidenceTitles: 'Judul Data Dukung',
  compareAnswer: 'Jawaban pembanding',
  compareNote: 'Catatan pembanding',
}

const LEVEL_LABELS: Record<string, string> = {
  komponen: 'Komponen',
  sub_komponen: 'Sub komponen',
  area_perubahan: 'Area perubahan',
  sub_area: 'Sub area',
  question: 'Pertanyaan',
}

export const NOT_ANSWERED = 'Blm Diisi'
export const NOT_VALID = 'Tidak valid'

export interface GeneratedRow {
  row: number
  node: InstrumentNode
  /** formula (without "=") of the answer cell: ratio questions only */
  answerFormula?: string
  conversionFormula?: string
  valueFormula?: string
  shareFormula?: string
}

export interface PredicateRow {
  row: number
  rule: PredicateRule
  /** the weight the share is taken of (constant from the tree) */
  weight: number
  actualFormula: string
  shareFormula: string
  passFormula: string
}

export interface GeneratedLayout {
  rows: GeneratedRow[]
  /** question code → row */
  questionRows: Map<string, number>
  totalRow: number
  maxTotal: number
  predicates: PredicateRow[]
  /** rows of the Predikat sheet holding the WBK, WBBM and predicate verdicts */
  verdictRows: { wbk: number; wbbm: number; predicate: number }
}

const num = (x: number): string => {
  // Shortest round-trip text; spreadsheets read it back to the same double.
  const s = String(x)
  return s.includes('e') ? x.toExponential() : s
}
const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`

/**
 * A ratio formula of the grammar as a spreadsheet formula: question codes become the cells of their
 * answers, comparisons and and/or/not give 1 or 0 (as the engine's do), if/min/max keep their
 * meaning (IF evaluates only the branch it takes, as the engine does).
 */
export function translateFormula(ast: Ast, cellOf: (code: string) => string): string {
  const t = (n: Ast): string => {
    switch (n.kind) {
      case 'number':
        return num(n.value)
      case 'ref':
        return cellOf(n.code)
      case 'unary':
        return n.op === '-' ? `(-${t(n.arg)})` : t(n.arg)
      case 'binary':
        if (['+', '-', '*', '/'].includes(n.op)) return `(${t(n.left)}${n.op}${t(n.right)})`
        return `IF(${t(n.left)}${n.op}${t(n.right)},1,0)`
      case 'call':
        switch (n.fn) {
          case 'min':
            return `MIN(${n.args.map(t).join(',')})`
          case 'max':
            return `MAX(${n.args.map(t).join(',')})`
          case 'if':
            return `IF(${t(n.args[0]!)}<>0,${t(n.args[1]!)},${t(n.args[2]!)})`
          case 'and':
            return `IF(AND(${n.args.map((a) => `${t(a)}<>0`).join(',')}),1,0)`
          case 'or':
            return `IF(OR(${n.args.map((a) => `${t(a)}<>0`).join(',')}),1,0)`
          case 'not':
            return `IF(${t(n.args[0]!)}=0,1,0)`
        }
    }
    throw new Error('unreachable')
  }
  return t(ast)
}

/** "A = 1; B = 0,5" for an option question, the rule for the others. */
export function optionsText(q: InstrumentNode): string {
  if (q.options && q.options.length > 0) return q.options.map((o) => `${o.value} = ${num(o.multiplier)}`).join('; ')
  if (isComputed(q)) return `dihitung: ${q.formula}`
  switch (q.answerType) {
    case 'percentage':
      return 'persentase (0–100 %)'
    case 'survey_index':
      return 'indeks 0–4, dibagi 4'
    case 'count':
      return 'jumlah (bilangan bulat ≥ 0), masukan rumus'
    case 'rupiah':
      return 'rupiah (≥ 0), masukan rumus'
    default:
      return ''
  }
}

export const levelLabel = (level: string): string => LEVEL_LABELS[level] ?? level

/** The rows and formulas of the generated sheet for a version. */
export function generatedLayout(def: InstrumentDefinition): GeneratedLayout {
  const tree = indexTree(def)
  const C = COLUMNS
  const rows: GeneratedRow[] = []
  const rowOf = new Map<string, number>()
  tree.ordered.forEach((node, i) => rowOf.set(node.code, FIRST_ROW + i))
  const questionRows = new Map<string, number>()
  const cell = (col: string, code: string): string => `${col}${rowOf.get(code)}`

  for (const node of tree.ordered) {
    const r = rowOf.get(node.code)!
    const h = `${C.answer}${r}`
    const i = `${C.conversion}${r}`
    const row: GeneratedRow = { row: r, node }
    if (node.level === 'question') {
      questionRows.set(node.code, r)
      if (isComputed(node)) {
        const ast = parseFormula(node.formula as string)
        const needed = [...new Set([...referencedCodes(ast), ...(node.formulaRequires ?? [])])]
        const inputs = needed.map((c) => (rowOf.has(c) ? `ISNUMBER(${cell(C.answer, c)})` : 'FALSE'))
        const expr = translateFormula(ast, (c) => (rowOf.has(c) ? cell(C.answer, c) : quote(NOT_ANSWERED)))
        row.answerFormula = `IF(AND(${inputs.join(',')}),MIN(1,MAX(0,${expr})),${quote(NOT_ANSWERED)})`
        row.conversionFormula = h
      } else if (node.options && node.options.length > 0) {
        const chain = node.options.reduceRight(
          (rest, o) => `IF(${h}=${quote(o.value)},${num(o.multiplier)},${rest})`,
          quote(NOT_VALID),
        )
        row.conversionFormula = `IF(${h}="",${quote(NOT_ANSWERED)},${chain})`
      } else if (node.answerType === 'percentage') {
        row.conversionFormula = `IF(${h}="",${quote(NOT_ANSWERED)},IF(ISNUMBER(${h}),${h},${quote(NOT_VALID)}))`
      } else if (node.answerType === 'survey_index') {
        row.conversionFormula = `IF(${h}="",${quote(NOT_ANSWERED)},IF(ISNUMBER(${h}),${h}/4,${quote(NOT_VALID)}))`
      } else {
        // Jumlah / Rupiah: an input of a ratio, never a number here (as the official sheet's "")
        row.conversionFormula = `IF(${h}="",${quote(NOT_ANSWERED)},"")`
      }
      const convertsToNumber = isComputed(node) || !(node.answerType === 'count' || node.answerType === 'rupiah')
      if (isScored(node) && convertsToNumber) {
        row.valueFormula =
          node.bobot !== null && node.bobot !== undefined ? `IF(ISNUMBER(${i}),${i}*${C.weight}${r},${i})` : i
      }
    } else {
      const kids = tree.children.get(node.code) ?? []
      const combine = combineRuleOf(kids)
      if (combine === 'sum') {
        const parts = kids.filter((k) => k.level !== 'question').map((k) => cell(C.value, k.code))
        row.valueFormula = `SUM(${parts.join(',')})`
      } else {
        const scored = kids.filter((k) => k.level === 'question' && isScored(k))
        if (combine === 'average_times_weight') {
          const conv = scored.map((k) => cell(C.conversion, k.code)).join(',')
          row.valueFormula = scored.length === 0 ? '0' : `IF(COUNT(${conv})=0,0,AVERAGE(${conv})*${C.weight}${r})`
        } else {
          row.valueFormula = scored.length === 0 ? '0' : `SUM(${scored.map((k) => cell(C.value, k.code)).join(',')})`
        }
      }
      row.shareFormula = `IF(${C.weight}${r}>0,${C.value}${r}/${C.weight}${r},"")`
    }
    rows.push(row)
  }

  const roots = (tree.children.get(null) ?? []).filter((n) => n.level !== 'question')
  const totalRow = FIRST_ROW + tree.ordered.length + 1
  const maxTotal = roots.reduce((s, r) => s + (typeof r.bobot === 'number' ? r.bobot : 0), 0)

  // Predikat sheet: header in row 1, rules from row 2, verdicts after a blank row.
  const totalRef = `'${GENERATED_SHEET}'!${C.value}${totalRow}`
  const weightOf = (code: string): number => {
    const n = tree.byCode.get(code)
    return typeof n?.bobot === 'number' ? n.bobot : 0
  }
  const valueRef = (code: string): string =>
    rowOf.has(code) ? `'${GENERATED_SHEET}'!${C.value}${rowOf.get(code)}` : '0'
  const predicates: PredicateRow[] = def.predicateRules.map((rule, k) => {
    const r = 2 + k
    let actual: string
    let weight: number
    if (rule.target.kind === 'total') {
      actual = `SUM(${totalRef})`
      weight = maxTotal
    } else if (rule.target.kind === 'node') {
      actual = `SUM(${valueRef(rule.target.code)})`
      weight = weightOf(rule.target.code)
    } else {
      actual = `SUM(${rule.target.codes.map(valueRef).join(',')})`
      weight = rule.target.codes.reduce((s, c) => s + weightOf(c), 0)
    }
    return {
      row: r,
      rule,
      weight,
      actualFormula: actual,
      shareFormula: rule.measure === 'value' ? `G${r}` : `IF(H${r}>0,G${r}/H${r},0)`,
      passFormula: `IF(I${r}>=F${r}-1E-9,"Ya","Tidak")`,
    }
  })
  const verdict = 3 + Math.max(1, predicates.length)
  return {
    rows,
    questionRows,
    totalRow,
    maxTotal,
    predicates,
    verdictRows: { wbk: verdict, wbbm: verdict + 1, predicate: verdict + 2 },
  }
}

/** The verdict formulas of the Predikat sheet (rules in rows 2..last). */
export function verdictFormulas(layout: GeneratedLayout): { wbk: string; wbbm: string; predicate: string } {
  const last = 1 + Math.max(1, layout.predicates.length)
  const all = (p: string) =>
    `IF(AND(COUNTIF(B2:B${last},"${p}")>0,COUNTIFS(B2:B${last},"${p}",J2:J${last},"Tidak")=0),"Ya","Tidak")`
  const v = layout.verdictRows
  return {
    wbk: all('WBK'),
    wbbm: all('WBBM'),
    predicate: `IF(AND(C${v.wbk}="Ya",C${v.wbbm}="Ya"),"WBBM",IF(C${v.wbk}="Ya","WBK","Tidak ada"))`,
  }
}

/** The predicate as the sheet names it → the API's. */
export const PREDICATE_OF_SHEET: Record<string, 'WBK' | 'WBBM' | 'none'> = {
  WBK: 'WBK',
  WBBM: 'WBBM',
  'Tidak ada': 'none',
}

export { CHOICES_OF_TYPE }
