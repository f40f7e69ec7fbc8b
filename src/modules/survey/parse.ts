import { parse as parseCsv } from 'csv-parse/sync'
import { inspectZip } from '../../lib/zip.js'
import { type Message, msg } from '../../lib/i18n.js'

/**
 * Reading an uploaded table of responses (a Google Form's CSV or XLSX export) into rows of text.
 * The whole interface is bytes in, rows or a refusal out, so it can move into a worker thread
 * without its callers changing. Bounded: the caller caps the bytes; here the rows, the columns
 * and what an .xlsx may unpack to.
 */
export type TableFormat = 'csv' | 'xlsx'

export interface TableLimits {
  /** data rows after the header */
  maxRows: number
  maxColumns: number
}

export type ParsedTable =
  | { ok: true; rows: string[][] }
  | { ok: false; code: 'file_unreadable' | 'too_many_rows' | 'too_many_columns' | 'file_too_large'; message: Message }

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export async function parseTable(bytes: Buffer, format: TableFormat, limits: TableLimits): Promise<ParsedTable> {
  const rows = format === 'csv' ? await readCsv(bytes, limits) : await readXlsx(bytes, limits)
  if (!rows.ok) return rows
  if (rows.rows.length - 1 > limits.maxRows)
    return { ok: false, code: 'too_many_rows', message: msg('survey:field.too_many_rows', { maxRows: limits.maxRows }) }
  if (rows.rows.some((r) => r.length > limits.maxColumns))
    return {
      ok: false,
      code: 'too_many_columns',
      message: msg('survey:field.too_many_columns', { maxColumns: limits.maxColumns }),
    }
  return rows
}

function readCsv(bytes: Buffer, limits: TableLimits): ParsedTable {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return { ok: false, code: 'file_unreadable', message: msg('survey:field.file_unreadable') }
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1)
  // A spreadsheet saved with an Indonesian locale separates by ";": decided on the header line.
  const firstLine = text.slice(0, text.search(/\r?\n|$/))
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ','
  try {
    // to_line: a file far past the bound stops being read there (the caller then refuses it).
    const rows = parseCsv(text, { delimiter, relax_column_count: true, to_line: limits.maxRows + 2 }) as string[][]
    return { ok: true, rows }
  } catch (error) {
    return {
      ok: false,
      code: 'file_unreadable',
      message: msg('survey:field.file_unreadable_2', { message: (error as Error).message }),
    }
  }
}

async function readXlsx(bytes: Buffer, limits: TableLimits): Promise<ParsedTable> {
  const zip = inspectZip(bytes, { maxEntries: 200, maxTotalBytes: 50 * 1024 * 1024 })
  if (!zip.ok)
    return zip.reason === 'too_large' || zip.reason === 'too_many_entries'
      ? { ok: false, code: 'file_too_large', message: zip.message }
      : { ok: false, code: 'file_unreadable', message: msg('survey:field.file_unreadable_3', { message: zip.message }) }
  const ExcelJS = (await import('exceljs')).default
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  } catch {
    return { ok: false, code: 'file_unreadable', message: msg('survey:field.file_unreadable_4') }
  }
  const ws = wb.worksheets[0]
  if (!ws) return { ok: false, code: 'file_unreadable', message: msg('survey:field.file_unreadable_5') }
  if (ws.rowCount - 1 > limits.maxRows)
    return {
      ok: false,
      code: 'too_many_rows',
      message: msg('survey:field.too_many_rows_2', { maxRows: limits.maxRows }),
    }
  if (ws.columnCount > limits.maxColumns)
    return {
      ok: false,
      code: 'too_many_columns',
      message: msg('survey:field.too_many_columns_2', { maxColumns: limits.maxColumns }),
    }
  const rows: string[][] = []
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r)
    const cells: string[] = []
    for (let c = 1; c <= ws.columnCount; c++) cells.push(row.getCell(c).text ?? '')
    rows.push(cells)
  }
  return { ok: true, rows }
}
