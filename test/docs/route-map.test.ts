import t from 'tap'
import { readFileSync } from 'node:fs'
import { renderRouteMap, routeMapFile } from '../../scripts/route-map-render.js'

t.test('docs/route-map.md lists every route with its file and operationId, as the routes are now', async (t) => {
  const current = await renderRouteMap()
  t.equal(readFileSync(routeMapFile(), 'utf8'), current, 'docs/route-map.md is stale: run `npm run routes:map`')
  t.notMatch(current, /\(not found\)/, 'every operationId is declared in a file under src/')
  for (const prefix of ['/v1/assessments', '/v1/periods', '/v1/dashboards', '/v1/declarations', '/v1/units'])
    t.match(current, `## ${prefix}\n`, `${prefix} has its section`)
})
