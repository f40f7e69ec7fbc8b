import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import '../../lib/principal.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError } from '../../lib/problem.js'
import { listenChannel, type ChannelListener } from '../../db/notifications.js'
import { recordTokenUse, verifyToken, type AuthFailure } from '../../modules/auth/service.js'
import { AUTH_CHANNEL, TokenCache, TokenUsage } from '../../modules/auth/token-cache.js'
import { hashToken } from '../../modules/auth/tokens.js'
import { type Message, msg } from '../../lib/i18n.js'

const FAILURE_DETAIL: Record<AuthFailure, Message> = {
  invalid_token: msg('auth:failure.invalid_token'),
  token_expired: msg('auth:failure.token_expired'),
  token_revoked: msg('auth:failure.token_revoked'),
  principal_disabled: msg('auth:failure.principal_disabled'),
  role_not_granted: msg('auth:failure.role_not_granted'),
}

/** The bearer token of a request, or null when there is no Authorization: Bearer header. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header)
  return match?.[1] ?? ''
}

export interface AuthPluginOptions {
  /** Safety lifetime of a cached verified token; 0: no cache. */
  cacheTtlMs: number
  cacheMax: number
  /** How often last_used_at is written. */
  usageFlushMs: number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A successful call changes who may do what (a token revoked, a principal disabled, a grant
     * changed, a unit moved): this process drops its verified tokens before answering, so the
     * caller's very next request is checked afresh; other replicas drop them on the NOTIFY.
     */
    changesAccess?: boolean
  }
  interface FastifyInstance {
    auth: {
      cache: TokenCache
      listener: ChannelListener
      /** Writes the recorded token uses now (also runs every usageFlushMs and on close). */
      flushUsage(): Promise<void>
    }
  }
}

/**
 * Rate limiting, authentication and the role gate, run first on every request (before the body
 * is even parsed). Each request is counted before anything is answered: against its token when
 * the token is verified, and against the client IP when it carries no token or one this process
 * has not verified yet (so guessing tokens spends the IP's budget). Then 401 without a valid
 * token, 403 when the token's role is not in the route's policy. Health checks are exempt.
 */
export default fp<AuthPluginOptions>(
  async (app, options) => {
    const usage = new TokenUsage()
    let listener: ChannelListener | null = null
    const cache = new TokenCache({
      max: options.cacheMax,
      ttlMs: Math.max(1, options.cacheTtlMs),
      listening: () => options.cacheTtlMs > 0 && listener !== null && listener.listening,
    })
    listener = await listenChannel(app.database, AUTH_CHANNEL, {
      onMessage: (payload) => cache.invalidate(payload),
      onReset: () => cache.clear(),
      onError: (error) =>
        app.log.warn(
          { err: { message: error.message } },
          'auth notifications: listening connection lost; token cache off until it is back',
        ),
    })

    let flushing: Promise<void> | null = null
    const flushUsage = async (): Promise<void> => {
      if (flushing) await flushing
      const batch = usage.drain()
      if (batch.ids.length === 0) return
      flushing = recordTokenUse(app.db, batch).catch((error: Error) => {
        usage.restore(batch)
        app.log.warn({ err: { message: error.message } }, 'could not record token use; retrying at the next flush')
      })
      try {
        await flushing
      } finally {
        flushing = null
      }
    }
    const timer = setInterval(() => void flushUsage(), options.usageFlushMs)
    timer.unref()
    app.addHook('onClose', async () => {
      clearInterval(timer)
      await flushUsage()
      await listener?.close()
    })
    app.decorate('auth', { cache, listener, flushUsage })
    app.addHook('onSend', async (request, reply) => {
      if (request.routeOptions.config.changesAccess && reply.statusCode < 400) cache.clear()
    })

    app.decorateRequest('principal', null as never)
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url?.startsWith('/health/')) return
      const policy = request.routeOptions.config.policy
      const token = bearerToken(request)
      const hash = token ? hashToken(token) : null
      const cached = hash ? cache.get(hash) : undefined
      if (!cached) await app.rateLimits.count(request, reply, `ip:${request.ip}`)
      // Unknown routes (404 handler), the docs and other public routes: counted, nothing to protect.
      if (!policy || 'public' in policy) {
        if (cached) await app.rateLimits.count(request, reply, `tok:${cached.tokenId}`)
        return
      }
      if (token === null) {
        throw new ProblemError(
          401,
          'unauthenticated',
          msg('auth:unauthenticated'),
          {},
          { 'www-authenticate': 'Bearer realm="zi-tracker"' },
        )
      }
      let principal: Principal
      if (cached) {
        principal = cached
      } else {
        const ticket = cache.ticket()
        const result = token === '' ? 'invalid_token' : await verifyToken(app.db, token)
        if (typeof result === 'string') {
          throw new ProblemError(
            401,
            result,
            FAILURE_DETAIL[result],
            {},
            {
              'www-authenticate': `Bearer realm="zi-tracker", error="invalid_token"`,
            },
          )
        }
        principal = result.principal
        cache.set(ticket, hash!, principal, result.expiresAt)
      }
      await app.rateLimits.count(request, reply, `tok:${principal.tokenId}`)
      usage.touch(principal.tokenId)
      request.principal = principal
      if (!policy.roles.includes(principal.role)) {
        throw new ProblemError(
          403,
          'forbidden_role',
          msg('auth:forbidden_role', { role: principal.role, roles: policy.roles.join(', ') }),
          {
            allowed_roles: policy.roles,
          },
        )
      }
    })
  },
  { name: 'auth', dependencies: ['database', 'errors', 'rate-limit'] },
)
