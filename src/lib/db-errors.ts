/**
 * PostgreSQL error details, whether the driver's error arrives bare or wrapped by drizzle
 * (`DrizzleQueryError` keeps the driver's error as `cause`). Works for pg and PGlite alike.
 */
export interface PgErrorInfo {
  code: string
  constraint?: string
  detail?: string
}

export function pgError(error: unknown): PgErrorInfo | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; constraint?: unknown; detail?: unknown; cause?: unknown }
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      return {
        code: e.code,
        constraint: typeof e.constraint === 'string' ? e.constraint : undefined,
        detail: typeof e.detail === 'string' ? e.detail : undefined,
      }
    }
    current = e.cause
  }
  return undefined
}

export const PG_UNIQUE_VIOLATION = '23505'
export const PG_FOREIGN_KEY_VIOLATION = '23503'
/** ON DELETE RESTRICT refusals come as restrict_violation, not foreign_key_violation. */
export const PG_RESTRICT_VIOLATION = '23001'

const CONNECTION_LOST_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Connection is closed/i

/**
 * The database is down, restarting or failing over: the connection was refused or lost, the
 * server is shutting down or starting up (SQLSTATE class 08, 57P01-57P03), or the pool could not
 * connect in time. A transaction whose connection dies is rolled back by PostgreSQL, so nothing
 * of it was committed: the client may retry.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = pgError(error)?.code
  if (code && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) return true
  for (
    let e: unknown = error, depth = 0;
    e && typeof e === 'object' && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const { code: sys, message } = e as { code?: unknown; message?: unknown }
    if (
      sys === 'ECONNREFUSED' ||
      sys === 'ECONNRESET' ||
      sys === 'EPIPE' ||
      sys === 'ETIMEDOUT' ||
      sys === 'EHOSTUNREACH'
    )
      return true
    if (typeof message === 'string' && CONNECTION_LOST_MESSAGE.test(message)) return true
  }
  return false
}
