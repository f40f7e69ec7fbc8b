/**
 * `npm run bench:uploads`: /health/live latency while large workbooks are imported, against idle
 * (issue 30). Starts the real server at the production heap (node --max-old-space-size=384; the
 * build when dist/ exists, else tsx), on the embedded database in a temporary DATA_DIR (or
 * --database-url), makes a unit with an assessment, then:
 *   idle    sequential GET /health/live for --seconds;
 *   during  the same while --parallel clients each upload, one after another, a 3.5 MB workbook
 *           of plain rows (65 MB unpacked, its sheet named "LKE" so it passes the name check and
 *           is refused by a bound) or, every fourth upload, a valid LKE workbook.
 * Reports latency percentiles, the imports' answers and durations, and the main heap and resident
 * memory sampled from /metrics. Not a test: figures go to BENCHMARKS.md.
 *
 *   npm run bench:uploads -- [--seconds 10] [--parallel 3] [--database-url postgres://…] [--json out.json]
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import ExcelJS from 'exceljs'
import { projectRoot } from '../../src/lib/paths.js'
import { multipartBody } from '../../test/helpers/multipart.js'
import { XLSX, plainWorkbook } from '../../test/helpers/workbook.js'
import { freePort } from '../reliability/lib.js'

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    parallel: { type: 'string', default: '3' },
    'database-url': { type: 'string' },
    json: { type: 'string' },
  },
})
const SECONDS = Number(args.seconds)
const PARALLEL = Number(args.parallel)

const root = projectRoot()
const built = join(root, 'dist', 'src', 'server.js')
const entry = existsSync(built) ? [built] : ['--import', 'tsx', 'src/server.ts']
const dataDir = mkdtempSync(join(tmpdir(), 'zi-bench-uploads-'))
const token = `bench-${randomBytes(24).toString('base64url')}`
const metricsPort = await freePort()

const child = spawn(process.execPath, ['--max-old-space-size=384', ...entry], {
  cwd: root,
  env: {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    BOOTSTRAP_ADMIN_TOKEN: token,
    WEBHOOK_WORKER: 'false',
    RATE_LIMIT_MAX: '1000000',
    METRICS_PORT: String(metricsPort),
    ...(args['database-url'] ? { DATABASE_URL: args['database-url'] } : {}),
  },
  stdio: ['ignore', 'pipe', 'pipe'],
})
let output = ''
const base = await new Promise<string>((resolve, reject) => {
  const onData = (chunk: Buffer) => {
    output += chunk.toString()
    const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
    if (m) resolve(m[1]!)
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)))
})
const auth = { authorization: `Bearer ${token}` }
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as Record<string, any>
}

try {
  const instrument = (await call('GET', '/v1/instruments?limit=100')).items.find(
    (v: { code: string }) => v.code === 'LKE-ZI-2026',
  )
  const instansi = await call('POST', '/v1/units', { code: 'KAB-BENCH', name: 'Kabupaten Bench', kind: 'instansi' })
  const opd = await call('POST', '/v1/units', { code: 'OPD-1', name: 'Dinas', kind: 'opd', parent_id: instansi.id })
  const now = Date.now()
  const open = {
    opens_at: new Date(now - 3_600_000).toISOString(),
    closes_at: new Date(now + 86_400_000).toISOString(),
  }
  const period = await call('POST', '/v1/periods', {
    code: 'ZI-BENCH',
    name: 'Bench',
    year: 2026,
    instrument_version_id: instrument.id,
    windows: { self_assessment: open },
  })
  const assessment = await call('POST', '/v1/assessments', { period_id: period.id, unit_id: opd.id })
  const url = `/v1/assessments/${assessment.id}/stages/self/lke.xlsx`
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load((await (await fetch(`${base}${url}`, { headers: auth })).arrayBuffer()) as never)
  const lke = Buffer.from(await wb.xlsx.writeBuffer())
  const large = plainWorkbook('LKE', 173_000)

  const memory = async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    const v = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 2 ** 20
    return { heap: v('nodejs_heap_size_used_bytes'), rss: v('process_resident_memory_bytes') }
  }
  const probe = async (until: number) => {
    const times: number[] = []
    const mem: { heap: number; rss: number }[] = []
    while (Date.now() < until) {
      const t0 = performance.now()
      const res = await fetch(`${base}/health/live`)
      await res.arrayBuffer()
      if (res.status !== 200) throw new Error(`/health/live answered ${res.status}`)
      times.push(performance.now() - t0)
      if (times.length % 10 === 0) mem.push(await memory())
    }
    return { times, mem }
  }
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b)
    const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!
    return { n: s.length, p50: p(0.5), p95: p(0.95), p99: p(0.99), max: s.at(-1)! }
  }

  const idle = await probe(Date.now() + SECONDS * 1000)
  const imports: { kind: string; status: number; code?: string; bound?: string; ms: number }[] = []
  const until = Date.now() + SECONDS * 1000
  let n = 0
  const client = async () => {
    while (Date.now() < until) {
      const kind = n++ % 4 === 3 ? 'valid LKE' : 'large plain'
      const form = multipartBody({}, { name: 'lke.xlsx', type: XLSX, content: kind === 'valid LKE' ? lke : large })
      const t0 = performance.now()
      const res = await fetch(`${base}${url}`, {
        method: 'POST',
        headers: { ...auth, ...form.headers },
        body: form.payload,
      })
      const body = (await res.json()) as { code?: string; bound?: string }
      imports.push({ kind, status: res.status, code: body.code, bound: body.bound, ms: performance.now() - t0 })
    }
  }
  const [during] = await Promise.all([probe(until), ...Array.from({ length: PARALLEL }, client)])

  const result = {
    machine: {
      cpus: (await import('node:os')).cpus().length,
      load: (await import('node:os')).loadavg(),
      node: process.version,
    },
    server: entry.join(' '),
    database: args['database-url'] ? 'postgresql' : 'embedded (PGlite)',
    idle: {
      latency: stats(idle.times),
      heapMax: Math.max(...idle.mem.map((m) => m.heap)),
      rssMax: Math.max(...idle.mem.map((m) => m.rss)),
    },
    during: {
      latency: stats(during.times),
      heapMax: Math.max(...during.mem.map((m) => m.heap)),
      rssMax: Math.max(...during.mem.map((m) => m.rss)),
    },
    imports: Object.values(
      imports.reduce<Record<string, { kind: string; status: number; code: string; count: number; ms: number[] }>>(
        (acc, i) => {
          const key = `${i.kind} ${i.status} ${i.bound ?? i.code ?? ''}`
          acc[key] ??= {
            kind: i.kind,
            status: i.status,
            code: i.bound ? `${i.code} (${i.bound})` : (i.code ?? 'imported'),
            count: 0,
            ms: [],
          }
          acc[key].count++
          acc[key].ms.push(i.ms)
          return acc
        },
        {},
      ),
    ).map(({ ms, ...r }) => ({ ...r, medianMs: stats(ms).p50, maxMs: stats(ms).max })),
  }
  const f = (x: number) => x.toFixed(1)
  console.log(
    `server: ${result.server}; database: ${result.database}; load average ${result.machine.load.map((l) => l.toFixed(1)).join(' ')} on ${result.machine.cpus} CPUs`,
  )
  console.log('| /health/live | requests | p50 ms | p95 ms | p99 ms | max ms | main heap max MB | RSS max MB |')
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
  for (const [name, r] of [
    ['idle', result.idle],
    [`during imports (${PARALLEL} clients)`, result.during],
  ] as const)
    console.log(
      `| ${name} | ${r.latency.n} | ${f(r.latency.p50)} | ${f(r.latency.p95)} | ${f(r.latency.p99)} | ${f(r.latency.max)} | ${f(r.heapMax)} | ${f(r.rssMax)} |`,
    )
  console.log('\n| upload | answer | count | median ms | max ms |\n|---|---|---:|---:|---:|')
  for (const i of result.imports)
    console.log(`| ${i.kind} | ${i.status} ${i.code} | ${i.count} | ${f(i.medianMs)} | ${f(i.maxMs)} |`)
  if (args.json) writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`)
} finally {
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  rmSync(dataDir, { recursive: true, force: true })
}
