import t from 'tap'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createToken } from '../helpers/auth.js'
import { insertSmallTree } from '../helpers/units.js'
import { cliHome, startServer, zi } from '../helpers/zi-cli.js'

/** `zi login`, the saved config, environment overrides, `zi units`, `zi logout`. */
t.test('zi: login, config, units', async (t) => {
  const ctx = await startServer(t)
  const tree = await insertSmallTree(ctx)
  const evaluator = await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id], name: 'TPI Inspektorat' })
  const admin = await createToken(ctx, 'admin')
  const home = cliHome()

  t.test('login checks the token, saves URL and token 0600, never prints the token', async (t) => {
    const res = await zi(['login', '--url', `${ctx.url}/`, '--token', evaluator], home)
    t.equal(res.code, 0, res.stderr)
    t.equal(res.stdout, '', 'nothing on stdout')
    t.match(res.stderr, /logged in to http:\/\/127\.0\.0\.1:\d+ as TPI Inspektorat \(evaluator, 1 unit subtree\)/)
    t.notOk(res.stderr.includes(evaluator), 'the token is not echoed')
    const file = join(home.XDG_CONFIG_HOME, 'zi', 'config.json')
    t.equal(statSync(file).mode & 0o777, 0o600, 'the file is 0600')
    t.equal(statSync(join(home.XDG_CONFIG_HOME, 'zi')).mode & 0o777, 0o700, 'its directory is 0700')
    t.same(
      JSON.parse(readFileSync(file, 'utf8')),
      { url: ctx.url, token: evaluator },
      'the URL without its trailing slash',
    )
  })

  t.test('a token the server refuses is not saved (exit 3)', async (t) => {
    const other = cliHome()
    const res = await zi(['login', '--url', ctx.url, '--token', `zit_deadbeef_${'x'.repeat(43)}`], other)
    t.equal(res.code, 3)
    t.match(res.stderr, /401/)
    t.notOk(existsSync(join(other.XDG_CONFIG_HOME, 'zi', 'config.json')))
  })

  const adminHome = cliHome()
  t.test('the token can come on stdin instead of the command line', async (t) => {
    const other = adminHome
    const res = await zi(['login', '--url', ctx.url], other, { input: `${admin}\n` })
    t.equal(res.code, 0, res.stderr)
    t.match(res.stderr, /\(admin, all units\)/)
    t.equal(JSON.parse(readFileSync(join(other.XDG_CONFIG_HOME, 'zi', 'config.json'), 'utf8')).token, admin)
  })

  t.test('units lists the units in scope, tab-separated with a header, or as JSON', async (t) => {
    const res = await zi(['units'], home)
    t.equal(res.code, 0, res.stderr)
    const [header, ...rows] = res.stdout.trimEnd().split('\n')
    t.equal(header, 'id\tcode\tkind\tname\tparent_id\tafirmasi\tarchived')
    t.same(
      rows.map((r) => r.split('\t')[0]).sort(),
      [tree.opdA.id, tree.a1.id, tree.a2.id].sort(),
      'the OPD granted and its unit kerja, nothing else',
    )
    t.match(res.stderr, /^3 units/)
    const opd = rows.map((r) => r.split('\t')).find((r) => r[0] === tree.opdA.id)
    t.same(opd?.slice(2), ['opd', 'Dinas Kesehatan', tree.instansi.id, 'false', 'false'])
    const json = await zi(['units', '--kind', 'unit', '--json'], home)
    t.equal(json.code, 0, json.stderr)
    t.same(
      JSON.parse(json.stdout)
        .map((u: { name: string }) => u.name)
        .sort(),
      ['Puskesmas Dua', 'Puskesmas Satu'],
    )
  })

  t.test('ZI_URL and ZI_TOKEN override the saved login', async (t) => {
    const res = await zi(['units', '--json'], { ...home, ZI_TOKEN: admin })
    t.equal(res.code, 0, res.stderr)
    t.equal(JSON.parse(res.stdout).length, 7, 'the admin token sees every unit')
    const both = await zi(['whoami'], { ...cliHome(), ZI_URL: ctx.url, ZI_TOKEN: admin })
    t.equal(both.code, 0, both.stderr)
    t.match(both.stdout, /^role\tadmin$/m)
    t.notOk(both.stdout.includes(admin) || both.stderr.includes(admin), 'whoami does not print the token')
  })

  t.test('logout forgets the login', async (t) => {
    const other = adminHome
    const out = await zi(['logout'], other)
    t.equal(out.code, 0)
    t.notOk(existsSync(join(other.XDG_CONFIG_HOME, 'zi', 'config.json')))
    t.equal((await zi(['units'], other)).code, 3)
  })
})
