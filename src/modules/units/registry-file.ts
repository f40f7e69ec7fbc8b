import { parse as parseCsv } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { inspectZip } from '../../lib/zip.js'
import { type Message, msg } from '../../lib/i18n.js'

/**
 * Reading an organisation file (CSV or XLSX) into plain rows: bytes in, rows or a refusal out, with
 * no database and no Fastify, so the parse can run wherever uploads are parsed (a worker thread).
 * The work is bounded before it starts: the byte size by the route, the unpacked size of an .xlsx
 * by inspectZip, the rows and the columns here.
 */

export const REGISTRY_FILE_LIMITS = {
  /** the largest upload (a 5,000-row SOTK list is about 0.5 MB as CSV) */
  maxBytes: 2 * 1024 * 1024,
  /** data rows (after the header); a province with every unit kerja has a few thousand */
  maxRows: 5000,
  maxColumns: 30,
  /** characters in one cell */
  maxCellLength: 1000,
  /** an .xlsx unpacked */
  maxUnzippedBytes: 32 * 1024 * 1024,
  maxZipEntries: 200,
} as const

/** One data row: its line in the file (the header is line 1) and its cells by header name. */
export interface RawRow {
  line: number
  cells: Record<string, string>
}

export interface FileRefusal {
  ok: false
  code: 'registry_file_unreadable' | 'registry_file_too_large'
  message: Message
  /** the line the refusal is about, when it is about one */
  line?: number
}

export type RegistryFileResult = { ok: true; header: string[]; rows: RawRow[] } | FileRefusal

const refuse = (code: FileRefusal['code'], message: Message, line?: number): FileRefusal => ({
  ok: false,
  code,
  message,
  ...(line !== undefined ? { line } : {}),
})

const isZip = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4

/** Header cells as keys: lower case, spaces and dashes as underscores ("Kode Induk" → kode_induk). */
export const headerKey = (cell: string): string =>
  cell
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_')

/** The rows of an organisation file: an .xlsx (its first sheet) or a UTF-8 CSV (comma or semicolon). */
export async function readRegistryFile(bytes: Uint8Array): Promise<RegistryFileResult> {
  if (bytes.length > REGISTRY_FILE_LIMITS.maxBytes)
    return refuse(
      'registry_file_too_large',
      msg('units:file.registry_file_too_large', { bytesCount: bytes.length, maxBytes: REGISTRY_FILE_LIMITS.maxBytes }),
    )
  const table = isZip(bytes) ? await xlsxTable(Buffer.from(bytes)) : csvTable(bytes)
  if (!table.ok) return table
  return toRows(table.records)
}

type Table = { ok: true; records: { line: number; cells: string[] }[] } | FileRefusal

function csvTable(bytes: Uint8Array): Table {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return refuse('registry_file_unreadable', msg('units:file.registry_file_unreadable'))
  }
  // Spreadsheets set to an Indonesian locale save CSV with semicolons: the header line tells which.
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ','
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parseCsv(text, {
      bom: true,
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
      info: true,
      max_record_size: REGISTRY_FILE_LIMITS.maxCellLength * REGISTRY_FILE_LIMITS.maxColumns,
      // one line past the limit is enough to know the file is too long
      to_line: REGISTRY_FILE_LIMITS.maxRows + 2,
    }) as unknown as { record: string[]; info: { lines: number } }[]
  } catch (error) {
    const e = error as Error & { lines?: number }
    return refuse(
      'registry_file_unreadable',
      msg('units:file.registry_file_unreadable_2', { message: e.message }),
      e.lines,
    )
  }
  // info.lines is the line the record ends on; a quoted cell may span lines, so count back its breaks.
  return {
    ok: true,
    records: records.map(({ record, info }) => ({
      line: info.lines - record.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0),
      cells: record,
    })),
  }
}

async function xlsxTable(buf: Buffer): Promise<Table> {
  const zip = inspectZip(buf, {
    maxEntries: REGISTRY_FILE_LIMITS.maxZipEntries,
    maxTotalBytes: REGISTRY_FILE_LIMITS.maxUnzippedBytes,
  })
  if (!zip.ok) {
    return zip.reason === 'too_large' || zip.reason === 'too_many_entries'
      ? refuse('registry_file_too_large', msg('units:file.registry_file_too_large_2', { message: zip.message }))
      : refuse('registry_file_unreadable', msg('units:file.registry_file_unreadable_3', { message: zip.message }))
  }
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer)
  } catch (error) {
    return refuse(
      'registry_file_unreadable',
      msg('units:file.registry_file_unreadable_4', { message: (error as Error).message }),
    )
  }
  const sheet = wb.worksheets[0]
  if (!sheet) return refuse('registry_file_unreadable', msg('units:file.registry_file_unreadable_5'))
  if (sheet.actualRowCount > REGISTRY_FILE_LIMITS.maxRows + 1)
    return refuse(
      'registry_file_too_large',
      msg('units:file.registry_file_too_large_3', {
        name: sheet.name,
        actualRowCount: sheet.actualRowCount,
        maxRows: REGISTRY_FILE_LIMITS.maxRows,
      }),
    )
  if (sheet.actualColumnCount > REGISTRY_FILE_LIMITS.maxColumns)
    return refuse(
      'registry_file_too_large',
      msg('units:file.registry_file_too_large_4', {
        name: sheet.name,
        actualColumnCount: sheet.actualColumnCount,
        maxColumns: REGISTRY_FILE_LIMITS.maxColumns,
      }),
    )
  const records: { line: number; cells: string[] }[] = []
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = []
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      if (col <= REGISTRY_FILE_LIMITS.maxColumns) cells[col - 1] = cell.text
    })
    records.push({ line, cells: Array.from(cells, (c) => c ?? '') })
  })
  return { ok: true, records }
}

function toRows(records: { line: number; cells: string[] }[]): RegistryFileResult {
  const nonEmpty = records.filter((r) => r.cells.some((c) => c.trim() !== ''))
  const [head, ...data] = nonEmpty
  if (!head) return refuse('registry_file_unreadable', msg('units:file.registry_file_unreadable_6'))
  if (data.length > REGISTRY_FILE_LIMITS.maxRows)
    return refuse(
      'registry_file_too_large',
      msg('units:file.registry_file_too_large_5', { maxRows: REGISTRY_FILE_LIMITS.maxRows }),
    )
  if (head.cells.length > REGISTRY_FILE_LIMITS.maxColumns)
    return refuse(
      'registry_file_too_large',
      msg('units:file.registry_file_too_large_6', {
        cellsCount: head.cells.length,
        maxColumns: REGISTRY_FILE_LIMITS.maxColumns,
      }),
      head.line,
    )
  const header = head.cells.map(headerKey)
  const rows: RawRow[] = []
  for (const record of data) {
    const cells: Record<string, string> = {}
    for (const [i, value] of record.cells.entries()) {
      const key = header[i]
      if (value.length > REGISTRY_FILE_LIMITS.maxCellLength)
        return refuse(
          'registry_file_too_large',
          msg('units:file.registry_file_too_large_7', {
            valueCount: value.length,
            maxCellLength: REGISTRY_FILE_LIMITS.maxCellLength,
          }),
          record.line,
        )
      if (!key) {
        if (value.trim() !== '')
          return refuse(
            'registry_file_unreadable',
            msg('units:file.registry_file_unreadable_7', { column: i + 1 }),
            record.line,
          )
        continue
      }
      cells[key] = value.trim()
    }
    rows.push({ line: record.line, cells })
  }
  return { ok: true, header, rows }
}
