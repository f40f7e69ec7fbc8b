/**
 * Shared by the benchmark scripts (seed.ts, run.ts): a seeded PRNG, the answer generator, the
 * per-unit plan (what state a unit's declaration and assessment reach) and small CLI helpers.
 * Everything is deterministic for a given seed, so two datasets of the same size are the same.
 */
import {
  scoreInstrument,
  validateAnswers,
  type AnswerValue,
  type InstrumentDefinition,
  type InstrumentNode,
} from '../../src/modules/instruments/domain/index.js'

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/zi_bench'
export const PERIOD_CODE = 'ZI-2026-BENCH'
export const PRIOR_PERIOD_CODE = 'ZI-2025-BENCH'
export const INSTANSI_CODE = 'BENCH'

/** mulberry32 (as scripts/golden/answer-sets.ts): a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type Answers = Record<string, AnswerValue>

/** The questions a unit answers (every question except the computed ratios): 127 in LKE-ZI-2026. */
export const answerableQuestions = (def: InstrumentDefinition): InstrumentNode[] =>
  def.nodes.filter((n) => n.level === 'question' && n.formula === undefined)

/**
 * A full answer set of a unit of quality `quality` (0–1): each option question takes its best
 * option with probability `quality`, else one of the others at random; survey indices lean on
 * the quality; Jumlah inputs are random counts, redrawn while a ratio would divide by zero.
 */
export function generateAnswers(
  def: InstrumentDefinition,
  questions: InstrumentNode[],
  quality: number,
  rnd: () => number,
): Answers {
  for (;;) {
    const answers: Answers = {}
    for (const q of questions) {
      if (q.options && q.options.length > 0) {
        const sorted = [...q.options].sort((a, b) => b.multiplier - a.multiplier)
        const pick = rnd() < quality ? sorted[0] : sorted[1 + Math.floor(rnd() * (sorted.length - 1))]
        answers[q.code] = (pick ?? sorted[0])!.value
      } else if (q.answerType === 'survey_index') {
        answers[q.code] = Math.round(Math.min(4, Math.max(0, 2.2 + 1.8 * quality + (rnd() - 0.5) * 0.6)) * 100) / 100
      } else if (q.answerType === 'count') {
        answers[q.code] = 1 + Math.floor(rnd() * 20)
      } else if (q.answerType === 'percentage') {
        answers[q.code] = Math.round(100 * Math.min(1, quality + (rnd() - 0.5) * 0.2))
      } else {
        throw new Error(`no generator for ${q.code} (${q.answerType})`)
      }
    }
    if (validateAnswers(def, answers).length === 0) return answers
  }
}

/** The TPI's verification of a self-assessment: most answers kept, about `share` of them re-marked (mostly downwards). */
export function verifyAnswers(
  def: InstrumentDefinition,
  questions: InstrumentNode[],
  self: Answers,
  share: number,
  rnd: () => number,
): Answers {
  for (;;) {
    const out: Answers = { ...self }
    for (const q of questions) {
      if (rnd() >= share) continue
      if (q.options && q.options.length > 1) {
        const sorted = [...q.options].sort((a, b) => b.multiplier - a.multiplier)
        const at = sorted.findIndex((o) => o.value === self[q.code])
        const down = rnd() < 0.8
        const next = Math.min(sorted.length - 1, Math.max(0, at + (down ? 1 : -1)))
        out[q.code] = sorted[next]!.value
      } else if (q.answerType === 'count') {
        out[q.code] = Math.max(0, Number(self[q.code] ?? 0) - 1 - Math.floor(rnd() * 3))
      } else if (q.answerType === 'survey_index') {
        out[q.code] = Math.round(Math.max(0, Number(self[q.code] ?? 0) - rnd() * 0.3) * 100) / 100
      }
    }
    if (validateAnswers(def, out).length === 0) return out
  }
}

/** Where a unit's assessment ends up. Self stages of plans `self_draft` and `self_returned` stay writable (the batch benchmark writes to them). */
export type StagePlan =
  | 'none'
  | 'self_draft'
  | 'self_returned'
  | 'self_submitted'
  | 'tpi_draft'
  | 'tpi_submitted'
  | 'tpi_approved'
export type DeclarationPlan =
  | 'none'
  | 'declared'
  | 'building'
  | 'proposed'
  | 'evaluated'
  | 'designated'
  | 'not_designated'

export interface UnitPlan {
  quality: number
  stage: StagePlan
  declaration: DeclarationPlan
  target: 'WBK' | 'WBBM'
  /** designated WBK in the prior period (so a WBBM declaration is allowed) */
  priorWbk: boolean
  afirmasi: boolean
}

function pickWeighted<T extends string>(rnd: () => number, table: [T, number][]): T {
  const total = table.reduce((s, [, w]) => s + w, 0)
  let x = rnd() * total
  for (const [v, w] of table) {
    x -= w
    if (x < 0) return v
  }
  return table[table.length - 1]![0]
}

/**
 * A realistic spread over a period in the proposal phase: most units answered and submitted their
 * self-assessment, the TPI has verified many; units proposed for WBK/WBBM are the further ones.
 */
export function planUnit(rnd: () => number): UnitPlan {
  const quality = 0.35 + 0.6 * Math.sqrt(rnd())
  const stage = pickWeighted<StagePlan>(rnd, [
    ['none', 3],
    ['self_draft', 10],
    ['self_returned', 5],
    ['self_submitted', 12],
    ['tpi_draft', 20],
    ['tpi_submitted', 20],
    ['tpi_approved', 30],
  ])
  const priorWbk = rnd() < 0.12
  const afirmasi = rnd() < 0.08
  let declaration: DeclarationPlan
  if (stage === 'tpi_submitted' || stage === 'tpi_approved') {
    declaration = pickWeighted<DeclarationPlan>(rnd, [
      ['building', 10],
      ['proposed', 50],
      ['evaluated', 15],
      ['designated', 15],
      ['not_designated', 10],
    ])
  } else if (stage === 'none') {
    declaration = pickWeighted<DeclarationPlan>(rnd, [
      ['none', 2],
      ['declared', 1],
    ])
  } else {
    declaration = pickWeighted<DeclarationPlan>(rnd, [
      ['none', 1],
      ['declared', 3],
      ['building', 6],
    ])
  }
  const target = priorWbk && rnd() < 0.7 ? 'WBBM' : 'WBK'
  return { quality, stage, declaration, target, priorWbk, afirmasi }
}

export const stageReached = (plan: StagePlan, at: StagePlan): boolean => {
  const order: StagePlan[] = [
    'none',
    'self_draft',
    'self_returned',
    'self_submitted',
    'tpi_draft',
    'tpi_submitted',
    'tpi_approved',
  ]
  return order.indexOf(plan) >= order.indexOf(at)
}

/** The total a set of answers scores (for the seed's summary line). */
export const totalOf = (def: InstrumentDefinition, answers: Answers): number => scoreInstrument(def, answers).total

/** `--name value` / `--name=value` / `--flag` from argv. */
export function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`)
    const eq = arg.indexOf('=')
    if (eq > 0) out.set(arg.slice(2, eq), arg.slice(eq + 1))
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) out.set(arg.slice(2), argv[++i]!)
    else out.set(arg.slice(2), 'true')
  }
  return out
}

export function intArg(args: Map<string, string>, name: string, fallback?: number): number {
  const raw = args.get(name)
  if (raw === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`)
    return fallback
  }
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a non-negative integer (got "${raw}")`)
  return Number(raw)
}

/** The same server, another database (for CREATE/DROP DATABASE). */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

export const databaseName = (url: string): string => decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
