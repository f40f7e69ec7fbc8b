import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { declarations } from '../../src/modules/declarations/tables.js'
import type { AnswerValue } from '../../src/modules/instruments/domain/index.js'
import { proposals } from '../../src/modules/proposals/tables.js'
import { angka } from '../../src/modules/reports/rules.js'
import { LheReport, SptjmReport, SuratUsulanReport } from '../../src/modules/reports/schemas.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertUnit } from '../helpers/units.js'
import { seededInstrumentId } from '../portalrb/fixture.js'

/** Rendered PDFs and their pages as images, kept for a look (gitignored with .tap/). */
const ARTIFACTS = join(process.cwd(), '.tap', 'artifacts', 'reports')
mkdirSync(ARTIFACTS, { recursive: true })

/** The PDF's text (pdftotext, poppler-utils), whitespace folded; its pages rendered to PNG at 50 dpi. */
function pdfText(bytes: Buffer, name: string): string {
  const file = join(ARTIFACTS, `${name}.pdf`)
  writeFileSync(file, bytes)
  execFileSync('pdftoppm', ['-png', '-r', '50', file, join(ARTIFACTS, name)])
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
}

const golden = (name: string): { question_code: string; value: AnswerValue }[] =>
  Object.entries(
    (
      JSON.parse(readFileSync(new URL(`../fixtures/golden/${name}.json`, import.meta.url), 'utf8')) as {
        answers: Record<string, AnswerValue>
      }
    ).answers,
  )
    .filter(([, v]) => v !== null)
    .map(([question_code, value]) => ({ question_code, value }))

const ajv = new Ajv({ allErrors: true, strict: false })
addFormats.default(ajv)
const checkLhe = ajv.compile(LheReport)
const checkSurat = ajv.compile(SuratUsulanReport)
const checkSptjm = ajv.compile(SptjmReport)

t.test('reports: the LHE internal, the surat usulan and the SPTJM as PDF and JSON', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false' })
  const { app } = ctx
  const lke = await seededInstrumentId(ctx)
  const period = await insertPeriod(ctx, { instrumentVersionId: lke, year: 2026, code: 'ZI-2026' })
  const instansi = await insertUnit(ctx, { kind: 'instansi', code: '3201', name: 'Pemerintah Kabupaten Contoh' })
  const opd = await insertUnit(ctx, { kind: 'opd', parent: instansi, code: '1.02.01', name: 'Dinas Kesehatan' })
  const best = await insertUnit(ctx, { kind: 'unit', parent: opd, code: 'PKM-1', name: 'Puskesmas Sukamaju' })
  const worst = await insertUnit(ctx, { kind: 'unit', parent: opd, code: 'PKM-2', name: 'Puskesmas Sukamundur' })
  const other = await insertUnit(ctx, { kind: 'instansi', code: '3202', name: 'Pemerintah Kota Lain' })
  const admin = bearer(await createToken(ctx, 'admin'))
  const tpiToken = bearer(await createToken(ctx, 'evaluator', { unitIds: [opd.id], name: 'Budi Santoso' }))
  const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [opd.id] }))
  const viewerOther = bearer(await createToken(ctx, 'viewer', { unitIds: [other.id] }))

  const ok = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers = admin) => {
    const res = await app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res
  }

  const decl: Record<string, string> = {}
  for (const [key, unit] of [
    ['best', best],
    ['worst', worst],
  ] as const) {
    decl[key] = (
      await ok('POST', '/v1/declarations', {
        unit_id: unit.id,
        period_id: period.id,
        target: 'WBK',
        declared_on: '2025-01-20',
      })
    ).json().id
  }
  const assessment: Record<string, string> = {}
  let reviewedQuestion = ''
  for (const [key, unit, answers] of [
    ['best', best, 'all-best'],
    ['worst', worst, 'all-worst'],
  ] as const) {
    const a = (await ok('POST', '/v1/assessments', { period_id: period.id, unit_id: unit.id })).json()
    const url = `/v1/assessments/${a.id}`
    await ok('POST', `${url}/stages/self/answers/batch`, { answers: golden(answers) })
    await ok('POST', `${url}/stages/self/transitions`, { to: 'submitted' })
    await ok('POST', `${url}/stages`, { kind: 'tpi', copy_from: 'self' }, tpiToken)
    if (key === 'best') {
      // the TPI's review while its stage is a draft: a note and a recommendation on a question, an area's conclusion
      const first = golden(answers)[0]!
      await ok(
        'POST',
        `${url}/stages/tpi/answers/batch`,
        {
          answers: [
            { ...first, note: 'Catatan TPI: SK tim belum diperbarui', recommendation: 'Perbarui SK tim kerja ZI' },
          ],
        },
        tpiToken,
      )
      await ok(
        'PUT',
        `${url}/stages/tpi/review`,
        {
          areas: [
            {
              area: 'manajemen_perubahan',
              conclusion: 'Komitmen pimpinan kuat, monitoring belum rutin.',
              recommendations: ['Lakukan monitoring rencana kerja setiap triwulan'],
            },
          ],
        },
        tpiToken,
      )
      reviewedQuestion = first.question_code
    }
    await ok('POST', `${url}/stages/tpi/transitions`, { to: 'submitted' }, tpiToken)
    await ok('POST', `${url}/stages/tpi/transitions`, { to: 'approved' })
    assessment[key] = a.id
  }
  // the best unit meets the unit-level requirements of Tabel 5
  await ok('PUT', `/v1/periods/${period.id}/units/${best.id}/requirements`, {
    core_service: { value: true, justification: 'layanan kesehatan dasar' },
    public_perception_impact: { value: true, justification: '300 warga per hari' },
    tlhp_percent: { value: 100 },
    lhkpn_percent: { value: 100 },
    lhkasn_percent: { value: 100 },
    sakip_predicate: { value: 'BB' },
  })

  // the unit's rencana aksi: one action overdue, one ahead
  for (const [title, target_date] of [
    ['Evaluasi SOP pelayanan', '2026-01-31'],
    ['Survei kepuasan triwulan IV', '2099-12-31'],
  ] as const)
    await ok(
      'POST',
      '/v1/actions',
      {
        unit_id: best.id,
        period_id: period.id,
        area: 'penataan_tatalaksana',
        title,
        pic_name: 'Kepala Puskesmas',
        target_date,
      },
      operator,
    )

  t.test('the LHE as JSON: the score per komponen and area, every rule, the conclusion', async (t) => {
    const body = (await ok('GET', `/v1/assessments/${assessment.best}/stages/tpi/lhe`)).json()
    t.ok(checkLhe(body), JSON.stringify(checkLhe.errors))
    const score = (await ok('GET', `/v1/assessments/${assessment.best}/stages/tpi/score`)).json()
    t.match(body, {
      kind: 'lhe',
      unit: { name: 'Puskesmas Sukamaju', parents: ['Dinas Kesehatan'] },
      instansi: { name: 'Pemerintah Kabupaten Contoh' },
      period: { code: 'ZI-2026', year: 2026 },
      target: 'WBK',
      target_from: 'declaration',
      score: { total: score.total },
      conclusion: { eligible: true, verdict: 'memenuhi syarat untuk diusulkan', unmet: [] },
      signatures: { team: [{ role: 'Ketua Tim' }] },
    })
    t.equal(body.score.areas.length, 6, 'six areas perubahan')
    t.ok(
      body.score.areas.every((a: { percent: number }) => a.percent === 100),
      'the best answers fill every area',
    )
    const area = body.review.areas.find((a: { area: string }) => a.area === 'manajemen_perubahan')
    t.match(area, {
      conclusion: 'Komitmen pimpinan kuat, monitoring belum rutin.',
      recommendations: ['Lakukan monitoring rencana kerja setiap triwulan'],
    })
    t.match(
      [...body.review.areas.flatMap((a: { questions: unknown[] }) => a.questions), ...body.review.other_questions],
      [
        {
          code: reviewedQuestion,
          note: 'Catatan TPI: SK tim belum diperbarui',
          recommendation: 'Perbarui SK tim kerja ZI',
        },
      ],
      'the question’s note and recommendation',
    )
    t.match(body.action_plan, { total: 2, overdue: 1, by_status: { planned: 2 } })
    t.match(
      body.action_plan.areas.find((a: { area: string }) => a.area === 'penataan_tatalaksana'),
      { total: 2, overdue: 1, done: 0 },
    )
    t.ok(body.rules.length > 0 && body.rules.every((r: { passed: boolean; gap: number }) => r.passed && r.gap === 0))
    t.same(
      body.requirements.filter((r: { decides: boolean }) => r.decides).map((r: { passed: boolean }) => r.passed),
      [true, true, true, true, true, true],
      'the unit-level requirements met',
    )
    const worstBody = (await ok('GET', `/v1/assessments/${assessment.worst}/stages/tpi/lhe`)).json()
    t.ok(checkLhe(worstBody), JSON.stringify(checkLhe.errors))
    t.match(worstBody, { conclusion: { eligible: false, verdict: 'belum memenuhi syarat untuk diusulkan' } })
    const short = worstBody.rules.filter((r: { passed: boolean }) => !r.passed)
    t.ok(short.length > 0, 'rules not met')
    t.ok(
      short.every((r: { gap: number; required: number; actual: number }) => r.gap > 0),
      'each with its gap',
    )
    t.ok(worstBody.conclusion.unmet.length >= short.length, 'the unmet rules and requirements named')
  })

  t.test('the LHE as PDF: its text holds the unit, the total, every area, the conclusion', async (t) => {
    const res = await ok('GET', `/v1/assessments/${assessment.best}/stages/tpi/lhe.pdf`, undefined, tpiToken)
    t.equal(res.headers['content-type'], 'application/pdf')
    t.match(res.headers['content-disposition'], /attachment; filename="LHE_PKM-1_ZI-2026\.pdf"/)
    t.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-')
    const json = (await ok('GET', `/v1/assessments/${assessment.best}/stages/tpi/lhe`)).json()
    const text = pdfText(res.rawPayload, 'lhe-best')
    t.match(text, 'LAPORAN HASIL EVALUASI INTERNAL')
    t.match(text, 'Puskesmas Sukamaju')
    t.match(text, 'Pemerintah Kabupaten Contoh')
    t.match(text, `Nilai yang diperoleh adalah ${angka(json.score.total)} dari ${angka(json.score.max_total)}`)
    for (const area of json.score.areas as { name: string; percent: number }[]) {
      t.match(text, area.name)
      t.match(text, `${angka(area.percent)}%`)
    }
    t.match(text, 'MEMENUHI SYARAT UNTUK DIUSULKAN')
    t.match(text, 'Simpulan: Komitmen pimpinan kuat, monitoring belum rutin.')
    t.match(text, 'Lakukan monitoring rencana kerja setiap triwulan')
    t.match(text, 'Catatan TPI: SK tim belum diperbarui')
    t.match(text, 'Perbarui SK tim kerja ZI')
    t.match(text, /Keadaan rencana aksi per \d{1,2} \w+ \d{4}: 2 aksi \(2 direncanakan\); 1 aksi melewati target waktu/)
    t.match(text, 'Budi Santoso', 'the TPI member who moved the stage signs')
    t.match(text, tanggalPattern, 'dated in Indonesian')
    t.ok(
      readdirSync(ARTIFACTS).some((f) => /^lhe-best-1\.png$/.test(f)),
      'page 1 rendered',
    )

    const worst = pdfText(
      (await ok('GET', `/v1/assessments/${assessment.worst}/stages/tpi/lhe.pdf`)).rawPayload,
      'lhe-worst',
    )
    t.match(worst, 'BELUM MEMENUHI SYARAT UNTUK DIUSULKAN')
    t.match(worst, 'Belum memenuhi')
    t.match(worst, 'perlu dilakukan perbaikan dan pembinaan kembali')
  })

  t.test('the LHE: who may read it', async (t) => {
    const stranger = await app.inject({
      method: 'GET',
      url: `/v1/assessments/${assessment.best}/stages/tpi/lhe.pdf`,
      headers: viewerOther,
    })
    t.equal(stranger.statusCode, 404, 'outside the reader’s scope')
    t.equal(stranger.json().code, 'assessment_not_found')
    const anonymous = await app.inject({ method: 'GET', url: `/v1/assessments/${assessment.best}/stages/tpi/lhe` })
    t.equal(anonymous.statusCode, 401, 'a token is needed')
    const selfAdmin = await app.inject({
      method: 'GET',
      url: `/v1/assessments/${assessment.best}/stages/self/lhe`,
      headers: admin,
    })
    t.equal(selfAdmin.statusCode, 404, 'only the TPI stage has an LHE')
    t.equal(selfAdmin.json().code, 'route_not_found')
    const a = (await ok('POST', '/v1/assessments', { period_id: period.id, unit_id: opd.id })).json()
    const none = await app.inject({ method: 'GET', url: `/v1/assessments/${a.id}/stages/tpi/lhe`, headers: admin })
    t.equal(none.statusCode, 404)
    t.equal(none.json().code, 'stage_not_found')
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/assessments/${assessment.best}/stages/tpi/lhe`, headers: operator }))
        .statusCode,
      200,
      'the unit’s operator reads its approved TPI stage',
    )
  })

  const base = `/v1/periods/${period.id}/instansi/${instansi.id}`

  t.test('the letters before proposing: 409 until a unit is building, then the building units', async (t) => {
    const none = await app.inject({ method: 'GET', url: `${base}/surat-usulan`, headers: admin })
    t.equal(none.statusCode, 409)
    t.equal(none.json().code, 'no_units_to_propose')
    for (const key of ['best', 'worst'])
      await ok('POST', `/v1/declarations/${decl[key]}/transitions`, { to: 'building', reason: 'membangun' }, operator)
    const body = (await ok('GET', `${base}/surat-usulan`, undefined, operator)).json()
    t.ok(checkSurat(body), JSON.stringify(checkSurat.errors))
    t.same(
      body.units.map((u: { unit: { code: string }; predikat: string }) => [u.unit.code, u.predikat]),
      [
        ['PKM-1', 'Menuju WBK'],
        ['PKM-2', 'Menuju WBK'],
      ],
    )
    const one = (await ok('GET', `${base}/sptjm?declaration_id=${decl.worst}`)).json()
    t.ok(checkSptjm(one), JSON.stringify(checkSptjm.errors))
    t.same(
      one.units.map((u: { declaration_id: string }) => u.declaration_id),
      [decl.worst],
    )
    const foreign = await app.inject({
      method: 'GET',
      url: `${base}/sptjm?declaration_id=${decl.worst}&declaration_id=${instansi.id}`,
      headers: admin,
    })
    t.equal(foreign.statusCode, 404, 'a declaration that is not the instansi’s in the period')
    t.match(foreign.json(), { code: 'declaration_not_found', detail: new RegExp(instansi.id) })
    const stranger = await app.inject({ method: 'GET', url: `${base}/surat-usulan.pdf`, headers: viewerOther })
    t.equal(stranger.statusCode, 404)
    t.equal(stranger.json().code, 'instansi_not_found')
  })

  t.test('the letters once proposed: the proposed units, as PDF following Gambar 6 and 7', async (t) => {
    await app.db.update(declarations).set({ status: 'proposed' }).where(eq(declarations.id, decl.best!))
    await app.db.insert(proposals).values({
      declarationId: decl.best!,
      periodId: period.id,
      unitId: best.id,
      instansiId: instansi.id,
      target: 'WBK',
      route: 'afirmasi',
      checks: [],
      tpiTotal: 88.5,
      proposedByName: 'admin',
    })
    const body = (await ok('GET', `${base}/surat-usulan`)).json()
    t.ok(checkSurat(body), JSON.stringify(checkSurat.errors))
    t.match(body.units, [{ declaration_id: decl.best, kategori: 'WBK-AFIRMASI', status: 'proposed', tpi_total: 88.5 }])
    t.equal(body.units.length, 1, 'only the proposed unit')

    const surat = await ok('GET', `${base}/surat-usulan.pdf`)
    t.equal(surat.headers['content-type'], 'application/pdf')
    const text = pdfText(surat.rawPayload, 'surat-usulan')
    t.match(text, 'PEMERINTAH KABUPATEN CONTOH')
    t.match(text, 'Pengajuan Unit Kerja/Satuan Kerja Berpredikat Menuju Wilayah Bebas dari Korupsi (WBK)')
    t.match(text, 'Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Republik Indonesia')
    t.match(text, 'Nomor 90 Tahun 2021')
    t.match(text, 'laporan hasil evaluasi tahun 2026 oleh Tim Penilaian Internal (TPI) ZI Pemerintah Kabupaten Contoh')
    t.match(text, 'Puskesmas Sukamaju / Menuju WBK (afirmasi)')
    t.notMatch(text, 'Puskesmas Sukamundur')
    t.match(text, 'Pimpinan Instansi Pemerintah')
    t.match(text, tanggalPattern)

    const sptjm = await ok('GET', `${base}/sptjm.pdf?declaration_id=${decl.best}&declaration_id=${decl.worst}`)
    const s = pdfText(sptjm.rawPayload, 'sptjm')
    t.match(s, 'SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK')
    t.match(s, 'Kepala Puskesmas Sukamaju')
    t.match(s, 'Kepala Puskesmas Sukamundur')
    t.match(s, 'telah sesuai dengan fakta yang ada')
    t.match(s, 'bertanggung jawab mutlak')
    const pages = readdirSync(ARTIFACTS).filter((f) => /^sptjm-\d+\.png$/.test(f))
    t.equal(pages.length, 2, 'one page per unit')
  })
})

/** "6 Desember 2026": a day, an Indonesian month, a year. */
const tanggalPattern =
  /\b\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}\b/
