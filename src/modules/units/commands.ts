import { and, eq } from 'drizzle-orm'
import type { Tx } from '../../db/connection.js'
import { audit, type CommandContext } from '../../lib/command.js'
import { checkIfMatch } from '../../lib/etag.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { isUnitInScope } from './scope.js'
import {
  checkHeader,
  checkRows,
  planImport,
  type ImportPlan,
  type ImportRow,
  type RegisteredUnit,
  type RowError,
} from './import-rules.js'
import { readRegistryFile, type RegistryFileResult } from './registry-file.js'
import type { CreateUnitBody, PatchUnitBody } from './schemas.js'
import { deleteUnit, insertUnit, loadVisibleUnit, patchUnit, setArchived, toUnitView } from './service.js'
import { units, type UnitRow } from './tables.js'
import { msg } from '../../lib/i18n.js'

/**
 * The registry's writes. Each exported command owns its transaction; the `…Step` functions are the
 * same write inside a caller's transaction (the registry import applies many in one), so a unit
 * written in bulk leaves exactly the audit record a single call leaves. Unit writes emit no
 * change-feed event (the feed is about assessments and declarations).
 */

/** A write to an existing unit: its id, and the ETag the caller read (412 when it moved on). */
export interface UnitTarget {
  id: string
  ifMatch?: string | undefined
}

export async function createUnitStep(tx: Tx, ctx: CommandContext, input: CreateUnitBody): Promise<UnitRow> {
  const created = await insertUnit(tx, input)
  await audit(tx, ctx, {
    action: 'unit.created',
    entityType: 'unit',
    entityId: created.id,
    before: null,
    after: toUnitView(created),
  })
  return created
}

export const createUnit = (ctx: CommandContext, input: CreateUnitBody): Promise<UnitRow> =>
  ctx.db.transaction((tx) => createUnitStep(tx, ctx, input))

/** Changes the fields sent; a new parent_id moves the unit with its subtree. */
export async function updateUnitStep(
  tx: Tx,
  ctx: CommandContext,
  target: UnitTarget,
  patch: PatchUnitBody,
): Promise<UnitRow> {
  const current = await loadVisibleUnit(tx, ctx.principal, target.id, { forUpdate: true })
  checkIfMatch(target.ifMatch, current, 'unit')
  const updated = await patchUnit(tx, current, patch)
  await audit(tx, ctx, {
    action: 'unit.updated',
    entityType: 'unit',
    entityId: current.id,
    before: toUnitView(current),
    after: toUnitView(updated),
  })
  return updated
}

export const updateUnit = (ctx: CommandContext, target: UnitTarget, patch: PatchUnitBody): Promise<UnitRow> =>
  ctx.db.transaction((tx) => updateUnitStep(tx, ctx, target, patch))

/** Moving is a change of parent (the subtree follows); named for the callers that only move. */
export const moveUnit = (ctx: CommandContext, target: UnitTarget, parentId: string): Promise<UnitRow> =>
  updateUnit(ctx, target, { parent_id: parentId })

/** Archives (or brings back) a unit; asking for the state it is in changes nothing and leaves no trace. */
export async function setUnitArchivedStep(
  tx: Tx,
  ctx: CommandContext,
  target: UnitTarget,
  archived: boolean,
): Promise<UnitRow> {
  const current = await loadVisibleUnit(tx, ctx.principal, target.id, { forUpdate: true })
  checkIfMatch(target.ifMatch, current, 'unit')
  const changed = await setArchived(tx, current, archived)
  if (changed !== current) {
    await audit(tx, ctx, {
      action: archived ? 'unit.archived' : 'unit.unarchived',
      entityType: 'unit',
      entityId: current.id,
      before: toUnitView(current),
      after: toUnitView(changed),
    })
  }
  return changed
}

export const archiveUnit = (ctx: CommandContext, target: UnitTarget): Promise<UnitRow> =>
  ctx.db.transaction((tx) => setUnitArchivedStep(tx, ctx, target, true))

export const unarchiveUnit = (ctx: CommandContext, target: UnitTarget): Promise<UnitRow> =>
  ctx.db.transaction((tx) => setUnitArchivedStep(tx, ctx, target, false))

/** Deletes a unit registered by mistake (409 unit_referenced once anything refers to it). */
export const removeUnit = (ctx: CommandContext, target: UnitTarget): Promise<void> =>
  ctx.db.transaction(async (tx) => {
    const current = await loadVisibleUnit(tx, ctx.principal, target.id, { forUpdate: true })
    checkIfMatch(target.ifMatch, current, 'unit')
    await deleteUnit(tx, current)
    await audit(tx, ctx, {
      action: 'unit.deleted',
      entityType: 'unit',
      entityId: current.id,
      before: toUnitView(current),
      after: null,
    })
  })

// --- Registry import ---------------------------------------------------------------------------

export interface RegistryImportInput {
  /** the organisation file as uploaded (CSV or XLSX) */
  bytes: Uint8Array
  /**
   * reads the file into rows (default readRegistryFile on this thread); the HTTP route passes one
   * that parses in a worker of its own (src/lib/isolated-work.ts)
   */
  read?: (bytes: Uint8Array) => Promise<RegistryFileResult>
  /** plan only: the diff, no write */
  dryRun: boolean
  /** archive the registered units the file does not list (deepest first); else they are only reported */
  archiveMissing: boolean
}

export interface RegistryImportResult {
  instansi: { id: string | null; code: string }
  plan: ImportPlan
  /** the id of each row's unit after the import (a new unit's id only once applied) */
  unitIds: Map<string, string>
  /** the missing units archived by this import */
  archived: string[]
}

/** At most this many bad rows are listed in a refusal (the count says how many there were). */
const MAX_LISTED_ERRORS = 200

function rowsRefused(errors: RowError[]): ProblemError {
  const listed = errors.slice(0, MAX_LISTED_ERRORS)
  const lines = [...new Set(errors.map((e) => e.line))]
  return new ProblemError(
    422,
    'registry_rows_invalid',
    msg('units:registry_rows_invalid', {
      count: errors.length,
      lines: msg('units:lines', { count: lines.length }),
      line: errors[0]?.line,
      listed: errors.length > listed.length ? msg('units:first_listed', { count: listed.length }) : '',
    }),
    {
      rows: listed,
      error_count: errors.length,
      errors: listed.map((e) => ({
        pointer: `/body/file/${e.line}/${e.column}`,
        rule: e.rule,
        message: msg('units:field.rule', { line: e.line, column: e.column, message: e.message }),
      })),
    },
  )
}

const asRegistered = (u: UnitRow): RegisteredUnit => ({
  id: u.id,
  code: u.code,
  name: u.name,
  kind: u.kind,
  parentId: u.parentId,
  path: u.path,
  afirmasi: u.afirmasi,
  instansiKind: u.instansiKind,
  externalIds: u.externalIds,
  archived: u.archivedAt !== null,
})

/**
 * A Pemda's organisation from one file: checked whole (every bad row named with its line), then,
 * unless a dry run, applied in one transaction through the same steps as the single calls (one
 * audit record per unit written). The same file again plans no change and writes nothing.
 */
export async function importRegistry(ctx: CommandContext, input: RegistryImportInput): Promise<RegistryImportResult> {
  const file = await (input.read ?? readRegistryFile)(input.bytes)
  if (!file.ok) {
    throw new ProblemError(422, file.code, msg('units:detail', { message: file.message }), {
      errors: [
        {
          pointer: file.line !== undefined ? `/body/file/${file.line}` : '/body/file',
          rule: file.code,
          message: file.message,
        },
      ],
    })
  }
  const headerErrors = checkHeader(file.header)
  if (headerErrors.length > 0) throw rowsRefused(headerErrors)
  const checked = checkRows(file.rows)
  if (checked.errors.length > 0) throw rowsRefused(checked.errors)
  const root = checked.rows.find((r) => r.kind === 'instansi') as ImportRow

  return ctx.db.transaction(async (tx) => {
    // The instansi row locked: two imports of one Pemda run one after the other.
    const [instansi] = await tx
      .select()
      .from(units)
      .where(and(eq(units.kind, 'instansi'), eq(units.code, root.code)))
      .for('update')
    if (instansi && !isUnitInScope(ctx.principal, instansi.path)) throw notFound('unit', root.code)
    const registered = instansi ? await tx.select().from(units).where(eq(units.instansiId, instansi.id)) : []
    const plan = planImport(checked.rows, registered.map(asRegistered))
    if (plan.errors.length > 0) throw rowsRefused(plan.errors)
    const unitIds = new Map(registered.map((u) => [u.code, u.id]))
    const result = { instansi: { id: instansi?.id ?? null, code: root.code }, plan, unitIds, archived: [] as string[] }
    if (input.dryRun) return result

    for (const p of plan.rows) {
      const { row } = p
      const parentId = row.parentCode ? unitIds.get(row.parentCode) : undefined
      try {
        if (!p.unit) {
          const created = await createUnitStep(tx, ctx, {
            code: row.code,
            name: row.name,
            kind: row.kind,
            ...(row.instansiKind ? { instansi_kind: row.instansiKind } : {}),
            ...(parentId ? { parent_id: parentId } : {}),
            afirmasi: row.afirmasi ?? false,
            external_ids: row.externalIds,
          })
          unitIds.set(row.code, created.id)
          if (row.kind === 'instansi') result.instansi.id = created.id
          continue
        }
        const patch: PatchUnitBody = {}
        for (const change of p.changes) {
          if (change.field === 'parent' && parentId) patch.parent_id = parentId
          if (change.field === 'name') patch.name = row.name
          if (change.field === 'afirmasi' && row.afirmasi !== undefined) patch.afirmasi = row.afirmasi
          if (change.field === 'instansi_kind' && row.instansiKind) patch.instansi_kind = row.instansiKind
          if (change.field.startsWith('external_ids.')) {
            const system = change.field.slice('external_ids.'.length)
            patch.external_ids = { ...patch.external_ids, [system]: row.externalIds[system] ?? null }
          }
        }
        if (Object.keys(patch).length > 0) await updateUnitStep(tx, ctx, { id: p.unit.id }, patch)
        if (p.restore) await setUnitArchivedStep(tx, ctx, { id: p.unit.id }, false)
      } catch (error) {
        // A registry rule the plan could not see (e.g. an instansi code another Pemda holds): named by its line.
        if (error instanceof ProblemError)
          throw rowsRefused([{ line: row.line, column: 'kode', rule: error.code, message: error.detail }])
        throw error
      }
    }
    if (input.archiveMissing) {
      for (const unit of plan.missing) {
        await setUnitArchivedStep(tx, ctx, { id: unit.id }, true)
        result.archived.push(unit.id)
      }
    }
    return result
  })
}
