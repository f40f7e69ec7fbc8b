import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import t from 'tap'
import { freePort } from '../../scripts/reliability/lib.js'
import { projectRoot } from '../../src/lib/paths.js'
import { createTestDatabase } from '../helpers/database.js'
import { multipartBody } from '../helpers/multipart.js'
import { XLSX, plainWorkbook } from '../helpers/workbook.js'

/**
 * Issue 30: large honest workbooks against the real server process at the production heap
 * (node --max-old-space-size=384, as `npm run start:prod`), on the embedded database or on
 * PostgreSQL (DATABASE_URL). Uploaded: one large plain workbook (3.5 MB, 65 MB unpacked) alone;
 * then three large ones at once together with a valid LKE workbook. The process stays up, the LKE
 * imports, each other file gets 422 naming what it is not or the bound it passed, /health/live
 * answers throughout, and the process's peak memory stays under the heap setting.
 */
const HEAP_MB = 384

interface Server {
  base: string
  child: ChildProcess
  output: () => string
  stop: () => Promise<number | null>
}

function startServer(env: Record<string, string>): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', 'src/server.ts'], {
      cwd: projectRoot(),
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        WEBHOOK_WORKER: 'false',
        RATE_LIMIT_MAX: '100000',
        // the assertions read the English details (the service's default language is Indonesian)
        DEFAULT_LANGUAGE: 'en',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    let started = false
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (listening && !started) {
        started = true
        resolve({
          base: listening[1]!,
          child,
          output: () => output,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM')
            return exited
          },
        })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('error', reject)
    void exited.then((code) => {
      if (!started) reject(new Error(`the server exited (${code}) before listening:\n${output}`))
    })
  })
}

/** The main thread's heap in use and the process's resident memory, in MB, from its /metrics. */
async function memoryMb(metricsBase: string): Promise<{ heap: number; rss: number }> {
  const text = await (await fetch(`${metricsBase}/metrics`)).text()
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20
  return { heap: value('nodejs_heap_size_used_bytes'), rss: value('process_resident_memory_bytes') }
}

/** Peak resident memory of a process (VmHWM), in MB. */
const peakRssMb = (pid: number): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

t.test(
  'large workbooks at the production heap: refused by their bounds, the LKE imports, the process stays up',
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'zi-uploads-'))
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
    const token = `boot-${randomBytes(24).toString('base64url')}`
    const metricsPort = await freePort()
    const metricsBase = `http://127.0.0.1:${metricsPort}`
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      BOOTSTRAP_ADMIN_TOKEN: token,
      METRICS_ENABLED: 'true',
      METRICS_PORT: String(metricsPort),
      // The four uploads in parallel, each in its own worker (the default is 2, the others wait), and
      // the parse half of the deadline at 28 s: tsx workers on a shared 2-core machine start slowly.
      IMPORT_CONCURRENCY: '4',
      IMPORT_TIMEOUT_MS: '56000',
    }
    if (process.env.DATABASE_URL) {
      const db = await createTestDatabase()
      t.teardown(() => db.destroy())
      env.DATABASE_URL = db.url!
    }
    // Made before the server starts, so building them does not count against it.
    const plain = plainWorkbook('Sheet1', 173_000)
    const plainLke = plainWorkbook('LKE', 173_000)
    const longLke = plainWorkbook('LKE', 30_000, 2)
    t.ok(
      plain.length > 3_000_000 && plain.length < 5 * 1024 * 1024,
      `the large workbook is a ${plain.length}-byte upload`,
    )

    const server = await startServer(env)
    t.teardown(async () => {
      if (!t.passing()) t.comment(`the server's output:\n${server.output().slice(-4000)}`)
      await server.stop()
    })
    const auth = { authorization: `Bearer ${token}` }
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.base}${path}`, {
        method,
        headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`)
      return { json: JSON.parse(text), headers: res.headers, bytes: text }
    }
    const importFile = async (url: string, content: Buffer) => {
      const started = Date.now()
      const form = multipartBody({}, { name: 'lke.xlsx', type: XLSX, content })
      const res = await fetch(`${server.base}${url}`, {
        method: 'POST',
        headers: { ...auth, ...form.headers },
        body: form.payload,
      })
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, ms: Date.now() - started }
    }

    // A unit with an assessment of the bundled LKE-ZI-2026.
    const instrument = (await call('GET', '/v1/instruments?limit=100')).json.items.find(
      (v: { code: string }) => v.code === 'LKE-ZI-2026',
    )
    const instansi = (await call('POST', '/v1/units', { code: 'KAB-UJI', name: 'Kabupaten Uji', kind: 'instansi' }))
      .json
    const opd = (
      await call('POST', '/v1/units', { code: 'DINKES', name: 'Dinas Kesehatan', kind: 'opd', parent_id: instansi.id })
    ).json
    const open = {
      opens_at: new Date(Date.now() - 3_600_000).toISOString(),
      closes_at: new Date(Date.now() + 3_600_000).toISOString(),
    }
    const period = (
      await call('POST', '/v1/periods', {
        code: 'ZI-UJI',
        name: 'Periode uji',
        year: 2026,
        instrument_version_id: instrument.id,
        windows: { self_assessment: open },
      })
    ).json
    const assessment = (await call('POST', '/v1/assessments', { period_id: period.id, unit_id: opd.id })).json
    const lkeUrl = `/v1/assessments/${assessment.id}/stages/self/lke.xlsx`

    // The valid LKE: the generated workbook, exported, with every Ya/Tidak question answered "Ya".
    const exported = await fetch(`${server.base}${lkeUrl}`, { headers: auth })
    t.equal(exported.status, 200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(Buffer.from(await exported.arrayBuffer()) as never)
    const sheet = wb.getWorksheet('LKE')!
    let answered = 0
    sheet.eachRow((row) => {
      if (row.getCell('E').value === 'Ya/Tidak') {
        row.getCell('H').value = 'Ya'
        answered++
      }
    })
    t.ok(answered > 10, `${answered} answers written into the workbook`)
    const lke = Buffer.from(await wb.xlsx.writeBuffer())
    // One import first, the export as it came (nothing to change): the first worker under tsx
    // compiles the parse modules, which the timed round below should not pay for.
    const warm = await importFile(
      lkeUrl,
      Buffer.from(await (await fetch(`${server.base}${lkeUrl}`, { headers: auth })).arrayBuffer()),
    )
    t.equal(warm.status, 200, 'an unchanged export imports')
    t.equal(warm.body.changed, 0, 'and changes nothing')

    const live = async () => {
      const started = performance.now()
      const res = await fetch(`${server.base}/health/live`)
      await res.arrayBuffer()
      return { status: res.status, ms: performance.now() - started }
    }
    const memory: { heap: number; rss: number }[] = [await memoryMb(metricsBase)]
    const idle: number[] = []
    for (let i = 0; i < 10; i++) idle.push((await live()).ms)

    await t.test('one large plain workbook alone: refused at once, nothing loaded', async (t) => {
      const res = await importFile(lkeUrl, plain)
      t.equal(res.status, 422)
      t.equal(res.body.code, 'not_an_lke_workbook')
      t.match(res.body.detail, /it has "Sheet1"/, 'names the sheets it has')
      t.comment(`refused in ${res.ms} ms`)
      t.equal((await live()).status, 200, 'the process is up')
    })

    await t.test('three large workbooks at once, and a valid LKE at the same time', async (t) => {
      let polling = true
      const during: { status: number; ms: number }[] = []
      const poller = (async () => {
        while (polling) {
          during.push(await live())
          memory.push(await memoryMb(metricsBase))
          await new Promise((r) => setTimeout(r, 25))
        }
      })()
      const [a, b, c, valid] = await Promise.all([
        importFile(lkeUrl, plainLke),
        importFile(lkeUrl, plainLke),
        importFile(lkeUrl, longLke),
        importFile(lkeUrl, lke),
      ])
      polling = false
      await poller
      for (const [name, res] of [
        ['first 65 MB workbook', a],
        ['second 65 MB workbook', b],
      ] as const) {
        t.equal(res.status, 422, `${name}: 422`)
        t.equal(res.body.code, 'workbook_too_large', `${name}: workbook_too_large`)
        t.equal(res.body.bound, 'unpacked_bytes', `${name}: names the bound`)
        t.match(res.body.detail, /unpacks to more than 16777216 bytes/)
      }
      t.equal(c.status, 422)
      t.equal(c.body.code, 'workbook_too_large')
      t.equal(c.body.bound, 'rows_per_sheet', 'the long sheet: names the row bound')
      t.match(c.body.detail, /sheet "LKE" has more than 2000 rows/)
      t.equal(valid.status, 200, `the valid LKE imports: ${JSON.stringify(valid.body).slice(0, 300)}`)
      t.equal(valid.body.layout, 'generated')
      t.equal(valid.body.changed, answered, 'every answer written')
      t.ok(
        during.length > 0 && during.every((d) => d.status === 200),
        `/health/live answered 200 ${during.length} times`,
      )
      const sorted = [...during.map((d) => d.ms)].sort((x, y) => x - y)
      t.comment(
        `/health/live idle max ${Math.max(...idle).toFixed(0)} ms; during the imports median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms (reported, not asserted)`,
      )
    })

    const answers = await call('GET', `/v1/assessments/${assessment.id}/stages/self/answers`)
    t.equal(answers.json.answers.length, answered, 'the stored answers are the LKE’s, nothing else was written')
    t.equal(server.child.exitCode, null, 'the process is still running')
    memory.push(await memoryMb(metricsBase))
    const heapMax = Math.max(...memory.map((m) => m.heap))
    t.ok(
      heapMax < HEAP_MB,
      `the main heap stayed under the ${HEAP_MB} MB setting: at most ${heapMax.toFixed(0)} MB in ${memory.length} samples`,
    )
    t.comment(
      `resident memory (main thread, parse workers, embedded database): at most ${Math.max(...memory.map((m) => m.rss)).toFixed(0)} MB sampled, peak ${peakRssMb(server.child.pid!).toFixed(0)} MB (VmHWM; reported, not asserted)`,
    )
    t.notMatch(server.output(), /heap out of memory|FATAL ERROR/, 'no out-of-memory in the output')
    t.equal(await server.stop(), 0, 'SIGTERM: a clean exit')
  },
)
