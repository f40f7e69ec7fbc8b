import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { projectRoot } from '../../src/lib/paths.js'
import { createTestDatabase } from '../helpers/database.js'

/**
 * Real server processes (tsx src/server.ts, as `npm start` runs it) with nothing set but their
 * own PORT and data: a second instance on the same host (a test server, a second checkout) must
 * start while the first one runs.
 */
interface Running {
  child: ChildProcess
  /** Resolves with the base URL once listening, or with the exit code if the process ends first. */
  ready: Promise<{ base: string } | { exit: number | null; output: string }>
  output: () => string
}

function start(t: Test, env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: projectRoot(),
    // Only what a person typing `PORT=… npm start` has: no METRICS_* or WEBHOOK_* settings.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const ready = new Promise<{ base: string } | { exit: number | null; output: string }>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (listening) resolve({ base: listening[1]! })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => resolve({ exit: code, output }))
  })
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  )
  return { child, ready, output: () => output }
}

/** Each instance its own data: a DATA_DIR for PGlite, or its own database on PostgreSQL. */
async function ownData(t: Test): Promise<Record<string, string>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-two-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  if (!process.env.DATABASE_URL) return { DATA_DIR: dataDir }
  const db = await createTestDatabase()
  t.teardown(() => db.destroy())
  return { DATA_DIR: dataDir, DATABASE_URL: db.url! }
}

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

t.test('two instances with default settings on one host both serve', async (t) => {
  const [first, second] = [start(t, await ownData(t)), start(t, await ownData(t))]
  const [a, b] = await Promise.all([first.ready, second.ready])
  t.ok('base' in a, `the first serves${'exit' in a ? `: exited ${a.exit}\n${a.output}` : ''}`)
  t.ok('base' in b, `the second serves${'exit' in b ? `: exited ${b.exit}\n${b.output}` : ''}`)
  if (!('base' in a) || !('base' in b)) return
  t.not(a.base, b.base)
  for (const base of [a.base, b.base]) t.equal((await fetch(`${base}/health/ready`)).status, 200, `${base} is ready`)
  t.notMatch(first.output() + second.output(), /EADDRINUSE|metrics at/, 'no metrics listener unless asked for')
})

t.test('metrics asked for: served on METRICS_PORT; a busy one stops start-up naming the setting', async (t) => {
  const port = String(await freePort())
  const withMetrics = start(t, { ...(await ownData(t)), METRICS_ENABLED: 'true', METRICS_PORT: port })
  const up = await withMetrics.ready
  t.ok('base' in up, `serves with metrics${'exit' in up ? `: exited ${up.exit}\n${up.output}` : ''}`)
  const scrape = await fetch(`http://127.0.0.1:${port}/metrics`)
  t.equal(scrape.status, 200)
  t.match(await scrape.text(), /zi_http_requests_total|nodejs_heap_size_used_bytes/)

  const clash = start(t, { ...(await ownData(t)), METRICS_ENABLED: 'true', METRICS_PORT: port })
  const ended = await clash.ready
  t.ok('exit' in ended, 'the second does not serve')
  if (!('exit' in ended)) return
  t.equal(ended.exit, 78, 'exit 78, as for a bad setting')
  t.match(ended.output, new RegExp(`METRICS_PORT ${port} on 127\\.0\\.0\\.1 is already in use`))
  t.match(ended.output, /METRICS_ENABLED=false/)
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200, 'the first one still serves its metrics')
})
