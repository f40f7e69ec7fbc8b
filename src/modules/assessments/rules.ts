import type { Role } from '../../lib/policy.js'
import { indexTree, type InstrumentDefinition } from '../instruments/domain/index.js'
import { type Message, msg } from '../../lib/i18n.js'

/**
 * Assessment workflow rules as data and plain functions (no Fastify, no database).
 *
 * An assessment is one unit in one period. Its stages are rows, not columns: `self` (the unit's
 * self-assessment), `tpi` (Tim Penilai Internal), and later `tpn` or `sanggah` (appeal). Each
 * stage kind says who writes its answers, who reviews it, which period window governs its
 * writes, and which stage it may start from.
 */
export const STAGE_KINDS = ['self', 'tpi', 'tpn', 'sanggah'] as const
export type StageKind = (typeof STAGE_KINDS)[number]

export const STAGE_STATUSES = ['draft', 'submitted', 'returned', 'approved'] as const
export type StageStatus = (typeof STAGE_STATUSES)[number]

export type WindowName = 'self_assessment' | 'tpi_verification' | 'revision' | 'proposal'

export interface StageKindRules {
  /** who may write answers and submit */
  writers: readonly Role[]
  /** who may return (for revision) or approve a submitted stage */
  reviewers: readonly Role[]
  /** the period window for writes while the stage is a draft */
  window: WindowName
  /** a stage of this kind may start as a copy of these kinds' submitted/approved answers */
  copyFrom: readonly StageKind[]
  /** stages that must exist (submitted or approved) before this one starts */
  requires: readonly StageKind[]
}

export const STAGE_RULES: Record<StageKind, StageKindRules> = {
  self: {
    writers: ['unit_operator', 'admin'],
    reviewers: ['evaluator', 'admin'],
    window: 'self_assessment',
    copyFrom: [],
    requires: [],
  },
  tpi: {
    writers: ['evaluator', 'admin'],
    reviewers: ['admin'],
    window: 'tpi_verification',
    copyFrom: ['self'],
    requires: ['self'],
  },
  tpn: {
    writers: ['admin'],
    reviewers: ['admin'],
    window: 'tpi_verification',
    copyFrom: ['tpi', 'self'],
    requires: ['tpi'],
  },
  sanggah: {
    writers: ['unit_operator', 'admin'],
    reviewers: ['admin'],
    window: 'revision',
    copyFrom: ['tpi', 'tpn'],
    requires: ['tpi'],
  },
}

/** Status machine of a stage: draft → submitted → returned → submitted → approved (locked). */
export const STAGE_TRANSITIONS: Record<StageStatus, readonly StageStatus[]> = {
  draft: ['submitted'],
  submitted: ['returned', 'approved'],
  returned: ['submitted'],
  approved: [],
}

export interface TransitionCheck {
  ok: boolean
  code?: 'invalid_transition' | 'forbidden_transition'
  allowed: StageStatus[]
  message?: Message
}

/** Whether `role` may move a `kind` stage from `from` to `to`; submitting is the writers' act, returning and approving the reviewers'. */
export function checkTransition(kind: StageKind, from: StageStatus, to: StageStatus, role: Role): TransitionCheck {
  const allowed = [...STAGE_TRANSITIONS[from]]
  if (!allowed.includes(to)) {
    return {
      ok: false,
      code: 'invalid_transition',
      allowed,
      message: msg('assessments:rules.invalid_transition', {
        from,
        to,
        allowed: allowed.length ? allowed.join(', ') : msg('assessments:rules.none_locked'),
      }),
    }
  }
  const rules = STAGE_RULES[kind]
  const actors = to === 'submitted' ? rules.writers : rules.reviewers
  if (!actors.includes(role)) {
    return {
      ok: false,
      code: 'forbidden_transition',
      allowed,
      message: msg('assessments:rules.forbidden_transition', { kind, to, actors: actors.join(' / '), role }),
    }
  }
  return { ok: true, allowed }
}

/** Answers can be written only while the stage is a draft or returned for revision. */
export const isWritable = (status: StageStatus): boolean => status === 'draft' || status === 'returned'

/** The window governing writes: the stage's own window, or the revision window once returned. */
export const windowFor = (kind: StageKind, status: StageStatus): WindowName =>
  status === 'returned' ? 'revision' : STAGE_RULES[kind].window

export const canWrite = (kind: StageKind, role: Role): boolean => STAGE_RULES[kind].writers.includes(role)

/**
 * Who may read a stage's answers: anyone in scope except that a unit operator does not see the
 * TPI's working draft until it is submitted (the unit sees the verdict, not the evaluator's notes
 * in progress).
 */
export function canRead(kind: StageKind, status: StageStatus, role: Role): boolean {
  if (role === 'unit_operator' && kind !== 'self' && kind !== 'sanggah' && status === 'draft') return false
  return true
}

export interface AnswerLike {
  questionCode: string
  value: string | number | null
  note: string | null
}

export interface AnswerChange {
  question_code: string
  from: string | number | null
  to: string | number | null
  from_note: string | null
  to_note: string | null
}

/** What changed between two stages' answers, question by question (only questions that differ). */
export function diffAnswers(from: AnswerLike[], to: AnswerLike[]): AnswerChange[] {
  const before = new Map(from.map((a) => [a.questionCode, a]))
  const after = new Map(to.map((a) => [a.questionCode, a]))
  const codes = [...new Set([...before.keys(), ...after.keys()])].sort()
  const changes: AnswerChange[] = []
  for (const code of codes) {
    const a = before.get(code)
    const b = after.get(code)
    const fromValue = a?.value ?? null
    const toValue = b?.value ?? null
    if (fromValue !== toValue || (a?.note ?? null) !== (b?.note ?? null)) {
      changes.push({
        question_code: code,
        from: fromValue,
        to: toValue,
        from_note: a?.note ?? null,
        to_note: b?.note ?? null,
      })
    }
  }
  return changes
}

/** An empty note is no note: "" and null are the same, and "" is stored as null. */
export const noteOf = (note: string | null | undefined): string | null => (note === '' ? null : (note ?? null))

/**
 * Only a TPI stage carries recommendations (rekomendasi) beside its notes: the Tim Penilai
 * Internal's advice on each question, read back by the unit and the LHE report.
 */
export const carriesRecommendations = (kind: StageKind): boolean => kind === 'tpi'

/** An answer's content: what a write can change (its version, author and time are bookkeeping). */
export interface AnswerContent {
  value: string | number | null
  note: string | null
  /** the TPI's recommendation: present on a tpi stage's answers only */
  recommendation?: string | null
  evidence_ids: string[]
}

/** What one write asks of an answer: a field left out keeps the stored one (note, recommendation, evidence). */
export interface AnswerWrite {
  value: string | number | null
  note?: string | null | undefined
  recommendation?: string | null | undefined
  evidence_ids?: string[] | undefined
}

export interface AnswerWriteDiff {
  question_code: string
  /** the answer as stored, or null where there is none */
  from: AnswerContent | null
  /** the answer as the write leaves it */
  to: AnswerContent
}

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])
const sortedSet = (ids: string[]): string[] => [...new Set(ids)].sort()

/**
 * What a write does to one answer: null when it changes nothing (the same value, note,
 * recommendation and evidence links; "" and null notes alike; no stored answer and nothing to
 * store), else the answer before and after. A write that changes nothing leaves no trace: no
 * version, audit record or event. `recommendations`: the stage carries them (a tpi stage), so
 * the contents name the recommendation too.
 */
export function answerWriteDiff(
  code: string,
  stored: AnswerContent | undefined,
  write: AnswerWrite,
  opts: { recommendations?: boolean } = {},
): AnswerWriteDiff | null {
  const withRecommendation = opts.recommendations ?? false
  const from: AnswerContent | null = stored
    ? {
        value: stored.value ?? null,
        note: noteOf(stored.note),
        ...(withRecommendation ? { recommendation: noteOf(stored.recommendation) } : {}),
        evidence_ids: sortedSet(stored.evidence_ids),
      }
    : null
  const to: AnswerContent = {
    value: write.value ?? null,
    note: write.note === undefined ? (from?.note ?? null) : noteOf(write.note),
    ...(withRecommendation
      ? {
          recommendation:
            write.recommendation === undefined ? (from?.recommendation ?? null) : noteOf(write.recommendation),
        }
      : {}),
    evidence_ids: write.evidence_ids === undefined ? (from?.evidence_ids ?? []) : sortedSet(write.evidence_ids),
  }
  const base = from ?? { value: null, note: null, recommendation: null, evidence_ids: [] }
  if (
    base.value === to.value &&
    base.note === to.note &&
    (base.recommendation ?? null) === (to.recommendation ?? null) &&
    sameList(base.evidence_ids, to.evidence_ids)
  )
    return null
  return { question_code: code, from, to }
}

/**
 * Answers in the instrument tree's order (Q1, Q2 … Q10 … Q100), the order a person reads the
 * questionnaire in; codes the tree does not hold come last, in text order.
 */
export function inTreeOrder<T>(def: InstrumentDefinition, items: T[], codeOf: (item: T) => string): T[] {
  const position = new Map(indexTree(def).ordered.map((node, i) => [node.code, i]))
  const rank = (item: T) => position.get(codeOf(item)) ?? Number.POSITIVE_INFINITY
  return [...items].sort((a, b) => {
    const byTree = rank(a) - rank(b)
    if (!Number.isNaN(byTree) && byTree !== 0) return byTree
    const [x, y] = [codeOf(a), codeOf(b)]
    return x < y ? -1 : x > y ? 1 : 0
  })
}

/** Why a stage cannot start; the service turns it into the problem the client gets. */
export type StageStartRefusal =
  | { status: 403; code: 'forbidden_stage_role'; message: Message }
  | { status: 409; code: 'stage_exists'; message: Message }
  | { status: 409; code: 'stage_prerequisite'; message: Message; requires?: readonly StageKind[] }
  | { status: 422; code: 'copy_not_allowed'; message: Message; allowed: readonly StageKind[] }

const isHandedIn = (status: StageStatus): boolean => status === 'submitted' || status === 'approved'

/**
 * Whether `role` may start a `kind` stage (copying `copyFrom`) next to the assessment's existing
 * stages: the kind's writers start it, once only, after its prerequisite stages are submitted;
 * a copy comes from an allowed kind that is submitted or approved.
 */
export function checkStageStart(
  input: { kind: StageKind; copy_from?: StageKind | undefined },
  role: Role,
  existing: readonly { kind: StageKind; status: StageStatus }[],
): StageStartRefusal | null {
  const rules = STAGE_RULES[input.kind]
  if (!rules.writers.includes(role))
    return {
      status: 403,
      code: 'forbidden_stage_role',
      message: msg('assessments:rules.forbidden_stage_role', {
        kind: input.kind,
        writers: rules.writers.join(' / '),
        role,
      }),
    }
  if (existing.some((s) => s.kind === input.kind))
    return { status: 409, code: 'stage_exists', message: msg('assessments:rules.stage_exists', { kind: input.kind }) }
  for (const required of rules.requires) {
    const stage = existing.find((s) => s.kind === required)
    if (!stage || !isHandedIn(stage.status))
      return {
        status: 409,
        code: 'stage_prerequisite',
        message: msg('assessments:rules.stage_prerequisite', { kind: input.kind, required }),
        requires: rules.requires,
      }
  }
  if (input.copy_from) {
    if (!rules.copyFrom.includes(input.copy_from))
      return {
        status: 422,
        code: 'copy_not_allowed',
        message: msg('assessments:rules.copy_not_allowed', {
          kind: input.kind,
          sources: rules.copyFrom.length ? rules.copyFrom.join(', ') : msg('assessments:rules.no_stage'),
        }),
        allowed: rules.copyFrom,
      }
    const source = existing.find((s) => s.kind === input.copy_from)
    if (!source || !isHandedIn(source.status))
      return {
        status: 409,
        code: 'stage_prerequisite',
        message: msg('assessments:rules.stage_prerequisite_2', { copy_from: input.copy_from }),
      }
  }
  return null
}
