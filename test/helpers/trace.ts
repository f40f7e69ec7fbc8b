import { count } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { webhookDeliveries, webhookSubscriptions } from '../../src/modules/webhooks/tables.js'

/**
 * Every trace a write can leave outside the answers themselves: the audit chain's length (GET
 * /v1/audit/verify `checked`), the event feed (its items and cursor) and the webhook outbox.
 */
export async function traces(app: FastifyInstance, admin: Record<string, string>) {
  const verify = await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: admin })
  if (verify.statusCode !== 200) throw new Error(verify.body)
  const feed = await app.inject({ method: 'GET', url: '/v1/events?limit=500', headers: admin })
  if (feed.statusCode !== 200) throw new Error(feed.body)
  const [deliveries] = await app.db.select({ n: count() }).from(webhookDeliveries)
  return {
    audit_checked: verify.json().checked as number,
    events: (feed.json().items as { id: string }[]).map((e) => e.id),
    event_cursor: feed.json().next_cursor as string,
    webhook_deliveries: Number(deliveries?.n ?? 0),
  }
}

/** A webhook subscription for every event, so a write's deliveries show in the outbox. */
export async function subscribeEverything(app: FastifyInstance): Promise<void> {
  await app.db.insert(webhookSubscriptions).values({ url: 'https://hooks.example.org/zi', secretCiphertext: 'unused' })
}
