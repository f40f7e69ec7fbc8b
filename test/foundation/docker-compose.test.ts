import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { projectRoot } from '../../src/lib/paths.js'

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
