import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createToken } from '../helpers/auth.js'
import { insertSmallTree } from '../helpers/units.js'
import { cliHome, startServer, zi } from '../helpers/zi-cli.js'

/** The exit codes of `zi` for usage errors, 401, 404, and an unavailable or unreachable server. */
t.test('zi: exit codes', async (t) => {
  const ctx = await startServer(t)
  const tree = await insertSmallTree(ctx)
  const evaluator = await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id] })
  const home = { ...cliHome(), ZI_URL: ctx.url, ZI_TOKEN: evaluator }

  const notLoggedIn = await zi(['units'], cliHome())
  t.equal(notLoggedIn.code, 3, 'not logged in: 3')
  t.match(notLoggedIn.stderr, /not logged in/)
  const badToken = await zi(['units'], { ...home, ZI_TOKEN: `zit_deadbeef_${'y'.repeat(43)}` })
  t.equal(badToken.code, 3, '401: 3')
  t.match(badToken.stderr, /401 invalid_token: The bearer token is not valid/)
  const unknown = await zi(['frobnicate'], home)
  t.equal(unknown.code, 1, 'unknown command: 1')
  t.match(unknown.stderr, /unknown command "frobnicate"/)
  const badOption = await zi(['units', '--colour'], home)
  t.equal(badOption.code, 1, 'unknown option: 1')
  t.match(badOption.stderr, /--colour/)
  const badStage = await zi(['score', tree.a1.id, 'final'], home)
  t.equal(badStage.code, 1, 'bad stage: 1')
  t.match(badStage.stderr, /self, tpi, tpn, sanggah/)
  const badUrl = await zi(['login', '--url', 'zi.example', '--token', evaluator], cliHome())
  t.equal(badUrl.code, 1, 'bad URL: 1')
  const missing = await zi(['score', '00000000-0000-4000-8000-000000000000', 'self'], home)
  t.equal(missing.code, 4, 'unknown assessment: 4')
  t.match(missing.stderr, /404 assessment_not_found/)
})

t.test('zi: an unavailable or unreachable server (6)', async (t) => {
  // A stand-in server that always answers 503 with Retry-After: 0.
  let seen = 0
  const down = createServer((_req, res) => {
    seen++
    res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0' })
    res.end(
      JSON.stringify({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'the database does not answer',
        code: 'unavailable',
      }),
    )
  })
  await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve))
  t.teardown(() => down.close())
  const env = { ...cliHome(), ZI_TOKEN: `zit_00000000_${'z'.repeat(43)}` }

  const gave = await zi(['whoami'], { ...env, ZI_URL: `http://127.0.0.1:${(down.address() as AddressInfo).port}` })
  t.equal(gave.code, 6, 'a server that stays unavailable: 6')
  t.match(gave.stderr, /503 unavailable: the database does not answer/)
  t.equal(seen, 3, 'one try and two retries')

  // Nothing listens on a port just released.
  const released = createServer()
  await new Promise<void>((resolve) => released.listen(0, '127.0.0.1', resolve))
  const port = (released.address() as AddressInfo).port
  await new Promise((resolve) => released.close(resolve))
  const unreachable = await zi(['whoami'], { ...env, ZI_URL: `http://127.0.0.1:${port}` })
  t.equal(unreachable.code, 6, 'connection refused: 6')
  t.match(unreachable.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/)
})
