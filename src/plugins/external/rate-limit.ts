import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import { sql } from 'drizzle-orm'
import type { Db } from '../../db/connection.js'
import { queryRows } from '../../db/connection.js'
import { ProblemError } from '../../lib/problem.js'
import { tokenPrefix, bootstrapTokenParts } from '../../modules/auth/tokens.js'
import { bearerToken } from '../app/auth.js'

export interface RateLimitOptions {
  max: number
  timeWindowMs: number
}

type IncrCallback = (err: Error | null, result?: { current: number; ttl: number }) => void

/**
 * A fixed-window counter in PostgreSQL, so every replica shares the same limits (the embedded
 * PGlite default works the same, without Redis). One upsert per request.
 */
function postgresStore(db: Db) {
  return class PostgresRateLimitStore {
    constructor(readonly options: unknown) {}
    incr(key: string, cb: IncrCallback, timeWindow: number): void {
      queryRows<{ count: number; ttl: number }>(
        db,
        sql`insert into rate_limit_buckets as b (key, count, reset_at)
            values (${key}, 1, now() + make_interval(secs => ${timeWindow / 1000}))
            on conflict (key) do update set
              count = case when b.reset_at <= now() then 1 else b.count + 1 end,
              reset_at = case when b.reset_at <= now() then excluded.reset_at else b.reset_at end
            returning count, greatest(0, ceil(extract(epoch from (reset_at - now())) * 1000))::int as ttl`,
      ).then(
        ([row]) => {
          // Expired windows are swept now and then so random keys cannot grow the table forever.
          if (Math.random() < 0.01) void db.execute(sql`delete from rate_limit_buckets where reset_at < now()`).catch(() => {})
          cb(null, { current: row?.count ?? 1, ttl: row?.ttl ?? timeWindow })
        },
        (err: Error) => cb(err),
      )
    }
    child(options: unknown) {
      return new PostgresRateLimitStore(options)
    }
  }
}

/** Requests are counted per token when one is sent (by its public prefix), else per client IP. */
export default fp<RateLimitOptions>(
  async (app, options) => {
    await app.register(rateLimit, {
      global: true,
      hook: 'onRequest',
      max: options.max,
      timeWindow: options.timeWindowMs,
      store: postgresStore(app.db) as never,
      // A database hiccup must not turn into refusing every request.
      skipOnError: true,
      keyGenerator: (request) => {
        const token = bearerToken(request)
        if (token) return `tok:${tokenPrefix(token) ?? bootstrapTokenParts(token).prefix}`
        return `ip:${request.ip}`
      },
      allowList: (request) => request.url.startsWith('/health/'),
      errorResponseBuilder: (_request, context) =>
        new ProblemError(429, 'rate_limited', `Too many requests: the limit is ${context.max} per ${context.after}. Retry after ${context.after}.`, {}, {}),
    })
  },
  { name: 'rate-limit', dependencies: ['database', 'errors'] },
)
