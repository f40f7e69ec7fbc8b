/**
 * PostgreSQL restarted, then stopped and started again, under write load. The server (production
 * build) runs on a PRIVATE PostgreSQL cluster this script creates on a free port
 * (`pg_createcluster`), never the machine's main cluster, and drops at the end. The load is
 * what keeps transactions in flight: four writers posting full-stage answer batches (127
 * answers), two stages moved submitted ⇄ returned, workbook imports and evidence uploads. At
 * 10 s the cluster is restarted (`pg_ctlcluster … restart -m fast`, killing open connections
 * mid-transaction); at 25 s it is stopped (`stop -m fast`) for 10 s and started again.
 * Checks: the server process survives (same pid, no "shutting down after an error"); every
 * answer is 200/201 or 503 `database_unavailable` with Retry-After, never a 500 or a hang;
 * /health/ready answers 503 while the cluster is down and 200 again after; every write started
 * ≥ 1 s after recovery succeeds; afterwards nothing is half-written (the SQL invariants in
 * lib.ts) and the audit chain verifies.
 *
 *   bash scripts/reliability/fault.sh [--tsx]
 *
 * (fault.sh drops the private cluster whatever happens.) Writes the "fault" section of
 * docs/reliability-results.md.
 */
import { execFile, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { promisify } from 'node:util'
import pg from 'pg'
import {
  Api,
  answerMaker,
  checkInvariants,
  freePort,
  invariantLines,
  invariantsHold,
  machine,
  now,
  prepareServer,
  seed,
  sleep,
  startServer,
  writeResults,
} from './lib.js'

const VERSION = readdirSync('/etc/postgresql')[0]!
const CLUSTER = process.env.FAULT_CLUSTER_NAME ?? `zi_fault_${randomBytes(4).toString('hex')}`
if (!/^zi_fault_[a-z0-9_]+$/.test(CLUSTER))
  throw new Error(`FAULT_CLUSTER_NAME must start with zi_fault_ (got ${CLUSTER})`)
/** Asynchronous: the load keeps running (and its answers keep being timed) while pg_ctlcluster waits. */
const pgctl = (action: 'start' | 'stop' | 'restart') =>
  promisify(execFile)('pg_ctlcluster', [
    '--skip-systemctl-redirect',
    VERSION,
    CLUSTER,
    action,
    ...(action === 'start' ? [] : ['-m', 'fast']),
  ])
let created = false
/** Whatever happens, the private cluster is gone when this process ends. */
const dropCluster = () => {
  if (!created) return
  created = false
  try {
    execFileSync('pg_dropcluster', ['--stop', VERSION, CLUSTER], { stdio: 'inherit' })
  } catch (err) {
    console.error(`could not drop the cluster ${CLUSTER}:`, err)
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    dropCluster()
    process.exit(130)
  })
}
process.on('uncaughtException', (err) => {
  console.error(err)
  dropCluster()
  process.exit(1)
})

const LOAD_SECONDS = 50
const RESTART_AT_MS = 10_000
const STOP_AT_MS = 25_000
const DOWN_FOR_MS = 10_000
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

const mode = prepareServer()
const port = await freePort()
execFileSync(
  'pg_createcluster',
  [VERSION, CLUSTER, '-p', String(port), '-o', 'max_connections=50', '--', '--auth=trust'],
  { stdio: 'ignore' },
)
created = true
await pgctl('start')
const url = `postgres://postgres@127.0.0.1:${port}/zi_fault`
{
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` })
  await admin.connect()
  await admin.query('create database zi_fault')
  await admin.end()
}
const token = `rel-${randomBytes(24).toString('base64url')}`
const server = await startServer(mode, {
  DATABASE_URL: url,
  BOOTSTRAP_ADMIN_TOKEN: token,
  WEBHOOK_WORKER: 'true',
  WEBHOOK_POLL_MS: '500',
})
let exitCode = 1
try {
  const api = new Api(server.baseUrl, token)
  const seeded = await seed(api, 2, 4)
  const answers = answerMaker()
  const full = () => answers.random(answers.codes.length)
  const [b1, b2, b3, b4, m1, m2, w, e] = seeded.assessments
  for (const a of [m1, m2])
    await api.call('POST', `/v1/assessments/${a!.id}/stages/self/answers/batch`, { answers: full() })
  // Two workbooks with different answers: importing them in turn changes answers every time.
  const workbooks: Buffer[] = []
  for (let i = 0; i < 2; i++) {
    await api.call('POST', `/v1/assessments/${w!.id}/stages/self/answers/batch`, { answers: full() })
    const res = await fetch(`${server.baseUrl}/v1/assessments/${w!.id}/stages/self/lke.xlsx`, {
      headers: { authorization: `Bearer ${token}` },
    })
    workbooks.push(Buffer.from(await res.arrayBuffer()))
  }

  interface Answer {
    what: string
    start: number
    end: number
    status: number | string
    code?: string
    retryAfter?: string | null
  }
  const answered: Answer[] = []
  const send = async (what: string, method: string, path: string, body?: string | FormData): Promise<Answer> => {
    const start = now()
    let answer: Answer
    try {
      const res = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(30_000),
      })
      const text = await res.text()
      const code = res.status >= 400 ? (JSON.parse(text) as { code?: string }).code : undefined
      answer = {
        what,
        start,
        end: now(),
        status: res.status,
        ...(code ? { code } : {}),
        retryAfter: res.headers.get('retry-after'),
      }
      if (what === 'read' && res.status === 200)
        (answer as Answer & { stageStatus?: string }).stageStatus = (
          JSON.parse(text) as { stages: { status: string }[] }
        ).stages[0]!.status
    } catch (err) {
      answer = { what, start, end: now(), status: (err as Error).name }
    }
    answered.push(answer)
    return answer
  }
  const form = (fields: Record<string, string>, file: { name: string; type: string; bytes: Buffer }) => {
    const f = new FormData()
    for (const [k, v] of Object.entries(fields)) f.set(k, v)
    f.set('file', new Blob([file.bytes], { type: file.type }), file.name)
    return f
  }
  const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4096)])
  let running = true
  const pause = (a: Answer) => (a.status === 200 || a.status === 201 ? Promise.resolve() : sleep(200))
  const move = async (id: string) => {
    let to = 'submitted'
    while (running) {
      const a = await send(
        'transition',
        'POST',
        `/v1/assessments/${id}/stages/self/transitions`,
        JSON.stringify({ to, ...(to === 'returned' ? { reason: 'Bukti belum lengkap' } : {}) }),
      )
      if (a.status === 200) {
        to = to === 'submitted' ? 'returned' : 'submitted'
        continue
      }
      // A move whose COMMIT acknowledgement was lost may have happened: read the stage first.
      while (running) {
        await sleep(200)
        const read = (await send('read', 'GET', `/v1/assessments/${id}`)) as Answer & { stageStatus?: string }
        if (read.stageStatus) {
          to = read.stageStatus === 'submitted' ? 'returned' : 'submitted'
          break
        }
      }
    }
  }
  const loop = async (step: () => Promise<Answer>) => {
    while (running) await pause(await step())
  }
  let turn = 0
  const loadStart = now()
  const load = Promise.all([
    ...[b1, b2, b3, b4].map((a) =>
      loop(() =>
        send(
          'batch',
          'POST',
          `/v1/assessments/${a!.id}/stages/self/answers/batch`,
          JSON.stringify({ answers: full() }),
        ),
      ),
    ),
    move(m1!.id),
    move(m2!.id),
    loop(() =>
      send(
        'workbook',
        'POST',
        `/v1/assessments/${w!.id}/stages/self/lke.xlsx`,
        form({}, { name: 'lke.xlsx', type: XLSX, bytes: workbooks[turn++ % 2]! }),
      ),
    ),
    loop(() =>
      send(
        'evidence',
        'POST',
        '/v1/evidence/files',
        form(
          { unit_id: e!.unitId, title: 'Notulen rapat' },
          { name: 'notulen.pdf', type: 'application/pdf', bytes: pdf() },
        ),
      ),
    ),
  ])

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
  const waitReady = async () => {
    for (let i = 0; i < 240; i++) {
      if ((await probe()) === 200) return now()
      await sleep(250)
    }
    return 0
  }

  await sleep(RESTART_AT_MS - (now() - loadStart))
  const restartAt = now()
  await pgctl('restart')
  const restartedAt = now()
  const recovered1 = await waitReady()
  await sleep(Math.max(0, STOP_AT_MS - (now() - loadStart)))
  const stoppedAt = now()
  let startedAt = 0
  let first503At = 0
  try {
    await pgctl('stop')
    const downUntil = stoppedAt + DOWN_FOR_MS
    while (now() < downUntil) {
      if ((await probe()) === 503 && !first503At) first503At = now()
      await sleep(250)
    }
  } finally {
    startedAt = now()
    await pgctl('start')
  }
  const recovered2 = await waitReady()
  await sleep(Math.max(5000, LOAD_SECONDS * 1000 - (now() - loadStart)))
  running = false
  await load
  const samePid = server.child.exitCode === null
  const crashed = /shutting down after an error/.test(server.output())

  const ok2xx = (a: Answer) => a.status === 200 || a.status === 201
  const beforeFault = answered.filter((a) => a.end <= restartAt)
  const afterRecovery = answered.filter((a) => recovered2 > 0 && a.start >= recovered2 + 1000)
  const during = answered.filter((a) => a.end > restartAt && !(recovered2 > 0 && a.start >= recovered2 + 1000))
  const bad = answered.filter(
    (a) => !ok2xx(a) && !(a.status === 503 && a.code === 'database_unavailable' && a.retryAfter === '5'),
  )
  const tally = (xs: { status: number | string }[]) =>
    Object.entries(xs.reduce<Record<string, number>>((acc, r) => ((acc[r.status] = (acc[r.status] ?? 0) + 1), acc), {}))
      .map(([k, v]) => `${k}×${v}`)
      .join(' ') || 'none'
  const byKind = (xs: Answer[]) =>
    ['batch', 'transition', 'workbook', 'evidence', 'read']
      .map((k) => `${k} ${tally(xs.filter((a) => a.what === k))}`)
      .join('; ')
  const readyDown = ready.filter((r) => r.t >= stoppedAt + 1000 && r.t < startedAt)
  const invariants = await checkInvariants(url, api)
  const ok =
    samePid &&
    !crashed &&
    bad.length === 0 &&
    recovered1 > 0 &&
    recovered2 > 0 &&
    first503At > 0 &&
    readyDown.length > 0 &&
    readyDown.every((r) => r.status === 503) &&
    beforeFault.every(ok2xx) &&
    afterRecovery.length > 0 &&
    afterRecovery.every(ok2xx) &&
    during.some((a) => a.status === 503) &&
    invariantsHold(invariants)
  exitCode = ok ? 0 : 1
  const rel = (t: number) => `${Math.round((t - loadStart) / 100) / 10} s`
  const ms = (a: number, b: number) => `${Math.round(a - b)} ms`
  const lines = [
    `## PostgreSQL restarted, then stopped and started, under write load — ${ok ? 'PASS' : 'FAIL'}`,
    '',
    `Run ${new Date().toISOString()} on ${machine()}; server: ${mode === 'build' ? 'production build' : 'tsx'}, webhook worker on, pool 10; PostgreSQL ${VERSION} in a private cluster made for the run. Load for ${LOAD_SECONDS} s, each writer looping back to back (after a 503, 200 ms later): 4 × full-stage answer batches (127 answers), 2 stages moved submitted ⇄ returned, workbook imports (.xlsx, all 127 rows, alternating two answer sets), evidence uploads (4 KiB PDF).`,
    '',
    '| figure | value |',
    '|---|---|',
    `| restart (\`restart -m fast\`) | at ${rel(restartAt)}, took ${ms(restartedAt, restartAt)}; /health/ready 200 ${recovered1 ? `${ms(recovered1, restartedAt)} after` : 'never'} |`,
    `| stop (\`stop -m fast\`) / start | at ${rel(stoppedAt)} / at ${rel(startedAt)} (down ${Math.round((startedAt - stoppedAt) / 100) / 10} s); /health/ready 200 ${recovered2 ? `${ms(recovered2, startedAt)} after the start` : 'never'} |`,
    `| /health/ready while stopped | ${tally(readyDown)} (first 503 ${first503At ? ms(first503At, stoppedAt) : 'never'} after the stop) |`,
    `| server process | same pid throughout: ${samePid}; "shutting down after an error" logged: ${crashed} |`,
    `| answers before the restart | ${byKind(beforeFault)} |`,
    `| answers overlapping the faults | ${byKind(during)} (503 = database_unavailable, Retry-After: 5) |`,
    `| answers started ≥ 1 s after recovery | ${byKind(afterRecovery)} |`,
    `| anything else (500, other 4xx, timeouts, socket errors) | ${bad.length === 0 ? 'none' : `**${bad.length}**: ${tally(bad)}`} |`,
    '',
    'After the run:',
    ...invariantLines(invariants),
  ]
  console.log(lines.join('\n'))
  writeResults('fault', lines.join('\n'))
} finally {
  server.child.kill('SIGTERM')
  await server.exited
  dropCluster()
}
process.exit(exitCode)
