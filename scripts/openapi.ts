// `npm run openapi`: regenerate the committed openapi/openapi.json from the route schemas.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../src/lib/paths.js'
import { renderOpenApi } from '../src/openapi-document.js'

const file = join(projectRoot(), 'openapi', 'openapi.json')
writeFileSync(file, await renderOpenApi())
console.log(`wrote ${file}`)
