import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { projectRoot } from '../../src/lib/paths.js'
import { createToken } from '../helpers/auth.js'
import { cliHome, startServer } from '../helpers/zi-cli.js'
import { insertSmallTree } from '../helpers/units.js'

const run = promisify(execFile)
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** Bytes of every regular file below `dir` (what `du --apparent-size` would say). */
function sizeOf(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) total += sizeOf(path)
    else if (entry.isFile()) total += statSync(path).size
  }
  return total
}

/** Top-level package names in a node_modules folder (scoped ones as @scope/name). */
function packagesIn(modules: string): string[] {
  return readdirSync(modules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(modules, name)).map((inner) => `${name}/${inner}`) : [name],
    )
    .sort()
}

// A dashboard team's view: pack the client as it would be published, install the tarball into an
// empty project, and use it — library and CLI — against a running server. The tarball must pull
// nothing of the server (fastify, PGlite, exceljs, drizzle …).
t.test('the packed client installs small into an empty project and works there', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'zi-client-install-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))

  const packed = await run(npm, ['pack', '--workspace', '@zi-tracker/client', '--pack-destination', work, '--json'], {
    cwd: projectRoot(),
    maxBuffer: 16 * 1024 * 1024,
  })
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
    filename: string
    files: { path: string }[]
  }[]
  if (!info) throw new Error('npm pack reported no tarball')
  const files = info.files.map((f) => f.path).sort()
  t.ok(
    files.includes('dist/index.js') && files.includes('dist/index.d.ts'),
    'ships the compiled library with its types',
  )
  t.ok(files.includes('bin/zi.js') && files.includes('dist/cli/zi.js'), 'ships the compiled CLI')
  t.notOk(
    files.some((f) => f.startsWith('src/')),
    'ships no TypeScript source',
  )

  const project = join(work, 'dashboard')
  await run('mkdir', ['-p', project])
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'dashboard', private: true, type: 'module' }))
  await run(
    npm,
    ['install', join(work, info.filename), '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'],
    {
      cwd: project,
      maxBuffer: 16 * 1024 * 1024,
    },
  )

  const modules = join(project, 'node_modules')
  const installed = packagesIn(modules)
  t.same(
    installed,
    ['@zi-tracker/client', 'i18next', 'openapi-fetch', 'openapi-typescript-helpers'],
    "only the client, openapi-fetch and i18next (the CLI's messages) are installed",
  )
  const bytes = sizeOf(modules)
  t.comment(`installed size: ${(bytes / 1024).toFixed(0)} KiB in ${installed.length} packages`)
  t.ok(bytes < 3 * 1024 * 1024, `node_modules stays under 3 MiB (${bytes} bytes)`)

  const ctx = await startServer(t)
  const tree = await insertSmallTree(ctx)
  const token = await createToken(ctx, 'viewer', { unitIds: [tree.opdB.id], name: 'Dasbor Bappeda' })

  // The library, imported by its package name from a plain ESM script.
  writeFileSync(
    join(project, 'me.mjs'),
    `import { createZiClient } from '@zi-tracker/client'
const zi = createZiClient({ baseUrl: process.env.ZI_URL, token: process.env.ZI_TOKEN })
const { data, error } = await zi.GET('/v1/me')
if (error) { console.error(JSON.stringify(error)); process.exit(1) }
console.log(JSON.stringify({ name: data.name, role: data.role }))
`,
  )
  const me = await run(process.execPath, ['me.mjs'], {
    cwd: project,
    env: { ...process.env, ZI_URL: ctx.url, ZI_TOKEN: token },
  })
  t.same(JSON.parse(me.stdout), { name: 'Dasbor Bappeda', role: 'viewer' })

  // The types resolve from the installed package (a consumer's type-check).
  writeFileSync(
    join(project, 'check.ts'),
    `import { createZiClient, type Schemas } from '@zi-tracker/client'
const zi = createZiClient({ baseUrl: 'http://localhost:3000' })
export async function units(): Promise<Schemas['Unit'][]> {
  const { data } = await zi.GET('/v1/units', { params: { query: { limit: 10 } } })
  return data?.items ?? []
}
`,
  )
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2023',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
      files: ['check.ts'],
    }),
  )
  const tsc = join(projectRoot(), 'node_modules', 'typescript', 'bin', 'tsc')
  const typecheck = await run(process.execPath, [tsc, '-p', project]).then(
    () => ({ code: 0, out: '' }),
    (err: { code: number; stdout: string }) => ({ code: err.code, out: err.stdout }),
  )
  t.equal(typecheck.code, 0, `a consumer type-checks against the installed types ${typecheck.out}`)

  // The CLI, from the project's node_modules/.bin.
  const units = await run(join(modules, '.bin', 'zi'), ['units'], {
    cwd: project,
    env: { ...process.env, ...cliHome(), ZI_URL: ctx.url, ZI_TOKEN: token },
  })
  t.match(units.stdout, tree.opdB.code, 'zi lists the units in the token’s scope')

  // An evaluator's machine: `npm install -g` of the tarball (into a prefix of its own here), then
  // `zi` from the PATH in a folder that is neither the checkout nor a project.
  const prefix = join(work, 'global')
  await run(
    npm,
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      join(work, info.filename),
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
    ],
    { cwd: work, maxBuffer: 16 * 1024 * 1024 },
  )
  const elsewhere = join(work, 'home')
  await run('mkdir', ['-p', elsewhere])
  const evaluatorEnv = {
    ...cliHome(),
    PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
    ZI_URL: ctx.url,
    ZI_TOKEN: token,
    ZI_LANG: 'en',
  }
  const { PATH: _path, ...rest } = process.env
  const help = await run('zi', ['--help'], { cwd: elsewhere, env: { ...rest, ...evaluatorEnv } })
  t.match(help.stdout, /^Usage: zi <command>[\s\S]*login --url/, 'zi --help from the global install')
  t.notOk(join(prefix, 'bin', 'zi').startsWith(projectRoot()), 'installed outside the checkout')
  const whoami = await run('zi', ['whoami'], { cwd: elsewhere, env: { ...rest, ...evaluatorEnv } })
  t.match(whoami.stdout, /Dasbor Bappeda/, 'zi whoami answers from the server')
})
