import t from 'tap'
import { sql } from 'drizzle-orm'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { liveSqlFiles, liveSqlFolder } from '../../src/db/live-sql.js'
import { createTestDatabase } from '../helpers/database.js'
import type { Db } from '../../src/db/connection.js'

// src/db/sql/ is where a reader finds what runs: every function and trigger of the migrated
// database is defined there, and running those files changes nothing (they are the definitions
// the migrations left). A migration that redefines one without the file, or a file edited
// without its migration (npm run sql:migration), fails here.

async function definitions(db: Db): Promise<Map<string, string>> {
  type Row = { name: string; def: string }
  const functions = (await db.execute(sql`
    select p.proname as name, pg_get_functiondef(p.oid) as def
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public'`)) as unknown as { rows: Row[] }
  const triggers = (await db.execute(sql`
    select tg.tgname as name, pg_get_triggerdef(tg.oid) as def
    from pg_trigger tg join pg_class c on c.oid = tg.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and not tg.tgisinternal`)) as unknown as { rows: Row[] }
  return new Map([
    ...functions.rows.map((r) => [`function ${r.name}`, r.def] as const),
    ...triggers.rows.map((r) => [`trigger ${r.name}`, r.def] as const),
  ])
}

t.test('the live SQL folder defines every function and trigger, as the migrations left them', async (t) => {
  const testDb = await createTestDatabase()
  t.teardown(() => testDb.destroy())
  const { db } = testDb.database
  const files = liveSqlFiles()
  const text = files.map((f) => f.text).join('\n')
  t.notMatch(text, /\{\{/, 'every placeholder is filled in')
  for (const f of files) {
    const raw = readFileSync(join(liveSqlFolder(), f.file), 'utf8')
    t.notMatch(raw, /pg_advisory_(xact_)?lock\(\s*\d/, `${f.file}: lock ids come from src/db/locks.ts ({{NAME}})`)
  }

  const migrated = await definitions(db)
  t.ok(migrated.size > 20, 'the migrated database has its functions and triggers')
  for (const key of migrated.keys()) {
    const [kind, name] = key.split(' ') as [string, string]
    const defined =
      kind === 'function'
        ? new RegExp(`CREATE OR REPLACE FUNCTION "?${name}"?\\(`).test(text)
        : new RegExp(`CREATE (CONSTRAINT )?TRIGGER "?${name}"? `).test(text)
    t.ok(defined, `${key} is defined in src/db/sql/`)
  }

  let applied = new Map<string, string>()
  await t.rejects(
    db.transaction(async (tx) => {
      for (const f of files) for (const statement of f.statements) await tx.execute(sql.raw(statement))
      applied = await definitions(tx as unknown as Db)
      throw new Error('rolled back: leave the database as it was')
    }),
    { message: 'rolled back: leave the database as it was' },
  )
  t.same([...applied.keys()].sort(), [...migrated.keys()].sort(), 'the files define nothing the migrations did not')
  for (const [key, def] of migrated) t.equal(applied.get(key), def, `${key}: the file is the migrated definition`)
})
