/**
 * The upgrade from a database built by the release before migration 0015: migrations 0000–0014,
 * LKE-ZI-2026 seeded with the overlay that release shipped (wbbm-bersih-akuntabel 18,25,
 * wbbm-capaian-kinerja 2,5; test/fixtures/upgrade/), stages scored and a unit proposed on it.
 * Then the remaining migrations and the service's start: the corrected rules of PermenPANRB
 * 90/2021 (p. 53, Tabel 6 p. 58) apply to the score, the dashboards, the planner and the proposal
 * check, while the published version, the stage snapshots and the proposal's checks stay as they were.
 */
import { randomUUID } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { asc, eq, sql } from 'drizzle-orm'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import pg from 'pg'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { fromPglite, fromPostgres, type Database } from '../../src/db/connection.js'
import { migrationsFolder } from '../../src/lib/paths.js'
import { assessmentStages, stageSnapshots } from '../../src/modules/assessments/tables.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { syncStageMetrics } from '../../src/modules/dashboards/service.js'
import { stageMetrics } from '../../src/modules/assessments/metrics-table.js'
import {
  importMasterSoal,
  scoreInstrument,
  type AnswerValue,
  type EligibilityResult,
  type InstrumentDefinition,
  type InstrumentOverlay,
} from '../../src/modules/instruments/domain/index.js'
import { loadSeedEvidenceGuidance, loadSeedMasterSoal } from '../../src/modules/instruments/seed/index.js'
import { scoreView } from '../../src/modules/instruments/score-view.js'
import { definitionDigest } from '../../src/modules/instruments/service.js'
import { applySeedCorrections } from '../../src/modules/upgrades/instrument-corrections.js'
import { bearer, createToken } from '../helpers/auth.js'

/** Migrations 0000–0014 only: the schema of the release before 0015. */
function migrationsUpTo(lastIdx: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'zi-migrations-'))
  cpSync(migrationsFolder(), dir, { recursive: true })
  const journalPath = join(dir, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] }
  for (const e of journal.entries.filter((x) => x.idx > lastIdx)) rmSync(join(dir, `${e.tag}.sql`))
  journal.entries = journal.entries.filter((x) => x.idx <= lastIdx)
  writeFileSync(journalPath, JSON.stringify(journal))
  return dir
}

async function oldDatabase(): Promise<{ database: Database; destroy: () => Promise<void> }> {
  const folder = migrationsUpTo(14)
  const adminUrl = process.env.DATABASE_URL
  try {
    if (adminUrl) {
      const name = `zi_upgrade_${randomUUID().replaceAll('-', '').slice(0, 12)}`
      const admin = new pg.Client({ connectionString: adminUrl })
      await admin.connect()
      await admin.query(`create database "${name}"`)
      await admin.end()
      const u = new URL(adminUrl)
      u.pathname = `/${name}`
      const database = fromPostgres(u.toString(), { poolMax: 5 })
      await migratePg(database.db as never, { migrationsFolder: folder })
      return {
        database,
        destroy: async () => {
          await database.close()
          const c = new pg.Client({ connectionString: adminUrl })
          await c.connect()
          await c.query(`drop database if exists "${name}" with (force)`)
          await c.end()
        },
      }
    }
    const database = fromPglite(await PGlite.create())
    await migratePglite(database.db as never, { migrationsFolder: folder })
    return { database, destroy: () => database.close() }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/** LKE-ZI-2026 exactly as the release before 0015 seeded it. */
function oldSeed(): InstrumentDefinition {
  const overlay = JSON.parse(
    readFileSync(new URL('../fixtures/upgrade/lke-zi-2026.overlay.before-0015.json', import.meta.url), 'utf8'),
  ) as InstrumentOverlay
  const def = importMasterSoal(loadSeedMasterSoal(), overlay)
  const guidance = loadSeedEvidenceGuidance()
  return {
    ...def,
    nodes: def.nodes.map((n) =>
      n.level === 'question' && guidance[n.code] !== undefined
        ? { ...n, evidenceGuidance: guidance[n.code] as string }
        : n,
    ),
  }
}

const best = (): Record<string, AnswerValue> =>
  (
    JSON.parse(readFileSync(new URL('../fixtures/golden/all-best.json', import.meta.url), 'utf8')) as {
      answers: Record<string, AnswerValue>
    }
  ).answers

t.test('upgrade from 0014 with LKE-ZI-2026 scored: the corrected WBBM minimums, history kept', async (t) => {
  const { database, destroy } = await oldDatabase()
  t.teardown(destroy)
  const db = database.db
  const old = oldSeed()
  t.equal(old.predicateRules.find((r) => r.id === 'wbbm-bersih-akuntabel')?.min, 18.25, 'the old seed, as shipped')
  const oldId = randomUUID()
  const oldDigest = definitionDigest(old)
  await db.execute(sql`insert into instrument_versions (id, code, name, year, status, definition, digest, source, published_at)
    values (${oldId}, ${old.code}, ${old.name}, ${old.year}, 'published', ${JSON.stringify(old)}::jsonb, ${oldDigest}, 'seed', now())`)

  // The tree and the period, as the release before 0015 wrote them.
  const ids = { instansi: randomUUID(), opd: randomUUID(), a: randomUUID(), b: randomUUID(), c: randomUUID() }
  const path = { instansi: `/${ids.instansi}/`, opd: `/${ids.instansi}/${ids.opd}/` }
  await db.execute(sql`insert into units (id, instansi_id, parent_id, path, code, name, kind, instansi_kind)
    values (${ids.instansi}, ${ids.instansi}, null, ${path.instansi}, '3201', 'Pemerintah Kabupaten Contoh', 'instansi', 'kabupaten'),
           (${ids.opd}, ${ids.instansi}, ${ids.instansi}, ${path.opd}, '1.02', 'Dinas Kesehatan', 'opd', null)`)
  for (const [key, code] of [
    ['a', 'PKM-A'],
    ['b', 'PKM-B'],
    ['c', 'PKM-C'],
  ] as const)
    await db.execute(sql`insert into units (id, instansi_id, parent_id, path, code, name, kind)
      values (${ids[key]}, ${ids.instansi}, ${ids.opd}, ${`${path.opd}${ids[key]}/`}, ${code}, ${`Puskesmas ${code}`}, 'unit')`)
  const periodId = randomUUID()
  const now = Date.now()
  const open = {
    opens_at: new Date(now - 86_400_000).toISOString(),
    closes_at: new Date(now + 86_400_000).toISOString(),
  }
  await db.execute(sql`insert into periods (id, code, name, year, instrument_version_id, windows)
    values (${periodId}, 'ZI-2026', 'ZI 2026', 2026, ${oldId},
      ${JSON.stringify({ self_assessment: open, tpi_verification: open, revision: open, proposal: open })}::jsonb)`)

  // Three TPI stages from the best answers but capaian kinerja C: A with IPAK 4.00 ("bersih dan
  // akuntabel" 17.5 + 2.5 = 20), B with IPAK 3.77 (16.49 + 2.5 = 18.99); C as A, already proposed.
  const answersOf = (ipak: number) => ({ ...best(), Q125: ipak, Q126: 'C' })
  const stage: Record<'a' | 'b' | 'c', { assessment: string; stage: string; declaration: string }> = {} as never
  for (const [key, ipak, status] of [
    ['a', 4, 'approved'],
    ['b', 3.77, 'submitted'],
    ['c', 4, 'approved'],
  ] as const) {
    const assessment = randomUUID()
    const stageId = randomUUID()
    const declaration = randomUUID()
    const answers = answersOf(ipak)
    const score = scoreView(old, scoreInstrument(old, answers, { explain: false }), false)
    await db.execute(sql`insert into declarations (id, unit_id, period_id, target, status, declared_on)
      values (${declaration}, ${ids[key]}, ${periodId}, 'WBBM', ${key === 'c' ? 'proposed' : 'building'}, '2025-01-20')`)
    await db.execute(sql`insert into assessments (id, period_id, unit_id, instrument_version_id)
      values (${assessment}, ${periodId}, ${ids[key]}, ${oldId})`)
    await db.execute(sql`insert into assessment_stages (id, assessment_id, kind, status, total)
      values (${stageId}, ${assessment}, 'tpi', ${status}, ${JSON.stringify(score.total)}::jsonb)`)
    for (const [code, value] of Object.entries(answers))
      if (value !== null)
        await db.execute(sql`insert into answers (stage_id, question_code, value)
          values (${stageId}, ${code}, ${JSON.stringify(value)}::jsonb)`)
    await db.execute(sql`insert into stage_snapshots (stage_id, status, answers, score)
      values (${stageId}, ${status}, '[]'::jsonb, ${JSON.stringify(score)}::jsonb)`)
    const [row] = await db.select().from(assessmentStages).where(eq(assessmentStages.id, stageId))
    await db.transaction((tx) =>
      syncStageMetrics(tx, row!, {
        def: old,
        assessment: { periodId, unitId: ids[key], instrumentVersionId: oldId },
      }),
    )
    stage[key] = { assessment, stage: stageId, declaration }
  }
  // C was proposed on the old rules: its checks say WBBM.
  const oldScoreC = scoreView(old, scoreInstrument(old, answersOf(4), { explain: false }), false)
  const checksC = [
    {
      check: 'tpi_score',
      passed: true,
      message: 'the TPI score meets every WBBM rule',
      details: {
        total: oldScoreC.total,
        predicate: (oldScoreC.eligibility as EligibilityResult).predicate,
        rules: (oldScoreC.eligibility as EligibilityResult).rules,
      },
    },
  ]
  await db.execute(sql`insert into proposals (declaration_id, period_id, unit_id, instansi_id, target, route, checks, tpi_total, proposed_by_name)
    values (${stage.c.declaration}, ${periodId}, ${ids.c}, ${ids.instansi}, 'WBBM', 'regular', ${JSON.stringify(checksC)}::jsonb, ${oldScoreC.total}, 'Admin')`)
  t.same(
    (await db.select({ p: stageMetrics.predicate }).from(stageMetrics).orderBy(asc(stageMetrics.total))).map(
      (r) => r.p,
    ),
    ['WBBM', 'WBBM', 'WBBM'],
    'before the upgrade, all three read as WBBM (the wrong minimums)',
  )

  // The upgrade: the remaining migrations, then the service starts.
  await database.migrate()
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: 'silent', WEBHOOK_WORKER: 'false', RATE_LIMIT_MAX: '100000' }),
    database,
  })
  await app.ready()
  t.teardown(() => app.close())
  const admin = bearer(await createToken({ app }, 'admin'))
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: admin })
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  // The published version is kept, retired; the revision carries the regulation's numbers.
  const list = (await get('/v1/instruments')).items as {
    id: string
    code: string
    status: string
    cloned_from_id: string | null
    digest: string
  }[]
  t.match(
    list.map((i) => [i.code, i.status]),
    [
      ['LKE-ZI-2026', 'retired'],
      ['LKE-ZI-2026-R1', 'published'],
    ],
  )
  const r1 = list.find((i) => i.code === 'LKE-ZI-2026-R1')!
  t.equal(r1.cloned_from_id, oldId)
  t.equal(list.find((i) => i.code === 'LKE-ZI-2026')!.digest, oldDigest, 'the published version is not rewritten')
  const rules = (await get(`/v1/instruments/${r1.id}`)).predicate_rules as { id: string; min: number; source: string }[]
  t.equal(rules.find((r) => r.id === 'wbbm-bersih-akuntabel')?.min, 19.5)
  t.equal(rules.find((r) => r.id === 'wbbm-capaian-kinerja')?.min, 3.75)
  t.match(rules.find((r) => r.id === 'wbbm-capaian-kinerja')?.source, /PermenPANRB 90\/2021 .*p\. 53.*Tabel 6, p\. 58/)
  t.equal((await get(`/v1/periods/${periodId}`)).instrument_version_id, r1.id, 'the period moved to the revision')
  const oldRules = (await get(`/v1/instruments/${oldId}`)).predicate_rules as { id: string; min: number }[]
  t.equal(oldRules.find((r) => r.id === 'wbbm-bersih-akuntabel')?.min, 18.25, 'the old version reads as it was')

  // The score: neither A (capaian C) nor B ("bersih dan akuntabel" 18.99) is WBBM.
  const failingWbbm = (score: { eligibility: { rules: { rule: string; predicate: string; passed: boolean }[] } }) =>
    score.eligibility.rules.filter((r) => r.predicate === 'WBBM' && !r.passed).map((r) => r.rule)
  const scoreA = await get(`/v1/assessments/${stage.a.assessment}/stages/tpi/score`)
  t.equal(scoreA.eligibility.predicate, 'WBK', 'capaian kinerja C is not WBBM')
  t.same(failingWbbm(scoreA), ['wbbm-capaian-kinerja'])
  const scoreB = await get(`/v1/assessments/${stage.b.assessment}/stages/tpi/score`)
  t.equal(scoreB.eligibility.predicate, 'WBK', '"bersih dan akuntabel" 18.99 is not WBBM')
  t.same(failingWbbm(scoreB), ['wbbm-bersih-akuntabel', 'wbbm-capaian-kinerja'])

  // The dashboards: the eligible count and the closest list follow.
  t.same(
    (await db.select({ p: stageMetrics.predicate }).from(stageMetrics)).map((r) => r.p),
    ['WBK', 'WBK', 'WBK'],
    'every stage re-scored into the dashboards’ metrics',
  )
  const summary = await get(`/v1/dashboards/periods/${periodId}/summary?stage=tpi`)
  t.match(summary.scores.eligible, { WBK: 3, WBBM: 0 })
  t.same(
    summary.closest.WBBM.map((i: { unit: { code: string } }) => i.unit.code).sort(),
    ['PKM-A', 'PKM-B', 'PKM-C'],
    'closest to WBBM, not WBBM',
  )

  // The planner: a WBBM plan is needed again.
  const { plan } = await get(`/v1/assessments/${stage.a.assessment}/stages/tpi/plan?target=WBBM`)
  t.equal(plan.before.predicate, 'WBK', 'the WBBM plan starts from WBK')
  t.same(
    plan.failing.map((r: { rule: string }) => r.rule),
    ['wbbm-capaian-kinerja'],
    'the WBBM plan names the corrected rule',
  )

  // The proposal check of the unit not yet proposed.
  const check = await get(`/v1/declarations/${stage.a.declaration}/proposal-check`)
  const tpiScore = check.checks.find((c: { check: string }) => c.check === 'tpi_score')
  t.match(tpiScore, { passed: false, message: /Capaian Kinerja .* minimal 3,75/ })

  // What was decided stays: the proposal's checks and the stage snapshots.
  const proposal = await get(`/v1/declarations/${stage.c.declaration}/proposal`)
  t.same(proposal.checks, checksC, 'the proposal keeps its checks as they stood')
  const [snapshot] = await db.select().from(stageSnapshots).where(eq(stageSnapshots.stageId, stage.a.stage))
  t.equal(
    (snapshot!.score as { eligibility: EligibilityResult }).eligibility.predicate,
    'WBBM',
    'the snapshot keeps the verdict of its day',
  )

  const actions = (await db.select({ a: auditEvents.action }).from(auditEvents)).map((r) => r.a)
  t.ok(actions.includes('instrument.corrected'), 'the correction is audited')
  t.equal(actions.filter((a) => a === 'period.instrument_corrected').length, 1)
  t.equal(await applySeedCorrections(db), null, 'a second start finds nothing to do')
})

t.test('a new install gets the corrected rules at once, and nothing to correct', async (t) => {
  const { database, destroy } = await oldDatabase()
  t.teardown(destroy)
  await database.migrate()
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', WEBHOOK_WORKER: 'false' }), database })
  await app.ready()
  t.teardown(() => app.close())
  const admin = bearer(await createToken({ app }, 'admin'))
  const items = (await app.inject({ method: 'GET', url: '/v1/instruments', headers: admin })).json().items
  t.same(
    items.map((i: { code: string; status: string }) => [i.code, i.status]),
    [['LKE-ZI-2026', 'published']],
  )
  const rules = (await app.inject({ method: 'GET', url: `/v1/instruments/${items[0].id}`, headers: admin })).json()
    .predicate_rules as { id: string; min: number }[]
  t.equal(rules.find((r) => r.id === 'wbbm-bersih-akuntabel')?.min, 19.5)
  t.equal(rules.find((r) => r.id === 'wbbm-capaian-kinerja')?.min, 3.75)
  t.equal(await applySeedCorrections(database.db), null)
})
