import { customType } from 'drizzle-orm/pg-core'

/**
 * A jsonb column that takes the value as the driver gives it. Both pg and PGlite already parse
 * jsonb; drizzle's own jsonb column then JSON.parses again any value that is a string. For a
 * stored JSON string (an answer "Ya", "A") that second parse throws and is caught — ~30 µs each,
 * 127 times per stage read, a third of a score request's CPU — and a string that happens to be
 * JSON text ("12", "true") would come back as a number or a boolean.
 */
export const jsonb = customType<{ data: unknown; driverData: unknown }>({
  dataType: () => 'jsonb',
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => value,
})
