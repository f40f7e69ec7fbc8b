import type { FastifyBaseLogger } from 'fastify'
import nodemailer, { type Transporter } from 'nodemailer'
import type { Config } from '../../config.js'
import type { Db } from '../../db/connection.js'
import { isDatabaseUnavailable } from '../../lib/db-errors.js'
import { createMessages, type Messages } from '../../lib/i18n.js'
import { retryDelayMs } from '../webhooks/rules.js'
import { digestMail, noticeMail, type MailContent, type MailSettings } from './mail.js'
import {
  claimDue,
  createOverdueActionNotices,
  createReminders,
  loadRecipient,
  recordAttempt,
  scanEvents,
  type AttemptOutcome,
  type Recipient,
} from './service.js'
import type { NoticeRow } from './tables.js'
import { Pause } from '../../lib/periodic.js'

type SmtpSettings = Pick<Config, 'SMTP_URL' | 'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_SECURE' | 'SMTP_USER' | 'SMTP_PASSWORD'>

const SMTP_TIMEOUT_MS = 20_000

/** The nodemailer transport of the SMTP settings (one connection per mail; no pool to leak). */
export function smtpTransport(c: SmtpSettings): Transporter {
  const timeouts = {
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  }
  if (c.SMTP_URL) return nodemailer.createTransport({ url: c.SMTP_URL, ...timeouts } as never)
  return nodemailer.createTransport({
    host: c.SMTP_HOST,
    port: c.SMTP_PORT,
    secure: c.SMTP_SECURE,
    ...(c.SMTP_USER ? { auth: { user: c.SMTP_USER, pass: c.SMTP_PASSWORD ?? '' } } : {}),
    ...timeouts,
  })
}

export interface NotifyWorkerOptions {
  db: Db
  log: FastifyBaseLogger
  transport: Transporter
  from: string
  /** PUBLIC_BASE_URL (the links in mails) */
  baseUrl: string
  pollMs: number
  maxAttempts: number
  retryBaseMs: number
  digestHour: number
  /** the clock (tests move it instead of sleeping) */
  now?: () => Date
  /** persons whose notices are sent per round */
  batchSize?: number
}

/** How long a claimed notice is left to this replica before another may take it. */
const LEASE_MS = 5 * 60_000

/**
 * The notice worker: each round turns new change-feed events into notices (the cursor row is
 * locked: one replica reads each event), makes the reminders due (unique keys: each made once
 * whichever replica ticks), then mails what is due (each person's notices claimed with SKIP
 * LOCKED: one replica mails them; a digest person's due notices go in one mail), recording every
 * attempt and retrying failures with exponential backoff up to maxAttempts.
 */
export class NotifyWorker {
  private running = false
  private stopping = false
  private loop: Promise<void> | undefined
  private readonly pause = new Pause()
  private readonly messages: Messages
  private readonly now: () => Date
  private readonly mail: MailSettings

  constructor(private readonly options: NotifyWorkerOptions) {
    this.messages = createMessages('id')
    this.now = options.now ?? (() => new Date())
    this.mail = { baseUrl: options.baseUrl.replace(/\/+$/, '') }
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.running = false
    this.stopping = true
    this.pause.interrupt()
    await this.loop
    this.options.transport.close()
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.tick()
      } catch (err) {
        if (isDatabaseUnavailable(err))
          this.options.log.warn({ err }, 'notice worker round skipped: database unavailable')
        else this.options.log.error({ err }, 'notice worker round failed')
      }
      if (this.running) await this.pause.for(this.options.pollMs)
    }
  }

  /** One round: the feed, the reminders, then the mails due. */
  async tick(): Promise<{ notices: number; mails: number }> {
    const now = this.now()
    const settings = { digestHour: this.options.digestHour }
    let made = 0
    for (;;) {
      const scanned = await scanEvents(this.options.db, now, settings)
      if (!scanned) break
      made += scanned.notices
      if (scanned.events === 0) break
    }
    made += await createReminders(this.options.db, now, settings)
    made += await createOverdueActionNotices(this.options.db, now, settings)
    let mails = 0
    for (;;) {
      const sent = await this.deliverRound()
      mails += sent.mails
      if (sent.claimed === 0 || this.stopping) break
    }
    return { notices: made, mails }
  }

  /** Claims the due notices of a few persons and mails them. */
  private async deliverRound(): Promise<{ claimed: number; mails: number }> {
    const { db, batchSize } = this.options
    const claimed = await claimDue(db, this.now(), LEASE_MS, batchSize ?? 10)
    if (claimed.length === 0) return { claimed: 0, mails: 0 }
    const byRecipient = new Map<string, NoticeRow[]>()
    for (const n of claimed) byRecipient.set(n.recipientId, [...(byRecipient.get(n.recipientId) ?? []), n])
    let mails = 0
    for (const [recipientId, list] of byRecipient) mails += await this.deliverTo(recipientId, list)
    return { claimed: claimed.length, mails }
  }

  private async deliverTo(recipientId: string, list: NoticeRow[]): Promise<number> {
    const { db } = this.options
    const who = await loadRecipient(db, recipientId)
    const skip = (n: NoticeRow[], error: string) => this.record(n, { error, messageId: null, final: 'skipped' })
    if (!who || who.disabled) {
      await skip(list, 'the person is disabled')
      return 0
    }
    if (!who.email) {
      await skip(list, 'the person has no e-mail address')
      return 0
    }
    const muted = list.filter((n) => who.preferences.mutedKinds.includes(n.kind))
    if (muted.length > 0) await skip(muted, 'unsubscribed from this kind')
    const live = list.filter((n) => !who.preferences.mutedKinds.includes(n.kind))
    const digest = live.filter((n) => n.digest)
    const single = live.filter((n) => !n.digest)
    let mails = 0
    const t = this.messages.translator(who.preferences.language)
    const to = { id: who.id, secret: who.preferences.unsubscribeSecret }
    for (const n of single) mails += await this.send(who, [n], noticeMail(t, this.mail, to, n))
    if (digest.length === 1) mails += await this.send(who, digest, noticeMail(t, this.mail, to, digest[0] as NoticeRow))
    else if (digest.length > 1) mails += await this.send(who, digest, digestMail(t, this.mail, to, digest))
    return mails
  }

  private async send(who: Recipient, list: NoticeRow[], mail: MailContent): Promise<number> {
    let outcome: AttemptOutcome
    try {
      const info = (await this.options.transport.sendMail({
        from: this.options.from,
        to: { name: who.name, address: who.email as string },
        subject: mail.subject,
        text: mail.text,
        headers: mail.headers,
      })) as { messageId?: string; rejected?: unknown[] }
      outcome =
        Array.isArray(info.rejected) && info.rejected.length > 0
          ? { error: `the SMTP server refused the recipient ${who.email}`, messageId: null }
          : { error: null, messageId: info.messageId ?? null }
    } catch (err) {
      outcome = { error: err instanceof Error ? err.message : String(err), messageId: null }
    }
    await this.record(list, outcome)
    if (outcome.error !== null)
      this.options.log.warn(
        { notices: list.map((n) => n.id), attempt: Math.max(...list.map((n) => n.attempts)), error: outcome.error },
        'notice mail failed',
      )
    return outcome.error === null ? 1 : 0
  }

  private async record(list: NoticeRow[], outcome: AttemptOutcome): Promise<void> {
    if (list.length === 0) return
    const attempt = Math.max(...list.map((n) => n.attempts))
    try {
      await recordAttempt(this.options.db, list, outcome, {
        now: this.now(),
        retryInMs: retryDelayMs(attempt, this.options.retryBaseMs, Math.random()),
        maxAttempts: this.options.maxAttempts,
      })
    } catch (err) {
      this.options.log.error({ err, notices: list.map((n) => n.id) }, 'could not record a notice attempt')
    }
  }
}
