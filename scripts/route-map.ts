// `npm run routes:map`: regenerate docs/route-map.md (URL → file → operationId) from the routes.
import { writeFileSync } from 'node:fs'
import { renderRouteMap, routeMapFile } from './route-map-render.js'

writeFileSync(routeMapFile(), await renderRouteMap())
console.log(`wrote ${routeMapFile()}`)
