/**
 * A 60-second mixed load at a steady rate against the server on a fresh PostgreSQL database:
 * list and read routes, scores with explanation, all-or-nothing answer batches, and the dashboard
 * routes when the OpenAPI document has them. Expects zero errors and a flat RSS; then checks the
 * SQL invariants and the audit chain. Not part of CI (it takes a minute and wants the machine).
 *
 *   npx tsx scripts/reliability/soak.ts [--tsx] [--rate 40] [--seconds 60]
 *
 * Writes the "soak" section of docs/reliability-results.md.
 */
import { randomBytes } from 'node:crypto'
import {
  Api,
  answerMaker,
  runLoad,
  checkInvariants,
  freshDatabase,
  invariantLines,
  invariantsHold,
  machine,
  prepareServer,
  rssMiB,
  seed,
  startServer,
  writeResults,
} from './lib.js'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const RATE = arg('rate', 40)
const SECONDS = arg('seconds', 60)

const mode = prepareServer()
const db = await freshDatabase('zi_soak')
const token = `rel-${randomBytes(24).toString('base64url')}`
const server = await startServer(mode, { DATABASE_URL: db.url, BOOTSTRAP_ADMIN_TOKEN: token })
let exitCode = 1
try {
  const api = new Api(server.baseUrl, token)
  const seeded = await seed(api, 4, 5)
  const answers = answerMaker()
  // Every assessment starts with a few answers so scores and dashboards have something to do.
  for (const a of seeded.assessments)
    await api.call('POST', `/v1/assessments/${a.id}/stages/self/answers/batch`, { answers: answers.random(40) })

  const doc = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>
  }
  const dashboards = Object.keys(doc.paths)
    .filter((p) => p.startsWith('/v1/dashboards/periods/{period_id}/') && doc.paths[p]?.get)
    .map((p) => p.replace('{period_id}', seeded.periodId))
  const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!
  const mix: { weight: number; name: string; make: () => { method: 'GET' | 'POST'; path: string; body?: string } }[] = [
    { weight: 30, name: 'list units', make: () => ({ method: 'GET', path: '/v1/units?limit=50' }) },
    {
      weight: 15,
      name: 'read assessment',
      make: () => ({ method: 'GET', path: `/v1/assessments/${pick(seeded.assessments).id}` }),
    },
    {
      weight: 15,
      name: 'score with explanation',
      make: () => ({
        method: 'GET',
        path: `/v1/assessments/${pick(seeded.assessments).id}/stages/self/score?explain=true`,
      }),
    },
    {
      weight: 20,
      name: 'answer batch (5)',
      make: () => ({
        method: 'POST',
        path: `/v1/assessments/${pick(seeded.assessments).id}/stages/self/answers/batch`,
        body: JSON.stringify({ answers: answers.random(5) }),
      }),
    },
    ...(dashboards.length > 0
      ? [
          {
            weight: 20,
            name: `dashboards (${dashboards.length} routes)`,
            make: () => ({ method: 'GET' as const, path: pick(dashboards) }),
          },
        ]
      : []),
  ]
  const totalWeight = mix.reduce((s, m) => s + m.weight, 0)
  const choose = () => {
    let r = Math.random() * totalWeight
    for (const m of mix) if ((r -= m.weight) < 0) return m
    return mix[0]!
  }

  const rss: { t: number; mib: number }[] = []
  const started = Date.now()
  const sampler = setInterval(
    () => rss.push({ t: Math.round((Date.now() - started) / 1000), mib: rssMiB(server.pid) }),
    1000,
  )
  const statuses = new Map<number, number>()
  const load = runLoad(
    {
      url: server.baseUrl,
      connections: 8,
      overallRate: RATE,
      duration: SECONDS,
      headers: { authorization: `Bearer ${token}` },
      requests: [
        {
          setupRequest: (req) => {
            const m = choose().make()
            const headers = { ...req.headers, ...(m.body ? { 'content-type': 'application/json' } : {}) }
            return {
              ...req,
              method: m.method,
              path: m.path,
              headers,
              ...(m.body ? { body: m.body } : {}),
            } as typeof req
          },
        },
      ],
    },
    (statusCode) => statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1),
  )
  const result = await load.done
  clearInterval(sampler)

  const invariants = await checkInvariants(db.url, api)
  const steady = rss.filter((s) => s.t > 5)
  const avg = (xs: { mib: number }[]) =>
    Math.round((xs.reduce((s, x) => s + x.mib, 0) / Math.max(1, xs.length)) * 10) / 10
  const firstWindow = avg(steady.filter((s) => s.t <= 15))
  const lastWindow = avg(steady.filter((s) => s.t > SECONDS - 10))
  const growth = firstWindow > 0 ? Math.round(((lastWindow - firstWindow) / firstWindow) * 1000) / 10 : 0
  const errors = result.errors + result.timeouts + result.non2xx
  const ok = errors === 0 && invariantsHold(invariants) && growth < 25
  exitCode = ok ? 0 : 1
  const lines = [
    `## Soak: ${SECONDS} s of mixed load at ${RATE} requests/s — ${ok ? 'PASS' : 'FAIL'}`,
    '',
    `Run ${new Date().toISOString()} on ${machine()}; server: ${mode === 'build' ? 'production build (node dist/src/server.js)' : 'tsx src/server.ts'}, PostgreSQL, pool 10, ${seeded.assessments.length} assessments.`,
    '',
    `Mix (by weight): ${mix.map((m) => `${m.name} ${m.weight}`).join(', ')}.`,
    '',
    '| figure | value |',
    '|---|---|',
    `| requests answered (sent; those in flight when the time is up are not counted) | ${result.requests.total} (${result.requests.sent}) |`,
    `| mean rate | ${result.requests.average} req/s |`,
    `| status codes | ${[...statuses.entries()]
      .sort()
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')} |`,
    `| non-2xx / errors / timeouts | ${result.non2xx} / ${result.errors} / ${result.timeouts} |`,
    `| latency p50 / p90 / p99 / max | ${result.latency.p50} / ${result.latency.p90} / ${result.latency.p99} / ${result.latency.max} ms |`,
    `| server RSS min / max | ${Math.min(...rss.map((r) => r.mib))} / ${Math.max(...rss.map((r) => r.mib))} MiB |`,
    `| RSS average s 6–15 → last 10 s | ${firstWindow} → ${lastWindow} MiB (${growth >= 0 ? '+' : ''}${growth} %) |`,
    '',
    'After the run:',
    ...invariantLines(invariants),
    '',
    `RSS every 5 s (MiB): ${rss
      .filter((r) => r.t % 5 === 0)
      .map((r) => `${r.t}s ${r.mib}`)
      .join(', ')}`,
  ]
  console.log(lines.join('\n'))
  writeResults('soak', lines.join('\n'))
} finally {
  server.child.kill('SIGTERM')
  await server.exited
  await db.drop()
}
process.exit(exitCode)
