/**
 * Notice preference writes (src/lib/command.ts): a person changing their own, and the
 * unsubscribe link. Each owns its transaction and its audit record; a write that changes
 * nothing leaves no trace.
 */
import { eq, sql } from 'drizzle-orm'
import type { Tx } from '../../db/connection.js'
import { audit, type CommandContext } from '../../lib/command.js'
import { msg } from '../../lib/i18n.js'
import { ProblemError } from '../../lib/problem.js'
import { principals } from '../auth/tables.js'
import { ALL_KINDS, NOTICE_KINDS, muteKind, readUnsubscribeToken, verifyUnsubscribe, type Delivery } from './rules.js'
import type { PreferencesPatch } from './schemas.js'
import { ensurePreferences } from './service.js'
import { noticePreferences, type NoticePreferencesRow } from './tables.js'

const auditView = (p: NoticePreferencesRow) => ({
  language: p.language,
  delivery: p.delivery,
  muted_kinds: p.mutedKinds,
})

async function lockPreferences(ctx: CommandContext, tx: Tx, principalId: string) {
  await ensurePreferences(tx, principalId)
  const [row] = await tx
    .select()
    .from(noticePreferences)
    .where(eq(noticePreferences.principalId, principalId))
    .for('update')
  if (!row) throw new Error(`no notice preferences for ${principalId} (${ctx.principal.name})`)
  return row
}

async function write(
  tx: Tx,
  current: NoticePreferencesRow,
  next: { language: 'id' | 'en'; delivery: Delivery; mutedKinds: string[] },
): Promise<NoticePreferencesRow> {
  const [row] = await tx
    .update(noticePreferences)
    .set({ ...next, updatedAt: sql`now()`, version: sql`${noticePreferences.version} + 1` })
    .where(eq(noticePreferences.principalId, current.principalId))
    .returning()
  if (!row) throw new Error('notice preferences vanished')
  return row
}

/** A person changes their own notice preferences (language, immediate or digest, kinds on or off). */
export async function updateNoticePreferences(
  ctx: CommandContext,
  input: { principalId: string; patch: PreferencesPatch },
): Promise<NoticePreferencesRow> {
  return ctx.db.transaction(async (tx) => {
    const current = await lockPreferences(ctx, tx, input.principalId)
    const muted = new Set(current.mutedKinds)
    for (const kind of NOTICE_KINDS) {
      const on = input.patch.kinds?.[kind]
      if (on === true) muted.delete(kind)
      if (on === false) muted.add(kind)
    }
    const next = {
      language: input.patch.language ?? current.language,
      delivery: input.patch.delivery ?? current.delivery,
      mutedKinds: [...muted].sort(),
    }
    if (
      next.language === current.language &&
      next.delivery === current.delivery &&
      next.mutedKinds.join() === [...current.mutedKinds].sort().join()
    )
      return current
    const updated = await write(tx, current, next)
    await audit(tx, ctx, {
      action: 'notice_preferences.updated',
      entityType: 'principal',
      entityId: input.principalId,
      before: auditView(current),
      after: auditView(updated),
    })
    return updated
  })
}

/**
 * The unsubscribe link: the token names a person and a kind (or every kind) and is signed with
 * that person's secret. An unknown person, a wrong signature or a malformed token all get the
 * same 404, so the route tells nothing about who exists.
 */
export async function unsubscribe(ctx: CommandContext, input: { token: string }): Promise<{ kind: string }> {
  const invalid = () => new ProblemError(404, 'unsubscribe_token_invalid', msg('notifications:token_invalid'))
  const claim = readUnsubscribeToken(input.token)
  if (!claim) throw invalid()
  return ctx.db.transaction(async (tx) => {
    const [person] = await tx.select({ id: principals.id }).from(principals).where(eq(principals.id, claim.principalId))
    if (!person) throw invalid()
    const [existing] = await tx
      .select()
      .from(noticePreferences)
      .where(eq(noticePreferences.principalId, claim.principalId))
      .for('update')
    if (!existing || !verifyUnsubscribe(existing.unsubscribeSecret, input.token)) throw invalid()
    const mutedKinds = muteKind(existing.mutedKinds, claim.kind)
    if (mutedKinds.join() === [...existing.mutedKinds].sort().join()) return { kind: claim.kind }
    const updated = await write(tx, existing, { language: existing.language, delivery: existing.delivery, mutedKinds })
    await audit(tx, ctx, {
      action: claim.kind === ALL_KINDS ? 'notice_preferences.unsubscribed_all' : 'notice_preferences.unsubscribed',
      entityType: 'principal',
      entityId: claim.principalId,
      before: auditView(existing),
      after: auditView(updated),
    })
    return { kind: claim.kind }
  })
}
