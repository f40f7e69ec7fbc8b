import { createHash } from 'node:crypto'
import type { DeclarationStatus, Target } from '../declarations/rules.js'
import type { AnswerValue, InstrumentDefinition, InstrumentNode } from '../instruments/domain/index.js'
import { windowState } from '../periods/rules.js'
import type { StoredWindows } from '../periods/tables.js'

/**
 * The PortalRB adapter's rules as plain functions (no Fastify, no database): which period and
 * which declarations count, how a unit is identified, how answers are written, and the error
 * envelope of KemenPANRB's "Panduan Teknis API Integrasi ZI" v1.0.0.
 */

/** The key of `units.external_ids` holding the unit's id in PortalRB. */
export const PORTALRB_EXTERNAL_ID_KEY = 'portalrb'

/**
 * Declaration statuses that count as "proposed" for PortalRB: the unit was proposed in the
 * period and stays listed while it is evaluated and after the decision, so PortalRB's count of
 * units never drops mid-period. `declared`/`building` are not proposed yet; `revoked` is a
 * withdrawn designation and is not sent.
 */
export const PROPOSED_STATUSES = [
  'proposed',
  'evaluated',
  'designated',
  'not_designated',
] as const satisfies readonly DeclarationStatus[]

export type Kategori = 'WBK' | 'WBK-AFIRMASI' | 'WBBM'

/** "WBK" or "WBK-AFIRMASI" (afirmasi units) on the WBK list; always "WBBM" on the WBBM list (guide §3.1, §3.2). */
export const kategoriOf = (target: Target, afirmasi: boolean): Kategori =>
  target === 'WBBM' ? 'WBBM' : afirmasi ? 'WBK-AFIRMASI' : 'WBK'

/** The id PortalRB knows the unit by: its `portalrb` external id when set, else its code. */
export function portalrbIdOf(unit: { code: string; externalIds: Record<string, string> | null }): string {
  const external = unit.externalIds?.[PORTALRB_EXTERNAL_ID_KEY]
  return typeof external === 'string' && external.length > 0 ? external : unit.code
}

export interface PeriodLike {
  id: string
  code: string
  year: number
  windows: StoredWindows
}

/**
 * The current proposal period: one whose `proposal` window is open (or reopened) at `now`.
 * When several are, the latest evaluation year wins, then the window opened last, then the
 * code (so every replica picks the same one). null when none is open: PortalRB fetches only
 * inside the proposal period (guide §8).
 */
export function currentProposalPeriod<P extends PeriodLike>(periods: readonly P[], now: Date): P | null {
  const open = periods.filter((p) => windowState(p, 'proposal', now).open)
  open.sort(
    (a, b) =>
      b.year - a.year ||
      Date.parse(b.windows.proposal?.opens_at ?? '') - Date.parse(a.windows.proposal?.opens_at ?? '') ||
      compareText(a.code, b.code),
  )
  return open[0] ?? null
}

/** When a proposal window stops being open: its scheduled close, or a later reopen's end. */
export function effectiveClose(p: PeriodLike): number | null {
  const w = p.windows.proposal
  if (!w) return null
  const closes = Date.parse(w.closes_at)
  const reopened = w.reopened_until ? Date.parse(w.reopened_until) : Number.NEGATIVE_INFINITY
  return Math.max(closes, reopened)
}

/**
 * The period PortalRB is served: the current proposal period, or, when no window is open, the
 * period whose proposal window closed last (PortalRB's manual refetch still gets that frozen
 * proposal until the next window opens). `frozenAt` is that close (null while open): answers
 * are served as they were submitted by then.
 */
export function servedProposalPeriod<P extends PeriodLike>(
  periods: readonly P[],
  now: Date,
): { period: P; frozenAt: Date | null } | null {
  const open = currentProposalPeriod(periods, now)
  if (open) return { period: open, frozenAt: null }
  const closed = periods
    .map((p) => ({ p, close: effectiveClose(p) }))
    .filter(
      (x): x is { p: P; close: number } =>
        x.close !== null && x.close <= now.getTime() && windowState(x.p, 'proposal', now).state === 'closed',
    )
    .sort((a, b) => b.close - a.close || b.p.year - a.p.year || compareText(a.p.code, b.p.code))
  const last = closed[0]
  return last ? { period: last.p, frozenAt: new Date(last.close) } : null
}

/** Code-point order: the same on every database and locale. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export interface CrosswalkEntry {
  soalId: number
  question: InstrumentNode
}

/**
 * The questions of an instrument PortalRB knows (`external.portalrbSoalId`, an integer soal_id
 * from the master soal), in soal_id order. Questions without one (the overlay's computed ratios)
 * are not sent. A non-integer id cannot be a soal_id (an integer, guide §3.3) and is skipped.
 */
export function crosswalk(def: InstrumentDefinition): CrosswalkEntry[] {
  const entries: CrosswalkEntry[] = []
  for (const node of def.nodes) {
    if (node.level !== 'question') continue
    const raw = node.external?.portalrbSoalId
    const soalId =
      typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN
    if (Number.isSafeInteger(soalId)) entries.push({ soalId, question: node })
  }
  return entries.sort((a, b) => a.soalId - b.soalId || compareText(a.question.code, b.question.code))
}

// One formatter for every call: toLocaleString with options builds a new one each time, which
// cost a jawaban-unit response (~130 numbers) more CPU than the rest of the request.
const DECIMAL = new Intl.NumberFormat('en-US', { useGrouping: false, maximumFractionDigits: 20 })

/** A number as PortalRB reads it: plain decimal with a dot, no grouping, no exponent ("12", "85.5", "3.67"). */
export function formatNumber(value: number): string {
  if (Object.is(value, -0)) return '0'
  return DECIMAL.format(value)
}

/**
 * An answer as the guide's `jawaban_unit`/`jawaban_tpi` (a string or null): the option as the
 * master soal writes it ("Ya"/"Tidak", "A"…"E", whatever case it was stored in), a number as
 * plain decimal text (Jumlah, percentages, survey indices 0–4), null when not answered.
 */
export function formatAnswer(question: InstrumentNode, value: AnswerValue | undefined): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'number') return Number.isFinite(value) ? formatNumber(value) : null
  const text = value.trim()
  if (text === '') return null
  const option = (question.options ?? []).find((o) => o.value.toLowerCase() === text.toLowerCase())
  return option ? option.value : text
}

/** An empty note is no note. */
export const noteOf = (note: string | null | undefined): string | null => (note && note.trim() !== '' ? note : null)

/** `bukti_dukung_unit`: the URLs of the answer's evidence, one per line, or null without evidence. */
export const buktiDukungOf = (urls: readonly string[]): string | null => (urls.length > 0 ? urls.join('\n') : null)

/** A strong ETag from the exact response bytes: equal bodies, equal tags, on every replica. */
export const etagOf = (body: string): string => `"${createHash('sha256').update(body).digest('base64url')}"`

export { ifNoneMatchHits } from '../../lib/etag.js'

/** The guide's error body (§6): `{ "error": true, "code": "...", "message": "..." }`. */
export interface PortalRbErrorBody {
  error: true
  code: string
  message: string
}

/** An error a PortalRB route throws; the module's error handler writes it as the guide's body. */
export class PortalRbError extends Error {
  constructor(
    readonly status: 401 | 403 | 404 | 422 | 429 | 500,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'PortalRbError'
  }
}

/** The guide's status codes (§5). Anything else a client can cause is "Data request tidak valid" (422). */
export const GUIDE_STATUSES = [401, 403, 404, 422, 429, 500] as const

/** Codes of the rest of the API (problem+json, lower case) as PortalRB codes, with Indonesian messages. */
const FROM_PROBLEM: Record<string, { code: string; message: string }> = {
  unauthenticated: {
    code: 'UNAUTHORIZED',
    message: 'Token tidak dikirimkan: sertakan header Authorization: Bearer <token>.',
  },
  invalid_token: { code: 'INVALID_TOKEN', message: 'Token tidak valid.' },
  token_expired: { code: 'TOKEN_EXPIRED', message: 'Token sudah kedaluwarsa.' },
  token_revoked: { code: 'TOKEN_REVOKED', message: 'Token sudah dicabut.' },
  principal_disabled: { code: 'PRINCIPAL_DISABLED', message: 'Pemilik token sudah dinonaktifkan.' },
  role_not_granted: { code: 'ROLE_NOT_GRANTED', message: 'Peran token ini tidak lagi diberikan kepada pemiliknya.' },
  forbidden_role: {
    code: 'FORBIDDEN',
    message:
      'Token valid tetapi tidak berhak mengakses resource ini: endpoint PortalRB hanya untuk token dengan peran integration.',
  },
}

/**
 * Maps an error raised outside the module (the auth hook's 401/403, the rate limiter's 429, a
 * schema validation failure, anything unexpected) to the guide's status and body.
 */
export function toGuideError(input: {
  status: number
  problemCode?: string
  message: string
  validation?: { pointer: string; message: string }[]
  retryAfterSeconds?: number | null
  requestId: string
}): { status: (typeof GUIDE_STATUSES)[number]; body: PortalRbErrorBody } {
  const { status } = input
  const body = (s: (typeof GUIDE_STATUSES)[number], code: string, message: string) => ({
    status: s,
    body: { error: true as const, code, message },
  })
  if (input.validation) {
    const fields = input.validation.map((v) => `${v.pointer} ${v.message}`).join('; ')
    return body(422, 'INVALID_REQUEST', `Data request tidak valid: ${fields}.`)
  }
  if (status === 401 || status === 403) {
    const known = input.problemCode ? FROM_PROBLEM[input.problemCode] : undefined
    if (known) return body(status, known.code, known.message)
    return body(status, status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', input.message)
  }
  if (status === 429) {
    const wait = input.retryAfterSeconds ? ` Ulangi setelah ${input.retryAfterSeconds} detik (header Retry-After).` : ''
    return body(429, 'RATE_LIMITED', `Batas jumlah request terlampaui.${wait}`)
  }
  if (status === 404) return body(404, 'NOT_FOUND', input.message)
  if (status >= 400 && status < 500) return body(422, 'INVALID_REQUEST', `Data request tidak valid: ${input.message}`)
  return body(
    500,
    'INTERNAL_ERROR',
    `Terjadi kesalahan di sisi instansi. Sebutkan request id ${input.requestId} saat melaporkannya.`,
  )
}
