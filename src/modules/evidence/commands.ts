import type { Tx } from '../../db/connection.js'
import { audit, type CommandContext } from '../../lib/command.js'
import { ProblemError } from '../../lib/problem.js'
import { isHttpUrl } from './rules.js'
import type { CarryBody, CreateLinkBody, UploadFields } from './schemas.js'
import {
  carryEvidence,
  checkPeriodExists,
  deleteEvidence as removeEvidence,
  insertEvidence,
  loadTargetUnit,
  loadVisibleEvidence,
  toEvidenceView,
  type NewEvidence,
} from './service.js'
import type { EvidenceStore } from './storage.js'
import type { EvidenceRow } from './tables.js'
import type { UploadedFile } from './upload-form.js'
import { msg } from '../../lib/i18n.js'

/**
 * A new item for a unit in the caller's scope (422 unit_not_found, unit_archived,
 * period_not_found); `beforeInsert` runs after those checks, inside the transaction. Audited
 * `evidence.created`.
 */
function addEvidence(
  ctx: CommandContext,
  target: { unitId: string; periodId: string | undefined },
  item: Omit<NewEvidence, 'unitId' | 'periodId'>,
  beforeInsert?: () => Promise<void>,
): Promise<EvidenceRow> {
  return ctx.db.transaction(async (tx: Tx) => {
    const unit = await loadTargetUnit(tx, ctx.principal, target.unitId)
    if (target.periodId) await checkPeriodExists(tx, target.periodId)
    await beforeInsert?.()
    const created = await insertEvidence(tx, ctx.principal, {
      ...item,
      unitId: unit.id,
      periodId: target.periodId ?? null,
    })
    await audit(tx, ctx, {
      action: 'evidence.created',
      entityType: 'evidence',
      entityId: created.id,
      before: null,
      after: toEvidenceView(created),
    })
    return created
  })
}

/** Records a link as evidence (400 unless an http(s) URL with a host). */
export async function createEvidenceLink(ctx: CommandContext, input: CreateLinkBody): Promise<EvidenceRow> {
  if (!isHttpUrl(input.url)) {
    throw new ProblemError(400, 'validation_failed', msg('evidence:validation_failed'), {
      errors: [{ pointer: '/body/url', rule: 'format', message: msg('evidence:field.format') }],
    })
  }
  return addEvidence(
    ctx,
    { unitId: input.unit_id, periodId: input.period_id },
    { kind: 'link', title: input.title, url: input.url, effectiveDate: input.effective_date ?? null },
  )
}

/**
 * Records a received file as evidence: the staged upload is moved to its content address inside
 * the transaction, before the row, so a row never names a missing file. The caller discards the
 * staging copy afterwards, whatever happened.
 */
export async function createEvidenceFile(
  ctx: CommandContext,
  input: { fields: UploadFields; file: UploadedFile; store: EvidenceStore },
): Promise<EvidenceRow> {
  const { fields, file, store } = input
  return addEvidence(
    ctx,
    { unitId: fields.unit_id, periodId: fields.period_id },
    {
      kind: 'file',
      title: fields.title ?? (file.fileName || 'file'),
      fileName: file.fileName || null,
      mediaType: file.declaredType,
      sizeBytes: file.upload.size,
      sha256: file.upload.sha256,
      effectiveDate: fields.effective_date ?? null,
    },
    () => store.commit(file.upload),
  )
}

/** Carries a visible item into a later period (a new item, same link or file); audited `evidence.carried`. */
export async function carryEvidenceItem(ctx: CommandContext, input: { id: string } & CarryBody): Promise<EvidenceRow> {
  return ctx.db.transaction(async (tx) => {
    const { item } = await loadVisibleEvidence(tx, ctx.principal, input.id)
    const created = await carryEvidence(tx, ctx.principal, item, {
      periodId: input.period_id,
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.effective_date !== undefined ? { effectiveDate: input.effective_date } : {}),
    })
    await audit(tx, ctx, {
      action: 'evidence.carried',
      entityType: 'evidence',
      entityId: created.id,
      before: null,
      after: toEvidenceView(created),
    })
    return created
  })
}

/** Deletes a visible item nothing refers to (409 evidence_referenced); the stored file stays. Audited `evidence.deleted`. */
export async function deleteEvidence(ctx: CommandContext, input: { id: string }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const { item } = await loadVisibleEvidence(tx, ctx.principal, input.id, { forUpdate: true })
    await removeEvidence(tx, item)
    await audit(tx, ctx, {
      action: 'evidence.deleted',
      entityType: 'evidence',
      entityId: item.id,
      before: toEvidenceView(item),
      after: null,
    })
  })
}
