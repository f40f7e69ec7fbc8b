import { systemContext } from '../../src/lib/command.js'
import type { Role } from '../../src/lib/policy.js'
import { issueToken } from '../../src/modules/auth/commands.js'
import { principals, roleGrants } from '../../src/modules/auth/tables.js'
import type { Db } from '../../src/db/connection.js'

/** A person with an e-mail address (or none), one role on a unit subtree (every unit without one), and a token. */
export async function createPerson(
  db: Db,
  input: { name: string; email: string | null; role: Role; unitId?: string | null },
): Promise<{ id: string; token: string; email: string | null }> {
  return db.transaction(async (tx) => {
    const [p] = await tx.insert(principals).values({ name: input.name, kind: 'user', email: input.email }).returning()
    if (!p) throw new Error('no principal')
    await tx.insert(roleGrants).values({ principalId: p.id, role: input.role, unitId: input.unitId ?? null })
    const token = await issueToken(tx, systemContext(db, 'test setup'), {
      principalId: p.id,
      name: input.name,
      role: input.role,
      expiresAt: null,
    })
    return { id: p.id, token: token.token, email: input.email }
  })
}
