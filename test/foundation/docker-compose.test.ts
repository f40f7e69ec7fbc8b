import t from 'tap'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { projectRoot } from '../../src/lib/paths.js'
import { bearer } from '../helpers/auth.js'
import { createTestDatabase } from '../helpers/database.js'

// Docker cannot run here, so check what compose and the image would do.
t.test('docker-compose.yml starts PostgreSQL 16 and the API wired to it', async (t) => {
  const compose = parse(readFileSync(join(projectRoot(), 'docker-compose.yml'), 'utf8'))
  t.match(compose.services.db.image, /^postgres:16(\b|$)/)
  const api = compose.services.api
  t.equal(api.build, '.')
  t.ok(api.ports.includes('3000:3000'), 'publishes port 3000')
  const url = new URL(api.environment.DATABASE_URL)
  t.equal(url.protocol, 'postgres:')
  t.equal(url.hostname, 'db', 'points at the compose database service')
  t.equal(url.pathname, `/${compose.services.db.environment.POSTGRES_DB}`)
  t.equal(decodeURIComponent(url.username), compose.services.db.environment.POSTGRES_USER)
  t.equal(api.depends_on.db.condition, 'service_healthy')
})

t.test('docker-compose.yml keeps DATA_DIR on a named volume and evidence in MinIO', async (t) => {
  const compose = parse(readFileSync(join(projectRoot(), 'docker-compose.yml'), 'utf8'))
  const api = compose.services.api
  const dockerfile = readFileSync(join(projectRoot(), 'Dockerfile'), 'utf8')
  const dataDir = /DATA_DIR=(\S+)/.exec(dockerfile)?.[1]
  t.equal(dataDir, '/data')
  const mount = (api.volumes as string[]).find((v) => v.endsWith(`:${dataDir}`))
  t.ok(mount, 'DATA_DIR is a volume: re-creating the container keeps it')
  t.ok(Object.keys(compose.volumes).includes(mount!.split(':')[0]!), 'a named volume')
  t.equal(api.environment.EVIDENCE_STORE, 's3')
  const endpoint = new URL(api.environment.S3_ENDPOINT)
  t.ok(compose.services[endpoint.hostname], 'S3_ENDPOINT names a compose service')
  t.match(compose.services[endpoint.hostname].image, /^minio\/minio/)
  t.ok(
    (compose.services.minio.volumes as string[]).some(
      (v) => compose.volumes && Object.keys(compose.volumes).includes(v.split(':')[0]!),
    ),
    'MinIO data on a named volume',
  )
  t.match(
    compose.services['minio-init'].command.join(' '),
    new RegExp(`mc mb --ignore-existing local/${api.environment.S3_BUCKET}`),
    'the bucket is created',
  )
  t.equal(api.depends_on['minio-init'].condition, 'service_completed_successfully')
  t.match(
    readFileSync(join(projectRoot(), 'docker-compose.yml'), 'utf8'),
    /EVIDENCE_STORE: fs/,
    'commented how to switch back to the file system',
  )
})

t.test('the Dockerfile builds on a Node LTS image and runs the compiled server', async (t) => {
  const dockerfile = readFileSync(join(projectRoot(), 'Dockerfile'), 'utf8')
  const froms = [...dockerfile.matchAll(/^FROM\s+node:(\d+)/gm)].map((m) => Number(m[1]))
  t.ok(froms.length >= 1)
  for (const major of froms) t.ok([22, 24].includes(major), `node:${major} is a current LTS line`)
  t.match(dockerfile, /EXPOSE 3000/)
  t.match(dockerfile, /CMD \["node", "dist\/src\/server\.js"\]/)
  t.match(dockerfile, /COPY migrations/)
})

t.test('docker-compose.yml pins MinIO and its client to releases', async (t) => {
  const compose = parse(readFileSync(join(projectRoot(), 'docker-compose.yml'), 'utf8'))
  for (const service of ['minio', 'minio-init']) {
    const image = compose.services[service].image as string
    t.match(image, /^minio\/(minio|mc):RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/, `${service}: ${image}`)
  }
  for (const [name, service] of Object.entries(compose.services as Record<string, { image?: string }>))
    if (service.image) t.notMatch(service.image, /:latest$|^[^:]+$/, `${name} names a version`)
})

/** `${NAME:-default}` as compose reads it with NAME unset in the shell and .env. */
const unsetInterpolation = (value: unknown) =>
  typeof value === 'string' ? value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1') : String(value)

t.test('the compose api with its keys left empty generates them into the data volume and reuses them', async (t) => {
  const compose = parse(readFileSync(join(projectRoot(), 'docker-compose.yml'), 'utf8'))
  const api = compose.services.api
  t.equal(api.environment.WEBHOOK_SECRET_KEY, '${WEBHOOK_SECRET_KEY:-}', 'empty unless set in .env')
  t.equal(api.environment.EVIDENCE_LINK_KEY, '${EVIDENCE_LINK_KEY:-}')
  t.ok(
    (api.volumes as string[]).some((v) => v.endsWith(':/data')),
    'the keys land on the DATA_DIR volume, so they survive re-created containers',
  )
  // The compose environment as the container gets it, against this test's database and a
  // directory standing for the volume (the evidence store is not what is tested here: fs).
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-compose-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const db = await createTestDatabase()
  t.teardown(() => db.destroy())
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(api.environment as Record<string, unknown>))
    if (!key.startsWith('S3_')) env[key] = unsetInterpolation(value)
  const admin = 'a'.repeat(40)
  Object.assign(env, {
    DATA_DIR: dataDir,
    EVIDENCE_STORE: 'fs',
    LOG_LEVEL: 'silent',
    WEBHOOK_WORKER: 'false',
    BOOTSTRAP_ADMIN_TOKEN: admin,
    // No DNS here: a loopback receiver, exempt from the SSRF guard as in the webhook tests.
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
  })
  if (db.url) env.DATABASE_URL = db.url
  else delete env.DATABASE_URL
  const config = loadConfig(env)
  t.equal(config.WEBHOOK_SECRET_KEY, undefined, 'no webhook key given')
  const start = () =>
    db.url ? buildApp({ config, logger: false }) : buildApp({ config, database: db.database, logger: false })
  const app = await start()
  const webhookKey = readFileSync(join(dataDir, 'webhook-secret.key'), 'utf8')
  t.ok(existsSync(join(dataDir, 'evidence-link.key')), 'evidence-link key generated')
  const created = await app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: bearer(admin),
    payload: { url: 'http://127.0.0.1:9/zi' },
  })
  t.equal(created.statusCode, 201, `webhooks work on the first start: ${created.body}`)
  await app.close()
  const again = await start()
  await again.close()
  t.equal(readFileSync(join(dataDir, 'webhook-secret.key'), 'utf8'), webhookKey, 'the same key after a restart')
})
