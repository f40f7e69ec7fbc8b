/**
 * Whose workbook a file is: the unit, period and stage an export names (plain functions, no
 * exceljs). Both exported layouts carry it in the document's keywords
 * (`zi-tracker assessment:<id> stage:<kind> unit:<code> period:<code>`, codes URI-encoded); the
 * generated layout also shows it in row 2 of sheet "LKE" ("Unit <code> <name> · periode <code> ·
 * tahap <label> (<status>)"), read when the keywords are gone. An import compares it with the
 * target stage and refuses a mismatch unless the caller overrides; a file naming nothing (the
 * blank official form, a PortalRB file) is accepted as it is.
 */
import { STAGE_KINDS, type StageKind } from '../assessments/rules.js'
import { ProblemError } from '../../lib/problem.js'
import { STAGE_LABELS } from './rules.js'
import { msg } from '../../lib/i18n.js'

export interface WorkbookIdentity {
  unit_code: string | null
  period_code: string | null
  stage: StageKind | null
  assessment_id: string | null
}

export interface IdentityTarget {
  unit_code: string
  period_code: string
  stage: StageKind
  assessment_id: string
}

/** The document keywords an export writes. */
export function identityKeywords(t: IdentityTarget & { instrument?: string }): string {
  const enc = encodeURIComponent
  return [
    'zi-tracker',
    `assessment:${t.assessment_id}`,
    `stage:${t.stage}`,
    `unit:${enc(t.unit_code)}`,
    `period:${enc(t.period_code)}`,
    ...(t.instrument ? [`instrument:${enc(t.instrument)}`] : []),
  ].join(' ')
}

const isStage = (s: string | undefined): s is StageKind => STAGE_KINDS.includes(s as StageKind)

const decode = (s: string | undefined): string | null => {
  if (s === undefined || s === '') return null
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** The identity in the keywords, or null when they are not an export's. */
function fromKeywords(keywords: string | undefined): WorkbookIdentity | null {
  const tokens = (keywords ?? '').trim().split(/\s+/)
  if (tokens[0] !== 'zi-tracker') return null
  const field = (name: string) => tokens.find((t) => t.startsWith(`${name}:`))?.slice(name.length + 1)
  const stage = field('stage')
  return {
    unit_code: decode(field('unit')),
    period_code: decode(field('period')),
    stage: isStage(stage) ? stage : null,
    assessment_id: decode(field('assessment')),
  }
}

const HEADING = /^Unit (\S+) .*· periode (.+?) · tahap (.+) \([a-z]+\)$/s

/** The identity in the generated sheet's row 2, or null when it does not have that shape. */
function fromHeading(heading: string | undefined): WorkbookIdentity | null {
  const m = heading ? HEADING.exec(heading.trim()) : null
  if (!m) return null
  const stage = Object.entries(STAGE_LABELS).find(([, label]) => label === m[3])?.[0]
  return { unit_code: m[1]!, period_code: m[2]!, stage: isStage(stage) ? stage : null, assessment_id: null }
}

/** What the file says it is: the keywords first, else the generated sheet's row 2; null when it names nothing. */
export function identityOf(file: {
  keywords?: string | undefined
  heading?: string | undefined
}): WorkbookIdentity | null {
  const id = fromKeywords(file.keywords) ?? fromHeading(file.heading)
  if (!id) return null
  return id.unit_code || id.period_code || id.stage || id.assessment_id ? id : null
}

export type IdentityField = 'unit' | 'period' | 'stage' | 'assessment'

/**
 * Where the file's identity differs from the target: each field the file names and the target
 * does not share. The assessment id counts only when the file names no unit or period (an older
 * export): the same unit and period is the same assessment, even restored on another server.
 */
export function identityMismatch(file: WorkbookIdentity | null, target: IdentityTarget): IdentityField[] {
  if (!file) return []
  const out: IdentityField[] = []
  if (file.unit_code !== null && file.unit_code !== target.unit_code) out.push('unit')
  if (file.period_code !== null && file.period_code !== target.period_code) out.push('period')
  if (file.stage !== null && file.stage !== target.stage) out.push('stage')
  if (
    (file.unit_code === null || file.period_code === null) &&
    file.assessment_id !== null &&
    file.assessment_id !== target.assessment_id
  )
    out.push('assessment')
  return out
}

const describe = (x: {
  unit_code: string | null
  period_code: string | null
  stage: string | null
  assessment_id: string | null
}) =>
  [
    x.unit_code !== null ? `unit ${x.unit_code}` : null,
    x.period_code !== null ? `period ${x.period_code}` : null,
    x.stage !== null ? `stage ${x.stage}` : null,
    x.unit_code === null || x.period_code === null ? (x.assessment_id ? `assessment ${x.assessment_id}` : null) : null,
  ]
    .filter(Boolean)
    .join(', ')

/** 409 workbook_identity_mismatch, naming both sides. */
export function identityProblem(file: WorkbookIdentity, target: IdentityTarget, fields: IdentityField[]): ProblemError {
  return new ProblemError(
    409,
    'workbook_identity_mismatch',
    msg('workbook:workbook_identity_mismatch', {
      file: describe(file),
      target: describe({
        ...target,
        assessment_id: file.unit_code === null || file.period_code === null ? target.assessment_id : null,
      }),
    }),
    { mismatch: fields, file, target },
  )
}
