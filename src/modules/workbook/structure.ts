import { type ZipEntry, unzipEntry, zipEntries } from '../../lib/zip.js'
import { type Message, msg } from '../../lib/i18n.js'

/**
 * What an uploaded .xlsx is checked against before exceljs loads it whole: its structure (the sheet
 * names in xl/workbook.xml must include an LKE sheet) and bounds on the work it can cause, each the
 * largest real layout with a wide margin. Measured (scripts in docs/workbook.md, "Bounds"): the
 * official form 19 entries, 0.48 MB unpacked, 3 sheets, at most 222 rows and 3,652 cells in a sheet,
 * 629 shared strings; the generated export 17 entries, 0.21 MB, 2 sheets, 201 rows, 2,230 cells, 630
 * shared strings. A filled workbook adds at most a note (5,000 characters) and an evidence cell per
 * question (127): about 2 MB more at the very worst.
 *
 * Counting is done on the inflated XML bytes (indexOf, no DOM, no strings), one entry at a time.
 * Plain functions on a Buffer; run in the parse worker.
 */
export const WORKBOOK_BOUNDS = {
  /** ZIP entries (real: 17–19) */
  entries: 100,
  /** sheets in xl/workbook.xml (real: 2–3, one more with a plan sheet) */
  sheets: 20,
  /** all entries inflated, together (real: ≤ 0.5 MB; filled ≤ 2.5 MB) */
  unpacked_bytes: 16 * 1024 * 1024,
  /** rows of any one sheet (real: ≤ 222) */
  rows_per_sheet: 2000,
  /** cells of all sheets together (real: ≤ 4,800) */
  cells: 50_000,
  /** entries of xl/sharedStrings.xml (real: ≤ 630, filled ≤ 900) */
  shared_strings: 20_000,
} as const

export type WorkbookBound = keyof typeof WORKBOOK_BOUNDS

export type StructureCheck =
  | { ok: true; sheets: string[] }
  | { ok: false; reason: 'not_xlsx'; message: Message }
  | { ok: false; reason: 'not_lke'; sheets: string[] }
  | { ok: false; reason: 'bound'; bound: WorkbookBound; limit: number; actual?: number; message: Message }

const decodeXml = (s: string): string =>
  s.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#\d+);/g, (_m, e: string) =>
    e === 'lt'
      ? '<'
      : e === 'gt'
        ? '>'
        : e === 'quot'
          ? '"'
          : e === 'apos'
            ? "'"
            : e === 'amp'
              ? '&'
              : String.fromCodePoint(e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1))),
  )

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag)
  return m ? decodeXml(m[1] ?? m[2] ?? '') : undefined
}

/** Occurrences of an element's start tag (`<row ` / `<row>` / `<row/>`), stopping once past `stopAt`. */
export function countTags(xml: Buffer, tag: string, stopAt = Infinity): number {
  const needle = Buffer.from(`<${tag}`)
  let n = 0
  let at = xml.indexOf(needle)
  while (at >= 0 && n <= stopAt) {
    const next = xml[at + needle.length]
    // space, tab, CR, LF, '>' or '/': the whole name, not a longer one (<c> but not <col>)
    if (next === 0x20 || next === 0x09 || next === 0x0d || next === 0x0a || next === 0x3e || next === 0x2f) n++
    at = xml.indexOf(needle, at + needle.length)
  }
  return n
}

/** The sheets xl/workbook.xml names, in order, with the part each is stored in. */
function sheetsOf(workbookXml: string, relsXml: string | undefined): { name: string; part: string | undefined }[] {
  const targets = new Map<string, string>()
  for (const m of (relsXml ?? '').matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id')
    const target = attr(m[0], 'Target')
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`)
  }
  return [...workbookXml.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)].map((m) => ({
    name: attr(m[0], 'name') ?? '',
    part: targets.get(attr(m[0], 'r:id') ?? ''),
  }))
}

/** `actual`: what was counted, when the count stopped there (inflating stops at the bound: no total) */
const bound = (
  b: WorkbookBound,
  limits: Record<WorkbookBound, number>,
  actual: number | undefined,
  message: Message,
): Extract<StructureCheck, { reason: 'bound' }> => ({
  ok: false,
  reason: 'bound',
  bound: b,
  limit: limits[b],
  ...(actual === undefined ? {} : { actual }),
  message,
})

/**
 * The first, cheap step (run on the request thread before a worker is started): the ZIP's central
 * directory and xl/workbook.xml only (at most 1 MiB inflated), recognised by its sheet names.
 */
export function recogniseWorkbook(
  buf: Buffer,
  lkeSheets: readonly string[],
  bounds: Record<WorkbookBound, number> = WORKBOOK_BOUNDS,
):
  | Exclude<StructureCheck, { ok: true }>
  | { ok: true; entries: ZipEntry[]; sheets: { name: string; part: string | undefined }[] } {
  const dir = zipEntries(buf, bounds.entries)
  if (!dir.ok) {
    if (dir.reason === 'too_many_entries')
      return bound('entries', bounds, zipCount(buf), msg('workbook:bound.entries', { entries: bounds.entries }))
    return { ok: false, reason: 'not_xlsx', message: dir.message }
  }
  const byName = new Map(dir.entries.map((e) => [e.name, e]))
  const small = (e: ZipEntry | undefined): string | undefined => {
    if (!e) return undefined
    try {
      return unzipEntry(e, 1024 * 1024).toString('utf8')
    } catch {
      return undefined
    }
  }
  const workbookXml = small(byName.get('xl/workbook.xml'))
  if (workbookXml === undefined) return { ok: false, reason: 'not_xlsx', message: msg('workbook:field.rule_5') }
  const sheets = sheetsOf(workbookXml, small(byName.get('xl/_rels/workbook.xml.rels')))
  if (sheets.length > bounds.sheets)
    return bound(
      'sheets',
      bounds,
      sheets.length,
      msg('workbook:bound.sheets', { sheetsCount: sheets.length, sheets: bounds.sheets }),
    )
  const names = sheets.map((s) => s.name)
  if (!names.some((n) => lkeSheets.includes(n))) return { ok: false, reason: 'not_lke', sheets: names }
  return { ok: true, entries: dir.entries, sheets }
}

/**
 * Checks an uploaded .xlsx before it is loaded: recogniseWorkbook, then every entry inflated in turn
 * within the bounds (WORKBOOK_BOUNDS), counting rows and cells of each worksheet and the shared
 * strings. The first bound exceeded is named, with its limit and what was found.
 */
export function checkWorkbookStructure(
  buf: Buffer,
  lkeSheets: readonly string[],
  bounds: Record<WorkbookBound, number> = WORKBOOK_BOUNDS,
): StructureCheck {
  const dir = recogniseWorkbook(buf, lkeSheets, bounds)
  if (!dir.ok) return dir
  const { sheets } = dir
  const names = sheets.map((s) => s.name)
  const sheetOfPart = new Map(sheets.flatMap((s) => (s.part ? [[s.part, s.name] as const] : [])))
  let total = 0
  let cells = 0
  for (const entry of dir.entries) {
    if (entry.method !== 0 && entry.method !== 8)
      return {
        ok: false,
        reason: 'not_xlsx',
        message: msg('workbook:field.rule_6', { name: entry.name, method: entry.method }),
      }
    let data: Buffer
    try {
      data = unzipEntry(entry, bounds.unpacked_bytes - total + 1)
    } catch (error) {
      if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        return bound(
          'unpacked_bytes',
          bounds,
          undefined,
          msg('workbook:bound.unpacked_bytes', { unpacked_bytes: bounds.unpacked_bytes }),
        )
      return { ok: false, reason: 'not_xlsx', message: msg('workbook:field.rule_7', { name: entry.name }) }
    }
    total += data.length
    if (total > bounds.unpacked_bytes)
      return bound(
        'unpacked_bytes',
        bounds,
        undefined,
        msg('workbook:bound.unpacked_bytes', { unpacked_bytes: bounds.unpacked_bytes }),
      )
    if (/^xl\/worksheets\/[^/]+\.xml$/.test(entry.name)) {
      const sheet = sheetOfPart.get(entry.name) ?? entry.name
      const rows = countTags(data, 'row', bounds.rows_per_sheet)
      if (rows > bounds.rows_per_sheet)
        return bound(
          'rows_per_sheet',
          bounds,
          rows,
          msg('workbook:bound.rows_per_sheet', { sheet, rows_per_sheet: bounds.rows_per_sheet }),
        )
      cells += countTags(data, 'c', bounds.cells - cells)
      if (cells > bounds.cells)
        return bound('cells', bounds, cells, msg('workbook:bound.cells', { cells: bounds.cells }))
    } else if (entry.name === 'xl/sharedStrings.xml') {
      const strings = countTags(data, 'si', bounds.shared_strings)
      if (strings > bounds.shared_strings)
        return bound(
          'shared_strings',
          bounds,
          strings,
          msg('workbook:bound.shared_strings', { shared_strings: bounds.shared_strings }),
        )
    }
  }
  return { ok: true, sheets: names }
}

/** The entry count the end-of-central-directory record states. */
function zipCount(buf: Buffer): number {
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) return buf.readUInt16LE(i + 10)
  return 0
}
