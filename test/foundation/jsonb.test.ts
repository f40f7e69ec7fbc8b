import t from 'tap'
import { asc, sql } from 'drizzle-orm'
import { integer, pgTable } from 'drizzle-orm/pg-core'
import { queryRows } from '../../src/db/connection.js'
import { jsonb } from '../../src/db/jsonb.js'
import { createTestDatabase } from '../helpers/database.js'

// Answers are stored as jsonb values: "Ya", "A", 12, 3.5. A string that reads as JSON ("12",
// "true", "null") must come back a string, exactly as written, on PGlite and on PostgreSQL.
const probe = pgTable('jsonb_probe', { id: integer('id').primaryKey(), value: jsonb('value') })

t.test('a jsonb column returns what was written, strings included', async (t) => {
  const { database, destroy } = await createTestDatabase()
  t.teardown(destroy)
  const { db } = database
  await db.execute(sql`create table jsonb_probe (id integer primary key, value jsonb)`)
  const values: unknown[] = ['Ya', '12', 'true', 'null', '{"a":1}', '', 12, 3.5, true, { a: [1, 'x'] }, ['A', 2]]
  await db.insert(probe).values(values.map((value, id) => ({ id, value })))
  const rows = await db.select().from(probe).orderBy(asc(probe.id))
  t.same(
    rows.map((r) => r.value),
    values,
  )
  t.strictSame(
    rows.map((r) => typeof r.value),
    values.map((v) => typeof v),
    'a string stays a string',
  )
  const [stored] = await queryRows<{ t: string }>(
    db,
    sql`select jsonb_typeof(value) as t from jsonb_probe where id = 1`,
  )
  t.equal(stored?.t, 'string', 'and is stored as a JSON string')
})
