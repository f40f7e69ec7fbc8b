import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import type { Test } from 'tap'
import ts from 'typescript'
import { createZiClient, type ZiClient } from '../../packages/client/src/index.js'
import { projectRoot } from '../../src/lib/paths.js'
import { buildTestApp, type TestContext } from './app.js'
import { createToken } from './auth.js'
import { insertPeriod } from './periods.js'
import { insertSmallTree } from './units.js'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * The test app listening on a random local port (the CLI is a separate process talking HTTP),
 * with the rate limit out of the way.
 */
export async function startServer(t: Test): Promise<TestContext & { url: string }> {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000' })
  await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = ctx.app.server.address() as AddressInfo
  return { ...ctx, url: `http://127.0.0.1:${port}` }
}

/** A fresh, empty home and config directory for one simulated user of the CLI. */
export function cliHome(): { HOME: string; XDG_CONFIG_HOME: string } {
  const home = mkdtempSync(join(tmpdir(), 'zi-home-'))
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config') }
}

/**
 * The CLI's source (packages/client/src) compiled to JavaScript once per test file, in a
 * folder inside the project (so `openapi-fetch` resolves from node_modules): spawning plain node
 * on it costs a fraction of starting tsx each time, which matters on a busy 2-core machine.
 * packages/client/bin/zi.js (tsx on the source) has its own test in zi-login.test.ts.
 */
let compiled: string | undefined
function compiledCli(): string {
  if (compiled) return compiled
  const root = projectRoot()
  const base = join(root, '.tap')
  mkdirSync(base, { recursive: true })
  const out = mkdtempSync(join(base, 'zi-cli-'))
  process.on('exit', () => rmSync(out, { recursive: true, force: true }))
  const client = 'packages/client/src'
  const sources = [
    'cli/zi.ts',
    ...readdirSync(join(root, client, 'cli/zi')).map((f) => `cli/zi/${f}`),
    ...readdirSync(join(root, client, 'cli/zi/messages')).map((f) => `cli/zi/messages/${f}`),
    ...readdirSync(join(root, client))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f),
  ].filter((f) => f.endsWith('.ts'))
  for (const file of sources) {
    const { outputText } = ts.transpileModule(readFileSync(join(root, client, file), 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
    })
    const target = join(out, file.replace(/\.ts$/, '.js'))
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, outputText)
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n')
  compiled = relative(root, join(out, 'cli/zi.js'))
  return compiled
}

/**
 * Runs `zi <args>` as a child process (node on the compiled CLI, or `entry` such as
 * ['packages/client/bin/zi.js']), with `env` on top of a copy of this process's environment from which any
 * ZI_URL/ZI_TOKEN/ZI_LANG was removed. The CLI speaks English here (ZI_LANG=en, which the tests
 * read) unless `env` names another language (ZI_LANG, or ZI_LANG: '' and a locale).
 */
export function zi(
  args: string[],
  env: Record<string, string>,
  opts: { input?: string; entry?: string[] } = {},
): Promise<CliResult> {
  const base = { ...process.env }
  delete base.ZI_URL
  delete base.ZI_TOKEN
  delete base.ZI_LANG
  const entry = opts.entry ?? [compiledCli()]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: projectRoot(),
      env: { ...base, ZI_LANG: 'en', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(opts.input ?? '')
  })
}

/**
 * A running server with an assessment of Puskesmas Satu (unit a1 under opdA) in a period of the
 * seeded LKE: the unit's self stage answered (Q1, Q2, Q88) and submitted, then a TPI stage started
 * as its copy by an evaluator granted opdA. Set up through the typed client, as a script would.
 * `env` makes `zi` act as that evaluator.
 */
export async function startTpiStage(t: Test) {
  const ctx = await startServer(t)
  const tree = await insertSmallTree(ctx)
  const admin = createZiClient({ baseUrl: ctx.url, token: await createToken(ctx, 'admin') })
  const operator = createZiClient({
    baseUrl: ctx.url,
    token: await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] }),
  })
  const evaluatorToken = await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id] })
  const evaluator: ZiClient = createZiClient({ baseUrl: ctx.url, token: evaluatorToken })

  const instruments = await admin.GET('/v1/instruments', { params: { query: { status: 'published' } } })
  const lke = instruments.data?.items.find((i) => i.code === 'LKE-ZI-2026')
  if (!lke) throw new Error(`no seeded instrument: ${JSON.stringify(instruments.error)}`)
  const period = await insertPeriod(ctx, { instrumentVersionId: lke.id })
  const created = await admin.POST('/v1/assessments', {
    params: { header: {} },
    body: { period_id: period.id, unit_id: tree.a1.id },
  })
  if (!created.data) throw new Error(JSON.stringify(created.error))
  const id = created.data.id
  const path = { id, stage: 'self' as const }
  const self = await operator.POST('/v1/assessments/{id}/stages/{stage}/answers/batch', {
    params: { path, header: {} },
    body: {
      answers: [
        { question_code: 'Q1', value: 'Ya', note: '=HYPERLINK("http://evil.example","klik")' },
        { question_code: 'Q2', value: 'B', note: 'SK Tim, "terbaru"\nhal. 2' },
        { question_code: 'Q88', value: 3 },
      ],
    },
  })
  if (!self.data) throw new Error(JSON.stringify(self.error))
  const submitted = await operator.POST('/v1/assessments/{id}/stages/{stage}/transitions', {
    params: { path },
    body: { to: 'submitted' },
  })
  if (!submitted.data) throw new Error(JSON.stringify(submitted.error))
  const started = await evaluator.POST('/v1/assessments/{id}/stages', {
    params: { path: { id } },
    body: { kind: 'tpi', copy_from: 'self' },
  })
  if (!started.data) throw new Error(JSON.stringify(started.error))

  const tpi = async () => {
    const res = await evaluator.GET('/v1/assessments/{id}/stages/{stage}/answers', {
      params: { path: { id, stage: 'tpi' } },
    })
    if (!res.data) throw new Error(JSON.stringify(res.error))
    return res.data
  }
  const env = { ...cliHome(), ZI_URL: ctx.url, ZI_TOKEN: evaluatorToken }
  return { ctx, tree, id, evaluator, tpi, env }
}
