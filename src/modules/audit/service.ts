import { createHash } from 'node:crypto'
import { asc, gt, sql } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import { queryRows, type Queryable } from '../../db/connection.js'
import { auditEvents } from './tables.js'
import { lockWrites } from '../../db/locks.js'

/** Who did it: a principal on a request, or the system (bootstrap, CLI). */
export interface AuditActor {
  principalId: string | null
  name: string
  role: string
  requestId: string | null
  ip: string | null
}

export interface AuditInput {
  action: string
  entityType: string
  entityId: string
  before: unknown
  after: unknown
}

export const GENESIS_HASH = '0'.repeat(64)

export function actorFromRequest(request: FastifyRequest): AuditActor {
  const p = request.principal
  return { principalId: p.principalId, name: p.name, role: p.role, requestId: request.id, ip: request.ip }
}

export const systemActor = (name: string): AuditActor => ({
  principalId: null,
  name,
  role: 'system',
  requestId: null,
  ip: null,
})

/** JSON with object keys sorted at every depth: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export interface ChainedContent {
  id: number
  occurredAt: string
  actorPrincipalId: string | null
  actorName: string
  actorRole: string
  action: string
  entityType: string
  entityId: string
  before: unknown
  after: unknown
  requestId: string | null
  ip: string | null
}

export function eventHash(prevHash: string, content: ChainedContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex')
}

/** Plain JSON (dates → ISO strings) so what is hashed is exactly what jsonb gives back. */
const toJson = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)))

/**
 * Appends one audit event inside the caller's transaction: it commits or rolls back with the
 * change it describes. Takes a transaction-scoped advisory lock to read the chain's head.
 */
export async function appendAudit(tx: Queryable, who: AuditActor, input: AuditInput): Promise<void> {
  await lockWrites(tx)
  // The chain's head and the new id (part of the hashed content, so drawn before the insert), in one query.
  const [head] = await queryRows<{ hash: string | null; id: string }>(
    tx,
    sql`select (select hash from audit_events order by id desc limit 1) as hash, nextval('audit_events_id_seq')::text as id`,
  )
  const prevHash = head?.hash ?? GENESIS_HASH
  const id = Number(head?.id)
  const content: ChainedContent = {
    id,
    occurredAt: new Date().toISOString(),
    actorPrincipalId: who.principalId,
    actorName: who.name,
    actorRole: who.role,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    before: toJson(input.before),
    after: toJson(input.after),
    requestId: who.requestId,
    ip: who.ip,
  }
  await tx.insert(auditEvents).values({
    ...content,
    occurredAt: new Date(content.occurredAt),
    prevHash,
    hash: eventHash(prevHash, content),
  })
}

/** Shorthand used by route handlers: the actor is the request's principal. */
export const recordAudit = (tx: Queryable, request: FastifyRequest, input: AuditInput): Promise<void> =>
  appendAudit(tx, actorFromRequest(request), input)

export interface ChainVerification {
  valid: boolean
  checked: number
  first_broken: { id: number; reason: 'prev_hash_mismatch' | 'hash_mismatch' } | null
}

/** Re-walks the chain in id order, in batches, recomputing every hash. */
export async function verifyChain(db: Queryable, batchSize = 1000): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH
  let lastId = 0
  let checked = 0
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.id, lastId))
      .orderBy(asc(auditEvents.id))
      .limit(batchSize)
    for (const row of rows) {
      if (row.prevHash !== prevHash)
        return { valid: false, checked, first_broken: { id: row.id, reason: 'prev_hash_mismatch' } }
      const content: ChainedContent = {
        id: row.id,
        occurredAt: row.occurredAt.toISOString(),
        actorPrincipalId: row.actorPrincipalId,
        actorName: row.actorName,
        actorRole: row.actorRole,
        action: row.action,
        entityType: row.entityType,
        entityId: row.entityId,
        before: row.before ?? null,
        after: row.after ?? null,
        requestId: row.requestId,
        ip: row.ip,
      }
      if (eventHash(prevHash, content) !== row.hash) {
        return { valid: false, checked, first_broken: { id: row.id, reason: 'hash_mismatch' } }
      }
      prevHash = row.hash
      lastId = row.id
      checked++
    }
    if (rows.length < batchSize) return { valid: true, checked, first_broken: null }
  }
}
