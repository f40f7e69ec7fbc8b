import { eq } from 'drizzle-orm'
import type { Tx } from '../../db/connection.js'
import { lockWrites } from '../../db/locks.js'
import { audit, type CommandContext } from '../../lib/command.js'
import { checkIfMatch } from '../../lib/etag.js'
import {
  createSubscription,
  loadSubscription,
  rotateSecret,
  toWebhookView,
  updateSubscription,
  type WebhookInput,
  type WebhookSettings,
} from './service.js'
import { webhookSubscriptions, type WebhookSubscriptionRow } from './tables.js'

/** A subscription with its signing secret, shown to the caller once. */
export interface WithSecret {
  row: WebhookSubscriptionRow
  secret: string
}

/**
 * The locks of a write to a subscription, in their order: the write lock first (see lockWrites),
 * then the row; 404 when it is gone, 412 when If-Match (if sent) names another version.
 */
async function lockSubscription(tx: Tx, id: string, ifMatch?: string): Promise<WebhookSubscriptionRow> {
  await lockWrites(tx)
  const current = await loadSubscription(tx, id, { forUpdate: true })
  checkIfMatch(ifMatch, current, 'webhook')
  return current
}

/** Subscribes a URL (checked public and https); audited `webhook.created`. */
export async function createWebhook(
  ctx: CommandContext,
  input: { subscription: WebhookInput; settings: WebhookSettings },
): Promise<WithSecret> {
  return ctx.db.transaction(async (tx) => {
    const created = await createSubscription(tx, ctx.actor.principalId, input.subscription, input.settings)
    await audit(tx, ctx, {
      action: 'webhook.created',
      entityType: 'webhook_subscription',
      entityId: created.row.id,
      before: null,
      after: toWebhookView(created.row),
    })
    return created
  })
}

/** Changes the fields sent (a new URL checked again); audited `webhook.updated`. */
export async function updateWebhook(
  ctx: CommandContext,
  input: { id: string; patch: Partial<WebhookInput>; ifMatch?: string | undefined; settings: WebhookSettings },
): Promise<WebhookSubscriptionRow> {
  return ctx.db.transaction(async (tx) => {
    const current = await lockSubscription(tx, input.id, input.ifMatch)
    const updated = await updateSubscription(tx, current, input.patch, input.settings)
    await audit(tx, ctx, {
      action: 'webhook.updated',
      entityType: 'webhook_subscription',
      entityId: current.id,
      before: toWebhookView(current),
      after: toWebhookView(updated),
    })
    return updated
  })
}

/** Deletes a subscription and its delivery log; audited `webhook.deleted`. */
export async function deleteWebhook(ctx: CommandContext, input: { id: string; ifMatch?: string | undefined }) {
  await ctx.db.transaction(async (tx) => {
    const current = await lockSubscription(tx, input.id, input.ifMatch)
    await tx.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, current.id))
    await audit(tx, ctx, {
      action: 'webhook.deleted',
      entityType: 'webhook_subscription',
      entityId: current.id,
      before: toWebhookView(current),
      after: null,
    })
  })
}

/** Replaces the signing secret (retries of earlier deliveries are signed with the new one); audited `webhook.secret_rotated`. */
export async function rotateWebhookSecret(
  ctx: CommandContext,
  input: { id: string; settings: WebhookSettings },
): Promise<WithSecret> {
  return ctx.db.transaction(async (tx) => {
    const current = await lockSubscription(tx, input.id)
    const rotated = await rotateSecret(tx, current, input.settings)
    await audit(tx, ctx, {
      action: 'webhook.secret_rotated',
      entityType: 'webhook_subscription',
      entityId: current.id,
      before: { version: current.version },
      after: { version: rotated.row.version },
    })
    return rotated
  })
}
