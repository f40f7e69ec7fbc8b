/**
 * A realistic benchmark dataset on PostgreSQL, written through the service layer the routes use
 * (units, periods, declarations, evidence, assessments, audit, change feed), so every
 * stage_metrics row and dashboard counter is exactly what the API would have produced.
 *
 *   npm run seed:bench -- --units 2000 [--database-url postgres://…/zi_bench_2k] [--recreate]
 *                         [--workers 2] [--concurrency 4] [--seed 1]
 *
 * One instansi; OPDs of 20–50 unit kerja each, N unit kerja in all, a unit operator per OPD, an
 * admin and a TPI evaluator; a prior period (2025) in which some units were designated WBK (so
 * they may declare WBBM), and the period ZI-2026-BENCH bound to the seeded, published LKE-ZI-2026
 * with every window open now (the benchmark's writes and PortalRB's reads need them open). Each
 * unit gets a deterministic plan (dataset.ts planUnit): its declaration's status, and how far its
 * assessment went — self stage answered (all 127 answers, a few notes, evidence links) and left
 * a draft, returned for revision with a comment, submitted or approved; TPI stage started as a
 * copy of the self stage and re-marked by a batch (about a fifth of the answers), left a draft,
 * submitted, approved.
 *
 * Each unit is one transaction in which the service functions run as the routes call them; the
 * audit events and change-feed events the routes would write are appended at its end, because
 * both take the global write lock (the audit chain's, advisory lock 7272022), which is then held
 * until commit: taken early it would serialise whole units instead of their last milliseconds.
 * The dashboard counters are maintained by the deferred triggers at commit, as on every API
 * write; at the end the seed checks that they equal a from-scratch rebuild (dashboard_rebuild(),
 * rolled back), then runs VACUUM ANALYZE.
 *
 * Work is spread over `--workers` processes (each creates its share of the OPDs, then seeds
 * their units, `--concurrency` / `--workers` units at a time over its own pg pool): the service
 * layer spends ~0.2 s of CPU per unit in Node (answer validation, scoring, query building), and
 * one event loop running many units at once also stretches the lock-holding end of each
 * transaction. --recreate drops the database first (only names starting with zi_bench).
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { TransactionRollbackError, and, asc, eq, sql } from 'drizzle-orm'
import { fromPostgres, queryRows, type Db, type Queryable } from '../../src/db/connection.js'
import type { Principal } from '../../src/lib/principal.js'
import { appendAudit, type AuditActor, type AuditInput } from '../../src/modules/audit/service.js'
import { authenticate } from '../../src/modules/auth/service.js'
import { createPrincipalWithToken } from '../../src/modules/auth/commands.js'
import { systemContext, type CommandContext } from '../../src/lib/command.js'
import {
  answerView,
  createAssessment,
  stageView,
  startStage,
  transitionStage,
  writeAnswers,
  type AnswerInput,
  type AssessmentRow,
  type StageRow,
} from '../../src/modules/assessments/service.js'
import {
  insertDeclaration,
  moveDeclaration,
  toDeclarationView,
  applyTransition,
} from '../../src/modules/declarations/service.js'
import { proposals } from '../../src/modules/proposals/tables.js'
import type { DeclarationRow } from '../../src/modules/declarations/tables.js'
import { insertEvidence, toEvidenceView } from '../../src/modules/evidence/service.js'
import { declarationEvent, emitEvent, type EventInput } from '../../src/modules/events/service.js'
import { stageEvent } from '../../src/modules/assessments/events.js'
import { loadDefinition } from '../../src/modules/instruments/cache.js'
import type { InstrumentNode } from '../../src/modules/instruments/domain/index.js'
import { seedInstruments } from '../../src/modules/instruments/service.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { createPeriod } from '../../src/modules/periods/commands.js'
import { databaseNow } from '../../src/modules/periods/service.js'
import { insertUnit, toUnitView } from '../../src/modules/units/service.js'
import { units as unitsTable, type UnitRow } from '../../src/modules/units/tables.js'
import {
  DEFAULT_DATABASE_URL,
  INSTANSI_CODE,
  PERIOD_CODE,
  PRIOR_PERIOD_CODE,
  answerableQuestions,
  databaseName,
  generateAnswers,
  intArg,
  parseArgs,
  planUnit,
  prng,
  stageReached,
  verifyAnswers,
  withDatabase,
  type Answers,
  type UnitPlan,
} from './dataset.js'

const args = parseArgs(process.argv.slice(2))
const IS_WORKER = args.get('worker') === 'true'
const N = intArg(args, 'units')
const WORKERS = Math.max(1, intArg(args, 'workers', 2))
const CONCURRENCY = Math.max(1, intArg(args, 'concurrency', 4))
const SEED = intArg(args, 'seed', 1)
const URL_ = args.get('database-url') ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL
const RECREATE = args.get('recreate') === 'true'
if (N < 1) throw new Error('--units must be at least 1')

const started = performance.now()
const elapsed = (): string => {
  const s = (performance.now() - started) / 1000
  return s < 120 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
}
const log = (msg: string): void => console.log(`[${elapsed()}] ${msg}`)
const iso = (d: Date): string => d.toISOString()

/** Creates the database if missing; with --recreate drops it first (only zi_bench* names). */
async function prepareDatabase(): Promise<void> {
  const name = databaseName(URL_)
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name "${name}"`)
  const admin = new pg.Client({ connectionString: withDatabase(URL_, 'postgres') })
  await admin.connect()
  try {
    if (RECREATE) {
      if (!name.startsWith('zi_bench'))
        throw new Error(`--recreate drops the database: only for names starting with zi_bench (got ${name})`)
      await admin.query(`drop database if exists "${name}" with (force)`)
      log(`dropped database ${name}`)
    }
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name])
    if (exists.rowCount === 0) {
      await admin.query(`create database "${name}"`)
      log(`created database ${name}`)
    }
  } finally {
    await admin.end()
  }
}

/**
 * The seed's connections skip the WAL flush at commit (synchronous_commit=off, this session only):
 * a crash could lose the last few units, never corrupt anything, and the commit — which runs the
 * counter triggers under the global write lock — no longer waits for the disk.
 */
function seedUrl(url: string): string {
  const u = new URL(url)
  const options = u.searchParams.get('options')
  u.searchParams.set('options', `${options ? `${options} ` : ''}-c synchronous_commit=off`)
  return u.toString()
}

const actorOf = (p: Principal): AuditActor => ({
  principalId: p.principalId,
  name: p.name,
  role: p.role,
  requestId: null,
  ip: '127.0.0.1',
})

/** What a route writes after its change: the audit event and the change-feed event. Appended at the end of the transaction. */
class Tail {
  readonly items: ({ audit: { actor: AuditActor; input: AuditInput } } | { event: EventInput })[] = []
  audit(principal: Principal, input: AuditInput): void {
    this.items.push({ audit: { actor: actorOf(principal), input } })
  }
  event(input: EventInput): void {
    this.items.push({ event: input })
  }
  async flush(tx: Queryable): Promise<void> {
    for (const item of this.items) {
      if ('audit' in item) await appendAudit(tx, item.audit.actor, item.audit.input)
      else await emitEvent(tx, item.event)
    }
  }
}

async function newPrincipal(db: Db, name: string, role: Principal['role'], unitId: string | null): Promise<string> {
  return (await createPrincipalWithToken(systemContext(db, 'bench seed'), { name, kind: 'user', role, unitId })).token
}

async function principalOf(db: Db, token: string): Promise<Principal> {
  const principal = await authenticate(db, token)
  if (typeof principal === 'string') throw new Error(`could not authenticate a seed principal: ${principal}`)
  return principal
}

/** An error of a database that went away (restart, failover): the step is retried. */
function transient(err: unknown): boolean {
  const codes = new Set([
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    '57P01',
    '57P02',
    '57P03',
    '08000',
    '08001',
    '08003',
    '08004',
    '08006',
  ])
  for (
    let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === 'string' && codes.has(e.code)) return true
    if (
      /Connection terminated|terminating connection|database system is (shutting down|starting up)|timeout exceeded when trying to connect/i.test(
        String(e.message),
      )
    )
      return true
  }
  return false
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Runs a step (one transaction), again while the database is away (up to ~3 min). Before a retry,
 * `committed` says whether the step's transaction committed before the connection dropped.
 */
async function retrying<T>(what: string, step: () => Promise<T>, committed: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step()
    } catch (err) {
      if (!transient(err) || attempt >= 90) throw err
      console.error(`[seed] ${what}: the database went away; retrying`)
    }
    for (;;) {
      await sleep(2000)
      try {
        const done = await committed()
        if (done !== undefined) return done
        break
      } catch (err) {
        if (!transient(err)) throw err
      }
    }
  }
}

/** Runs `work(item)` for every item with at most `limit` running at once. */
async function pooled<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++
      if (i >= items.length) return
      await work(items[i]!)
    }
  })
  await Promise.all(runners)
}

/** The OPD sizes (20–50 unit kerja each) adding up to N. */
function opdSizes(): number[] {
  const rnd = prng(SEED * 7919)
  const sizes: number[] = []
  for (let left = N; left > 0; ) {
    const size = Math.min(left, 20 + Math.floor(rnd() * 31))
    sizes.push(size)
    left -= size
  }
  return sizes
}

/** Sent by the parent to each worker process. Tokens stay in memory (IPC), never printed. */
interface Job {
  instansiId: string
  periodId: string
  priorId: string
  instrumentVersionId: string
  adminToken: string
  evaluatorToken: string
  /** OPD numbers (0-based) this worker creates and seeds */
  opds: number[]
  sizes: number[]
  concurrency: number
}

type WorkerMessage =
  | { kind: 'opd' }
  | { kind: 'unit'; work: number; tail: number; commit: number }
  | { kind: 'finished' }

// -------------------------------------------------------------------------------------------
// Worker: creates its OPDs with their unit kerja and operator, then each unit's declarations,
// evidence and assessment, one transaction per unit.

async function worker(job: Job): Promise<void> {
  const send = (m: WorkerMessage): void => {
    process.send?.(m)
  }
  const database = fromPostgres(seedUrl(URL_), { poolMax: job.concurrency + 1, applicationName: 'zi-bench-seed' })
  const { db } = database
  try {
    const admin = await principalOf(db, job.adminToken)
    const evaluator = await principalOf(db, job.evaluatorToken)
    const def = await loadDefinition(db, job.instrumentVersionId)
    const questions = answerableQuestions(def)

    // --- this worker's OPDs, their unit kerja and their operators ---------------------------
    const units: { unit: UnitRow; index: number; operator: Principal }[] = []
    await pooled(job.opds, job.concurrency, async (o) => {
      const size = job.sizes[o]!
      const code = `${INSTANSI_CODE}.${String(o + 1).padStart(3, '0')}`
      const existingOpd = async (): Promise<{ opd: UnitRow; list: UnitRow[] } | undefined> => {
        const [opd] = await db
          .select()
          .from(unitsTable)
          .where(and(eq(unitsTable.instansiId, job.instansiId), eq(unitsTable.code, code)))
        if (!opd) return undefined
        return {
          opd,
          list: await db.select().from(unitsTable).where(eq(unitsTable.parentId, opd.id)).orderBy(asc(unitsTable.code)),
        }
      }
      const created = await retrying(
        `OPD ${code}`,
        () =>
          db.transaction(async (tx) => {
            const tail = new Tail()
            const opd = await insertUnit(tx, {
              code,
              name: `Dinas ${o + 1} Kabupaten Bench`,
              kind: 'opd',
              parent_id: job.instansiId,
              external_ids: { sipd: code },
            })
            tail.audit(admin, {
              action: 'unit.created',
              entityType: 'unit',
              entityId: opd.id,
              before: null,
              after: toUnitView(opd),
            })
            const list: UnitRow[] = []
            for (let u = 0; u < size; u++) {
              const unit = await insertUnit(tx, {
                code: `${code}.${String(u + 1).padStart(3, '0')}`,
                name: `${['Puskesmas', 'UPT', 'Bidang'][u % 3]} ${u + 1} Dinas ${o + 1}`,
                kind: 'unit',
                parent_id: opd.id,
                external_ids: { portalrb: `PRB-${o + 1}-${u + 1}` },
              })
              tail.audit(admin, {
                action: 'unit.created',
                entityType: 'unit',
                entityId: unit.id,
                before: null,
                after: toUnitView(unit),
              })
              list.push(unit)
            }
            await tail.flush(tx)
            return { opd, list }
          }),
        existingOpd,
      )
      // A unit operator per OPD: its grant covers the OPD's subtree, as a Pemda hands them out.
      const operator = await retrying(
        `operator of ${code}`,
        async () =>
          principalOf(db, await newPrincipal(db, `Operator ZI Dinas ${o + 1}`, 'unit_operator', created.opd.id)),
        async () => undefined,
      )
      const first = job.sizes.slice(0, o).reduce((a, b) => a + b, 0)
      created.list.forEach((unit, u) => units.push({ unit, index: first + u, operator }))
      send({ kind: 'opd' })
    })
    units.sort((a, b) => a.index - b.index)

    async function declare(
      tx: Queryable,
      tail: Tail,
      op: Principal,
      unit: UnitRow,
      periodId: string,
      target: 'WBK' | 'WBBM',
      declaredOn: string,
      path: [DeclarationStep, Principal][],
    ): Promise<DeclarationRow> {
      let d = await insertDeclaration(tx, op, {
        unit_id: unit.id,
        period_id: periodId,
        target,
        declared_on: declaredOn,
        documents: [
          { kind: 'piagam_pencanangan', url: `https://jdih.bench.go.id/piagam/${unit.code}.pdf` },
          { kind: 'sk_tim', url: `https://jdih.bench.go.id/sk-tim/${unit.code}.pdf` },
        ],
        notes: 'Pencanangan bersama seluruh pegawai.',
      })
      tail.audit(op, {
        action: 'declaration.created',
        entityType: 'declaration',
        entityId: d.id,
        before: null,
        after: toDeclarationView(d, op),
      })
      tail.event(declarationEvent('declaration.created', d))
      for (const [to, who] of path) {
        const before = d
        const reason = `Tahap ${to} (bench)`
        // Past building, the steps are the proposals module's records (the seed writes the proposal row itself:
        // its synthetic scores are not meant to pass the proposal checks).
        d =
          to === 'building'
            ? await applyTransition(tx, who, d, { to, reason })
            : await moveDeclaration(
                tx,
                who,
                d,
                to,
                reason,
                to === 'designated' ? `${periodId === job.priorId ? 2025 : 2026}-12-10` : undefined,
              )
        if (to === 'proposed') {
          await tx.insert(proposals).values({
            declarationId: d.id,
            periodId,
            unitId: unit.id,
            instansiId: unit.instansiId,
            target,
            route: 'regular',
            checks: [],
            proposedById: who.principalId,
            proposedByName: who.name,
          })
        }
        tail.audit(who, {
          action: 'declaration.transitioned',
          entityType: 'declaration',
          entityId: d.id,
          before: toDeclarationView(before, who),
          after: toDeclarationView(d, who),
        })
        tail.event(declarationEvent('declaration.transitioned', d, { from: before.status, to: d.status, reason }))
      }
      return d
    }

    /** What POST …/answers/batch does with every question of the stage. */
    async function writeAll(
      tx: Queryable,
      tail: Tail,
      who: Principal,
      unit: UnitRow,
      assessment: AssessmentRow,
      stage: StageRow,
      which: InstrumentNode[],
      answers: Answers,
      evidenceIds: string[],
      rnd: () => number,
    ): Promise<StageRow> {
      const items: AnswerInput[] = which.map((q, i) => ({
        question_code: q.code,
        value: answers[q.code] ?? null,
        ...(rnd() < 0.1 ? { note: `Catatan ${q.code}: lihat data dukung.` } : {}),
        ...(evidenceIds.length > 0 && i % 16 === 0
          ? { evidence_ids: [evidenceIds[(i / 16) % evidenceIds.length]!] }
          : {}),
      }))
      const { stage: updated, written } = await writeAnswers(
        tx,
        { principal: who, stage, def, unitPath: unit.path },
        items,
        (i, field) => `/body/answers/${i}/${field}`,
      )
      tail.audit(who, {
        action: 'answers.batch_written',
        entityType: 'assessment_stage',
        entityId: stage.id,
        before: written.map((w) => ({ question_code: w.row.questionCode, value: null })),
        after: written.map(answerView),
      })
      tail.event(
        stageEvent('answer.changed', assessment, updated, { question_codes: written.map((w) => w.row.questionCode) }),
      )
      return updated
    }

    /** What POST …/transitions does. */
    async function move(
      tx: Queryable,
      tail: Tail,
      who: Principal,
      assessment: AssessmentRow,
      stage: StageRow,
      to: 'submitted' | 'returned' | 'approved',
      extra: { reason?: string; comments?: { question_code: string; body: string }[] } = {},
    ): Promise<StageRow> {
      const updated = await transitionStage(tx, { principal: who, stage, def, assessment }, { to, ...extra })
      tail.audit(who, {
        action: `stage.${to}`,
        entityType: 'assessment_stage',
        entityId: stage.id,
        before: stageView(stage),
        after: { ...stageView(updated), reason: extra.reason ?? null, comments: extra.comments?.length ?? 0 },
      })
      tail.event(stageEvent(`stage.${to}`, assessment, updated, { reason: extra.reason ?? null }))
      return updated
    }

    await pooled(units, job.concurrency, async ({ unit, index, operator: op }) => {
      const rnd = prng(SEED * 1_000_003 + index)
      const plan: UnitPlan = planUnit(rnd)
      const t0 = performance.now()
      let t1 = t0
      let t2 = t0
      // Every plan that writes anything creates a declaration or an evidence item.
      const committed = async (): Promise<true | undefined> => {
        const rows = await queryRows<{ done: boolean }>(
          db,
          sql`select exists (select 1 from declarations where unit_id = ${unit.id}) or exists (select 1 from evidence where unit_id = ${unit.id}) as done`,
        )
        return rows[0]?.done ? true : undefined
      }
      await retrying(
        `unit ${unit.code}`,
        () =>
          db.transaction(async (tx) => {
            const tail = new Tail()
            const flush = async (): Promise<void> => {
              t1 = performance.now()
              await tail.flush(tx)
              t2 = performance.now()
            }
            if (plan.priorWbk) {
              await declare(tx, tail, op, unit, job.priorId, 'WBK', '2025-01-20', [
                ['building', op],
                ['proposed', admin],
                ['evaluated', admin],
                ['designated', admin],
              ])
            }
            if (plan.declaration !== 'none') {
              const lifecycle: DeclarationStep[] = [
                'building',
                'proposed',
                'evaluated',
                plan.declaration === 'not_designated' ? 'not_designated' : 'designated',
              ]
              const depth = { declared: 0, building: 1, proposed: 2, evaluated: 3, designated: 4, not_designated: 4 }[
                plan.declaration
              ]
              const steps = lifecycle
                .slice(0, depth)
                .map((to): [DeclarationStep, Principal] => [to, to === 'building' ? op : admin])
              await declare(tx, tail, op, unit, job.periodId, plan.target, '2026-01-15', steps)
            }
            if (plan.stage === 'none') {
              await flush()
              return true as const
            }
            const evidenceIds: string[] = []
            for (const title of ['SK Tim Pembangunan ZI', 'Laporan monitoring rencana kerja']) {
              const item = await insertEvidence(tx, op, {
                unitId: unit.id,
                periodId: job.periodId,
                kind: 'link',
                title,
                url: `https://drive.bench.go.id/${unit.code}/${encodeURIComponent(title)}`,
              })
              tail.audit(op, {
                action: 'evidence.created',
                entityType: 'evidence',
                entityId: item.id,
                before: null,
                after: toEvidenceView(item),
              })
              evidenceIds.push(item.id)
            }
            const created = await createAssessment(tx, op, { period_id: job.periodId, unit_id: unit.id })
            const assessment = created.assessment
            tail.audit(op, {
              action: 'assessment.created',
              entityType: 'assessment',
              entityId: assessment.id,
              before: null,
              after: {
                id: assessment.id,
                unit_id: unit.id,
                period_id: job.periodId,
                stages: created.stages.map(stageView),
              },
            })
            tail.event({
              type: 'assessment.created',
              unitId: unit.id,
              periodId: job.periodId,
              assessmentId: assessment.id,
              subject: { type: 'assessment', id: assessment.id },
              data: { assessment_id: assessment.id, stages: ['self'] },
            })
            const selfAnswers = generateAnswers(def, questions, plan.quality, rnd)
            let self = await writeAll(
              tx,
              tail,
              op,
              unit,
              assessment,
              created.stages[0]!,
              questions,
              selfAnswers,
              evidenceIds,
              rnd,
            )
            if (stageReached(plan.stage, 'self_returned'))
              self = await move(tx, tail, op, assessment, self, 'submitted')
            if (plan.stage === 'self_returned') {
              const q = questions[Math.floor(rnd() * questions.length)]!
              self = await move(tx, tail, evaluator, assessment, self, 'returned', {
                reason: 'Data dukung belum lengkap',
                comments: [{ question_code: q.code, body: 'Mohon lengkapi data dukung untuk pertanyaan ini.' }],
              })
            }
            if (stageReached(plan.stage, 'tpi_draft')) {
              let tpi = await startStage(
                tx,
                { principal: evaluator, assessment, def },
                { kind: 'tpi', copy_from: 'self' },
              )
              tail.audit(evaluator, {
                action: 'stage.started',
                entityType: 'assessment_stage',
                entityId: tpi.id,
                before: null,
                after: { ...stageView(tpi), copy_from: 'self' },
              })
              tail.event(stageEvent('stage.started', assessment, tpi, { copy_from: 'self' }))
              // The copy holds all 127 answers; the evaluator's batch re-marks the ones it disagrees with.
              const verified = verifyAnswers(def, questions, selfAnswers, 0.2, rnd)
              const changed = questions.filter((q) => verified[q.code] !== selfAnswers[q.code])
              if (changed.length > 0)
                tpi = await writeAll(tx, tail, evaluator, unit, assessment, tpi, changed, verified, [], rnd)
              if (stageReached(plan.stage, 'tpi_submitted'))
                tpi = await move(tx, tail, evaluator, assessment, tpi, 'submitted')
              if (plan.stage === 'tpi_approved') {
                self = await move(tx, tail, evaluator, assessment, self, 'approved')
                tpi = await move(tx, tail, admin, assessment, tpi, 'approved')
              }
            }
            await flush()
            return true as const
          }),
        committed,
      )
      send({ kind: 'unit', work: t1 - t0, tail: t2 - t1, commit: performance.now() - t2 })
    })
    send({ kind: 'finished' })
  } finally {
    await database.close()
  }
}

type DeclarationStep = 'building' | 'proposed' | 'evaluated' | 'designated' | 'not_designated'

// -------------------------------------------------------------------------------------------
// Parent: database, instrument, instansi, people, periods; then the workers; then the checks.

async function parent(): Promise<void> {
  await prepareDatabase()
  const database = fromPostgres(seedUrl(URL_), { poolMax: 2, applicationName: 'zi-bench-seed' })
  const { db } = database
  try {
    await database.migrate()
    await seedInstruments(db)
    const [{ count: existing } = { count: 0 }] = await queryRows<{ count: number }>(
      db,
      sql`select count(*)::int as count from units`,
    )
    if (existing > 0)
      throw new Error(
        `database ${databaseName(URL_)} already holds ${existing} units: use a fresh database or --recreate`,
      )
    const [lke] = await db.select().from(instrumentVersions).where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
    if (!lke || lke.status !== 'published') throw new Error('the seeded LKE-ZI-2026 is missing or not published')
    log(`database ${databaseName(URL_)} migrated; instrument ${lke.code} (published)`)

    const adminToken = await newPrincipal(db, 'Bagian Organisasi (bench)', 'admin', null)
    const evaluatorToken = await newPrincipal(db, 'Inspektorat (TPI, bench)', 'evaluator', null)
    const admin = await principalOf(db, adminToken)
    const instansi = await db.transaction(async (tx) => {
      const row = await insertUnit(tx, { code: INSTANSI_CODE, name: 'Pemerintah Kabupaten Bench', kind: 'instansi' })
      await appendAudit(tx, actorOf(admin), {
        action: 'unit.created',
        entityType: 'unit',
        entityId: row.id,
        before: null,
        after: toUnitView(row),
      })
      return row
    })
    const now = await databaseNow(db)
    const open = {
      opens_at: iso(new Date(now.getTime() - 60 * 86_400_000)),
      closes_at: iso(new Date(now.getTime() + 365 * 86_400_000)),
    }
    // Through the command the API uses (its transaction and audit record), as the admin.
    const asAdmin: CommandContext = { db, principal: admin, actor: actorOf(admin), requestId: null }
    const prior = await createPeriod(asAdmin, {
      code: PRIOR_PERIOD_CODE,
      name: 'Evaluasi ZI 2025 (bench)',
      year: 2025,
      instrument_version_id: lke.id,
    })
    const period = await createPeriod(asAdmin, {
      code: PERIOD_CODE,
      name: 'Evaluasi ZI 2026 (bench)',
      year: 2026,
      instrument_version_id: lke.id,
      windows: { self_assessment: open, tpi_verification: open, revision: open, proposal: open },
    })
    log(`periods ${prior.code} and ${period.code} (every window open until ${open.closes_at.slice(0, 10)})`)

    const sizes = opdSizes()
    const perWorker = Math.max(1, Math.ceil(CONCURRENCY / WORKERS))
    log(`seeding ${sizes.length} OPDs with ${N} unit kerja: ${WORKERS} worker processes × ${perWorker} units at a time`)
    const tally = new Map<string, number>()
    for (let i = 0; i < N; i++) {
      const plan = planUnit(prng(SEED * 1_000_003 + i))
      for (const key of [`stage plan ${plan.stage}`, `declaration plan ${plan.declaration}`])
        tally.set(key, (tally.get(key) ?? 0) + 1)
    }
    const timing = { work: 0, tail: 0, commit: 0 }
    let opdsDone = 0
    let unitsDone = 0
    let lastReport = 0
    const unitsStarted = performance.now()
    const report = (force = false): void => {
      const t = performance.now()
      if (!force && t - lastReport < 5000) return
      lastReport = t
      const rate = unitsDone / ((t - unitsStarted) / 1000)
      const eta = rate > 0 ? `, eta ${Math.round((N - unitsDone) / rate)} s` : ''
      log(
        `OPDs ${opdsDone}/${sizes.length}, units ${unitsDone}/${N} (${((100 * unitsDone) / N).toFixed(1)} %), ${rate.toFixed(1)} units/s${eta}`,
      )
    }
    const children = Array.from({ length: WORKERS }, (_, k) => {
      const job: Job = {
        instansiId: instansi.id,
        periodId: period.id,
        priorId: prior.id,
        instrumentVersionId: lke.id,
        adminToken,
        evaluatorToken,
        opds: sizes.map((_, o) => o).filter((o) => o % WORKERS === k),
        sizes,
        concurrency: perWorker,
      }
      const child = fork(
        fileURLToPath(import.meta.url),
        [...process.argv.slice(2).filter((a) => a !== '--recreate'), '--worker'],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      )
      return new Promise<void>((resolve, reject) => {
        let finished = false
        child.on('message', (m: WorkerMessage) => {
          if (m.kind === 'opd') opdsDone++
          else if (m.kind === 'unit') {
            unitsDone++
            timing.work += m.work
            timing.tail += m.tail
            timing.commit += m.commit
          } else finished = true
          report()
        })
        child.on('exit', (code) =>
          code === 0 && finished ? resolve() : reject(new Error(`seed worker ${k} exited with ${code}`)),
        )
        child.send(job)
      })
    })
    try {
      await Promise.all(children)
    } catch (err) {
      process.exitCode = 1
      throw err
    }
    report(true)
    const seconds = (performance.now() - unitsStarted) / 1000
    const per = (ms: number): string => `${(ms / N).toFixed(0)} ms`
    log(`OPDs and units seeded in ${seconds.toFixed(1)} s (${(N / seconds).toFixed(1)} units/s)`)
    log(
      `per unit transaction: service work ${per(timing.work)}, audit and feed appends ${per(timing.tail)} (under the global write lock), commit ${per(timing.commit)} (counter triggers, under the lock)`,
    )

    // --- checks and statistics --------------------------------------------------------------
    let mismatches = -1
    await db
      .transaction(async (tx) => {
        // The counters the triggers kept, against a from-scratch rebuild (rolled back afterwards).
        await tx.execute(
          sql`create temp table bench_counters_before on commit drop as select * from dashboard_counters where count <> 0 or sum <> 0`,
        )
        await tx.execute(sql`select dashboard_rebuild()`)
        const [row] = await queryRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from (
                (select period_id, scope_id, kind, metric, count, sum from bench_counters_before
                 except all select period_id, scope_id, kind, metric, count, sum from dashboard_counters where count <> 0 or sum <> 0)
                union all
                (select period_id, scope_id, kind, metric, count, sum from dashboard_counters where count <> 0 or sum <> 0
                 except all select period_id, scope_id, kind, metric, count, sum from bench_counters_before)) x`,
        )
        mismatches = row?.n ?? -1
        tx.rollback()
      })
      .catch((err: unknown) => {
        if (!(err instanceof TransactionRollbackError)) throw err
      })
    if (mismatches !== 0) throw new Error(`the dashboard counters differ from a rebuild in ${mismatches} rows`)
    log('dashboard counters equal a from-scratch rebuild')
    await db.execute(sql`vacuum analyze`)
    log('vacuum analyze done')
    for (const [key, n] of [...tally].sort()) console.log(`  ${key.padEnd(44)} ${n}`)
    const stats = await queryRows<{ what: string; n: string }>(
      db,
      sql`select 'assessments' as what, count(*)::text as n from assessments
          union all select 'stages ' || kind || ' ' || status, count(*)::text from assessment_stages group by kind, status
          union all select 'answers', count(*)::text from answers
          union all select 'declarations ' || p.code || ' ' || status, count(*)::text from declarations d join periods p on p.id = d.period_id group by p.code, status
          union all select 'self stages eligible ' || predicate, count(*)::text from stage_metrics where kind = 'self' group by predicate
          union all select 'audit events', count(*)::text from audit_events
          union all select 'feed events', count(*)::text from events
          union all select 'dashboard counters', count(*)::text from dashboard_counters
          union all select 'database size', pg_size_pretty(pg_database_size(current_database()))
          order by 1`,
    )
    for (const s of stats) console.log(`  ${s.what.padEnd(44)} ${s.n}`)
    log(`done: ${N} units in ${databaseName(URL_)}`)
  } finally {
    await database.close()
  }
}

if (IS_WORKER) {
  process.once('message', (job: Job) => {
    worker(job).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      },
    )
  })
} else {
  await parent()
}
