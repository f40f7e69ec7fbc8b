/**
 * PostgreSQL stopped and restarted under load. The server runs on a fresh database with a steady
 * mixed load (reads and answer batches); PostgreSQL is stopped (`pg_ctlcluster … stop -m fast`,
 * which also kills open connections mid-transaction) and started again ~10 s later.
 * Checks: /health/ready answers 503 while the database is down; requests fail fast with 503
 * `database_unavailable` (never hang, never a 500); after PostgreSQL is back the same server
 * process serves again without a restart; afterwards no batch is half-written (the SQL
 * invariants in lib.ts) and the audit chain verifies.
 *
 * It stops the machine's PostgreSQL, disturbing anything else using it: run it alone. The
 * cluster is started again whatever happens (finally block and signal handlers here, and a trap
 * in fault.sh, the way to run it):
 *
 *   bash scripts/reliability/fault.sh [--tsx]
 *
 * Writes the "fault" section of docs/reliability-results.md.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { Api, answerMaker, checkInvariants, freshDatabase, invariantLines, invariantsHold, machine, now, prepareServer, runLoad, seed, sleep, startServer, writeResults } from './lib.js'

const VERSION = readdirSync('/etc/postgresql')[0]!
const pgctl = (action: 'start' | 'stop') =>
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', VERSION, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'inherit' })
const pgReady = () => {
  try {
    execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q'])
    return true
  } catch {
    return false
  }
}
/** Whatever happens, PostgreSQL is running again when this process ends. */
const ensurePostgres = () => {
  if (pgReady()) return
  try {
    pgctl('start')
  } catch (err) {
    console.error('could not start PostgreSQL again:', err)
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    ensurePostgres()
    process.exit(130)
  })
}
process.on('uncaughtException', (err) => {
  console.error(err)
  ensurePostgres()
  process.exit(1)
})

const LOAD_SECONDS = 45
const STOP_AT_MS = 10_000
const DOWN_FOR_MS = 10_000
const RATE = 40

const mode = prepareServer()
const db = await freshDatabase('zi_fault')
const token = `rel-${randomBytes(24).toString('base64url')}`
const server = await startServer(mode, { DATABASE_URL: db.url, BOOTSTRAP_ADMIN_TOKEN: token })
let exitCode = 1
try {
  const api = new Api(server.baseUrl, token)
  const seeded = await seed(api, 4, 5)
  const answers = answerMaker()
  for (const a of seeded.assessments) await api.call('POST', `/v1/assessments/${a.id}/stages/self/answers/batch`, { answers: answers.random(40) })
  const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!

  const responses: { start: number; end: number; status: number }[] = []
  const loadStart = now()
  const load = runLoad(
    {
      url: server.baseUrl,
      connections: 8,
      overallRate: RATE,
      duration: LOAD_SECONDS,
      timeout: 30,
      headers: { authorization: `Bearer ${token}` },
      requests: [
        {
          setupRequest: (req) => {
            const r = Math.random()
            const a = pick(seeded.assessments)
            if (r < 0.4) {
              return { ...req, method: 'POST', path: `/v1/assessments/${a.id}/stages/self/answers/batch`, headers: { ...req.headers, 'content-type': 'application/json' }, body: JSON.stringify({ answers: answers.random(10) }) } as typeof req
            }
            return { ...req, method: 'GET', path: r < 0.7 ? '/v1/units?limit=50' : `/v1/assessments/${a.id}/stages/self/score` } as typeof req
          },
        },
      ],
    },
    (status, latency) => {
      const end = now()
      responses.push({ start: end - latency, end, status })
    },
  )

  await sleep(STOP_AT_MS)
  const ready: { t: number; status: number | string }[] = []
  const probe = async () => {
    const t = now()
    try {
      const res = await fetch(`${server.baseUrl}/health/ready`, { signal: AbortSignal.timeout(5000) })
      ready.push({ t, status: res.status })
      return res.status
    } catch (err) {
      ready.push({ t, status: (err as Error).name })
      return 0
    }
  }
  const stoppedAt = now()
  let startedAt = 0
  let recoveredAt = 0
  let first503At = 0
  try {
    pgctl('stop')
    const downUntil = now() + DOWN_FOR_MS
    while (now() < downUntil) {
      if ((await probe()) === 503 && !first503At) first503At = now()
      await sleep(250)
    }
  } finally {
    startedAt = now()
    ensurePostgres()
  }
  for (let i = 0; i < 240 && !recoveredAt; i++) {
    if ((await probe()) === 200) recoveredAt = now()
    else await sleep(250)
  }
  const result = await load.done
  const samePid = server.child.exitCode === null

  const duringOutage = responses.filter((r) => r.end > stoppedAt && r.start < recoveredAt)
  const beforeStop = responses.filter((r) => r.end <= stoppedAt)
  const afterRecovery = responses.filter((r) => r.start >= recoveredAt + 1000)
  const tally = (xs: { status: number }[]) =>
    Object.entries(xs.reduce<Record<string, number>>((acc, r) => ((acc[r.status] = (acc[r.status] ?? 0) + 1), acc), {}))
      .map(([k, v]) => `${k}×${v}`)
      .join(' ') || 'none'
  const readyDuring = ready.filter((r) => r.t >= stoppedAt && r.t < startedAt)
  const invariants = await checkInvariants(db.url, api)
  const ok =
    samePid &&
    first503At > 0 &&
    readyDuring.every((r) => r.status === 503) &&
    recoveredAt > 0 &&
    afterRecovery.length > 0 &&
    afterRecovery.every((r) => r.status >= 200 && r.status < 300) &&
    beforeStop.every((r) => r.status >= 200 && r.status < 300) &&
    duringOutage.every((r) => r.status < 500 || r.status === 503) &&
    invariantsHold(invariants)
  exitCode = ok ? 0 : 1
  const rel = (t: number) => `${Math.round((t - loadStart) / 100) / 10} s`
  const lines = [
    `## PostgreSQL stopped and restarted under load — ${ok ? 'PASS' : 'FAIL'}`,
    '',
    `Run ${new Date().toISOString()} on ${machine()}; server: ${mode === 'build' ? 'production build' : 'tsx'}, PostgreSQL ${VERSION}, pool 10; ${RATE} requests/s for ${LOAD_SECONDS} s (40 % answer batches of 10, 30 % unit lists, 30 % scores).`,
    '',
    '| figure | value |',
    '|---|---|',
    `| PostgreSQL stopped / started | at ${rel(stoppedAt)} / at ${rel(startedAt)} (down ${Math.round((startedAt - stoppedAt) / 100) / 10} s) |`,
    `| /health/ready while down | ${tally(readyDuring.map((r) => ({ status: r.status as number })))} (first 503 ${Math.round(first503At - stoppedAt)} ms after the stop) |`,
    `| /health/ready 200 again | ${recoveredAt ? `${Math.round(recoveredAt - startedAt)} ms after the start` : 'never'} — same server process, no restart: ${samePid} |`,
    `| responses before the stop | ${tally(beforeStop)} |`,
    `| responses overlapping the outage | ${tally(duringOutage)} (503 = database_unavailable, Retry-After: 5) |`,
    `| responses started ≥ 1 s after recovery | ${tally(afterRecovery)} |`,
    `| load totals: answered / errors / timeouts | ${result.requests.total} / ${result.errors} / ${result.timeouts} |`,
    '',
    'After the run:',
    ...invariantLines(invariants),
  ]
  console.log(lines.join('\n'))
  writeResults('fault', lines.join('\n'))
} finally {
  ensurePostgres()
  server.child.kill('SIGTERM')
  await server.exited
  await db.drop().catch((err: unknown) => console.error('could not drop the database:', err))
}
process.exit(exitCode)
