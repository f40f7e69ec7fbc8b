import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import { openDatabase, type Database } from './db/client.js'
import databasePlugin from './plugins/database.js'
import errorsPlugin from './plugins/errors.js'
import swaggerPlugin from './plugins/swagger.js'
import authPlugin from './plugins/auth.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import { bootstrapAdmin } from './modules/auth/service.js'
import authRoutes from './modules/auth/routes.js'
import auditRoutes from './modules/audit/routes.js'
import { loggerOptions } from './lib/logger.js'
import './lib/policy.js'
import healthRoutes from './modules/health/routes.js'
import unitRoutes from './modules/units/routes.js'

export interface BuildAppOptions {
  config: Config
  /** An open, migrated database; when absent the app opens one from config and migrates it. */
  database?: Database
  /** Fastify logger option; defaults to pino with redaction at config.LOG_LEVEL. */
  logger?: FastifyServerOptions['logger']
  /** A pino destination for tests that read the log output. */
  logStream?: NodeJS.WritableStream
}

export type App = FastifyInstance

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { config } = options
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.LOG_LEVEL, options.logStream),
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
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: {
      customOptions: {
        // Unknown fields are an error, never silently dropped.
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: true,
      },
      plugins: [(await import('ajv-formats')).default as never],
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  // Every route must say who may call it; a route without a policy is a start-up error.
  app.addHook('onRoute', (route) => {
    const isDocs = route.url === '/docs' || route.url.startsWith('/docs/')
    if (isDocs) {
      route.config = { ...(route.config ?? {}), policy: { public: true } }
      return
    }
    const policy = route.config?.policy
    if (!policy) {
      throw new Error(`route ${route.method} ${route.url} declares no policy (config.policy)`)
    }
    // Document who may call it, so the OpenAPI document carries the policy too.
    // (onRoute runs again for the HEAD twin of a GET with the same schema object: add once.)
    if (route.schema && !route.schema.hide && !(route.schema as Record<string, unknown>)['x-roles']) {
      const who = 'public' in policy ? 'Public: no token needed.' : `Roles: ${policy.roles.join(', ')}.`
      route.schema.description = route.schema.description ? `${route.schema.description}\n\n${who}` : who
      ;(route.schema as Record<string, unknown>)['x-roles'] = 'public' in policy ? [] : [...policy.roles]
    }
  })

  const database =
    options.database ??
    (await (async () => {
      const opened = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolMax: config.DB_POOL_MAX })
      await opened.migrate()
      return opened
    })())

  await app.register(errorsPlugin)
  await app.register(databasePlugin, { database, closeOnShutdown: options.database === undefined })
  if (config.BOOTSTRAP_ADMIN_TOKEN) {
    const outcome = await bootstrapAdmin(database.db, config.BOOTSTRAP_ADMIN_TOKEN)
    app.log.info({ outcome }, 'bootstrap admin token')
  }
  await app.register(swaggerPlugin)
  await app.register(authPlugin)
  await app.register(rateLimitPlugin, { max: config.RATE_LIMIT_MAX, timeWindowMs: config.RATE_LIMIT_WINDOW_MS })
  await app.register(healthRoutes)
  await app.register(
    async (v1) => {
      await v1.register(authRoutes)
      await v1.register(auditRoutes, { prefix: '/audit' })
      await v1.register(unitRoutes, { prefix: '/units' })
    },
    { prefix: '/v1' },
  )
  return app
}
