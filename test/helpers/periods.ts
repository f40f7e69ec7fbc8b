import { randomUUID } from 'node:crypto'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { periods, type StoredWindows } from '../../src/modules/periods/tables.js'
import type { TestContext } from './app.js'

/** An instrument version row, straight into the table (the instruments module has its own tests). */
export async function insertInstrument(
  ctx: Pick<TestContext, 'app'>,
  status: 'draft' | 'published' | 'retired' = 'published',
): Promise<string> {
  const id = randomUUID()
  await ctx.app.db.insert(instrumentVersions).values({
    id,
    code: `LKE-${id.slice(0, 8)}`,
    name: 'LKE test',
    year: 2026,
    status,
    definition: {} as never,
    digest: '0'.repeat(64),
    source: 'seed',
    publishedAt: status === 'draft' ? null : new Date(),
  })
  return id
}

const HOUR = 3_600_000
export const hoursFromNow = (h: number): string => new Date(Date.now() + h * HOUR).toISOString()

/** A period row straight into the table; by default every window is open now. */
export async function insertPeriod(
  ctx: Pick<TestContext, 'app'>,
  input: { year?: number; code?: string; windows?: StoredWindows; instrumentVersionId?: string } = {},
): Promise<{ id: string; code: string; year: number }> {
  const instrumentVersionId = input.instrumentVersionId ?? (await insertInstrument(ctx))
  const open = { opens_at: hoursFromNow(-24), closes_at: hoursFromNow(24) }
  const code = input.code ?? `ZI-${randomUUID().slice(0, 8)}`
  const year = input.year ?? 2026
  const [row] = await ctx.app.db
    .insert(periods)
    .values({
      code,
      name: `Periode ${code}`,
      year,
      instrumentVersionId,
      windows: input.windows ?? { self_assessment: open, tpi_verification: open, revision: open, proposal: open },
    })
    .returning()
  if (!row) throw new Error('no period')
  return { id: row.id, code, year }
}
