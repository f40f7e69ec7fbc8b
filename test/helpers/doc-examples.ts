import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { projectRoot } from '../../src/lib/paths.js'
import { createToken } from './auth.js'
import { createTestDatabase } from './database.js'

/**
 * The documentation's shell examples, run for real (the convention is in docs/contributing.md):
 * every ```sh block of a Markdown file, in order, in one bash session, against a server started
 * for that file on its own database. ```sh no-run blocks and other languages are not run;
 * in a ```sh expect-error block an HTTP error answer does not fail the block.
 */
export interface DocBlock {
  line: number
  info: string
  code: string
  run: boolean
  expectError: boolean
}

const FENCE = /^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm

export function docBlocks(markdown: string): DocBlock[] {
  const blocks: DocBlock[] = []
  for (const m of markdown.matchAll(FENCE)) {
    const info = (m[1] ?? '').trim()
    const words = info.split(/\s+/)
    const line = markdown.slice(0, m.index).split('\n').length
    blocks.push({
      line,
      info,
      code: m[2] ?? '',
      run: words[0] === 'sh' && !words.includes('no-run'),
      expectError: words.includes('expect-error'),
    })
  }
  return blocks
}

/** README.md, every docs/*.md and the Indonesian pages docs/id/*.md, relative to the project root. */
export function docFiles(): string[] {
  const pages = (dir: string) =>
    readdirSync(join(projectRoot(), dir))
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => `${dir}/${name}`)
  return ['README.md', ...pages('docs'), ...pages('docs/id')]
}

/**
 * One bash script for a file's blocks: `curl` fails on an HTTP error (`--fail-with-body`, so the
 * problem+json still shows) unless the block says expect-error; each block announces itself on
 * stderr so a failure names the block that failed.
 */
export function docScript(file: string, blocks: DocBlock[]): string {
  const parts = ['set -euo pipefail', 'shopt -s expand_aliases']
  for (const block of blocks.filter((b) => b.run)) {
    parts.push(`echo "::: ${file}:${block.line}" >&2`)
    parts.push(block.expectError ? 'curl() { command curl "$@"; }' : 'curl() { command curl --fail-with-body "$@"; }')
    parts.push(block.code)
  }
  return `${parts.join('\n')}\n`
}

export interface DocRun {
  code: number | null
  stdout: string
  stderr: string
  /** the `file:line` of the last block that started */
  lastBlock: string | undefined
}

/**
 * Runs a file's examples against a server started for them, on its own database, listening on
 * 127.0.0.1 on a free port; `ZI` is its base URL, `TOKEN` an admin token. The working directory
 * is a temporary one (downloads land there) holding links to the checkout's docs/ and src/.
 */
export async function runDocExamples(file: string, markdown?: string): Promise<DocRun> {
  const db = await createTestDatabase()
  const work = mkdtempSync(join(tmpdir(), 'zi-docs-'))
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: join(work, 'data'),
    WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
    WEBHOOK_WORKER: 'false',
    // the webhook examples subscribe a receiver on this machine, which the SSRF guard refuses otherwise
    WEBHOOK_ALLOW_HOSTS: 'localhost',
  })
  const app = await buildApp({ config, database: db.database })
  try {
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as AddressInfo
    const token = await createToken({ app }, 'admin', { name: 'docs examples' })
    for (const dir of ['docs', 'src']) symlinkSync(join(projectRoot(), dir), join(work, dir))
    const script = docScript(file, docBlocks(markdown ?? readFileSync(join(projectRoot(), file), 'utf8')))
    return await new Promise<DocRun>((resolve, reject) => {
      const child = spawn('bash', ['-c', script], {
        cwd: work,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: work,
          XDG_CONFIG_HOME: join(work, 'config'),
          ZI: `http://127.0.0.1:${port}`,
          TOKEN: token,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => {
        stdout += chunk
      })
      child.stderr.on('data', (chunk) => {
        stderr += chunk
      })
      child.on('error', reject)
      child.on('close', (code) => {
        const marks = [...stderr.matchAll(/^::: (\S+)$/gm)]
        resolve({ code, stdout, stderr, lastBlock: marks.at(-1)?.[1] })
      })
    })
  } finally {
    await app.close()
    await db.destroy()
    rmSync(work, { recursive: true, force: true })
  }
}
