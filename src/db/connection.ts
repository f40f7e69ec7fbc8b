import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { SQL } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { migrationsFolder } from '../lib/paths.js'
import * as schema from './schema.js'
import { MIGRATION_LOCK } from './locks.js'

export type Schema = typeof schema
/** The drizzle handle shared by PGlite and node-postgres: both are PgDatabase. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>
/** A transaction handle; same query API as Db. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]
export type Queryable = Db | Tx

export interface Database {
  readonly db: Db
  readonly kind: 'pglite' | 'postgres'
  /** Throws when the database does not answer within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>
  /** Applies pending migrations (serialised across replicas on PostgreSQL). */
  migrate(): Promise<void>
  close(): Promise<void>
  /** Pool use for metrics (PostgreSQL; absent on the embedded database). */
  poolStats?(): { total: number; idle: number; waiting: number; max: number }
}

export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The PGlite data directory ${dir} is in use by process ${pid}. PGlite allows one process at a time: ` +
        'stop the server first, or point DATABASE_URL at PostgreSQL.',
    )
    this.name = 'DataDirInUseError'
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes an exclusive lock file next to the PGlite data; a stale lock (dead pid) is taken over. */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true })
  const lockPath = join(dir, 'pglite.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => rmSync(lockPath, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = Number(readFileSync(lockPath, 'utf8').trim())
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
        throw new DataDirInUseError(dir, holder)
      }
      rmSync(lockPath, { force: true })
    }
  }
  throw new Error(`could not lock ${lockPath}`)
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Wraps an already open PGlite instance (tests pass in-memory clones). */
export function fromPglite(client: PGlite, onClose?: () => void): Database {
  const db = drizzlePglite(client, { schema }) as unknown as Db
  return {
    db,
    kind: 'pglite',
    ping: async (timeoutMs = 2000) => {
      await withTimeout(client.query('select 1'), timeoutMs, 'database ping')
    },
    migrate: async () => {
      await migratePglite(db as never, { migrationsFolder: migrationsFolder() })
    },
    close: async () => {
      if (!client.closed) await client.close()
      onClose?.()
    },
  }
}

export interface PostgresOptions {
  poolMax?: number
  applicationName?: string
}

export function fromPostgres(url: string, options: PostgresOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    application_name: options.applicationName ?? 'zi-tracker',
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  })
  // Every client keeps an 'error' listener for its whole life, idle or checked out: a connection
  // lost mid-transaction (restart, failover, terminated backend) then surfaces as the failing
  // query's error (503 database_unavailable), never as an unhandled 'error' event that ends the
  // process. A checked-out client is handed back with the error at once, so the pool drops it
  // even when its holder never releases it (drizzle releases only after a successful BEGIN); the
  // holder's own release later is a no-op. Idle clients are dropped by the pool itself.
  const checkedOut = new WeakSet<pg.PoolClient>()
  pool.on('acquire', (client) => checkedOut.add(client))
  pool.on('release', (_err, client) => checkedOut.delete(client))
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      if (!checkedOut.has(client)) return
      const release = client.release
      client.release = () => {}
      release(err)
    })
  })
  pool.on('error', () => {})
  const db = drizzlePg(pool, { schema }) as unknown as Db
  return {
    db,
    kind: 'postgres',
    ping: async (timeoutMs = 2000) => {
      await withTimeout(pool.query('select 1'), timeoutMs, 'database ping')
    },
    migrate: async () => {
      const client = await pool.connect()
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
        try {
          await migratePg(drizzlePg(client, { schema }), { migrationsFolder: migrationsFolder() })
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK])
        }
      } finally {
        client.release()
      }
    },
    close: async () => {
      await pool.end()
    },
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: options.poolMax ?? 10,
    }),
  }
}

export interface OpenOptions {
  databaseUrl?: string | undefined
  dataDir: string
  poolMax?: number
}

/** Opens PostgreSQL when a URL is given, else the embedded PGlite persisted under dataDir. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    return fromPostgres(options.databaseUrl, options.poolMax === undefined ? {} : { poolMax: options.poolMax })
  }
  const dir = resolve(options.dataDir, 'pgdata')
  const unlock = lockDataDir(resolve(options.dataDir))
  try {
    const client = await PGlite.create(dir)
    return fromPglite(client, unlock)
  } catch (err) {
    unlock()
    throw err
  }
}

/** Raw SQL returning rows, the same on PGlite and node-postgres (both answer `{ rows }`). */
export async function queryRows<T>(db: Queryable, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] }
  return result.rows
}
