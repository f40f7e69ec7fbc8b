import t from 'tap'
import { evaluateEligibility, scoreInstrument } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { type Content, lheDocument, sptjmDocument, suratUsulanDocument } from '../../src/modules/reports/documents.js'
import {
  angka,
  areaScores,
  conclusionOf,
  persen,
  requirementRows,
  ruleRows,
  tanggal,
  wibDate,
} from '../../src/modules/reports/rules.js'
import type { LheReport, SptjmReport, SuratUsulanReport } from '../../src/modules/reports/schemas.js'

/** Every text of a document definition, in order, joined by spaces (what a reader would see, without layout). */
function textOf(node: unknown): string {
  if (typeof node === 'string') return node
  if (Array.isArray(node)) return node.map(textOf).join(' ')
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>
    return ['text', 'stack', 'columns', 'ol', 'ul', 'table', 'body']
      .filter((k) => k in o)
      .map((k) => textOf(o[k]))
      .join(' ')
  }
  return ''
}

t.test('Indonesian formatting: dates, decimal comma, percentages, the WIB date', async (t) => {
  t.equal(tanggal('2026-12-06'), '6 Desember 2026')
  t.equal(tanggal('2025-01-20T03:00:00.000Z'), '20 Januari 2025')
  t.equal(angka(75), '75,00')
  t.equal(angka(1234.5), '1.234,50')
  t.equal(angka(1.005), '1,01', 'rounded on the decimal digits, as the API rounds')
  t.equal(angka(-0.001), '0,00')
  t.equal(angka(1234567.891), '1.234.567,89')
  t.equal(persen(0.6), '60,00%')
  t.equal(wibDate(new Date('2026-12-06T17:30:00Z')), '2026-12-07', 'past 17:00 UTC it is the next day in WIB')
})

t.test('areas, rules with gaps and the conclusion from a scored definition', async (t) => {
  const def = loadSeedInstrument()
  const best = scoreInstrument(
    def,
    Object.fromEntries(
      def.nodes.filter((n) => n.level === 'question' && n.options?.length).map((n) => [n.code, n.options![0]!.value]),
    ),
    { explain: false },
  )
  const empty = scoreInstrument(def, {}, { explain: false })
  const areas = areaScores(def, empty.nodes)
  t.same(
    areas.map((a) => a.area),
    [
      'manajemen_perubahan',
      'penataan_tatalaksana',
      'penataan_sdm',
      'penguatan_akuntabilitas',
      'penguatan_pengawasan',
      'pelayanan_publik',
    ],
  )
  t.equal(
    areas.reduce((s, a) => s + a.max, 0),
    60,
    'the six areas hold the 60 points of Pengungkit',
  )
  t.ok(
    areas.every((a) => a.pemenuhan.max > 0 && a.reform.max > 0 && a.pemenuhan.max + a.reform.max === a.max),
    'each area has its Pemenuhan and Reform halves',
  )
  t.ok(areas.every((a) => a.percent === 0))
  const full = areaScores(def, best.nodes)
  t.ok(full.some((a) => a.percent > 0))

  const rules = ruleRows(def, evaluateEligibility(def, empty), 'WBK')
  t.ok(rules.length > 0)
  t.ok(rules.every((r) => r.predicate === 'WBK'))
  t.ok(rules.every((r) => !r.passed && r.gap === r.required - r.actual))
  const total = rules.find((r) => r.measure === 'value' && /total/i.test(r.description))
  t.ok(total, 'the total rule')
  const wbbm = ruleRows(def, evaluateEligibility(def, empty), 'WBBM')
  t.ok(wbbm.some((r) => r.predicate === 'WBK') && wbbm.some((r) => r.predicate === 'WBBM'), 'WBBM: the WBK rules too')

  const requirements = requirementRows([
    { check: 'declaration_status', passed: false },
    { check: 'unit_tlhp', passed: true, details: { value: 100 } },
    { check: 'unit_lhkpn_lhkasn', passed: false, details: { lhkpn_percent: 90, lhkasn_percent: null } },
    { check: 'instansi_gate', passed: false },
  ])
  t.same(
    requirements.map((r) => [r.check, r.found, r.decides]),
    [
      ['unit_tlhp', '100,00%', true],
      ['unit_lhkpn_lhkasn', 'LHKPN 90,00%, LHKASN belum dicatat', true],
      ['instansi_gate', 'belum terpenuhi', false],
    ],
    'only the unit-level checks and the gate, in Indonesian',
  )
  const no = conclusionOf('Puskesmas A', 'WBK', rules, requirements)
  t.equal(no.verdict, 'belum memenuhi syarat untuk diusulkan')
  t.match(no.text, 'perlu dilakukan perbaikan dan pembinaan kembali')
  t.equal(no.unmet.length, rules.length + 1, 'every rule short and the LHKPN/LHKASN requirement; not the gate')
  const yes = conclusionOf(
    'Puskesmas A',
    'WBK',
    rules.map((r) => ({ ...r, passed: true, gap: 0 })),
    requirements.filter((r) => r.passed || !r.decides),
  )
  t.match(yes, { eligible: true, verdict: 'memenuhi syarat untuk diusulkan', unmet: [] })
  t.match(yes.text, 'mengajukan evaluasi ke Kementerian PANRB selaku TPN')
  t.equal(conclusionOf('X', 'WBK', [], []).eligible, false, 'no rule: never eligible')
})

const period = { id: '00000000-0000-4000-8000-000000000001', code: 'ZI-2026', year: 2026 }
const instansi = {
  id: '00000000-0000-4000-8000-000000000002',
  code: '3201',
  name: 'Pemerintah Kabupaten Contoh',
  instansi_kind: 'kabupaten' as const,
}

t.test('the LHE document: every section, A4, the numbers as printed', async (t) => {
  const report: LheReport = {
    kind: 'lhe',
    title: 'LHE',
    generated_on: '2026-12-06',
    period,
    instansi,
    unit: { id: instansi.id, code: 'PKM-1', name: 'Puskesmas Satu', kind: 'unit', parents: ['Dinas Kesehatan'] },
    assessment_id: instansi.id,
    stage: { id: instansi.id, status: 'approved', submitted_at: null, approved_at: '2026-11-30T02:00:00.000Z' },
    target: 'WBK',
    target_from: 'declaration',
    declaration_id: null,
    score: {
      total: 76.125,
      max_total: 100,
      components: [{ code: 'P', name: 'PENGUNGKIT', level: 'komponen', value: 45.5, max: 60, percent: 75.8333 }],
      areas: [
        {
          area: 'manajemen_perubahan',
          name: 'Manajemen Perubahan',
          pemenuhan: { value: 2, max: 4 },
          reform: { value: 3.5, max: 4 },
          value: 5.5,
          max: 8,
          percent: 68.75,
        },
      ],
      unanswered: 2,
    },
    rules: [
      {
        rule: 'wbk_area_1',
        predicate: 'WBK',
        description: 'Area 1 minimal 60%',
        measure: 'share_of_weight',
        required: 0.6,
        actual: 0.55,
        gap: 0.05,
        passed: false,
        source: 'P90',
      },
    ],
    requirements: [{ check: 'unit_tlhp', requirement: 'TLHP 100%', passed: true, found: '100,00%', decides: true }],
    review: {
      areas: [
        {
          area: 'manajemen_perubahan',
          name: 'Manajemen Perubahan',
          conclusion: 'Tim kerja telah dibentuk namun belum dievaluasi.',
          recommendations: ['Lakukan monitoring rencana kerja tiap triwulan'],
          questions: [
            { code: 'Q3', question: 'Apakah tim telah dibentuk?', note: 'SK tim ada', recommendation: 'Perbarui SK' },
          ],
        },
        {
          area: 'penataan_tatalaksana',
          name: 'Penataan Tatalaksana',
          conclusion: null,
          recommendations: [],
          questions: [],
        },
      ],
      other_questions: [],
    },
    action_plan: {
      as_of: '2026-12-06',
      total: 3,
      by_status: { planned: 1, in_progress: 1, done: 1, cancelled: 0 },
      overdue: 1,
      areas: [
        {
          area: 'manajemen_perubahan',
          name: 'Manajemen Perubahan',
          total: 3,
          done: 1,
          overdue: 1,
          cancelled: 0,
          progress_percent: 56.6667,
        },
      ],
    },
    conclusion: conclusionOf('Puskesmas Satu', 'WBK', [], []),
    signatures: {
      date: '2026-12-06',
      team: [
        { role: 'Ketua Tim', name: 'Budi' },
        { role: 'Anggota Tim', name: 'Sari' },
      ],
    },
  }
  const doc = lheDocument(report)
  t.equal(doc.pageSize, 'A4')
  t.equal(doc.defaultStyle?.font, 'Roboto')
  const text = textOf(doc.content).replace(/\s+/g, ' ')
  for (const expected of [
    'LAPORAN HASIL EVALUASI INTERNAL',
    'PUSKESMAS SATU',
    'PEMERINTAH KABUPATEN CONTOH',
    'TAHUN 2026',
    'Dinas Kesehatan / Puskesmas Satu',
    'disetujui 30 November 2026',
    'Nilai yang diperoleh adalah 76,13 dari 100,00; 2 pertanyaan belum dijawab',
    '75,83%',
    'Manajemen Perubahan',
    '68,75%',
    '≥ 60,00%',
    '55,00%',
    '5,00%',
    'Belum memenuhi',
    'TLHP 100%',
    'BELUM MEMENUHI SYARAT UNTUK DIUSULKAN',
    'D. CATATAN DAN REKOMENDASI',
    'Simpulan: Tim kerja telah dibentuk namun belum dievaluasi.',
    'Lakukan monitoring rencana kerja tiap triwulan',
    'Q3 Apakah tim telah dibentuk? SK tim ada Perbarui SK',
    'Belum ada catatan dan rekomendasi TPI.',
    'E. RENCANA AKSI',
    'Keadaan rencana aksi per 6 Desember 2026: 3 aksi (1 direncanakan, 1 berjalan, 1 selesai); 1 aksi melewati target waktu.',
    '56,67%',
    'F. SIMPULAN',
    '6 Desember 2026',
    'Ketua Tim,',
    'Budi',
    'Sari',
  ])
    t.match(text, expected, expected)
  t.equal(textOf((doc.footer as (p: number, n: number) => Content)(2, 3)).includes('Halaman 2 dari 3'), true)
})

t.test('the surat usulan and the SPTJM: Gambar 6 and 7, one SPTJM page per unit', async (t) => {
  const units = [
    {
      declaration_id: instansi.id,
      unit: { id: instansi.id, code: 'PKM-1', name: 'Puskesmas Satu' },
      target: 'WBK' as const,
      kategori: 'WBK' as const,
      predikat: 'Menuju WBK',
      status: 'proposed' as const,
      tpi_total: 80,
    },
    {
      declaration_id: period.id,
      unit: { id: period.id, code: 'RSUD', name: 'RSUD Contoh' },
      target: 'WBBM' as const,
      kategori: 'WBBM' as const,
      predikat: 'Menuju WBBM',
      status: 'proposed' as const,
      tpi_total: 90,
    },
  ]
  const surat: SuratUsulanReport = {
    kind: 'surat_usulan',
    title: 'x',
    generated_on: '2026-05-02',
    period,
    instansi,
    units,
    regulation: 'Peraturan Menteri PANRB Nomor 90 Tahun 2021',
    pic: { name: 'Sri', email: 'sri@contoh.go.id', phone: null },
  }
  const s = textOf(suratUsulanDocument(surat).content)
  for (const expected of [
    'PEMERINTAH KABUPATEN CONTOH',
    'Nomor',
    'Lampiran',
    'Hal',
    '2 Mei 2026',
    'Kepada Yth.',
    'Cq. Deputi Bidang Reformasi Birokrasi, Akuntabilitas Aparatur, dan Pengawasan',
    'Dengan hormat, bahwa dalam rangka pelaksanaan Peraturan Menteri PANRB Nomor 90 Tahun 2021',
    'laporan hasil evaluasi tahun 2026 oleh Tim Penilaian Internal (TPI) ZI Pemerintah Kabupaten Contoh',
    'Puskesmas Satu / Menuju WBK',
    'RSUD Contoh / Menuju WBBM',
    'kami mohon agar Tim Penilai Nasional dapat melakukan evaluasi',
    'Pimpinan Instansi Pemerintah',
    'Tembusan:',
    'Narahubung: Sri, sri@contoh.go.id',
  ])
    t.match(s, expected, expected)
  t.match(suratUsulanDocument(surat).watermark, { text: 'DRAF' })

  const sptjm: SptjmReport = { kind: 'sptjm', title: 'x', generated_on: '2026-05-02', period, instansi, units }
  const doc = sptjmDocument(sptjm)
  t.equal(doc.content.length, 2, 'one statement per unit')
  t.same(
    doc.content.map((c) => (c as { pageBreak?: string }).pageBreak),
    [undefined, 'before'],
    'each on its own page',
  )
  const text = textOf(doc.content)
  t.match(text, 'SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK')
  t.match(text, 'Kepala Puskesmas Satu')
  t.match(
    text,
    'pengajuan RSUD Contoh sebagai unit kerja/satuan kerja berpredikat Menuju WBBM tahun 2026 telah sesuai dengan fakta yang ada',
  )
  t.match(text, 'Meterai')
})
