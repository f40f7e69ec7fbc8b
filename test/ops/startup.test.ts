import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { buildApp } from '../../src/app.js'
import { projectRoot } from '../../src/lib/paths.js'
import { loadConfig } from '../../src/config.js'
import { usePretty, loggerOptions } from '../../src/lib/logger.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'

const collect = () => {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { lines, stream }
}
const messages = (lines: Record<string, unknown>[]) => lines.map((l) => String(l.msg))

t.test('start-up: first-run line, no validator warnings', async (t) => {
  const warned: string[] = []
  const original = { warn: console.warn, log: console.log, error: console.error }
  for (const k of ['warn', 'log', 'error'] as const)
    console[k] = (...args: unknown[]) => void warned.push(args.map(String).join(' '))
  let ctx
  try {
    ctx = await buildTestApp(t)
  } finally {
    Object.assign(console, original)
  }
  t.same(
    warned.filter((w) => /strict mode|ajv/i.test(w)),
    [],
    'no ajv strict-mode lines while routes compile',
  )
  const firstRun = messages(ctx.logs).filter((m) => m.startsWith('No admin yet'))
  t.equal(firstRun.length, 1, 'one line')
  t.match(firstRun[0], /npm run cli -- token create --role admin --name/, 'says how to create the first token')
  t.match(firstRun[0], /BOOTSTRAP_ADMIN_TOKEN/)
  const dockerCli = /Docker image: node (dist\/(src\/cli\/\w+)\.js) token create/.exec(firstRun[0]!)
  t.ok(dockerCli, 'names the compiled CLI for the Docker image')
  t.ok(existsSync(join(projectRoot(), `${dockerCli![2]}.ts`)), `${dockerCli![1]} is compiled from a file that exists`)
  t.equal(ctx.logs.find((l) => String(l.msg).startsWith('No admin yet'))?.level, 40, 'at warn level')

  await createToken(ctx, 'admin')
  const again = collect()
  const second = await buildApp({
    config: loadConfig({ LOG_LEVEL: 'info', METRICS_ENABLED: 'false', WEBHOOK_WORKER: 'false' }),
    database: ctx.db.database,
    logStream: again.stream,
  })
  await second.close()
  t.notOk(
    messages(again.lines).some((m) => m.startsWith('No admin yet')),
    'not once an admin exists',
  )
})

t.test('logs: pretty only on a terminal outside production, JSON otherwise', async (t) => {
  t.equal(usePretty('auto', true, undefined), true)
  t.equal(usePretty('auto', true, 'production'), false)
  t.equal(usePretty('auto', false, undefined), false)
  t.equal(usePretty('json', true, undefined), false)
  t.equal(usePretty('pretty', false, 'production'), true)
  t.match(loggerOptions('info', undefined, 'pretty'), { transport: { target: 'pino-pretty' } })
  t.notOk((loggerOptions('info', undefined, 'json') as Record<string, unknown>).transport)
  t.notOk(
    (loggerOptions('info', new Writable(), 'pretty') as Record<string, unknown>).transport,
    'a given stream gets JSON',
  )
})

t.test('webhook and link keys on the embedded database are generated into DATA_DIR', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-keys-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const env = {
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    METRICS_ENABLED: 'false',
    WEBHOOK_WORKER: 'false',
    BOOTSTRAP_ADMIN_TOKEN: 'b'.repeat(40),
  }
  const first = collect()
  const app = await buildApp({ config: loadConfig(env), logStream: first.stream })
  const keyPath = join(dataDir, 'webhook-secret.key')
  t.equal(statSync(keyPath).mode & 0o777, 0o600, 'mode 0600')
  t.equal(Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64').length, 32)
  t.equal(statSync(join(dataDir, 'evidence-link.key')).mode & 0o777, 0o600)
  t.ok(
    messages(first.lines).some((m) => m.startsWith(`WEBHOOK_SECRET_KEY is not set: generated a key into ${keyPath}`)),
    'says that it did',
  )
  t.notOk(JSON.stringify(first.lines).includes(readFileSync(keyPath, 'utf8').trim()), 'the key itself is not logged')
  const created = await app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: bearer('b'.repeat(40)),
    payload: { url: 'https://hooks.invalid/zi' },
  })
  t.not(created.json().code, 'webhooks_not_configured', 'webhooks work without WEBHOOK_SECRET_KEY')
  const key = readFileSync(keyPath, 'utf8')
  await app.close()

  const second = collect()
  const reopened = await buildApp({ config: loadConfig(env), logStream: second.stream })
  await reopened.close()
  t.equal(readFileSync(keyPath, 'utf8'), key, 'the same key after a restart')
  t.ok(
    messages(second.lines).some((m) => m.startsWith('WEBHOOK_SECRET_KEY is not set: using the key generated earlier')),
  )
})

t.test('on PostgreSQL (or any database the caller opened) the key is still required', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-keys-pg-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const ctx = await buildTestApp(t, { DATA_DIR: dataDir })
  const env = {
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    METRICS_ENABLED: 'false',
    WEBHOOK_WORKER: 'false',
    BOOTSTRAP_ADMIN_TOKEN: 'c'.repeat(40),
    ...(ctx.db.url ? { DATABASE_URL: ctx.db.url } : {}),
  }
  // With DATABASE_URL the app opens PostgreSQL itself; on PGlite runs the test's own database is handed in.
  const app = ctx.db.url
    ? await buildApp({ config: loadConfig(env), logger: false })
    : await buildApp({ config: loadConfig(env), database: ctx.db.database, logger: false })
  t.teardown(() => app.close())
  t.notOk(existsSync(join(dataDir, 'webhook-secret.key')), 'no key generated')
  const refused = await app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: bearer('c'.repeat(40)),
    payload: { url: 'https://hooks.example.go.id/zi' },
  })
  t.equal(refused.statusCode, 503)
  t.equal(refused.json().code, 'webhooks_not_configured')
})
