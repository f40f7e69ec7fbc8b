import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { fromPglite, fromPostgres, type Database } from '../../src/db/connection.js'
import { migrationsFolder, projectRoot } from '../../src/lib/paths.js'

/** A hash of the migration files, so a template made from older migrations is never reused. */
function migrationsHash(): string {
  const hash = createHash('sha256')
  const dir = migrationsFolder()
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.sql'))
    .sort()) {
    hash.update(name).update(readFileSync(join(dir, name)))
  }
  return hash.digest('hex').slice(0, 12)
}

/**
 * PGlite: opening a fresh instance takes ~5 s and loading a dumped data dir ~1.5 s, so the
 * migrated template is dumped once per set of migrations and each test file loads it.
 */
async function pgliteTemplate(): Promise<Blob> {
  const dir = join(projectRoot(), '.tap', 'templates')
  const file = join(dir, `pglite-${migrationsHash()}.tar`)
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true })
    const client = await PGlite.create()
    await fromPglite(client).migrate()
    const dump = await client.dumpDataDir('none')
    await client.close()
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()))
    renameSync(tmp, file) // atomic: parallel files never read half a template
  }
  return new Blob([readFileSync(file)])
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** PostgreSQL: a migrated template database per set of migrations, cloned per test file. */
async function postgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = `zi_template_${migrationsHash()}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query('select pg_advisory_lock(4242)')
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [template])
      if (exists.rowCount === 0) {
        await admin.query(`create database "${template}"`)
        const db = fromPostgres(withDatabase(adminUrl, template), { poolMax: 1 })
        await db.migrate()
        await db.close()
      }
      const name = `zi_test_${randomBytes(6).toString('hex')}`
      await admin.query(`create database "${name}" template "${template}"`)
      return {
        url: withDatabase(adminUrl, name),
        drop: async () => {
          const c = new pg.Client({ connectionString: adminUrl })
          await c.connect()
          await c.query(`drop database if exists "${name}" with (force)`)
          await c.end()
        },
      }
    } finally {
      await admin.query('select pg_advisory_unlock(4242)')
    }
  } finally {
    await admin.end()
  }
}

export interface TestDatabase {
  database: Database
  /** The PostgreSQL URL of this file's own database (undefined on PGlite). */
  url: string | undefined
  destroy(): Promise<void>
}

/**
 * A fresh, migrated database for one test file: PostgreSQL when DATABASE_URL is set (a new
 * database cloned from a template), else an in-memory PGlite loaded from a dumped template.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL
  if (adminUrl) {
    const { url, drop } = await postgresDatabase(adminUrl)
    const database = fromPostgres(url, { poolMax: 10 })
    return {
      database,
      url,
      destroy: async () => {
        await database.close()
        await drop()
      },
    }
  }
  const client = await PGlite.create({ loadDataDir: await pgliteTemplate() })
  const database = fromPglite(client)
  return { database, url: undefined, destroy: () => database.close() }
}
