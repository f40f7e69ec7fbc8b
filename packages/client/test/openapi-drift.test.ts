import t from 'tap'
import { readFileSync } from 'node:fs'
import { clientTypesFile, renderClientTypes } from '../scripts/generate-types.js'

t.test("the client types match the service's committed openapi/openapi.json", async (t) => {
  const committed = readFileSync(clientTypesFile(), 'utf8')
  t.equal(
    committed,
    await renderClientTypes(),
    'packages/client/src/openapi.ts is stale: run `npm run client:generate` (after `npm run openapi`) and commit it',
  )
})
