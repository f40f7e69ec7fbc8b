import type { Role } from '../../lib/policy.js'

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
  message?: string
}

/** Whether `role` may move a `kind` stage from `from` to `to`; submitting is the writers' act, returning and approving the reviewers'. */
export function checkTransition(kind: StageKind, from: StageStatus, to: StageStatus, role: Role): TransitionCheck {
  const allowed = [...STAGE_TRANSITIONS[from]]
  if (!allowed.includes(to)) {
    return {
      ok: false,
      code: 'invalid_transition',
      allowed,
      message: `a ${from} stage cannot become ${to}; allowed: ${allowed.join(', ') || 'none (the stage is locked)'}`,
    }
  }
  const rules = STAGE_RULES[kind]
  const actors = to === 'submitted' ? rules.writers : rules.reviewers
  if (!actors.includes(role)) {
    return {
      ok: false,
      code: 'forbidden_transition',
      allowed,
      message: `moving a ${kind} stage to ${to} is for ${actors.join(' or ')}, not ${role}`,
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
