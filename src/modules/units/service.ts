import { throwIfViolated, violationProblem, type RuleViolation } from '../../lib/rule-violation.js'
import { randomUUID } from 'node:crypto'
import { and, asc, desc, eq, gt, gte, ilike, isNotNull, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { PG_FOREIGN_KEY_VIOLATION, PG_RESTRICT_VIOLATION, PG_UNIQUE_VIOLATION, pgError } from '../../lib/db-errors.js'
import { decodeCursor, finishPage } from '../../lib/pagination.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { isUnitInScope, unitScopeCondition } from './scope.js'
import {
  checkInstansiKind,
  checkKindUnderParent,
  checkNoCycle,
  checkValidity,
  childPath,
  depthOf,
  mergeExternalIds,
} from './rules.js'
import type { CreateUnitBody, PatchUnitBody, TreeNodeView, UnitListQuery, UnitSort, UnitView } from './schemas.js'
import { units, type UnitRow } from './tables.js'
import { assertReturned } from '../../lib/returned.js'
import { type Message, msg } from '../../lib/i18n.js'

export function toUnitView(row: UnitRow): UnitView {
  return {
    id: row.id,
    instansi_id: row.instansiId,
    code: row.code,
    name: row.name,
    kind: row.kind,
    instansi_kind: row.instansiKind,
    parent_id: row.parentId,
    afirmasi: row.afirmasi,
    valid_from: row.validFrom,
    valid_to: row.validTo,
    predecessor_id: row.predecessorId,
    external_ids: row.externalIds,
    depth: depthOf(row.path),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    archived_at: row.archivedAt?.toISOString() ?? null,
    version: row.version,
  }
}

const violation = (v: RuleViolation): ProblemError => violationProblem(v, msg('units:breaks_rule'))
const throwIf = (v: RuleViolation | null): void => throwIfViolated(v, msg('units:breaks_rule'))

export async function loadUnit(
  db: Queryable,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<UnitRow | undefined> {
  const query = db.select().from(units).where(eq(units.id, id))
  const [row] = opts.forUpdate ? await query.for('update') : await query
  return row
}

/** A unit the principal may see; out-of-scope units answer 404 like missing ones, so ids do not leak. */
export async function loadVisibleUnit(
  db: Queryable,
  principal: Principal,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<UnitRow> {
  const row = await loadUnit(db, id, opts)
  if (!row || !isUnitInScope(principal, row.path)) throw notFound('unit', id)
  return row
}

/** The parent a unit is (re)attached to: must exist, be active, accept the kind, and belong to the same instansi. */
async function loadParentFor(
  tx: Queryable,
  parentId: string,
  kind: UnitRow['kind'],
  instansiId: string | null,
): Promise<UnitRow> {
  const parent = await loadUnit(tx, parentId, { forUpdate: true })
  const at = (code: string, message: Message, status: 409 | 422 = 422) =>
    violation({ status, code, pointer: '/body/parent_id', message })
  if (!parent) throw at('parent_not_found', msg('units:parent.parent_not_found', { parentId }))
  if (parent.archivedAt) throw at('parent_archived', msg('units:parent.parent_archived', { code: parent.code }))
  throwIf(checkKindUnderParent(kind, parent.kind))
  if (instansiId && parent.instansiId !== instansiId) {
    throw at('parent_other_instansi', msg('units:parent.parent_other_instansi'))
  }
  return parent
}

async function checkPredecessor(
  tx: Queryable,
  predecessorId: string,
  instansiId: string,
  selfId: string,
): Promise<void> {
  const problem = (message: Message) =>
    violation({ status: 422, code: 'predecessor_not_found', pointer: '/body/predecessor_id', message })
  if (predecessorId === selfId) throw problem(msg('units:predecessor.message'))
  const predecessor = await loadUnit(tx, predecessorId)
  if (!predecessor || predecessor.instansiId !== instansiId)
    throw problem(msg('units:predecessor.message_2', { predecessorId }))
}

async function assertCodeFree(tx: Queryable, instansiId: string, code: string, exceptId: string): Promise<void> {
  const [taken] = await tx
    .select({ id: units.id })
    .from(units)
    .where(and(eq(units.instansiId, instansiId), eq(units.code, code), ne(units.id, exceptId)))
  if (taken) throw codeTaken(code, taken.id)
}

/** An instansi's code names it across the whole registry (PortalRB and the workbook identify it by code). */
async function assertInstansiCodeFree(tx: Queryable, code: string, exceptId: string): Promise<void> {
  const [taken] = await tx
    .select({ id: units.id })
    .from(units)
    .where(and(eq(units.kind, 'instansi'), eq(units.code, code), ne(units.id, exceptId)))
  if (taken) throw instansiCodeTaken(code, taken.id)
}

const instansiCodeTaken = (code: string, existingId?: string) =>
  new ProblemError(409, 'instansi_code_taken', msg('units:instansi_code_taken', { code }), {
    errors: [{ pointer: '/body/code', rule: 'instansi_code_taken', message: msg('units:field.instansi_code_taken') }],
    ...(existingId ? { existing_id: existingId } : {}),
  })

const codeTaken = (code: string, existingId?: string) =>
  new ProblemError(409, 'unit_code_taken', msg('units:unit_code_taken', { code }), {
    errors: [{ pointer: '/body/code', rule: 'unit_code_taken', message: msg('units:field.unit_code_taken') }],
    ...(existingId ? { existing_id: existingId } : {}),
  })

/** Translates the unique index race (two creates with one code at once) into the same 409. */
async function withCodeRace<T>(code: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    const pg = pgError(error)
    if (pg?.code === PG_UNIQUE_VIOLATION && pg.constraint === 'units_instansi_code_key') throw codeTaken(code)
    if (pg?.code === PG_UNIQUE_VIOLATION && pg.constraint === 'units_instansi_root_code_key')
      throw instansiCodeTaken(code)
    throw error
  }
}

export async function insertUnit(tx: Queryable, body: CreateUnitBody): Promise<UnitRow> {
  const id = randomUUID()
  const parentId = body.parent_id ?? null
  throwIf(checkValidity(body.valid_from ?? null, body.valid_to ?? null))
  throwIf(checkInstansiKind(body.kind, body.instansi_kind))
  let parent: UnitRow | null = null
  if (parentId) parent = await loadParentFor(tx, parentId, body.kind, null)
  else throwIf(checkKindUnderParent(body.kind, null))
  const instansiId = parent?.instansiId ?? id
  await assertCodeFree(tx, instansiId, body.code, id)
  if (body.kind === 'instansi') await assertInstansiCodeFree(tx, body.code, id)
  if (body.predecessor_id) await checkPredecessor(tx, body.predecessor_id, instansiId, id)
  return withCodeRace(body.code, async () => {
    const [row] = await tx
      .insert(units)
      .values({
        id,
        instansiId,
        parentId,
        path: childPath(parent?.path ?? null, id),
        code: body.code,
        name: body.name.trim(),
        kind: body.kind,
        instansiKind: body.instansi_kind ?? null,
        afirmasi: body.afirmasi ?? false,
        validFrom: body.valid_from ?? null,
        validTo: body.valid_to ?? null,
        predecessorId: body.predecessor_id ?? null,
        externalIds: body.external_ids ?? {},
      })
      .returning()
    assertReturned(row, 'insert')
    return row
  })
}

/**
 * Applies a PATCH to a locked row. A parent change re-roots the whole subtree's `path` in the
 * same statement set, so scope checks stay a prefix match.
 */
export async function patchUnit(tx: Queryable, current: UnitRow, patch: PatchUnitBody): Promise<UnitRow> {
  const validFrom = patch.valid_from !== undefined ? patch.valid_from : current.validFrom
  const validTo = patch.valid_to !== undefined ? patch.valid_to : current.validTo
  throwIf(checkValidity(validFrom, validTo))
  throwIf(checkInstansiKind(current.kind, patch.instansi_kind))

  let path = current.path
  if (patch.parent_id !== undefined && patch.parent_id !== current.parentId) {
    if (current.kind === 'instansi') throwIf(checkKindUnderParent('instansi', 'instansi'))
    const parent = await loadParentFor(tx, patch.parent_id, current.kind, current.instansiId)
    throwIf(checkNoCycle(current.path, parent.path))
    path = childPath(parent.path, current.id)
  }
  if (patch.code !== undefined && patch.code !== current.code) {
    await assertCodeFree(tx, current.instansiId, patch.code, current.id)
    if (current.kind === 'instansi') await assertInstansiCodeFree(tx, patch.code, current.id)
  }
  if (patch.predecessor_id) await checkPredecessor(tx, patch.predecessor_id, current.instansiId, current.id)

  if (path !== current.path) {
    // Descendants keep their own suffix under the new prefix.
    await tx
      .update(units)
      .set({ path: sql`${path} || substr(${units.path}, ${current.path.length + 1})` })
      .where(and(sql`${units.path} like ${`${current.path}%`}`, ne(units.id, current.id)))
  }
  return withCodeRace(patch.code ?? current.code, async () => {
    const [row] = await tx
      .update(units)
      .set({
        code: patch.code ?? current.code,
        name: patch.name?.trim() ?? current.name,
        parentId: patch.parent_id ?? current.parentId,
        path,
        instansiKind: patch.instansi_kind !== undefined ? patch.instansi_kind : current.instansiKind,
        afirmasi: patch.afirmasi ?? current.afirmasi,
        validFrom,
        validTo,
        predecessorId: patch.predecessor_id !== undefined ? patch.predecessor_id : current.predecessorId,
        externalIds: patch.external_ids
          ? mergeExternalIds(current.externalIds, patch.external_ids)
          : current.externalIds,
        updatedAt: sql`now()`,
        version: sql`${units.version} + 1`,
      })
      .where(eq(units.id, current.id))
      .returning()
    assertReturned(row, 'update')
    return row
  })
}

export async function setArchived(tx: Queryable, current: UnitRow, archived: boolean): Promise<UnitRow> {
  if (archived === (current.archivedAt !== null)) return current
  if (archived) {
    const [child] = await tx
      .select({ id: units.id, code: units.code })
      .from(units)
      .where(and(eq(units.parentId, current.id), isNull(units.archivedAt)))
      .limit(1)
    if (child) {
      throw new ProblemError(
        409,
        'unit_has_active_children',
        msg('units:unit_has_active_children', { code: current.code, code2: child.code }),
        {
          child_id: child.id,
        },
      )
    }
  } else if (current.parentId) {
    const parent = await loadUnit(tx, current.parentId)
    if (parent?.archivedAt) {
      throw violation({
        status: 422,
        code: 'parent_archived',
        pointer: '/params/id',
        message: msg('units:field.parent_archived', { code: parent.code }),
      })
    }
  }
  const [row] = await tx
    .update(units)
    .set({ archivedAt: archived ? sql`now()` : null, updatedAt: sql`now()`, version: sql`${units.version} + 1` })
    .where(eq(units.id, current.id))
    .returning()
  assertReturned(row, 'update')
  return row
}

/** Hard delete, allowed only while nothing refers to the unit (children, successors, grants, assessments…). */
export async function deleteUnit(tx: Queryable, current: UnitRow): Promise<void> {
  try {
    await tx.delete(units).where(eq(units.id, current.id))
  } catch (error) {
    const code = pgError(error)?.code
    if (code === PG_FOREIGN_KEY_VIOLATION || code === PG_RESTRICT_VIOLATION) {
      throw new ProblemError(409, 'unit_referenced', msg('units:unit_referenced', { code: current.code }))
    }
    throw error
  }
}

// --- Lists -----------------------------------------------------------------------------------

const SORT_COLUMNS = {
  name: units.name,
  code: units.code,
  updated_at: units.updatedAt,
  created_at: units.createdAt,
} as const

/** Timestamps go into cursors as text with microseconds: a JS Date would drop them and skip rows. */
const cursorValueSql = (column: (typeof SORT_COLUMNS)[keyof typeof SORT_COLUMNS]): SQL =>
  column === units.updatedAt || column === units.createdAt
    ? sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : sql`${column}`

export async function listUnits(db: Queryable, principal: Principal, query: UnitListQuery, limit: number) {
  const sort: UnitSort = query.sort ?? 'name'
  const descending = sort.startsWith('-')
  const key = sort.replace(/^-/, '') as keyof typeof SORT_COLUMNS
  const column = SORT_COLUMNS[key]
  const isTime = key === 'updated_at' || key === 'created_at'

  const conditions: (SQL | undefined)[] = [unitScopeCondition(principal, units.path)]
  if (query.instansi_id) conditions.push(eq(units.instansiId, query.instansi_id))
  if (query.parent_id) conditions.push(eq(units.parentId, query.parent_id))
  if (query.kind) conditions.push(eq(units.kind, query.kind))
  if (query.afirmasi !== undefined) conditions.push(eq(units.afirmasi, query.afirmasi))
  if (query.active === true) conditions.push(isNull(units.archivedAt))
  if (query.active === false) conditions.push(isNotNull(units.archivedAt))
  if (query.updated_since) conditions.push(gte(units.updatedAt, new Date(query.updated_since)))
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    conditions.push(or(ilike(units.name, like), ilike(units.code, like)))
  }
  if (query.cursor) {
    const position = decodeCursor(query.cursor, sort)
    if (typeof position.value !== 'string') throw new ProblemError(400, 'invalid_cursor', msg('units:invalid_cursor'))
    const value = isTime ? sql`${position.value}::timestamptz` : sql`${position.value}`
    const cmp = descending ? lt : gt
    conditions.push(or(cmp(column, value), and(eq(column, value), cmp(units.id, position.id))))
  }
  const direction = descending ? desc : asc
  const rows = await db
    .select({ unit: units, cursorValue: cursorValueSql(column).mapWith(String) })
    .from(units)
    .where(and(...conditions))
    .orderBy(direction(column), direction(units.id))
    .limit(limit + 1)
  const page = finishPage(rows, limit, sort, (r) => ({ value: r.cursorValue, id: r.unit.id }))
  return { items: page.items.map((r) => toUnitView(r.unit)), next_cursor: page.next_cursor }
}

/** The subtree under `root`, nested, children ordered by name. */
export async function subtree(db: Queryable, root: UnitRow, opts: { includeArchived: boolean; maxDepth?: number }) {
  const conditions: (SQL | undefined)[] = [sql`${units.path} like ${`${root.path}%`}`]
  if (!opts.includeArchived) conditions.push(or(isNull(units.archivedAt), eq(units.id, root.id)))
  if (opts.maxDepth !== undefined) {
    conditions.push(
      sql`array_length(string_to_array(${units.path}, '/'), 1) - 3 <= ${depthOf(root.path) + opts.maxDepth}`,
    )
  }
  const rows = await db
    .select()
    .from(units)
    .where(and(...conditions))
    .orderBy(asc(units.name), asc(units.id))
  const nodes = new Map<string, TreeNodeView>()
  for (const row of rows) nodes.set(row.id, { ...toUnitView(row), children: [] })
  for (const row of rows) {
    if (row.id === root.id || !row.parentId) continue
    // A child whose parent was filtered out (archived) is dropped with its parent's branch.
    nodes.get(row.parentId)?.children.push(nodes.get(row.id) as TreeNodeView)
  }
  const rootNode = nodes.get(root.id) as TreeNodeView
  const count = (node: TreeNodeView): number => 1 + node.children.reduce((n, c) => n + count(c), 0)
  return { root: rootNode, count: count(rootNode) }
}
