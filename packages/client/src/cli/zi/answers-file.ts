/**
 * The answer files `zi answers pull` writes and `zi answers push` reads, as pure functions.
 *
 * CSV: a header row, then one answer per row. Columns (any order):
 *   question_code  required
 *   value          required; empty = no value (null); a plain number (`75`, `3.25`) is sent as a
 *                  number, anything else as text (`Ya`, `B`)
 *   note           optional column; an empty cell clears the note; no column keeps the stored notes
 *   recommendation optional column, a tpi stage only (the TPI's rekomendasi beside its note; `pull`
 *                  writes it for a tpi stage); an empty cell clears it; no column keeps the stored ones
 *   evidence_ids   optional column; evidence ids separated by spaces; an empty cell removes the
 *                  links; no column keeps the stored links
 *   version        optional; the answer's version when it was pulled: the push is refused (412,
 *                  nothing written) if someone changed that answer since. Empty = no check;
 *                  0 = the answer must not exist yet. (`expected_version` is the same column.)
 * JSON: what `pull --format json` writes (`{ "stage": …, "answers": [ … ] }`), or a bare array
 * of answers with the fields above; `updated_at` and `updated_by` are ignored.
 */
import { CsvSyntaxError, csvLine, guardCell, parseCsv, unguardCell } from './csv.js'

export type AnswerValue = string | number | null

export interface PulledAnswer {
  question_code: string
  value: AnswerValue
  note: string | null
  /** a tpi stage's answers only, absent where there is none */
  recommendation?: string
  evidence_ids: string[]
  version: number
}

export interface BatchItem {
  question_code: string
  value: AnswerValue
  note?: string | null
  recommendation?: string | null
  evidence_ids?: string[]
  expected_version?: number
  [field: string]: unknown
}

export interface ParsedAnswers {
  items: BatchItem[]
  /** Where each item came from, for messages: `line 7` or `answers[3]`. */
  origins: string[]
}

/** A problem with the file itself, found before anything is sent. */
export interface FileIssue {
  where: string
  field: string
  message: string
}

export class AnswerFileError extends Error {
  override name = 'AnswerFileError'
  constructor(readonly issues: FileIssue[]) {
    super(`the file is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}); nothing was sent`)
  }
}

export const CSV_COLUMNS = ['question_code', 'value', 'note', 'evidence_ids', 'version'] as const
/** A tpi stage's file: the recommendation beside the note. */
export const TPI_CSV_COLUMNS = ['question_code', 'value', 'note', 'recommendation', 'evidence_ids', 'version'] as const
const ACCEPTED_COLUMNS = new Set<string>([...TPI_CSV_COLUMNS, 'expected_version'])

/** The CSV of pulled answers; `recommendation`: the stage carries recommendations (a tpi stage), so the file has their column. */
export function answersToCsv(answers: PulledAnswer[], opts: { recommendation?: boolean } = {}): string {
  const text = (s: string | null | undefined) => (s === null || s === undefined ? '' : guardCell(s))
  const rows = answers.map((a) => [
    a.question_code,
    a.value === null ? '' : typeof a.value === 'number' ? String(a.value) : guardCell(a.value),
    text(a.note),
    ...(opts.recommendation ? [text(a.recommendation)] : []),
    a.evidence_ids.join(' '),
    String(a.version),
  ])
  const header = opts.recommendation ? [...TPI_CSV_COLUMNS] : [...CSV_COLUMNS]
  return [csvLine(header), ...rows.map(csvLine)].map((l) => `${l}\n`).join('')
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/

export function csvValue(cell: string): AnswerValue {
  const { text, guarded } = unguardCell(cell)
  if (guarded) return text
  const trimmed = text.trim()
  if (trimmed === '') return null
  return NUMBER.test(trimmed) ? Number(trimmed) : trimmed
}

function versionOf(cell: string): number | undefined | Error {
  const trimmed = cell.trim()
  if (trimmed === '') return undefined
  if (!/^\d+$/.test(trimmed)) return new Error(`"${cell}" is not a whole number ≥ 0`)
  return Number(trimmed)
}

export function parseAnswersCsv(text: string, opts: { ignoreVersions?: boolean } = {}): ParsedAnswers {
  let records
  try {
    records = parseCsv(text)
  } catch (err) {
    if (err instanceof CsvSyntaxError)
      throw new AnswerFileError([
        { where: `line ${err.line}`, field: '', message: err.message.replace(/^line \d+: /, '') },
      ])
    throw err
  }
  const content = records.filter((r) => r.cells.some((c) => c.trim() !== ''))
  const header = content.shift()
  if (!header)
    throw new AnswerFileError([
      { where: 'line 1', field: '', message: 'the file is empty: expected a header row (question_code,value,…)' },
    ])
  const columns = header.cells.map((c) => c.trim().toLowerCase())
  const issues: FileIssue[] = []
  columns.forEach((c, i) => {
    if (!ACCEPTED_COLUMNS.has(c))
      issues.push({
        where: `line ${header.line}`,
        field: c || `column ${i + 1}`,
        message: `unknown column; the columns are ${[...TPI_CSV_COLUMNS].join(', ')} (recommendation: a tpi stage only)`,
      })
    else if (columns.indexOf(c) !== i)
      issues.push({ where: `line ${header.line}`, field: c, message: 'the column appears twice' })
  })
  for (const required of ['question_code', 'value']) {
    if (!columns.includes(required))
      issues.push({ where: `line ${header.line}`, field: required, message: 'missing column' })
  }
  if (columns.includes('version') && columns.includes('expected_version')) {
    issues.push({
      where: `line ${header.line}`,
      field: 'expected_version',
      message: 'give version or expected_version, not both',
    })
  }
  if (issues.length > 0) throw new AnswerFileError(issues)
  if (content.length === 0)
    throw new AnswerFileError([
      { where: `line ${header.line + 1}`, field: '', message: 'no answers after the header row' },
    ])

  const at = (name: string) => columns.indexOf(name)
  const items: BatchItem[] = []
  const origins: string[] = []
  for (const record of content) {
    const where = `line ${record.line}`
    if (record.cells.length !== columns.length) {
      issues.push({ where, field: '', message: `${record.cells.length} cells, but the header has ${columns.length}` })
      continue
    }
    const cell = (name: string): string | undefined => (at(name) < 0 ? undefined : record.cells[at(name)])
    const item: BatchItem = {
      question_code: (cell('question_code') ?? '').trim(),
      value: csvValue(cell('value') ?? ''),
    }
    const note = cell('note')
    if (note !== undefined) item.note = note === '' ? null : unguardCell(note).text
    const recommendation = cell('recommendation')
    if (recommendation !== undefined)
      item.recommendation = recommendation === '' ? null : unguardCell(recommendation).text
    const evidence = cell('evidence_ids')
    if (evidence !== undefined) item.evidence_ids = evidence.split(/[\s,;]+/).filter((id) => id !== '')
    const versionCell = cell('version') ?? cell('expected_version')
    if (versionCell !== undefined && !opts.ignoreVersions) {
      const v = versionOf(versionCell)
      if (v instanceof Error)
        issues.push({ where, field: columns.includes('version') ? 'version' : 'expected_version', message: v.message })
      else if (v !== undefined) item.expected_version = v
    }
    items.push(item)
    origins.push(where)
  }
  if (issues.length > 0) throw new AnswerFileError(issues)
  return { items, origins }
}

const READ_ONLY = new Set(['updated_at', 'updated_by'])

export function parseAnswersJson(text: string, opts: { ignoreVersions?: boolean } = {}): ParsedAnswers {
  let doc: unknown
  try {
    doc = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text)
  } catch (err) {
    throw new AnswerFileError([{ where: 'file', field: '', message: `not JSON: ${(err as Error).message}` }])
  }
  const list = Array.isArray(doc)
    ? doc
    : typeof doc === 'object' && doc !== null && Array.isArray((doc as { answers?: unknown }).answers)
      ? (doc as { answers: unknown[] }).answers
      : undefined
  if (!list)
    throw new AnswerFileError([
      { where: 'file', field: '', message: 'expected an array of answers or an object with an "answers" array' },
    ])
  if (list.length === 0) throw new AnswerFileError([{ where: 'answers', field: '', message: 'no answers' }])
  const issues: FileIssue[] = []
  const items: BatchItem[] = []
  const origins: string[] = []
  list.forEach((entry, i) => {
    const where = `answers[${i}]`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      issues.push({ where, field: '', message: 'an answer must be an object' })
      return
    }
    // Everything else goes to the server as it is, which names any bad field.
    const item: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      if (READ_ONLY.has(key)) continue
      if (key === 'version' || key === 'expected_version') {
        if (opts.ignoreVersions) continue
        if (key === 'version' && 'expected_version' in entry) continue
        item.expected_version = value
        continue
      }
      item[key] = value
    }
    items.push(item as BatchItem)
    origins.push(where)
  })
  if (issues.length > 0) throw new AnswerFileError(issues)
  return { items, origins }
}

/** `csv` or `json` from an explicit format or the file name; undefined when neither says. */
export function formatOf(explicit: string | undefined, fileName: string | undefined): 'csv' | 'json' | undefined {
  if (explicit === 'csv' || explicit === 'json') return explicit
  if (explicit !== undefined) return undefined
  if (fileName?.toLowerCase().endsWith('.json')) return 'json'
  if (fileName?.toLowerCase().endsWith('.csv')) return 'csv'
  return undefined
}

/**
 * Server field errors (`/body/answers/<i>/<field>` pointers) as rows of the file the items
 * came from.
 */
export function locateErrors(
  errors: { pointer: string; rule: string; message: string }[],
  parsed: ParsedAnswers,
): { where: string; question: string; field: string; rule: string; message: string }[] {
  return errors.map((e) => {
    const m = /^\/body\/answers\/(\d+)(?:\/(.*))?$/.exec(e.pointer)
    if (!m) return { where: e.pointer, question: '', field: '', rule: e.rule, message: e.message }
    const i = Number(m[1])
    const field = (m[2] ?? '').replace(/^expected_version$/, 'version')
    return {
      where: parsed.origins[i] ?? `item ${i}`,
      question: String(parsed.items[i]?.question_code ?? ''),
      field,
      rule: e.rule,
      message: e.message,
    }
  })
}
