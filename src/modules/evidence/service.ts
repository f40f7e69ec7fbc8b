import { afterTimestampCursor, timestampCursorSql } from '../../lib/keyset.js'
import { and, asc, eq, gte, inArray, type SQL } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { PG_FOREIGN_KEY_VIOLATION, PG_RESTRICT_VIOLATION, pgError } from '../../lib/db-errors.js'
import { finishPage } from '../../lib/pagination.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { isUnitInScope, unitScopeCondition } from '../auth/scope.js'
import { periods } from '../periods/tables.js'
import { units, type UnitRow } from '../units/tables.js'
import type { EvidenceListQuery, EvidenceView } from './schemas.js'
import { evidence, type EvidenceRow } from './tables.js'
import { assertReturned } from '../../lib/returned.js'
import { type Message, msg } from '../../lib/i18n.js'

export function toEvidenceView(row: EvidenceRow): EvidenceView {
  return {
    id: row.id,
    unit_id: row.unitId,
    period_id: row.periodId,
    kind: row.kind,
    title: row.title,
    url: row.url,
    file_name: row.fileName,
    media_type: row.mediaType,
    size_bytes: row.sizeBytes,
    sha256: row.sha256,
    content_url: row.kind === 'file' ? `/v1/evidence/${row.id}/content` : null,
    effective_date: row.effectiveDate,
    carried_from_id: row.carriedFromId,
    uploaded_by: { id: row.uploadedById, name: row.uploadedByName },
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  }
}

const fieldProblem = (status: number, code: string, pointer: string, message: Message, detail: Message) =>
  new ProblemError(status, code, detail, { errors: [{ pointer, rule: code, message }] })

/**
 * An evidence item the principal may see, with its unit. Items of units outside the scope
 * answer 404 like missing ones. For other modules: use this to authorise a single item.
 */
export async function loadVisibleEvidence(
  db: Queryable,
  principal: Principal,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<{ item: EvidenceRow; unit: UnitRow }> {
  const query = db
    .select({ item: evidence, unit: units })
    .from(evidence)
    .innerJoin(units, eq(units.id, evidence.unitId))
    .where(eq(evidence.id, id))
  const [row] = opts.forUpdate ? await query.for('update', { of: evidence }) : await query
  if (!row || !isUnitInScope(principal, row.unit.path)) throw notFound('evidence', id)
  return row
}

/**
 * For other modules (assessments): the items among `ids` that exist, with their unit's id and
 * path, so the caller can check they belong to the unit (or its ancestors) it is writing for.
 * Missing ids are simply absent from the map.
 */
export async function evidenceUnits(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, { unitId: string; unitPath: string; kind: EvidenceRow['kind'] }>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .select({ id: evidence.id, unitId: evidence.unitId, unitPath: units.path, kind: evidence.kind })
    .from(evidence)
    .innerJoin(units, eq(units.id, evidence.unitId))
    .where(inArray(evidence.id, [...ids]))
  return new Map(rows.map((r) => [r.id, { unitId: r.unitId, unitPath: r.unitPath, kind: r.kind }]))
}

/** The unit named in a body: must exist, be in scope (else the same 422 as missing), and be active. */
export async function loadTargetUnit(tx: Queryable, principal: Principal, unitId: string): Promise<UnitRow> {
  const [unit] = await tx.select().from(units).where(eq(units.id, unitId))
  if (!unit || !isUnitInScope(principal, unit.path)) {
    throw fieldProblem(
      422,
      'unit_not_found',
      '/body/unit_id',
      msg('evidence:field.unit_not_found'),
      msg('evidence:detail.unit_not_found', { unitId }),
    )
  }
  if (unit.archivedAt)
    throw fieldProblem(
      422,
      'unit_archived',
      '/body/unit_id',
      msg('evidence:field.unit_archived'),
      msg('evidence:detail.unit_archived', { code: unit.code }),
    )
  return unit
}

export async function checkPeriodExists(
  tx: Queryable,
  periodId: string,
  pointer = '/body/period_id',
): Promise<{ id: string; code: string; year: number }> {
  const [period] = await tx
    .select({ id: periods.id, code: periods.code, year: periods.year })
    .from(periods)
    .where(eq(periods.id, periodId))
  if (!period)
    throw fieldProblem(
      422,
      'period_not_found',
      pointer,
      msg('evidence:field.period_not_found'),
      msg('evidence:detail.period_not_found', { periodId }),
    )
  return period
}

export interface NewEvidence {
  unitId: string
  periodId: string | null
  kind: EvidenceRow['kind']
  title: string
  url?: string | null
  fileName?: string | null
  mediaType?: string | null
  sizeBytes?: number | null
  sha256?: string | null
  effectiveDate?: string | null
  carriedFromId?: string | null
}

export async function insertEvidence(tx: Queryable, principal: Principal, input: NewEvidence): Promise<EvidenceRow> {
  const [row] = await tx
    .insert(evidence)
    .values({
      unitId: input.unitId,
      periodId: input.periodId,
      kind: input.kind,
      title: input.title.trim(),
      url: input.url ?? null,
      fileName: input.fileName ?? null,
      mediaType: input.mediaType ?? null,
      sizeBytes: input.sizeBytes ?? null,
      sha256: input.sha256 ?? null,
      effectiveDate: input.effectiveDate ?? null,
      carriedFromId: input.carriedFromId ?? null,
      uploadedById: principal.principalId,
      uploadedByName: principal.name,
    })
    .returning()
  assertReturned(row, 'insert')
  return row
}

/** A copy of `source` in a later period, pointing at the same link or file. */
export async function carryEvidence(
  tx: Queryable,
  principal: Principal,
  source: EvidenceRow,
  input: { periodId: string; title?: string; effectiveDate?: string | null },
): Promise<EvidenceRow> {
  const target = await checkPeriodExists(tx, input.periodId)
  if (source.periodId === target.id) {
    throw fieldProblem(
      422,
      'carry_same_period',
      '/body/period_id',
      msg('evidence:field.carry_same_period'),
      msg('evidence:detail.carry_same_period'),
    )
  }
  if (source.periodId) {
    const [from] = await tx
      .select({ year: periods.year, code: periods.code })
      .from(periods)
      .where(eq(periods.id, source.periodId))
    if (from && target.year < from.year) {
      throw fieldProblem(
        422,
        'carry_not_later',
        '/body/period_id',
        msg('evidence:field.carry_not_later', {
          code: target.code,
          year: target.year,
          code2: from.code,
          year2: from.year,
        }),
        msg('evidence:detail.carry_not_later'),
      )
    }
  }
  const [already] = await tx
    .select({ id: evidence.id })
    .from(evidence)
    .where(and(eq(evidence.carriedFromId, source.id), eq(evidence.periodId, target.id)))
  if (already) {
    throw new ProblemError(
      409,
      'evidence_already_carried',
      msg('evidence:evidence_already_carried', { code: target.code }),
      { existing_id: already.id },
    )
  }
  return insertEvidence(tx, principal, {
    unitId: source.unitId,
    periodId: target.id,
    kind: source.kind,
    title: input.title ?? source.title,
    url: source.url,
    fileName: source.fileName,
    mediaType: source.mediaType,
    sizeBytes: source.sizeBytes,
    sha256: source.sha256,
    effectiveDate: input.effectiveDate !== undefined ? input.effectiveDate : source.effectiveDate,
    carriedFromId: source.id,
  })
}

/** Refused with 409 evidence_referenced while answers (answer_evidence) refer to the item. */
export async function deleteEvidence(tx: Queryable, item: EvidenceRow): Promise<void> {
  try {
    await tx.delete(evidence).where(eq(evidence.id, item.id))
  } catch (error) {
    const code = pgError(error)?.code
    if (code === PG_FOREIGN_KEY_VIOLATION || code === PG_RESTRICT_VIOLATION) {
      throw new ProblemError(409, 'evidence_referenced', msg('evidence:evidence_referenced', { title: item.title }))
    }
    throw error
  }
}

const createdCursorSql = timestampCursorSql(evidence.createdAt)

export async function listEvidence(db: Queryable, principal: Principal, query: EvidenceListQuery, limit: number) {
  const conditions: (SQL | undefined)[] = [unitScopeCondition(principal, units.path)]
  if (query.unit_id) conditions.push(eq(evidence.unitId, query.unit_id))
  if (query.period_id) conditions.push(eq(evidence.periodId, query.period_id))
  if (query.kind) conditions.push(eq(evidence.kind, query.kind))
  if (query.sha256) conditions.push(eq(evidence.sha256, query.sha256))
  if (query.updated_since) conditions.push(gte(evidence.updatedAt, new Date(query.updated_since)))
  if (query.cursor) {
    conditions.push(afterTimestampCursor(query.cursor, 'created_at', evidence.createdAt, evidence.id))
  }
  const rows = await db
    .select({ item: evidence, cursorValue: createdCursorSql.mapWith(String) })
    .from(evidence)
    .innerJoin(units, eq(units.id, evidence.unitId))
    .where(and(...conditions))
    .orderBy(asc(evidence.createdAt), asc(evidence.id))
    .limit(limit + 1)
  const page = finishPage(rows, limit, 'created_at', (r) => ({ value: r.cursorValue, id: r.item.id }))
  return { items: page.items.map((r) => toEvidenceView(r.item)), next_cursor: page.next_cursor }
}
