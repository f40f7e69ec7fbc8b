import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BOOTSTRAP_LOCK, MIGRATION_LOCK, WRITE_LOCK } from '../../src/db/locks.js'
import { projectRoot } from '../../src/lib/paths.js'

// The plpgsql counters in the migrations take the write lock by its number; were it to differ from
// WRITE_LOCK, counter updates and feed ids would no longer be serialised with the audit chain.
t.test('advisory lock keys: distinct, and the SQL migrations take the write lock by its key', async (t) => {
  t.equal(new Set([MIGRATION_LOCK, WRITE_LOCK, BOOTSTRAP_LOCK]).size, 3, 'three distinct keys')
  const dir = join(projectRoot(), 'migrations')
  const keys = new Set<number>()
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql'))) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/pg_advisory_xact_lock\((\d+)\)/g)) {
      keys.add(Number(m[1]))
    }
  }
  t.ok(keys.size > 0, 'the migrations take an advisory lock')
  t.same([...keys], [WRITE_LOCK], 'only the write lock, by the same key')
})
