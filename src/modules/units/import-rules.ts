import { checkKindUnderParent } from './rules.js'
import { INSTANSI_KINDS, type InstansiKind, type UnitKind } from './tables.js'
import type { RawRow } from './registry-file.js'
import { type Message, msg } from '../../lib/i18n.js'

/**
 * The registry import as plain functions: the columns an organisation file may have, each row
 * checked (every bad row named with its line), and the plan (the diff against what is
 * registered) the import applies. No database here: the command loads the registered units.
 *
 * Columns (header names, case and spaces ignored):
 *   kode | nama | jenis (instansi, opd, unit; "unit kerja" too) | kode_induk (empty for the instansi)
 *   afirmasi (optional: ya/tidak) | jenis_instansi (optional, the instansi's row: kementerian_lembaga,
 *   provinsi, kabupaten, kota) | id_<system> (optional external ids, e.g. id_portalrb)
 * English names are accepted too: code, name, kind, parent_code, instansi_kind.
 */

const COLUMN_ALIASES: Record<string, string> = {
  kode: 'code',
  code: 'code',
  nama: 'name',
  name: 'name',
  jenis: 'kind',
  kind: 'kind',
  kode_induk: 'parent_code',
  parent_code: 'parent_code',
  afirmasi: 'afirmasi',
  jenis_instansi: 'instansi_kind',
  instansi_kind: 'instansi_kind',
}
const REQUIRED = ['code', 'name', 'kind', 'parent_code'] as const
const EXTERNAL_ID = /^id_([a-z][a-z0-9_]{0,39})$/
const CODE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/
const KIND_WORDS: Record<string, UnitKind> = {
  instansi: 'instansi',
  opd: 'opd',
  unit: 'unit',
  unit_kerja: 'unit',
  'unit kerja': 'unit',
}
const YES = new Set(['ya', 'y', 'yes', 'true', '1'])
const NO = new Set(['tidak', 't', 'no', 'false', '0'])

/** A row that failed a rule: its line, the column and why. */
export interface RowError {
  line: number
  column: string
  rule: string
  message: Message | string
}

/** A checked row of the file. `afirmasi` and `instansiKind` are undefined when the file does not say. */
export interface ImportRow {
  line: number
  code: string
  name: string
  kind: UnitKind
  parentCode: string | null
  afirmasi: boolean | undefined
  instansiKind: InstansiKind | undefined
  externalIds: Record<string, string>
}

/** The columns the header names: refused when one is unknown or a required one is missing. */
export function checkHeader(header: readonly string[]): RowError[] {
  const errors: RowError[] = []
  const seen = new Set<string>()
  for (const cell of header) {
    if (cell === '') continue
    const known = COLUMN_ALIASES[cell] ?? (EXTERNAL_ID.test(cell) ? cell : undefined)
    if (!known) {
      errors.push({
        line: 1,
        column: cell,
        rule: 'unknown_column',
        message: msg('units:field.unknown_column', { cell }),
      })
    } else if (seen.has(known)) {
      errors.push({
        line: 1,
        column: cell,
        rule: 'duplicate_column',
        message: msg('units:field.duplicate_column', { cell }),
      })
    }
    if (known) seen.add(known)
  }
  for (const column of REQUIRED) {
    if (!seen.has(column))
      errors.push({ line: 1, column, rule: 'required', message: msg('units:field.required', { column }) })
  }
  return errors
}

/** Each row checked on its own and against the others: codes unique, parents in the file, kinds that fit. */
export function checkRows(raw: readonly RawRow[]): { rows: ImportRow[]; errors: RowError[] } {
  const errors: RowError[] = []
  const rows: ImportRow[] = []
  for (const r of raw) {
    const get = (column: string): string => {
      for (const [key, value] of Object.entries(r.cells)) if (COLUMN_ALIASES[key] === column) return value
      return ''
    }
    const fail = (column: string, rule: string, message: Message) =>
      errors.push({ line: r.line, column, rule, message })
    const code = get('code')
    const name = get('name')
    const kindWord = get('kind').toLowerCase()
    const kind = KIND_WORDS[kindWord.replace(/_/g, ' ')] ?? KIND_WORDS[kindWord]
    const parentCode = get('parent_code') || null
    const afirmasiWord = get('afirmasi').toLowerCase()
    const instansiKindWord = get('instansi_kind').toLowerCase()
    const before = errors.length
    if (!code) fail('kode', 'required', msg('units:import.required'))
    else if (code.length > 64 || !CODE.test(code)) fail('kode', 'pattern', msg('units:import.pattern', { code }))
    if (!name) fail('nama', 'required', msg('units:import.required_2'))
    else if (name.length > 300) fail('nama', 'maxLength', msg('units:import.maxLength', { nameCount: name.length }))
    if (!kind) fail('jenis', 'enum', msg('units:import.enum', { value: get('kind') }))
    if (kind === 'instansi' && parentCode)
      fail('kode_induk', 'kind_parent_mismatch', msg('units:import.kind_parent_mismatch'))
    if (kind && kind !== 'instansi' && !parentCode)
      fail('kode_induk', 'required', msg('units:import.required_3', { kind }))
    let afirmasi: boolean | undefined
    if (YES.has(afirmasiWord)) afirmasi = true
    else if (NO.has(afirmasiWord)) afirmasi = false
    else if (afirmasiWord) fail('afirmasi', 'enum', msg('units:import.enum_2', { value: get('afirmasi') }))
    let instansiKind: InstansiKind | undefined
    if (instansiKindWord) {
      if (!(INSTANSI_KINDS as readonly string[]).includes(instansiKindWord))
        fail(
          'jenis_instansi',
          'enum',
          msg('units:import.enum_3', { instansiKindWord, kinds: INSTANSI_KINDS.join(', ') }),
        )
      else if (kind !== 'instansi')
        fail('jenis_instansi', 'instansi_kind_not_applicable', msg('units:import.instansi_kind_not_applicable'))
      else instansiKind = instansiKindWord as InstansiKind
    }
    const externalIds: Record<string, string> = {}
    for (const [key, value] of Object.entries(r.cells)) {
      const system = EXTERNAL_ID.exec(key)?.[1]
      if (!system || !value) continue
      if (value.length > 200) fail(key, 'maxLength', msg('units:import.maxLength_2', { valueCount: value.length }))
      else externalIds[system] = value
    }
    if (errors.length === before && kind)
      rows.push({ line: r.line, code, name, kind, parentCode, afirmasi, instansiKind, externalIds })
  }

  const byCode = new Map<string, ImportRow>()
  for (const row of rows) {
    const first = byCode.get(row.code)
    if (first) {
      errors.push({
        line: row.line,
        column: 'kode',
        rule: 'duplicate_code',
        message: msg('units:field.duplicate_code', { code: row.code, line: first.line }),
      })
    } else byCode.set(row.code, row)
  }
  const roots = rows.filter((r) => r.kind === 'instansi')
  if (roots.length === 0 && errors.length === 0)
    errors.push({
      line: 1,
      column: 'jenis',
      rule: 'instansi_required',
      message: msg('units:field.instansi_required'),
    })
  for (const extra of roots.slice(1))
    errors.push({
      line: extra.line,
      column: 'jenis',
      rule: 'one_instansi',
      message: msg('units:field.one_instansi', { line: roots[0]?.line }),
    })
  for (const row of rows) {
    if (!row.parentCode) continue
    const parent = byCode.get(row.parentCode)
    if (!parent) {
      errors.push({
        line: row.line,
        column: 'kode_induk',
        rule: 'parent_not_in_file',
        message: msg('units:field.parent_not_in_file', { parentCode: row.parentCode }),
      })
      continue
    }
    const wrongKind = checkKindUnderParent(row.kind, parent.kind)
    if (wrongKind)
      errors.push({ line: row.line, column: 'kode_induk', rule: wrongKind.code, message: wrongKind.message })
  }
  // A chain of parents that comes back to itself never reaches the instansi.
  for (const row of rows) {
    const seen = new Set<string>([row.code])
    let at = row.parentCode ? byCode.get(row.parentCode) : undefined
    while (at) {
      if (seen.has(at.code)) {
        errors.push({
          line: row.line,
          column: 'kode_induk',
          rule: 'parent_cycle',
          message: msg('units:field.parent_cycle', { code: row.code, code2: at.code }),
        })
        break
      }
      seen.add(at.code)
      at = at.parentCode ? byCode.get(at.parentCode) : undefined
    }
  }
  errors.sort((a, b) => a.line - b.line)
  return { rows, errors }
}

/** A registered unit as the plan sees it. */
export interface RegisteredUnit {
  id: string
  code: string
  name: string
  kind: UnitKind
  parentId: string | null
  path: string
  afirmasi: boolean
  instansiKind: InstansiKind | null
  externalIds: Record<string, string>
  archived: boolean
}

export interface FieldChange {
  field: string
  from: string | boolean | null
  to: string | boolean | null
}

export type RowAction = 'new' | 'moved' | 'changed' | 'unchanged'

export interface PlannedRow {
  row: ImportRow
  action: RowAction
  /** the registered unit (null for a new one) */
  unit: RegisteredUnit | null
  /** an archived unit the file lists again: it is brought back */
  restore: boolean
  changes: FieldChange[]
}

export interface ImportPlan {
  /** rows in the order they are applied: every parent before its children */
  rows: PlannedRow[]
  /** registered units the file does not list, deepest first (the order they can be archived in) */
  missing: RegisteredUnit[]
  errors: RowError[]
}

/**
 * The diff of the file against the registered units of its instansi (matched by code). A unit's
 * kind cannot change (archive it and register its successor under a new code).
 */
export function planImport(rows: readonly ImportRow[], registered: readonly RegisteredUnit[]): ImportPlan {
  const errors: RowError[] = []
  const byCode = new Map(registered.map((u) => [u.code, u]))
  const byId = new Map(registered.map((u) => [u.id, u]))
  const children = new Map<string | null, ImportRow[]>()
  for (const row of rows) children.set(row.parentCode, [...(children.get(row.parentCode) ?? []), row])
  const ordered: ImportRow[] = []
  const queue = [...(children.get(null) ?? [])]
  while (queue.length > 0) {
    const row = queue.shift() as ImportRow
    ordered.push(row)
    queue.push(...(children.get(row.code) ?? []))
  }
  const planned: PlannedRow[] = []
  for (const row of ordered) {
    const unit = byCode.get(row.code) ?? null
    if (!unit) {
      planned.push({ row, action: 'new', unit: null, restore: false, changes: [] })
      continue
    }
    if (unit.kind !== row.kind) {
      errors.push({
        line: row.line,
        column: 'jenis',
        rule: 'kind_changed',
        message: msg('units:field.kind_changed', { code: row.code, kind: unit.kind }),
      })
      continue
    }
    const changes: FieldChange[] = []
    const registeredParent = unit.parentId ? (byId.get(unit.parentId)?.code ?? null) : null
    if (registeredParent !== row.parentCode)
      changes.push({ field: 'parent', from: registeredParent, to: row.parentCode })
    if (unit.name !== row.name) changes.push({ field: 'name', from: unit.name, to: row.name })
    if (row.afirmasi !== undefined && row.afirmasi !== unit.afirmasi)
      changes.push({ field: 'afirmasi', from: unit.afirmasi, to: row.afirmasi })
    if (row.instansiKind !== undefined && row.instansiKind !== unit.instansiKind)
      changes.push({ field: 'instansi_kind', from: unit.instansiKind, to: row.instansiKind })
    for (const [system, value] of Object.entries(row.externalIds)) {
      if (unit.externalIds[system] !== value)
        changes.push({ field: `external_ids.${system}`, from: unit.externalIds[system] ?? null, to: value })
    }
    const action: RowAction = changes.some((c) => c.field === 'parent')
      ? 'moved'
      : changes.length > 0
        ? 'changed'
        : 'unchanged'
    planned.push({ row, action, unit, restore: unit.archived, changes })
  }
  const listed = new Set(rows.map((r) => r.code))
  const missing = registered
    .filter((u) => !listed.has(u.code) && !u.archived)
    .sort((a, b) => b.path.length - a.path.length || a.code.localeCompare(b.code))
  return { rows: planned, missing, errors }
}
