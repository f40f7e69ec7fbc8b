/**
 * The documents as pdfmake document definitions (plain data: no Fastify, no database, no fonts
 * loaded here): the TPI's Laporan Hasil Evaluasi internal, the instansi's draft surat usulan
 * (PermenPANRB 90/2021 Lampiran II, Gambar 6) and the SPTJM (Gambar 7). A4, Indonesian text,
 * numbers with a decimal comma (rules.ts `angka`), dates as "6 Desember 2026". render.ts turns a
 * definition into PDF bytes.
 */
import { angka, predikatLabel, ruleNumber, tanggal } from './rules.js'
import type { LheReport, SptjmReport, SuratUsulanReport } from './schemas.js'

/**
 * pdfmake's document definition, as much of it as these documents use (pdfmake ships no types;
 * DefinitelyTyped's pull in the DOM library, which this server does not have).
 */
export type Content = string | Content[] | { [key: string]: unknown }
export type TableCell = Content
export interface TDocumentDefinitions {
  content: Content[]
  pageSize?: 'A4'
  pageMargins?: [number, number, number, number]
  language?: string
  info?: Record<string, string>
  defaultStyle?: Record<string, unknown>
  styles?: Record<string, Record<string, unknown>>
  footer?: (page: number, pages: number) => Content
  watermark?: Record<string, unknown>
}

const STAGE_STATUS: Record<string, string> = {
  draft: 'draf',
  submitted: 'diajukan',
  returned: 'dikembalikan untuk perbaikan',
  approved: 'disetujui',
}

const PREDIKAT_FULL: Record<'WBK' | 'WBBM', string> = {
  WBK: 'Menuju Wilayah Bebas dari Korupsi (WBK)',
  WBBM: 'Menuju Wilayah Birokrasi Bersih dan Melayani (WBBM)',
}

const base = (
  title: string,
  subject: string,
): Pick<TDocumentDefinitions, 'pageSize' | 'pageMargins' | 'info' | 'defaultStyle' | 'styles' | 'language'> => ({
  pageSize: 'A4',
  pageMargins: [56, 56, 56, 56],
  language: 'id-ID',
  info: { title, subject, creator: 'zi-tracker', producer: 'zi-tracker (pdfmake)' },
  defaultStyle: { font: 'Roboto', fontSize: 10, lineHeight: 1.2 },
  styles: {
    title: { fontSize: 13, bold: true, alignment: 'center' },
    subtitle: { fontSize: 11, bold: true, alignment: 'center' },
    heading: { fontSize: 11, bold: true, margin: [0, 14, 0, 6] },
    th: { bold: true, fillColor: '#e8e8e8' },
    small: { fontSize: 8, color: '#444444' },
    right: { alignment: 'right' },
    kop: { fontSize: 14, bold: true, alignment: 'center' },
  },
})

const th = (text: string, extra: Record<string, unknown> = {}): TableCell => ({ text, style: 'th', ...extra })
const num = (text: string, extra: Record<string, unknown> = {}): TableCell => ({ text, alignment: 'right', ...extra })

/** A label : value block (no borders). */
const fields = (rows: [string, string][]): Content => ({
  table: { widths: [140, 8, '*'], body: rows.map(([k, v]) => [k, ':', v]) },
  layout: 'noBorders',
})

const footer =
  (label: string) =>
  (page: number, pages: number): Content => ({
    columns: [
      { text: label, style: 'small' },
      { text: `Halaman ${page} dari ${pages}`, style: 'small', alignment: 'right' },
    ],
    margin: [56, 20, 56, 0],
  })

// ---------------------------------------------------------------------------------------------
// LHE internal

export function lheDocument(r: LheReport): TDocumentDefinitions {
  const unitLine = [...r.unit.parents, r.unit.name].join(' / ')
  const components: TableCell[][] = [
    [
      th('Komponen'),
      th('Bobot', { alignment: 'right' }),
      th('Nilai', { alignment: 'right' }),
      th('%', { alignment: 'right' }),
    ],
    ...r.score.components.map((c) => [
      {
        text: c.name,
        margin: [c.level === 'sub_komponen' ? 12 : 0, 0, 0, 0],
        bold: c.level === 'komponen',
      } as TableCell,
      num(angka(c.max)),
      num(angka(c.value)),
      num(`${angka(c.percent)}%`),
    ]),
    [
      { text: 'NILAI TOTAL', bold: true },
      num(angka(r.score.max_total), { bold: true }),
      num(angka(r.score.total), { bold: true }),
      num(`${angka(r.score.max_total > 0 ? (r.score.total / r.score.max_total) * 100 : 0)}%`, { bold: true }),
    ],
  ]
  const areas: TableCell[][] = [
    [
      th('No'),
      th('Area perubahan'),
      th('Pemenuhan', { alignment: 'right' }),
      th('Reform', { alignment: 'right' }),
      th('Nilai', { alignment: 'right' }),
      th('Bobot', { alignment: 'right' }),
      th('%', { alignment: 'right' }),
    ],
    ...r.score.areas.map((a, i) => [
      String(i + 1),
      a.name,
      num(angka(a.pemenuhan.value)),
      num(angka(a.reform.value)),
      num(angka(a.value)),
      num(angka(a.max)),
      num(`${angka(a.percent)}%`),
    ]),
  ]
  const rules: TableCell[][] = [
    [
      th('Kriteria'),
      th('Syarat', { alignment: 'right' }),
      th('Capaian', { alignment: 'right' }),
      th('Selisih', { alignment: 'right' }),
      th('Keterangan'),
    ],
    ...r.rules.map((x) => [
      `${x.description}${x.predicate !== r.target ? ` (${x.predicate})` : ''}`,
      num(`≥ ${ruleNumber(x.measure, x.required)}`),
      num(ruleNumber(x.measure, x.actual)),
      num(x.passed ? '–' : ruleNumber(x.measure, x.gap)),
      { text: x.passed ? 'Memenuhi' : 'Belum memenuhi', bold: !x.passed },
    ]),
  ]
  const requirements: TableCell[][] = [
    [th('Persyaratan'), th('Kondisi'), th('Keterangan')],
    ...r.requirements.map((x) => [
      `${x.requirement}${x.decides ? '' : ' *'}`,
      x.found,
      { text: x.passed ? 'Memenuhi' : 'Belum memenuhi', bold: !x.passed },
    ]),
  ]
  const content: Content[] = [
    { text: 'LAPORAN HASIL EVALUASI INTERNAL', style: 'title' },
    { text: `PEMBANGUNAN ZONA INTEGRITAS ${PREDIKAT_FULL[r.target].toUpperCase()}`, style: 'subtitle' },
    { text: r.unit.name.toUpperCase(), style: 'subtitle', margin: [0, 6, 0, 0] },
    { text: r.instansi.name.toUpperCase(), style: 'subtitle' },
    { text: `TAHUN ${r.period.year}`, style: 'subtitle', margin: [0, 0, 0, 12] },
    { text: 'A. DATA UNIT KERJA', style: 'heading' },
    fields([
      ['Unit kerja', unitLine],
      ['Kode unit kerja', r.unit.code],
      ['Instansi pemerintah', r.instansi.name],
      ['Periode evaluasi', `${r.period.code} (tahun ${r.period.year})`],
      [
        'Target predikat',
        `${PREDIKAT_FULL[r.target]}${r.target_from === 'default' ? ' (belum ada pencanangan pada periode ini)' : ''}`,
      ],
      [
        'Penilaian TPI',
        r.stage.status === 'approved' && r.stage.approved_at
          ? `disetujui ${tanggal(r.stage.approved_at)}`
          : r.stage.status === 'submitted' && r.stage.submitted_at
            ? `diajukan ${tanggal(r.stage.submitted_at)}`
            : (STAGE_STATUS[r.stage.status] ?? r.stage.status),
      ],
      ['Tanggal laporan', tanggal(r.generated_on)],
    ]),
    { text: 'B. HASIL PENILAIAN', style: 'heading' },
    {
      text: `Tim Penilai Internal (TPI) telah melakukan evaluasi atas pembangunan Zona Integritas pada ${r.unit.name} dengan menggunakan Lembar Kerja Evaluasi (LKE). Nilai yang diperoleh adalah ${angka(r.score.total)} dari ${angka(r.score.max_total)}${r.score.unanswered > 0 ? `; ${r.score.unanswered} pertanyaan belum dijawab dan bernilai 0` : ''}.`,
      margin: [0, 0, 0, 8],
    },
    { text: 'Nilai per komponen', bold: true, margin: [0, 0, 0, 4] },
    {
      table: { headerRows: 1, dontBreakRows: true, widths: ['*', 60, 60, 60], body: components },
      layout: 'lightHorizontalLines',
    },
    { text: 'Nilai per area perubahan (komponen pengungkit)', bold: true, margin: [0, 10, 0, 4] },
    {
      table: { headerRows: 1, dontBreakRows: true, widths: [18, '*', 56, 50, 46, 46, 50], body: areas },
      layout: 'lightHorizontalLines',
    },
    { text: 'C. PEMENUHAN KRITERIA', style: 'heading' },
    { text: `Kriteria nilai ${PREDIKAT_FULL[r.target]}`, bold: true, margin: [0, 0, 0, 4] },
    {
      table: { headerRows: 1, dontBreakRows: true, widths: ['*', 56, 56, 50, 70], body: rules },
      layout: 'lightHorizontalLines',
    },
    { text: 'Kriteria tingkat unit kerja (PermenPANRB 90/2021 Tabel 5 dan 6)', bold: true, margin: [0, 10, 0, 4] },
    r.requirements.length > 0
      ? {
          table: { headerRows: 1, dontBreakRows: true, widths: ['*', 150, 70], body: requirements },
          layout: 'lightHorizontalLines',
        }
      : { text: 'Belum ada pencanangan pembangunan ZI unit kerja pada periode ini.', italics: true },
    ...(r.requirements.some((x) => !x.decides)
      ? [
          {
            text: '* ditampilkan sebagai informasi; tidak menentukan simpulan TPI atas unit kerja.',
            style: 'small',
          } as Content,
        ]
      : []),
    { text: 'D. CATATAN DAN REKOMENDASI', style: 'heading' },
    ...reviewSection(r),
    { text: 'E. RENCANA AKSI', style: 'heading' },
    ...actionPlanSection(r),
    { text: 'F. SIMPULAN', style: 'heading' },
    {
      text: [
        `Berdasarkan hasil evaluasi internal, ${r.unit.name} `,
        { text: r.conclusion.verdict.toUpperCase(), bold: true },
        ` sebagai unit kerja berpredikat ${PREDIKAT_FULL[r.target]}.`,
      ],
      margin: [0, 0, 0, 6],
    },
    { text: r.conclusion.text, margin: [0, 0, 0, 6] },
    ...(r.conclusion.unmet.length > 0
      ? [
          { text: 'Kriteria yang belum terpenuhi:', margin: [0, 0, 0, 2] } as Content,
          { ol: r.conclusion.unmet, margin: [12, 0, 0, 0] } as Content,
        ]
      : []),
    signatureBlock(r),
  ]
  return {
    ...base(`LHE Internal ${r.unit.name} ${r.period.year}`, 'Laporan Hasil Evaluasi Internal Zona Integritas'),
    footer: footer(`LHE Internal ZI · ${r.unit.name} · ${r.period.code}`),
    content,
  }
}

const ACTION_STATUS: Record<keyof LheReport['action_plan']['by_status'], string> = {
  planned: 'direncanakan',
  in_progress: 'berjalan',
  done: 'selesai',
  cancelled: 'dibatalkan',
}

type QuestionReview = LheReport['review']['other_questions'][number]

const questionTable = (questions: readonly QuestionReview[]): Content => ({
  table: {
    headerRows: 1,
    dontBreakRows: true,
    widths: [150, '*', '*'],
    body: [
      [th('Pertanyaan'), th('Catatan'), th('Rekomendasi')],
      ...questions.map((q) => [
        { text: [{ text: `${q.code} `, bold: true }, q.question], fontSize: 8 },
        q.note ?? '–',
        q.recommendation ?? '–',
      ]),
    ],
  },
  layout: 'lightHorizontalLines',
  margin: [0, 2, 0, 0],
})

/** Per area: the TPI's conclusion, its recommendations, and the notes and recommendations on its questions. */
function reviewSection(r: LheReport): Content[] {
  const out: Content[] = []
  r.review.areas.forEach((a, i) => {
    const empty = !a.conclusion && a.recommendations.length === 0 && a.questions.length === 0
    out.push({ text: `${i + 1}. ${a.name}`, bold: true, margin: [0, 6, 0, 2] })
    if (empty) {
      out.push({ text: 'Belum ada catatan dan rekomendasi TPI.', italics: true, color: '#555555' })
      return
    }
    if (a.conclusion) out.push({ text: [{ text: 'Simpulan: ', bold: true }, a.conclusion], margin: [0, 0, 0, 2] })
    if (a.recommendations.length > 0)
      out.push({ text: 'Rekomendasi:', bold: true }, { ol: a.recommendations, margin: [12, 0, 0, 2] })
    if (a.questions.length > 0) out.push(questionTable(a.questions))
  })
  if (r.review.other_questions.length > 0)
    out.push(
      { text: 'Komponen hasil dan lainnya', bold: true, margin: [0, 6, 0, 2] },
      questionTable(r.review.other_questions),
    )
  return out
}

/** The rencana aksi's state per area. */
function actionPlanSection(r: LheReport): Content[] {
  const p = r.action_plan
  if (p.total === 0)
    return [{ text: `Per ${tanggal(p.as_of)} belum ada rencana aksi unit kerja pada periode ini.`, italics: true }]
  const counts = (Object.keys(ACTION_STATUS) as (keyof typeof ACTION_STATUS)[])
    .filter((k) => p.by_status[k] > 0)
    .map((k) => `${p.by_status[k]} ${ACTION_STATUS[k]}`)
    .join(', ')
  return [
    {
      text: `Keadaan rencana aksi per ${tanggal(p.as_of)}: ${p.total} aksi (${counts}); ${p.overdue} aksi melewati target waktu.`,
      margin: [0, 0, 0, 4],
    },
    {
      table: {
        headerRows: 1,
        dontBreakRows: true,
        widths: ['*', 44, 44, 56, 56, 60],
        body: [
          [
            th('Area perubahan'),
            th('Aksi', { alignment: 'right' }),
            th('Selesai', { alignment: 'right' }),
            th('Terlambat', { alignment: 'right' }),
            th('Dibatalkan', { alignment: 'right' }),
            th('Realisasi', { alignment: 'right' }),
          ],
          ...p.areas.map((a) => [
            a.name,
            num(String(a.total)),
            num(String(a.done)),
            num(String(a.overdue), a.overdue > 0 ? { bold: true } : {}),
            num(String(a.cancelled)),
            num(a.progress_percent === null ? '–' : `${angka(a.progress_percent)}%`),
          ]),
        ],
      },
      layout: 'lightHorizontalLines',
    },
  ]
}

function signatureBlock(r: LheReport): Content {
  const [chair, ...members] = r.signatures.team
  const line = (name: string | null) => name ?? '(.................................................)'
  return {
    unbreakable: true,
    margin: [0, 24, 0, 0],
    columns: [
      {
        width: '*',
        stack:
          members.length > 0
            ? [
                { text: 'Anggota Tim:', margin: [0, 0, 0, 4] },
                {
                  ol: members.map((m) => ({ text: `${line(m.name)}    ........................` })),
                },
              ]
            : [{ text: '' }],
      },
      {
        width: 220,
        stack: [
          `..................., ${tanggal(r.signatures.date)}`,
          'Tim Penilai Internal Zona Integritas',
          r.instansi.name,
          { text: `${chair?.role ?? 'Ketua Tim'},`, margin: [0, 4, 0, 48] },
          { text: line(chair?.name ?? null), bold: true },
          'NIP. ........................................',
        ],
      },
    ],
  }
}

// ---------------------------------------------------------------------------------------------
// Surat usulan (Gambar 6) and SPTJM (Gambar 7)

const DRAFT_MARK = { text: 'DRAF', color: '#999999', opacity: 0.12, bold: true }

const kop = (instansi: string): Content[] => [
  { text: instansi.toUpperCase(), style: 'kop' },
  {
    canvas: [{ type: 'line', x1: 0, y1: 4, x2: 483, y2: 4, lineWidth: 1.5 }],
    margin: [0, 0, 0, 14],
  },
]

export function suratUsulanDocument(r: SuratUsulanReport): TDocumentDefinitions {
  const content: Content[] = [
    ...kop(r.instansi.name),
    {
      columns: [
        {
          width: '*',
          table: {
            widths: [52, 8, '*'],
            body: [
              ['Nomor', ':', '(nomor surat)'],
              ['Lampiran', ':', '-'],
              [
                'Hal',
                ':',
                'Pengajuan Unit Kerja/Satuan Kerja Berpredikat Menuju Wilayah Bebas dari Korupsi (WBK)/Wilayah Birokrasi Bersih dan Melayani (WBBM)',
              ],
            ],
          },
          layout: 'noBorders',
        },
        { width: 150, text: `..................., ${tanggal(r.generated_on)}`, alignment: 'right' },
      ],
      columnGap: 16,
    },
    {
      margin: [0, 16, 0, 12],
      stack: [
        'Kepada Yth.',
        'Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Republik Indonesia',
        'Cq. Deputi Bidang Reformasi Birokrasi, Akuntabilitas Aparatur, dan Pengawasan',
        { text: 'Jakarta', margin: [24, 0, 0, 0] },
      ],
    },
    {
      text: `Dengan hormat, bahwa dalam rangka pelaksanaan ${r.regulation}, kami telah melakukan upaya pembangunan Zona Integritas di ${r.instansi.name}. Berdasarkan laporan hasil evaluasi tahun ${r.period.year} oleh Tim Penilaian Internal (TPI) ZI ${r.instansi.name}, kami mengusulkan:`,
      alignment: 'justify',
      margin: [0, 0, 0, 6],
    },
    { ol: r.units.map((u) => `${u.unit.name} / ${u.predikat}`), margin: [16, 0, 0, 6] },
    {
      text: 'sebagai calon unit kerja/satuan kerja berpredikat Menuju Wilayah Bebas dari Korupsi (WBK) dan/atau Wilayah Birokrasi Bersih dan Melayani (WBBM).',
      alignment: 'justify',
      margin: [0, 0, 0, 6],
    },
    {
      text: 'Sehubungan dengan hal tersebut, kami mohon agar Tim Penilai Nasional dapat melakukan evaluasi atas unit kerja/satuan kerja yang diusulkan tersebut.',
      alignment: 'justify',
      margin: [0, 0, 0, 6],
    },
    {
      text: 'Demikian kami sampaikan, atas perhatian dan kerja samanya, kami ucapkan terima kasih.',
      alignment: 'justify',
    },
    {
      unbreakable: true,
      margin: [260, 24, 0, 0],
      stack: [
        'Pimpinan Instansi Pemerintah',
        r.instansi.name,
        { text: '', margin: [0, 48, 0, 0] },
        { text: '(.................................................)', bold: true },
      ],
    },
    { text: 'Tembusan:', margin: [0, 24, 0, 0] },
    {
      text:
        r.pic.name || r.pic.email || r.pic.phone
          ? `Narahubung: ${[r.pic.name, r.pic.email, r.pic.phone].filter(Boolean).join(', ')}`
          : '',
      style: 'small',
      margin: [0, 12, 0, 0],
    },
  ]
  return {
    ...base(`Surat Usulan ZI ${r.instansi.name} ${r.period.year}`, 'Draf surat pengajuan evaluasi kepada TPN'),
    watermark: DRAFT_MARK,
    footer: footer(`Draf surat usulan · ${r.instansi.name} · ${r.period.code}`),
    content,
  }
}

export function sptjmDocument(r: SptjmReport): TDocumentDefinitions {
  const content: Content[] = r.units.map((u, i) => ({
    pageBreak: i > 0 ? 'before' : undefined,
    stack: [
      ...kop(r.instansi.name),
      { text: 'SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK', style: 'title', decoration: 'underline' },
      { text: 'Nomor: (nomor surat)', alignment: 'center', margin: [0, 2, 0, 16] },
      { text: 'Yang bertanda tangan di bawah ini:', margin: [0, 0, 0, 6] },
      fields([
        ['Nama', '(nama)'],
        ['NIP', '(NIP)'],
        ['Jabatan', `Kepala ${u.unit.name}`],
        ['Unit kerja/satuan kerja', u.unit.name],
        ['Instansi pemerintah', r.instansi.name],
      ]),
      { text: 'dengan ini menyatakan bahwa:', margin: [0, 10, 0, 6] },
      {
        ol: [
          `semua data dan informasi yang disampaikan dalam rangka pengajuan ${u.unit.name} sebagai unit kerja/satuan kerja berpredikat ${predikatLabel(u.kategori)} tahun ${r.period.year} telah sesuai dengan fakta yang ada;`,
          'data dukung yang disampaikan adalah benar dan dapat dipertanggungjawabkan;',
          'apabila di kemudian hari ditemukan bahwa data dan informasi tersebut tidak sesuai dengan fakta yang ada, saya bersedia bertanggung jawab mutlak dan menerima sanksi sesuai dengan ketentuan peraturan perundang-undangan.',
        ],
        alignment: 'justify',
        margin: [12, 0, 0, 10],
      },
      {
        text: 'Demikian surat pernyataan ini dibuat dengan sebenarnya untuk dapat dipergunakan sebagaimana mestinya.',
        alignment: 'justify',
      },
      {
        unbreakable: true,
        margin: [260, 24, 0, 0],
        stack: [
          `..................., ${tanggal(r.generated_on)}`,
          'Yang membuat pernyataan,',
          `Kepala ${u.unit.name}`,
          { text: 'Meterai', style: 'small', margin: [0, 14, 0, 20] },
          { text: '(nama)', bold: true },
          'NIP. ........................................',
        ],
      },
    ],
  }))
  return {
    ...base(`SPTJM ZI ${r.instansi.name} ${r.period.year}`, 'Surat Pernyataan Tanggung Jawab Mutlak'),
    watermark: DRAFT_MARK,
    footer: footer(`Draf SPTJM · ${r.instansi.name} · ${r.period.code}`),
    content,
  }
}
