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

/** Route policy presets shared by the modules (`config: READERS` …). */
export const ADMIN = { policy: { roles: ['admin'] as const } }
/** Every role: what any valid token may read (scope still applies). */
export const READERS = { policy: { roles: ROLES } }
/** Who writes a unit's own records (declarations, evidence). */
export const UNIT_WRITERS = { policy: { roles: ['admin', 'unit_operator'] as const } }
/** Who works on assessment stages (answers, transitions, workbook imports). */
export const WORKERS = { policy: { roles: ['admin', 'evaluator', 'unit_operator'] as const } }
/** The PortalRB and benchmark integration token only. */
export const INTEGRATION = { policy: { roles: ['integration'] as const } }
