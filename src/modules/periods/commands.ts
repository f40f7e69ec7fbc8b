import { checkIfMatch } from '../../lib/etag.js'
import { audit, type CommandContext } from '../../lib/command.js'
import type { CreatePeriodBody, PatchPeriodBody, ReopenBody } from './schemas.js'
import {
  databaseNow,
  insertPeriod,
  loadPeriod,
  patchPeriodRow,
  removePeriod,
  reopenWindowRow,
  toPeriodView,
} from './service.js'
import type { PeriodRow, WindowName } from './tables.js'

/** The If-Match header a caller sent (undefined: no precondition). */
interface Precondition {
  ifMatch?: string | undefined
}

/** Creates a period; audited `period.created`. */
export async function createPeriod(ctx: CommandContext, input: CreatePeriodBody): Promise<PeriodRow> {
  return ctx.db.transaction(async (tx) => {
    const created = await insertPeriod(tx, input)
    await audit(tx, ctx, {
      action: 'period.created',
      entityType: 'period',
      entityId: created.id,
      before: null,
      after: toPeriodView(created, await databaseNow(tx)),
    })
    return created
  })
}

/** Changes the fields sent (the period row locked, If-Match checked); audited `period.updated`. */
export async function updatePeriod(
  ctx: CommandContext,
  input: { id: string; patch: PatchPeriodBody } & Precondition,
): Promise<PeriodRow> {
  return ctx.db.transaction(async (tx) => {
    const current = await loadPeriod(tx, input.id, { forUpdate: true })
    checkIfMatch(input.ifMatch, current, 'period')
    const updated = await patchPeriodRow(tx, current, input.patch)
    const now = await databaseNow(tx)
    await audit(tx, ctx, {
      action: 'period.updated',
      entityType: 'period',
      entityId: current.id,
      before: toPeriodView(current, now),
      after: toPeriodView(updated, now),
    })
    return updated
  })
}

/** Reopens one window until an instant, by the caller; audited `period.window_reopened` with the reason. */
export async function reopenPeriodWindow(
  ctx: CommandContext,
  input: { id: string; window: WindowName } & ReopenBody,
): Promise<PeriodRow> {
  const { id, window } = input
  return ctx.db.transaction(async (tx) => {
    const current = await loadPeriod(tx, id, { forUpdate: true })
    const updated = await reopenWindowRow(tx, current, window, {
      until: input.until,
      reason: input.reason,
      by: ctx.principal.principalId,
    })
    const now = await databaseNow(tx)
    await audit(tx, ctx, {
      action: 'period.window_reopened',
      entityType: 'period',
      entityId: current.id,
      before: { window, ...toPeriodView(current, now).windows[window] },
      after: { window, ...toPeriodView(updated, now).windows[window], reason: input.reason },
    })
    return updated
  })
}

/** Deletes a period nothing refers to yet (409 period_referenced otherwise); audited `period.deleted`. */
export async function deletePeriod(ctx: CommandContext, input: { id: string } & Precondition): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const current = await loadPeriod(tx, input.id, { forUpdate: true })
    checkIfMatch(input.ifMatch, current, 'period')
    const now = await databaseNow(tx)
    await removePeriod(tx, current)
    await audit(tx, ctx, {
      action: 'period.deleted',
      entityType: 'period',
      entityId: current.id,
      before: toPeriodView(current, now),
      after: null,
    })
  })
}
