import { throwIfViolated, violationProblem, type RuleViolation } from '../../lib/rule-violation.js'
import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm'
import { queryRows, type Queryable } from '../../db/connection.js'
import { PG_FOREIGN_KEY_VIOLATION, PG_RESTRICT_VIOLATION, PG_UNIQUE_VIOLATION, pgError } from '../../lib/db-errors.js'
import { decodeCursor, finishPage } from '../../lib/pagination.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { instrumentVersions } from '../instruments/tables.js'
import {
  checkReopenUntil,
  checkWindow,
  describeClosed,
  normaliseInstant,
  reopened,
  windowState,
  type WindowStatus,
} from './rules.js'
import type { CreatePeriodBody, PatchPeriodBody, PeriodListQuery, PeriodView } from './schemas.js'
import {
  periods,
  WINDOW_NAMES,
  type PeriodRow,
  type StoredWindow,
  type StoredWindows,
  type WindowName,
} from './tables.js'
import { assertReturned } from '../../lib/returned.js'
import { msg } from '../../lib/i18n.js'

export { windowState, type WindowStatus } from './rules.js'
export type { WindowName } from './tables.js'

/** The database clock: every replica (and the tests) agree on what "now" is. */
/** The database clock as ISO text (millisecond precision, UTC), for selecting beside other columns. */
const NOW_ISO = sql<string>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

export async function databaseNow(db: Queryable): Promise<Date> {
  const [row] = await queryRows<{ now: string }>(db, sql`select ${NOW_ISO} as now`)
  return new Date(row?.now ?? Date.now())
}

export function toPeriodView(row: PeriodRow, now: Date): PeriodView {
  const windows = Object.fromEntries(
    WINDOW_NAMES.map((name) => {
      const w = row.windows[name]
      if (!w) return [name, null]
      const s = windowState(row, name, now)
      return [
        name,
        {
          opens_at: w.opens_at,
          closes_at: w.closes_at,
          state: s.state,
          open: s.open,
          reopened_until: w.reopened_until ?? null,
          reopen_reason: w.reopen_reason ?? null,
          reopened_at: w.reopened_at ?? null,
        },
      ]
    }),
  ) as PeriodView['windows']
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    year: row.year,
    instrument_version_id: row.instrumentVersionId,
    windows,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
  }
}

const violation = (v: RuleViolation): ProblemError => violationProblem(v, msg('periods:breaks_rule'))
const throwIf = (v: RuleViolation | null): void => throwIfViolated(v, msg('periods:breaks_rule'))

export async function loadPeriod(db: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<PeriodRow> {
  const query = db.select().from(periods).where(eq(periods.id, id))
  const [row] = opts.forUpdate ? await query.for('update') : await query
  if (!row) throw notFound('period', id)
  return row
}

/** The instrument a period binds must exist and be published (not a draft, not retired). */
async function checkInstrument(tx: Queryable, id: string): Promise<void> {
  const [version] = await tx
    .select({ status: instrumentVersions.status, code: instrumentVersions.code })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.id, id))
  if (!version)
    throw violation({
      status: 422,
      code: 'instrument_not_found',
      pointer: '/body/instrument_version_id',
      message: msg('periods:field.instrument_not_found', { id }),
    })
  if (version.status !== 'published') {
    throw violation({
      status: 422,
      code: 'instrument_not_published',
      pointer: '/body/instrument_version_id',
      message: msg('periods:field.instrument_not_published', { code: version.code, status: version.status }),
    })
  }
}

function storedWindows(
  input: Partial<Record<WindowName, { opens_at: string; closes_at: string }>>,
  current: StoredWindows = {},
): StoredWindows {
  const out: StoredWindows = {}
  for (const name of WINDOW_NAMES) {
    const w = input[name]
    if (!w) continue
    throwIf(checkWindow(name, w))
    const previous = current[name]
    out[name] = {
      // A new schedule keeps an active reopen (the override is cleared by a new reopen only).
      ...(previous ?? {}),
      opens_at: normaliseInstant(w.opens_at),
      closes_at: normaliseInstant(w.closes_at),
    }
  }
  return out
}

const codeTaken = (code: string) =>
  new ProblemError(409, 'period_code_taken', msg('periods:period_code_taken', { code }), {
    errors: [{ pointer: '/body/code', rule: 'period_code_taken', message: msg('periods:field.period_code_taken') }],
  })

async function withCodeRace<T>(code: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    const pg = pgError(error)
    if (pg?.code === PG_UNIQUE_VIOLATION && pg.constraint === 'periods_code_key') throw codeTaken(code)
    throw error
  }
}

async function assertCodeFree(tx: Queryable, code: string, exceptId?: string): Promise<void> {
  const [taken] = await tx.select({ id: periods.id }).from(periods).where(eq(periods.code, code))
  if (taken && taken.id !== exceptId) throw codeTaken(code)
}

export async function insertPeriod(tx: Queryable, body: CreatePeriodBody): Promise<PeriodRow> {
  const windows = storedWindows(body.windows ?? {})
  await checkInstrument(tx, body.instrument_version_id)
  await assertCodeFree(tx, body.code)
  return withCodeRace(body.code, async () => {
    const [row] = await tx
      .insert(periods)
      .values({
        code: body.code,
        name: body.name.trim(),
        year: body.year,
        instrumentVersionId: body.instrument_version_id,
        windows,
      })
      .returning()
    assertReturned(row, 'insert')
    return row
  })
}

export async function patchPeriodRow(tx: Queryable, current: PeriodRow, patch: PatchPeriodBody): Promise<PeriodRow> {
  let windows = current.windows
  if (patch.windows) {
    const set = Object.fromEntries(Object.entries(patch.windows).filter(([, w]) => w !== null)) as Partial<
      Record<WindowName, { opens_at: string; closes_at: string }>
    >
    windows = { ...current.windows, ...storedWindows(set, current.windows) }
    for (const [name, w] of Object.entries(patch.windows)) if (w === null) delete windows[name as WindowName]
  }
  if (patch.instrument_version_id && patch.instrument_version_id !== current.instrumentVersionId)
    await checkInstrument(tx, patch.instrument_version_id)
  if (patch.code && patch.code !== current.code) await assertCodeFree(tx, patch.code, current.id)
  return withCodeRace(patch.code ?? current.code, async () => {
    const [row] = await tx
      .update(periods)
      .set({
        code: patch.code ?? current.code,
        name: patch.name?.trim() ?? current.name,
        year: patch.year ?? current.year,
        instrumentVersionId: patch.instrument_version_id ?? current.instrumentVersionId,
        windows,
        updatedAt: sql`now()`,
        version: sql`${periods.version} + 1`,
      })
      .where(eq(periods.id, current.id))
      .returning()
    assertReturned(row, 'update')
    return row
  })
}

/** Reopens a window until `until` (the scheduled dates stay; the override wins while active). */
export async function reopenWindowRow(
  tx: Queryable,
  current: PeriodRow,
  name: WindowName,
  input: { until: string; reason: string; by: string | null },
): Promise<PeriodRow> {
  const now = await databaseNow(tx)
  const w: StoredWindow | undefined = current.windows[name]
  if (!w) {
    throw violation({
      status: 422,
      code: 'window_not_scheduled',
      pointer: '/params/window',
      message: msg('periods:field.window_not_scheduled', { name, code: current.code }),
    })
  }
  throwIf(checkReopenUntil(input.until, now))
  const windows: StoredWindows = {
    ...current.windows,
    [name]: reopened(w, input.until, input.reason.trim(), input.by, now),
  }
  const [row] = await tx
    .update(periods)
    .set({ windows, updatedAt: sql`now()`, version: sql`${periods.version} + 1` })
    .where(eq(periods.id, current.id))
    .returning()
  assertReturned(row, 'update')
  return row
}

export async function removePeriod(tx: Queryable, current: PeriodRow): Promise<void> {
  try {
    await tx.delete(periods).where(eq(periods.id, current.id))
  } catch (error) {
    const code = pgError(error)?.code
    if (code === PG_FOREIGN_KEY_VIOLATION || code === PG_RESTRICT_VIOLATION) {
      throw new ProblemError(409, 'period_referenced', msg('periods:period_referenced', { code: current.code }))
    }
    throw error
  }
}

export async function listPeriods(db: Queryable, query: PeriodListQuery, limit: number) {
  const conditions: (SQL | undefined)[] = []
  if (query.year !== undefined) conditions.push(eq(periods.year, query.year))
  if (query.instrument_version_id) conditions.push(eq(periods.instrumentVersionId, query.instrument_version_id))
  if (query.cursor) {
    const position = decodeCursor(query.cursor, 'code')
    if (typeof position.value !== 'string') throw new ProblemError(400, 'invalid_cursor', msg('periods:invalid_cursor'))
    conditions.push(gt(periods.code, position.value))
  }
  const rows = await db
    .select()
    .from(periods)
    .where(and(...conditions))
    .orderBy(asc(periods.code))
    .limit(limit + 1)
  const now = await databaseNow(db)
  const page = finishPage(rows, limit, 'code', (r) => ({ value: r.code, id: r.id }))
  return { items: page.items.map((r) => toPeriodView(r, now)), next_cursor: page.next_cursor }
}

/**
 * For other modules (assessments): throws 422 `window_closed` unless the period's window is
 * open (scheduled or reopened) at `now`, which defaults to the database clock. The problem
 * names the dates in its detail and carries the extension members `window`, `state`,
 * `opens_at`, `closes_at` and `reopened_until`. Throws 404 `period_not_found` for an unknown
 * period. Returns the window's status when open.
 *
 *     await assertWindowOpen(tx, assessment.periodId, 'self_assessment')
 */
export async function assertWindowOpen(
  db: Queryable,
  periodId: string,
  windowName: WindowName,
  now?: Date,
): Promise<WindowStatus> {
  // The database clock comes with the row: one round trip.
  const [row] = await db
    .select({ code: periods.code, windows: periods.windows, now: NOW_ISO })
    .from(periods)
    .where(eq(periods.id, periodId))
  if (!row) throw notFound('period', periodId)
  const status = windowState(row, windowName, now ?? new Date(row.now))
  if (status.open) return status
  throw new ProblemError(422, 'window_closed', describeClosed(row.code, status), {
    window: status.window,
    state: status.state,
    opens_at: status.opens_at,
    closes_at: status.closes_at,
    reopened_until: status.reopened_until,
  })
}
