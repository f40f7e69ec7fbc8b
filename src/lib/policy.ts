/** Roles a principal can hold (see README "Tokens and roles"). */
export const ROLES = ['admin', 'evaluator', 'unit_operator', 'viewer', 'integration'] as const
export type Role = (typeof ROLES)[number]

/**
 * Who may call a route, declared next to its schema in `config.policy`.
 * - `{ public: true }`: no token needed (health, docs).
 * - `{ roles: [...] }`: a valid token whose role is listed; 403 otherwise. Unit-scoped checks
 *   (404 for a unit outside the principal's scope) are made by the handler with the scope helpers.
 */
export type RoutePolicy = { public: true } | { roles: readonly Role[] }

declare module 'fastify' {
  interface FastifyContextConfig {
    policy?: RoutePolicy
  }
}
