import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { runPeriodically } from '../lib/periodic.js'
import { purgeEvents } from './feed-purge.js'
import { refreshPlanCounts } from '../modules/planner/service.js'
import { parseAllowHosts, parseSecretKey } from '../modules/webhooks/rules.js'
import { WebhookWorker } from '../modules/webhooks/worker.js'
import { smtpConfigured } from '../modules/notifications/rules.js'
import { NotifyWorker, smtpTransport } from '../modules/notifications/worker.js'

/**
 * Every background job of the process, started here and nowhere else (route plugins serve
 * requests only). Each has a setting to turn it off in this process (docs/operations.md); all of
 * them start when the app is ready and stop before it closes. Several replicas may run each one:
 * the jobs share the work through the database (try-locks, SKIP LOCKED, version checks).
 */
export interface WorkerOptions {
  config: Pick<
    Config,
    | 'PLAN_WORKER'
    | 'EVENTS_PURGE_WORKER'
    | 'EVENTS_RETENTION_DAYS'
    | 'WEBHOOK_WORKER'
    | 'WEBHOOK_SECRET_KEY'
    | 'WEBHOOK_ALLOW_HOSTS'
    | 'WEBHOOK_POLL_MS'
    | 'WEBHOOK_MAX_ATTEMPTS'
    | 'WEBHOOK_RETRY_BASE_MS'
    | 'WEBHOOK_TIMEOUT_MS'
    | 'NOTIFY_WORKER'
    | 'NOTIFY_POLL_MS'
    | 'NOTIFY_MAX_ATTEMPTS'
    | 'NOTIFY_RETRY_BASE_MS'
    | 'NOTIFY_DIGEST_HOUR'
    | 'SMTP_URL'
    | 'SMTP_HOST'
    | 'SMTP_PORT'
    | 'SMTP_SECURE'
    | 'SMTP_USER'
    | 'SMTP_PASSWORD'
    | 'SMTP_FROM'
    | 'PUBLIC_BASE_URL'
    | 'PORT'
  >
}

const PLAN_WORKER_EVERY_MS = 1000
/** the plan worker leaves a stage written in the last 10 s: a script writing batch after batch is planned once it stops */
const PLAN_QUIET_MS = 10_000
const PURGE_EVERY_MS = 60 * 60 * 1000

export default fp<WorkerOptions>(
  async (app, { config }) => {
    // The plan counts of the dashboards' "closest by changes" (planner/service.ts): every replica
    // fills in pending counts each second (an indexed no-op when none are pending) once a stage
    // has been quiet for 10 s; at start it fills in every count left pending (earlier stages).
    if (config.PLAN_WORKER) {
      const filled = await refreshPlanCounts(app.db)
      if (filled > 0) app.log.info({ stages: filled }, 'filled in the plan counts of earlier stages')
      runPeriodically(app, {
        what: 'plan counts',
        everyMs: PLAN_WORKER_EVERY_MS,
        task: async () => {
          await refreshPlanCounts(app.db, { maxRounds: 1, quietMs: PLAN_QUIET_MS })
        },
      })
    }

    // Change-feed retention: every replica tries hourly; a try-lock lets one of them do it.
    const retentionDays = config.EVENTS_RETENTION_DAYS
    if (config.EVENTS_PURGE_WORKER && retentionDays > 0) {
      runPeriodically(app, {
        what: 'change-feed purge',
        everyMs: PURGE_EVERY_MS,
        task: async () => {
          const done = await purgeEvents(app.db, retentionDays)
          if (done && done.deleted > 0)
            app.log.info({ deleted: done.deleted, purged_through: done.purgedThrough }, 'change-feed events purged')
        },
      })
    }

    // Webhook delivery: claims due deliveries with SKIP LOCKED; stops after the attempts in flight.
    if (config.WEBHOOK_WORKER) {
      const worker = new WebhookWorker({
        db: app.db,
        log: app.log.child({ component: 'webhook-worker' }),
        key: config.WEBHOOK_SECRET_KEY ? parseSecretKey(config.WEBHOOK_SECRET_KEY) : undefined,
        allowHosts: parseAllowHosts(config.WEBHOOK_ALLOW_HOSTS),
        pollMs: config.WEBHOOK_POLL_MS,
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      })
      app.addHook('onReady', async () => worker.start())
      app.addHook('preClose', async () => worker.stop())
    }

    // Notices by e-mail (docs/notifications.md): from the change feed and the windows' dates,
    // mailed over SMTP. On by default when SMTP is configured; never without it.
    if (config.NOTIFY_WORKER ?? smtpConfigured(config)) {
      if (!smtpConfigured(config))
        app.log.warn('NOTIFY_WORKER is on but SMTP_URL / SMTP_HOST is not set: no notices are made or sent')
      else {
        const worker = new NotifyWorker({
          db: app.db,
          log: app.log.child({ component: 'notify-worker' }),
          transport: smtpTransport(config),
          from: config.SMTP_FROM,
          baseUrl: config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`,
          pollMs: config.NOTIFY_POLL_MS,
          maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
          retryBaseMs: config.NOTIFY_RETRY_BASE_MS,
          digestHour: config.NOTIFY_DIGEST_HOUR,
        })
        app.addHook('onReady', async () => worker.start())
        app.addHook('preClose', async () => worker.stop())
      }
    }
  },
  { name: 'workers', dependencies: ['database'] },
)
