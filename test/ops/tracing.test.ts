import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startTracing } from '../../src/lib/tracing.js'
import { loadConfig } from '../../src/config.js'

t.test('without OTEL_EXPORTER_OTLP_ENDPOINT nothing is started', async (t) => {
  t.equal(await startTracing(loadConfig({})), null)
})

t.test(
  'with OTEL_EXPORTER_OTLP_ENDPOINT, spans of requests (and PostgreSQL queries) reach an OTLP/HTTP receiver',
  async (t) => {
    const received: { name: string; attributes: Record<string, unknown> }[] = []
    const receiver = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const doc = JSON.parse(body) as {
            resourceSpans: {
              scopeSpans: { spans: { name: string; attributes: { key: string; value: Record<string, unknown> }[] }[] }[]
            }[]
          }
          for (const rs of doc.resourceSpans)
            for (const ss of rs.scopeSpans)
              for (const s of ss.spans)
                received.push({
                  name: s.name,
                  attributes: Object.fromEntries(s.attributes.map((a) => [a.key, Object.values(a.value)[0]])),
                })
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    t.teardown(() => receiver.close())
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`

    const tracing = await startTracing(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }))
    t.ok(tracing)
    // Loaded after tracing started, as src/server.ts does: Fastify and pg are instrumented.
    const { buildTestApp } = await import('../helpers/app.js')
    const ctx = await buildTestApp(t)
    const res = await ctx.app.inject({ method: 'GET', url: '/health/ready' })
    t.equal(res.statusCode, 200)
    t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/units' })).statusCode, 401)
    await tracing!.flush()
    const names = received.map((s) => s.name)
    t.ok(
      names.some((n) => /GET \/health\/ready|request/i.test(n)),
      `a request span (${[...new Set(names)].slice(0, 12).join(', ')})`,
    )
    t.ok(
      received.some((s) => Object.values(s.attributes).some((v) => v === '/v1/units')),
      'spans carry the route',
    )
    if (ctx.db.url)
      t.ok(
        names.some((n) => /^pg\.(query|connect)/.test(n)),
        'PostgreSQL query spans',
      )
    await tracing!.shutdown()
  },
)
