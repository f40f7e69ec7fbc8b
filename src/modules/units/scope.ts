import { type SQL, sql } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Principal } from '../../lib/principal.js'

/** True when the unit at `unitPath` lies inside one of the principal's scope subtrees. */
export function isUnitInScope(principal: Principal, unitPath: string): boolean {
  return principal.scopeAll || principal.scopePaths.some((p) => unitPath.startsWith(p))
}

/**
 * A WHERE condition keeping only units inside the principal's scope (a prefix match on the
 * indexed `path`), or undefined when every unit is in scope.
 */
export function unitScopeCondition(principal: Principal, pathColumn: AnyPgColumn | SQL): SQL | undefined {
  if (principal.scopeAll) return undefined
  if (principal.scopePaths.length === 0) return sql`false`
  // Paths are "/uuid/uuid/" strings: no LIKE metacharacters can occur in them.
  const ors = principal.scopePaths.map((p) => sql`${pathColumn} like ${`${p}%`}`)
  return sql`(${sql.join(ors, sql` or `)})`
}
