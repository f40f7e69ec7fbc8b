import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createTestDatabase } from '../helpers/database.js'
import { bearer } from '../helpers/auth.js'

const run = promisify(execFile)
const CLI = ['--import', 'tsx', 'src/cli/admin.ts']

async function cli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [...CLI, ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

t.test('token create prints a working token', async (t) => {
  const db = await createTestDatabase()
  t.teardown(() => db.destroy())
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-cli-'))
  const env: Record<string, string> = db.url ? { DATABASE_URL: db.url } : { DATA_DIR: dataDir }
  const out = await cli(['token', 'create', '--role', 'admin', '--name', 'Bagian Organisasi'], env)
  t.equal(out.code, 0, out.stderr)
  const token = out.stdout.trim()
  t.match(token, /^zit_[0-9a-f]{8}_\S{43}$/, 'only the token on stdout')
  t.match(out.stderr, /not shown again/)

  if (db.url) {
    // PostgreSQL: the running service sees the new token at once.
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), database: db.database })
    t.teardown(() => app.close())
    const me = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })
    t.equal(me.statusCode, 200)
    t.equal(me.json().role, 'admin')
  } else {
    // PGlite: a server started on the same data directory afterwards accepts it.
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir }) })
    const me = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })
    t.equal(me.statusCode, 200)
    // While that server holds the directory, the CLI refuses clearly instead of corrupting it.
    const busy = await cli(['token', 'create', '--role', 'viewer', '--name', 'x'], env)
    t.equal(busy.code, 69)
    t.match(busy.stderr, /in use by process \d+.*stop the server first/s)
    await app.close()
  }
})

t.test('usage errors exit 2 and stale locks are taken over', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-cli-'))
  const bad = await cli(['token', 'create', '--role', 'overlord', '--name', 'x'], { DATA_DIR: dataDir })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /--role/)
  const unknown = await cli(['frobnicate'], { DATA_DIR: dataDir })
  t.equal(unknown.code, 2)
  if (process.env.DATABASE_URL) return
  // A lock left by a crashed process (dead pid) does not block the CLI.
  writeFileSync(join(dataDir, 'pglite.lock'), '999999')
  const ok = await cli(['migrate'], { DATA_DIR: dataDir })
  t.equal(ok.code, 0, ok.stderr)
})
