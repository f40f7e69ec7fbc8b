import type { RuleViolation } from '../../lib/rule-violation.js'
import type { Role } from '../../lib/policy.js'
import type { DeclarationDocument } from './tables.js'
import { msg } from '../../lib/i18n.js'

/**
 * Declaration (pencanangan) rules as plain functions: the lifecycle, who may move it, the
 * WBBM-requires-WBK rule and the shape of the documents.
 *
 *   declared → building → proposed → evaluated → designated | not_designated
 *   proposed → not_designated (failed the TPN's administrative selection)
 *   designated → revoked
 *
 * Only declared → building is a plain move (transitions endpoint). Every later step needs its
 * record and goes through the proposals module: proposing (admin, checked against the proposal
 * rules), the TPN evaluation, the designation with its SK Menteri, the revocation.
 */

// The targets and statuses here, not in tables.ts, so that pure rules elsewhere (the dashboards'
// figures) can use the lists without importing the table definitions.
export const TARGETS = ['WBK', 'WBBM'] as const
export type Target = (typeof TARGETS)[number]

export const DECLARATION_STATUSES = [
  'declared',
  'building',
  'proposed',
  'evaluated',
  'designated',
  'not_designated',
  'revoked',
] as const
export type DeclarationStatus = (typeof DECLARATION_STATUSES)[number]

export const TRANSITIONS: Record<DeclarationStatus, readonly DeclarationStatus[]> = {
  declared: ['building'],
  building: ['proposed'],
  proposed: ['evaluated', 'not_designated'],
  evaluated: ['designated', 'not_designated'],
  designated: ['revoked'],
  not_designated: [],
  revoked: [],
}

/** A unit operator moves its own zone up to building; proposing is the instansi's (the admin's). */
const OPERATOR_MOVES: ReadonlySet<string> = new Set(['declared>building'])

/** Steps that need a record (proposal checks, TPN outcome, SK Menteri, revocation): not plain moves. */
export const RECORDED_STATUSES: readonly DeclarationStatus[] = [
  'proposed',
  'evaluated',
  'designated',
  'not_designated',
  'revoked',
]

const RECORD_ENDPOINT: Partial<Record<DeclarationStatus, string>> = {
  proposed: 'POST /v1/periods/{period_id}/proposals (admin; every proposal rule is checked)',
  evaluated: 'POST /v1/declarations/{id}/proposal/evaluation',
  designated: 'POST /v1/declarations/{id}/proposal/decision',
  not_designated: 'POST /v1/declarations/{id}/proposal/decision',
  revoked: 'POST /v1/declarations/{id}/proposal/revocation',
}

/** Statuses in which the declaration itself (target, date, documents, notes) may still change. */
export const EDITABLE_STATUSES: readonly DeclarationStatus[] = ['declared', 'building']

/** The next states `role` may move a declaration in `from` to with the transitions endpoint. */
export function allowedTransitions(from: DeclarationStatus, role: Role): DeclarationStatus[] {
  const plain = TRANSITIONS[from].filter((to) => !RECORDED_STATUSES.includes(to))
  if (role === 'admin') return plain
  if (role === 'unit_operator') return plain.filter((to) => OPERATOR_MOVES.has(`${from}>${to}`))
  return []
}

/**
 * null when `role` may move from `from` to `to`. Otherwise 409 invalid_transition (the lifecycle
 * does not allow it; `allowed` lists the lifecycle's next states) or 403 transition_forbidden
 * (the lifecycle allows it but not for this role; `allowed` lists what the role may do).
 */
export function checkTransition(
  from: DeclarationStatus,
  to: DeclarationStatus,
  role: Role,
  opts: { recorded?: boolean } = {},
): RuleViolation | null {
  if (!TRANSITIONS[from].includes(to)) {
    const next = [...TRANSITIONS[from]]
    return {
      status: 409,
      code: 'invalid_transition',
      pointer: '/body/to',
      message: next.length
        ? msg('declarations:rules.invalid_transition', { from, next: next.join(' / '), to })
        : msg('declarations:rules.final', { from }),
      allowed: next,
    }
  }
  if (opts.recorded)
    return role === 'admin'
      ? null
      : {
          status: 403,
          code: 'transition_forbidden',
          pointer: '/body/to',
          message: msg('declarations:rules.transition_forbidden', { role, from, to }),
          allowed: [],
        }
  const mine = allowedTransitions(from, role)
  if (RECORDED_STATUSES.includes(to) && role === 'admin') {
    return {
      status: 409,
      code: 'record_required',
      pointer: '/body/to',
      message: msg('declarations:rules.record_required', { to, endpoint: RECORD_ENDPOINT[to] }),
      allowed: mine,
    }
  }
  if (!mine.includes(to)) {
    return {
      status: 403,
      code: 'transition_forbidden',
      pointer: '/body/to',
      message: msg('declarations:rules.transition_forbidden', { role, from, to }),
      allowed: mine,
    }
  }
  return null
}

/**
 * WBBM only for a unit that already holds WBK: `held` are the predicates of the unit's
 * designated (not revoked) declarations in earlier periods. A WBBM holder may declare WBBM again.
 */
export function checkTarget(target: Target, held: readonly Target[], pointer = '/body/target'): RuleViolation | null {
  if (target === 'WBBM' && !held.includes('WBK') && !held.includes('WBBM')) {
    return {
      status: 422,
      code: 'wbbm_requires_wbk',
      pointer,
      message: msg('declarations:rules.wbbm_requires_wbk'),
    }
  }
  return null
}

/** Each document names where it is: a url, an evidence item, or both. */
export function checkDocuments(documents: readonly DeclarationDocument[]): RuleViolation | null {
  const i = documents.findIndex((d) => !d.url && !d.evidence_id)
  if (i >= 0) {
    return {
      status: 422,
      code: 'document_source_missing',
      pointer: `/body/documents/${i}`,
      message: msg('declarations:rules.document_source_missing'),
    }
  }
  return null
}

export const isEditable = (status: DeclarationStatus): boolean => EDITABLE_STATUSES.includes(status)
