/**
 * The reports' data as plain values and the rules that shape it (no Fastify, no database): the
 * score per area perubahan, each rule of the target with its gap, the TPI's conclusion, and the
 * Indonesian formatting the documents print (numbers with a decimal comma, dates as
 * "6 Desember 2026"). The documents themselves are built in documents.ts.
 */
import type { Target } from '../declarations/rules.js'
import {
  AREA_CODES,
  AREA_NAMES,
  areaOfAreaNode,
  type AreaCode,
  type EligibilityResult,
  type InstrumentDefinition,
  type PredicateRule,
} from '../instruments/domain/index.js'
import { roundTo } from '../../lib/precision.js'

// ---------------------------------------------------------------------------------------------
// Formatting (what the PDF prints; the JSON carries the numbers)

const MONTHS = [
  'Januari',
  'Februari',
  'Maret',
  'April',
  'Mei',
  'Juni',
  'Juli',
  'Agustus',
  'September',
  'Oktober',
  'November',
  'Desember',
] as const

/** "2026-12-06" (or an ISO timestamp: its date) → "6 Desember 2026". */
export function tanggal(date: string): string {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number) as [number, number, number]
  return `${d} ${MONTHS[m - 1]} ${y}`
}

/** Two decimals, Indonesian style: 1234.5 → "1.234,50" (rounded half away from zero, as the API rounds). */
export function angka(x: number, decimals = 2): string {
  const fixed = roundTo(x, decimals).toFixed(decimals)
  const [whole, fraction] = fixed.split('.') as [string, string | undefined]
  const negative = whole.startsWith('-')
  const digits = negative ? whole.slice(1) : whole
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.')
  return `${negative ? '-' : ''}${grouped}${fraction ? `,${fraction}` : ''}`
}

/** A share 0–1 as a percentage: 0.6 → "60,00%". */
export const persen = (share: number): string => `${angka(share * 100)}%`

/** The local (WIB, UTC+7) calendar date of an instant: the date a document in Indonesia carries. */
export function wibDate(now: Date): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10)
}

// ---------------------------------------------------------------------------------------------
// The score per area perubahan

export interface NodeValue {
  code: string
  level: string
  value: number
  max: number | null
}

export interface AreaScore {
  area: AreaCode
  name: string
  pemenuhan: { value: number; max: number }
  reform: { value: number; max: number }
  value: number
  max: number
  /** value ÷ max × 100 (0 when the area has no weight) */
  percent: number
}

/**
 * Each of the six areas: its Pemenuhan and Reform halves (the `area_perubahan` nodes under each,
 * told apart by their parent), summed; the percentage is of the area's weight.
 */
export function areaScores(def: InstrumentDefinition, nodes: readonly NodeValue[]): AreaScore[] {
  const byCode = new Map(def.nodes.map((n) => [n.code, n]))
  const value = new Map(nodes.map((n) => [n.code, n]))
  const out = new Map<AreaCode, AreaScore>(
    AREA_CODES.map((area) => [
      area,
      {
        area,
        name: AREA_NAMES[area],
        pemenuhan: { value: 0, max: 0 },
        reform: { value: 0, max: 0 },
        value: 0,
        max: 0,
        percent: 0,
      },
    ]),
  )
  for (const node of def.nodes) {
    const area = areaOfAreaNode(node)
    if (!area) continue
    const score = out.get(area)!
    const parent = node.parentCode ? byCode.get(node.parentCode) : undefined
    const half = /reform/i.test(parent?.name ?? '') ? score.reform : score.pemenuhan
    const v = value.get(node.code)?.value ?? 0
    const max = typeof node.bobot === 'number' ? node.bobot : 0
    half.value += v
    half.max += max
    score.value += v
    score.max += max
  }
  return [...out.values()].map((s) => ({ ...s, percent: s.max > 0 ? (s.value / s.max) * 100 : 0 }))
}

// ---------------------------------------------------------------------------------------------
// The rules of the target

export interface RuleRow {
  rule: string
  predicate: Target
  description: string
  measure: PredicateRule['measure']
  required: number
  actual: number
  /** how far short of the rule (required − actual, in the rule's measure); 0 when met */
  gap: number
  passed: boolean
  source: string
}

/** The rules a target must meet: its own, and for WBBM the WBK ones too (WBBM builds on WBK). */
export function ruleRows(def: InstrumentDefinition, eligibility: EligibilityResult, target: Target): RuleRow[] {
  const measures = new Map(def.predicateRules.map((r) => [r.id, r.measure]))
  return eligibility.rules
    .filter((r) => r.predicate === target || (target === 'WBBM' && r.predicate === 'WBK'))
    .map((r) => ({
      rule: r.rule,
      predicate: r.predicate,
      description: r.description,
      measure: measures.get(r.rule) ?? 'value',
      required: r.required,
      actual: r.actual,
      gap: r.passed ? 0 : Math.max(0, r.required - r.actual),
      passed: r.passed,
      source: r.source,
    }))
}

/** A rule's number as the PDF prints it: a share as a percentage, points with two decimals. */
export const ruleNumber = (measure: PredicateRule['measure'], x: number): string =>
  measure === 'share_of_weight' ? persen(x) : angka(x)

// ---------------------------------------------------------------------------------------------
// The unit-level requirements (the proposal checks a TPI looks at before recommending)

/** One requirement of PermenPANRB 90/2021 Tabel 5/6 for the unit, as the proposal checks found it. */
export interface RequirementRow {
  check: string
  /** what is required, in Indonesian */
  requirement: string
  passed: boolean
  /** what was found, in Indonesian */
  found: string
  /** whether it decides the TPI's conclusion (the instansi gate is the instansi's, shown for information) */
  decides: boolean
}

/** The proposal checks a LHE reports, in this order, with their Indonesian requirement. */
export const LHE_CHECKS: Readonly<Record<string, { requirement: string; decides: boolean }>> = {
  unit_core_service: {
    requirement: 'Unit kerja merupakan core layanan utama dari instansinya',
    decides: true,
  },
  unit_public_perception_impact: {
    requirement: 'Memberikan dampak yang signifikan terhadap persepsi masyarakat tentang kualitas birokrasi',
    decides: true,
  },
  unit_tlhp: {
    requirement: 'Persentase penyelesaian tindak lanjut hasil pengawasan dari APIP/BPK 100%',
    decides: true,
  },
  unit_lhkpn_lhkasn: { requirement: 'LHKASN dan LHKPN 100%', decides: true },
  unit_building_one_year: { requirement: 'Sudah melakukan pembangunan ZI minimal satu tahun', decides: true },
  unit_sakip: { requirement: 'Predikat SAKIP dari evaluasi internal', decides: true },
  wbk_designation_held: { requirement: 'Telah mendapatkan predikat Menuju WBK (untuk WBBM)', decides: true },
  wbk_years_held: { requirement: 'Predikat WBK telah dipegang selama jumlah tahun yang ditentukan', decides: true },
  revocation_ban: { requirement: 'Tidak dalam masa larangan pengusulan setelah pencabutan predikat', decides: true },
  instansi_gate: {
    requirement: 'Kriteria tingkat instansi pemerintah (Opini BPK, SAKIP, Indeks RB, SPIP)',
    decides: false,
  },
}

export interface ProposalCheckLike {
  check: string
  passed: boolean
  details?: Record<string, unknown>
}

const yaTidak = (v: unknown): string => (v === true ? 'ya' : v === false ? 'tidak' : 'belum dicatat')
const pct = (v: unknown): string => (typeof v === 'number' ? `${angka(v)}%` : 'belum dicatat')

/** What a check found, in Indonesian, from its details (the check's own message is English). */
export function foundText(c: ProposalCheckLike): string {
  const d = c.details ?? {}
  switch (c.check) {
    case 'unit_core_service':
    case 'unit_public_perception_impact':
      return d.justification ? `${yaTidak(d.value)} (${String(d.justification)})` : yaTidak(d.value)
    case 'unit_tlhp':
      return pct(d.value)
    case 'unit_lhkpn_lhkasn':
      return `LHKPN ${pct(d.lhkpn_percent)}, LHKASN ${pct(d.lhkasn_percent)}`
    case 'unit_building_one_year':
      return typeof d.since === 'string'
        ? `dicanangkan ${tanggal(d.since)}${c.passed ? '' : `; satu tahun pada ${tanggal(String(d.one_year_on))}`}`
        : 'belum ada pencanangan'
    case 'unit_sakip':
      return `${d.value === null || d.value === undefined ? 'belum dicatat' : String(d.value)} (minimal ${String(d.required)})`
    case 'wbk_designation_held':
      return c.passed ? 'predikat Menuju WBK dimiliki' : 'belum memiliki predikat Menuju WBK'
    case 'wbk_years_held':
      return `${typeof d.years_held === 'number' ? d.years_held : 0} tahun (minimal ${String(d.required_years)})`
    case 'revocation_ban':
      return c.passed
        ? `predikat dicabut ${tanggal(String(d.revoked_on))}; masa larangan telah lewat`
        : `predikat dicabut ${tanggal(String(d.revoked_on))}; dapat diusulkan kembali mulai ${tanggal(String(d.proposable_from))}`
    case 'instansi_gate':
      return c.passed ? 'terpenuhi' : 'belum terpenuhi'
    default:
      return c.passed ? 'terpenuhi' : 'belum terpenuhi'
  }
}

/** The requirement rows of a LHE from the unit's proposal checks (those the LHE reports, in order). */
export function requirementRows(checks: readonly ProposalCheckLike[]): RequirementRow[] {
  const rows: RequirementRow[] = []
  for (const [check, spec] of Object.entries(LHE_CHECKS)) {
    const c = checks.find((x) => x.check === check)
    if (!c) continue
    rows.push({ check, requirement: spec.requirement, passed: c.passed, found: foundText(c), decides: spec.decides })
  }
  return rows
}

// ---------------------------------------------------------------------------------------------
// The conclusion (Lampiran II BAB II A, p. 43-44)

export interface Conclusion {
  /** every rule of the target met and every deciding requirement met */
  eligible: boolean
  verdict: 'memenuhi syarat untuk diusulkan' | 'belum memenuhi syarat untuk diusulkan'
  /** the TPI's recommendation to the pimpinan instansi, as the regulation words it */
  text: string
  /** the rules and requirements not met, by their description */
  unmet: string[]
}

export function conclusionOf(
  unitName: string,
  target: Target,
  rules: readonly RuleRow[],
  requirements: readonly RequirementRow[],
): Conclusion {
  const unmet = [
    ...rules.filter((r) => !r.passed).map((r) => r.description),
    ...requirements.filter((r) => r.decides && !r.passed).map((r) => r.requirement),
  ]
  const eligible = rules.length > 0 && unmet.length === 0
  const predikat = `Menuju ${target === 'WBK' ? 'Wilayah Bebas dari Korupsi (WBK)' : 'Wilayah Birokrasi Bersih dan Melayani (WBBM)'}`
  return {
    eligible,
    verdict: eligible ? 'memenuhi syarat untuk diusulkan' : 'belum memenuhi syarat untuk diusulkan',
    text: eligible
      ? `Hasil penilaian internal menunjukkan unsur penilaian pengungkit dan hasil pada ${unitName} memenuhi kriteria ${predikat}. TPI merekomendasikan kepada pimpinan instansi pemerintah untuk mengajukan evaluasi ke Kementerian PANRB selaku TPN untuk mendapatkan predikat ${predikat}.`
      : `Hasil penilaian internal menunjukkan ${unitName} belum memenuhi kriteria ${predikat}. TPI merekomendasikan bahwa unit kerja tersebut belum dapat diajukan kepada Kementerian PANRB selaku TPN serta perlu dilakukan perbaikan dan pembinaan kembali.`,
    unmet,
  }
}

/** PermenPANRB 90/2021 as the surat usulan cites it. */
export const REGULATION =
  'Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 90 Tahun 2021 tentang Pembangunan dan Evaluasi Zona Integritas Menuju Wilayah Bebas dari Korupsi dan Wilayah Birokrasi Bersih dan Melayani di Instansi Pemerintah'

/** "Menuju WBK" / "Menuju WBBM" / "Menuju WBK (afirmasi)" for a proposed unit. */
export const predikatLabel = (kategori: 'WBK' | 'WBK-AFIRMASI' | 'WBBM'): string =>
  kategori === 'WBK-AFIRMASI' ? 'Menuju WBK (afirmasi)' : `Menuju ${kategori}`
