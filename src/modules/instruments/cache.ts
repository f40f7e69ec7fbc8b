import { eq } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { notFound } from '../../lib/problem.js'
import { sealDefinition, type InstrumentDefinition } from './domain/index.js'
import { instrumentVersions } from './tables.js'

/**
 * Definitions of published and retired versions, by id. They never change (a trigger refuses
 * it), so caching them per process is safe with many replicas; drafts are always read fresh.
 * Bounded so a long-running process with many versions does not grow without end.
 */
const immutable = new Map<string, InstrumentDefinition>()
const MAX_CACHED = 32

export async function loadDefinition(db: Queryable, versionId: string): Promise<InstrumentDefinition> {
  const cached = immutable.get(versionId)
  if (cached) return cached
  const [row] = await db
    .select({ status: instrumentVersions.status, definition: instrumentVersions.definition })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.id, versionId))
  if (!row) throw notFound('instrument', versionId)
  if (row.status !== 'draft') {
    if (immutable.size >= MAX_CACHED) immutable.delete(immutable.keys().next().value as string)
    immutable.set(versionId, sealDefinition(row.definition))
  }
  return row.definition
}
