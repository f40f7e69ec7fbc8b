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
  proposalVerdict as verdictOf,
  validateProposalRules,
  yearsHeld,
  addYears,
  type AdministrativeSelection,
  type VerdictInput,
} from '../../src/modules/proposals/rules.js'
import { english } from '../helpers/english.js'

const proposalVerdict = (...args: Parameters<typeof verdictOf>) => english(verdictOf(...args))

const R = DEFAULT_PROPOSAL_RULES
const PASS_WBBM = { opini_bpk: 'WTP', spip_level: 3, sakip_predicate: 'BB', indeks_rb_predicate: 'BB' }

t.test('the instansi gate: each default rule, as grades (P90 Tabel 5, p. 46)', async (t) => {
  const pemda = evaluateGate(R, 'kabupaten', PASS_WBBM)
  t.ok(pemda.WBK.eligible && pemda.WBBM.eligible, 'a Pemda with WTP, SPIP 3, SAKIP BB, RB BB passes both')
  t.same(
    pemda.WBK.rules.map((r) => r.rule),
    ['wbk_opini_bpk', 'wbk_spip', 'wbk_sakip', 'wbk_indeks_rb_pemda'],
    'a Pemda gets the Pemda Indeks RB rule only',
  )
  t.match(pemda.WBK.rules[0], {
    required: 'one of WTP',
    actual: 'WTP',
    passed: true,
    source: /^PermenPANRB 90\/2021 Lampiran II Tabel 5 .*p\. 46/,
    confidence: 'CONFIRMED',
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
  // SAKIP: B or better for WBK, BB or better for WBBM
  t.same(failing(one('kabupaten', { sakip_predicate: 'CC' }), 'WBK'), ['wbk_sakip'], 'SAKIP CC fails WBK')
  t.same(failing(one('kabupaten', { sakip_predicate: 'B' }), 'WBK'), [], 'SAKIP B passes WBK')
  t.same(failing(one('kabupaten', { sakip_predicate: 'B' }), 'WBBM'), ['wbbm_sakip'], 'SAKIP B fails WBBM')
  t.same(failing(one('kabupaten', { sakip_predicate: 'AA' }), 'WBBM'), [])
  // Indeks RB: Pemda CC / B; K/L B / BB
  t.same(failing(one('kabupaten', { indeks_rb_predicate: 'C' }), 'WBK'), ['wbk_indeks_rb_pemda'])
  t.same(failing(one('kabupaten', { indeks_rb_predicate: 'CC' }), 'WBK'), [])
  t.same(failing(one('kabupaten', { indeks_rb_predicate: 'CC' }), 'WBBM'), ['wbbm_indeks_rb_pemda'])
  t.same(
    failing(one('kementerian_lembaga', { indeks_rb_predicate: 'CC' }), 'WBK'),
    ['wbk_indeks_rb_kl'],
    'a K/L needs B',
  )
  t.same(
    failing(one('kementerian_lembaga', { indeks_rb_predicate: 'B' }), 'WBBM'),
    ['wbbm_indeks_rb_kl'],
    'and BB for WBBM',
  )
  t.same(failing(one('kementerian_lembaga', { indeks_rb_predicate: 'A' }), 'WBBM'), [])
  // only a 0–100 score recorded: converted to a grade by a named conversion
  const scoreOnly = evaluateGate(R, 'kabupaten', { opini_bpk: 'WTP', spip_level: 3, sakip_score: 60, indeks_rb: 70.5 })
  t.same(failing(scoreOnly, 'WBK'), ['wbk_sakip'], 'SAKIP 60 is CC: fails WBK')
  t.match(
    scoreOnly.WBK.rules.find((r) => r.rule === 'wbk_sakip'),
    {
      actual: 'CC',
      converted_from: { indicator: 'sakip_score', value: 60, source: /PortalRB practice.*not PermenPANRB 90\/2021/ },
    },
  )
  t.same(failing(scoreOnly, 'WBBM'), ['wbbm_sakip'], 'Indeks RB 70.5 is BB: passes WBBM for a Pemda')
  t.same(
    failing(evaluateGate(R, 'kabupaten', { ...PASS_WBBM, sakip_score: 10 }), 'WBBM'),
    [],
    'a recorded grade wins over a score',
  )
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
      { ...R.gate_rules[2]! },
      { ...R.gate_rules[3]!, id: R.gate_rules[2]!.id },
      { ...R.gate_rules[2]!, id: 'x_sakip', comparison: 'greater_than', threshold: 60 },
      { ...R.gate_rules[2]!, id: 'y_sakip', min_grade: undefined },
    ],
  })
  t.same(
    bad.map((i) => [i.pointer, i.rule]),
    [
      ['/body/gate_rules/0/comparison', 'comparison_not_applicable'],
      ['/body/gate_rules/1/comparison', 'comparison_not_applicable'],
      ['/body/gate_rules/3/id', 'duplicate_rule_id'],
      ['/body/gate_rules/4/comparison', 'comparison_not_applicable'],
      ['/body/gate_rules/5/min_grade', 'required'],
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
  rules: { wbbm_min_wbk_years: 2, wbbm_requires_wbk: true, revocation_ban_years: 2 },
  packageMissing: [],
  requirements: MEETS,
  buildingSince: '2025-01-20',
  revokedOn: null,
  today: '2026-06-15',
})
const MEETS: VerdictInput['requirements'] = {
  core_service: { value: true, justification: 'layanan kesehatan dasar' },
  public_perception_impact: { value: true, justification: 'dikunjungi 300 warga per hari' },
  tlhp_percent: { value: 100, justification: null },
  lhkpn_percent: { value: 100, justification: null },
  lhkasn_percent: { value: 100, justification: null },
  sakip_predicate: { value: 'BB', justification: null },
}
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
      'unit_core_service',
      'unit_public_perception_impact',
      'unit_tlhp',
      'unit_lhkpn_lhkasn',
      'unit_building_one_year',
      'unit_sakip',
      'package_complete',
    ],
    'every check is reported, passed or not (WBK has no designation check; no revocation, no ban check)',
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
    requirements: {},
    buildingSince: null,
    revokedOn: '2025-09-01',
  })
  t.same(
    everything.checks.filter((c) => !c.passed).map((c) => c.check),
    [
      'declaration_status',
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
  t.same(failing(wbbm([])), ['wbk_designation_held', 'wbk_years_held'])
  t.match(
    proposalVerdict(wbbm([])).checks.find((c) => c.check === 'wbk_designation_held'),
    {
      message: /Menuju WBK/,
      details: { source: /Tabel 6.*p\. 58/ },
    },
  )
  t.same(
    failing(wbbm([{ predicate: 'WBK', year: 2025, period_code: 'ZI-2025' }])),
    ['wbk_years_held'],
    'P90 is met (Menuju WBK held); PortalRB’s two years are not',
  )
  t.match(
    proposalVerdict(wbbm([{ predicate: 'WBK', year: 2025, period_code: 'ZI-2025' }])).checks.find(
      (c) => c.check === 'wbk_years_held',
    ),
    {
      details: { required_years: 2, years_held: 1, source: /PortalRB practice, not PermenPANRB 90\/2021/ },
      message: /Syarat 2 tahun WBK/,
    },
  )
  t.same(failing(wbbm([{ predicate: 'WBK', year: 2024, period_code: 'ZI-2024' }])), [], 'two years')
  const oneYear = { wbbm_min_wbk_years: 1, wbbm_requires_wbk: true, revocation_ban_years: 2 }
  t.same(
    failing({ ...wbbm([{ predicate: 'WBK', year: 2025, period_code: 'ZI-2025' }]), rules: oneYear }),
    [],
    'the number of years is the period’s',
  )
  const p90Only = { wbbm_min_wbk_years: 0, wbbm_requires_wbk: true, revocation_ban_years: 2 }
  t.same(failing({ ...wbbm([]), rules: p90Only }), ['wbk_designation_held'], 'PortalRB’s years turned off')
  t.notOk(
    proposalVerdict({ ...wbbm([]), rules: p90Only }).checks.some((c) => c.check === 'wbk_years_held'),
    'a rule turned off is not reported',
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

t.test('unit-level requirements (P90 Tabel 5, p. 46-47): each one refuses and names itself', async (t) => {
  t.same(failing(base()), [], 'all recorded and met')
  const without = (key: keyof typeof MEETS) => {
    const { [key]: _gone, ...rest } = MEETS
    return { ...base(), requirements: rest }
  }
  t.same(failing(without('core_service')), ['unit_core_service'])
  t.same(failing(without('public_perception_impact')), ['unit_public_perception_impact'])
  t.same(failing(without('tlhp_percent')), ['unit_tlhp'])
  t.same(failing(without('lhkpn_percent')), ['unit_lhkpn_lhkasn'])
  t.same(failing(without('lhkasn_percent')), ['unit_lhkpn_lhkasn'])
  t.same(failing(without('sakip_predicate')), ['unit_sakip'])
  const v = proposalVerdict(without('core_service')).checks.find((c) => c.check === 'unit_core_service')
  t.match(v, { message: /not recorded: the unit is a core service unit/, details: { source: /Tabel 5.*p\. 46-47/ } })
  const req = (patch: Partial<VerdictInput['requirements']>) => ({ ...base(), requirements: { ...MEETS, ...patch } })
  t.same(failing(req({ core_service: { value: false, justification: 'unit pendukung' } })), ['unit_core_service'])
  t.same(failing(req({ tlhp_percent: { value: 99.5, justification: null } })), ['unit_tlhp'], 'TLHP must be 100 %')
  t.match(
    proposalVerdict(req({ lhkasn_percent: { value: 97, justification: null } })).checks.find(
      (c) => c.check === 'unit_lhkpn_lhkasn',
    ),
    { passed: false, message: /LHKASN 97%/ },
  )
  t.same(failing(req({ sakip_predicate: { value: 'CC', justification: null } })), ['unit_sakip'], 'CC < B')
  t.same(failing(req({ sakip_predicate: { value: 'B', justification: null } })), [], 'B is enough for WBK')
  const wbbm = {
    ...req({ sakip_predicate: { value: 'B', justification: null } }),
    declaration: { status: 'building' as const, target: 'WBBM' as const, inPeriod: true },
    held: [{ predicate: 'WBK' as const, year: 2024, period_code: 'ZI-2024' }],
  }
  t.same(failing(wbbm), ['unit_sakip'], 'WBBM needs BB')
  // one year of building toward the target, from the pencanangan
  t.same(failing({ ...base(), buildingSince: '2025-06-15' }), [], 'exactly one year')
  t.same(failing({ ...base(), buildingSince: '2025-06-16' }), ['unit_building_one_year'], 'a day short')
  t.match(
    proposalVerdict({ ...base(), buildingSince: null }).checks.find((c) => c.check === 'unit_building_one_year'),
    { passed: false, message: /no declaration of ZI building toward WBK/ },
  )
})

t.test('the revocation ban (P90 Lampiran III BAB IV C, p. 63-64)', async (t) => {
  t.same(failing({ ...base(), revokedOn: '2024-06-16' }), ['revocation_ban'], 'one day short of two years')
  t.match(
    proposalVerdict({ ...base(), revokedOn: '2024-06-16' }).checks.find((c) => c.check === 'revocation_ban'),
    { message: /revoked on 2024-06-16: it cannot be proposed before 2026-06-16/, details: { source: /BAB IV C/ } },
  )
  t.same(failing({ ...base(), revokedOn: '2024-06-15' }), [], 'two years after the decision')
  t.same(failing({ ...base(), revokedOn: '2023-01-01' }), [], 'long ago')
  t.same(
    failing({ ...base(), revokedOn: '2026-01-01', rules: { ...base().rules, revocation_ban_years: 0 } }),
    [],
    'the ban is a rule of the period',
  )
  t.equal(addYears('2024-02-29', 2), '2026-03-01', '29 February plus two years')
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
