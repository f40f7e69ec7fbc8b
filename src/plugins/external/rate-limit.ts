import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Redis } from 'ioredis'
import { ProblemError } from '../../lib/problem.js'
import { msg } from '../../lib/i18n.js'

export interface RateLimitOptions {
  max: number
  timeWindowMs: number
  /** Counters in Redis, shared by every replica; without it, in this process's memory. */
  redisUrl?: string | undefined
  redisPrefix?: string
}

export interface RateLimits {
  readonly store: 'memory' | 'redis'
  /**
   * Counts one request against `key` ('ip:…' or 'tok:…'), sets the X-RateLimit-* headers and
   * throws 429 (Retry-After) when the window's budget is spent.
   */
  count(request: FastifyRequest, reply: FastifyReply, key: string): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimits
  }
}

const LIMIT_KEY = Symbol('rate limit key')
type Keyed = FastifyRequest & { [LIMIT_KEY]?: string }

/**
 * @fastify/rate-limit as a counter only: the auth plugin decides, per request, which budget a
 * request is charged to (its verified token, the client IP, or both) and calls `count` before
 * it answers anything, so 401s, 404s and the docs are limited too.
 */
export default fp<RateLimitOptions>(
  async (app, options) => {
    let redis: Redis | undefined
    if (options.redisUrl) {
      // Loaded only when used: the embedded default never pays its ~15 MB.
      const { Redis } = await import('ioredis')
      redis = new Redis(options.redisUrl, {
        // A Redis outage must cost a request at most a short wait, never an error (skipOnError).
        connectTimeout: 1000,
        commandTimeout: 1000,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        lazyConnect: false,
      })
      let lastLogged = 0
      redis.on('error', (error: Error) => {
        if (Date.now() - lastLogged < 10_000) return
        lastLogged = Date.now()
        app.log.warn(
          { err: { message: error.message } },
          'rate-limit Redis unavailable; requests are not limited meanwhile',
        )
      })
      // Commands are not queued while disconnected (they would pile up): wait for the first connection.
      const ready = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 3000)
        redis!.once('ready', () => {
          clearTimeout(timer)
          resolve(true)
        })
      })
      if (!ready) app.log.warn('rate-limit Redis not reachable at start-up; requests are not limited until it is')
      app.addHook('onClose', async () => {
        await redis?.quit().catch(() => redis?.disconnect())
      })
    }
    await app.register(rateLimit, {
      global: false,
      max: options.max,
      timeWindow: options.timeWindowMs,
      // An unreachable store must not turn into refusing every request.
      skipOnError: true,
      cache: 20_000,
      ...(redis ? { redis, nameSpace: options.redisPrefix ?? 'zi-rate-limit:' } : {}),
      keyGenerator: (request) => (request as Keyed)[LIMIT_KEY] ?? `ip:${request.ip}`,
    })
    const limiter = app.createRateLimit()
    const limits: RateLimits = {
      store: redis ? 'redis' : 'memory',
      async count(request, reply, key) {
        ;(request as Keyed)[LIMIT_KEY] = key
        const result = await limiter(request)
        if (result.isAllowed) return
        reply.header('x-ratelimit-limit', result.max)
        reply.header('x-ratelimit-remaining', result.remaining)
        reply.header('x-ratelimit-reset', result.ttlInSeconds)
        if (!result.isExceeded) return
        const wait = Math.max(1, result.ttlInSeconds)
        reply.header('retry-after', wait)
        throw new ProblemError(
          429,
          'rate_limited',
          msg('http:rate_limited', { max: result.max, seconds: Math.round(options.timeWindowMs / 1000), wait }),
          {},
          {
            'retry-after': String(wait),
          },
        )
      },
    }
    app.decorate('rateLimits', limits)
  },
  { name: 'rate-limit', dependencies: ['errors'] },
)
