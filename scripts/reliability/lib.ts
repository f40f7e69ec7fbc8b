/**
 * Shared by the reliability scripts (fault.ts, sigterm.ts, soak.ts): a fresh PostgreSQL database,
 * the server as a child process (production build, or tsx), seed data through the API, valid
 * random answers, server RSS, the SQL invariants checked after every run, and the results file.
 * Everything talks to 127.0.0.1 only.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import autocannon from 'autocannon'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import pg from 'pg'
import {
  scoreInstrument,
  type AnswerValue,
  type InstrumentDefinition,
} from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { projectRoot } from '../../src/lib/paths.js'

export const ROOT = projectRoot()
export const PG_ADMIN_URL = process.env.RELIABILITY_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
export const now = () => performance.now()

export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** A new, empty database on the local PostgreSQL; the server migrates it at start. */
export async function freshDatabase(prefix: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  await admin.query(`create database "${name}"`)
  await admin.end()
  return {
    name,
    url: withDatabase(PG_ADMIN_URL, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      await c.query(`drop database if exists "${name}" with (force)`)
      await c.end()
    },
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export type ServerMode = 'build' | 'tsx'

/** `npm run build` once; falls back to tsx (same code, compiled on the fly) if the build fails. */
export function prepareServer(wanted: ServerMode = process.argv.includes('--tsx') ? 'tsx' : 'build'): ServerMode {
  if (wanted === 'tsx') return 'tsx'
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' })
    if (existsSync(join(ROOT, 'dist/src/server.js'))) return 'build'
  } catch {
    console.error('npm run build failed: running the server with tsx instead')
  }
  return 'tsx'
}

export interface RunningServer {
  baseUrl: string
  child: ChildProcess
  pid: number
  output: () => string
  exited: Promise<number | null>
}

/** Starts the server and waits until /health/ready answers 200. */
export async function startServer(mode: ServerMode, env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort()
  const args = mode === 'build' ? ['dist/src/server.js'] : ['--import', 'tsx', 'src/server.ts']
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      WEBHOOK_WORKER: 'false',
      RATE_LIMIT_MAX: '10000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const baseUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`)
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).status === 200) break
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the server did not become ready:\n${output}`)
    await sleep(250)
  }
  return { baseUrl, child, pid: child.pid!, output: () => output, exited }
}

/** Resident set size of a process, in MiB (from /proc). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return Math.round((kb / 1024) * 10) / 10
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const text = await res.text()
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 300)}`)
    return (text ? JSON.parse(text) : {}) as T
  }
}

export interface Seeded {
  periodId: string
  instrumentId: string
  unitIds: string[]
  assessments: { id: string; unitId: string }[]
}

/** An instansi, `opds` OPDs with `perOpd` unit kerja each, a period on the bundled LKE with every window open, one assessment per unit. */
export async function seed(api: Api, opds = 4, perOpd = 5): Promise<Seeded> {
  const tag = randomBytes(3).toString('hex')
  const instansi = await api.call<{ id: string }>('POST', '/v1/units', {
    code: `R${tag}`,
    name: 'Pemerintah Kabupaten Uji Keandalan',
    kind: 'instansi',
  })
  const unitIds: string[] = []
  for (let o = 1; o <= opds; o++) {
    const opd = await api.call<{ id: string }>('POST', '/v1/units', {
      code: `R${tag}.${o}`,
      name: `Dinas ${o}`,
      kind: 'opd',
      parent_id: instansi.id,
    })
    for (let u = 1; u <= perOpd; u++) {
      const unit = await api.call<{ id: string }>('POST', '/v1/units', {
        code: `R${tag}.${o}.${u}`,
        name: `Puskesmas ${o}-${u}`,
        kind: 'unit',
        parent_id: opd.id,
      })
      unitIds.push(unit.id)
    }
  }
  const instruments = await api.call<{ items: { id: string; code: string; status: string }[] }>(
    'GET',
    '/v1/instruments?status=published',
  )
  const instrument = instruments.items.find((i) => i.code === 'LKE-ZI-2026') ?? instruments.items[0]
  if (!instrument) throw new Error('no published instrument')
  const open = {
    opens_at: new Date(Date.now() - 86_400_000).toISOString(),
    closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  }
  const period = await api.call<{ id: string }>('POST', '/v1/periods', {
    code: `REL-${tag}`,
    name: 'Periode uji keandalan',
    year: 2026,
    instrument_version_id: instrument.id,
    windows: { self_assessment: open, tpi_verification: open, revision: open, proposal: open },
  })
  const assessments: Seeded['assessments'] = []
  for (const unitId of unitIds) {
    const a = await api.call<{ id: string }>('POST', '/v1/assessments', { period_id: period.id, unit_id: unitId })
    assessments.push({ id: a.id, unitId })
  }
  return { periodId: period.id, instrumentId: instrument.id, unitIds, assessments }
}

/** Valid random answers for the bundled instrument (options, survey indices, counts; ratio questions are computed). */
export function answerMaker(): {
  codes: string[]
  random: (n: number) => { question_code: string; value: AnswerValue }[]
} {
  const def = loadSeedInstrument()
  const questions = def.nodes.filter((n) => n.level === 'question' && n.formula === undefined)
  const valueOf = (q: (typeof questions)[number]): AnswerValue => {
    if (q.options && q.options.length > 0) return q.options[Math.floor(Math.random() * q.options.length)]!.value
    if (q.answerType === 'survey_index') return Math.round(Math.random() * 400) / 100
    return Math.floor(Math.random() * 20) + 1
  }
  return {
    codes: questions.map((q) => q.code),
    random: (n) => {
      const picked = [...questions].sort(() => Math.random() - 0.5).slice(0, n)
      return picked.map((q) => ({ question_code: q.code, value: valueOf(q) }))
    },
  }
}

export interface InvariantReport {
  stages: number
  answers: number
  batchEvents: number
  stageVersionMismatches: string[]
  answerVersionMismatches: string[]
  totalMismatches: string[]
  transitionMismatches: string[]
  unauditedEvidence: string[]
  auditChain: { valid: boolean; checked: number; first_broken: unknown }
}

/** Audited actions that bump a stage's version (each through touchStage, in one transaction). */
const STAGE_WRITES = `('answers.batch_written', 'answers.workbook_imported', 'stage.submitted', 'stage.returned', 'stage.approved')`
/** The answers an answer-writing audit event lists: a batch's `after` is the list, an import's `after.answers`. */
const LISTED_ANSWERS = `jsonb_array_elements(case when e.action = 'answers.workbook_imported' then e.after->'answers' else e.after end)`

/** Runs one SQL statement and returns its rows (pg, or the app's own handle on PGlite). */
export type RunSql = <T>(text: string) => Promise<T[]>

/**
 * What must hold after any run, checked in SQL on the database itself:
 * - every committed write of a stage (answer batch, workbook import, transition) bumped its
 *   version by exactly one and wrote exactly one audit event (stage.version = 1 + those events:
 *   no write half-done, none unaudited);
 * - every answer's version equals the number of batch and import events that list it (no answer
 *   written outside a committed, audited write, none lost);
 * - every stage's stored total equals the score of its stored answers (recomputed here with the
 *   scoring engine from the instrument definition stored in the database);
 * - every transition row and submit/approve snapshot has its audit event and the other way round;
 * - every evidence item has exactly one creating audit event;
 * - the audit hash chain verifies (`verifyAudit`: GET /v1/audit/verify).
 * Valid while answers are written through the batch and workbook routes only (not single PUTs,
 * deletes or copied stages). Run it in one snapshot when writes may still commit meanwhile.
 */
export async function collectInvariants(
  run: RunSql,
  verifyAudit: () => Promise<InvariantReport['auditChain']>,
): Promise<InvariantReport> {
  const stages = await run<{
    id: string
    version: number
    total: number | null
    definition: InstrumentDefinition
    writes: string
    transitions: string
    moves: string
    snapshots: string
    frozen: string
  }>(
    `select s.id, s.version, s.total, iv.definition,
            (select count(*) from audit_events e where e.entity_type = 'assessment_stage' and e.entity_id = s.id::text and e.action in ${STAGE_WRITES}) as writes,
            (select count(*) from audit_events e where e.entity_type = 'assessment_stage' and e.entity_id = s.id::text and e.action in ('stage.submitted', 'stage.returned', 'stage.approved')) as transitions,
            (select count(*) from stage_transitions t where t.stage_id = s.id) as moves,
            (select count(*) from audit_events e where e.entity_type = 'assessment_stage' and e.entity_id = s.id::text and e.action in ('stage.submitted', 'stage.approved')) as frozen,
            (select count(*) from stage_snapshots n where n.stage_id = s.id) as snapshots
       from assessment_stages s join assessments a on a.id = s.assessment_id join instrument_versions iv on iv.id = a.instrument_version_id`,
  )
  const answers = await run<{
    stage_id: string
    question_code: string
    version: number
    value: AnswerValue
    listed: string
  }>(
    `select an.stage_id, an.question_code, an.version, an.value,
            (select count(*) from audit_events e, ${LISTED_ANSWERS} item
              where e.entity_type = 'assessment_stage' and e.entity_id = an.stage_id::text and e.action in ('answers.batch_written', 'answers.workbook_imported')
                and item->>'question_code' = an.question_code) as listed
       from answers an`,
  )
  const [batches] = await run<{ n: string }>(
    `select count(*) as n from audit_events where action in ('answers.batch_written', 'answers.workbook_imported')`,
  )
  const evidence = await run<{ id: string; events: string }>(
    `select v.id, (select count(*) from audit_events e where e.entity_type = 'evidence' and e.entity_id = v.id::text and e.action in ('evidence.created', 'evidence.carried')) as events from evidence v`,
  )
  const byStage = new Map<string, Record<string, AnswerValue>>()
  for (const a of answers) byStage.set(a.stage_id, { ...(byStage.get(a.stage_id) ?? {}), [a.question_code]: a.value })
  return {
    stages: stages.length,
    answers: answers.length,
    batchEvents: Number(batches?.n ?? 0),
    stageVersionMismatches: stages
      .filter((s) => s.version !== 1 + Number(s.writes))
      .map((s) => `${s.id}: version ${s.version}, ${s.writes} audited writes`),
    answerVersionMismatches: answers
      .filter((a) => a.version !== Number(a.listed))
      .map((a) => `${a.stage_id}/${a.question_code}: version ${a.version}, in ${a.listed} batch or import events`),
    totalMismatches: stages
      .map((s) => ({ s, expected: scoreInstrument(s.definition, byStage.get(s.id) ?? {}).total }))
      .filter(
        ({ s, expected }) =>
          (byStage.has(s.id) || s.total !== null) && Math.abs(Number(s.total ?? 0) - expected) > 1e-9,
      )
      .map(({ s, expected }) => `${s.id}: stored ${s.total}, answers score ${expected}`),
    transitionMismatches: stages
      .filter((s) => Number(s.moves) !== Number(s.transitions) || Number(s.snapshots) !== Number(s.frozen))
      .map(
        (s) =>
          `${s.id}: ${s.moves} transitions for ${s.transitions} events, ${s.snapshots} snapshots for ${s.frozen} submits/approvals`,
      ),
    unauditedEvidence: evidence
      .filter((v) => Number(v.events) !== 1)
      .map((v) => `${v.id}: ${v.events} creating events`),
    auditChain: await verifyAudit(),
  }
}

/** collectInvariants on a PostgreSQL database, in one snapshot (requests still in flight may commit meanwhile). */
export async function checkInvariants(databaseUrl: string, api: Api): Promise<InvariantReport> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query('begin isolation level repeatable read read only')
    const report = await collectInvariants(
      async <T>(text: string) => (await client.query(text)).rows as T[],
      () => api.call('GET', '/v1/audit/verify'),
    )
    await client.query('commit')
    return report
  } finally {
    await client.end()
  }
}

export const invariantsHold = (r: InvariantReport): boolean =>
  r.stageVersionMismatches.length === 0 &&
  r.answerVersionMismatches.length === 0 &&
  r.totalMismatches.length === 0 &&
  r.transitionMismatches.length === 0 &&
  r.unauditedEvidence.length === 0 &&
  r.auditChain.valid === true

export function invariantLines(r: InvariantReport): string[] {
  return [
    `- stages: ${r.stages}, answers: ${r.answers}, committed batches (audit events): ${r.batchEvents}`,
    `- stage version = 1 + its audited writes (batches, workbook imports, transitions): ${r.stageVersionMismatches.length === 0 ? 'holds for every stage' : `**${r.stageVersionMismatches.length} mismatches** ${r.stageVersionMismatches.slice(0, 3).join('; ')}`}`,
    `- answer version = batch and import events listing it: ${r.answerVersionMismatches.length === 0 ? 'holds for every answer' : `**${r.answerVersionMismatches.length} mismatches** ${r.answerVersionMismatches.slice(0, 3).join('; ')}`}`,
    `- stored total = score of the stored answers: ${r.totalMismatches.length === 0 ? 'holds for every stage' : `**${r.totalMismatches.length} mismatches** ${r.totalMismatches.slice(0, 3).join('; ')}`}`,
    `- transitions and snapshots = their audit events: ${r.transitionMismatches.length === 0 ? 'holds for every stage' : `**${r.transitionMismatches.length} mismatches** ${r.transitionMismatches.slice(0, 3).join('; ')}`}`,
    `- evidence items with exactly one creating audit event: ${r.unauditedEvidence.length === 0 ? 'every item' : `**${r.unauditedEvidence.length} without** ${r.unauditedEvidence.slice(0, 3).join('; ')}`}`,
    `- audit chain: valid=${r.auditChain.valid}, ${r.auditChain.checked} events checked`,
  ]
}

/** Latency percentiles (ms) of a list of durations. */
export function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10
  return { p50: at(0.5), p99: at(0.99), max: at(1) }
}

export const RESULTS_FILE = join(ROOT, 'docs', 'reliability-results.md')

/** Replaces (or appends) the section `name` of docs/reliability-results.md. */
export function writeResults(name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const header =
    '# Reliability results\n\nRaw output of `scripts/reliability/*.ts` (see README "Reliability" for what each checks and how to rerun them).\n'
  const current = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : header
  const block = `${start}\n${markdown.trim()}\n${end}`
  const next = current.includes(start)
    ? current.replace(new RegExp(`${start}[\\s\\S]*?${end}`), block)
    : `${current.trimEnd()}\n\n${block}\n`
  mkdirSync(dirname(RESULTS_FILE), { recursive: true })
  writeFileSync(RESULTS_FILE, next)
}

export function machine(): string {
  const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0
  const mem = Math.round(
    Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024 / 1024,
  )
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  return `${cpus} cores, ${mem} GiB, Node ${process.version}, load average at start ${load}`
}

/** Runs autocannon; `onResponse` sees every response (status and latency). */
export function runLoad(
  options: autocannon.Options,
  onResponse?: (statusCode: number, responseTime: number) => void,
): { done: Promise<autocannon.Result>; stop: () => void } {
  let instance: autocannon.Instance | undefined
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(options, (err: unknown, result: autocannon.Result) => (err ? reject(err) : resolve(result)))
  })
  if (onResponse)
    instance!.on('response', (_client, statusCode, _bytes, responseTime) => onResponse(statusCode, responseTime))
  return { done, stop: () => instance!.stop() }
}
