import type { Role } from '../../src/lib/policy.js'
import { appendAudit, systemActor } from '../../src/modules/audit/service.js'
import { systemContext } from '../../src/lib/command.js'
import { issueToken } from '../../src/modules/auth/commands.js'
import { principals, roleGrants } from '../../src/modules/auth/tables.js'
import type { TestContext } from './app.js'

let counter = 0

/**
 * A new principal holding `role` (limited to `unitIds` subtrees when given, else every unit)
 * and a token for it. Straight through the service layer: tests of other modules need a
 * caller, not the token API (which has its own tests).
 */
export async function createToken(
  ctx: Pick<TestContext, 'app'>,
  role: Role,
  opts: { unitIds?: string[]; name?: string; expiresAt?: Date } = {},
): Promise<string> {
  const name = opts.name ?? `${role} ${++counter}`
  return ctx.app.db.transaction(async (tx) => {
    const [principal] = await tx.insert(principals).values({ name, kind: 'user' }).returning()
    if (!principal) throw new Error('no principal')
    const unitIds = opts.unitIds && role !== 'admin' ? opts.unitIds : [null]
    for (const unitId of unitIds) await tx.insert(roleGrants).values({ principalId: principal.id, role, unitId })
    const actor = systemActor('test setup')
    await appendAudit(tx, actor, {
      action: 'principal.created',
      entityType: 'principal',
      entityId: principal.id,
      before: null,
      after: { name },
    })
    const token = await issueToken(tx, systemContext(ctx.app.db, 'test setup'), {
      principalId: principal.id,
      name,
      role,
      expiresAt: opts.expiresAt ?? null,
    })
    return token.token
  })
}

export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` })
