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
import { scoreInstrument, type AnswerValue, type InstrumentDefinition } from '../../src/modules/instruments/domain/index.js'
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
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', WEBHOOK_WORKER: 'false', RATE_LIMIT_MAX: '10000000', ...env },
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
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
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
  const instansi = await api.call<{ id: string }>('POST', '/v1/units', { code: `R${tag}`, name: 'Pemerintah Kabupaten Uji Keandalan', kind: 'instansi' })
  const unitIds: string[] = []
  for (let o = 1; o <= opds; o++) {
    const opd = await api.call<{ id: string }>('POST', '/v1/units', { code: `R${tag}.${o}`, name: `Dinas ${o}`, kind: 'opd', parent_id: instansi.id })
    for (let u = 1; u <= perOpd; u++) {
      const unit = await api.call<{ id: string }>('POST', '/v1/units', { code: `R${tag}.${o}.${u}`, name: `Puskesmas ${o}-${u}`, kind: 'unit', parent_id: opd.id })
      unitIds.push(unit.id)
    }
  }
  const instruments = await api.call<{ items: { id: string; code: string; status: string }[] }>('GET', '/v1/instruments?status=published')
  const instrument = instruments.items.find((i) => i.code === 'LKE-ZI-2026') ?? instruments.items[0]
  if (!instrument) throw new Error('no published instrument')
  const open = { opens_at: new Date(Date.now() - 86_400_000).toISOString(), closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString() }
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
export function answerMaker(): { codes: string[]; random: (n: number) => { question_code: string; value: AnswerValue }[] } {
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
  auditChain: { valid: boolean; checked: number; first_broken: unknown }
}

/**
 * What must hold after any run, checked in SQL on the database itself:
 * - every committed batch bumped its stage's version by exactly one and wrote exactly one audit
 *   event (stage.version = 1 + its batch events: no batch half-written, none unaudited);
 * - every answer's version equals the number of batch events that list it (no answer written
 *   outside a committed, audited batch, none lost);
 * - every stage's stored total equals the score of its stored answers (recomputed here with the
 *   scoring engine from the instrument definition stored in the database);
 * - the audit hash chain verifies (GET /v1/audit/verify).
 * Valid while the load writes answers through the batch route only.
 */
export async function checkInvariants(databaseUrl: string, api: Api): Promise<InvariantReport> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    // One snapshot for every query: requests still in flight when the load stops may commit meanwhile.
    await client.query('begin isolation level repeatable read read only')
    const stages = (
      await client.query<{ id: string; version: number; total: number | null; definition: InstrumentDefinition; batches: string }>(
        `select s.id, s.version, s.total, iv.definition,
                (select count(*) from audit_events e where e.entity_type = 'assessment_stage' and e.entity_id = s.id::text and e.action = 'answers.batch_written') as batches
           from assessment_stages s join assessments a on a.id = s.assessment_id join instrument_versions iv on iv.id = a.instrument_version_id`,
      )
    ).rows
    const answers = (
      await client.query<{ stage_id: string; question_code: string; version: number; value: AnswerValue; listed: string }>(
        `select an.stage_id, an.question_code, an.version, an.value,
                (select count(*) from audit_events e, jsonb_array_elements(e.after) item
                  where e.entity_type = 'assessment_stage' and e.entity_id = an.stage_id::text and e.action = 'answers.batch_written'
                    and item->>'question_code' = an.question_code) as listed
           from answers an`,
      )
    ).rows
    const batchEvents = Number((await client.query<{ n: string }>(`select count(*) as n from audit_events where action = 'answers.batch_written'`)).rows[0]?.n ?? 0)
    await client.query('commit')
    const byStage = new Map<string, Record<string, AnswerValue>>()
    for (const a of answers) byStage.set(a.stage_id, { ...(byStage.get(a.stage_id) ?? {}), [a.question_code]: a.value })
    const report: InvariantReport = {
      stages: stages.length,
      answers: answers.length,
      batchEvents,
      stageVersionMismatches: stages.filter((s) => s.version !== 1 + Number(s.batches)).map((s) => `${s.id}: version ${s.version}, ${s.batches} batch events`),
      answerVersionMismatches: answers.filter((a) => a.version !== Number(a.listed)).map((a) => `${a.stage_id}/${a.question_code}: version ${a.version}, in ${a.listed} batch events`),
      totalMismatches: stages
        .map((s) => ({ s, expected: scoreInstrument(s.definition, byStage.get(s.id) ?? {}).total }))
        .filter(({ s, expected }) => (byStage.has(s.id) || s.total !== null) && Math.abs(Number(s.total ?? 0) - expected) > 1e-9)
        .map(({ s, expected }) => `${s.id}: stored ${s.total}, answers score ${expected}`),
      auditChain: await api.call('GET', '/v1/audit/verify'),
    }
    return report
  } finally {
    await client.end()
  }
}

export const invariantsHold = (r: InvariantReport): boolean =>
  r.stageVersionMismatches.length === 0 && r.answerVersionMismatches.length === 0 && r.totalMismatches.length === 0 && r.auditChain.valid === true

export function invariantLines(r: InvariantReport): string[] {
  return [
    `- stages: ${r.stages}, answers: ${r.answers}, committed batches (audit events): ${r.batchEvents}`,
    `- stage version = 1 + its batch events: ${r.stageVersionMismatches.length === 0 ? 'holds for every stage' : `**${r.stageVersionMismatches.length} mismatches** ${r.stageVersionMismatches.slice(0, 3).join('; ')}`}`,
    `- answer version = batch events listing it: ${r.answerVersionMismatches.length === 0 ? 'holds for every answer' : `**${r.answerVersionMismatches.length} mismatches** ${r.answerVersionMismatches.slice(0, 3).join('; ')}`}`,
    `- stored total = score of the stored answers: ${r.totalMismatches.length === 0 ? 'holds for every stage' : `**${r.totalMismatches.length} mismatches** ${r.totalMismatches.slice(0, 3).join('; ')}`}`,
    `- audit chain: valid=${r.auditChain.valid}, ${r.auditChain.checked} events checked`,
  ]
}

/** Latency percentiles (ms) of a list of durations. */
export function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10
  return { p50: at(0.5), p99: at(0.99), max: at(1) }
}

export const RESULTS_FILE = join(ROOT, 'docs', 'reliability-results.md')

/** Replaces (or appends) the section `name` of docs/reliability-results.md. */
export function writeResults(name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const header = '# Reliability results\n\nRaw output of `scripts/reliability/*.ts` (see README "Reliability" for what each checks and how to rerun them).\n'
  const current = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : header
  const block = `${start}\n${markdown.trim()}\n${end}`
  const next = current.includes(start) ? current.replace(new RegExp(`${start}[\\s\\S]*?${end}`), block) : `${current.trimEnd()}\n\n${block}\n`
  mkdirSync(dirname(RESULTS_FILE), { recursive: true })
  writeFileSync(RESULTS_FILE, next)
}

export function machine(): string {
  const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0
  const mem = Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024 / 1024)
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  return `${cpus} cores, ${mem} GiB, Node ${process.version}, load average at start ${load}`
}

/** Runs autocannon; `onResponse` sees every response (status and latency). */
export function runLoad(options: autocannon.Options, onResponse?: (statusCode: number, responseTime: number) => void): { done: Promise<autocannon.Result>; stop: () => void } {
  let instance: autocannon.Instance | undefined
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(options, (err: unknown, result: autocannon.Result) => (err ? reject(err) : resolve(result)))
  })
  if (onResponse) instance!.on('response', (_client, statusCode, _bytes, responseTime) => onResponse(statusCode, responseTime))
  return { done, stop: () => instance!.stop() }
}
