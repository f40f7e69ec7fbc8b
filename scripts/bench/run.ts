/**
 * The benchmark: the production build against a seeded PostgreSQL database (npm run seed:bench),
 * autocannon on loopback, one scenario after another, each after a warm-up; prints a markdown
 * table (requests/s, p50/p99 latency, the server's largest RSS, the ratio to the ceiling).
 *
 *   npm run build
 *   npm run bench -- [--database-url postgres://…/zi_bench_2k] [--duration 10] [--warmup 2]
 *                    [--connections 10] [--solo-duration 5] [--tokens 8] [--port 3917]
 *                    [--only summary,score [--ceilings=false]] [--json results.json] [--server-entry other/dist/src/server.js]
 *                    [--heap-limit 384|default] [--server-node-args=--cpu-prof,--cpu-prof-dir=/tmp/prof]
 *
 * It builds nothing: it starts `node dist/src/server.js` with BENCH_ROUTES=true (the two
 * ceilings), LOG_LEVEL=warn and a rate limit high enough never to answer 429, and creates its
 * tokens through the service layer. Each scenario runs with `--connections` connections (a
 * closed loop at saturation: throughput, and latency including the queue), then with a single
 * connection for `--solo-duration` s (0: skip), whose latency is the service time of one request
 * on an otherwise idle server. Every request must answer 2xx: one that does not fails the run
 * (exit code 1) after the table is printed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { fromPostgres, queryRows, type Db } from '../../src/db/connection.js'
import { projectRoot } from '../../src/lib/paths.js'
import type { Role } from '../../src/lib/policy.js'
import { assessmentStages, assessments } from '../../src/modules/assessments/tables.js'
import { createPrincipalWithToken } from '../../src/modules/auth/commands.js'
import { systemContext } from '../../src/lib/command.js'
import { declarations } from '../../src/modules/declarations/tables.js'
import { loadDefinition } from '../../src/modules/instruments/cache.js'
import { periods } from '../../src/modules/periods/tables.js'
import { units } from '../../src/modules/units/tables.js'
import {
  DEFAULT_DATABASE_URL,
  PERIOD_CODE,
  answerableQuestions,
  databaseName,
  generateAnswers,
  intArg,
  parseArgs,
  prng,
} from './dataset.js'

const args = parseArgs(process.argv.slice(2))
const URL_ = args.get('database-url') ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL
const DURATION = intArg(args, 'duration', 10)
const WARMUP = intArg(args, 'warmup', 2)
const CONNECTIONS = Math.max(1, intArg(args, 'connections', 10))
const SOLO_DURATION = intArg(args, 'solo-duration', 5)
const TOKENS = Math.max(1, intArg(args, 'tokens', 8))
const PORT = intArg(args, 'port', 3917)
const ONLY = args
  .get('only')
  ?.split(',')
  .map((s) => s.trim())
const JSON_OUT = args.get('json')
/** --ceilings=false with --only: the chosen scenarios alone (a profile of one route) */
const CEILINGS = args.get('ceilings') !== 'false'
/** extra node flags for the server, comma-separated, e.g. --server-node-args=--cpu-prof,--cpu-prof-dir=/tmp/prof to profile it */
// the heap limit npm run start:prod and the image use (see the Dockerfile; --heap-limit=default:
// V8's own, as builds before it ran), then any extra flags
const HEAP_LIMIT = args.get('heap-limit') ?? '384'
const SERVER_NODE_ARGS = [
  ...(HEAP_LIMIT === 'default' ? [] : [`--max-old-space-size=${HEAP_LIMIT}`]),
  ...(args.get('server-node-args')?.split(',').filter(Boolean) ?? []),
]
const BASE = `http://127.0.0.1:${PORT}`
const PORTALRB_BASE_PATH = '/portalrb'

const log = (msg: string): void => console.error(`[bench] ${msg}`)

interface Scenario {
  name: string
  what: string
  /** 'read' ratios are against SELECT 1; the SELECT 1 ceiling's against the constant */
  ceiling: 'constant' | 'select-1' | null
  method: 'GET' | 'POST'
  /** the i-th request: path, token and body */
  request: (i: number) => { path: string; token: string; body?: string }
}

interface Outcome {
  name: string
  what: string
  requestsPerSecond: number
  p50: number
  p99: number
  maxRssMb: number
  total: number
  non2xx: number
  errors: number
  timeouts: number
  load1: number
  /** CPU ms per request: the server process, and the PostgreSQL backends of its pool */
  serverCpuPerRequest: number
  databaseCpuPerRequest: number
  solo: { requestsPerSecond: number; p50: number; p99: number } | null
  ratio: number | null
  ceiling: Scenario['ceiling']
}

/** Tokens for the run, `TOKENS` per role so the per-token rate-limit row is not one hot row (see BENCHMARKS.md). */
async function makeTokens(db: Db, role: Role, count: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const created = await createPrincipalWithToken(systemContext(db, 'bench'), {
      name: `bench ${role} ${i + 1}`,
      kind: 'service',
      role,
      expiresAt: new Date(Date.now() + 86_400_000),
    })
    out.push(created.token)
  }
  return out
}

const rotate = <T>(list: readonly T[], i: number): T => list[i % list.length]!

async function scenarios(db: Db): Promise<Scenario[]> {
  const [period] = await db.select().from(periods).where(eq(periods.code, PERIOD_CODE))
  if (!period)
    throw new Error(
      `no period ${PERIOD_CODE} in ${databaseName(URL_)}: seed it first (npm run seed:bench -- --units N --database-url …)`,
    )
  const [viewer, admin, integration] = [
    await makeTokens(db, 'viewer', TOKENS),
    await makeTokens(db, 'admin', TOKENS),
    await makeTokens(db, 'integration', TOKENS),
  ]

  // (1) list units: the pages a synchronising client walks (default sort by name, 50 a page).
  const pages: string[] = ['/v1/units?limit=50']
  for (let i = 0; i < 40; i++) {
    const res = await fetch(`${BASE}${pages[pages.length - 1]}`, {
      headers: { authorization: `Bearer ${rotate(viewer, 0)}` },
    })
    const body = (await res.json()) as { next_cursor: string | null }
    if (!res.ok || !body.next_cursor) break
    pages.push(`/v1/units?limit=50&cursor=${encodeURIComponent(body.next_cursor)}`)
  }

  // (2) a stage's score with the explanation: submitted self stages across many assessments.
  const scored = await db
    .select({ id: assessments.id })
    .from(assessments)
    .innerJoin(
      assessmentStages,
      and(eq(assessmentStages.assessmentId, assessments.id), eq(assessmentStages.kind, 'self')),
    )
    .where(and(eq(assessments.periodId, period.id), inArray(assessmentStages.status, ['submitted', 'approved'])))
    .orderBy(asc(assessments.id))
    .limit(500)

  // (3) full-stage batches: writable (draft or returned) self stages, rotated so row locks do not queue.
  const writable = await db
    .select({ id: assessments.id })
    .from(assessments)
    .innerJoin(
      assessmentStages,
      and(eq(assessmentStages.assessmentId, assessments.id), eq(assessmentStages.kind, 'self')),
    )
    .where(and(eq(assessments.periodId, period.id), inArray(assessmentStages.status, ['draft', 'returned'])))
    .orderBy(asc(assessments.id))
    .limit(2000)
  const def = await loadDefinition(db, period.instrumentVersionId)
  const questions = answerableQuestions(def)
  const bodies = Array.from({ length: 32 }, (_, k) => {
    const answers = generateAnswers(def, questions, 0.5 + (k % 10) / 20, prng(424_242 + k))
    return JSON.stringify({
      answers: questions.map((q) => ({ question_code: q.code, value: answers[q.code] ?? null })),
    })
  })

  // (5) PortalRB: units proposed (or further) in the period, by the id PortalRB knows them by.
  const proposed = await queryRows<{ id: string }>(
    db,
    sql`select coalesce(${units.externalIds}->>'portalrb', ${units.code}) as id from ${declarations} join ${units} on ${units.id} = ${declarations.unitId}
        where ${declarations.periodId} = ${period.id} and ${declarations.status} in ('proposed', 'evaluated', 'designated', 'not_designated') order by 1 limit 500`,
  )
  for (const [what, list] of [
    ['submitted self stages', scored],
    ['writable self stages', writable],
    ['proposed units', proposed],
  ] as const) {
    if (list.length === 0) throw new Error(`the dataset has no ${what}: seed it with more units`)
  }
  log(
    `targets: ${pages.length} unit pages, ${scored.length} scored stages, ${writable.length} writable stages, ${proposed.length} proposed units; ${TOKENS} tokens per role`,
  )

  return [
    // Unauthenticated ceilings: no token, no rate limit (health checks are exempt).
    {
      name: 'ceiling: /health/live',
      what: 'GET /health/live (no token, no database)',
      ceiling: null,
      method: 'GET',
      request: () => ({ path: '/health/live', token: '' }),
    },
    {
      name: 'ceiling: /health/ready',
      what: 'GET /health/ready (no token, SELECT 1)',
      ceiling: null,
      method: 'GET',
      request: () => ({ path: '/health/ready', token: '' }),
    },
    {
      name: 'ceiling: constant',
      what: 'GET /v1/bench/constant',
      ceiling: null,
      method: 'GET',
      request: (i) => ({ path: '/v1/bench/constant', token: rotate(integration, i) }),
    },
    {
      name: 'ceiling: SELECT 1',
      what: 'GET /v1/bench/select-1',
      ceiling: 'constant',
      method: 'GET',
      request: (i) => ({ path: '/v1/bench/select-1', token: rotate(integration, i) }),
    },
    {
      name: '(1) list units',
      what: `GET /v1/units?limit=50 (${pages.length} pages)`,
      ceiling: 'select-1',
      method: 'GET',
      request: (i) => ({ path: rotate(pages, i), token: rotate(viewer, i) }),
    },
    {
      name: '(2) score, explain=true',
      what: `GET /v1/assessments/{id}/stages/self/score?explain=true (${scored.length} stages)`,
      ceiling: 'select-1',
      method: 'GET',
      request: (i) => ({
        path: `/v1/assessments/${rotate(scored, i).id}/stages/self/score?explain=true`,
        token: rotate(viewer, i),
      }),
    },
    {
      name: '(4) period summary',
      what: `GET /v1/dashboards/periods/{id}/summary`,
      ceiling: 'select-1',
      method: 'GET',
      request: (i) => ({ path: `/v1/dashboards/periods/${period.id}/summary`, token: rotate(viewer, i) }),
    },
    {
      name: '(5) PortalRB jawaban-unit',
      what: `GET ${PORTALRB_BASE_PATH}/lke/jawaban-unit/{id} (${proposed.length} units)`,
      ceiling: 'select-1',
      method: 'GET',
      request: (i) => ({
        path: `${PORTALRB_BASE_PATH}/lke/jawaban-unit/${encodeURIComponent(rotate(proposed, i).id)}`,
        token: rotate(integration, i),
      }),
    },
    {
      name: '(3) batch, 127 answers',
      what: `POST /v1/assessments/{id}/stages/self/answers/batch (${writable.length} stages)`,
      ceiling: 'select-1',
      method: 'POST',
      request: (i) => ({
        path: `/v1/assessments/${rotate(writable, i).id}/stages/self/answers/batch`,
        token: rotate(admin, i),
        body: rotate(bodies, Math.floor(i / writable.length) + i),
      }),
    },
  ]
}

/** VmRSS of a process, in MB (Linux /proc). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

async function waitReady(server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 180_000
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode} before it was ready`)
    try {
      const res = await fetch(`${BASE}/health/ready`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error('the server was not ready within 180 s')
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; 0 once it is gone). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // after the command: state is field 3, utime field 14, stime field 15 (in USER_HZ ticks, 100 a second on Linux)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return 0
  }
}

/** The CPU used by the server process and by the PostgreSQL backends of its pool (application_name zi-tracker). */
async function cpuSnapshot(db: Db, server: ChildProcess): Promise<{ server: number; backends: Map<number, number> }> {
  const pids = await queryRows<{ pid: number }>(
    db,
    sql`select pid from pg_stat_activity where datname = current_database() and application_name = 'zi-tracker'`,
  )
  return { server: cpuMs(server.pid!), backends: new Map(pids.map((p) => [p.pid, cpuMs(p.pid)])) }
}

async function fire(
  s: Scenario,
  seconds: number,
  server: ChildProcess,
  db: Db,
  connections = CONNECTIONS,
): Promise<{ result: autocannon.Result; maxRss: number; serverCpuMs: number; databaseCpuMs: number }> {
  let i = 0
  const before = await cpuSnapshot(db, server)
  let maxRss = rssMb(server.pid!)
  const timer = setInterval(() => {
    maxRss = Math.max(maxRss, rssMb(server.pid!))
  }, 100)
  try {
    const result = await autocannon({
      url: BASE,
      connections,
      pipelining: 1,
      duration: seconds,
      timeout: 30,
      requests: [
        {
          method: s.method,
          setupRequest: (req) => {
            const r = s.request(i++)
            return {
              ...req,
              method: s.method,
              path: r.path,
              headers: {
                ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
                ...(r.body ? { 'content-type': 'application/json' } : {}),
              },
              ...(r.body ? { body: r.body } : {}),
            }
          },
        },
      ],
    })
    const after = await cpuSnapshot(db, server)
    let databaseCpuMs = 0
    for (const [pid, ms] of after.backends) databaseCpuMs += ms - (before.backends.get(pid) ?? 0)
    return {
      result,
      maxRss: Math.max(maxRss, rssMb(server.pid!)),
      serverCpuMs: after.server - before.server,
      databaseCpuMs,
    }
  } finally {
    clearInterval(timer)
  }
}

/**
 * One connection, sequential requests for `seconds`, each timed with the monotonic clock to the
 * microsecond (autocannon's histogram keeps whole milliseconds, which rounds a 0.9 ms
 * /health/ready to 0 or 1 and makes the batch ratio meaningless). A keep-alive agent with one
 * socket, like autocannon's one connection.
 */
async function solo(
  s: Scenario,
  seconds: number,
  server: ChildProcess,
): Promise<{ requestsPerSecond: number; p50: number; p99: number; total: number; failures: number; maxRss: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const times: number[] = []
  let failures = 0
  let maxRss = rssMb(server.pid!)
  const started = performance.now()
  const until = started + seconds * 1000
  try {
    for (let i = 0; performance.now() < until; i++) {
      const r = s.request(i)
      const t0 = performance.now()
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            agent,
            host: '127.0.0.1',
            port: PORT,
            method: s.method,
            path: r.path,
            headers: {
              ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
              ...(r.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body) } : {}),
            },
          },
          (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
            res.on('error', reject)
          },
        )
        req.on('error', reject)
        req.end(r.body)
      })
      times.push(performance.now() - t0)
      if (status < 200 || status > 299) failures++
      if (i % 50 === 0) maxRss = Math.max(maxRss, rssMb(server.pid!))
    }
  } finally {
    agent.destroy()
  }
  const elapsed = (performance.now() - started) / 1000
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN
  return {
    requestsPerSecond: times.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    total: times.length,
    failures,
    maxRss: Math.max(maxRss, rssMb(server.pid!)),
  }
}

/** Waits (60 s at most) until the server's background work is done: no plan counts pending. */
async function settle(db: Db): Promise<void> {
  const started = Date.now()
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from stage_metrics where not plan_checked`,
    )
    if (!row || row.n === 0) break
    if (Date.now() - started > 60_000) {
      log(`${row.n} plan counts still pending after 60 s; measuring anyway`)
      break
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  const waited = Date.now() - started
  if (waited > 300) log(`waited ${(waited / 1000).toFixed(1)} s for the plan worker's backlog`)
}

/** One request of the scenario, before the load: a route that does not answer 2xx stops here with its body. */
async function preflight(s: Scenario): Promise<void> {
  const r = s.request(0)
  const res = await fetch(`${BASE}${r.path}`, {
    method: s.method,
    headers: {
      ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
      ...(r.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(r.body ? { body: r.body } : {}),
  })
  const text = await res.text()
  if (res.status < 200 || res.status > 299)
    throw new Error(`${s.name}: ${s.method} ${r.path} answered ${res.status}: ${text.slice(0, 500)}`)
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

function table(outcomes: Outcome[]): string {
  const lines = [
    `| scenario | requests/s | p50 ms | p99 ms | max RSS MB | ratio to ceiling | requests | non-2xx | CPU ms/req: server | PostgreSQL | 1 connection: req/s | p50 ms | p99 ms | load (1 min) |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const o of outcomes) {
    const ratio =
      o.ratio === null ? '—' : `${fmt(100 * o.ratio)} % of ${o.ceiling === 'constant' ? 'constant' : 'SELECT 1'}`
    const solo = o.solo
      ? `${fmt(o.solo.requestsPerSecond)} | ${fmt(o.solo.p50, 2)} | ${fmt(o.solo.p99, 2)}`
      : '— | — | —'
    lines.push(
      `| ${o.name} | ${fmt(o.requestsPerSecond)} | ${fmt(o.p50)} | ${fmt(o.p99)} | ${fmt(o.maxRssMb)} | ${ratio} | ${fmt(o.total)} | ${o.non2xx + o.errors} | ${fmt(o.serverCpuPerRequest, 1)} | ${fmt(o.databaseCpuPerRequest, 1)} | ${solo} | ${o.load1.toFixed(2)} |`,
    )
  }
  return lines.join('\n')
}

/** The issue-17 targets as ratios of the same run. */
function targets(outcomes: Outcome[]): string {
  const by = (name: string) => outcomes.find((o) => o.name === name)
  const [live, ready, constant, select1, batch] = [
    'ceiling: /health/live',
    'ceiling: /health/ready',
    'ceiling: constant',
    'ceiling: SELECT 1',
    '(3) batch, 127 answers',
  ].map(by)
  const rows: string[] = ['| target | measured | met? |', '|---|---:|---|']
  const add = (what: string, value: number | undefined, text: (v: number) => string, ok: (v: number) => boolean) => {
    if (value === undefined || !Number.isFinite(value)) return
    rows.push(`| ${what} | ${text(value)} | ${ok(value) ? 'yes' : '**no**'} |`)
  }
  const pct = (v: number) => `${fmt(100 * v)} %`
  add(
    'authenticated constant ≥ 60 % of /health/live (10 connections)',
    constant && live ? constant.requestsPerSecond / live.requestsPerSecond : undefined,
    pct,
    (v) => v >= 0.6,
  )
  add(
    'authenticated SELECT 1 ≥ 60 % of /health/ready (10 connections)',
    select1 && ready ? select1.requestsPerSecond / ready.requestsPerSecond : undefined,
    pct,
    (v) => v >= 0.6,
  )
  add(
    '127-answer batch p50 ≤ 12 × /health/ready p50 (1 connection)',
    batch?.solo && ready?.solo ? batch.solo.p50 / ready.solo.p50 : undefined,
    (v) => `${fmt(v, 1)} × (${fmt(batch!.solo!.p50, 2)} ms vs ${fmt(ready!.solo!.p50, 2)} ms)`,
    (v) => v <= 12,
  )
  add(
    '127-answer batch p50 < 15 ms (1 connection)',
    batch?.solo?.p50,
    (v) => `${fmt(v, 2)} ms`,
    (v) => v < 15,
  )
  for (const name of ['(1) list units', '(2) score, explain=true', '(5) PortalRB jawaban-unit', '(4) period summary']) {
    const o = by(name)
    add(
      `${name} ≥ 40 % of authenticated SELECT 1`,
      o && select1 ? o.requestsPerSecond / select1.requestsPerSecond : undefined,
      pct,
      (v) => v >= 0.4,
    )
  }
  add(
    'server RSS < 250 MB in every scenario',
    Math.max(...outcomes.map((o) => o.maxRssMb)),
    (v) => `${fmt(v)} MB`,
    (v) => v < 250,
  )
  return rows.join('\n')
}

async function main(): Promise<void> {
  // --server-entry: another build's server (an earlier commit's, for a before/after on the same dataset)
  const entry = args.get('server-entry') ?? join(projectRoot(), 'dist', 'src', 'server.js')
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`)
  const database = fromPostgres(URL_, { poolMax: 2, applicationName: 'zi-bench-run' })
  const { db } = database
  let server: ChildProcess | undefined
  try {
    const [{ n: unitCount } = { n: 0 }] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from units where kind = 'unit'`,
    )
    const [pgVersion] = await queryRows<{ v: string }>(db, sql`select version() as v`)
    const load = os.loadavg()
    log(`database ${databaseName(URL_)}: ${unitCount} unit kerja; ${pgVersion?.v.split(' on ')[0]}`)
    log(
      `machine: ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}; load averages ${load.map((l) => l.toFixed(2)).join(' ')}`,
    )

    server = spawn(process.execPath, [...SERVER_NODE_ARGS, entry], {
      env: {
        ...process.env,
        DATABASE_URL: URL_,
        PORT: String(PORT),
        HOST: '127.0.0.1',
        BENCH_ROUTES: 'true',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_MAX: '1000000000',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    await waitReady(server)
    log(`server ${entry} ready (pid ${server.pid}), RSS ${fmt(rssMb(server.pid!))} MB`)
    const all = await scenarios(db)
    const chosen = ONLY
      ? all.filter(
          (s) =>
            (CEILINGS && s.name.startsWith('ceiling')) ||
            ONLY.some((o) => s.name.toLowerCase().includes(o.toLowerCase())),
        )
      : all
    const outcomes: Outcome[] = []
    const failures: string[] = []
    for (const s of chosen) {
      await preflight(s)
      if (WARMUP > 0) await fire(s, WARMUP, server, db)
      const load1 = os.loadavg()[0]!
      const { result, maxRss: rss, serverCpuMs, databaseCpuMs } = await fire(s, DURATION, server, db)
      // Writes leave plan counts for the plan worker (off the request path); the one-connection
      // run measures a request on an idle server, so the backlog of the run before is drained first.
      if (SOLO_DURATION > 0) await settle(db)
      const one = SOLO_DURATION > 0 ? await solo(s, SOLO_DURATION, server) : null
      const maxRss = Math.max(rss, one?.maxRss ?? 0)
      const o: Outcome = {
        name: s.name,
        what: s.what,
        requestsPerSecond: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        maxRssMb: maxRss,
        total: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        load1,
        serverCpuPerRequest: result.requests.total > 0 ? serverCpuMs / result.requests.total : 0,
        databaseCpuPerRequest: result.requests.total > 0 ? databaseCpuMs / result.requests.total : 0,
        solo: one ? { requestsPerSecond: one.requestsPerSecond, p50: one.p50, p99: one.p99 } : null,
        ratio: null,
        ceiling: s.ceiling,
      }
      outcomes.push(o)
      log(
        `${s.name}: ${fmt(o.requestsPerSecond)} req/s, p50 ${o.p50} ms, p99 ${o.p99} ms, RSS ≤ ${fmt(maxRss)} MB, ${o.total} requests, ${o.non2xx} non-2xx, ${o.errors} errors${o.solo ? `; 1 connection: p50 ${fmt(o.solo.p50, 2)} ms, p99 ${fmt(o.solo.p99, 2)} ms` : ''}`,
      )
      if (result.non2xx > 0 || result.errors > 0 || result.requests.total === 0)
        failures.push(
          `${s.name} (${CONNECTIONS} connections): ${result.non2xx} non-2xx answers, ${result.errors} errors (${result.timeouts} timeouts) of ${result.requests.total} requests`,
        )
      if (one && (one.failures > 0 || one.total === 0))
        failures.push(`${s.name} (1 connection): ${one.failures} non-2xx answers of ${one.total} requests`)
    }
    const ceilingOf = (c: Scenario['ceiling']): Outcome | undefined =>
      outcomes.find((o) => o.name === (c === 'constant' ? 'ceiling: constant' : 'ceiling: SELECT 1'))
    for (const o of outcomes) {
      const ceiling = o.ceiling ? ceilingOf(o.ceiling) : undefined
      o.ratio = ceiling && ceiling.requestsPerSecond > 0 ? o.requestsPerSecond / ceiling.requestsPerSecond : null
    }
    const header = [
      `database ${databaseName(URL_)} (${unitCount} unit kerja), ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per scenario, then 1 connection for ${SOLO_DURATION} s; ${TOKENS} tokens per role`,
      `${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}, ${pgVersion?.v.split(' on ')[0]}; load averages before: ${load.map((l) => l.toFixed(2)).join(' ')}`,
      `server: node ${[...SERVER_NODE_ARGS, entry].join(' ')}`,
    ]
    console.log(`\n${header.join('\n')}\n\n${table(outcomes)}\n\n${targets(outcomes)}\n`)
    if (JSON_OUT)
      writeFileSync(
        JSON_OUT,
        `${JSON.stringify({ database: databaseName(URL_), server: [...SERVER_NODE_ARGS, entry], units: unitCount, connections: CONNECTIONS, duration: DURATION, warmup: WARMUP, tokens: TOKENS, load, outcomes }, null, 2)}\n`,
      )
    if (failures.length > 0) {
      console.error(`\nFAILED: some requests did not answer 2xx:\n${failures.map((f) => `  ${f}`).join('\n')}`)
      process.exitCode = 1
    }
  } finally {
    if (server && server.exitCode === null) {
      // Requests autocannon abandoned when its time was up are still running: let them finish.
      await new Promise((r) => setTimeout(r, 2000))
      const exited = new Promise((r) => server!.once('exit', r))
      server.kill('SIGTERM')
      await exited
    }
    await database.close()
  }
}

try {
  await main()
} catch (err) {
  console.error(`[bench] ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
}
