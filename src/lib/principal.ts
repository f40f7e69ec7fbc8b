import type { Role } from './policy.js'

/** Who is calling: resolved from the bearer token on every request (no cache: revocation is immediate). */
export interface Principal {
  tokenId: string
  principalId: string | null
  name: string
  role: Role
  /** True for admins and for grants without a unit: every unit is in scope. */
  scopeAll: boolean
  /** Paths (see units.path) of the granted units; their subtrees are in scope. */
  scopePaths: string[]
}

/** The principal row behind a request's token (only the system acting on its own has none). */
export function principalRowId(p: Principal): string {
  if (p.principalId === null) throw new Error(`${p.name} acts without a principal row`)
  return p.principalId
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin on every non-public route. */
    principal: Principal
  }
}
