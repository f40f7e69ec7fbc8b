import t from 'tap'
import {
  BUNDLED_SETS,
  checkSubmission,
  composition,
  computeIndex,
  finality,
  planImport,
  roundHalfUp,
  toFourPointScale,
  type SurveyItem,
} from '../../src/modules/survey/rules.js'

const ipak = BUNDLED_SETS.find((s) => s.kind === 'ipak')!.items
const answers = (values: number[]) => Object.fromEntries(values.map((v, i) => [`IPAK-${i + 1}`, v]))

t.test('the index of the bundled IPAK set, computed by hand', async (t) => {
  // item sums 12, 14, 14, 16, 15 over 4 → 3, 3.5, 3.5, 4, 3.75; mean of the five aspects 17.75 / 5 = 3.55
  const r = computeIndex(ipak, [
    answers([4, 4, 4, 4, 4]),
    answers([3, 4, 3, 4, 3]),
    answers([3, 3, 4, 4, 4]),
    answers([2, 3, 3, 4, 4]),
  ])
  t.equal(r.respondents, 4)
  t.same(
    r.items.map((i) => i.mean),
    [3, 3.5, 3.5, 4, 3.75],
  )
  t.same(
    r.aspects.map((a) => [a.aspect, a.mean]),
    [
      ['diskriminasi', 3],
      ['kecurangan', 3.5],
      ['imbalan', 3.5],
      ['pungli', 4],
      ['percaloan', 3.75],
    ],
  )
  t.equal(r.index_rounded, 3.55)
  // 3.55 / 4 × 17.5 = 15.53125
  t.equal(r.lke_points, 15.53)
})

t.test('each aspect weighs the same, whatever its number of items', async (t) => {
  const items: SurveyItem[] = [
    { code: 'A1', text: 'a1', aspect: 'a', source: 's' },
    { code: 'A2', text: 'a2', aspect: 'a', source: 's' },
    { code: 'B1', text: 'b1', aspect: 'b', source: 's' },
  ]
  const r = computeIndex(items, [
    { A1: 4, A2: 2, B1: 4 },
    { A1: 3, A2: 1, B1: 4 },
  ])
  // items 3.5, 1.5, 4; aspect a (3.5 + 1.5) / 2 = 2.5, b 4; index (2.5 + 4) / 2 = 3.25 (a mean of items would say 3)
  t.same(
    r.aspects.map((a) => a.mean),
    [2.5, 4],
  )
  t.equal(r.index, 3.25)
})

t.test('rounding happens once, at the end, half up at two decimals', async (t) => {
  t.equal(roundHalfUp(3.605), 3.61)
  t.equal(roundHalfUp(3.6049), 3.6)
  t.equal(roundHalfUp(3.125), 3.13)
  t.equal(roundHalfUp(15.53125), 15.53)
  // one item, 200 respondents: 121 × 4 + 79 × 3 = 721; 721 / 200 = 3.605 → 3.61
  const one: SurveyItem[] = [{ code: 'X', text: 'x', aspect: 'x', source: 's' }]
  const rows = [...Array.from({ length: 121 }, () => ({ X: 4 })), ...Array.from({ length: 79 }, () => ({ X: 3 }))]
  const r = computeIndex(one, rows)
  t.equal(r.index_rounded, 3.61)
  t.equal(computeIndex(one, []).index, null, 'no respondents, no index')
})

t.test('fewer than 30 respondents are flagged and not final without a justification', async (t) => {
  t.match(finality(29, null), { below_minimum: true, final: false })
  t.match(finality(29, 'unit melayani 25 orang sebulan'), { below_minimum: true, final: true })
  t.match(finality(30, null), { below_minimum: false, final: true })
  t.match(finality(0, 'x'), { final: false })
})

t.test('composition by service type names the types no respondent covers', async (t) => {
  const c = composition(['KTP', 'KK', 'Akta'], ['KTP', 'KTP', null, 'KK'])
  t.same(c.by_service_type, [
    { service_type: 'KTP', respondents: 2, share: 50 },
    { service_type: 'KK', respondents: 1, share: 25 },
    { service_type: 'Akta', respondents: 0, share: 0 },
    { service_type: null, respondents: 1, share: 25 },
  ])
  t.same(c.missing_service_types, ['Akta'])
})

t.test('another scale converts linearly to 1–4', async (t) => {
  t.equal(toFourPointScale(1, 6), 1)
  t.equal(toFourPointScale(6, 6), 4)
  t.equal(toFourPointScale(4, 6), 2.8)
  t.equal(toFourPointScale(3, 5), 2.5)
  t.equal(toFourPointScale(3, 4), 3)
})

t.test('the public form: every item on the scale, nothing the form does not ask', async (t) => {
  const sets = { ipak }
  const full = Object.fromEntries(ipak.map((i) => [`ipak.${i.code}`, '4']))
  const ok = checkSubmission(sets, ['KTP'], { ...full, service_type: 'KTP', age_band: '30_39' }, { invitation: false })
  t.ok(ok.ok)
  const bad = checkSubmission(
    sets,
    ['KTP'],
    { ...full, 'ipak.IPAK-2': '5', 'ipak.IPAK-3': '', nama: 'Budi', service_type: 'SIM', website: 'x' },
    { invitation: true },
  )
  t.notOk(bad.ok)
  if (!bad.ok)
    t.same(bad.problems.map((p) => p.field).sort(), [
      'ipak.IPAK-2',
      'ipak.IPAK-3',
      'kode',
      'nama',
      'service_type',
      'website',
    ])
})

t.test('an import names every bad row and cell', async (t) => {
  const header = ['Cap waktu', 'Nama', 'Jenis layanan', 'Usia', ...ipak.map((i) => `[${i.code}] ${i.text}`)]
  const plan = planImport(
    [
      header,
      ['2026-01-01', 'A', 'KTP', '30–39 tahun', '4', '4', '3', '4', 'Sangat setuju'],
      ['2026-01-02', 'B', 'Paspor', '', '4', '5', '3', '', '4'],
      ['', '', '', '', '', '', '', '', ''],
      ['2026-01-03', 'C', 'kk', 'tua', '1', '2', 'tiga', '4', '4'],
    ],
    { ipak },
    ['KTP', 'KK'],
    4,
  )
  t.same(plan.ignored_columns, ['Cap waktu', 'Nama'])
  t.equal(plan.blank_rows, 1)
  t.same(
    plan.problems.map((p) => [p.row, p.column?.split(' ')[0], p.rule]),
    [
      [3, 'C', 'unknown_choice'],
      [3, 'F', 'out_of_scale'],
      [3, 'H', 'required'],
      [5, 'D', 'unknown_choice'],
      [5, 'G', 'out_of_scale'],
    ],
  )
  t.same(plan.responses[0]!.answers.ipak, { 'IPAK-1': 4, 'IPAK-2': 4, 'IPAK-3': 3, 'IPAK-4': 4, 'IPAK-5': 4 })
  t.equal(plan.responses[0]!.ageBand, '30_39')
  t.equal(plan.responses[2]!.serviceType, 'KK', 'a service type matches without regard to case')
  const missing = planImport([['Nama']], { ipak }, [], 4)
  t.equal(missing.problems.filter((p) => p.rule === 'missing_column').length, 5)
})
