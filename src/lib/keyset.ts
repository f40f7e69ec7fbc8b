import { and, eq, gt, or, sql, type AnyColumn, type SQL } from 'drizzle-orm'
import { decodeCursor } from './pagination.js'
import { ProblemError } from './problem.js'
import { msg } from './i18n.js'

/**
 * Keyset paging on a timestamp then an id. The cursor carries the timestamp as text with
 * microseconds (JavaScript dates keep only milliseconds, which would repeat or skip rows).
 */
export const timestampCursorSql = (column: AnyColumn): SQL =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** The condition "after the cursor's row" for a list ordered by (timestamp, id) ascending. */
export function afterTimestampCursor(
  cursor: string,
  sort: string,
  timestamp: AnyColumn,
  id: AnyColumn,
): SQL | undefined {
  const position = decodeCursor(cursor, sort)
  if (typeof position.value !== 'string') throw new ProblemError(400, 'invalid_cursor', msg('http:invalid_cursor'))
  const value = sql`${position.value}::timestamptz`
  return or(gt(timestamp, value), and(eq(timestamp, value), gt(id, position.id)))
}
