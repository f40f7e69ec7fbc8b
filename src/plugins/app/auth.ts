import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import '../../lib/principal.js'
import { ProblemError } from '../../lib/problem.js'
import { authenticate, type AuthFailure } from '../../modules/auth/service.js'

const FAILURE_DETAIL: Record<AuthFailure, string> = {
  invalid_token: 'The bearer token is not valid.',
  token_expired: 'The bearer token has expired.',
  token_revoked: 'The bearer token has been revoked.',
  principal_disabled: 'The principal owning this token is disabled.',
  role_not_granted: "The token's role is no longer granted to its principal.",
}

/** The bearer token of a request, or null when there is no Authorization: Bearer header. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header)
  return match?.[1] ?? ''
}

/**
 * Authentication and the role gate, run first on every request (before the body is even
 * parsed): 401 without a valid token, 403 when the token's role is not in the route's policy.
 */
export default fp(
  async (app) => {
    app.decorateRequest('principal', null as never)
    app.addHook('onRequest', async (request) => {
      const policy = request.routeOptions.config.policy
      // Unknown routes (404 handler) have no policy and nothing to protect.
      if (!policy || 'public' in policy) return
      const token = bearerToken(request)
      const challenge = { 'www-authenticate': 'Bearer realm="zi-tracker"' }
      if (token === null) {
        throw new ProblemError(401, 'unauthenticated', 'This route needs an Authorization: Bearer <token> header.', {}, challenge)
      }
      const result = token === '' ? 'invalid_token' : await authenticate(app.db, token)
      if (typeof result === 'string') {
        throw new ProblemError(401, result, FAILURE_DETAIL[result], {}, {
          'www-authenticate': `Bearer realm="zi-tracker", error="invalid_token"`,
        })
      }
      request.principal = result
      if (!policy.roles.includes(result.role)) {
        throw new ProblemError(403, 'forbidden_role', `The role ${result.role} may not call this route; allowed: ${policy.roles.join(', ')}.`, {
          allowed_roles: policy.roles,
        })
      }
    })
  },
  { name: 'auth', dependencies: ['database', 'errors'] },
)
