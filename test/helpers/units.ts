import { randomUUID } from 'node:crypto'
import { units, type UnitKind } from '../../src/modules/units/tables.js'
import type { TestContext } from './app.js'

/**
 * Inserts a unit row directly (for tests of modules that need a tree, not the registry API).
 * Keeps `path` and `instansi_id` as the registry does.
 */
export async function insertUnit(
  ctx: Pick<TestContext, 'app'>,
  input: {
    kind: UnitKind
    parent?: { id: string; path: string; instansiId: string }
    code?: string
    name?: string
    afirmasi?: boolean
    externalIds?: Record<string, string>
  },
): Promise<{ id: string; path: string; instansiId: string; code: string; name: string }> {
  const id = randomUUID()
  const path = `${input.parent?.path ?? '/'}${id}/`
  const instansiId = input.parent?.instansiId ?? id
  const code = input.code ?? `${input.kind.toUpperCase()}-${id.slice(0, 8)}`
  const name = input.name ?? `${input.kind} ${code}`
  await ctx.app.db.insert(units).values({
    id,
    instansiId,
    parentId: input.parent?.id ?? null,
    path,
    code,
    name,
    kind: input.kind,
    afirmasi: input.afirmasi ?? false,
    externalIds: input.externalIds ?? {},
  })
  return { id, path, instansiId, code, name }
}

/** An instansi with two OPDs, each with two units. */
export async function insertSmallTree(ctx: Pick<TestContext, 'app'>) {
  const instansi = await insertUnit(ctx, { kind: 'instansi', name: 'Pemerintah Kabupaten Contoh' })
  const opdA = await insertUnit(ctx, { kind: 'opd', parent: instansi, name: 'Dinas Kesehatan' })
  const opdB = await insertUnit(ctx, { kind: 'opd', parent: instansi, name: 'Dinas Pendidikan' })
  const a1 = await insertUnit(ctx, { kind: 'unit', parent: opdA, name: 'Puskesmas Satu' })
  const a2 = await insertUnit(ctx, { kind: 'unit', parent: opdA, name: 'Puskesmas Dua' })
  const b1 = await insertUnit(ctx, { kind: 'unit', parent: opdB, name: 'SMP Negeri 1' })
  const b2 = await insertUnit(ctx, { kind: 'unit', parent: opdB, name: 'SMP Negeri 2' })
  return { instansi, opdA, opdB, a1, a2, b1, b2 }
}
