import { createHash } from 'node:crypto'
import {
  indexTree,
  isComputed,
  type AnswerType,
  type AnswerValue,
  type InstrumentDefinition,
  type InstrumentNode,
} from '../instruments/domain/index.js'
import { type Message, msg } from '../../lib/i18n.js'

/**
 * The official LKE ZI workbook as data and plain functions (no Fastify, no database, no exceljs):
 * which row holds which node of the instrument, which columns hold what, how a cell becomes an
 * answer and back, and the CSV quoting of the period export.
 *
 * The layout is this Pemda copy's (sheet `LKE ZI`), not the master soal's `excel_*` crosswalk
 * (sheet `Jawaban`, rows from 6, notes in L): in the real workbook L is the `Nilai` formula of each
 * row and M its percentage, so writing notes there would destroy the formulas. Its own columns:
 * J Pilihan Jawaban · K Jawaban (the only column its formulas read) · L Nilai · M % · O Catatan
 * (K and O are the cells the sheet protection leaves unlocked) · P data dukung (what) · Q its link.
 */

/** The workbook's `Pilihan Jawaban` (column J) for each answer type, whitespace normalised. */
export const CHOICES_OF_TYPE: Record<AnswerType, string> = {
  ya_tidak: 'Ya/Tidak',
  abc: 'A/B/C',
  abcd: 'A/B/C/D',
  abcde: 'A/B/C/D/E',
  percentage: '%',
  count: 'Jumlah',
  rupiah: 'Rupiah',
  survey_index: 'Nilai (0-4)',
}

export interface QuestionCell {
  row: number
  /** column J as the template shows it (normalised) */
  choices: string
  answerType: AnswerType
  /** a ratio question: column K holds the workbook's formula, never an answer */
  computed: boolean
}

export interface RowMap {
  /** the instrument the map was generated for, e.g. LKE-ZI-2026 */
  instrument: string
  /** digest of the instrument's parts the workbook's formulas embody (see layoutDigest); another version with the same digest fits the same workbook */
  layoutDigest: string
  sheet: string
  /** the column headers (Jawaban, Nilai, …) */
  headerRow: number
  /** the empty row under the headers (the autofilter row): the export names the stage there */
  labelRow: number
  columns: {
    choices: string
    answer: string
    value: string
    note: string
    evidenceTitles: string
    evidenceUrls: string
    /** for a stage that starts from another (tpi from self, …): that stage's answer and note, for comparison; never imported */
    compareAnswer: string
    compareNote: string
  }
  /** the total (NILAI EVALUASI ZONA INTEGRITAS) */
  totalCell: string
  /** cells of the answer column holding formulas that must stay (ratios, sums of counts) */
  formulaCells: string[]
  /** non-question node code → row (its value is in the value column) */
  nodes: Record<string, number>
  questions: Record<string, QuestionCell>
}

/** Whitespace runs to one space, trimmed: J202 is "Nilai\n(0-4)". */
export const normaliseText = (s: string): string => s.split(/\s+/).filter(Boolean).join(' ')

// ---------------------------------------------------------------------------------------------
// Matching the workbook's rows to the instrument (what scripts/golden/recalc.py does through UNO)

/** What the row matcher needs to read from the sheet; formulas come with their leading "=". */
export interface SheetReader {
  /** the formula of a cell ("=SUM(L7,L10)"), or "" when it holds none */
  formula(address: string): string
  /** the cell's text as shown ("" when empty) */
  text(address: string): string
  /** the cell's number, or null when it holds no number */
  number(address: string): number | null
  isEmpty(address: string): boolean
}

export type ClassifiedRow =
  | { kind: 'node'; row: number; weight: number | null }
  | { kind: 'question'; row: number; choices: string; computed: boolean }
  /** K178 / K185: "Jumlah" rows whose K sums the counts below; not questions */
  | { kind: 'sum'; row: number }

/**
 * The workbook's rows in order: a row with a weight in H and SUM/AVERAGE (or =L198, =L206) in L is
 * a node; a row with a Pilihan Jawaban in J and a formula in L is a question, except the "Jumlah"
 * rows whose K is itself a formula (sums of the counts below them).
 */
export function classifyRows(sheet: SheetReader, fromRow = 4, toRow = 206): ClassifiedRow[] {
  const rows: ClassifiedRow[] = []
  for (let r = fromRow; r <= toRow; r++) {
    const lf = sheet.formula(`L${r}`)
    const j = normaliseText(sheet.text(`J${r}`))
    const hasWeight = !sheet.isEmpty(`H${r}`)
    if (hasWeight && (lf.startsWith('=SUM(') || lf.startsWith('=AVERAGE(') || lf === '=L198' || lf === '=L206')) {
      rows.push({ kind: 'node', row: r, weight: sheet.number(`H${r}`) })
    } else if (j && lf) {
      const computed = sheet.formula(`K${r}`).startsWith('=')
      if (computed && j === 'Jumlah') rows.push({ kind: 'sum', row: r })
      else rows.push({ kind: 'question', row: r, choices: j, computed })
    }
  }
  return rows
}

/**
 * Pairs the n-th node/question row with the n-th node of the instrument (both list the LKE depth
 * first) and checks every pair: equal weights, the same answer type. Throws on the first mismatch.
 */
export function matchRows(
  rows: ClassifiedRow[],
  def: InstrumentDefinition,
): { nodes: Record<string, number>; questions: Record<string, QuestionCell>; sums: number[] } {
  const ordered = indexTree(def).ordered
  const candidates = rows.filter((r) => r.kind !== 'sum')
  if (candidates.length !== ordered.length)
    throw new Error(
      `the workbook has ${candidates.length} node and question rows, ${def.code} has ${ordered.length} nodes`,
    )
  const nodes: Record<string, number> = {}
  const questions: Record<string, QuestionCell> = {}
  candidates.forEach((row, i) => {
    const node = ordered[i] as InstrumentNode
    if (node.level === 'question') {
      if (row.kind !== 'question') throw new Error(`row ${row.row} is a node, ${node.code} is a question`)
      const answerType = node.answerType as AnswerType
      const want = CHOICES_OF_TYPE[answerType]
      if (row.choices !== want || row.computed !== isComputed(node)) {
        throw new Error(
          `row ${row.row} has J=${JSON.stringify(row.choices)} (formula in K: ${row.computed}); ${node.code} is ${answerType} (computed: ${isComputed(node)})`,
        )
      }
      questions[node.code] = { row: row.row, choices: row.choices, answerType, computed: row.computed }
    } else {
      if (row.kind !== 'node') throw new Error(`row ${row.row} is a question, ${node.code} is a ${node.level}`)
      if (row.weight === null || node.bobot === null || Math.abs(row.weight - node.bobot) > 1e-12)
        throw new Error(`row ${row.row} weighs ${row.weight}, ${node.code} weighs ${node.bobot}`)
      nodes[node.code] = row.row
    }
  })
  return { nodes, questions, sums: rows.filter((r) => r.kind === 'sum').map((r) => r.row) }
}

/**
 * What of an instrument the workbook's formulas embody: the tree in order with weights, answer
 * types, option multipliers and ratio formulas. Two versions with the same digest fit the same
 * workbook (a clone of LKE-ZI-2026 that changed nothing scored still exports).
 */
export function layoutDigest(def: InstrumentDefinition): string {
  const parts = indexTree(def).ordered.map((n) => [
    n.code,
    n.level,
    n.parentCode,
    n.bobot,
    n.answerType ?? null,
    (n.options ?? []).map((o) => [o.value, o.multiplier]),
    n.formula ?? null,
    n.formulaRequires ?? null,
    n.scored ?? null,
  ])
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex')
}

// ---------------------------------------------------------------------------------------------
// Cells ↔ answers

/** A cell's content as read from the workbook, reduced to what matters here. */
export type CellContent =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'date'; value: Date }
  | { kind: 'error'; error: string }
  /** a formula the user typed, with the value last computed (undefined when none was saved) */
  | { kind: 'formula'; formula: string; result: CellContent | undefined }

/** What the cell shows, for error reports: text, number, or null when empty. */
export function displayValue(cell: CellContent): string | number | boolean | null {
  switch (cell.kind) {
    case 'empty':
      return null
    case 'text':
      return cell.text
    case 'number':
    case 'boolean':
      return cell.value
    case 'date':
      return cell.value.toISOString()
    case 'error':
      return cell.error
    case 'formula':
      return `=${cell.formula}`
  }
}

export type CellRead<T> = { ok: true; value: T } | { ok: false; rule: string; message: Message }

const NUMERIC_TYPES: readonly AnswerType[] = ['percentage', 'count', 'rupiah', 'survey_index']

/**
 * The answer a K cell holds, before the instrument's own checks (validateAnswers): empty → null,
 * text → trimmed text, a number → the number (a percentage cell holds a fraction, as the workbook's
 * `%` rows do: 0.75 → 75). Text in a numeric question, booleans, dates and error values are refused
 * here with a message naming what the cell holds.
 */
export function answerFromCell(answerType: AnswerType, cell: CellContent): CellRead<AnswerValue> {
  const c = cell.kind === 'formula' ? (cell.result ?? { kind: 'error' as const, error: 'no saved value' }) : cell
  const numeric = NUMERIC_TYPES.includes(answerType)
  switch (c.kind) {
    case 'empty':
      return { ok: true, value: null }
    case 'text': {
      const text = c.text.trim()
      if (text === '') return { ok: true, value: null }
      if (numeric)
        return {
          ok: false,
          rule: 'answer_wrong_type',
          message: msg('workbook:rules.rule', { text: JSON.stringify(text), answerType }),
        }
      return { ok: true, value: text }
    }
    case 'number':
      if (!numeric) return { ok: true, value: c.value } // validateAnswers names the options
      return { ok: true, value: answerType === 'percentage' ? Math.round(c.value * 100 * 1e9) / 1e9 : c.value }
    case 'boolean':
      return {
        ok: false,
        rule: 'answer_wrong_type',
        message: msg('workbook:rules.rule_2', { value: c.value ? 'TRUE' : 'FALSE' }),
      }
    case 'date':
      return {
        ok: false,
        rule: 'answer_wrong_type',
        message: msg('workbook:rules.rule_3', { date: c.value.toISOString().slice(0, 10) }),
      }
    case 'error':
      return { ok: false, rule: 'cell_error', message: msg('workbook:rules.rule_4', { error: c.error }) }
    case 'formula':
      return { ok: false, rule: 'cell_error', message: msg('workbook:rules.rule_5') }
  }
}

export const MAX_NOTE_LENGTH = 5000

/** The note an O cell holds: empty → null, text trimmed, a number as text. */
export function noteFromCell(cell: CellContent): CellRead<string | null> {
  const c = cell.kind === 'formula' ? (cell.result ?? { kind: 'empty' as const }) : cell
  let text: string
  switch (c.kind) {
    case 'empty':
      return { ok: true, value: null }
    case 'text':
      text = c.text.trim()
      break
    case 'number':
      text = String(c.value)
      break
    case 'boolean':
      text = c.value ? 'TRUE' : 'FALSE'
      break
    case 'date':
      text = c.value.toISOString().slice(0, 10)
      break
    case 'error':
      return { ok: false, rule: 'cell_error', message: msg('workbook:rules.rule_4', { error: c.error }) }
    default:
      return { ok: false, rule: 'cell_error', message: msg('workbook:rules.rule_5') }
  }
  if (text === '') return { ok: true, value: null }
  if (text.length > MAX_NOTE_LENGTH)
    return {
      ok: false,
      rule: 'maxLength',
      message: msg('workbook:rules.rule_6', { MAX_NOTE_LENGTH, textCount: text.length }),
    }
  return { ok: true, value: text }
}

/** What the export writes into a K cell: the option as text, numbers as numbers (a percentage as the fraction the workbook expects). */
export function cellFromAnswer(answerType: AnswerType, value: AnswerValue): string | number | null {
  if (value === null) return null
  if (typeof value === 'number' && answerType === 'percentage') return value / 100
  return value
}

// ---------------------------------------------------------------------------------------------
// Names

export const STAGE_LABELS: Record<string, string> = {
  self: 'Unit (penilaian mandiri)',
  tpi: 'TPI',
  tpn: 'TPN',
  sanggah: 'Sanggah',
}

/** A file name made of safe characters: LKE-ZI-<unit code>-<stage>.xlsx */
export function safeFileStem(parts: string[]): string {
  return parts
    .map((p) =>
      p
        .normalize('NFKD')
        .replace(/[^A-Za-z0-9._-]+/g, '-')
        .replace(/-+/g, '-')
        .replace(/^-|-$/g, ''),
    )
    .filter(Boolean)
    .join('_')
    .slice(0, 150)
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180)

/**
 * Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe (OWASP "CSV injection"): notes are typed by units and opened by admins.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled); numbers as JavaScript prints them. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  const text = neutraliseFormula(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One CSV record with its CRLF. */
export const csvRecord = (fields: (string | number | null | undefined)[]): string =>
  `${fields.map(csvField).join(',')}\r\n`
