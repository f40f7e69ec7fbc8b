// Every table of the service, re-exported for drizzle-kit and for typed queries.
export * from '../modules/units/tables.js'
export * from '../modules/auth/tables.js'
export * from '../modules/audit/tables.js'
