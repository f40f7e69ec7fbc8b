import type ExcelJS from 'exceljs'
import { AREA_CODES, AREA_NAMES, type AreaCode } from '../instruments/domain/areas.js'
import { COLUMNS as G, FIRST_ROW, GENERATED_SHEET, HEADER_ROW } from './generated.js'
import { type Message, msg } from '../../lib/i18n.js'
import { noteFromCell, normaliseText, type CellContent, type CellRead, type RowMap } from './rules.js'
import { cellContent } from './sheet.js'

/*
 * The TPI's review in the workbook (docs/workbook.md, "TPI review"), for the tpi stage only:
 *
 * - per question, the recommendation (rekomendasi) beside the note (catatan): the official form
 *   has no per-question column for it, so the export adds "Rekomendasi TPI" after the comparison
 *   columns, T on sheet "LKE ZI" (R and S stay the comparison's) and Q on the generated sheet "LKE"
 *   (after O and P); the import reads the column when its header says so;
 * - per area perubahan, the conclusion and recommendations: on the official form's sheet "Utama",
 *   whose area rows have "Catatan/Keterangan/Penjelasan" (L) and "Rekomendasi" (M); each area is
 *   there twice (under Pemenuhan and under Reform): the export writes the area's review on its
 *   Pemenuhan row and leaves the Reform row blank, the import reads both (the Reform row's text
 *   follows the Pemenuhan row's). The generated layout carries them on a sheet of its own,
 *   "Kesimpulan TPI" (one row per area).
 *
 * No database here: read.ts (the parse worker) uses the reading half.
 */

export const RECOMMENDATION_HEADER = 'Rekomendasi TPI'
/** the official form's per-question recommendation column (after the comparison's R and S) */
export const OFFICIAL_RECOMMENDATION_COLUMN = 'T'
/** the generated sheet's per-question recommendation column (after the comparison's O and P) */
export const GENERATED_RECOMMENDATION_COLUMN = 'Q'

export const UTAMA_SHEET = 'Utama'
export const UTAMA_COLUMNS = { number: 'D', conclusion: 'L', recommendations: 'M' } as const
export const REVIEW_SHEET = 'Kesimpulan TPI'
export const REVIEW_SHEET_COLUMNS = { code: 'A', name: 'B', conclusion: 'C', recommendations: 'D' } as const
const REVIEW_SHEET_HEADER_ROW = 2

/** At most this many characters in an area's conclusion, per recommendation, and recommendations per area (as the API). */
export const AREA_LIMITS = { conclusion: 10_000, recommendation: 2_000, recommendations: 50 } as const

export interface AreaReviewCells {
  area: AreaCode
  conclusion: string | null
  recommendations: string[]
}

/** An area of the review as read from a workbook, with the cells it came from. */
export interface ImportedArea extends AreaReviewCells {
  sheet: string
  conclusionCell: string
  recommendationsCell: string
}

/** A recommendation as a workbook line: one line each (a line break inside one becomes a space). */
export const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ').trim()

/** The lines of a recommendations cell: each trimmed, blank ones dropped. */
export const recommendationLines = (text: string): string[] =>
  text
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l !== '')

// ---------------------------------------------------------------------------------------------
// Export

function headerLike(ws: ExcelJS.Worksheet, from: string, to: string, text: string, width: number): void {
  const cell = ws.getCell(to)
  cell.value = text
  cell.style = { ...ws.getCell(from).style }
  ws.getColumn(cell.col).width = width
}

const wrap = (cell: ExcelJS.Cell): void => {
  cell.alignment = { ...cell.alignment, wrapText: true, vertical: 'top' }
}

/** The official form: the recommendations in T of "LKE ZI", the areas on "Utama". */
export function writeOfficialReview(
  wb: ExcelJS.Workbook,
  map: RowMap,
  recommendations: ReadonlyMap<string, string>,
  areas: readonly AreaReviewCells[],
): void {
  const ws = wb.getWorksheet(map.sheet)
  if (ws) {
    const col = OFFICIAL_RECOMMENDATION_COLUMN
    headerLike(ws, `${map.columns.note}${map.headerRow}`, `${col}${map.headerRow}`, RECOMMENDATION_HEADER, 50)
    for (const [code, q] of Object.entries(map.questions)) {
      const cell = ws.getCell(`${col}${q.row}`)
      cell.value = recommendations.get(code) ?? null
      wrap(cell)
    }
  }
  const utama = wb.getWorksheet(UTAMA_SHEET)
  if (!utama) return
  const rows = utamaAreaRows(utama)
  const byArea = new Map(areas.map((a) => [a.area, a]))
  for (const area of AREA_CODES) {
    const where = rows.get(area)
    if (!where) continue
    const review = byArea.get(area)
    const [first, ...others] = where
    const conclusion = utama.getCell(`${UTAMA_COLUMNS.conclusion}${first}`)
    const list = utama.getCell(`${UTAMA_COLUMNS.recommendations}${first}`)
    conclusion.value = review?.conclusion ?? null
    list.value = review?.recommendations.length ? review.recommendations.map(oneLine).join('\n') : null
    wrap(conclusion)
    wrap(list)
    for (const row of others) {
      utama.getCell(`${UTAMA_COLUMNS.conclusion}${row}`).value = null
      utama.getCell(`${UTAMA_COLUMNS.recommendations}${row}`).value = null
    }
  }
}

/** The generated layout: the recommendations in Q of "LKE", the areas on a sheet "Kesimpulan TPI". */
export function writeGeneratedReview(
  wb: ExcelJS.Workbook,
  recommendations: ReadonlyMap<string, string>,
  areas: readonly AreaReviewCells[],
): void {
  const ws = wb.getWorksheet(GENERATED_SHEET)
  if (ws) {
    const col = GENERATED_RECOMMENDATION_COLUMN
    headerLike(ws, `${G.note}${HEADER_ROW}`, `${col}${HEADER_ROW}`, RECOMMENDATION_HEADER, 45)
    for (let r = FIRST_ROW; r <= ws.rowCount; r++) {
      const code = codeAt(ws, `${G.code}${r}`)
      const text = code ? recommendations.get(code) : undefined
      if (text !== undefined) {
        const cell = ws.getCell(`${col}${r}`)
        cell.value = text
        wrap(cell)
      }
    }
  }
  const sheet = wb.addWorksheet(REVIEW_SHEET, { views: [{ state: 'frozen', ySplit: REVIEW_SHEET_HEADER_ROW }] })
  const C = REVIEW_SHEET_COLUMNS
  sheet.getCell('A1').value = 'KESIMPULAN DAN REKOMENDASI TIM PENILAI INTERNAL PER AREA PERUBAHAN'
  sheet.getCell('A1').font = { bold: true, size: 13 }
  const headers: [string, string, number][] = [
    [C.code, 'Kode area', 26],
    [C.name, 'Area perubahan', 40],
    [C.conclusion, 'Kesimpulan / Catatan', 70],
    [C.recommendations, 'Rekomendasi (satu per baris)', 70],
  ]
  for (const [col, text, width] of headers) {
    const cell = sheet.getCell(`${col}${REVIEW_SHEET_HEADER_ROW}`)
    cell.value = text
    cell.font = { bold: true }
    sheet.getColumn(col).width = width
  }
  const byArea = new Map(areas.map((a) => [a.area, a]))
  AREA_CODES.forEach((area, i) => {
    const r = REVIEW_SHEET_HEADER_ROW + 1 + i
    const review = byArea.get(area)
    sheet.getCell(`${C.code}${r}`).value = area
    sheet.getCell(`${C.name}${r}`).value = `${i + 1}. ${AREA_NAMES[area]}`
    const conclusion = sheet.getCell(`${C.conclusion}${r}`)
    conclusion.value = review?.conclusion ?? null
    const list = sheet.getCell(`${C.recommendations}${r}`)
    list.value = review?.recommendations.length ? review.recommendations.map(oneLine).join('\n') : null
    wrap(conclusion)
    wrap(list)
  })
}

// ---------------------------------------------------------------------------------------------
// Import

const codeAt = (ws: ExcelJS.Worksheet, address: string): string => {
  const c = cellContent(ws.getCell(address))
  return c.kind === 'text' ? c.text.trim() : c.kind === 'number' ? String(c.value) : ''
}

const headerSays = (ws: ExcelJS.Worksheet, address: string, text: string): boolean => {
  const c = cellContent(ws.getCell(address))
  return c.kind === 'text' && normaliseText(c.text).toLowerCase().startsWith(text.toLowerCase())
}

/** The rows of each area on "Utama": by the number in D ("1." … "6."), first under Pemenuhan, then under Reform. */
export function utamaAreaRows(ws: ExcelJS.Worksheet): Map<AreaCode, number[]> {
  const rows = new Map<AreaCode, number[]>()
  const last = Math.min(ws.rowCount, 100)
  for (let r = 1; r <= last; r++) {
    const match = /^\s*([1-6])\s*[.)]?\s*$/.exec(codeAt(ws, `${UTAMA_COLUMNS.number}${r}`))
    if (!match) continue
    const area = AREA_CODES[Number(match[1]) - 1]!
    rows.set(area, [...(rows.get(area) ?? []), r])
  }
  return rows
}

export interface ReviewCellError {
  sheet: string
  cell: string
  rule: string
  message: Message
  question_code?: string
}

/** A text cell of the review, read as a note cell is (trimmed, empty → null), at most `max` characters. */
function textFromCell(content: CellContent, max: number, what: Message): CellRead<string | null> {
  const tooLong = (n: number): CellRead<string | null> => ({
    ok: false,
    rule: 'maxLength',
    message: msg('review:cell.too_long', { what, max, n }),
  })
  const read = noteFromCell(content)
  if (read.ok) return read.value !== null && read.value.length > max ? tooLong(read.value.length) : read
  if (read.rule !== 'maxLength') return read
  // beyond a note's bound: this cell's own bound decides
  const c = content.kind === 'formula' ? content.result : content
  const text = c?.kind === 'text' ? c.text.trim() : ''
  return text.length > max ? tooLong(text.length) : { ok: true, value: text }
}

function listFromCell(content: CellContent): CellRead<string[]> {
  const text = textFromCell(content, Number.MAX_SAFE_INTEGER, msg('review:cell.recommendations_cell'))
  if (!text.ok) return text
  const lines = recommendationLines(text.value ?? '')
  if (lines.length > AREA_LIMITS.recommendations)
    return {
      ok: false,
      rule: 'maxItems',
      message: msg('review:cell.too_many', { max: AREA_LIMITS.recommendations, n: lines.length }),
    }
  const long = lines.find((l) => l.length > AREA_LIMITS.recommendation)
  if (long)
    return {
      ok: false,
      rule: 'maxLength',
      message: msg('review:recommendation_too_long', { max: AREA_LIMITS.recommendation }),
    }
  return { ok: true, value: lines }
}

/**
 * The per-question recommendations of a tpi stage's workbook, by question code: the column
 * headed "Rekomendasi TPI" (T on "LKE ZI", Q on "LKE"); undefined when the file has no such
 * column (an older export, the blank form), so every answer keeps its recommendation.
 */
export function readRecommendations(
  ws: ExcelJS.Worksheet,
  column: string,
  headerRow: number,
  rowOf: ReadonlyMap<string, number>,
  errors: ReviewCellError[],
): Map<string, { value: string | null; cell: string }> | undefined {
  if (!headerSays(ws, `${column}${headerRow}`, 'Rekomendasi')) return undefined
  const out = new Map<string, { value: string | null; cell: string }>()
  for (const [code, row] of rowOf) {
    const cell = `${column}${row}`
    const read = textFromCell(cellContent(ws.getCell(cell)), 5000, msg('review:cell.recommendation'))
    if (!read.ok) errors.push({ sheet: ws.name, cell, rule: read.rule, message: read.message, question_code: code })
    else out.set(code, { value: read.value, cell })
  }
  return out
}

/** The generated sheet's question rows, by the code in column A. */
export function generatedRows(ws: ExcelJS.Worksheet): Map<string, number> {
  const rows = new Map<string, number>()
  for (let r = FIRST_ROW; r <= ws.rowCount; r++) {
    const code = codeAt(ws, `${G.code}${r}`)
    if (code !== '' && !rows.has(code)) rows.set(code, r)
  }
  return rows
}

function readArea(
  ws: ExcelJS.Worksheet,
  area: AreaCode,
  cells: { conclusion: string; recommendations: string }[],
  errors: ReviewCellError[],
): ImportedArea | null {
  const conclusions: string[] = []
  const recommendations: string[] = []
  let ok = true
  for (const c of cells) {
    const text = textFromCell(
      cellContent(ws.getCell(c.conclusion)),
      AREA_LIMITS.conclusion,
      msg('review:cell.conclusion'),
    )
    if (!text.ok) {
      errors.push({ sheet: ws.name, cell: c.conclusion, rule: text.rule, message: text.message })
      ok = false
    } else if (text.value !== null) conclusions.push(text.value)
    const list = listFromCell(cellContent(ws.getCell(c.recommendations)))
    if (!list.ok) {
      errors.push({ sheet: ws.name, cell: c.recommendations, rule: list.rule, message: list.message })
      ok = false
    } else recommendations.push(...list.value)
  }
  if (!ok) return null
  const conclusion = conclusions.join('\n\n')
  if (conclusion.length > AREA_LIMITS.conclusion || recommendations.length > AREA_LIMITS.recommendations) {
    errors.push({
      sheet: ws.name,
      cell: cells[0]!.conclusion,
      rule: 'maxLength',
      message: msg('review:cell.area_too_long'),
    })
    return null
  }
  return {
    area,
    conclusion: conclusion === '' ? null : conclusion,
    recommendations,
    sheet: ws.name,
    conclusionCell: cells[0]!.conclusion,
    recommendationsCell: cells[0]!.recommendations,
  }
}

/** The areas on the official form's "Utama" (both rows of each area); undefined without the sheet. */
export function readUtama(wb: ExcelJS.Workbook, errors: ReviewCellError[]): ImportedArea[] | undefined {
  const ws = wb.getWorksheet(UTAMA_SHEET)
  if (!ws || !headerSays(ws, `${UTAMA_COLUMNS.recommendations}1`, 'Rekomendasi')) return undefined
  const rows = utamaAreaRows(ws)
  if (rows.size !== AREA_CODES.length) return undefined
  return AREA_CODES.flatMap((area) => {
    const cells = rows.get(area)!.map((r) => ({
      conclusion: `${UTAMA_COLUMNS.conclusion}${r}`,
      recommendations: `${UTAMA_COLUMNS.recommendations}${r}`,
    }))
    return readArea(ws, area, cells, errors) ?? []
  })
}

/** The areas on the generated layout's "Kesimpulan TPI" (rows by the area code in A); undefined without the sheet. */
export function readReviewSheet(wb: ExcelJS.Workbook, errors: ReviewCellError[]): ImportedArea[] | undefined {
  const ws = wb.getWorksheet(REVIEW_SHEET)
  if (!ws) return undefined
  const C = REVIEW_SHEET_COLUMNS
  const out: ImportedArea[] = []
  const last = Math.min(ws.rowCount, 50)
  const seen = new Set<string>()
  for (let r = REVIEW_SHEET_HEADER_ROW + 1; r <= last; r++) {
    const code = codeAt(ws, `${C.code}${r}`)
    if (code === '') continue
    if (!(AREA_CODES as readonly string[]).includes(code) || seen.has(code)) {
      errors.push({
        sheet: ws.name,
        cell: `${C.code}${r}`,
        rule: seen.has(code) ? 'duplicate_area' : 'unknown_area',
        message: seen.has(code)
          ? msg('review:cell.duplicate_area', { code })
          : msg('review:cell.unknown_area', { list: AREA_CODES.join(', ') }),
      })
      continue
    }
    seen.add(code)
    const read = readArea(
      ws,
      code as AreaCode,
      [{ conclusion: `${C.conclusion}${r}`, recommendations: `${C.recommendations}${r}` }],
      errors,
    )
    if (read) out.push(read)
  }
  return out
}
