/**
 * Backup and restore drill: seeds a running service (PostgreSQL + evidence in an S3-protocol
 * store), backs it up the documented way (pg_dump -Fc; the bucket copied to a directory), restores
 * into a fresh database and a fresh, empty store, starts the service on them and checks: the audit
 * chain verifies, every evidence file downloads with its SHA-256, every stage total (the whole
 * score answer) is what it was, row counts match. Writes docs/reliability-results.md.
 *
 *   npx tsx scripts/reliability/restore-drill.ts [--tsx]
 */
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { copyEvidence } from '../../src/modules/evidence/copy.js'
import { FsEvidenceStore, createEvidenceStore } from '../../src/modules/evidence/storage.js'
import { loadConfig } from '../../src/config.js'
import {
  Api,
  answerMaker,
  freshDatabase,
  machine,
  prepareServer,
  seed,
  startServer,
  writeResults,
  type RunningServer,
} from './lib.js'

type S3rverInstance = { run(): Promise<{ port: number }>; close(): Promise<void> }
const S3rver = createRequire(import.meta.url)('s3rver') as new (o: Record<string, unknown>) => S3rverInstance

const ADMIN = `drill-admin-${randomBytes(16).toString('hex')}`
const KEYS = {
  WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
  EVIDENCE_LINK_KEY: randomBytes(32).toString('base64'),
}
const sha = (b: Buffer | ArrayBuffer) =>
  createHash('sha256')
    .update(Buffer.from(b as ArrayBuffer))
    .digest('hex')

async function s3(dir: string, bucket: string) {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
  })
  const { port } = await server.run()
  const env = {
    EVIDENCE_STORE: 's3',
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
  }
  return { server, env }
}

async function pdf(size: number): Promise<Buffer> {
  const b = randomBytes(size)
  Buffer.from('%PDF-1.7\n').copy(b)
  return b
}

interface Picture {
  audit: { valid: boolean; checked: number }
  evidence: { id: string; sha256: string }[]
  scores: Record<string, string>
  counts: Record<string, number>
}

async function picture(
  server: RunningServer,
  databaseUrl: string,
  stages: { assessmentId: string; stage: string }[],
): Promise<Picture & { downloads: { ok: number; bad: string[] } }> {
  const api = new Api(server.baseUrl, ADMIN)
  const audit = await api.call<{ valid: boolean; checked: number }>('GET', '/v1/audit/verify')
  const evidence: { id: string; sha256: string }[] = []
  let cursor = ''
  for (;;) {
    const page = await api.call<{
      items: { id: string; sha256: string | null; kind: string }[]
      next_cursor: string | null
    }>('GET', `/v1/evidence?limit=200${cursor ? `&cursor=${cursor}` : ''}`)
    for (const e of page.items) if (e.kind === 'file') evidence.push({ id: e.id, sha256: e.sha256! })
    if (!page.next_cursor) break
    cursor = encodeURIComponent(page.next_cursor)
  }
  const downloads = { ok: 0, bad: [] as string[] }
  for (const e of evidence) {
    const res = await fetch(`${server.baseUrl}/v1/evidence/${e.id}/content`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    })
    const body = await res.arrayBuffer()
    if (res.status === 200 && sha(body) === e.sha256) downloads.ok++
    else downloads.bad.push(`${e.id}: ${res.status}`)
  }
  const scores: Record<string, string> = {}
  for (const s of stages)
    scores[`${s.assessmentId}/${s.stage}`] = JSON.stringify(
      await api.call('GET', `/v1/assessments/${s.assessmentId}/stages/${s.stage}/score`),
    )
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const counts: Record<string, number> = {}
  for (const table of [
    'units',
    'periods',
    'assessments',
    'assessment_stages',
    'answers',
    'evidence',
    'audit_events',
    'events',
    'principals',
    'api_tokens',
  ]) {
    counts[table] = Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n)
  }
  await client.end()
  return { audit, evidence, scores, counts, downloads }
}

async function main(): Promise<void> {
  const started = Date.now()
  const mode = prepareServer(process.argv.includes('--tsx') ? 'tsx' : 'build')
  const work = mkdtempSync(join(tmpdir(), 'zi-drill-'))
  const source = await freshDatabase('zi_drill_source')
  const restored = await freshDatabase('zi_drill_restored')
  const srcStore = await s3(join(work, 's3-source'), 'zi-evidence')
  const newStore = await s3(join(work, 's3-restored'), 'zi-evidence-restored')
  const lines: string[] = []
  let ok = false
  try {
    // 1. A seeded service.
    const before = await startServer(mode, {
      DATABASE_URL: source.url,
      BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      DATA_DIR: join(work, 'data-source'),
      METRICS_ENABLED: 'false',
      ...KEYS,
      ...srcStore.env,
    })
    const api = new Api(before.baseUrl, ADMIN)
    const seeded = await seed(api, 2, 3)
    const answers = answerMaker()
    const stages: { assessmentId: string; stage: string }[] = []
    let files = 0
    for (const a of seeded.assessments) {
      const ids: string[] = []
      for (let i = 0; i < 3; i++) {
        const form = new FormData()
        form.set('unit_id', a.unitId)
        form.set('period_id', seeded.periodId)
        const content = await pdf(1024 + i * 20_000)
        form.set('file', new Blob([content], { type: 'application/pdf' }), `bukti-${i}.pdf`)
        const res = await fetch(`${before.baseUrl}/v1/evidence/files`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN}` },
          body: form,
        })
        if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`)
        ids.push(((await res.json()) as { id: string }).id)
        files++
      }
      const batch = answers.random(40).map((x, i) => ({ ...x, ...(i < 3 ? { evidence_ids: [ids[i]!] } : {}) }))
      await api.call('POST', `/v1/assessments/${a.id}/stages/self/answers/batch`, { answers: batch })
      stages.push({ assessmentId: a.id, stage: 'self' })
    }
    const original = await picture(before, source.url, stages)
    lines.push(
      `seeded: ${seeded.unitIds.length} units, ${seeded.assessments.length} assessments, ${files} evidence uploads (${new Set(original.evidence.map((e) => e.sha256)).size} distinct files), ${original.counts.audit_events} audit events`,
    )

    // 2. Backup, with the service running: pg_dump (a consistent snapshot) and the bucket mirrored to a directory.
    const dumpFile = join(work, 'zi.dump')
    execFileSync('pg_dump', ['--format=custom', '--no-owner', '--file', dumpFile, source.url])
    const backupStore = new FsEvidenceStore(join(work, 'backup'))
    const fromBucket = await createEvidenceStore(loadConfig({ ...srcStore.env, DATA_DIR: work }))
    const backedUp = await copyEvidence(fromBucket, backupStore)
    fromBucket.close()
    lines.push(
      `backup: pg_dump ${Math.round(statSync(dumpFile).size / 1024)} KiB; evidence ${backedUp.copied} files copied, ${backedUp.verified} verified, ${backedUp.failed.length} failed`,
    )
    before.child.kill('SIGTERM')
    await before.exited

    // 3. Restore into a fresh database and a fresh, empty bucket.
    execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', restored.url, dumpFile])
    const toBucket = await createEvidenceStore(loadConfig({ ...newStore.env, DATA_DIR: work }))
    const restoredFiles = await copyEvidence(backupStore, toBucket)
    toBucket.close()
    lines.push(
      `restore: pg_restore into ${restored.name}; evidence ${restoredFiles.copied} files copied, ${restoredFiles.verified} verified, ${restoredFiles.failed.length} failed`,
    )

    // 4. The service on the restored copies.
    const after = await startServer(mode, {
      DATABASE_URL: restored.url,
      DATA_DIR: join(work, 'data-restored'),
      METRICS_ENABLED: 'false',
      ...KEYS,
      ...newStore.env,
    })
    const check = await picture(after, restored.url, stages)
    after.child.kill('SIGTERM')
    await after.exited

    const sameScores = Object.keys(original.scores).filter((k) => original.scores[k] === check.scores[k]).length
    const sameCounts = Object.keys(original.counts).every((k) => original.counts[k] === check.counts[k])
    lines.push(
      `audit chain after restore: valid=${check.audit.valid}, ${check.audit.checked} events checked (before: ${original.audit.checked})`,
    )
    lines.push(
      `evidence after restore: ${check.downloads.ok}/${check.evidence.length} downloads match their SHA-256${check.downloads.bad.length ? `; bad: ${check.downloads.bad.join(', ')}` : ''}`,
    )
    lines.push(`stage totals (whole score answers) identical: ${sameScores}/${Object.keys(original.scores).length}`)
    lines.push(
      `row counts identical: ${sameCounts} (${Object.entries(check.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    )
    ok =
      check.audit.valid &&
      check.audit.checked === original.audit.checked &&
      check.downloads.ok === original.evidence.length &&
      check.downloads.bad.length === 0 &&
      sameScores === Object.keys(original.scores).length &&
      sameCounts &&
      backedUp.failed.length === 0 &&
      restoredFiles.failed.length === 0
  } finally {
    await srcStore.server.close()
    await newStore.server.close()
    await source.drop()
    await restored.drop()
    rmSync(work, { recursive: true, force: true })
  }
  const result = ok ? 'PASS' : 'FAIL'
  const markdown = [
    '## Backup and restore drill (`scripts/reliability/restore-drill.ts`)',
    '',
    `Run ${new Date().toISOString()} on ${machine()}; ${Math.round((Date.now() - started) / 1000)} s. Server mode: ${mode}. PostgreSQL (pg_dump --format=custom / pg_restore) with evidence in an S3-protocol store (s3rver), backed up to a directory and restored into a fresh bucket.`,
    '',
    ...lines.map((l) => `- ${l}`),
    '',
    `**Result: ${result}**`,
  ].join('\n')
  writeResults('restore-drill', markdown)
  console.log(markdown)
  process.exit(ok ? 0 : 1)
}

await main()
