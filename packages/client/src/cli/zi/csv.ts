/**
 * RFC 4180 CSV, the way spreadsheets write it: comma separated, `"` quoting with `""` inside,
 * CRLF or LF line ends, an optional UTF-8 BOM. Pure functions (no I/O).
 */
import { t } from './i18n.js'

export interface CsvRecord {
  /** The 1-based line on which the record starts (a quoted cell may span lines). */
  line: number
  cells: string[]
}

export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError'
  constructor(
    readonly line: number,
    /** What is wrong, without the line. */
    readonly reason: string,
  ) {
    super(`${t('files:line', { line })}: ${reason}`)
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text
  const records: CsvRecord[] = []
  let cells: string[] = []
  let cell = ''
  let line = 1
  let start = 1
  let i = 0
  let quoted = false
  let wasQuoted = false
  const endCell = () => {
    cells.push(cell)
    cell = ''
    wasQuoted = false
  }
  const endRecord = () => {
    endCell()
    records.push({ line: start, cells })
    cells = []
  }
  while (i < src.length) {
    const ch = src[i]!
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"'
          i += 2
          continue
        }
        quoted = false
        i++
        continue
      }
      if (ch === '\n') line++
      cell += ch
      i++
      continue
    }
    if (ch === '"') {
      if (cell !== '' || wasQuoted) throw new CsvSyntaxError(line, t('files:csv.quote_inside'))
      quoted = true
      wasQuoted = true
      i++
      continue
    }
    if (wasQuoted && ch !== ',' && ch !== '\n' && ch !== '\r')
      throw new CsvSyntaxError(line, t('files:csv.after_quote'))
    if (ch === ',') {
      endCell()
      i++
      continue
    }
    if (ch === '\r' || ch === '\n') {
      endRecord()
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1
      line++
      start = line
      continue
    }
    cell += ch
    i++
  }
  if (quoted) throw new CsvSyntaxError(start, t('files:csv.unclosed'))
  if (cell !== '' || wasQuoted || cells.length > 0) endRecord()
  return records
}

/** One CSV line (without its line end), quoting only where needed. */
export function csvLine(cells: string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) || c !== c.trim() ? `"${c.replaceAll('"', '""')}"` : c)).join(',')
}

/**
 * Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'`
 * (as would text already starting with `'`), so a CSV opened in Excel or LibreOffice cannot run
 * what a unit typed into a note. `unguardCell` undoes it when the file comes back.
 */
export function guardCell(text: string): string {
  return /^[=+\-@\t\r']/.test(text) ? `'${text}` : text
}

export function unguardCell(text: string): { text: string; guarded: boolean } {
  return /^'[=+\-@\t\r']/.test(text) ? { text: text.slice(1), guarded: true } : { text, guarded: false }
}
