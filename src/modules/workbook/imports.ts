import type ExcelJS from 'exceljs'
import { and, desc, eq, inArray, or, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { ProblemError } from '../../lib/problem.js'
import type { Principal } from '../../lib/principal.js'
import type { StageKind } from '../assessments/rules.js'
import { beforeViews, stageAnswers, writeAnswers, type StageRow, type StoredAnswer } from '../assessments/service.js'
import { evidence } from '../evidence/tables.js'
import { insertEvidence } from '../evidence/service.js'
import {
  checkAnswer,
  indexTree,
  isComputed,
  validateAnswers,
  type AnswerValue,
  type InstrumentDefinition,
  type InstrumentNode,
} from '../instruments/domain/index.js'
import { units } from '../units/tables.js'
import { parseEvidenceCell, linkTitle, type EvidenceToken } from './evidence-cells.js'
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
import { checkWorkbookStructure } from './structure.js'
import {
  assertWorkbookFits,
  cellPointer,
  changedItems,
  loadUpload,
  readOfficial,
  type CellError,
  type ImportedRow,
} from './service.js'

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
}

type Bad = (sheet: string, cell: string, rule: string, message: string, code?: string) => void

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
      message: `${sheet}!${cell}: ${message}`,
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
    `${errors.length} cell${errors.length === 1 ? ' is' : 's are'} not valid; nothing was written. See cells (sheet, cell, value, rule).`,
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
    bad(sheet, cell, 'evidence_not_text', 'an evidence cell holds links or file names, one per line', code)
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
    `The workbook has none of the LKE layouts (it has ${have}): a sheet "${GENERATED_SHEET}" as GET …/lke.xlsx generates it, the official form's "${map.sheet}"${portal ? `, or the PortalRB layout's "${portal}"` : ''}.`,
    {
      errors: [{ pointer: '/body/file', rule: 'lke_workbook', message: 'no LKE sheet' }],
    },
  )
}

/**
 * The structure check before the workbook is loaded (see structure.ts): an LKE sheet by name, and
 * the bounds. 422 not_an_lke_workbook, or 422 workbook_too_large naming the bound (`bound`, `limit`,
 * `actual`).
 */
export function assertLkeStructure(file: Buffer, def: InstrumentDefinition, map: RowMap): void {
  const check = checkWorkbookStructure(file, lkeSheetNames(def, map))
  if (check.ok) return
  if (check.reason === 'not_lke') throw notLke(check.sheets, def, map)
  if (check.reason === 'not_xlsx')
    throw new ProblemError(422, 'not_an_lke_workbook', `The file is not an .xlsx workbook: ${check.message}.`, {
      errors: [{ pointer: '/body/file', rule: 'lke_workbook', message: check.message }],
    })
  throw workbookBoundProblem(check.bound, check.limit, check.actual, check.message)
}

/** 422 workbook_too_large naming the bound that was hit. */
export function workbookBoundProblem(bound: string, limit: number, actual: number, message: string): ProblemError {
  return new ProblemError(
    422,
    'workbook_too_large',
    `The workbook is beyond what an LKE workbook needs: ${message} (bound ${bound}: ${limit}); nothing was read.`,
    { bound, limit, actual, errors: [{ pointer: '/body/file', rule: bound, message }] },
  )
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
        bad(
          sheet,
          `${G.code}${r}`,
          'code_missing',
          `row ${r} has an answer, note or evidence but no question code in column ${G.code}`,
        )
      continue
    }
    const node = tree.byCode.get(code)
    if (!node) {
      if (hasContent)
        bad(
          sheet,
          `${G.code}${r}`,
          'unknown_question',
          `${code} is not a question of ${def.code}; export the workbook again for this version`,
        )
      continue
    }
    if (node.level !== 'question') continue
    if (seen.has(code)) {
      bad(sheet, `${G.code}${r}`, 'duplicate_question', `${code} is also in row ${seen.get(code)}`, code)
      continue
    }
    seen.set(code, r)
    const choices = cellText(ws, `${G.choices}${r}`)
    const want = CHOICES_OF_TYPE[node.answerType!]
    if (choices !== want)
      bad(
        sheet,
        `${G.choices}${r}`,
        'choices_changed',
        `the Pilihan Jawaban of ${code} is "${want}"; the row's formulas score that type`,
        code,
      )
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
          `${code} is computed by its formula (${node.formula}); answer its inputs instead`,
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
        `no row for question ${node.code} of ${def.code}; export the workbook again for this version`,
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
    throw new ProblemError(
      422,
      'layout_not_for_stage',
      `The PortalRB layout has columns for the unit (self) and the TPI only, not for the ${kind} stage; import the generated workbook instead.`,
      {
        errors: [
          { pointer: '/body/file', rule: 'layout_not_for_stage', message: `no ${kind} columns in the PortalRB layout` },
        ],
      },
    )
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
      bad(sheet, answerCell, 'sheet_missing', `the workbook has no sheet "${sheet}" for ${node.code}`, node.code)
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
    throw new ProblemError(
      422,
      'not_an_lke_workbook',
      `${def.code} has no question with a PortalRB cell map (excel_sheet, excel_baris, excel_kolom_*) for the ${kind} stage; import the generated workbook instead.`,
    )
  }
  return finish(rows, def, bad, errors)
}

// ---------------------------------------------------------------------------------------------
// Evidence

/** who may add evidence items, as the evidence routes' writers */
const EVIDENCE_CREATORS: readonly string[] = ['admin', 'unit_operator']

export interface EvidencePlan {
  /** question code → the evidence ids its answer gets (only answers whose evidence cell was filled) */
  byQuestion: Map<string, string[]>
  /** link items to create, by URL, with the questions that get them */
  create: { url: string; codes: string[] }[]
}

/**
 * Matches the evidence cells against the unit's items (the unit's own and its parents', as answers may
 * use them): an item's own download link → that item; a URL → the unit's link item with that URL, else a
 * new link item; a file name → the unit's file item of that name (the assessment's period first, then
 * the newest). What matches nothing is a cell error.
 */
export async function planEvidence(
  db: Queryable,
  unit: { id: string; path: string },
  periodId: string,
  rows: ImportedRow[],
  /** whether the importer may add evidence items (as POST /v1/evidence/links allows: admins and unit operators) */
  canCreate: boolean,
): Promise<{ plan: EvidencePlan; errors: CellError[] }> {
  const withEvidence = rows.filter((r) => r.evidence)
  const tokens = withEvidence.flatMap((r) => r.evidence!.tokens)
  const ids = [...new Set(tokens.flatMap((t) => (t.kind === 'item' ? [t.id] : [])))]
  const urls = [...new Set(tokens.flatMap((t) => (t.kind === 'link' ? [t.url] : [])))]
  const names = [...new Set(tokens.flatMap((t) => (t.kind === 'file' ? [t.name.toLowerCase()] : [])))]
  const plan: EvidencePlan = { byQuestion: new Map(), create: [] }
  if (withEvidence.length === 0) return { plan, errors: [] }
  const conditions = [
    ...(ids.length ? [inArray(evidence.id, ids)] : []),
    ...(urls.length ? [and(eq(evidence.kind, 'link'), inArray(evidence.url, urls))] : []),
    ...(names.length ? [and(eq(evidence.kind, 'file'), inArray(sql`lower(${evidence.fileName})`, names))] : []),
  ]
  const found = conditions.length
    ? await db
        .select({
          id: evidence.id,
          kind: evidence.kind,
          url: evidence.url,
          fileName: evidence.fileName,
          periodId: evidence.periodId,
        })
        .from(evidence)
        .innerJoin(units, eq(units.id, evidence.unitId))
        // the unit's own items and its parents' (a path is a prefix of the unit's)
        .where(and(sql`left(${unit.path}, length(${units.path})) = ${units.path}`, or(...conditions)))
        .orderBy(desc(evidence.createdAt), desc(evidence.id))
    : []
  const byId = new Map(found.map((f) => [f.id, f]))
  const linkOf = new Map<string, string>()
  const fileOf = new Map<string, string>()
  for (const f of [...found].sort((a, b) => Number(b.periodId === periodId) - Number(a.periodId === periodId))) {
    if (f.kind === 'link' && f.url && !linkOf.has(f.url)) linkOf.set(f.url, f.id)
    if (f.kind === 'file' && f.fileName && !fileOf.has(f.fileName.toLowerCase()))
      fileOf.set(f.fileName.toLowerCase(), f.id)
  }
  const errors: CellError[] = []
  const creating = new Map<string, string[]>()
  for (const r of withEvidence) {
    const { sheet, cell, tokens } = r.evidence!
    const chosen: string[] = []
    const bad = (t: EvidenceToken, rule: string, message: string) =>
      errors.push({
        sheet,
        cell,
        value: t.text,
        rule,
        message: `${sheet}!${cell}: ${message}`,
        question_code: r.question_code,
      })
    for (const t of tokens) {
      if (t.kind === 'item') {
        if (byId.has(t.id)) chosen.push(t.id)
        else bad(t, 'evidence_not_found', `no evidence item ${t.id} of this unit or its parents`)
      } else if (t.kind === 'link') {
        const id = linkOf.get(t.url)
        if (id) chosen.push(id)
        else if (!canCreate)
          bad(
            t,
            'evidence_not_allowed',
            'the unit has no link item with this URL, and your role cannot add evidence: the unit adds it (POST /v1/evidence/links), or name an item it has',
          )
        else creating.set(t.url, [...new Set([...(creating.get(t.url) ?? []), r.question_code])])
      } else if (t.kind === 'file') {
        const id = fileOf.get(t.name.toLowerCase())
        if (id) chosen.push(id)
        else
          bad(
            t,
            'evidence_not_found',
            `"${t.name}" is neither an http(s) link nor the file name of an evidence item of this unit or its parents; upload it first (POST /v1/evidence/files) or give its link`,
          )
      }
    }
    plan.byQuestion.set(r.question_code, [...new Set(chosen)])
  }
  plan.create = [...creating].map(([url, codes]) => ({ url, codes }))
  return { plan, errors }
}

/** Creates the planned link items (in the caller's transaction) and returns each question's final evidence ids. */
export async function applyEvidencePlan(
  tx: Queryable,
  principal: Principal,
  unitId: string,
  periodId: string,
  plan: EvidencePlan,
  audit: (created: typeof evidence.$inferSelect) => Promise<void>,
): Promise<{ byQuestion: Map<string, string[]>; created: number }> {
  const byQuestion = new Map([...plan.byQuestion].map(([k, v]) => [k, [...v]]))
  for (const c of plan.create) {
    const row = await insertEvidence(tx, principal, {
      unitId,
      periodId,
      kind: 'link',
      title: linkTitle(c.url),
      url: c.url,
    })
    await audit(row)
    for (const code of c.codes) byQuestion.set(code, [...new Set([...(byQuestion.get(code) ?? []), row.id])])
  }
  return { byQuestion, created: plan.create.length }
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
  if (layout === 'generated') return { layout, rows: readGenerated(wb, def) }
  if (layout === 'portalrb') return { layout, rows: readPortalrb(wb, def, kind) }
  assertWorkbookFits(def, map)
  return { layout, rows: officialEvidence(wb, map, readOfficial(wb, map, def)) }
}

/**
 * Writes what an import changes to a locked, writable stage (the caller's transaction): the evidence
 * cells matched against the unit's items (a cell matching nothing refuses the whole import), new link
 * items created, then only the answers whose value, note or evidence differ, through writeAnswers.
 */
export async function importRows(
  tx: Queryable,
  ctx: {
    principal: Principal
    stage: StageRow
    def: InstrumentDefinition
    unit: { id: string; path: string }
    periodId: string
    rows: ImportedRow[]
    auditEvidence: (created: typeof evidence.$inferSelect) => Promise<void>
  },
): Promise<{ stage: StageRow; written: StoredAnswer[]; before: unknown[]; evidenceCreated: number }> {
  const { plan, errors } = await planEvidence(
    tx,
    ctx.unit,
    ctx.periodId,
    ctx.rows,
    EVIDENCE_CREATORS.includes(ctx.principal.role),
  )
  if (errors.length > 0) throw cellsInvalid(errors)
  const stored = await stageAnswers(tx, ctx.stage.id)
  const { byQuestion, created } = await applyEvidencePlan(
    tx,
    ctx.principal,
    ctx.unit.id,
    ctx.periodId,
    plan,
    ctx.auditEvidence,
  )
  const items = changedItems(ctx.rows, stored, byQuestion)
  if (items.length === 0) return { stage: ctx.stage, written: [], before: [], evidenceCreated: created }
  const { stage, written, before } = await writeAnswers(
    tx,
    { principal: ctx.principal, stage: ctx.stage, def: ctx.def, unitPath: ctx.unit.path, stored },
    items.map(({ sheet: _s, cell: _c, noteCell: _n, ...item }) => item),
    (i, field) => {
      const it = items[i]!
      return cellPointer(
        it.sheet,
        field === 'note'
          ? it.noteCell
          : field.startsWith('evidence_ids')
            ? (ctx.rows.find((r) => r.question_code === it.question_code)?.evidence?.cell ?? it.cell)
            : it.cell,
      )
    },
  )
  return {
    stage,
    written,
    before: beforeViews(written, before),
    evidenceCreated: created,
  }
}
