import type ExcelJS from 'exceljs'
import type { CellContent, SheetReader } from './rules.js'

/**
 * exceljs cells seen through the plain shapes of rules.ts (CellContent, SheetReader), so the rules
 * stay free of exceljs and testable with literals.
 */

type Raw = ExcelJS.CellValue | undefined

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Date)
}

function plain(v: Raw): CellContent {
  if (v === null || v === undefined) return { kind: 'empty' }
  if (typeof v === 'number')
    return Number.isFinite(v) ? { kind: 'number', value: v } : { kind: 'error', error: '#NUM!' }
  if (typeof v === 'string') return v === '' ? { kind: 'empty' } : { kind: 'text', text: v }
  if (typeof v === 'boolean') return { kind: 'boolean', value: v }
  if (v instanceof Date) return { kind: 'date', value: v }
  if (isObject(v)) {
    if ('error' in v) return { kind: 'error', error: String(v.error) }
    if ('richText' in v && Array.isArray(v.richText))
      return { kind: 'text', text: (v.richText as { text?: string }[]).map((r) => r.text ?? '').join('') }
    if ('hyperlink' in v) {
      const text = (v as { text?: unknown }).text
      return typeof text === 'string'
        ? { kind: 'text', text }
        : isObject(text)
          ? plain(text as unknown as Raw)
          : { kind: 'text', text: String(v.hyperlink) }
    }
  }
  return { kind: 'error', error: 'unreadable cell' }
}

/** The content of a cell; a formula comes with the value last saved for it (if any). */
export function cellContent(cell: ExcelJS.Cell): CellContent {
  // exceljs shows a merged range's value in every cell of it; a spreadsheet only in the first
  if (cell.isMerged && cell.master.address !== cell.address) return { kind: 'empty' }
  const v = cell.value as Raw
  if (isObject(v) && ('formula' in v || 'sharedFormula' in v)) {
    // cell.result, not value.result: exceljs's value drops a saved result of 0
    const result = cell.result as Raw
    return { kind: 'formula', formula: cell.formula ?? '', result: result === undefined ? undefined : plain(result) }
  }
  return plain(v)
}

function textOf(content: CellContent): string {
  switch (content.kind) {
    case 'text':
      return content.text
    case 'number':
      return String(content.value)
    case 'formula':
      return content.result ? textOf(content.result) : ''
    default:
      return ''
  }
}

export function sheetReader(ws: ExcelJS.Worksheet): SheetReader {
  return {
    formula: (address) => {
      const c = cellContent(ws.getCell(address))
      return c.kind === 'formula' ? `=${c.formula}` : ''
    },
    text: (address) => textOf(cellContent(ws.getCell(address))),
    number: (address) => {
      const c = cellContent(ws.getCell(address))
      return c.kind === 'number' ? c.value : null
    },
    isEmpty: (address) => cellContent(ws.getCell(address)).kind === 'empty',
  }
}

/** Drops every formula's saved result, so a spreadsheet computes them on opening instead of showing the template's values. */
export function dropFormulaResults(wb: ExcelJS.Workbook): void {
  for (const ws of wb.worksheets) {
    ws.eachRow({ includeEmpty: false }, (row) => {
      row.eachCell({ includeEmpty: false }, (cell) => {
        const v = cell.value as Raw
        if (isObject(v) && ('formula' in v || 'sharedFormula' in v) && 'result' in v) {
          const { result: _dropped, ...rest } = v as Record<string, unknown>
          cell.value = rest as unknown as ExcelJS.CellValue
        }
      })
    })
  }
}
