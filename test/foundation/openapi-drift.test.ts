import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../src/lib/paths.js'
import { renderOpenApi } from '../../src/openapi-document.js'
import { buildTestApp } from '../helpers/app.js'

t.test('the committed openapi/openapi.json matches the routes', async (t) => {
  const committed = readFileSync(join(projectRoot(), 'openapi', 'openapi.json'), 'utf8')
  const current = await renderOpenApi()
  t.equal(committed, current, 'openapi/openapi.json is stale: run `npm run openapi` and commit it')
  const doc = JSON.parse(current)
  t.equal(doc.openapi, '3.1.0')
  t.ok(doc.components.schemas.Problem, 'problem details are a shared component')
})

t.test('GET /openapi.json and /docs are served', async (t) => {
  const { app } = await buildTestApp(t)
  const json = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(json.statusCode, 200)
  t.equal(json.json().openapi, '3.1.0')
  t.ok(json.json().paths['/v1/me'])
  const docs = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /text\/html/)
})

t.test('every operation documents its error responses as problem+json and has an operationId', async (t) => {
  const doc = JSON.parse(await renderOpenApi())
  const ids = new Set<string>()
  for (const [path, ops] of Object.entries(
    doc.paths as Record<
      string,
      Record<
        string,
        {
          operationId?: string
          tags?: string[]
          'x-roles': string[]
          responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>
        }
      >
    >,
  )) {
    for (const [method, op] of Object.entries(ops)) {
      t.ok(op.operationId, `${method} ${path} has an operationId`)
      t.notOk(ids.has(op.operationId ?? ''), `${op.operationId} is unique`)
      ids.add(op.operationId ?? '')
      const codes = Object.keys(op.responses)
      t.ok(
        codes.some((c) => c.startsWith('2')),
        `${method} ${path} documents its success response`,
      )
      if (op['x-roles'].length > 0) t.ok(op.responses['401'], `${method} ${path} documents 401`)
      for (const code of codes.filter((c) => Number(c) >= 400)) {
        // PortalRB routes answer with the error body of KemenPANRB's guide instead (see src/modules/portalrb).
        if (op.tags?.includes('portalrb')) {
          t.equal(
            op.responses[code]?.content?.['application/json']?.schema?.$ref,
            '#/components/schemas/PortalRbError',
            `${method} ${path} ${code} is a PortalRbError`,
          )
          continue
        }
        const schema = op.responses[code]?.content?.['application/problem+json']?.schema
        t.equal(schema?.$ref, '#/components/schemas/Problem', `${method} ${path} ${code} is a Problem`)
      }
    }
  }
})
