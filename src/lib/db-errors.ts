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
