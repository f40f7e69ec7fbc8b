// `npm run client:generate`: regenerate src/openapi.ts from the service's committed openapi/openapi.json.
import { writeFileSync } from 'node:fs'
import { clientTypesFile, renderClientTypes } from './generate-types.js'

const file = clientTypesFile()
writeFileSync(file, await renderClientTypes())
console.log(`wrote ${file}`)
