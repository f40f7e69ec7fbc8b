import type ExcelJS from 'exceljs'
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import type { FieldError } from '../../lib/problem.js'
import { ProblemError } from '../../lib/problem.js'
import type { Principal } from '../../lib/principal.js'
import { canRead, type StageKind } from '../assessments/rules.js'
import { answers, assessmentStages, assessments } from '../assessments/tables.js'
import {
  answerMap,
  listStages,
  type AnswerInput,
  type AssessmentRow,
  type StageRow,
  type StoredAnswer,
} from '../assessments/service.js'
import { unitScopeCondition } from '../auth/scope.js'
import { evidence } from '../evidence/tables.js'
import { loadDefinition } from '../instruments/cache.js'
import {
  checkAnswer,
  evaluateEligibility,
  indexTree,
  scoreInstrument,
  validateAnswers,
  type AnswerValue,
  type InstrumentDefinition,
  type InstrumentNode,
} from '../instruments/domain/index.js'
import type { PeriodRow } from '../periods/tables.js'
import { units } from '../units/tables.js'
import {
  STAGE_LABELS,
  answerFromCell,
  cellFromAnswer,
  csvRecord,
  displayValue,
  layoutDigest,
  normaliseText,
  noteFromCell,
  type CellContent,
  type RowMap,
} from './rules.js'
import { cellContent } from './sheet.js'
import { inspectZip } from './zip.js'
import { WORKBOOK_BOUNDS } from './structure.js'
import type { EvidenceToken } from './evidence-cells.js'

/**
 * exceljs, loaded on the first workbook request: it adds ~28 MB to a process's memory, which
 * a replica that never serves a workbook should not carry.
 */
export const excel = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** Refuses (409) an assessment whose instrument is not the one the workbook's formulas embody. */
export function assertWorkbookFits(def: InstrumentDefinition, map: RowMap): void {
  if (layoutDigest(def) !== map.layoutDigest) {
    throw new ProblemError(
      409,
      'workbook_not_available',
      `The official LKE workbook fits the instrument ${map.instrument}; this assessment is scored with ${def.code}, whose questions, weights or formulas differ, so the workbook's formulas would not give its score.`,
    )
  }
}

// ---------------------------------------------------------------------------------------------
// Export

export interface EvidenceRef {
  title: string
  url: string
  /** what the generated sheet's evidence cell lists: a link's URL, a file's name (both read back on import) */
  entry: string
}

/** Titles and URLs of evidence items; a file's URL is its download route on this API. */
export async function evidenceRefs(db: Queryable, ids: string[], baseUrl: string): Promise<Map<string, EvidenceRef>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .select({
      id: evidence.id,
      kind: evidence.kind,
      title: evidence.title,
      url: evidence.url,
      fileName: evidence.fileName,
    })
    .from(evidence)
    .where(inArray(evidence.id, ids))
  return new Map(
    rows.map((r) => [
      r.id,
      {
        title: r.kind === 'file' && r.fileName && r.fileName !== r.title ? `${r.title} (${r.fileName})` : r.title,
        url: r.kind === 'link' && r.url ? r.url : `${baseUrl.replace(/\/+$/, '')}/v1/evidence/${r.id}/content`,
        entry:
          r.kind === 'link' && r.url
            ? r.url
            : r.fileName || `${baseUrl.replace(/\/+$/, '')}/v1/evidence/${r.id}/content`,
      },
    ]),
  )
}

export interface WorkbookInput {
  map: RowMap
  template: Buffer
  unit: { code: string; name: string }
  periodCode: string
  stage: Pick<StageRow, 'kind' | 'status'>
  answers: StoredAnswer[]
  evidence: Map<string, EvidenceRef>
  /** the stage this one started from (tpi ← self, …), shown beside it for comparison */
  compare?: { kind: StageKind; answers: StoredAnswer[] } | undefined
  assessmentId: string
}

/**
 * The template with the stage written in: answers in the answer column (the only one the workbook's
 * formulas read, so its Nilai and total are this stage's score), notes, evidence titles and links;
 * for a stage that started from another, that stage's answers and notes beside, for comparison.
 * Formulas are kept and carry no saved values, so the spreadsheet computes them on opening.
 */
export async function buildWorkbook(input: WorkbookInput): Promise<ExcelJS.Workbook> {
  const { map } = input
  const wb = new (await excel()).Workbook()
  await wb.xlsx.load(input.template as unknown as ArrayBuffer)
  const ws = wb.getWorksheet(map.sheet)
  if (!ws) throw new Error(`the workbook template has no sheet ${map.sheet}`)
  const col = map.columns
  const label = STAGE_LABELS[input.stage.kind] ?? input.stage.kind
  ws.getCell(`${col.answer}${map.labelRow}`).value = `Jawaban ${label}`
  ws.getCell(`${col.note}${map.labelRow}`).value = `Catatan ${label}`

  const byCode = new Map(input.answers.map((a) => [a.row.questionCode, a]))
  for (const [code, q] of Object.entries(map.questions)) {
    const a = byCode.get(code)
    if (!q.computed) ws.getCell(`${col.answer}${q.row}`).value = cellFromAnswer(q.answerType, a?.row.value ?? null)
    ws.getCell(`${col.note}${q.row}`).value = a?.row.note ?? null
    const refs = (a?.evidenceIds ?? [])
      .flatMap((id) => {
        const ref = input.evidence.get(id)
        return ref ? [ref] : []
      })
      .sort((x, y) => x.title.localeCompare(y.title) || x.url.localeCompare(y.url))
    ws.getCell(`${col.evidenceTitles}${q.row}`).value = refs.length ? refs.map((r) => r.title).join('\n') : null
    const urls = ws.getCell(`${col.evidenceUrls}${q.row}`)
    urls.value =
      refs.length === 1
        ? { text: refs[0]!.url, hyperlink: refs[0]!.url }
        : refs.length
          ? refs.map((r) => r.url).join('\n')
          : null
  }

  if (input.compare) {
    const other = STAGE_LABELS[input.compare.kind] ?? input.compare.kind
    const header = ws.getCell(`${col.note}${map.headerRow}`)
    for (const [c, text, width] of [
      [col.compareAnswer, `Jawaban ${other}`, 16],
      [col.compareNote, `Catatan ${other}`, 50],
    ] as const) {
      const cell = ws.getCell(`${c}${map.headerRow}`)
      cell.value = text
      cell.style = { ...header.style }
      ws.getColumn(c).width = width
    }
    const theirs = new Map(input.compare.answers.map((a) => [a.row.questionCode, a]))
    for (const [code, q] of Object.entries(map.questions)) {
      const a = theirs.get(code)
      if (!a) continue
      if (!q.computed)
        ws.getCell(`${col.compareAnswer}${q.row}`).value = cellFromAnswer(q.answerType, a.row.value ?? null)
      ws.getCell(`${col.compareNote}${q.row}`).value = a.row.note
    }
  }

  wb.title = `LKE ZI ${input.unit.code} ${input.unit.name}`
  wb.subject = `Tahap ${label} (${input.stage.status}), periode ${input.periodCode}`
  wb.keywords = `zi-tracker assessment:${input.assessmentId} stage:${input.stage.kind}`
  wb.lastModifiedBy = 'zi-tracker'
  wb.modified = new Date()
  wb.calcProperties.fullCalcOnLoad = true
  return wb
}

/** The .xlsx bytes of a built workbook (after any sheet a caller appends). */
export async function workbookBytes(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** The stage shown beside an exported one: the stage it was copied from, else (for an evaluator's stage) the unit's self-assessment; only if the caller may read it. */
export async function compareStageFor(
  db: Queryable,
  principal: Principal,
  stage: StageRow,
): Promise<StageRow | undefined> {
  if (stage.kind === 'self') return undefined
  const stages = await listStages(db, stage.assessmentId)
  const other = stage.copiedFromStageId
    ? stages.find((s) => s.id === stage.copiedFromStageId)
    : stages.find((s) => s.kind === 'self')
  return other && canRead(other.kind, other.status, principal.role) ? other : undefined
}

// ---------------------------------------------------------------------------------------------
// Import

export interface CellError {
  sheet: string
  cell: string
  value: string | number | boolean | null
  rule: string
  message: string
  question_code?: string
}

export interface ImportedRow {
  question_code: string
  value: AnswerValue
  note: string | null
  /** the layout has no note column for the stage: the stored note is kept */
  keepNote?: boolean
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
  detail: string,
  errors: FieldError[] = [{ pointer: '/body/file', rule: 'lke_workbook', message: detail }],
) => new ProblemError(422, 'not_an_lke_workbook', detail, { errors })

/** Limits on what an uploaded .xlsx may unpack to (an LKE workbook is ~20 entries, ~0.5 MB unpacked; see structure.ts). */
export const UNZIP_LIMITS = { maxEntries: WORKBOOK_BOUNDS.entries, maxTotalBytes: WORKBOOK_BOUNDS.unpacked_bytes }

/** The uploaded .xlsx, loaded: 422 workbook_too_large when it unpacks too large, not_an_lke_workbook when it is no workbook. */
export async function loadUpload(file: Buffer): Promise<ExcelJS.Workbook> {
  const zip = inspectZip(file, UNZIP_LIMITS)
  if (!zip.ok) {
    if (zip.reason === 'too_large' || zip.reason === 'too_many_entries')
      throw new ProblemError(422, 'workbook_too_large', `The workbook is too large once unpacked: ${zip.message}.`)
    throw notWorkbook(`The file is not an .xlsx workbook: ${zip.message}.`)
  }
  const wb = new (await excel()).Workbook()
  try {
    await wb.xlsx.load(file as unknown as ArrayBuffer)
  } catch {
    throw notWorkbook('The file is a ZIP archive but not an .xlsx workbook exceljs can read.')
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
      `The workbook has no sheet "${map.sheet}" (it has ${wb.worksheets.map((w) => `"${w.name}"`).join(', ') || 'none'}); upload the official LKE ZI workbook, e.g. one exported by GET …/lke.xlsx.`,
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
      `Sheet "${sheet}" does not have the LKE ZI layout: ${col.answer}${map.headerRow} should say "Jawaban" and column ${col.choices} the Pilihan Jawaban of each question (${choicesWrong.length} of ${questions.length} differ).`,
    )
  }

  const errors: CellError[] = []
  const shownValue = (cell: string) => {
    const v = displayValue(read(cell))
    return typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}… (${v.length} characters)` : v
  }
  const bad = (cell: string, rule: string, message: string, code?: string) =>
    errors.push({
      sheet,
      cell,
      value: shownValue(cell),
      rule,
      message: `${cell}: ${message}`,
      ...(code ? { question_code: code } : {}),
    })
  for (const [code, q] of choicesWrong)
    bad(
      `${col.choices}${q.row}`,
      'choices_changed',
      `the Pilihan Jawaban of ${code} is "${q.choices}"; with another text the workbook's Nilai formula scores it differently`,
      code,
    )
  const questionCells = new Set(questions.filter(([, q]) => q.computed).map(([, q]) => `${col.answer}${q.row}`))
  for (const cell of map.formulaCells) {
    if (read(cell).kind !== 'formula') {
      const code = questions.find(([, q]) => `${col.answer}${q.row}` === cell)?.[0]
      bad(
        cell,
        'formula_replaced',
        `must keep the workbook's formula (${questionCells.has(cell) ? 'a ratio computed from the counts below it' : 'the sum of the counts below it'}); the score is computed from those counts`,
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
      `${errors.length} cell${errors.length === 1 ? ' is' : 's are'} not valid; nothing was written. See cells (sheet, cell, value, rule).`,
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
 * The answers an import changes: a different value, note or evidence than stored (a blank answer cell
 * clears a stored answer; a blank where nothing is stored is skipped). `evidence` holds the evidence
 * ids of the answers whose evidence cell was filled; the others keep theirs.
 */
export function changedItems(
  rows: ImportedRow[],
  stored: StoredAnswer[],
  evidence: Map<string, string[]> = new Map(),
): (AnswerInput & { sheet: string; cell: string; noteCell: string })[] {
  const current = new Map(stored.map((a) => [a.row.questionCode, a]))
  const sameSet = (a: string[], b: string[]) =>
    a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i])
  return rows.flatMap((r) => {
    const now = current.get(r.question_code)
    const ids = evidence.get(r.question_code)
    const valueChanged = (now?.row.value ?? null) !== r.value
    const noteChanged = !r.keepNote && (now?.row.note ?? null) !== r.note
    const evidenceChanged = ids !== undefined && !sameSet(ids, now?.evidenceIds ?? [])
    if (!valueChanged && !noteChanged && !evidenceChanged) return []
    return [
      {
        question_code: r.question_code,
        value: r.value,
        ...(r.keepNote ? {} : { note: r.note }),
        ...(ids !== undefined ? { evidence_ids: ids } : {}),
        sheet: r.sheet,
        cell: r.cell,
        noteCell: r.noteCell,
      },
    ]
  })
}

// ---------------------------------------------------------------------------------------------
// CSV of a period

export const CSV_SHAPES = ['answers', 'totals'] as const
export type CsvShape = (typeof CSV_SHAPES)[number]

export const CSV_HEADERS: Record<CsvShape, string[]> = {
  answers: [
    'period_code',
    'unit_code',
    'unit_name',
    'assessment_id',
    'stage',
    'stage_status',
    'stage_total',
    'question_code',
    'value',
    'converted_value',
    'note',
  ],
  totals: [
    'period_code',
    'unit_code',
    'unit_name',
    'assessment_id',
    'stage',
    'stage_status',
    'total',
    'max_total',
    'predicate',
    'unanswered',
  ],
}

/** Stages per page: each page is one query for the stages and one for their answers. */
export const CSV_PAGE_SIZE = 25

const KIND_RANK = sql<number>`(case ${assessmentStages.kind} when 'self' then 1 when 'tpi' then 2 when 'tpn' then 3 else 4 end)`

/**
 * The CSV of a period, record by record: every stage of every assessment in the caller's scope
 * (ordered by unit code, assessment, stage), read page by page with a keyset (unit code,
 * assessment id, stage rank), so memory stays flat whatever the number of units. Not one snapshot:
 * a stage written while the export runs shows as it was when its page was read.
 */
export async function* periodCsv(
  db: Queryable,
  principal: Principal,
  period: PeriodRow,
  shape: CsvShape,
): AsyncGenerator<string> {
  yield csvRecord(CSV_HEADERS[shape])
  let after: { code: string; assessmentId: string; rank: number } | null = null
  for (;;) {
    const conditions: (SQL | undefined)[] = [
      eq(assessments.periodId, period.id),
      unitScopeCondition(principal, units.path),
    ]
    if (after)
      conditions.push(
        sql`(${units.code}, ${assessments.id}, ${KIND_RANK}) > (${after.code}, ${after.assessmentId}::uuid, ${after.rank}::int)`,
      )
    const page = await db
      .select({
        stage: assessmentStages,
        assessment: assessments,
        unitCode: units.code,
        unitName: units.name,
        rank: KIND_RANK,
      })
      .from(assessmentStages)
      .innerJoin(assessments, eq(assessments.id, assessmentStages.assessmentId))
      .innerJoin(units, eq(units.id, assessments.unitId))
      .where(and(...conditions))
      .orderBy(asc(units.code), asc(assessments.id), asc(KIND_RANK))
      .limit(CSV_PAGE_SIZE)
    if (page.length === 0) return
    const visible = page.filter((p) => canRead(p.stage.kind, p.stage.status, principal.role))
    const answersByStage = await answersOf(
      db,
      visible.map((p) => p.stage.id),
    )
    for (const p of visible) {
      const def = await loadDefinition(db, p.assessment.instrumentVersionId)
      yield stageRecords(shape, def, period.code, p, answersByStage.get(p.stage.id) ?? [])
    }
    const last = page[page.length - 1]!
    after = { code: last.unitCode, assessmentId: last.assessment.id, rank: Number(last.rank) }
    if (page.length < CSV_PAGE_SIZE) return
  }
}

async function answersOf(db: Queryable, stageIds: string[]): Promise<Map<string, StoredAnswer[]>> {
  const byStage = new Map<string, StoredAnswer[]>()
  if (stageIds.length === 0) return byStage
  const rows = await db.select().from(answers).where(inArray(answers.stageId, stageIds))
  for (const row of rows) byStage.set(row.stageId, [...(byStage.get(row.stageId) ?? []), { row, evidenceIds: [] }])
  return byStage
}

function stageRecords(
  shape: CsvShape,
  def: InstrumentDefinition,
  periodCode: string,
  p: { stage: StageRow; assessment: AssessmentRow; unitCode: string; unitName: string },
  stored: StoredAnswer[],
): string {
  const lead = [periodCode, p.unitCode, p.unitName, p.assessment.id, p.stage.kind, p.stage.status]
  if (shape === 'totals') {
    const result = scoreInstrument(def, answerMap(stored))
    return csvRecord([
      ...lead,
      result.total,
      result.maxTotal,
      evaluateEligibility(def, result).predicate,
      result.unanswered.length,
    ])
  }
  const score = scoreInstrument(def, answerMap(stored))
  const notes = new Map(stored.map((a) => [a.row.questionCode, a.row.note]))
  const values = answerMap(stored)
  return score.questions
    .map((q) => csvRecord([...lead, score.total, q.code, values[q.code] ?? null, q.value, notes.get(q.code) ?? null]))
    .join('')
}
