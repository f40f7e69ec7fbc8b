import http from 'node:http'
import https from 'node:https'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../../db/connection.js'
import { isDatabaseUnavailable } from '../../lib/db-errors.js'
import { englishText } from '../../lib/i18n.js'
import { eventView } from '../events/service.js'
import { openSecret, outcomeOf, retryDelayMs, signatureHeader } from './rules.js'
import {
  TargetRefused,
  claimDeliveries,
  loadForDelivery,
  recordAttempt,
  resolveTarget,
  type ClaimedDelivery,
} from './service.js'
import { Pause } from '../../lib/periodic.js'

export interface WorkerOptions {
  db: Db
  log: FastifyBaseLogger
  key: Buffer | undefined
  allowHosts: ReadonlySet<string>
  pollMs: number
  maxAttempts: number
  retryBaseMs: number
  timeoutMs: number
  /** deliveries claimed per round (they are sent concurrently) */
  batchSize?: number
}

const EXCERPT_CHARS = 500
const MAX_RESPONSE_BYTES = 64 * 1024

interface PostResult {
  statusCode: number
  excerpt: string
}

/** One POST to the checked address (the URL's host is still sent as Host and TLS server name). */
function post(
  target: { url: URL; address: string; family: 4 | 6 },
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostResult> {
  const client = target.url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
    }
    const req = client.request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: false,
        lookup: ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
          if (options?.all) callback(null, [{ address: target.address, family: target.family }])
          else callback(null, target.address, target.family)
        }) as never,
      },
      (res) => {
        let excerpt = ''
        let received = 0
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          received += chunk.length
          if (excerpt.length < EXCERPT_CHARS) excerpt += chunk.slice(0, EXCERPT_CHARS - excerpt.length)
          if (received > MAX_RESPONSE_BYTES) {
            res.destroy()
            finish(() => resolve({ statusCode: res.statusCode ?? 0, excerpt }))
          }
        })
        res.on('end', () => finish(() => resolve({ statusCode: res.statusCode ?? 0, excerpt })))
        res.on('error', (err) => finish(() => reject(err)))
      },
    )
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    req.on('error', (err) => finish(() => reject(err)))
    req.end(body)
  })
}

/**
 * Delivers the webhook outbox: claims due rows (FOR UPDATE SKIP LOCKED, so replicas share the
 * work), POSTs each signed event, records the attempt, and retries failures with exponential
 * backoff up to maxAttempts. `stop()` ends the loop after the attempts in flight.
 */
export class WebhookWorker {
  private running = false
  private loop: Promise<void> | undefined
  private readonly pause = new Pause()
  private readonly batchSize: number

  constructor(private readonly options: WorkerOptions) {
    this.batchSize = options.batchSize ?? 10
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.running = false
    this.pause.interrupt()
    await this.loop
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0
      try {
        claimed = await this.round()
      } catch (err) {
        // The database down or restarting: the next round tries again (nothing was claimed).
        if (isDatabaseUnavailable(err))
          this.options.log.warn({ err }, 'webhook worker round skipped: database unavailable')
        else this.options.log.error({ err }, 'webhook worker round failed')
      }
      if (this.running && claimed < this.batchSize) await this.pause.for(this.options.pollMs)
    }
  }

  /** One round: claim, deliver concurrently, record. Returns how many were claimed. */
  async round(): Promise<number> {
    const { db, timeoutMs } = this.options
    const claimed = await claimDeliveries(db, this.batchSize, timeoutMs + 30_000)
    if (claimed.length === 0) return 0
    const loaded = await loadForDelivery(db, claimed)
    await Promise.all(claimed.map((c) => this.deliver(c, loaded)))
    return claimed.length
  }

  private async deliver(delivery: ClaimedDelivery, loaded: Awaited<ReturnType<typeof loadForDelivery>>): Promise<void> {
    const { db, log, key, allowHosts, maxAttempts, retryBaseMs, timeoutMs } = this.options
    const startedAt = new Date()
    const started = performance.now()
    let statusCode: number | null = null
    let error: string | null = null
    let excerpt: string | null = null
    try {
      const subscription = loaded.subscriptions.get(delivery.subscriptionId)
      const event = loaded.events.get(delivery.eventId)
      if (!subscription || !event) throw new Error('subscription or event no longer exists')
      if (!key) throw new Error('WEBHOOK_SECRET_KEY is not set: cannot sign')
      let secret: string
      try {
        secret = openSecret(key, subscription.secretCiphertext, subscription.id)
      } catch {
        throw new Error('the signing secret cannot be opened with the current WEBHOOK_SECRET_KEY (rotate the secret)')
      }
      const target = await resolveTarget(subscription.url, allowHosts)
      const view = eventView(event)
      const body = JSON.stringify({ type: view.type, timestamp: view.occurred_at, data: view })
      const timestamp = Math.floor(Date.now() / 1000)
      const result = await post(
        target,
        {
          'content-type': 'application/json',
          'user-agent': 'zi-tracker-webhooks/1',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureHeader(secret, delivery.id, timestamp, body),
        },
        body,
        timeoutMs,
      )
      statusCode = result.statusCode
      excerpt = result.excerpt || null
      if (statusCode < 200 || statusCode >= 300) error = `the receiver answered ${statusCode}`
    } catch (err) {
      error =
        err instanceof TargetRefused
          ? `refused (${err.rule}): ${englishText(err.reason)}`
          : err instanceof Error
            ? err.message
            : String(err)
    }
    const outcome = outcomeOf(error === null ? statusCode : null, delivery.attempt, maxAttempts)
    const durationMs = Math.round(performance.now() - started)
    try {
      await recordAttempt(db, {
        delivery,
        startedAt,
        durationMs,
        statusCode,
        error,
        excerpt,
        outcome,
        retryInMs: retryDelayMs(delivery.attempt, retryBaseMs, Math.random()),
      })
    } catch (err) {
      log.error({ err, delivery: delivery.id }, 'could not record a webhook attempt')
    }
    if (outcome !== 'delivered')
      log.warn(
        { delivery: delivery.id, attempt: delivery.attempt, outcome, statusCode, error },
        'webhook delivery failed',
      )
  }
}
