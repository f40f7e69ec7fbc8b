import type ExcelJS from 'exceljs'
import type { FieldError } from '../../lib/problem.js'
import { ProblemError } from '../../lib/problem.js'
import type { StageKind } from '../assessments/rules.js'
import {
  checkAnswer,
  indexTree,
  isComputed,
  validateAnswers,
  type AnswerValue,
  type InstrumentDefinition,
  type InstrumentNode,
} from '../instruments/domain/index.js'
import { parseEvidenceCell, type EvidenceToken } from './evidence-cells.js'
import { COLUMNS as G, FIRST_ROW, GENERATED_SHEET, HEADERS, HEADER_ROW } from './generated.js'
import {
  CHOICES_OF_TYPE,
  answerFromCell,
  displayValue,
  layoutDigest,
  normaliseText,
  noteFromCell,
  type CellContent,
  type RowMap,
} from './rules.js'
import { cellContent } from './sheet.js'
import { identityOf, type WorkbookIdentity } from './identity.js'
import {
  GENERATED_RECOMMENDATION_COLUMN,
  OFFICIAL_RECOMMENDATION_COLUMN,
  generatedRows,
  readRecommendations,
  readReviewSheet,
  readUtama,
  type ImportedArea,
  type ReviewCellError,
} from './review-cells.js'
import { WORKBOOK_BOUNDS, checkWorkbookStructure, recogniseWorkbook } from './structure.js'
import { inspectZip } from '../../lib/zip.js'
import { type Message, msg } from '../../lib/i18n.js'

/*
 * Reading an uploaded workbook into rows: the parse side of an import, free of the database so the
 * parse worker (parse-worker.ts) loads only this. Applying the rows is imports.ts's.
 */

/**
 * exceljs, loaded on the first workbook request: it adds ~28 MB to a process's memory, which
 * a replica that never serves a workbook should not carry.
 */
export const excel = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default

/** Refuses (409) an assessment whose instrument is not the one the workbook's formulas embody. */
export function assertWorkbookFits(def: InstrumentDefinition, map: RowMap): void {
  if (layoutDigest(def) !== map.layoutDigest) {
    throw new ProblemError(
      409,
      'workbook_not_available',
      msg('workbook:workbook_not_available', { instrument: map.instrument, code: def.code }),
    )
  }
}

export interface CellError {
  sheet: string
  cell: string
  value: string | number | boolean | null
  rule: string
  message: Message | string
  question_code?: string
}

export interface ImportedRow {
  question_code: string
  value: AnswerValue
  note: string | null
  /** the layout has no note column for the stage: the stored note is kept */
  keepNote?: boolean
  /** a tpi stage's recommendation, where the file has the column (absent: the stored one is kept) */
  recommendation?: string | null
  recommendationCell?: string
  /** where it came from, for error reports */
  sheet: string
  cell: string
  noteCell: string
  /** the evidence cell's entries; absent when the cell is blank (the answer keeps its evidence) */
  evidence?: { sheet: string; cell: string; tokens: EvidenceToken[] }
}

const escapeToken = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1')
/** A JSON pointer naming a cell of the uploaded file: /body/file/LKE ZI/K8 */
export const cellPointer = (sheet: string, cell: string): string => `/body/file/${escapeToken(sheet)}/${cell}`

const notWorkbook = (
  detail: Message,
  errors: (Omit<FieldError, 'message'> & { message: Message })[] = [
    { pointer: '/body/file', rule: 'lke_workbook', message: detail },
  ],
) => new ProblemError(422, 'not_an_lke_workbook', detail, { errors })

/** Limits on what an uploaded .xlsx may unpack to (an LKE workbook is ~20 entries, ~0.5 MB unpacked; see structure.ts). */
export const UNZIP_LIMITS = { maxEntries: WORKBOOK_BOUNDS.entries, maxTotalBytes: WORKBOOK_BOUNDS.unpacked_bytes }

/** The uploaded .xlsx, loaded: 422 workbook_too_large when it unpacks too large, not_an_lke_workbook when it is no workbook. */
export async function loadUpload(file: Buffer): Promise<ExcelJS.Workbook> {
  const zip = inspectZip(file, UNZIP_LIMITS)
  if (!zip.ok) {
    if (zip.reason === 'too_large' || zip.reason === 'too_many_entries')
      throw new ProblemError(422, 'workbook_too_large', msg('workbook:workbook_too_large', { message: zip.message }))
    throw notWorkbook(msg('workbook:not_workbook.message', { message: zip.message }))
  }
  const wb = new (await excel()).Workbook()
  try {
    await wb.xlsx.load(file as unknown as ArrayBuffer)
  } catch {
    throw notWorkbook(msg('workbook:not_workbook.message_2'))
  }
  return wb
}

/**
 * Reads a filled official LKE workbook: every answer cell and note of the row map, each checked (the
 * cell's content, then the instrument's own rules through validateAnswers). Throws 422
 * not_an_lke_workbook when the sheet does not have the layout, 422 workbook_cells_invalid listing
 * every bad cell; returns one row per question otherwise (blank cells as null).
 */
export function readOfficial(wb: ExcelJS.Workbook, map: RowMap, def: InstrumentDefinition): ImportedRow[] {
  const ws = wb.getWorksheet(map.sheet)
  if (!ws) {
    throw notWorkbook(
      msg('workbook:not_workbook.message_3', {
        sheet: map.sheet,
        sheets: wb.worksheets.map((w) => `"${w.name}"`).join(', ') || '—',
      }),
    )
  }
  const col = map.columns
  const sheet = map.sheet
  const read = (address: string): CellContent => cellContent(ws.getCell(address))
  const text = (address: string): string => {
    const c = read(address)
    return c.kind === 'text' ? normaliseText(c.text) : ''
  }
  // The layout: the answer column's header, and the Pilihan Jawaban of the question rows.
  const questions = Object.entries(map.questions)
  const choicesWrong = questions.filter(([, q]) => text(`${col.choices}${q.row}`) !== q.choices)
  if (text(`${col.answer}${map.headerRow}`) !== 'Jawaban' || choicesWrong.length > questions.length / 2) {
    throw notWorkbook(
      msg('workbook:not_workbook.message_4', {
        sheet,
        answer: col.answer,
        headerRow: map.headerRow,
        choices: col.choices,
        choicesWrongCount: choicesWrong.length,
        questionsCount: questions.length,
      }),
    )
  }

  const errors: CellError[] = []
  const shownValue = (cell: string) => {
    const v = displayValue(read(cell))
    return typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}… (${v.length} characters)` : v
  }
  const bad = (cell: string, rule: string, message: Message | string, code?: string) =>
    errors.push({
      sheet,
      cell,
      value: shownValue(cell),
      rule,
      message: msg('workbook:field.rule', { cell, message }),
      ...(code ? { question_code: code } : {}),
    })
  for (const [code, q] of choicesWrong)
    bad(
      `${col.choices}${q.row}`,
      'choices_changed',
      msg('workbook:cells.choices_changed', { code, choices: q.choices }),
      code,
    )
  const questionCells = new Set(questions.filter(([, q]) => q.computed).map(([, q]) => `${col.answer}${q.row}`))
  for (const cell of map.formulaCells) {
    if (read(cell).kind !== 'formula') {
      const code = questions.find(([, q]) => `${col.answer}${q.row}` === cell)?.[0]
      bad(
        cell,
        'formula_replaced',
        msg('workbook:cells.formula_replaced', {
          formula: questionCells.has(cell) ? msg('workbook:cells.formula_ratio') : msg('workbook:cells.formula_sum'),
        }),
        code,
      )
    }
  }

  const tree = indexTree(def)
  const rows: ImportedRow[] = []
  const given: Record<string, AnswerValue> = {}
  for (const [code, q] of questions) {
    const answerCell = `${col.answer}${q.row}`
    let value: AnswerValue = null
    if (!q.computed) {
      const got = answerFromCell(q.answerType, read(answerCell))
      if (!got.ok) bad(answerCell, got.rule, got.message, code)
      else value = got.value
    }
    const noteCell = `${col.note}${q.row}`
    const note = noteFromCell(read(noteCell))
    if (!note.ok) bad(noteCell, note.rule, note.message, code)
    if (value !== null) given[code] = value
    rows.push({ question_code: code, value, note: note.ok ? note.value : null, sheet, cell: answerCell, noteCell })
  }
  // The instrument's own rules: option values, ranges, whole counts, two-decimal indices, ratios dividing by zero.
  for (const issue of validateAnswers(def, given)) {
    const code = issue.pointer.slice(1).replace(/~1/g, '/').replace(/~0/g, '~')
    const q = map.questions[code]
    if (q) bad(`${col.answer}${q.row}`, issue.code, issue.message, code)
  }
  if (errors.length > 0) {
    errors.sort((a, b) => rowOf(a.cell) - rowOf(b.cell) || a.cell.localeCompare(b.cell))
    throw new ProblemError(
      422,
      'workbook_cells_invalid',
      msg('workbook:workbook_cells_invalid', { count: errors.length }),
      {
        errors: errors.map((e) => ({ pointer: cellPointer(e.sheet, e.cell), rule: e.rule, message: e.message })),
        cells: errors,
      },
    )
  }
  // Options as the instrument spells them ("ya" → "Ya").
  return rows.map((r) => {
    const node = tree.byCode.get(r.question_code) as InstrumentNode
    if (r.value === null) return r
    const check = checkAnswer(node, r.value)
    return check.ok ? { ...r, value: check.value } : r
  })
}

const rowOf = (cell: string): number => Number(cell.replace(/^[A-Z]+/, ''))

/**
 * Reading an uploaded workbook in whichever layout it has:
 * - `generated`: the sheet "LKE" this service generates for any version (GET …/lke.xlsx), rows found
 *   by the question code in column A;
 * - `official`: the official Pemda form (sheet "LKE ZI", rows from the committed row map), for a
 *   version whose scoring it embodies (LKE-ZI-2026 or an unchanged copy), else 409;
 * - `portalrb`: the master soal's own cell map (each question's `excel_sheet`, `excel_baris`,
 *   `excel_kolom_*`, kept on the instrument as `external`): the unit's columns for the self stage,
 *   the TPI's for the TPI stage.
 * Every cell is checked; a bad one is reported with its sheet and cell, and nothing is written.
 */
export const WORKBOOK_LAYOUTS = ['generated', 'official', 'portalrb'] as const
export type WorkbookLayout = (typeof WORKBOOK_LAYOUTS)[number]

export interface ReadResult {
  layout: WorkbookLayout
  rows: ImportedRow[]
  /** the unit, period and stage the file names (see identity.ts); null when it names none */
  identity: WorkbookIdentity | null
  /** a tpi stage's per-area review, where the file has its sheet (review-cells.ts); absent: the stored review is kept */
  areas?: ImportedArea[]
}

type Bad = (sheet: string, cell: string, rule: string, message: Message | string, code?: string) => void

function collector(wb: ExcelJS.Workbook) {
  const errors: CellError[] = []
  const shown = (sheet: string, cell: string) => {
    const ws = wb.getWorksheet(sheet)
    const v = ws && /^[A-Z]+\d+$/.test(cell) ? displayValue(cellContent(ws.getCell(cell))) : null
    return typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}… (${v.length} characters)` : v
  }
  const bad: Bad = (sheet, cell, rule, message, code) =>
    errors.push({
      sheet,
      cell,
      value: shown(sheet, cell),
      rule,
      message: msg('workbook:field.rule_2', { sheet, cell, message }),
      ...(code ? { question_code: code } : {}),
    })
  return { errors, bad }
}

export function cellsInvalid(errors: CellError[]): ProblemError {
  const rowOf = (cell: string): number => Number(cell.replace(/^[A-Z]+/, '')) || 0
  errors.sort((a, b) => a.sheet.localeCompare(b.sheet) || rowOf(a.cell) - rowOf(b.cell) || a.cell.localeCompare(b.cell))
  return new ProblemError(
    422,
    'workbook_cells_invalid',
    msg('workbook:workbook_cells_invalid', { count: errors.length }),
    {
      errors: errors.map((e) => ({ pointer: cellPointer(e.sheet, e.cell), rule: e.rule, message: e.message })),
      cells: errors,
    },
  )
}

/** The evidence cell's entries, or undefined for a blank cell (a blank keeps the answer's evidence as it is). */
function evidenceOf(
  sheet: string,
  cell: string,
  content: CellContent,
  bad: Bad,
  code: string,
): ImportedRow['evidence'] {
  const c = content.kind === 'formula' ? (content.result ?? { kind: 'empty' as const }) : content
  if (c.kind === 'empty') return undefined
  if (c.kind !== 'text') {
    bad(sheet, cell, 'evidence_not_text', msg('workbook:cells.evidence_not_text'), code)
    return undefined
  }
  const tokens = parseEvidenceCell(c.text)
  if (tokens.length === 0) return undefined
  for (const t of tokens) if (t.kind === 'invalid') bad(sheet, cell, 'evidence_invalid', t.message, code)
  return { sheet, cell, tokens }
}

/** Checks the answers read against the instrument's own rules, then returns them with options spelled as the instrument does. */
function finish(rows: ImportedRow[], def: InstrumentDefinition, bad: Bad, errors: CellError[]): ImportedRow[] {
  const given: Record<string, AnswerValue> = {}
  for (const r of rows) if (r.value !== null) given[r.question_code] = r.value
  const byCode = new Map(rows.map((r) => [r.question_code, r]))
  for (const issue of validateAnswers(def, given)) {
    const code = issue.pointer.slice(1).replace(/~1/g, '/').replace(/~0/g, '~')
    const r = byCode.get(code)
    if (r) bad(r.sheet, r.cell, issue.code, issue.message, code)
  }
  if (errors.length > 0) throw cellsInvalid(errors)
  const tree = indexTree(def)
  return rows.map((r) => {
    if (r.value === null) return r
    const check = checkAnswer(tree.byCode.get(r.question_code) as InstrumentNode, r.value)
    return check.ok ? { ...r, value: check.value } : r
  })
}

/** Which layout the workbook has (see WORKBOOK_LAYOUTS), or a 422 naming the sheets it should have. */
export function detectLayout(wb: ExcelJS.Workbook, def: InstrumentDefinition, map: RowMap): WorkbookLayout {
  const gen = wb.getWorksheet(GENERATED_SHEET)
  if (
    gen &&
    normaliseText(String(cellText(gen, `${G.code}${HEADER_ROW}`))) === HEADERS.code &&
    cellText(gen, `${G.conversion}${HEADER_ROW}`) === HEADERS.conversion
  )
    return 'generated'
  if (wb.getWorksheet(map.sheet)) return 'official'
  const portal = portalrbSheet(def)
  if (portal && wb.getWorksheet(portal)) return 'portalrb'
  throw notLke(
    wb.worksheets.map((w) => w.name),
    def,
    map,
  )
}

/** The sheets an LKE workbook is recognised by (one of them must be there). */
export const lkeSheetNames = (def: InstrumentDefinition, map: RowMap): string[] => {
  const portal = portalrbSheet(def)
  return [GENERATED_SHEET, map.sheet, ...(portal ? [portal] : [])]
}

/** 422 not_an_lke_workbook naming the sheets the workbook has and those it should have. */
function notLke(sheets: string[], def: InstrumentDefinition, map: RowMap): ProblemError {
  const have = sheets.map((n) => `"${n}"`).join(', ') || 'none'
  const portal = portalrbSheet(def)
  return new ProblemError(
    422,
    'not_an_lke_workbook',
    msg('workbook:not_an_lke_workbook', {
      have,
      GENERATED_SHEET,
      sheet: map.sheet,
      portal: portal ? msg('workbook:portal_layout', { sheet: portal }) : '',
    }),
    {
      errors: [{ pointer: '/body/file', rule: 'lke_workbook', message: msg('workbook:field.lke_workbook') }],
    },
  )
}

/**
 * The structure check before the workbook is loaded (see structure.ts): an LKE sheet by name, and
 * the bounds. 422 not_an_lke_workbook, or 422 workbook_too_large naming the bound (`bound`, `limit`,
 * `actual`).
 */
export function assertLkeStructure(
  file: Buffer,
  def: InstrumentDefinition,
  map: RowMap,
  /** only the first step (recogniseWorkbook): the sheet names, before a worker is started */
  quick = false,
): void {
  const check = (quick ? recogniseWorkbook : checkWorkbookStructure)(file, lkeSheetNames(def, map))
  if (check.ok) return
  if (check.reason === 'not_lke') throw notLke(check.sheets, def, map)
  if (check.reason === 'not_xlsx')
    throw new ProblemError(
      422,
      'not_an_lke_workbook',
      msg('workbook:not_an_lke_workbook_2', { message: check.message }),
      {
        errors: [{ pointer: '/body/file', rule: 'lke_workbook', message: check.message }],
      },
    )
  throw workbookBoundProblem(check.bound, check.limit, check.message)
}

/** 422 workbook_too_large naming the bound that was hit. */
export function workbookBoundProblem(bound: string, limit: number, message: Message | string): ProblemError {
  return new ProblemError(422, 'workbook_too_large', msg('workbook:workbook_too_large_2', { message, bound, limit }), {
    bound,
    limit,
    errors: [{ pointer: '/body/file', rule: bound, message }],
  })
}

const cellText = (ws: ExcelJS.Worksheet, address: string): string => {
  const c = cellContent(ws.getCell(address))
  return c.kind === 'text' ? normaliseText(c.text) : c.kind === 'number' ? String(c.value) : ''
}

/** The sheet the master soal's cell map names (every mapped question names the same one), if any. */
export function portalrbSheet(def: InstrumentDefinition): string | undefined {
  return def.nodes.find((n) => n.level === 'question' && n.external?.excelSheet && n.external.excelRow)?.external
    ?.excelSheet
}

/** The generated sheet: rows by the code in column A. */
export function readGenerated(wb: ExcelJS.Workbook, def: InstrumentDefinition): ImportedRow[] {
  const ws = wb.getWorksheet(GENERATED_SHEET) as ExcelJS.Worksheet
  const sheet = GENERATED_SHEET
  const { errors, bad } = collector(wb)
  const tree = indexTree(def)
  const read = (a: string) => cellContent(ws.getCell(a))
  const seen = new Map<string, number>()
  const rows: ImportedRow[] = []
  const last = ws.rowCount
  for (let r = FIRST_ROW; r <= last; r++) {
    const codeCell = read(`${G.code}${r}`)
    const code =
      codeCell.kind === 'text' ? codeCell.text.trim() : codeCell.kind === 'number' ? String(codeCell.value) : ''
    const hasContent = [G.answer, G.note, G.evidence].some((c) => read(`${c}${r}`).kind !== 'empty')
    if (code === '') {
      if (hasContent && read(`${G.answer}${r}`).kind !== 'formula')
        bad(sheet, `${G.code}${r}`, 'code_missing', msg('workbook:cells.code_missing', { r, code: G.code }))
      continue
    }
    const node = tree.byCode.get(code)
    if (!node) {
      if (hasContent)
        bad(
          sheet,
          `${G.code}${r}`,
          'unknown_question',
          msg('workbook:cells.unknown_question', { code, code2: def.code }),
        )
      continue
    }
    if (node.level !== 'question') continue
    if (seen.has(code)) {
      bad(
        sheet,
        `${G.code}${r}`,
        'duplicate_question',
        msg('workbook:cells.duplicate_question', { code, row: seen.get(code) }),
        code,
      )
      continue
    }
    seen.set(code, r)
    const choices = cellText(ws, `${G.choices}${r}`)
    const want = CHOICES_OF_TYPE[node.answerType!]
    if (choices !== want)
      bad(sheet, `${G.choices}${r}`, 'choices_changed', msg('workbook:cells.choices_changed_2', { code, want }), code)
    const answerCell = `${G.answer}${r}`
    const noteCell = `${G.note}${r}`
    let value: AnswerValue = null
    if (isComputed(node)) {
      const c = read(answerCell)
      if (c.kind !== 'formula' && c.kind !== 'empty')
        bad(
          sheet,
          answerCell,
          'formula_replaced',
          msg('workbook:cells.formula_replaced_2', { code, formula: node.formula }),
          code,
        )
    } else {
      const got = answerFromCell(node.answerType!, read(answerCell))
      if (!got.ok) bad(sheet, answerCell, got.rule, got.message, code)
      else value = got.value
    }
    const note = noteFromCell(read(noteCell))
    if (!note.ok) bad(sheet, noteCell, note.rule, note.message, code)
    const ev = evidenceOf(sheet, `${G.evidence}${r}`, read(`${G.evidence}${r}`), bad, code)
    rows.push({
      question_code: code,
      value,
      note: note.ok ? note.value : null,
      sheet,
      cell: answerCell,
      noteCell,
      ...(ev ? { evidence: ev } : {}),
    })
  }
  for (const node of tree.ordered) {
    if (node.level === 'question' && !isComputed(node) && !seen.has(node.code)) {
      bad(
        sheet,
        `${G.code}:${G.code}`,
        'question_missing',
        msg('workbook:cells.question_missing', { code: node.code, code2: def.code }),
        node.code,
      )
    }
  }
  return finish(rows, def, bad, errors)
}

/** The official Pemda form: evidence links from its "Tautan Data Dukung" column. */
export function officialEvidence(wb: ExcelJS.Workbook, map: RowMap, rows: ImportedRow[]): ImportedRow[] {
  const ws = wb.getWorksheet(map.sheet) as ExcelJS.Worksheet
  const { errors, bad } = collector(wb)
  const out = rows.map((r) => {
    const cell = `${map.columns.evidenceUrls}${map.questions[r.question_code]!.row}`
    const ev = evidenceOf(map.sheet, cell, cellContent(ws.getCell(cell)), bad, r.question_code)
    return ev ? { ...r, evidence: ev } : r
  })
  if (errors.length > 0) throw cellsInvalid(errors)
  return out
}

/** Whether the official form fits the version (its formulas embody it). */
export const officialFits = (def: InstrumentDefinition, map: RowMap): boolean => layoutDigest(def) === map.layoutDigest

/** The PortalRB layout: each mapped question's cells; questions without a cell map are not read (and keep their answers). */
export function readPortalrb(wb: ExcelJS.Workbook, def: InstrumentDefinition, kind: StageKind): ImportedRow[] {
  if (kind !== 'self' && kind !== 'tpi') {
    throw new ProblemError(422, 'layout_not_for_stage', msg('workbook:layout_not_for_stage', { kind }), {
      errors: [
        {
          pointer: '/body/file',
          rule: 'layout_not_for_stage',
          message: msg('workbook:field.layout_not_for_stage', { kind }),
        },
      ],
    })
  }
  const { errors, bad } = collector(wb)
  const rows: ImportedRow[] = []
  for (const node of indexTree(def).ordered) {
    const ext = node.external
    if (node.level !== 'question' || isComputed(node) || !ext?.excelSheet || !ext.excelRow || !ext.excelColumns)
      continue
    const cols = ext.excelColumns
    const answerCol = kind === 'self' ? cols.jawaban_unit : cols.jawaban_tpi
    if (!answerCol) continue
    const ws = wb.getWorksheet(ext.excelSheet)
    const sheet = ext.excelSheet
    const answerCell = `${answerCol}${ext.excelRow}`
    if (!ws) {
      bad(
        sheet,
        answerCell,
        'sheet_missing',
        msg('workbook:cells.sheet_missing', { sheet, code: node.code }),
        node.code,
      )
      continue
    }
    const got = answerFromCell(node.answerType!, cellContent(ws.getCell(answerCell)))
    if (!got.ok) bad(sheet, answerCell, got.rule, got.message, node.code)
    const noteCol = kind === 'self' ? cols.catatan_unit : cols.catatan_tpi
    const noteCell = noteCol ? `${noteCol}${ext.excelRow}` : ''
    const note = noteCol ? noteFromCell(cellContent(ws.getCell(noteCell))) : ({ ok: true, value: null } as const)
    if (!note.ok) bad(sheet, noteCell, note.rule, note.message, node.code)
    const evCol = kind === 'self' ? cols.bukti_dukung_unit : undefined
    const ev = evCol
      ? evidenceOf(sheet, `${evCol}${ext.excelRow}`, cellContent(ws.getCell(`${evCol}${ext.excelRow}`)), bad, node.code)
      : undefined
    rows.push({
      question_code: node.code,
      value: got.ok ? got.value : null,
      // no note column: keep the stored note
      note: note.ok ? note.value : null,
      keepNote: !noteCol,
      sheet,
      cell: answerCell,
      noteCell,
      ...(ev ? { evidence: ev } : {}),
    })
  }
  if (rows.length === 0) {
    throw new ProblemError(422, 'not_an_lke_workbook', msg('workbook:not_an_lke_workbook_3', { code: def.code, kind }))
  }
  return finish(rows, def, bad, errors)
}

/** An uploaded workbook read in the layout it has (see WORKBOOK_LAYOUTS); every refusal names its sheet and cell. */
export async function readUpload(
  file: Buffer,
  def: InstrumentDefinition,
  map: RowMap,
  kind: StageKind,
): Promise<ReadResult> {
  assertLkeStructure(file, def, map)
  const wb = await loadUpload(file)
  const layout = detectLayout(wb, def, map)
  const generated = layout === 'generated' ? wb.getWorksheet(GENERATED_SHEET) : undefined
  const identity = identityOf({ keywords: wb.keywords, heading: generated ? cellText(generated, 'A2') : undefined })
  if (layout === 'portalrb') return { layout, rows: readPortalrb(wb, def, kind), identity }
  if (layout === 'official') assertWorkbookFits(def, map)
  const rows = layout === 'generated' ? readGenerated(wb, def) : officialEvidence(wb, map, readOfficial(wb, map, def))
  // the TPI's recommendations and per-area review: read for the tpi stage only
  if (kind !== 'tpi') return { layout, rows, identity }
  return { layout, ...readReview(wb, layout, map, rows), identity }
}

/** A tpi stage's recommendations (beside the rows read) and per-area review, from the file's review cells. */
function readReview(
  wb: ExcelJS.Workbook,
  layout: 'generated' | 'official',
  map: RowMap,
  rows: ImportedRow[],
): { rows: ImportedRow[]; areas?: ImportedArea[] } {
  const problems: ReviewCellError[] = []
  const ws = wb.getWorksheet(layout === 'generated' ? GENERATED_SHEET : map.sheet) as ExcelJS.Worksheet
  const read = new Set(rows.map((r) => r.question_code))
  const rowOf =
    layout === 'generated'
      ? generatedRows(ws)
      : new Map(Object.entries(map.questions).map(([code, q]) => [code, q.row]))
  const recommendations = readRecommendations(
    ws,
    layout === 'generated' ? GENERATED_RECOMMENDATION_COLUMN : OFFICIAL_RECOMMENDATION_COLUMN,
    layout === 'generated' ? HEADER_ROW : map.headerRow,
    new Map([...rowOf].filter(([code]) => read.has(code))),
    problems,
  )
  const areas = layout === 'generated' ? readReviewSheet(wb, problems) : readUtama(wb, problems)
  if (problems.length > 0) {
    const { errors, bad } = collector(wb)
    for (const p of problems) bad(p.sheet, p.cell, p.rule, p.message, p.question_code)
    throw cellsInvalid(errors)
  }
  return {
    rows: recommendations
      ? rows.map((r) => {
          const got = recommendations.get(r.question_code)
          return got ? { ...r, recommendation: got.value, recommendationCell: got.cell } : r
        })
      : rows,
    ...(areas ? { areas } : {}),
  }
}
