// `npm run client:generate`: regenerate src/client/openapi.ts from the committed openapi/openapi.json.
import { writeFileSync } from 'node:fs'
import { clientTypesFile, renderClientTypes } from './client-types.js'

const file = clientTypesFile()
writeFileSync(file, await renderClientTypes())
console.log(`wrote ${file}`)
