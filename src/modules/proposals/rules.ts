import type { DeclarationStatus, Target } from '../declarations/rules.js'
import type { EligibilityResult } from '../instruments/domain/index.js'
import type { WindowStatus } from '../periods/rules.js'
import type { InstansiKind } from '../units/tables.js'

/**
 * Proposal (pengusulan) rules as plain functions (no Fastify, no database): the instansi gate,
 * the proposal package, the checks a unit must pass to be proposed, and the order of the
 * national outcome records. Sources: ../shared/reference/zi-rules.md ("Instansi-level
 * pre-conditions", "Unit afirmasi", rows 8–9) and the PortalRB guide §3.2, §8.
 */

export const GATE_INDICATORS = ['opini_bpk', 'spip_level', 'sakip_score', 'indeks_rb'] as const
export type GateIndicator = (typeof GATE_INDICATORS)[number]

export const OPINI_BPK = ['WTP', 'WDP', 'TW', 'TMP'] as const
export type OpiniBpk = (typeof OPINI_BPK)[number]

export const PEMDA_KINDS: readonly InstansiKind[] = ['provinsi', 'kabupaten', 'kota']

export const GATE_APPLIES_TO = ['all', 'pemda', 'kementerian_lembaga'] as const
export type GateAppliesTo = (typeof GATE_APPLIES_TO)[number]
export const GATE_COMPARISONS = ['one_of', 'at_least', 'greater_than'] as const
export type GateComparison = (typeof GATE_COMPARISONS)[number]

/** One instansi-level requirement, as data (editable per period). */
export interface GateRule {
  id: string
  predicate: Target
  indicator: GateIndicator
  applies_to: GateAppliesTo
  comparison: GateComparison
  /** for at_least / greater_than */
  threshold?: number
  /** for one_of */
  allowed?: OpiniBpk[]
  description: string
  source: string
  confidence: string
}

export interface ProposalRules {
  gate_rules: GateRule[]
  /** instansi kinds that, failing the WBK gate, may still propose afirmasi units for WBK */
  afirmasi_instansi_kinds: InstansiKind[]
  /** WBBM: a WBK (or WBBM) designation held for at least this many evaluation years */
  wbbm_min_wbk_years: number
}

const HANADEWI = 'PortalRB-like code (HanaDewi/portalrb-indv, 2025 data), zi-rules.md "Instansi-level pre-conditions"'

export const DEFAULT_PROPOSAL_RULES: ProposalRules = {
  gate_rules: [
    {
      id: 'wbk_opini_bpk',
      predicate: 'WBK',
      indicator: 'opini_bpk',
      applies_to: 'all',
      comparison: 'one_of',
      allowed: ['WTP'],
      description: 'Opini BPK WTP',
      source: HANADEWI,
      confidence: 'MEDIUM',
    },
    {
      id: 'wbk_spip',
      predicate: 'WBK',
      indicator: 'spip_level',
      applies_to: 'all',
      comparison: 'at_least',
      threshold: 3,
      description: 'Maturitas SPIP level 3 or higher',
      source: HANADEWI,
      confidence: 'MEDIUM',
    },
    {
      id: 'wbk_sakip',
      predicate: 'WBK',
      indicator: 'sakip_score',
      applies_to: 'all',
      comparison: 'greater_than',
      threshold: 60,
      description: 'Nilai SAKIP above 60 (B or better)',
      source: HANADEWI,
      confidence: 'MEDIUM',
    },
    {
      id: 'wbk_indeks_rb_pemda',
      predicate: 'WBK',
      indicator: 'indeks_rb',
      applies_to: 'pemda',
      comparison: 'greater_than',
      threshold: 50,
      description: 'Indeks RB above 50 (CC or better) for a Pemda',
      source: HANADEWI,
      confidence: 'MEDIUM',
    },
    {
      id: 'wbk_indeks_rb_kl',
      predicate: 'WBK',
      indicator: 'indeks_rb',
      applies_to: 'kementerian_lembaga',
      comparison: 'greater_than',
      threshold: 60,
      description: 'Indeks RB above 60 (B or better) for a K/L',
      source: HANADEWI,
      confidence: 'MEDIUM',
    },
    {
      id: 'wbbm_opini_bpk',
      predicate: 'WBBM',
      indicator: 'opini_bpk',
      applies_to: 'all',
      comparison: 'one_of',
      allowed: ['WTP'],
      description: 'Opini BPK WTP',
      source: HANADEWI,
      confidence: 'MEDIUM',
    },
    {
      id: 'wbbm_spip',
      predicate: 'WBBM',
      indicator: 'spip_level',
      applies_to: 'all',
      comparison: 'at_least',
      threshold: 3,
      description: 'Maturitas SPIP level 3 or higher',
      source: HANADEWI,
      confidence: 'MEDIUM',
    },
    {
      id: 'wbbm_sakip',
      predicate: 'WBBM',
      indicator: 'sakip_score',
      applies_to: 'all',
      comparison: 'greater_than',
      threshold: 70,
      description: 'Nilai SAKIP above 70 (BB or better)',
      source: HANADEWI,
      confidence: 'MEDIUM',
    },
    {
      id: 'wbbm_indeks_rb_pemda',
      predicate: 'WBBM',
      indicator: 'indeks_rb',
      applies_to: 'pemda',
      comparison: 'greater_than',
      threshold: 60,
      description: 'Indeks RB above 60 (B or better) for a Pemda',
      source: HANADEWI,
      confidence: 'MEDIUM',
    },
    {
      id: 'wbbm_indeks_rb_kl',
      predicate: 'WBBM',
      indicator: 'indeks_rb',
      applies_to: 'kementerian_lembaga',
      comparison: 'greater_than',
      threshold: 70,
      description: 'Indeks RB above 70 (BB or better) for a K/L',
      source: HANADEWI,
      confidence: 'MEDIUM',
    },
  ],
  afirmasi_instansi_kinds: ['provinsi', 'kabupaten', 'kota'],
  wbbm_min_wbk_years: 2,
}

export interface RuleIssue {
  pointer: string
  rule: string
  message: string
}

/** Every inconsistency of a rule set (a numeric comparison without threshold, an opini rule on a number, duplicate ids…). */
export function validateProposalRules(rules: ProposalRules, pointerBase = '/body'): RuleIssue[] {
  const issues: RuleIssue[] = []
  const seen = new Set<string>()
  rules.gate_rules.forEach((r, i) => {
    const at = `${pointerBase}/gate_rules/${i}`
    if (seen.has(r.id))
      issues.push({ pointer: `${at}/id`, rule: 'duplicate_rule_id', message: `rule id ${r.id} is used twice` })
    seen.add(r.id)
    if (r.indicator === 'opini_bpk') {
      if (r.comparison !== 'one_of')
        issues.push({
          pointer: `${at}/comparison`,
          rule: 'comparison_not_applicable',
          message: 'opini_bpk is compared with one_of',
        })
      else if (!r.allowed?.length)
        issues.push({ pointer: `${at}/allowed`, rule: 'required', message: 'one_of needs allowed (e.g. ["WTP"])' })
      else {
        const bad = r.allowed.find((a) => !(OPINI_BPK as readonly string[]).includes(a))
        if (bad)
          issues.push({
            pointer: `${at}/allowed`,
            rule: 'enum',
            message: `${bad} is not an opini BPK (${OPINI_BPK.join(', ')})`,
          })
      }
    } else if (r.comparison === 'one_of') {
      issues.push({
        pointer: `${at}/comparison`,
        rule: 'comparison_not_applicable',
        message: `${r.indicator} is a number: at_least or greater_than`,
      })
    } else if (r.threshold === undefined) {
      issues.push({ pointer: `${at}/threshold`, rule: 'required', message: `${r.comparison} needs a threshold` })
    }
  })
  return issues
}

export type GateValues = Partial<Record<GateIndicator, string | number>>

export interface GateRuleResult {
  rule: string
  indicator: GateIndicator
  description: string
  required: string
  actual: string | number | null
  passed: boolean
  source: string
  confidence: string
}

export interface PredicateGate {
  eligible: boolean
  /** not eligible, but the instansi kind may propose afirmasi units for WBK */
  afirmasi_only: boolean
  rules: GateRuleResult[]
}

export interface GateEligibility {
  instansi_kind: InstansiKind | null
  WBK: PredicateGate
  WBBM: PredicateGate
}

const requiredText = (r: GateRule): string =>
  r.comparison === 'one_of'
    ? `one of ${(r.allowed ?? []).join(', ')}`
    : `${r.comparison === 'at_least' ? '≥' : '>'} ${r.threshold}`

function applies(r: GateRule, kind: InstansiKind | null): boolean {
  if (r.applies_to === 'all') return true
  if (kind === null) return true // unknown kind: every variant is listed and none can pass (see below)
  return r.applies_to === 'pemda' ? PEMDA_KINDS.includes(kind) : kind === 'kementerian_lembaga'
}

function passes(r: GateRule, actual: string | number | undefined): boolean {
  if (actual === undefined) return false
  if (r.comparison === 'one_of') return typeof actual === 'string' && (r.allowed ?? []).includes(actual as OpiniBpk)
  if (typeof actual !== 'number' || r.threshold === undefined) return false
  return r.comparison === 'at_least' ? actual >= r.threshold : actual > r.threshold
}

/**
 * The instansi gate for WBK and WBBM. A missing value fails its rule. An instansi whose kind is
 * not set fails the kind-specific rules (they cannot be chosen) and is never afirmasi-eligible.
 */
export function evaluateGate(rules: ProposalRules, kind: InstansiKind | null, values: GateValues): GateEligibility {
  const forPredicate = (p: Target): PredicateGate => {
    const results: GateRuleResult[] = rules.gate_rules
      .filter((r) => r.predicate === p && applies(r, kind))
      .map((r) => ({
        rule: r.id,
        indicator: r.indicator,
        description: r.description,
        required: requiredText(r),
        actual: values[r.indicator] ?? null,
        passed: kind === null && r.applies_to !== 'all' ? false : passes(r, values[r.indicator]),
        source: r.source,
        confidence: r.confidence,
      }))
    if (kind === null) {
      results.unshift({
        rule: 'instansi_kind',
        indicator: 'indeks_rb',
        description: 'the instansi kind is set (kementerian_lembaga, provinsi, kabupaten or kota)',
        required: 'set',
        actual: null,
        passed: false,
        source: 'units.instansi_kind',
        confidence: 'CONFIRMED-LOCAL',
      })
    }
    const eligible = results.length > 0 && results.every((r) => r.passed)
    const afirmasiOnly = p === 'WBK' && !eligible && kind !== null && rules.afirmasi_instansi_kinds.includes(kind)
    return { eligible, afirmasi_only: afirmasiOnly, rules: results }
  }
  return { instansi_kind: kind, WBK: forPredicate('WBK'), WBBM: forPredicate('WBBM') }
}

// ---------------------------------------------------------------------------------------------
// The proposal package

export const PACKAGE_DOCUMENTS = ['surat_usulan', 'sptjm', 'tlhp', 'survei_mandiri'] as const
export type PackageDocument = (typeof PACKAGE_DOCUMENTS)[number]

export interface PackageState {
  documents: Partial<Record<PackageDocument, string | null>>
  pic: { name: string | null; email: string | null; phone: string | null }
}

/** What is missing from the package: each document not attached, and pic.name / pic.email / pic.phone when empty. */
export function packageMissing(p: PackageState | null): string[] {
  const missing: string[] = []
  for (const d of PACKAGE_DOCUMENTS) if (!p?.documents[d]) missing.push(d)
  for (const f of ['name', 'email', 'phone'] as const) if (!p?.pic[f]) missing.push(`pic.${f}`)
  return missing
}

// ---------------------------------------------------------------------------------------------
// The proposal checks

export const CHECK_CODES = [
  'declaration_in_period',
  'declaration_status',
  'unit_active',
  'proposal_window',
  'instansi_gate',
  'tpi_stage_approved',
  'tpi_score',
  'wbk_designation_held',
  'package_complete',
] as const
export type CheckCode = (typeof CHECK_CODES)[number]

export interface ProposalCheck {
  check: CheckCode
  passed: boolean
  message: string
  details?: Record<string, unknown>
}

export interface Designation {
  predicate: Target
  year: number
  period_code: string
}

export interface VerdictInput {
  declaration: { status: DeclarationStatus; target: Target; inPeriod: boolean }
  unit: { afirmasi: boolean; archived: boolean }
  window: WindowStatus
  gate: GateEligibility
  tpi: { status: string; eligibility: EligibilityResult; total: number } | null
  /** designations of the unit from earlier periods, not revoked */
  held: readonly Designation[]
  periodYear: number
  wbbmMinWbkYears: number
  packageMissing: readonly string[]
}

export interface Verdict {
  ready: boolean
  route: 'regular' | 'afirmasi'
  checks: ProposalCheck[]
}

/** Full evaluation years a WBK (or WBBM) has been held by `year`: from the earliest designation still held. */
export function yearsHeld(held: readonly Designation[], year: number): number {
  const years = held.filter((h) => h.year < year).map((h) => h.year)
  return years.length ? year - Math.min(...years) : 0
}

/**
 * Every check for proposing one declaration, passed or not (never just the first failure):
 * the declaration is of the period and `building`, the unit active, the proposal window open,
 * the instansi gate passed for the target (or, for WBK, the unit is afirmasi and the instansi
 * may use the afirmasi route), the TPI stage approved and its score meeting every rule of the
 * target (WBBM: the WBK rules too, as the scoring engine defines it), for WBBM a WBK/WBBM
 * designation held for the period's number of years, and the package complete.
 */
export function proposalVerdict(input: VerdictInput): Verdict {
  const { declaration: d, unit, window: w, gate, tpi } = input
  const checks: ProposalCheck[] = []
  const add = (check: CheckCode, passed: boolean, message: string, details?: Record<string, unknown>) =>
    checks.push({ check, passed, message, ...(details ? { details } : {}) })

  add(
    'declaration_in_period',
    d.inPeriod,
    d.inPeriod ? 'the declaration is of this period' : 'the declaration is not of this period',
  )
  add(
    'declaration_status',
    d.status === 'building',
    d.status === 'building'
      ? 'the unit is building its zone (building)'
      : `the declaration is ${d.status}; only a building one can be proposed`,
    { status: d.status },
  )
  add('unit_active', !unit.archived, unit.archived ? 'the unit is archived' : 'the unit is active')
  add('proposal_window', w.open, w.open ? 'the proposal window is open' : `the proposal window is ${w.state}`, {
    state: w.state,
    opens_at: w.opens_at,
    closes_at: w.closes_at,
    reopened_until: w.reopened_until,
  })

  const g = gate[d.target]
  const afirmasi = d.target === 'WBK' && !g.eligible && g.afirmasi_only && unit.afirmasi
  const failing = g.rules.filter((r) => !r.passed)
  add(
    'instansi_gate',
    g.eligible || afirmasi,
    g.eligible
      ? `the instansi passes the ${d.target} gate`
      : afirmasi
        ? 'the instansi fails the WBK gate but may propose afirmasi units, and this unit is afirmasi'
        : d.target === 'WBK' && g.afirmasi_only
          ? 'the instansi fails the WBK gate: only afirmasi units may be proposed, and this unit is not afirmasi'
          : `the instansi fails the ${d.target} gate: ${failing.map((r) => r.description).join('; ')}`,
    { eligible: g.eligible, afirmasi_only: g.afirmasi_only, failing_rules: failing },
  )

  add(
    'tpi_stage_approved',
    tpi?.status === 'approved',
    tpi
      ? tpi.status === 'approved'
        ? 'the TPI stage is approved'
        : `the TPI stage is ${tpi.status}, not approved`
      : 'the unit has no TPI stage',
    {
      status: tpi?.status ?? null,
    },
  )
  if (tpi) {
    const relevant = tpi.eligibility.rules.filter(
      (r) => r.predicate === d.target || (d.target === 'WBBM' && r.predicate === 'WBK'),
    )
    const short = relevant.filter((r) => !r.passed)
    const met = relevant.length > 0 && short.length === 0
    add(
      'tpi_score',
      met,
      met
        ? `the TPI score (${round2(tpi.total)}) meets every ${d.target} rule`
        : `the TPI score (${round2(tpi.total)}) misses ${short.length} ${d.target} rule${short.length === 1 ? '' : 's'}: ${short.map((r) => r.description).join('; ')}`,
      {
        total: tpi.total,
        predicate: tpi.eligibility.predicate,
        rules: relevant,
      },
    )
  } else {
    add('tpi_score', false, 'no TPI score: the unit has no TPI stage', { total: null })
  }

  if (d.target === 'WBBM') {
    const years = yearsHeld(input.held, input.periodYear)
    const ok = input.held.length > 0 && years >= input.wbbmMinWbkYears
    add(
      'wbk_designation_held',
      ok,
      input.held.length === 0
        ? 'WBBM needs a WBK (or WBBM) designation from an earlier period; the unit holds none'
        : ok
          ? `a WBK/WBBM designation held for ${years} year${years === 1 ? '' : 's'} (at least ${input.wbbmMinWbkYears})`
          : `a WBK/WBBM designation held for ${years} year${years === 1 ? '' : 's'}, fewer than ${input.wbbmMinWbkYears} (PortalRB "Syarat ${input.wbbmMinWbkYears} tahun WBK")`,
      { required_years: input.wbbmMinWbkYears, years_held: years, designations: input.held },
    )
  }

  const missing = input.packageMissing
  add(
    'package_complete',
    missing.length === 0,
    missing.length === 0 ? 'the proposal package is complete' : `the proposal package lacks ${missing.join(', ')}`,
    { missing },
  )

  return { ready: checks.every((c) => c.passed), route: afirmasi ? 'afirmasi' : 'regular', checks }
}

const round2 = (n: number): string => (Math.round(n * 100) / 100).toFixed(2)

// ---------------------------------------------------------------------------------------------
// The national outcome

export const ADMIN_ITEMS = [
  'surat_usulan',
  'sptjm',
  'tlhp',
  'survei_mandiri',
  'lke',
  'syarat_2_tahun_wbk',
  'lhkpn',
  'other',
] as const
export type AdminItem = (typeof ADMIN_ITEMS)[number]
export const ADMIN_RESULTS = ['sesuai', 'tidak_sesuai'] as const

export interface Recorded {
  recorded_at: string
  recorded_by: { id: string; name: string }
}
export interface AdministrativeSelection extends Recorded {
  decided_on: string
  items: { item: AdminItem; result: (typeof ADMIN_RESULTS)[number]; note: string | null }[]
  passed: boolean
}
export const SANGGAH_RESULTS = ['pending', 'diterima', 'ditolak'] as const
export interface Sanggah extends Recorded {
  filed_on: string
  reason: string
  result: (typeof SANGGAH_RESULTS)[number]
  decided_on: string | null
  note: string | null
}
export interface Evaluation extends Recorded {
  evaluated_on: string
  tpn_stage_status: string
  tpn_total: number
  tpn_predicate: string
  note: string | null
}
export type Decision = Recorded &
  (
    | { decision: 'designated'; sk_number: string; sk_date: string }
    | { decision: 'not_designated'; decided_on: string; reasons: string[] }
  )
export interface Revocation extends Recorded {
  revoked_on: string
  reason: string
}

export interface OutcomeState {
  status: DeclarationStatus
  administrative_selection: AdministrativeSelection | null
  sanggah: Sanggah | null
}

/** Administrative selection passed: every item sesuai, or the sanggah accepted. */
export const passedAdministrative = (s: Pick<OutcomeState, 'administrative_selection' | 'sanggah'>): boolean =>
  !!s.administrative_selection && (s.administrative_selection.passed || s.sanggah?.result === 'diterima')

export interface OutcomeViolation {
  status: 409 | 422
  code: string
  message: string
}

const conflict = (code: string, message: string): OutcomeViolation => ({ status: 409, code, message })

export type OutcomeStep =
  | 'administrative_selection'
  | 'sanggah'
  | 'evaluation'
  | 'designated'
  | 'not_designated'
  | 'revocation'

/**
 * Whether a step may be recorded now. The order follows the TPN's process: the administrative
 * selection (while proposed), a sanggah only against a failed selection, the evaluation once the
 * selection is passed, designation after the evaluation, not_designated after the evaluation or
 * after a failed selection whose sanggah (if any) is decided against, revocation of a designation.
 */
export function checkOutcomeStep(step: OutcomeStep, s: OutcomeState): OutcomeViolation | null {
  switch (step) {
    case 'administrative_selection':
      return s.status === 'proposed'
        ? null
        : conflict(
            'outcome_out_of_order',
            `the administrative selection is recorded while the unit is proposed; it is ${s.status}`,
          )
    case 'sanggah':
      if (s.status !== 'proposed')
        return conflict('outcome_out_of_order', `a sanggah is recorded while the unit is proposed; it is ${s.status}`)
      if (!s.administrative_selection)
        return conflict('administrative_selection_missing', 'record the administrative selection first')
      if (s.administrative_selection.passed)
        return conflict('sanggah_not_applicable', 'the administrative selection was passed: there is nothing to appeal')
      return null
    case 'evaluation':
      if (s.status !== 'proposed')
        return conflict(
          'outcome_out_of_order',
          `the TPN evaluation is recorded while the unit is proposed; it is ${s.status}`,
        )
      if (!passedAdministrative(s))
        return conflict(
          'administrative_selection_not_passed',
          'the unit has not passed the administrative selection (nor had a sanggah accepted)',
        )
      return null
    case 'designated':
      return s.status === 'evaluated'
        ? null
        : conflict('outcome_out_of_order', `a designation follows the TPN evaluation; the unit is ${s.status}`)
    case 'not_designated':
      if (s.status === 'evaluated') return null
      if (
        s.status === 'proposed' &&
        s.administrative_selection &&
        !passedAdministrative(s) &&
        s.sanggah?.result !== 'pending'
      )
        return null
      return conflict(
        'outcome_out_of_order',
        s.status === 'proposed'
          ? 'before the TPN evaluation, not_designated follows a failed administrative selection (and a decided sanggah)'
          : `the unit is ${s.status}`,
      )
    case 'revocation':
      return s.status === 'designated'
        ? null
        : conflict('outcome_out_of_order', `only a designated unit can have its predicate revoked; it is ${s.status}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Predicate history and the funnel

export interface HistoryInput {
  period_id: string
  period_code: string
  year: number
  status: DeclarationStatus
  predicate: Target | null
  designated_on: string | null
  sk_number: string | null
  revoked_on: string | null
  revocation_reason: string | null
}

export interface HistoryEntry {
  predicate: Target
  period_id: string
  period_code: string
  year: number
  since: string | null
  until: string | null
  until_reason: 'revoked' | 'superseded' | null
  sk_number: string | null
  held: boolean
}

/**
 * A unit's predicates over time, oldest first: each designation since its date, until its
 * revocation, or until a later WBBM designation supersedes a WBK.
 */
export function predicateHistory(rows: readonly HistoryInput[]): HistoryEntry[] {
  const designated = rows
    .filter((r) => r.predicate && (r.status === 'designated' || r.status === 'revoked'))
    .sort((a, b) => a.year - b.year || (a.designated_on ?? '').localeCompare(b.designated_on ?? ''))
  return designated.map((r, i) => {
    const supersededBy =
      r.predicate === 'WBK' && r.status !== 'revoked'
        ? designated.slice(i + 1).find((n) => n.predicate === 'WBBM' && n.status === 'designated')
        : undefined
    const until = r.status === 'revoked' ? r.revoked_on : (supersededBy?.designated_on ?? null)
    return {
      predicate: r.predicate!,
      period_id: r.period_id,
      period_code: r.period_code,
      year: r.year,
      since: r.designated_on,
      until,
      until_reason: r.status === 'revoked' ? 'revoked' : supersededBy ? 'superseded' : null,
      sk_number: r.sk_number,
      held: r.status === 'designated' && !supersededBy,
    }
  })
}

export const FUNNEL_STEPS = [
  'declared',
  'building',
  'proposed',
  'passed_administrative_selection',
  'evaluated',
  'designated',
  'not_designated',
  'revoked',
] as const
export type FunnelStep = (typeof FUNNEL_STEPS)[number]
