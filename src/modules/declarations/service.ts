import { afterTimestampCursor, timestampCursorSql } from '../../lib/keyset.js'
import { throwIfViolated, violationProblem, type RuleViolation } from '../../lib/rule-violation.js'
import { and, asc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { PG_UNIQUE_VIOLATION, pgError } from '../../lib/db-errors.js'
import { finishPage } from '../../lib/pagination.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { isUnitInScope, unitScopeCondition } from '../auth/scope.js'
import { checkPeriodExists, loadTargetUnit } from '../evidence/service.js'
import { evidence } from '../evidence/tables.js'
import { periods } from '../periods/tables.js'
import { units, type UnitRow } from '../units/tables.js'
import {
  RECORDED_STATUSES,
  allowedTransitions,
  checkDocuments,
  checkTarget,
  checkTransition,
  isEditable,
  type Target,
} from './rules.js'
import type {
  CreateDeclarationBody,
  DeclarationListQuery,
  DeclarationView,
  PatchDeclarationBody,
  TransitionBody,
  TransitionView,
} from './schemas.js'
import {
  declarations,
  declarationTransitions,
  type DeclarationDocument,
  type DeclarationRow,
  type DeclarationTransitionRow,
} from './tables.js'
import { assertReturned } from '../../lib/returned.js'
import { msg } from '../../lib/i18n.js'

export function toDeclarationView(row: DeclarationRow, principal: Principal): DeclarationView {
  return {
    id: row.id,
    unit_id: row.unitId,
    period_id: row.periodId,
    target: row.target,
    status: row.status,
    declared_on: row.declaredOn,
    documents: row.documents,
    notes: row.notes,
    predicate: row.predicate,
    designated_on: row.designatedOn,
    allowed_transitions: allowedTransitions(row.status, principal.role),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
  }
}

export const toTransitionView = (row: DeclarationTransitionRow): TransitionView => ({
  from: row.fromStatus,
  to: row.toStatus,
  reason: row.reason,
  at: row.occurredAt.toISOString(),
  by: { id: row.actorPrincipalId, name: row.actorName, role: row.actorRole },
})

const violation = (v: RuleViolation): ProblemError => violationProblem(v, msg('declarations:breaks_rule'))
const throwIf = (v: RuleViolation | null): void => throwIfViolated(v, msg('declarations:breaks_rule'))

/** A declaration whose unit is in the principal's scope (else 404, like a missing one). */
export async function loadVisibleDeclaration(
  db: Queryable,
  principal: Principal,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<{ declaration: DeclarationRow; unit: UnitRow }> {
  const query = db
    .select({ declaration: declarations, unit: units })
    .from(declarations)
    .innerJoin(units, eq(units.id, declarations.unitId))
    .where(eq(declarations.id, id))
  const [row] = opts.forUpdate ? await query.for('update', { of: declarations }) : await query
  if (!row || !isUnitInScope(principal, row.unit.path)) throw notFound('declaration', id)
  return row
}

export async function loadHistory(db: Queryable, declarationId: string): Promise<DeclarationTransitionRow[]> {
  return db
    .select()
    .from(declarationTransitions)
    .where(eq(declarationTransitions.declarationId, declarationId))
    .orderBy(asc(declarationTransitions.occurredAt), asc(declarationTransitions.id))
}

/**
 * The predicates the unit holds from periods earlier (by year) than `periodYear`: its
 * declarations there that were designated and not revoked.
 */
export async function heldPredicates(tx: Queryable, unitId: string, periodYear: number): Promise<Target[]> {
  const rows = await tx
    .select({ predicate: declarations.predicate })
    .from(declarations)
    .innerJoin(periods, eq(periods.id, declarations.periodId))
    .where(and(eq(declarations.unitId, unitId), eq(declarations.status, 'designated'), lt(periods.year, periodYear)))
  return rows.flatMap((r) => (r.predicate ? [r.predicate] : []))
}

/** Evidence named by documents must be items of the same unit. */
async function checkDocumentEvidence(
  tx: Queryable,
  unitId: string,
  documents: readonly DeclarationDocument[],
): Promise<void> {
  throwIf(checkDocuments(documents))
  const ids = [...new Set(documents.flatMap((d) => (d.evidence_id ? [d.evidence_id] : [])))]
  if (ids.length === 0) return
  const found = await tx
    .select({ id: evidence.id })
    .from(evidence)
    .where(and(inArray(evidence.id, ids), eq(evidence.unitId, unitId)))
  const ok = new Set(found.map((f) => f.id))
  const i = documents.findIndex((d) => d.evidence_id !== undefined && !ok.has(d.evidence_id))
  if (i >= 0) {
    throw violation({
      status: 422,
      code: 'evidence_not_found',
      pointer: `/body/documents/${i}/evidence_id`,
      message: msg('declarations:field.evidence_not_found', { evidence_id: documents[i]?.evidence_id }),
    })
  }
}

async function recordTransition(
  tx: Queryable,
  principal: Principal,
  row: { id: string },
  from: DeclarationRow['status'] | null,
  to: DeclarationRow['status'],
  reason: string,
): Promise<void> {
  await tx.insert(declarationTransitions).values({
    declarationId: row.id,
    fromStatus: from,
    toStatus: to,
    reason,
    actorPrincipalId: principal.principalId,
    actorName: principal.name,
    actorRole: principal.role,
  })
}

const exists = (existingId?: string) =>
  new ProblemError(409, 'declaration_exists', msg('declarations:declaration_exists'), {
    errors: [
      { pointer: '/body/period_id', rule: 'declaration_exists', message: msg('declarations:field.declaration_exists') },
    ],
    ...(existingId ? { existing_id: existingId } : {}),
  })

export async function insertDeclaration(
  tx: Queryable,
  principal: Principal,
  body: CreateDeclarationBody,
): Promise<DeclarationRow> {
  const unit = await loadTargetUnit(tx, principal, body.unit_id)
  if (unit.kind === 'instansi') {
    throw violation({
      status: 422,
      code: 'unit_kind_not_eligible',
      pointer: '/body/unit_id',
      message: msg('declarations:field.unit_kind_not_eligible'),
    })
  }
  const period = await checkPeriodExists(tx, body.period_id)
  const [existing] = await tx
    .select({ id: declarations.id })
    .from(declarations)
    .where(and(eq(declarations.unitId, unit.id), eq(declarations.periodId, period.id)))
  if (existing) throw exists(existing.id)
  throwIf(checkTarget(body.target, await heldPredicates(tx, unit.id, period.year)))
  const documents = body.documents ?? []
  await checkDocumentEvidence(tx, unit.id, documents)
  let row: DeclarationRow | undefined
  try {
    ;[row] = await tx
      .insert(declarations)
      .values({
        unitId: unit.id,
        periodId: period.id,
        target: body.target,
        declaredOn: body.declared_on,
        documents,
        notes: body.notes ?? null,
      })
      .returning()
  } catch (error) {
    if (pgError(error)?.code === PG_UNIQUE_VIOLATION) throw exists()
    throw error
  }
  assertReturned(row, 'insert')
  await recordTransition(tx, principal, row, null, 'declared', 'declaration created')
  return row
}

export async function patchDeclaration(
  tx: Queryable,
  current: DeclarationRow,
  patch: PatchDeclarationBody,
): Promise<DeclarationRow> {
  if (!isEditable(current.status)) {
    throw new ProblemError(
      409,
      'declaration_locked',
      msg('declarations:declaration_locked', { status: current.status }),
    )
  }
  if (patch.target && patch.target !== current.target) {
    const [period] = await tx.select({ year: periods.year }).from(periods).where(eq(periods.id, current.periodId))
    throwIf(checkTarget(patch.target, await heldPredicates(tx, current.unitId, period?.year ?? 0)))
  }
  if (patch.documents) await checkDocumentEvidence(tx, current.unitId, patch.documents)
  const [row] = await tx
    .update(declarations)
    .set({
      target: patch.target ?? current.target,
      declaredOn: patch.declared_on ?? current.declaredOn,
      documents: patch.documents ?? current.documents,
      notes: patch.notes !== undefined ? patch.notes : current.notes,
      updatedAt: sql`now()`,
      version: sql`${declarations.version} + 1`,
    })
    .where(eq(declarations.id, current.id))
    .returning()
  assertReturned(row, 'update')
  return row
}

/** Moves a locked declaration along its lifecycle and records the step in its history. */
export async function applyTransition(
  tx: Queryable,
  principal: Principal,
  current: DeclarationRow,
  body: TransitionBody,
): Promise<DeclarationRow> {
  throwIf(checkTransition(current.status, body.to, principal.role))
  return moveDeclaration(tx, principal, current, body.to, body.reason)
}

/**
 * A step that comes with its record (the proposals module: proposing, TPN evaluation,
 * designation, revocation): the lifecycle is still checked; `designatedOn` goes with designated.
 */
export async function moveDeclaration(
  tx: Queryable,
  principal: Principal,
  current: DeclarationRow,
  to: DeclarationRow['status'],
  reason: string,
  designatedOn?: string,
): Promise<DeclarationRow> {
  throwIf(checkTransition(current.status, to, principal.role, { recorded: RECORDED_STATUSES.includes(to) }))
  const designation = to === 'designated' ? { predicate: current.target, designatedOn: designatedOn ?? null } : {}
  const [row] = await tx
    .update(declarations)
    .set({ status: to, ...designation, updatedAt: sql`now()`, version: sql`${declarations.version} + 1` })
    .where(eq(declarations.id, current.id))
    .returning()
  assertReturned(row, 'update')
  await recordTransition(tx, principal, row, current.status, to, reason.trim())
  return row
}

const updatedCursorSql = timestampCursorSql(declarations.updatedAt)

/** Ordered by updated_at then id (for incremental sync with updated_since). */
export async function listDeclarations(
  db: Queryable,
  principal: Principal,
  query: DeclarationListQuery,
  limit: number,
) {
  const conditions: (SQL | undefined)[] = [unitScopeCondition(principal, units.path)]
  if (query.period_id) conditions.push(eq(declarations.periodId, query.period_id))
  if (query.unit_id) conditions.push(eq(declarations.unitId, query.unit_id))
  if (query.target) conditions.push(eq(declarations.target, query.target))
  if (query.status?.length) conditions.push(inArray(declarations.status, query.status))
  if (query.updated_since) conditions.push(gte(declarations.updatedAt, new Date(query.updated_since)))
  if (query.cursor) {
    conditions.push(afterTimestampCursor(query.cursor, 'updated_at', declarations.updatedAt, declarations.id))
  }
  const rows = await db
    .select({ declaration: declarations, cursorValue: updatedCursorSql.mapWith(String) })
    .from(declarations)
    .innerJoin(units, eq(units.id, declarations.unitId))
    .where(and(...conditions))
    .orderBy(asc(declarations.updatedAt), asc(declarations.id))
    .limit(limit + 1)
  const page = finishPage(rows, limit, 'updated_at', (r) => ({ value: r.cursorValue, id: r.declaration.id }))
  return { items: page.items.map((r) => toDeclarationView(r.declaration, principal)), next_cursor: page.next_cursor }
}
