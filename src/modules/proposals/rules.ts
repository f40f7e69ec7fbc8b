import type { DeclarationStatus, Target } from '../declarations/rules.js'
import type { EligibilityResult } from '../instruments/domain/index.js'
import type { WindowStatus } from '../periods/rules.js'
import type { InstansiKind } from '../units/tables.js'
import { type Message, msg } from '../../lib/i18n.js'

/**
 * Proposal (pengusulan) rules as plain functions (no Fastify, no database): the instansi gate,
 * the proposal package, the checks a unit must pass to be proposed, and the order of the
 * national outcome records. Sources: PermenPANRB 90/2021 (P90) Lampiran II Tabel 5 (p. 46-47), the
 * Pra Evaluasi (BAB III A, p. 52-53), Tabel 6 (p. 58), Lampiran III BAB IV C (p. 63-64), and the
 * PortalRB guide ("Panduan Teknis API Integrasi ZI" v1.0.0) §3.2, §8; every rule names its own.
 */

/** Where each rule comes from (page numbers as printed in the SALINAN, `- N -`). */
export const SOURCES = {
  tabel5Instansi:
    'PermenPANRB 90/2021 Lampiran II Tabel 5 (Kriteria Pengajuan Usulan ZI Menuju WBK/WBBM), Tingkat Instansi pemerintah, p. 46',
  tabel5Unit:
    'PermenPANRB 90/2021 Lampiran II Tabel 5 (Kriteria Pengajuan Usulan ZI Menuju WBK/WBBM), Tingkat unit kerja/satuan kerja, p. 46-47',
  praEvaluasiUnit:
    'PermenPANRB 90/2021 Lampiran II BAB III A (Pra Evaluasi) angka 2, p. 52: a unit failing the unit-level requirements is refused',
  tabel6Wbbm:
    'PermenPANRB 90/2021 Lampiran II Tabel 6 (Persyaratan penetapan), p. 58: Menuju WBBM "Telah mendapatkan predikat Menuju WBK"',
  portalrbTwoYears:
    'PortalRB practice, not PermenPANRB 90/2021: the TPN administrative selection item "Syarat 2 tahun WBK" (WBK held two years before WBBM); P90 asks only for Menuju WBK held (Tabel 6, p. 58) and building toward WBBM for a year (Tabel 5, p. 46-47)',
  revocation:
    'PermenPANRB 90/2021 Lampiran III BAB IV C (Pencabutan Predikat Menuju WBK/WBBM), p. 63-64: not proposed again for Menuju WBK until 2 years after the revocation decision',
  thirtyPercent:
    'PermenPANRB 90/2021 Lampiran II, p. 47: an instansi with more than 30% of its satker already Menuju WBK/WBBM need not propose more (KemenPANRB tells it)',
  afirmasi:
    'PortalRB guide (Panduan Teknis API Integrasi ZI v1.0.0) §3.2: kategori "WBK-AFIRMASI" (afirmasi: true), WBK only; which instansi may use it is PortalRB practice, not P90',
  gradeConversion:
    'PortalRB practice for its instansi gate, not PermenPANRB 90/2021 (Tabel 5, p. 46, states grades): AA > 90, A > 80, BB > 70, B > 60, CC > 50, C > 30, else D',
} as const

export const GATE_INDICATORS = [
  'opini_bpk',
  'spip_level',
  'sakip_predicate',
  'indeks_rb_predicate',
  'sakip_score',
  'indeks_rb',
] as const
export type GateIndicator = (typeof GATE_INDICATORS)[number]

export const OPINI_BPK = ['WTP', 'WDP', 'TW', 'TMP'] as const
export type OpiniBpk = (typeof OPINI_BPK)[number]

/** Predicates (grades) as P90 Tabel 5 states them, best first. */
export const GRADES = ['AA', 'A', 'BB', 'B', 'CC', 'C', 'D'] as const
export type Grade = (typeof GRADES)[number]
export const isGrade = (v: unknown): v is Grade => typeof v === 'string' && (GRADES as readonly string[]).includes(v)
/** `grade` is `min` or better. */
export const gradeAtLeast = (grade: Grade, min: Grade): boolean => GRADES.indexOf(grade) <= GRADES.indexOf(min)
/** A 0-100 score as a grade, by PortalRB's conversion (SOURCES.gradeConversion): only where a number is all there is. */
export function gradeOfScore(score: number): Grade {
  if (score > 90) return 'AA'
  if (score > 80) return 'A'
  if (score > 70) return 'BB'
  if (score > 60) return 'B'
  if (score > 50) return 'CC'
  if (score > 30) return 'C'
  return 'D'
}
/** The grade indicator a numeric one converts into. */
export const GRADE_OF_NUMERIC: Partial<Record<GateIndicator, GateIndicator>> = {
  sakip_score: 'sakip_predicate',
  indeks_rb: 'indeks_rb_predicate',
}

export const PEMDA_KINDS: readonly InstansiKind[] = ['provinsi', 'kabupaten', 'kota']

export const GATE_APPLIES_TO = ['all', 'pemda', 'kementerian_lembaga'] as const
export type GateAppliesTo = (typeof GATE_APPLIES_TO)[number]
export const GATE_COMPARISONS = ['one_of', 'at_least', 'greater_than', 'grade_at_least'] as const
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
  /** for grade_at_least (a grade indicator) */
  min_grade?: Grade
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
  /** WBBM: a WBK (or WBBM) designation held for at least this many evaluation years (PortalRB practice; 0 = off) */
  wbbm_min_wbk_years: number
  /** WBBM: a Menuju WBK (or WBBM) designation from an earlier period is held (P90 Tabel 6, p. 58) */
  wbbm_requires_wbk: boolean
  /** no proposal until this many years after a revocation decision (P90 Lampiran III BAB IV C, p. 63-64; 0 = off) */
  revocation_ban_years: number
}

const rule = (r: GateRule): GateRule => r

export const DEFAULT_PROPOSAL_RULES: ProposalRules = {
  gate_rules: (['WBK', 'WBBM'] as const).flatMap((predicate) => {
    const p = predicate.toLowerCase()
    const wbk = predicate === 'WBK'
    return [
      rule({
        id: `${p}_opini_bpk`,
        predicate,
        indicator: 'opini_bpk',
        applies_to: 'all',
        comparison: 'one_of',
        allowed: ['WTP'],
        description: 'Opini BPK minimal WTP',
        source: SOURCES.tabel5Instansi,
        confidence: 'CONFIRMED',
      }),
      rule({
        id: `${p}_spip`,
        predicate,
        indicator: 'spip_level',
        applies_to: 'all',
        comparison: 'at_least',
        threshold: 3,
        description: 'Level Maturitas SPIP minimal level 3',
        source: SOURCES.tabel5Instansi,
        confidence: 'CONFIRMED',
      }),
      rule({
        id: `${p}_sakip`,
        predicate,
        indicator: 'sakip_predicate',
        applies_to: 'all',
        comparison: 'grade_at_least',
        min_grade: wbk ? 'B' : 'BB',
        description: `Predikat SAKIP minimal ${wbk ? 'B' : 'BB'}`,
        source: `${SOURCES.tabel5Instansi} (the grade letters of this row are not legible in the SALINAN's text layer: ${wbk ? 'B' : 'BB'} as in the unit-level SAKIP row and PortalRB's gate)`,
        confidence: 'MEDIUM',
      }),
      rule({
        id: `${p}_indeks_rb_pemda`,
        predicate,
        indicator: 'indeks_rb_predicate',
        applies_to: 'pemda',
        comparison: 'grade_at_least',
        min_grade: wbk ? 'CC' : 'B',
        description: `Indeks RB minimal ${wbk ? 'CC' : 'B'} untuk Pemerintah Daerah`,
        source: SOURCES.tabel5Instansi,
        confidence: 'CONFIRMED',
      }),
      rule({
        id: `${p}_indeks_rb_kl`,
        predicate,
        indicator: 'indeks_rb_predicate',
        applies_to: 'kementerian_lembaga',
        comparison: 'grade_at_least',
        min_grade: wbk ? 'B' : 'BB',
        description: `Indeks RB minimal ${wbk ? 'B' : 'BB'} untuk kementerian/lembaga`,
        source: SOURCES.tabel5Instansi,
        confidence: 'CONFIRMED',
      }),
    ]
  }),
  afirmasi_instansi_kinds: ['provinsi', 'kabupaten', 'kota'],
  wbbm_min_wbk_years: 2,
  wbbm_requires_wbk: true,
  revocation_ban_years: 2,
}

export interface RuleIssue {
  pointer: string
  rule: string
  message: Message
}

/** Every inconsistency of a rule set (a numeric comparison without threshold, an opini rule on a number, duplicate ids…). */
export function validateProposalRules(rules: ProposalRules, pointerBase = '/body'): RuleIssue[] {
  const issues: RuleIssue[] = []
  const seen = new Set<string>()
  rules.gate_rules.forEach((r, i) => {
    const at = `${pointerBase}/gate_rules/${i}`
    if (seen.has(r.id))
      issues.push({
        pointer: `${at}/id`,
        rule: 'duplicate_rule_id',
        message: msg('proposals:rules.rule', { id: r.id }),
      })
    seen.add(r.id)
    if (r.indicator === 'opini_bpk') {
      if (r.comparison !== 'one_of')
        issues.push({
          pointer: `${at}/comparison`,
          rule: 'comparison_not_applicable',
          message: msg('proposals:rules.rule_2'),
        })
      else if (!r.allowed?.length)
        issues.push({ pointer: `${at}/allowed`, rule: 'required', message: msg('proposals:rules.rule_3') })
      else {
        const bad = r.allowed.find((a) => !(OPINI_BPK as readonly string[]).includes(a))
        if (bad)
          issues.push({
            pointer: `${at}/allowed`,
            rule: 'enum',
            message: msg('proposals:rules.rule_4', { bad, allowed: OPINI_BPK.join(', ') }),
          })
      }
    } else if (r.indicator === 'sakip_predicate' || r.indicator === 'indeks_rb_predicate') {
      if (r.comparison !== 'grade_at_least')
        issues.push({
          pointer: `${at}/comparison`,
          rule: 'comparison_not_applicable',
          message: msg('proposals:rules.rule_5', { indicator: r.indicator }),
        })
      else if (!r.min_grade)
        issues.push({
          pointer: `${at}/min_grade`,
          rule: 'required',
          message: msg('proposals:rules.rule_6', { grades: GRADES.join(', ') }),
        })
    } else if (r.comparison === 'one_of' || r.comparison === 'grade_at_least') {
      issues.push({
        pointer: `${at}/comparison`,
        rule: 'comparison_not_applicable',
        message: msg('proposals:rules.rule_7', { indicator: r.indicator }),
      })
    } else if (r.threshold === undefined) {
      issues.push({
        pointer: `${at}/threshold`,
        rule: 'required',
        message: msg('proposals:rules.rule_8', { comparison: r.comparison }),
      })
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
  /** a grade rule with only the 0-100 score recorded: the score it was converted from (SOURCES.gradeConversion) */
  converted_from?: { indicator: GateIndicator; value: number; source: string }
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
    : r.comparison === 'grade_at_least'
      ? `${r.min_grade} or better`
      : `${r.comparison === 'at_least' ? '≥' : '>'} ${r.threshold}`

/** The value a rule compares: the recorded one, or for a grade indicator the grade of the recorded 0-100 score. */
function actualOf(
  r: GateRule,
  values: GateValues,
): { actual: string | number | undefined; converted?: GateRuleResult['converted_from'] } {
  const own = values[r.indicator]
  if (own !== undefined || r.comparison !== 'grade_at_least') return { actual: own }
  const numeric = (Object.keys(GRADE_OF_NUMERIC) as GateIndicator[]).find((k) => GRADE_OF_NUMERIC[k] === r.indicator)
  const score = numeric ? values[numeric] : undefined
  if (typeof score !== 'number') return { actual: undefined }
  return {
    actual: gradeOfScore(score),
    converted: { indicator: numeric!, value: score, source: SOURCES.gradeConversion },
  }
}

function applies(r: GateRule, kind: InstansiKind | null): boolean {
  if (r.applies_to === 'all') return true
  if (kind === null) return true // unknown kind: every variant is listed and none can pass (see below)
  return r.applies_to === 'pemda' ? PEMDA_KINDS.includes(kind) : kind === 'kementerian_lembaga'
}

function passes(r: GateRule, actual: string | number | undefined): boolean {
  if (actual === undefined) return false
  if (r.comparison === 'one_of') return typeof actual === 'string' && (r.allowed ?? []).includes(actual as OpiniBpk)
  if (r.comparison === 'grade_at_least') return isGrade(actual) && !!r.min_grade && gradeAtLeast(actual, r.min_grade)
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
      .map((r) => {
        const { actual, converted } = actualOf(r, values)
        return {
          rule: r.id,
          indicator: r.indicator,
          description: r.description,
          required: requiredText(r),
          actual: actual ?? null,
          ...(converted ? { converted_from: converted } : {}),
          passed: kind === null && r.applies_to !== 'all' ? false : passes(r, actual),
          source: r.source,
          confidence: r.confidence,
        }
      })
    if (kind === null) {
      results.unshift({
        rule: 'instansi_kind',
        indicator: 'indeks_rb_predicate',
        description: 'the instansi kind is set (kementerian_lembaga, provinsi, kabupaten or kota)',
        required: 'set',
        actual: null,
        passed: false,
        source: `${SOURCES.tabel5Instansi}: the Indeks RB minimum differs for a Pemerintah Daerah and a kementerian/lembaga (the kind is the unit's instansi_kind)`,
        confidence: 'CONFIRMED',
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
// Unit-level requirements (P90 Tabel 5, "Tingkat unit kerja/satuan kerja", p. 46-47)

/** What the admin records per unit and period; the ZI building year comes from the declarations. */
export const UNIT_REQUIREMENTS = [
  'core_service',
  'public_perception_impact',
  'tlhp_percent',
  'lhkpn_percent',
  'lhkasn_percent',
  'sakip_predicate',
] as const
export type UnitRequirement = (typeof UNIT_REQUIREMENTS)[number]
/** The yes/no ones, each recorded with a justification. */
export const YES_NO_REQUIREMENTS: readonly UnitRequirement[] = ['core_service', 'public_perception_impact']
export const PERCENT_REQUIREMENTS: readonly UnitRequirement[] = ['tlhp_percent', 'lhkpn_percent', 'lhkasn_percent']

export interface RecordedRequirement {
  value: boolean | number | string
  justification: string | null
}
export type UnitRequirementValues = Partial<Record<UnitRequirement, RecordedRequirement>>

/** The unit's SAKIP predicate from the internal evaluation: at least B for WBK, BB for WBBM (Tabel 5). */
export const unitSakipMinimum = (target: Target): Grade => (target === 'WBK' ? 'B' : 'BB')

/** `date` (YYYY-MM-DD) plus `years` (29 February becomes 1 March in a common year). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const t = new Date(Date.UTC(y + years, m - 1, d))
  return t.toISOString().slice(0, 10)
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
  'unit_core_service',
  'unit_public_perception_impact',
  'unit_tlhp',
  'unit_lhkpn_lhkasn',
  'unit_building_one_year',
  'unit_sakip',
  'wbk_designation_held',
  'wbk_years_held',
  'revocation_ban',
  'package_complete',
] as const
export type CheckCode = (typeof CHECK_CODES)[number]

export interface ProposalCheck {
  check: CheckCode
  passed: boolean
  /** a Message; a string in proposals recorded before the messages had two languages */
  message: Message | string
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
  /** the period's rules (wbbm_min_wbk_years, wbbm_requires_wbk, revocation_ban_years) */
  rules: Pick<ProposalRules, 'wbbm_min_wbk_years' | 'wbbm_requires_wbk' | 'revocation_ban_years'>
  packageMissing: readonly string[]
  /** what the admin recorded for the unit in the period (Tabel 5) */
  requirements: UnitRequirementValues
  /** the earliest declared_on (pencanangan) of the unit's declarations toward the target, any period */
  buildingSince: string | null
  /** the latest revocation decision date of the unit's predicates, if any */
  revokedOn: string | null
  /** today (YYYY-MM-DD), the database's date */
  today: string
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
  const add = (check: CheckCode, passed: boolean, message: Message, details?: Record<string, unknown>) =>
    checks.push({ check, passed, message, ...(details ? { details } : {}) })

  add(
    'declaration_in_period',
    d.inPeriod,
    d.inPeriod ? msg('proposals:checks.in_period') : msg('proposals:checks.not_in_period'),
  )
  add(
    'declaration_status',
    d.status === 'building',
    d.status === 'building'
      ? msg('proposals:checks.building')
      : msg('proposals:checks.not_building', { status: d.status }),
    { status: d.status },
  )
  add(
    'unit_active',
    !unit.archived,
    unit.archived ? msg('proposals:checks.unit_archived') : msg('proposals:checks.unit_active'),
  )
  add(
    'proposal_window',
    w.open,
    w.open ? msg('proposals:checks.window_open') : msg('proposals:checks.window_not_open', { state: w.state }),
    {
      state: w.state,
      opens_at: w.opens_at,
      closes_at: w.closes_at,
      reopened_until: w.reopened_until,
    },
  )

  const g = gate[d.target]
  const afirmasi = d.target === 'WBK' && !g.eligible && g.afirmasi_only && unit.afirmasi
  const failing = g.rules.filter((r) => !r.passed)
  add(
    'instansi_gate',
    g.eligible || afirmasi,
    g.eligible
      ? msg('proposals:checks.gate_passed', { target: d.target })
      : afirmasi
        ? msg('proposals:checks.gate_afirmasi')
        : d.target === 'WBK' && g.afirmasi_only
          ? msg('proposals:checks.gate_afirmasi_only')
          : msg('proposals:checks.gate_failed', {
              target: d.target,
              rules: failing.map((r) => r.description).join('; '),
            }),
    { eligible: g.eligible, afirmasi_only: g.afirmasi_only, failing_rules: failing },
  )

  add(
    'tpi_stage_approved',
    tpi?.status === 'approved',
    tpi
      ? tpi.status === 'approved'
        ? msg('proposals:checks.tpi_approved')
        : msg('proposals:checks.tpi_not_approved', { status: tpi.status })
      : msg('proposals:checks.no_tpi_stage'),
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
        ? msg('proposals:checks.score_met', { total: round2(tpi.total), target: d.target })
        : msg('proposals:checks.score_short', {
            total: round2(tpi.total),
            count: short.length,
            target: d.target,
            rules: short.map((r) => r.description).join('; '),
          }),
      {
        total: tpi.total,
        predicate: tpi.eligibility.predicate,
        rules: relevant,
      },
    )
  } else {
    add('tpi_score', false, msg('proposals:checks.tpi_score'), { total: null })
  }

  unitRequirementChecks(input, add)

  const rules = input.rules
  if (d.target === 'WBBM' && rules.wbbm_requires_wbk) {
    const ok = input.held.length > 0
    add(
      'wbk_designation_held',
      ok,
      ok
        ? msg('proposals:checks.wbk_held', {
            held: input.held.map((h) => `${h.predicate} (${h.period_code})`).join(', '),
          })
        : msg('proposals:checks.wbk_not_held'),
      { designations: input.held, source: SOURCES.tabel6Wbbm },
    )
  }
  if (d.target === 'WBBM' && rules.wbbm_min_wbk_years > 0) {
    const years = yearsHeld(input.held, input.periodYear)
    const min = rules.wbbm_min_wbk_years
    const ok = input.held.length > 0 && years >= min
    add(
      'wbk_years_held',
      ok,
      input.held.length === 0
        ? msg('proposals:checks.years_none', { min })
        : ok
          ? msg('proposals:checks.years_enough', { count: years, min })
          : msg('proposals:checks.years_short', { count: years, min }),
      { required_years: min, years_held: years, designations: input.held, source: SOURCES.portalrbTwoYears },
    )
  }
  if (rules.revocation_ban_years > 0 && input.revokedOn) {
    const until = addYears(input.revokedOn, rules.revocation_ban_years)
    const ok = input.today >= until
    add(
      'revocation_ban',
      ok,
      ok
        ? msg('proposals:checks.ban_over', { revokedOn: input.revokedOn, years: rules.revocation_ban_years })
        : msg('proposals:checks.ban_running', { revokedOn: input.revokedOn, until, years: rules.revocation_ban_years }),
      { revoked_on: input.revokedOn, proposable_from: until, source: SOURCES.revocation },
    )
  }

  const missing = input.packageMissing
  add(
    'package_complete',
    missing.length === 0,
    missing.length === 0
      ? msg('proposals:checks.package_complete')
      : msg('proposals:checks.package_lacks', { missing: missing.join(', ') }),
    { missing },
  )

  return { ready: checks.every((c) => c.passed), route: afirmasi ? 'afirmasi' : 'regular', checks }
}

const round2 = (n: number): string => (Math.round(n * 100) / 100).toFixed(2)

const REQUIREMENT_NAMES: Record<UnitRequirement, Message> = {
  core_service: msg('proposals:requirements.core_service'),
  public_perception_impact: msg('proposals:requirements.public_perception_impact'),
  tlhp_percent: msg('proposals:requirements.tlhp_percent'),
  lhkpn_percent: msg('proposals:requirements.lhkpn_percent'),
  lhkasn_percent: msg('proposals:requirements.lhkasn_percent'),
  sakip_predicate: msg('proposals:requirements.sakip_predicate'),
}

/** The Tabel 5 unit-level checks; each failing one names what is missing or short. */
function unitRequirementChecks(
  input: VerdictInput,
  add: (check: CheckCode, passed: boolean, message: Message, details?: Record<string, unknown>) => void,
): void {
  const req = input.requirements
  const source = SOURCES.tabel5Unit
  const yesNo = (check: CheckCode, key: UnitRequirement) => {
    const r = req[key]
    const ok = r?.value === true
    add(
      check,
      ok,
      !r
        ? msg('proposals:checks.yes_no_missing', { name: REQUIREMENT_NAMES[key] })
        : ok
          ? msg('proposals:checks.yes', { name: REQUIREMENT_NAMES[key] })
          : msg('proposals:checks.no', { name: REQUIREMENT_NAMES[key] }),
      { requirement: key, value: r?.value ?? null, justification: r?.justification ?? null, source },
    )
  }
  yesNo('unit_core_service', 'core_service')
  yesNo('unit_public_perception_impact', 'public_perception_impact')
  const percent = (key: UnitRequirement): number | null =>
    typeof req[key]?.value === 'number' ? (req[key]!.value as number) : null
  const tlhp = percent('tlhp_percent')
  add(
    'unit_tlhp',
    tlhp !== null && tlhp >= 100,
    tlhp === null
      ? msg('proposals:checks.tlhp_missing', { name: REQUIREMENT_NAMES.tlhp_percent })
      : msg('proposals:checks.tlhp', { name: REQUIREMENT_NAMES.tlhp_percent, percent: tlhp }),
    { requirement: 'tlhp_percent', value: tlhp, required: 100, source },
  )
  const lhkpn = percent('lhkpn_percent')
  const lhkasn = percent('lhkasn_percent')
  const lacking = [
    ...(lhkpn === null ? [msg('proposals:checks.lhkpn_missing')] : lhkpn < 100 ? [`LHKPN ${lhkpn}%`] : []),
    ...(lhkasn === null ? [msg('proposals:checks.lhkasn_missing')] : lhkasn < 100 ? [`LHKASN ${lhkasn}%`] : []),
  ]
  add(
    'unit_lhkpn_lhkasn',
    lacking.length === 0,
    lacking.length === 0
      ? msg('proposals:checks.lhkpn_lhkasn_ok')
      : msg('proposals:checks.lhkpn_lhkasn_short', { lacking }),
    { lhkpn_percent: lhkpn, lhkasn_percent: lhkasn, required: 100, source },
  )
  const target = input.declaration.target
  const since = input.buildingSince
  const year = since ? addYears(since, 1) : null
  const building = year !== null && input.today >= year
  add(
    'unit_building_one_year',
    building,
    since === null
      ? msg('proposals:checks.no_declaration', { target })
      : building
        ? msg('proposals:checks.building_year', { target, since })
        : msg('proposals:checks.building_short', { target, since, year }),
    { target, since, one_year_on: year, source },
  )
  const min = unitSakipMinimum(target)
  const sakip = req.sakip_predicate?.value
  const sakipOk = isGrade(sakip) && gradeAtLeast(sakip, min)
  add(
    'unit_sakip',
    sakipOk,
    sakip === undefined
      ? msg('proposals:checks.sakip_missing', { name: REQUIREMENT_NAMES.sakip_predicate, min, target })
      : msg('proposals:checks.sakip', { name: REQUIREMENT_NAMES.sakip_predicate, value: String(sakip), min, target }),
    { requirement: 'sakip_predicate', value: sakip ?? null, required: min, source },
  )
}

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
  recorded_by: { id: string | null; name: string }
}
/** How the TPN's administrative selection ended: lulus, lulus dengan catatan (pass on condition of resubmitting named items), tidak lulus. */
export const SELECTION_OUTCOMES = ['lulus', 'lulus_dengan_catatan', 'tidak_lulus'] as const
export type SelectionOutcome = (typeof SELECTION_OUTCOMES)[number]
export interface AdministrativeSelection extends Recorded {
  decided_on: string
  items: { item: AdminItem; result: (typeof ADMIN_RESULTS)[number]; note: string | null }[]
  /** lulus or lulus_dengan_catatan (the funnel's passed_administrative_selection reads this) */
  passed: boolean
  /** absent on selections recorded before migration 0015: lulus when passed, else tidak_lulus */
  outcome?: SelectionOutcome
  /** lulus_dengan_catatan: the items to resubmit, with the deadline when the TPN set one */
  resubmit?: { items: AdminItem[]; due_on: string | null; note: string | null } | null
}

/** The TPN's evaluation steps after the administrative selection (P90 Lampiran II BAB III B-E, p. 53-58), recorded when known. */
export const TPN_STEPS = ['desk_evaluation', 'field_evaluation', 'survey', 'clearance', 'panel', 'lhe'] as const
export type TpnStepKind = (typeof TPN_STEPS)[number]
export interface TpnStep extends Recorded {
  step: TpnStepKind
  /** the day it happened (or started) */
  on: string
  /** the day it ended, for a step of several days */
  until: string | null
  note: string | null
  evidence_id: string | null
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
/** Why a revocation was started (P90 Lampiran III BAB IV C, p. 63-64). */
export const REVOCATION_BASES = ['tpi_report', 'tpn_field_check'] as const
export type RevocationBasis = (typeof REVOCATION_BASES)[number]
export interface Revocation extends Recorded {
  /** the date of the Menteri's revocation decision (the two-year ban counts from it) */
  revoked_on: string
  reason: string
  /** absent on revocations recorded before migration 0015 */
  basis?: RevocationBasis
  /** the TPN's written recommendation to the Menteri PANRB */
  tpn_recommendation?: { date: string; number: string | null; note: string | null }
  /** the decision's number (its date is revoked_on) */
  decision_number?: string
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
  message: Message
}

const conflict = (code: string, message: Message): OutcomeViolation => ({ status: 409, code, message })

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
        : conflict('outcome_out_of_order', msg('proposals:outcome.outcome_out_of_order', { status: s.status }))
    case 'sanggah':
      if (s.status !== 'proposed')
        return conflict('outcome_out_of_order', msg('proposals:outcome.outcome_out_of_order_2', { status: s.status }))
      if (!s.administrative_selection)
        return conflict('administrative_selection_missing', msg('proposals:outcome.administrative_selection_missing'))
      if (s.administrative_selection.passed)
        return conflict('sanggah_not_applicable', msg('proposals:outcome.sanggah_not_applicable'))
      return null
    case 'evaluation':
      if (s.status !== 'proposed')
        return conflict('outcome_out_of_order', msg('proposals:outcome.outcome_out_of_order_3', { status: s.status }))
      if (!passedAdministrative(s))
        return conflict(
          'administrative_selection_not_passed',
          msg('proposals:outcome.administrative_selection_not_passed'),
        )
      return null
    case 'designated':
      return s.status === 'evaluated'
        ? null
        : conflict('outcome_out_of_order', msg('proposals:outcome.outcome_out_of_order_4', { status: s.status }))
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
          ? msg('proposals:outcome.not_designated_early')
          : msg('proposals:outcome.unit_is', { status: s.status }),
      )
    case 'revocation':
      return s.status === 'designated'
        ? null
        : conflict('outcome_out_of_order', msg('proposals:outcome.outcome_out_of_order_5', { status: s.status }))
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
