import t from 'tap'
import { funnelOf } from '../../src/modules/dashboards/rules.js'
import type { EligibilityResult } from '../../src/modules/instruments/domain/index.js'
import type { WindowStatus } from '../../src/modules/periods/rules.js'
import {
  DEFAULT_PROPOSAL_RULES,
  checkOutcomeStep,
  evaluateGate,
  packageMissing,
  predicateHistory,
  proposalVerdict,
  validateProposalRules,
  yearsHeld,
  type AdministrativeSelection,
  type VerdictInput,
} from '../../src/modules/proposals/rules.js'

const R = DEFAULT_PROPOSAL_RULES
const PASS_WBBM = { opini_bpk: 'WTP', spip_level: 3, sakip_score: 70.5, indeks_rb: 70.5 }

t.test('the instansi gate: each default rule (zi-rules.md)', async (t) => {
  const pemda = evaluateGate(R, 'kabupaten', PASS_WBBM)
  t.ok(pemda.WBK.eligible && pemda.WBBM.eligible, 'a Pemda with WTP, SPIP 3, SAKIP 70.5, RB 70.5 passes both')
  t.same(
    pemda.WBK.rules.map((r) => r.rule),
    ['wbk_opini_bpk', 'wbk_spip', 'wbk_sakip', 'wbk_indeks_rb_pemda'],
    'a Pemda gets the Pemda Indeks RB rule only',
  )
  t.match(pemda.WBK.rules[0], {
    required: 'one of WTP',
    actual: 'WTP',
    passed: true,
    source: /HanaDewi/,
    confidence: 'MEDIUM',
  })

  const one = (kind: 'kabupaten' | 'kementerian_lembaga', patch: Record<string, string | number>) =>
    evaluateGate(R, kind, { ...PASS_WBBM, ...patch })
  const failing = (g: ReturnType<typeof evaluateGate>, p: 'WBK' | 'WBBM') =>
    g[p].rules.filter((r) => !r.passed).map((r) => r.rule)
  // Opini BPK: WTP only
  for (const opini of ['WDP', 'TW', 'TMP'])
    t.same(failing(one('kabupaten', { opini_bpk: opini }), 'WBK'), ['wbk_opini_bpk'], `opini ${opini} fails`)
  // SPIP ≥ 3 (inclusive)
  t.same(failing(one('kabupaten', { spip_level: 2 }), 'WBK'), ['wbk_spip'])
  t.same(failing(one('kabupaten', { spip_level: 2 }), 'WBBM'), ['wbbm_spip'])
  // SAKIP > 60 for WBK, > 70 for WBBM (strict)
  t.same(failing(one('kabupaten', { sakip_score: 60 }), 'WBK'), ['wbk_sakip'], 'SAKIP exactly 60 fails WBK')
  t.same(failing(one('kabupaten', { sakip_score: 60.01 }), 'WBK'), [])
  t.same(failing(one('kabupaten', { sakip_score: 70 }), 'WBBM'), ['wbbm_sakip'], 'SAKIP exactly 70 fails WBBM')
  // Indeks RB: Pemda > 50 / > 60; K/L > 60 / > 70
  t.same(failing(one('kabupaten', { indeks_rb: 50 }), 'WBK'), ['wbk_indeks_rb_pemda'])
  t.same(failing(one('kabupaten', { indeks_rb: 55 }), 'WBK'), [])
  t.same(failing(one('kabupaten', { indeks_rb: 60 }), 'WBBM'), ['wbbm_indeks_rb_pemda'])
  t.same(
    failing(one('kementerian_lembaga', { indeks_rb: 55 }), 'WBK'),
    ['wbk_indeks_rb_kl'],
    'a K/L needs more than 60',
  )
  t.same(
    failing(one('kementerian_lembaga', { indeks_rb: 65 }), 'WBBM'),
    ['wbbm_indeks_rb_kl'],
    'and more than 70 for WBBM',
  )
  t.same(failing(one('kementerian_lembaga', { indeks_rb: 70.1 }), 'WBBM'), [])
})

t.test(
  'afirmasi route: a Pemda failing the WBK gate, never a K/L, never WBBM; missing values and an unknown kind fail',
  async (t) => {
    const pemda = evaluateGate(R, 'kota', { ...PASS_WBBM, opini_bpk: 'WDP' })
    t.match(pemda.WBK, { eligible: false, afirmasi_only: true })
    t.match(pemda.WBBM, { eligible: false, afirmasi_only: false })
    t.match(
      evaluateGate(R, 'provinsi', {}).WBK,
      { eligible: false, afirmasi_only: true },
      'no RB evaluation at all: afirmasi only',
    )
    t.match(
      evaluateGate(R, 'kementerian_lembaga', { ...PASS_WBBM, opini_bpk: 'WDP' }).WBK,
      { eligible: false, afirmasi_only: false },
      'a K/L cannot',
    )
    t.match(evaluateGate(R, 'kabupaten', PASS_WBBM).WBK, { eligible: true, afirmasi_only: false })
    const missing = evaluateGate(R, 'kabupaten', { opini_bpk: 'WTP' })
    t.same(
      missing.WBK.rules.filter((r) => !r.passed).map((r) => [r.rule, r.actual]),
      [
        ['wbk_spip', null],
        ['wbk_sakip', null],
        ['wbk_indeks_rb_pemda', null],
      ],
    )
    const unknown = evaluateGate(R, null, PASS_WBBM)
    t.match(unknown.WBK, { eligible: false, afirmasi_only: false })
    t.equal(unknown.WBK.rules[0]?.rule, 'instansi_kind', 'the missing kind is named first')
    t.ok(
      unknown.WBK.rules.filter((r) => r.rule.includes('indeks_rb')).every((r) => !r.passed),
      'kind-specific rules cannot pass',
    )
    const customised = { ...R, afirmasi_instansi_kinds: [] }
    t.match(evaluateGate(customised, 'kota', {}).WBK, { afirmasi_only: false }, 'the afirmasi route is data too')
  },
)

t.test('rule sets are validated', async (t) => {
  t.same(validateProposalRules(R), [], 'the defaults are consistent')
  const bad = validateProposalRules({
    ...R,
    gate_rules: [
      { ...R.gate_rules[0]!, comparison: 'at_least', threshold: 3 },
      { ...R.gate_rules[1]!, comparison: 'one_of', threshold: undefined },
      { ...R.gate_rules[2]!, threshold: undefined },
      { ...R.gate_rules[3]!, id: R.gate_rules[2]!.id },
    ],
  })
  t.same(
    bad.map((i) => [i.pointer, i.rule]),
    [
      ['/body/gate_rules/0/comparison', 'comparison_not_applicable'],
      ['/body/gate_rules/1/comparison', 'comparison_not_applicable'],
      ['/body/gate_rules/2/threshold', 'required'],
      ['/body/gate_rules/3/id', 'duplicate_rule_id'],
    ],
  )
})

t.test('the package: every document and the PIC', async (t) => {
  t.same(packageMissing(null), [
    'surat_usulan',
    'sptjm',
    'tlhp',
    'survei_mandiri',
    'pic.name',
    'pic.email',
    'pic.phone',
  ])
  t.same(
    packageMissing({
      documents: { surat_usulan: 'a', sptjm: 'b', tlhp: 'c', survei_mandiri: 'd' },
      pic: { name: 'Sri', email: 's@x.go.id', phone: '0812' },
    }),
    [],
  )
  t.same(
    packageMissing({
      documents: { surat_usulan: 'a', sptjm: null, tlhp: 'c', survei_mandiri: 'd' },
      pic: { name: 'Sri', email: null, phone: '0812' },
    }),
    ['sptjm', 'pic.email'],
  )
})

const open: WindowStatus = {
  window: 'proposal',
  state: 'open',
  open: true,
  opens_at: '2026-06-01T00:00:00.000Z',
  closes_at: '2026-07-01T00:00:00.000Z',
  reopened_until: null,
}
const tpiMeeting = (predicate: 'WBK' | 'WBBM' | 'none'): EligibilityResult => ({
  predicate,
  rules: [
    {
      rule: 'wbk_total',
      predicate: 'WBK',
      description: 'total ≥ 75',
      required: 75,
      actual: predicate === 'none' ? 70 : 90,
      passed: predicate !== 'none',
      source: 's',
    },
    {
      rule: 'wbbm_total',
      predicate: 'WBBM',
      description: 'total ≥ 85',
      required: 85,
      actual: predicate === 'WBBM' ? 90 : 80,
      passed: predicate === 'WBBM',
      source: 's',
    },
  ],
})
const base = (): VerdictInput => ({
  declaration: { status: 'building', target: 'WBK', inPeriod: true },
  unit: { afirmasi: false, archived: false },
  window: open,
  gate: evaluateGate(R, 'kabupaten', PASS_WBBM),
  tpi: { status: 'approved', eligibility: tpiMeeting('WBBM'), total: 90 },
  held: [],
  periodYear: 2026,
  wbbmMinWbkYears: 2,
  packageMissing: [],
})
const failing = (i: VerdictInput) =>
  proposalVerdict(i)
    .checks.filter((c) => !c.passed)
    .map((c) => c.check)

t.test('proposal checks: each refusal reason on its own, and all of them at once', async (t) => {
  t.match(proposalVerdict(base()), { ready: true, route: 'regular' })
  t.same(
    proposalVerdict(base()).checks.map((c) => c.check),
    [
      'declaration_in_period',
      'declaration_status',
      'unit_active',
      'proposal_window',
      'instansi_gate',
      'tpi_stage_approved',
      'tpi_score',
      'package_complete',
    ],
    'every check is reported, passed or not (WBK has no designation check)',
  )
  t.same(failing({ ...base(), declaration: { status: 'declared', target: 'WBK', inPeriod: true } }), [
    'declaration_status',
  ])
  t.same(
    failing({ ...base(), declaration: { status: 'proposed', target: 'WBK', inPeriod: true } }),
    ['declaration_status'],
    'proposed twice',
  )
  t.same(failing({ ...base(), declaration: { status: 'building', target: 'WBK', inPeriod: false } }), [
    'declaration_in_period',
  ])
  t.same(failing({ ...base(), unit: { afirmasi: false, archived: true } }), ['unit_active'])
  t.same(failing({ ...base(), window: { ...open, state: 'closed', open: false } }), ['proposal_window'])
  t.same(failing({ ...base(), gate: evaluateGate(R, 'kabupaten', { ...PASS_WBBM, opini_bpk: 'WDP' }) }), [
    'instansi_gate',
  ])
  t.same(failing({ ...base(), tpi: { status: 'submitted', eligibility: tpiMeeting('WBBM'), total: 90 } }), [
    'tpi_stage_approved',
  ])
  t.same(failing({ ...base(), tpi: null }), ['tpi_stage_approved', 'tpi_score'])
  const short = proposalVerdict({ ...base(), tpi: { status: 'approved', eligibility: tpiMeeting('none'), total: 70 } })
  t.same(
    short.checks.filter((c) => !c.passed).map((c) => c.check),
    ['tpi_score'],
  )
  t.match(
    short.checks.find((c) => c.check === 'tpi_score'),
    {
      message: /70\.00.*misses 1 WBK rule: total ≥ 75/,
      details: { total: 70, rules: [{ rule: 'wbk_total', passed: false }] },
    },
    'the explanation is in the refusal',
  )
  t.same(failing({ ...base(), packageMissing: ['sptjm'] }), ['package_complete'])
  const everything = proposalVerdict({
    ...base(),
    declaration: { status: 'declared', target: 'WBBM', inPeriod: true },
    window: { ...open, state: 'upcoming', open: false },
    gate: evaluateGate(R, 'kabupaten', {}),
    tpi: { status: 'draft', eligibility: tpiMeeting('WBK'), total: 80 },
    packageMissing: ['surat_usulan'],
  })
  t.same(
    everything.checks.filter((c) => !c.passed).map((c) => c.check),
    [
      'declaration_status',
      'proposal_window',
      'instansi_gate',
      'tpi_stage_approved',
      'tpi_score',
      'wbk_designation_held',
      'package_complete',
    ],
    'every failing check, not just the first',
  )
})

t.test('afirmasi units through the afirmasi route; WBBM needs the WBK held for N years', async (t) => {
  const failedGate = evaluateGate(R, 'kabupaten', { ...PASS_WBBM, opini_bpk: 'WDP' })
  t.match(proposalVerdict({ ...base(), gate: failedGate, unit: { afirmasi: true, archived: false } }), {
    ready: true,
    route: 'afirmasi',
  })
  t.same(failing({ ...base(), gate: failedGate, unit: { afirmasi: false, archived: false } }), ['instansi_gate'])
  t.match(proposalVerdict({ ...base(), gate: failedGate, unit: { afirmasi: false, archived: false } }).checks[4], {
    message: /only afirmasi units/,
  })
  const kl = evaluateGate(R, 'kementerian_lembaga', { ...PASS_WBBM, opini_bpk: 'WDP' })
  t.same(
    failing({ ...base(), gate: kl, unit: { afirmasi: true, archived: false } }),
    ['instansi_gate'],
    'a K/L has no afirmasi route',
  )
  const wbbm = (held: VerdictInput['held'], gate = evaluateGate(R, 'kabupaten', PASS_WBBM)): VerdictInput => ({
    ...base(),
    declaration: { status: 'building', target: 'WBBM', inPeriod: true },
    held,
    gate,
  })
  t.same(failing(wbbm([])), ['wbk_designation_held'])
  t.same(
    failing(wbbm([{ predicate: 'WBK', year: 2025, period_code: 'ZI-2025' }])),
    ['wbk_designation_held'],
    'one year is not enough',
  )
  t.match(
    proposalVerdict(wbbm([{ predicate: 'WBK', year: 2025, period_code: 'ZI-2025' }])).checks.find(
      (c) => c.check === 'wbk_designation_held',
    ),
    { details: { required_years: 2, years_held: 1 }, message: /Syarat 2 tahun WBK/ },
  )
  t.same(failing(wbbm([{ predicate: 'WBK', year: 2024, period_code: 'ZI-2024' }])), [], 'two years')
  t.same(
    failing({ ...wbbm([{ predicate: 'WBK', year: 2025, period_code: 'ZI-2025' }]), wbbmMinWbkYears: 1 }),
    [],
    'the number of years is the period’s',
  )
  t.same(
    failing(wbbm([{ predicate: 'WBK', year: 2024, period_code: 'ZI-2024' }], failedGate)),
    ['instansi_gate'],
    'WBBM has no afirmasi route even for an afirmasi unit',
  )
  t.same(
    failing({
      ...wbbm([{ predicate: 'WBK', year: 2024, period_code: 'ZI-2024' }]),
      tpi: { status: 'approved', eligibility: tpiMeeting('WBK'), total: 80 },
    }),
    ['tpi_score'],
    'WBBM needs the WBBM rules',
  )
  t.equal(
    yearsHeld(
      [
        { predicate: 'WBK', year: 2022, period_code: 'A' },
        { predicate: 'WBBM', year: 2024, period_code: 'B' },
      ],
      2026,
    ),
    4,
    'from the earliest still held',
  )
})

t.test('outcome order', async (t) => {
  const sel = (passed: boolean) => ({ passed }) as AdministrativeSelection
  const state = (status: string, selection: AdministrativeSelection | null = null, sanggah: string | null = null) =>
    ({ status, administrative_selection: selection, sanggah: sanggah ? { result: sanggah } : null }) as Parameters<
      typeof checkOutcomeStep
    >[1]
  t.equal(checkOutcomeStep('administrative_selection', state('proposed')), null)
  t.match(checkOutcomeStep('administrative_selection', state('evaluated')), {
    status: 409,
    code: 'outcome_out_of_order',
  })
  t.match(checkOutcomeStep('sanggah', state('proposed')), { code: 'administrative_selection_missing' })
  t.match(checkOutcomeStep('sanggah', state('proposed', sel(true))), { code: 'sanggah_not_applicable' })
  t.equal(checkOutcomeStep('sanggah', state('proposed', sel(false))), null)
  t.match(checkOutcomeStep('evaluation', state('proposed', sel(false))), {
    code: 'administrative_selection_not_passed',
  })
  t.equal(
    checkOutcomeStep('evaluation', state('proposed', sel(false), 'diterima')),
    null,
    'a sanggah accepted passes the selection',
  )
  t.equal(checkOutcomeStep('evaluation', state('proposed', sel(true))), null)
  t.match(checkOutcomeStep('designated', state('proposed', sel(true))), { code: 'outcome_out_of_order' })
  t.equal(checkOutcomeStep('designated', state('evaluated', sel(true))), null)
  t.equal(checkOutcomeStep('not_designated', state('evaluated', sel(true))), null)
  t.equal(checkOutcomeStep('not_designated', state('proposed', sel(false))), null, 'failed selection, no sanggah')
  t.match(
    checkOutcomeStep('not_designated', state('proposed', sel(false), 'pending')),
    { code: 'outcome_out_of_order' },
    'not while a sanggah is pending',
  )
  t.equal(checkOutcomeStep('not_designated', state('proposed', sel(false), 'ditolak')), null)
  t.match(checkOutcomeStep('not_designated', state('proposed', sel(true))), { code: 'outcome_out_of_order' })
  t.equal(checkOutcomeStep('revocation', state('designated', sel(true))), null)
  t.match(checkOutcomeStep('revocation', state('not_designated', sel(true))), { code: 'outcome_out_of_order' })
})

t.test('predicate history and the funnel', async (t) => {
  const row = (
    year: number,
    predicate: 'WBK' | 'WBBM',
    status: 'designated' | 'revoked',
    designated_on: string,
    revoked_on: string | null = null,
  ) => ({
    period_id: `p${year}`,
    period_code: `ZI-${year}`,
    year,
    status,
    predicate,
    designated_on,
    sk_number: `SK ${year}`,
    revoked_on,
    revocation_reason: revoked_on ? 'OTT' : null,
  })
  const h = predicateHistory([
    row(2025, 'WBBM', 'designated', '2025-12-10'),
    row(2022, 'WBK', 'revoked', '2022-12-10', '2023-03-01'),
    row(2023, 'WBK', 'designated', '2023-12-10'),
  ])
  t.same(
    h.map((e) => [e.year, e.predicate, e.since, e.until, e.until_reason, e.held]),
    [
      [2022, 'WBK', '2022-12-10', '2023-03-01', 'revoked', false],
      [2023, 'WBK', '2023-12-10', '2025-12-10', 'superseded', false],
      [2025, 'WBBM', '2025-12-10', null, null, true],
    ],
  )
  // the same four units as counters: declarations by target:status, proposals by step reached
  const m = (entries: [string, number][]) => new Map(entries.map(([k, count]) => [k, { count, sum: 0 }]))
  const f = funnelOf(
    m([
      ['WBK:declared', 1],
      ['WBK:building', 1],
      ['WBK:not_designated', 1],
      ['WBBM:revoked', 1],
    ]),
    m([
      ['proposed', 2],
      ['passed_administrative_selection', 1],
      ['evaluated', 1],
      ['designated', 1],
      ['not_designated', 1],
      ['revoked', 1],
    ]),
  )
  t.same(f, {
    declared: 4,
    building: 3,
    proposed: 2,
    passed_administrative_selection: 1,
    evaluated: 1,
    designated: 1,
    not_designated: 1,
    revoked: 1,
  })
})
