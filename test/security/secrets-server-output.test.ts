import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/lib/paths.js'
import { createTestDatabase } from '../helpers/database.js'

/**
 * The real server process (tsx src/server.ts, as `npm start` runs it) at LOG_LEVEL=trace: its
 * whole output, start-up to shutdown, never contains the bootstrap token, a token sent to it, or
 * the database password — also when the database cannot be reached or the URL is malformed.
 * (test/security/secrets-in-logs.test.ts covers the request paths in-process.)
 */
const secretPart = (token: string) => token.slice(-20)

/** Starts the real server (tsx src/server.ts), returns its output once it exits. */
function runServer(
  env: Record<string, string>,
  act: (baseUrl: string) => Promise<void>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: projectRoot(),
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'trace',
        WEBHOOK_WORKER: 'false',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    let acting = false
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (listening && !acting) {
        acting = true
        act(listening[1]!).then(
          () => child.kill('SIGTERM'),
          (err: unknown) => {
            child.kill('SIGTERM')
            reject(err)
          },
        )
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('error', reject)
    child.on('exit', (code) => resolvePromise({ code, output }))
  })
}

t.test('the running server logs neither the bootstrap token nor the database password', async (t) => {
  const bootstrap = `boot-${randomBytes(24).toString('base64url')}`
  const dbPassword = `pw-${randomBytes(12).toString('hex')}`
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-logs-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const env: Record<string, string> = { DATA_DIR: dataDir, BOOTSTRAP_ADMIN_TOKEN: bootstrap }
  if (process.env.DATABASE_URL) {
    // PostgreSQL: a database of its own, the password in the URL (the local server trusts
    // loopback, so it is carried but not needed).
    const db = await createTestDatabase()
    t.teardown(() => db.destroy())
    const url = new URL(db.url!)
    url.username = url.username || 'postgres'
    url.password = dbPassword
    env.DATABASE_URL = url.toString()
  }
  const forged = `zit_0badc0de_${randomBytes(32).toString('base64url')}`
  const run = await runServer(env, async (base) => {
    const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${bootstrap}` } })
    t.equal(me.status, 200, 'the bootstrap token works against the running server')
    t.equal((await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${forged}` } })).status, 401)
    t.equal((await fetch(`${base}/health/ready`)).status, 200)
  })
  t.equal(run.code, 0, 'SIGTERM: a clean exit')
  t.match(run.output, /bootstrap admin token/, 'the output was captured')
  for (const secret of [bootstrap, dbPassword, forged])
    t.notOk(
      run.output.includes(secret) || run.output.includes(secretPart(secret)),
      `…${secret.slice(-6)} is not in the output`,
    )

  // A database that cannot be reached, and a malformed URL: the password is not echoed either.
  const unreachable = await runServer(
    { DATA_DIR: dataDir, DATABASE_URL: `postgres://zi:${dbPassword}@127.0.0.1:1/zi` },
    async () => {},
  )
  t.not(unreachable.code, 0, 'start-up fails without the database')
  t.notOk(unreachable.output.includes(dbPassword), 'the failure does not print the password')
  const malformed = await runServer(
    { DATA_DIR: dataDir, DATABASE_URL: `mysql://zi:${dbPassword}@127.0.0.1/zi` },
    async () => {},
  )
  t.equal(malformed.code, 78, 'a bad DATABASE_URL stops start-up with EX_CONFIG')
  t.match(malformed.output, /DATABASE_URL/)
  t.notOk(malformed.output.includes(dbPassword), 'the message names the variable, not its value')
})
