import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import { openDatabase, type Database } from './db/connection.js'
import databasePlugin from './plugins/app/database.js'
import errorsPlugin, { frameworkErrorHandler } from './plugins/app/errors.js'
import i18nPlugin from './plugins/app/i18n.js'
import swaggerPlugin from './plugins/external/swagger.js'
import helmetPlugin from './plugins/external/helmet.js'
import corsPlugin from './plugins/external/cors.js'
import authPlugin from './plugins/app/auth.js'
import rateLimitPlugin from './plugins/external/rate-limit.js'
import idempotencyPlugin from './modules/idempotency/plugin.js'
import multipartPlugin from './plugins/external/multipart.js'
import { bootstrapAdmin } from './modules/auth/commands.js'
import authRoutes from './modules/auth/routes.js'
import auditRoutes from './modules/audit/routes.js'
import { loggerOptions } from './lib/logger.js'
import policyPlugin from './plugins/app/policy.js'
import healthRoutes from './modules/health/routes.js'
import { unitSchemas } from './modules/units/schemas.js'
import evidenceRoutes from './modules/evidence/routes.js'
import { instrumentSchemas } from './modules/instruments/schemas.js'
import { seedInstruments } from './modules/instruments/service.js'
import { applySeedCorrections } from './modules/upgrades/instrument-corrections.js'
import eventRoutes from './modules/events/routes.js'
import webhookRoutes from './modules/webhooks/routes.js'
import { assessmentSchemas } from './modules/assessments/schemas.js'
import portalrbRoutes from './modules/portalrb/routes.js'
import benchRoutes from './modules/bench/routes.js'
import surveyRoutes from './modules/survey/routes.js'
import publicSurveyRoutes from './modules/survey/public-routes.js'
import actionRoutes from './modules/actions/routes.js'
import {
  assessmentsHome,
  dashboardsHome,
  declarationsHome,
  instrumentsHome,
  periodsHome,
  unitsHome,
} from './routes/index.js'
import { createEvidenceStore, type EvidenceStore } from './modules/evidence/storage.js'
import { parseLinkKey } from './modules/evidence/links.js'
import { IsolatedWork } from './lib/isolated-work.js'
import { keyFromDataDir } from './lib/key-file.js'
import { hasAdmin } from './modules/auth/service.js'
import metricsPlugin from './plugins/app/metrics.js'
import precisionPlugin from './plugins/app/precision.js'
import workersPlugin from './workers/index.js'
import notificationRoutes from './modules/notifications/routes.js'
import { smtpConfigured } from './modules/notifications/rules.js'

export interface BuildAppOptions {
  config: Config
  /** An open, migrated database; when absent the app opens one from config and migrates it. */
  database?: Database
  /** Fastify logger option; defaults to pino with redaction at config.LOG_LEVEL. */
  logger?: FastifyServerOptions['logger']
  /** A pino destination for tests that read the log output. */
  logStream?: NodeJS.WritableStream
  /** An evidence store; when absent the app makes the configured one (EVIDENCE_STORE). */
  evidenceStore?: EvidenceStore
}

export type App = FastifyInstance

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { config } = options
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.LOG_LEVEL, options.logStream, config.LOG_FORMAT),
    // Honour a caller's X-Request-Id when it is a sane token, else make one.
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id']
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID()
    },
    trustProxy: config.TRUST_PROXY,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Explicit server timeouts: slow clients must not hold sockets forever.
    connectionTimeout: 30_000,
    keepAliveTimeout: 72_000,
    requestTimeout: 60_000,
    // Headers must arrive within 30 s (below requestTimeout), so a slow-headers client cannot pin a socket.
    http: { headersTimeout: 30_000 },
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler(config.PORTALRB_BASE_PATH),
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: {
      customOptions: {
        // Unknown fields are an error, never silently dropped.
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: true,
        // Some schemas are deliberately a `type` list (AnswerValue: see its comment), which strict mode warns about.
        allowUnionTypes: true,
        // The precision a response number is read at (src/lib/precision.ts); no effect on validation.
        keywords: ['x-precision'],
      },
      plugins: [(await import('ajv-formats')).default as never],
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  // The reply's language, before any hook that may refuse the request.
  await app.register(i18nPlugin, { defaultLanguage: config.DEFAULT_LANGUAGE })
  // Every route must say who may call it: registered before the first route.
  await app.register(policyPlugin)

  const database =
    options.database ??
    (await (async () => {
      const opened = await openDatabase({
        databaseUrl: config.DATABASE_URL,
        dataDir: config.DATA_DIR,
        poolMax: config.DB_POOL_MAX,
      })
      await opened.migrate()
      return opened
    })())

  await app.register(errorsPlugin)
  await app.register(precisionPlugin)
  // Before auth and rate limits: every answer (401, 429 too) carries the headers; preflights need no token.
  await app.register(helmetPlugin)
  await app.register(corsPlugin, { origins: config.CORS_ORIGINS })
  // Schemas referred to by $ref across modules; on the root so the OpenAPI document lists them.
  for (const schema of [...unitSchemas, ...instrumentSchemas, ...assessmentSchemas]) app.addSchema(schema)
  await app.register(databasePlugin, { database, closeOnShutdown: options.database === undefined })
  if (config.METRICS_ENABLED) await app.register(metricsPlugin, { database })
  if (config.BOOTSTRAP_ADMIN_TOKEN) {
    const outcome = await bootstrapAdmin(database.db, config.BOOTSTRAP_ADMIN_TOKEN)
    app.log.info({ outcome }, 'bootstrap admin token')
  }
  // The official instrument ships with the service, published, so a new install can score at once.
  const seeded = await seedInstruments(database.db)
  if (seeded === 'created') app.log.info('seeded the bundled LKE instrument')
  // An install seeded by an earlier release moves onto the corrected rules (docs/scoring.md).
  const corrected = await applySeedCorrections(database.db)
  if (corrected)
    app.log.info(corrected, `corrected the seeded instrument: ${corrected.from.code} → ${corrected.to.code}`)
  if (!config.BOOTSTRAP_ADMIN_TOKEN && !(await hasAdmin(database.db))) {
    app.log.warn(
      `No admin yet. Create the first admin token with: ${config.DATABASE_URL ? '' : 'stop the server, then '}npm run cli -- token create --role admin --name "<your name>" (Docker image: node dist/src/cli/admin.js token create --role admin --name "<your name>"), or start once with BOOTSTRAP_ADMIN_TOKEN set to a secret of 32+ characters.`,
    )
  }
  // On the embedded database (one process, no operator-set keys yet) the keys are made once into
  // DATA_DIR; on PostgreSQL only when asked for (KEYS_IN_DATA_DIR, e.g. docker-compose.yml's volume).
  const generateKeys = config.KEYS_IN_DATA_DIR ?? (options.database === undefined && !config.DATABASE_URL)
  const keys: Pick<Config, 'WEBHOOK_SECRET_KEY' | 'EVIDENCE_LINK_KEY'> = {
    WEBHOOK_SECRET_KEY: config.WEBHOOK_SECRET_KEY,
    EVIDENCE_LINK_KEY: config.EVIDENCE_LINK_KEY,
  }
  for (const [variable, file] of [
    ['WEBHOOK_SECRET_KEY', 'webhook-secret.key'],
    ['EVIDENCE_LINK_KEY', 'evidence-link.key'],
  ] as const) {
    if (keys[variable] || !generateKeys) continue
    const made = await keyFromDataDir(config.DATA_DIR, file)
    keys[variable] = made.key
    if (made.created)
      app.log.info(
        { path: made.path },
        `${variable} is not set: generated a key into ${made.path} (mode 0600); keep it with backups of DATA_DIR`,
      )
    else app.log.info({ path: made.path }, `${variable} is not set: using the key generated earlier in ${made.path}`)
  }
  if (!keys.EVIDENCE_LINK_KEY)
    app.log.warn(
      'EVIDENCE_LINK_KEY is not set: evidence links sent to PortalRB need its integration token (evaluators cannot open them in a browser)',
    )
  const evidenceStore = options.evidenceStore ?? (await createEvidenceStore(config))
  if (!options.evidenceStore) app.addHook('onClose', async () => evidenceStore.close())
  const linkKey = keys.EVIDENCE_LINK_KEY ? parseLinkKey(keys.EVIDENCE_LINK_KEY) : undefined
  // One gate per process for every uploaded file that is parsed (workbooks, master soal): bounded, off-thread.
  const uploads = new IsolatedWork({
    concurrency: config.IMPORT_CONCURRENCY,
    queue: config.IMPORT_QUEUE,
    timeoutMs: config.IMPORT_TIMEOUT_MS,
    memoryMb: config.IMPORT_WORKER_MEMORY_MB,
  })
  await app.register(swaggerPlugin, { bench: config.BENCH_ROUTES })
  // The limiter first: the auth hook counts every request before it answers (401s too).
  await app.register(rateLimitPlugin, {
    max: config.RATE_LIMIT_MAX,
    timeWindowMs: config.RATE_LIMIT_WINDOW_MS,
    redisUrl: config.REDIS_URL,
    redisPrefix: config.RATE_LIMIT_REDIS_PREFIX,
  })
  await app.register(authPlugin, {
    cacheTtlMs: config.AUTH_CACHE_TTL_MS,
    cacheMax: config.AUTH_CACHE_MAX,
    usageFlushMs: config.TOKEN_USAGE_FLUSH_MS,
  })
  await app.register(idempotencyPlugin, { ttlHours: config.IDEMPOTENCY_TTL_HOURS })
  await app.register(multipartPlugin, { maxFileBytes: config.EVIDENCE_MAX_BYTES })
  await app.register(healthRoutes)
  await app.register(
    async (v1) => {
      // One registration per prefix; a shared prefix's home (src/routes/index.ts) lists its files.
      await v1.register(authRoutes)
      await v1.register(auditRoutes, { prefix: '/audit' })
      await v1.register(unitsHome, { prefix: '/units', uploads })
      await v1.register(periodsHome, { prefix: '/periods', uploads })
      await v1.register(declarationsHome, { prefix: '/declarations' })
      await v1.register(evidenceRoutes, {
        prefix: '/evidence',
        store: evidenceStore,
        linkKey,
        linkTtlDays: config.EVIDENCE_LINK_TTL_DAYS,
        publicBaseUrl: config.PUBLIC_BASE_URL,
      })
      await v1.register(instrumentsHome, { prefix: '/instruments', uploads })
      await v1.register(assessmentsHome, {
        prefix: '/assessments',
        workbook: { maxBytes: config.WORKBOOK_MAX_BYTES, uploads, publicBaseUrl: config.PUBLIC_BASE_URL },
      })
      await v1.register(dashboardsHome, { prefix: '/dashboards' })
      await v1.register(eventRoutes, { prefix: '/events', config: { ...config, ...keys } })
      await v1.register(webhookRoutes, { prefix: '/webhooks', config: { ...config, ...keys } })
      if (config.BENCH_ROUTES) await v1.register(benchRoutes, { prefix: '/bench' })
      await v1.register(surveyRoutes, { prefix: '/survey', publicBaseUrl: config.PUBLIC_BASE_URL, uploads })
      await v1.register(actionRoutes, { prefix: '/actions' })
      await v1.register(notificationRoutes, {
        prefix: '/notifications',
        enabled: smtpConfigured(config),
        digestHour: config.NOTIFY_DIGEST_HOUR,
      })
    },
    { prefix: '/v1' },
  )
  // Survei mandiri: the respondents' form, without an account (src/modules/survey/public-routes.ts).
  await app.register(publicSurveyRoutes, {
    prefix: '/s',
    submitMax: config.SURVEY_SUBMIT_MAX,
    submitWindowMs: config.SURVEY_SUBMIT_WINDOW_MS,
  })
  // Background work (plan counts, change-feed purge, webhook delivery): started here, never by routes.
  await app.register(workersPlugin, { config: { ...config, ...keys } })
  // PortalRB (KemenPANRB) pulls proposals and LKE answers here, with the guide's own error body.
  await app.register(portalrbRoutes, {
    basePath: config.PORTALRB_BASE_PATH,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    store: evidenceStore,
    linkKey,
    linkTtlDays: config.EVIDENCE_LINK_TTL_DAYS,
  })
  return app
}
