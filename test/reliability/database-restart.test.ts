import { execFile, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { promisify } from 'node:util'
import { eq, sql } from 'drizzle-orm'
import pg from 'pg'
import t, { type Test } from 'tap'
import {
  answerMaker,
  collectInvariants,
  freePort,
  invariantLines,
  type InvariantReport,
} from '../../scripts/reliability/lib.js'
import { buildApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { fromPostgres, queryRows, type Database } from '../../src/db/connection.js'
import { isDatabaseUnavailable } from '../../src/lib/db-errors.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { bearer, createToken } from '../helpers/auth.js'
import { createTestDatabase } from '../helpers/database.js'
import { multipartBody, pdfBytes } from '../helpers/multipart.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree, insertUnit } from '../helpers/units.js'
import { goldenAnswers, XLSX } from '../helpers/workbook.js'

/**
 * PostgreSQL lost under write load (issue 19): connections killed mid-transaction, then a real
 * restart and stop of a PRIVATE cluster this file creates (never the shared one on 5432), while
 * full-stage answer batches (127 answers), stage transitions, workbook imports and evidence
 * uploads are in flight. The app must survive (an uncaught error fails this file), every answer
 * is 200/201 or 503 database_unavailable with Retry-After, nothing is half-written, the audit
 * chain verifies, and requests succeed again once the database is back.
 *
 * PGlite runs in-process: it has no connection to lose and no server to restart. There the same
 * load runs without a fault, as the baseline for the same checks, and the error mapping is checked.
 */
const onPostgres = Boolean(process.env.DATABASE_URL)
const run = promisify(execFile)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('errors of a lost or refused connection are database_unavailable, others are not', async (t) => {
  const withCause = (cause: unknown) => Object.assign(new Error('Failed query: insert into "answers" ...'), { cause })
  const lost = [
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
    new Error('Client was closed and is not queryable'),
    new Error('timeout exceeded when trying to connect'),
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    Object.assign(new Error('terminating connection due to crash'), { code: '57P02' }),
    Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    Object.assign(new Error('connection failure'), { code: '08006' }),
  ]
  for (const err of lost) {
    t.ok(isDatabaseUnavailable(err), `bare: ${err.message}`)
    t.ok(isDatabaseUnavailable(withCause(err)), `wrapped by drizzle: ${err.message}`)
  }
  for (const err of [
    new Error('something else broke'),
    Object.assign(new Error('duplicate key'), { code: '23505' }),
    Object.assign(new Error('could not serialize access'), { code: '40001' }),
    Object.assign(new Error('statement timeout'), { code: '57014' }),
    null,
    'Connection terminated',
  ]) {
    t.notOk(isDatabaseUnavailable(err), `not a lost connection: ${String(err instanceof Error ? err.message : err)}`)
  }
})

interface Answered {
  what: string
  status: number
  code?: string
  retryAfter?: string
}

/** An app (on `database`, else the one `env` names) with its logs kept; closed at the end of `t`, then `after` runs. */
async function appOn(t: Test, env: Record<string, string>, database?: Database, after?: () => Promise<unknown>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-restart-'))
  const logs: Record<string, unknown>[] = []
  const logStream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '10000000',
    DATA_DIR: dataDir,
    WEBHOOK_POLL_MS: '200',
    ...env,
  })
  const app = await buildApp({ config, logStream, ...(database ? { database } : {}) })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
    await after?.()
  })
  return { app, logs }
}

/**
 * The write load: four full-stage batch writers, two stages moved submitted ⇄ returned, one
 * stage fed workbook imports, one evidence uploader, each in its own loop until stopped; every
 * answer recorded. A writer that got a 503 waits a little and goes on (a transition reads the
 * stage first: a move whose COMMIT acknowledgement was lost may have happened).
 */
async function writeLoad(app: App) {
  const ctx = { app }
  const tree = await insertSmallTree(ctx)
  const more = await Promise.all(
    [1, 2, 3, 4].map((i) => insertUnit(ctx, { kind: 'unit', parent: tree.opdB, name: `Kantor ${i}` })),
  )
  const [lke] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  const period = await insertPeriod(ctx, { instrumentVersionId: lke!.id })
  const admin = bearer(await createToken(ctx, 'admin'))
  const open = async (unitId: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: admin,
      payload: { period_id: period.id, unit_id: unitId },
    })
    if (res.statusCode !== 201) throw new Error(res.body)
    return `/v1/assessments/${res.json().id}`
  }
  const answers = answerMaker()
  const full = () => answers.random(answers.codes.length)
  const batch = (url: string, items: unknown[]) =>
    app.inject({ method: 'POST', url: `${url}/stages/self/answers/batch`, headers: admin, payload: { answers: items } })
  const batchUrls = [await open(tree.a1.id), await open(tree.a2.id), await open(tree.b1.id), await open(tree.b2.id)]
  const moveUrls = [await open(more[0]!.id), await open(more[1]!.id)]
  const workbookUrl = await open(more[2]!.id)
  const keyedUrl = await open(more[3]!.id)
  for (const url of moveUrls) if ((await batch(url, full())).statusCode !== 200) throw new Error('setup batch failed')
  // Two workbooks with different answers: importing them in turn changes answers every time.
  const workbooks: Buffer[] = []
  for (const name of ['random-seed-1', 'random-seed-2']) {
    const res = await batch(
      workbookUrl,
      Object.entries(goldenAnswers(name)).map(([question_code, value]) => ({ question_code, value })),
    )
    if (res.statusCode !== 200) throw new Error(res.body)
    workbooks.push(
      (await app.inject({ method: 'GET', url: `${workbookUrl}/stages/self/lke.xlsx`, headers: admin })).rawPayload,
    )
  }
  if (answers.codes.length !== 127) throw new Error(`a full stage should be 127 answers, not ${answers.codes.length}`)

  const answered: Answered[] = []
  const record = (
    what: string,
    res: { statusCode: number; headers: Record<string, unknown>; json: () => { code?: string } },
  ) => {
    const code = res.statusCode >= 400 ? res.json().code : undefined
    answered.push({
      what,
      status: res.statusCode,
      ...(code ? { code } : {}),
      ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}),
    })
    return res.statusCode
  }
  const importWorkbook = (bytes: Buffer) => {
    const form = multipartBody({}, { name: 'lke.xlsx', type: XLSX, content: bytes })
    return app.inject({
      method: 'POST',
      url: `${workbookUrl}/stages/self/lke.xlsx`,
      headers: { ...admin, ...form.headers },
      payload: form.payload,
    })
  }
  const upload = () => {
    const form = multipartBody(
      { unit_id: tree.a1.id, title: 'Notulen rapat' },
      { name: 'notulen.pdf', type: 'application/pdf', content: pdfBytes(2048) },
    )
    return app.inject({
      method: 'POST',
      url: '/v1/evidence/files',
      headers: { ...admin, ...form.headers },
      payload: form.payload,
    })
  }
  const pause = (status: number) => (status === 503 ? sleep(100) : Promise.resolve())
  let running = false
  const moveOnce = async (url: string, state: { to: string }) => {
    const status = record(
      'transition',
      await app.inject({
        method: 'POST',
        url: `${url}/stages/self/transitions`,
        headers: admin,
        payload: { to: state.to, ...(state.to === 'returned' ? { reason: 'Bukti belum lengkap' } : {}) },
      }),
    )
    if (status === 200) state.to = state.to === 'submitted' ? 'returned' : 'submitted'
    while (status === 503 && running) {
      await sleep(100)
      const read = await app.inject({ method: 'GET', url, headers: admin })
      if (record('read', read) === 200) {
        state.to = read.json().stages[0].status === 'submitted' ? 'returned' : 'submitted'
        break
      }
    }
    return status
  }
  const loops = [
    ...batchUrls.map((url) => async () => pause(record('batch', await batch(url, full())))),
    ...moveUrls.map((url) => {
      const state = { to: 'submitted' }
      return async () => void (await moveOnce(url, state))
    }),
    (() => {
      let turn = 0
      return async () => pause(record('workbook', await importWorkbook(workbooks[turn++ % 2]!)))
    })(),
    async () => pause(record('evidence', await upload())),
  ]
  let done: Promise<unknown> = Promise.resolve()
  return {
    answered,
    /** A stage outside the load, for a batch sent with an Idempotency-Key. */
    keyed: {
      stageId: (await app.inject({ method: 'GET', url: keyedUrl, headers: admin })).json().stages[0].id as string,
      send: () =>
        app.inject({
          method: 'POST',
          url: `${keyedUrl}/stages/self/answers/batch`,
          headers: { ...admin, 'idempotency-key': 'outage-retry' },
          payload: { answers: [{ question_code: 'Q1', value: 'Ya' }] },
        }),
    },
    start() {
      running = true
      done = Promise.all(
        loops.map(async (loop) => {
          while (running) await loop()
        }),
      )
    },
    async stop() {
      running = false
      await done
    },
    /** One of each write, one at a time: each must succeed. */
    async once(): Promise<number[]> {
      const statuses = [
        ...(await Promise.all(batchUrls.map(async (url) => (await batch(url, full())).statusCode))),
        (await importWorkbook(workbooks[0]!)).statusCode,
        (await importWorkbook(workbooks[1]!)).statusCode,
        (await upload()).statusCode,
      ]
      for (const url of moveUrls) {
        const read = await app.inject({ method: 'GET', url, headers: admin })
        statuses.push(
          await moveOnce(url, { to: read.json().stages[0].status === 'submitted' ? 'returned' : 'submitted' }),
        )
      }
      return statuses
    },
  }
}

/** The checks every scenario ends with. */
async function checkAfter(
  t: Test,
  app: App,
  load: Awaited<ReturnType<typeof writeLoad>>,
  logs: Record<string, unknown>[],
  expectOutage: boolean,
) {
  const by = (xs: Answered[]) =>
    Object.fromEntries(
      [...new Set(xs.map((a) => `${a.what} ${a.status}`))]
        .sort()
        .map((k) => [k, xs.filter((a) => `${a.what} ${a.status}` === k).length]),
    )
  t.comment(JSON.stringify(by(load.answered)))
  const odd = load.answered.filter((a) => ![200, 201, 503].includes(a.status))
  t.same(odd, [], 'every answer is 200, 201 or 503')
  const unavailable = load.answered.filter((a) => a.status === 503)
  t.ok(
    unavailable.every((a) => a.code === 'database_unavailable' && a.retryAfter === '5'),
    'every 503 is database_unavailable with Retry-After: 5',
  )
  if (expectOutage) t.ok(unavailable.length > 0, `the outage reached requests in flight (${unavailable.length} × 503)`)
  for (const what of ['batch', 'transition', 'workbook', 'evidence'])
    t.ok(
      load.answered.some((a) => a.what === what),
      `${what} requests were in flight`,
    )
  if (!expectOutage)
    t.ok(
      load.answered.every((a) => a.status < 300),
      'without a fault every write succeeds',
    )

  const after = await load.once()
  t.ok(
    after.every((s) => s === 200 || s === 201),
    `after recovery every write succeeds (${after.join(' ')})`,
  )
  // Every pooled connection is usable: a broken client left in the pool, or one never handed
  // back, would fail or time out one of these ten concurrent transactions.
  const parallel = await Promise.allSettled(
    Array.from({ length: 10 }, () => app.db.transaction(async (tx) => queryRows(tx, sql`select pg_sleep(0.05)`))),
  )
  t.same(
    parallel.filter((p) => p.status === 'rejected').map((p) => String((p as PromiseRejectedResult).reason)),
    [],
    'ten concurrent transactions all get a working connection',
  )

  const report: InvariantReport = await collectInvariants(
    (text) => queryRows(app.db, sql.raw(text)),
    async () =>
      (
        await app.inject({
          method: 'GET',
          url: '/v1/audit/verify',
          headers: bearer(await createToken({ app }, 'admin')),
        })
      ).json(),
  )
  t.comment(invariantLines(report).join('\n'))
  t.ok(report.batchEvents > 0, 'batches and imports were committed')
  t.same(report.stageVersionMismatches, [], 'every stage version = 1 + its audited writes: no write half-done')
  t.same(
    report.answerVersionMismatches,
    [],
    'every answer version = the committed batches and imports that list it: no half-written batch',
  )
  t.same(report.totalMismatches, [], "every stage's stored total = the score of its stored answers")
  t.same(report.transitionMismatches, [], 'every transition and snapshot has its audit event')
  t.same(report.unauditedEvidence, [], 'every evidence item has its audit event')
  t.equal(report.auditChain.valid, true, `the audit chain verifies (${report.auditChain.checked} events)`)
  t.same(
    logs.filter((l) => (l.level as number) >= 50).map((l) => l.msg),
    [],
    'nothing was logged as an error (a 500 or a failed background round)',
  )
}

t.test('connections killed mid-transaction under write load', async (t) => {
  const testDb = await createTestDatabase()
  // Our own pool with a unique application_name: only this app's backends are terminated.
  const applicationName = `zi_restart_${randomBytes(4).toString('hex')}`
  const database = onPostgres ? fromPostgres(testDb.url!, { poolMax: 10, applicationName }) : testDb.database
  const { app, logs } = await appOn(t, {}, database, async () => {
    if (onPostgres) await database.close()
    await testDb.destroy()
  })
  const started = Date.now()
  const load = await writeLoad(app)
  t.comment(`set up in ${Date.now() - started} ms`)
  load.start()
  if (onPostgres) {
    const admin = new pg.Client({ connectionString: testDb.url })
    await admin.connect()
    let killed = 0
    let inTransaction = 0
    try {
      for (let round = 0; round < 6; round++) {
        await sleep(800 + Math.random() * 400)
        const { rows } = await admin.query<{ n: number; busy: number }>(
          `select count(*)::int as n, count(*) filter (where state <> 'idle')::int as busy
             from (select state, pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()) k`,
          [applicationName],
        )
        killed += rows[0]!.n
        inTransaction += rows[0]!.busy
      }
    } finally {
      await admin.end()
    }
    t.ok(inTransaction > 0, `backends were killed inside transactions (${inTransaction} of ${killed})`)
  } else {
    await sleep(3000)
  }
  await load.stop()
  t.comment(`load stopped at ${Date.now() - started} ms`)
  await checkAfter(t, app, load, logs, onPostgres)
  t.comment(`checked at ${Date.now() - started} ms`)
})

/**
 * PostgreSQL only (PGlite has no server to restart; the file's other tests are its checks
 * there): a private cluster on a free port, created, restarted, stopped, started and dropped
 * here. The app opens and migrates it itself.
 */
t.test(
  'a private PostgreSQL cluster restarted and stopped under write load',
  { skip: onPostgres ? false : 'PGlite has no server to restart (the checks above cover PGlite); runs on PostgreSQL' },
  async (t) => {
    const version = (await run('ls', ['/etc/postgresql'])).stdout.trim().split('\n')[0]!
    const name = `zi_fault_${randomBytes(4).toString('hex')}`
    const port = await freePort()
    const ctl = (action: string, ...extra: string[]) =>
      run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action, ...extra])
    // Dropped after the app closes; and, should this process end before that, on its way out.
    const dropOnExit = () => {
      try {
        execFileSync('pg_dropcluster', ['--stop', version, name], { stdio: 'ignore' })
      } catch {
        /* not created yet, or already gone */
      }
    }
    process.once('exit', dropOnExit)
    const drop = async () => {
      process.removeListener('exit', dropOnExit)
      await run('pg_dropcluster', ['--stop', version, name]).catch((err: unknown) =>
        t.comment(`could not drop cluster ${name}: ${String(err)}`),
      )
    }
    await run('pg_createcluster', [
      version,
      name,
      '-p',
      String(port),
      '-o',
      'fsync=off',
      '-o',
      'shared_buffers=16MB',
      '-o',
      'max_connections=40',
      '--',
      '--auth=trust',
      '--no-sync',
    ])
    let app: App, logs: Record<string, unknown>[]
    try {
      await ctl('start')
      ;({ app, logs } = await appOn(
        t,
        { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`, DB_POOL_MAX: '10' },
        undefined,
        drop,
      ))
    } catch (err) {
      await drop()
      throw err
    }
    const load = await writeLoad(app)
    const ready = async () => (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode

    load.start()
    await sleep(1500)
    await ctl('restart', '-m', 'fast')
    await sleep(1500)
    // A batch with an Idempotency-Key holds its key (pending) and waits on a row lock when the
    // cluster stops: it must answer 503, and once the cluster is back its retry must run, not be
    // refused as still in progress.
    const locker = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` })
    locker.on('error', () => {}) // the stop kills this connection too
    await locker.connect()
    await locker.query('begin')
    await locker.query('select 1 from assessment_stages where id = $1 for update', [load.keyed.stageId])
    const keyed = load.keyed.send()
    for (let i = 0; i < 100; i++) {
      const { rows } = await locker.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%assessment_stages%for update%' and pid <> pg_backend_pid()`,
      )
      if (rows[0]!.n > 0) break
      await sleep(100)
    }
    await ctl('stop', '-m', 'fast')
    const downAt = Date.now()
    const keyedDown = await keyed
    t.equal(keyedDown.statusCode, 503, 'the keyed batch caught by the stop answers 503')
    await locker.end().catch(() => {})
    t.equal(await ready(), 503, 'readiness answers 503 while PostgreSQL is down')
    await sleep(1500)
    const whileDown = load.answered.filter((a) => a.status === 503).length
    t.ok(Date.now() - downAt < 10_000, 'requests fail fast while it is down (no hang)')
    await ctl('start')
    let back = false
    for (let i = 0; i < 60 && !back; i++) (back = (await ready()) === 200) || (await sleep(250))
    t.ok(back, 'readiness is 200 again once PostgreSQL is back, same process')
    const retries: number[] = []
    for (let i = 0; i < 20 && retries.at(-1) !== 200; i++) {
      retries.push((await load.keyed.send()).statusCode)
      if (retries.at(-1) !== 200) await sleep(500)
    }
    t.equal(
      retries.at(-1),
      200,
      `the retry with the same Idempotency-Key runs once the database is back (${retries.join(' ')})`,
    )
    await sleep(1000)
    await load.stop()
    t.ok(whileDown > 0, `writes in flight answered 503 (${whileDown} by the end of the outage)`)
    await checkAfter(t, app, load, logs, true)
  },
)
