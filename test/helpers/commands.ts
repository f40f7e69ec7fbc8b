import type { Db } from '../../src/db/connection.js'
import type { CommandContext } from '../../src/lib/command.js'
import type { Role } from '../../src/lib/policy.js'
import { principals } from '../../src/modules/auth/tables.js'

/**
 * A command context for a new principal holding `role` (on the subtrees of `scopePaths`, or every
 * unit when left out): for command tests, which need a caller but no HTTP request.
 */
export async function commandContext(
  db: Db,
  role: Role,
  opts: { scopePaths?: string[]; requestId?: string } = {},
): Promise<CommandContext> {
  const name = `${role} (command test)`
  const [principal] = await db.insert(principals).values({ name, kind: 'user' }).returning()
  if (!principal) throw new Error('no principal')
  const requestId = opts.requestId ?? `req-${principal.id.slice(0, 8)}`
  return {
    db,
    principal: {
      tokenId: 'test',
      principalId: principal.id,
      name,
      role,
      scopeAll: opts.scopePaths === undefined,
      scopePaths: opts.scopePaths ?? [],
    },
    actor: { principalId: principal.id, name, role, requestId, ip: null },
    requestId,
  }
}
