/**
 * SIGTERM during load: 16 clients on keep-alive connections send a mix of slow and fast requests
 * (full-stage answer batches, scores with explanation, lists); the server gets SIGTERM after a few
 * seconds. Every request that had started before the signal must finish with its normal answer —
 * none cut (socket reset, hang-up) and none turned into an error; requests started after it are
 * refused cleanly (503 from a closing server, or connection refused once it has exited). Then the
 * server must have exited by itself with code 0, and the SQL invariants and the audit chain hold.
 *
 *   npx tsx scripts/reliability/sigterm.ts [--tsx]
 *
 * Writes the "sigterm" section of docs/reliability-results.md.
 */
import { randomBytes } from 'node:crypto'
import { Agent, request as httpRequest } from 'node:http'
import {
  Api,
  answerMaker,
  checkInvariants,
  freshDatabase,
  invariantLines,
  invariantsHold,
  machine,
  now,
  percentiles,
  prepareServer,
  seed,
  sleep,
  startServer,
  writeResults,
} from './lib.js'

interface Outcome {
  kind: string
  start: number
  end: number
  status?: number
  error?: string
}

const CLIENTS = 16
const SIGNAL_AFTER_MS = 6000

const mode = prepareServer()
const db = await freshDatabase('zi_sigterm')
const token = `rel-${randomBytes(24).toString('base64url')}`
const server = await startServer(mode, { DATABASE_URL: db.url, BOOTSTRAP_ADMIN_TOKEN: token })
let exitCode = 1
try {
  const api = new Api(server.baseUrl, token)
  const seeded = await seed(api, 4, 4)
  const answers = answerMaker()
  const url = new URL(server.baseUrl)
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })

  const send = (kind: string, method: string, path: string, body?: string) =>
    new Promise<Outcome>((resolve) => {
      const start = now()
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          res.on('data', () => {})
          res.on('end', () => resolve({ kind, start, end: now(), status: res.statusCode ?? 0 }))
          res.on('error', (err: NodeJS.ErrnoException) =>
            resolve({ kind, start, end: now(), error: err.code ?? err.message }),
          )
        },
      )
      req.on('error', (err: NodeJS.ErrnoException) =>
        resolve({ kind, start, end: now(), error: err.code ?? err.message }),
      )
      req.end(body)
    })

  const outcomes: Outcome[] = []
  let sigtermAt = Number.POSITIVE_INFINITY
  let serverGone = false
  const client = async (i: number) => {
    for (let n = 0; !serverGone; n++) {
      const a = seeded.assessments[(i + n) % seeded.assessments.length]!
      const pick = (i + n) % 4
      const outcome =
        pick === 0
          ? await send(
              'batch (every question)',
              'POST',
              `/v1/assessments/${a.id}/stages/self/answers/batch`,
              JSON.stringify({ answers: answers.random(answers.codes.length) }),
            )
          : pick === 1
            ? await send('score with explanation', 'GET', `/v1/assessments/${a.id}/stages/self/score?explain=true`)
            : pick === 2
              ? await send(
                  'batch (5)',
                  'POST',
                  `/v1/assessments/${a.id}/stages/self/answers/batch`,
                  JSON.stringify({ answers: answers.random(5) }),
                )
              : await send('list units', 'GET', '/v1/units?limit=100')
      outcomes.push(outcome)
      // Once the signal is sent, a refused connection means the server is gone: stop this client.
      if (outcome.error === 'ECONNREFUSED' && outcome.start > sigtermAt) return
    }
  }
  const loadStart = now()
  const clients = Array.from({ length: CLIENTS }, (_, i) => client(i))
  await sleep(SIGNAL_AFTER_MS)
  sigtermAt = now()
  server.child.kill('SIGTERM')
  const code = await server.exited
  const exitedAt = now()
  serverGone = true
  await Promise.all(clients)
  agent.destroy()

  const before = outcomes.filter((o) => o.start < sigtermAt)
  const inFlight = before.filter((o) => o.end > sigtermAt)
  const cut = before.filter((o) => o.error !== undefined)
  const notOk = before.filter((o) => o.status !== undefined && (o.status < 200 || o.status >= 300))
  const after = outcomes.filter((o) => o.start >= sigtermAt)
  const tally = (xs: Outcome[]) =>
    Object.entries(
      xs.reduce<Record<string, number>>(
        (acc, o) => ((acc[o.error ?? String(o.status)] = (acc[o.error ?? String(o.status)] ?? 0) + 1), acc),
        {},
      ),
    )
      .map(([k, v]) => `${k}×${v}`)
      .join(' ') || 'none'
  const restarted = await startServer(mode, { DATABASE_URL: db.url })
  let invariants
  try {
    invariants = await checkInvariants(db.url, new Api(restarted.baseUrl, token))
  } finally {
    restarted.child.kill('SIGTERM')
    await restarted.exited
  }
  const ok = code === 0 && cut.length === 0 && notOk.length === 0 && inFlight.length > 0 && invariantsHold(invariants)
  exitCode = ok ? 0 : 1
  const lines = [
    `## SIGTERM during load — ${ok ? 'PASS' : 'FAIL'}`,
    '',
    `Run ${new Date().toISOString()} on ${machine()}; server: ${mode === 'build' ? 'production build' : 'tsx'}, PostgreSQL. ${CLIENTS} keep-alive clients, SIGTERM ${Math.round(sigtermAt - loadStart)} ms into the load.`,
    '',
    '| figure | value |',
    '|---|---|',
    `| requests started before SIGTERM | ${before.length} (${tally(before)}) |`,
    `| of which in flight when the signal arrived | ${inFlight.length} (${[...new Set(inFlight.map((o) => o.kind))].join(', ')}), latest finished ${Math.round(Math.max(...inFlight.map((o) => o.end)) - sigtermAt)} ms after it |`,
    `| cut (socket error) / non-2xx among them | ${cut.length} / ${notOk.length} |`,
    `| requests started after SIGTERM | ${after.length} (${tally(after)}): refused, not cut |`,
    `| server exit | code ${code}, ${Math.round(exitedAt - sigtermAt)} ms after SIGTERM |`,
    `| latency of the pre-signal requests p50 / p99 / max | ${Object.values(percentiles(before.map((o) => o.end - o.start))).join(' / ')} ms |`,
    '',
    'After the run (server restarted on the same database):',
    ...invariantLines(invariants),
  ]
  console.log(lines.join('\n'))
  writeResults('sigterm', lines.join('\n'))
} finally {
  if (server.child.exitCode === null) server.child.kill('SIGKILL')
  await db.drop()
}
process.exit(exitCode)
