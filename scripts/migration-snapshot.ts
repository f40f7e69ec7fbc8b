/**
 * Keeps drizzle-kit's snapshot in step with the tables (src/**\/tables.ts), so that
 * `npm run migrate:generate` writes a migration only for a real change, without prompts.
 *
 *   npm run migrate:snapshot         writes the latest migration's snapshot from the tables
 *                                    (after hand-written migrations, or after merging branches)
 *   npm run check:migrations         fails when drizzle-kit would generate a migration (CI)
 *
 * Hand-written migrations (functions, triggers, data, SQL drizzle-kit cannot express) have no
 * snapshot of their own; the latest one's snapshot describes the tables after all of them.
 */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { migrationsFolder, projectRoot } from '../src/lib/paths.js'

interface Journal {
  entries: { idx: number; tag: string }[]
}
interface Snapshot {
  id: string
  prevId: string
  [key: string]: unknown
}

const root = projectRoot()
const meta = join(migrationsFolder(), 'meta')
const drizzleKit = join(root, 'node_modules', '.bin', 'drizzle-kit')

/**
 * Runs drizzle-kit generate into `out`, stdin closed: a prompt (an ambiguous rename) fails instead
 * of waiting. drizzle-kit exits 0 even when it fails, so its output is returned for the caller to
 * read (stderr included). It takes `--out` relative to the working directory.
 */
function generate(out: string): string {
  const run = spawnSync(
    drizzleKit,
    ['generate', '--dialect', 'postgresql', '--schema', './src/db/schema.ts', '--out', relative(root, out)],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
  )
  return `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? `\n${run.error.message}` : ''}`
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T
const snapshotFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => /^\d{4}_snapshot\.json$/.test(f))
    .sort()

function write(): void {
  const tmp = mkdtempSync(join(tmpdir(), 'zi-snapshot-'))
  try {
    const output = generate(tmp)
    if (!existsSync(join(tmp, 'meta', '0000_snapshot.json'))) throw new Error(`drizzle-kit generate failed:\n${output}`)
    const fresh = readJson<Snapshot>(join(tmp, 'meta', '0000_snapshot.json'))
    const journal = readJson<Journal>(join(meta, '_journal.json'))
    const latest = journal.entries.at(-1)
    if (!latest) throw new Error('the journal has no migrations')
    const name = `${String(latest.idx).padStart(4, '0')}_snapshot.json`
    const earlier = snapshotFiles(meta).filter((f) => f < name)
    const previous = earlier.length > 0 ? readJson<Snapshot>(join(meta, earlier.at(-1)!)) : undefined
    const existing = existsSync(join(meta, name)) ? readJson<Snapshot>(join(meta, name)) : undefined
    const snapshot: Snapshot = {
      ...fresh,
      id: existing?.id ?? randomUUID(),
      prevId: previous?.id ?? '00000000-0000-0000-0000-000000000000',
    }
    writeFileSync(join(meta, name), `${JSON.stringify(snapshot, null, 2)}\n`)
    // A snapshot past the latest migration would be taken as the newest by drizzle-kit.
    for (const f of snapshotFiles(meta).filter((f) => f > name)) rmSync(join(meta, f))
    console.log(`wrote migrations/meta/${name} (${latest.tag}), prevId ${snapshot.prevId}`)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

function check(): void {
  const tmp = mkdtempSync(join(tmpdir(), 'zi-migrations-'))
  try {
    cpSync(migrationsFolder(), tmp, { recursive: true })
    const before = new Set(readdirSync(tmp))
    const output = generate(tmp)
    const added = readdirSync(tmp).filter((f) => !before.has(f))
    if (added.length > 0) {
      console.error(`drizzle-kit generate would write ${added.join(', ')}:\n`)
      for (const f of added.filter((f) => f.endsWith('.sql'))) console.error(readFileSync(join(tmp, f), 'utf8'))
      console.error(
        '\nThe tables changed without a migration, or the snapshot is stale. Add the migration' +
          ' (npm run migrate:generate, or a hand-written one followed by npm run migrate:snapshot).',
      )
      process.exit(1)
    }
    if (!/No schema changes, nothing to migrate/.test(output)) {
      console.error(`drizzle-kit generate did not finish on its own (a prompt, or an error):\n${output}`)
      console.error('The snapshot is behind the tables: run `npm run migrate:snapshot` (docs/contributing.md).')
      process.exit(1)
    }
    console.log('drizzle-kit generate: no changes, nothing to migrate')
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

const mode = process.argv[2]
if (mode === '--write') write()
else if (mode === '--check') check()
else {
  console.error('usage: tsx scripts/migration-snapshot.ts --write | --check')
  process.exit(2)
}
