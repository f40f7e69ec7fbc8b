import { randomUUID } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { and, asc, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db, type Queryable } from '../../db/connection.js'
import { decodeCursor, finishPage } from '../../lib/pagination.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { events } from '../events/tables.js'
import { units } from '../units/tables.js'
import { checkWebhookUrl, firstNonPublic, newSecret, sealSecret } from './rules.js'
import {
  webhookDeliveries,
  webhookDeliveryAttempts,
  webhookSubscriptions,
  type DeliveryStatus,
  type WebhookSubscriptionRow,
} from './tables.js'
import { assertReturned } from '../../lib/returned.js'
import { englishText, type Message, msg } from '../../lib/i18n.js'

export interface WebhookSettings {
  /** the AES-256 key sealing signing secrets; undefined when WEBHOOK_SECRET_KEY is not set */
  key: Buffer | undefined
  allowHosts: ReadonlySet<string>
}

export class TargetRefused extends Error {
  constructor(
    readonly rule: string,
    readonly reason: Message | string,
  ) {
    super(englishText(reason))
    this.name = 'TargetRefused'
  }
}

/**
 * The SSRF guard, at subscription time and again before every delivery: the URL must pass
 * checkWebhookUrl, and every address its host resolves to must be public — unless the host is in
 * WEBHOOK_ALLOW_HOSTS. Returns the address to connect to, so the request goes to the address that
 * was checked (a second DNS answer cannot swap in a private one).
 */
export async function resolveTarget(
  raw: string,
  allowHosts: ReadonlySet<string>,
): Promise<{ url: URL; address: string; family: 4 | 6 }> {
  const check = checkWebhookUrl(raw, allowHosts)
  if (!check.ok) throw new TargetRefused(check.rule, check.message)
  let addresses: { address: string; family: number }[]
  const literal = isIP(check.host)
  if (literal) addresses = [{ address: check.host, family: literal }]
  else {
    try {
      addresses = await lookup(check.host, { all: true, verbatim: true })
    } catch {
      throw new TargetRefused('unresolvable', msg('webhooks:target.unresolvable', { host: check.host }))
    }
  }
  if (addresses.length === 0)
    throw new TargetRefused('unresolvable', msg('webhooks:target.unresolvable', { host: check.host }))
  if (!check.allowed) {
    const bad = firstNonPublic(addresses.map((a) => a.address))
    if (bad)
      throw new TargetRefused(
        'address_not_public',
        msg('webhooks:target.address_not_public', { host: check.host, address: bad }),
      )
  }
  const first = addresses[0]!
  return { url: check.url, address: first.address, family: first.family === 6 ? 6 : 4 }
}

async function checkTarget(url: string, settings: WebhookSettings): Promise<void> {
  try {
    await resolveTarget(url, settings.allowHosts)
  } catch (error) {
    if (!(error instanceof TargetRefused)) throw error
    throw new ProblemError(422, 'webhook_url_refused', msg('webhooks:webhook_url_refused', { message: error.reason }), {
      errors: [{ pointer: '/body/url', rule: error.rule, message: error.reason }],
    })
  }
}

function requireKey(settings: WebhookSettings): Buffer {
  if (!settings.key) {
    throw new ProblemError(503, 'webhooks_not_configured', msg('webhooks:webhooks_not_configured'))
  }
  return settings.key
}

async function checkUnit(db: Queryable, unitId: string | null | undefined): Promise<void> {
  if (!unitId) return
  const [unit] = await db.select({ id: units.id }).from(units).where(eq(units.id, unitId))
  if (!unit) {
    throw new ProblemError(422, 'unit_not_found', msg('webhooks:unit_not_found', { unitId }), {
      errors: [{ pointer: '/body/unit_id', rule: 'unit_not_found', message: msg('webhooks:field.unit_not_found') }],
    })
  }
}

export function toWebhookView(row: WebhookSubscriptionRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    event_types: row.eventTypes,
    unit_id: row.unitId,
    active: row.active,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
  }
}

export interface WebhookInput {
  url: string
  description?: string | null
  event_types?: string[]
  unit_id?: string | null
  active?: boolean
}

/** A new subscription and its signing secret (returned once, stored sealed). */
export async function createSubscription(
  tx: Queryable,
  /** the principal subscribing (null: the system) */
  createdBy: string | null,
  body: WebhookInput,
  settings: WebhookSettings,
) {
  const key = requireKey(settings)
  await checkTarget(body.url, settings)
  await checkUnit(tx, body.unit_id)
  const id = randomUUID()
  const secret = newSecret()
  const [row] = await tx
    .insert(webhookSubscriptions)
    .values({
      id,
      url: body.url,
      description: body.description ?? null,
      eventTypes: [...new Set(body.event_types ?? [])].sort(),
      unitId: body.unit_id ?? null,
      secretCiphertext: sealSecret(key, secret, id),
      active: body.active ?? true,
      createdBy,
    })
    .returning()
  assertReturned(row, 'insert')
  return { row, secret }
}

export async function loadSubscription(
  db: Queryable,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<WebhookSubscriptionRow> {
  const query = db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id))
  const [row] = opts.forUpdate ? await query.for('update') : await query
  if (!row) throw notFound('webhook', id)
  return row
}

export async function updateSubscription(
  tx: Queryable,
  current: WebhookSubscriptionRow,
  patch: Partial<WebhookInput>,
  settings: WebhookSettings,
) {
  if (patch.url !== undefined && patch.url !== current.url) await checkTarget(patch.url, settings)
  if (patch.unit_id) await checkUnit(tx, patch.unit_id)
  const [row] = await tx
    .update(webhookSubscriptions)
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.event_types !== undefined ? { eventTypes: [...new Set(patch.event_types)].sort() } : {}),
      ...(patch.unit_id !== undefined ? { unitId: patch.unit_id } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      updatedAt: sql`now()`,
      version: sql`${webhookSubscriptions.version} + 1`,
    })
    .where(eq(webhookSubscriptions.id, current.id))
    .returning()
  assertReturned(row, 'update')
  return row
}

export async function rotateSecret(tx: Queryable, current: WebhookSubscriptionRow, settings: WebhookSettings) {
  const key = requireKey(settings)
  const secret = newSecret()
  const [row] = await tx
    .update(webhookSubscriptions)
    .set({
      secretCiphertext: sealSecret(key, secret, current.id),
      updatedAt: sql`now()`,
      version: sql`${webhookSubscriptions.version} + 1`,
    })
    .where(eq(webhookSubscriptions.id, current.id))
    .returning()
  assertReturned(row, 'update')
  return { row, secret }
}

export async function listSubscriptions(db: Queryable, limit: number, cursor: string | undefined) {
  const conditions: (SQL | undefined)[] = []
  if (cursor) {
    const at = decodeCursor(cursor, 'created_at')
    const value = sql`${String(at.value)}::timestamptz`
    conditions.push(
      or(
        sql`${webhookSubscriptions.createdAt} > ${value}`,
        and(sql`${webhookSubscriptions.createdAt} = ${value}`, sql`${webhookSubscriptions.id} > ${at.id}`),
      ),
    )
  }
  const rows = await db
    .select({
      row: webhookSubscriptions,
      at: sql<string>`to_char(${webhookSubscriptions.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(webhookSubscriptions)
    .where(and(...conditions))
    .orderBy(asc(webhookSubscriptions.createdAt), asc(webhookSubscriptions.id))
    .limit(limit + 1)
  const page = finishPage(rows, limit, 'created_at', (r) => ({ value: r.at, id: r.row.id }))
  return { items: page.items.map((r) => toWebhookView(r.row)), next_cursor: page.next_cursor }
}

/** The delivery log of a subscription, newest event first, each delivery with its attempts. */
export async function listDeliveries(
  db: Queryable,
  subscriptionId: string,
  opts: { limit: number; cursor?: string; status?: DeliveryStatus },
) {
  const conditions: (SQL | undefined)[] = [eq(webhookDeliveries.subscriptionId, subscriptionId)]
  if (opts.status) conditions.push(eq(webhookDeliveries.status, opts.status))
  if (opts.cursor) {
    const at = decodeCursor(opts.cursor, 'event')
    if (!/^\d{1,18}$/.test(at.id)) throw new ProblemError(400, 'invalid_cursor', msg('webhooks:invalid_cursor'))
    conditions.push(lt(webhookDeliveries.eventId, Number(at.id)))
  }
  const rows = await db
    .select({ d: webhookDeliveries, type: events.type })
    .from(webhookDeliveries)
    .innerJoin(events, eq(events.id, webhookDeliveries.eventId))
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.eventId))
    .limit(opts.limit + 1)
  const page = finishPage(rows, opts.limit, 'event', (r) => ({ value: null, id: String(r.d.eventId) }))
  const attempts =
    page.items.length === 0
      ? []
      : await db
          .select()
          .from(webhookDeliveryAttempts)
          .where(
            inArray(
              webhookDeliveryAttempts.deliveryId,
              page.items.map((r) => r.d.id),
            ),
          )
          .orderBy(asc(webhookDeliveryAttempts.attempt), asc(webhookDeliveryAttempts.id))
  const byDelivery = new Map<string, typeof attempts>()
  for (const a of attempts) byDelivery.set(a.deliveryId, [...(byDelivery.get(a.deliveryId) ?? []), a])
  return {
    items: page.items.map(({ d, type }) => ({
      id: d.id,
      event_id: String(d.eventId),
      event_type: type,
      status: d.status,
      attempts: d.attempts,
      next_attempt_at: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
      last_status_code: d.lastStatusCode,
      last_error: d.lastError,
      delivered_at: d.deliveredAt?.toISOString() ?? null,
      created_at: d.createdAt.toISOString(),
      log: (byDelivery.get(d.id) ?? []).map((a) => ({
        attempt: a.attempt,
        started_at: a.startedAt.toISOString(),
        duration_ms: a.durationMs,
        status_code: a.statusCode,
        error: a.error,
        response_excerpt: a.responseExcerpt,
      })),
    })),
    next_cursor: page.next_cursor,
  }
}

// ---------------------------------------------------------------------------------------------
// Worker side

export interface ClaimedDelivery {
  id: string
  subscriptionId: string
  eventId: number
  attempt: number
}

/**
 * Claims due deliveries: FOR UPDATE SKIP LOCKED, so several replicas take different rows, and a
 * lease (next_attempt_at pushed past the attempt's timeout) committed at once, so the HTTP call
 * runs outside any transaction. A replica that dies mid-attempt leaves the row to be claimed
 * again when the lease ends (at-least-once).
 */
export async function claimDeliveries(db: Queryable, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const rows = await queryRows<{ id: string; subscription_id: string; event_id: string; attempts: number }>(
    db,
    sql`with due as (
      select d.id from webhook_deliveries d
      join webhook_subscriptions s on s.id = d.subscription_id and s.active
      where d.status = 'pending' and d.next_attempt_at <= now()
      order by d.next_attempt_at, d.id
      limit ${limit}
      for update of d skip locked
    )
    update webhook_deliveries d
      set attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
    from due where d.id = due.id
    returning d.id, d.subscription_id, d.event_id::text as event_id, d.attempts`,
  )
  return rows.map((r) => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    eventId: Number(r.event_id),
    attempt: Number(r.attempts),
  }))
}

export interface AttemptRecord {
  delivery: ClaimedDelivery
  startedAt: Date
  durationMs: number
  statusCode: number | null
  error: string | null
  excerpt: string | null
  outcome: 'delivered' | 'retry' | 'failed'
  retryInMs: number
}

/** Logs the attempt and moves the delivery on — unless another worker re-claimed it meanwhile (its lease had ended). */
export async function recordAttempt(db: Db, r: AttemptRecord): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(webhookDeliveryAttempts).values({
      deliveryId: r.delivery.id,
      attempt: r.delivery.attempt,
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      statusCode: r.statusCode,
      error: r.error,
      responseExcerpt: r.excerpt,
    })
    await tx
      .update(webhookDeliveries)
      .set({
        status: r.outcome === 'retry' ? 'pending' : r.outcome,
        lastStatusCode: r.statusCode,
        lastError: r.error,
        ...(r.outcome === 'delivered' ? { deliveredAt: sql`now()` } : {}),
        ...(r.outcome === 'retry' ? { nextAttemptAt: sql`now() + make_interval(secs => ${r.retryInMs / 1000})` } : {}),
      })
      .where(
        and(
          eq(webhookDeliveries.id, r.delivery.id),
          eq(webhookDeliveries.attempts, r.delivery.attempt),
          eq(webhookDeliveries.status, 'pending'),
        ),
      )
  })
}

export async function loadForDelivery(db: Queryable, claimed: ClaimedDelivery[]) {
  const subs = await db
    .select()
    .from(webhookSubscriptions)
    .where(inArray(webhookSubscriptions.id, [...new Set(claimed.map((c) => c.subscriptionId))]))
  const evs = await db
    .select()
    .from(events)
    .where(inArray(events.id, [...new Set(claimed.map((c) => c.eventId))]))
  return { subscriptions: new Map(subs.map((s) => [s.id, s])), events: new Map(evs.map((e) => [e.id, e])) }
}
