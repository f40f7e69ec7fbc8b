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

t.test('the Dockerfile builds on a Node LTS image and runs the compiled server', async (t) => {
  const dockerfile = readFileSync(join(projectRoot(), 'Dockerfile'), 'utf8')
  const froms = [...dockerfile.matchAll(/^FROM\s+node:(\d+)/gm)].map((m) => Number(m[1]))
  t.ok(froms.length >= 1)
  for (const major of froms) t.ok([22, 24].includes(major), `node:${major} is a current LTS line`)
  t.match(dockerfile, /EXPOSE 3000/)
  t.match(dockerfile, /CMD \["node", "dist\/src\/server\.js"\]/)
  t.match(dockerfile, /COPY migrations/)
})
