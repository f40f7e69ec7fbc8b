import { count } from 'drizzle-orm'
import t from 'tap'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { events as domainEvents } from '../../src/modules/events/tables.js'
import { loadRowMap } from '../../src/modules/workbook/template.js'
import { bearer, createToken } from '../helpers/auth.js'
import { loadXlsx, saveXlsx, setup } from '../helpers/workbook.js'

const map = loadRowMap()
const row = (code: string) => map.questions[code]!.row

/**
 * The TPI's review through the workbook: recommendations written with the API, exported into the
 * official columns (T of "LKE ZI", L/M of "Utama") and the generated layout's (Q of "LKE", sheet
 * "Kesimpulan TPI"), changed in the file, imported back through the answer-write path; the file
 * as exported changes nothing.
 */
t.test('the TPI review round-trips through the workbook', async (t) => {
  const s = await setup(t)
  const { app, tree, admin } = s
  const evaluator = bearer(await createToken(s.ctx, 'evaluator', { unitIds: [tree.opdA.id] }))
  const a1 = await s.open(tree.a1.id)
  await s.batch(a1, 'self', [
    { question_code: 'Q1', value: 'Ya', note: 'SK Tim ZI' },
    { question_code: 'Q2', value: 'B' },
    { question_code: 'Q3', value: 'Ya' },
  ])
  await s.transition(a1, 'self', 'submitted')
  await s.startStage(a1, 'tpi', 'self', evaluator)
  await s.batch(
    a1,
    'tpi',
    [
      { question_code: 'Q1', value: 'Ya', note: 'SK ada, belum diperbarui', recommendation: 'Perbarui SK Tim ZI' },
      { question_code: 'Q2', value: 'C', recommendation: 'Tetapkan mekanisme pemilihan anggota tim' },
    ],
    evaluator,
  )
  const put = await app.inject({
    method: 'PUT',
    url: `${a1}/stages/tpi/review`,
    headers: evaluator,
    payload: {
      areas: [
        {
          area: 'manajemen_perubahan',
          conclusion: 'Tim kerja terbentuk; monev belum berkala.',
          recommendations: ['Lakukan monev triwulanan', 'Tetapkan agen perubahan'],
        },
        { area: 'pelayanan_publik', recommendations: ['Susun standar pelayanan'] },
      ],
    },
  })
  t.equal(put.statusCode, 200, put.body)
  const trace = async () => ({
    audit: Number((await app.db.select({ n: count() }).from(auditEvents))[0]!.n),
    events: Number((await app.db.select({ n: count() }).from(domainEvents))[0]!.n),
  })
  const review = async () => {
    const res = await app.inject({ method: 'GET', url: `${a1}/stages/tpi/review`, headers: evaluator })
    t.equal(res.statusCode, 200, res.body)
    return res.json() as {
      version: number
      areas: { area: string; conclusion: string | null; recommendations: string[] }[]
      questions: { question_code: string; note: string | null; recommendation: string | null }[]
    }
  }
  const area = async (code: string) => (await review()).areas.find((a) => a.area === code)!
  const recommendationOf = async (code: string) =>
    (await review()).questions.find((q) => q.question_code === code)?.recommendation ?? null

  t.test(
    'official layout: the official cells hold them; a changed file imports, an unchanged one writes nothing',
    async (t) => {
      const res = await s.exportXlsx(a1, 'tpi', evaluator, 'official')
      t.equal(res.statusCode, 200)
      const wb = await loadXlsx(res.rawPayload)
      const ws = wb.getWorksheet('LKE ZI')!
      t.equal(ws.getCell('T2').value, 'Rekomendasi TPI')
      t.equal(ws.getCell(`O${row('Q1')}`).value, 'SK ada, belum diperbarui', 'the note (catatan) in O')
      t.equal(ws.getCell(`T${row('Q1')}`).value, 'Perbarui SK Tim ZI', 'the recommendation in T')
      t.equal(ws.getCell(`T${row('Q3')}`).value, null)
      const utama = wb.getWorksheet('Utama')!
      t.equal(utama.getCell('L5').value, 'Tim kerja terbentuk; monev belum berkala.', 'Utama L: the conclusion')
      t.equal(utama.getCell('M5').value, 'Lakukan monev triwulanan\nTetapkan agen perubahan', 'Utama M: one per line')
      t.equal(utama.getCell('M10').value, 'Susun standar pelayanan')
      t.equal(utama.getCell('L12').value, null, 'the Reform row is left blank')

      const before = { ...(await trace()), version: (await review()).version }
      const same = await s.importXlsx(a1, 'tpi', res.rawPayload, evaluator)
      t.equal(same.statusCode, 200, same.body)
      t.equal(same.json().changed, 0)
      t.same(same.json().review, { changed: [], diff: [] })
      t.same(await trace(), { audit: before.audit, events: before.events }, 'no audit record, no event')
      t.equal((await review()).version, before.version)

      ws.getCell(`T${row('Q2')}`).value = 'Tetapkan mekanisme dan umumkan hasilnya'
      ws.getCell(`T${row('Q3')}`).value = 'Unggah data dukung'
      utama.getCell('M12').value = 'Libatkan pimpinan'
      const changed = await s.importXlsx(a1, 'tpi', await saveXlsx(wb), evaluator)
      t.equal(changed.statusCode, 200, changed.body)
      t.equal(changed.json().changed, 2)
      t.same(changed.json().review.changed, ['manajemen_perubahan'])
      t.equal(await recommendationOf('Q2'), 'Tetapkan mekanisme dan umumkan hasilnya')
      t.equal(await recommendationOf('Q3'), 'Unggah data dukung')
      t.equal(await recommendationOf('Q1'), 'Perbarui SK Tim ZI', 'unchanged ones kept')
      t.same((await area('manajemen_perubahan')).recommendations, [
        'Lakukan monev triwulanan',
        'Tetapkan agen perubahan',
        'Libatkan pimpinan',
      ])

      const again = await s.exportXlsx(a1, 'tpi', evaluator, 'official')
      const reread = await loadXlsx(again.rawPayload)
      t.equal(
        reread.getWorksheet('Utama')!.getCell('M5').value,
        'Lakukan monev triwulanan\nTetapkan agen perubahan\nLibatkan pimpinan',
        'the Reform row’s text joins the area’s',
      )
      const mid = await trace()
      const unchanged = await s.importXlsx(a1, 'tpi', again.rawPayload, evaluator)
      t.equal(unchanged.json().changed, 0)
      t.same(unchanged.json().review.changed, [])
      t.same(await trace(), mid, 're-importing the new export writes nothing')
    },
  )

  t.test('generated layout: column Q and sheet "Kesimpulan TPI"', async (t) => {
    const res = await s.exportXlsx(a1, 'tpi', evaluator, 'generated')
    t.equal(res.statusCode, 200)
    const wb = await loadXlsx(res.rawPayload)
    const ws = wb.getWorksheet('LKE')!
    t.equal(ws.getCell('Q3').value, 'Rekomendasi TPI')
    let q1Row = 0
    ws.eachRow((r, n) => {
      if (r.getCell('A').value === 'Q1') q1Row = n
    })
    t.equal(ws.getCell(`Q${q1Row}`).value, 'Perbarui SK Tim ZI')
    const sheet = wb.getWorksheet('Kesimpulan TPI')!
    t.equal(sheet.getCell('A3').value, 'manajemen_perubahan')
    t.equal(sheet.getCell('C3').value, 'Tim kerja terbentuk; monev belum berkala.')
    t.equal(sheet.getCell('A8').value, 'pelayanan_publik')
    const before = await trace()
    const same = await s.importXlsx(a1, 'tpi', res.rawPayload, evaluator)
    t.equal(same.statusCode, 200, same.body)
    t.equal(same.json().changed, 0)
    t.same(await trace(), before, 'the file as exported writes nothing')

    sheet.getCell('C5').value = 'Pola mutasi belum ditetapkan.'
    ws.getCell(`Q${q1Row}`).value = null
    const dry = await s.importXlsx(a1, 'tpi', await saveXlsx(wb), evaluator, 'lke.xlsx', 'dry_run=true')
    t.equal(dry.statusCode, 200, dry.body)
    t.same(dry.json().review.changed, ['penataan_sdm'])
    t.equal(dry.json().changed, 1)
    t.same(await trace(), before, 'a dry run writes nothing')
    const res2 = await s.importXlsx(a1, 'tpi', await saveXlsx(wb), evaluator)
    t.equal(res2.statusCode, 200, res2.body)
    t.equal((await area('penataan_sdm')).conclusion, 'Pola mutasi belum ditetapkan.')
    t.equal(await recommendationOf('Q1'), null, 'a blank cell clears the recommendation')
    const after = await trace()
    t.equal(after.events, before.events + 2, 'one answer.changed, one stage.review_changed')
  })

  t.test('the self stage’s workbook has no review cells; a recommendation there is refused', async (t) => {
    const res = await s.exportXlsx(a1, 'self', admin, 'official')
    const wb = await loadXlsx(res.rawPayload)
    t.equal(wb.getWorksheet('LKE ZI')!.getCell('T2').value, null)
    t.equal(wb.getWorksheet('Utama')!.getCell('L5').value, null)
    const a2 = await s.open(tree.a2.id)
    const refused = await app.inject({
      method: 'PUT',
      url: `${a2}/stages/self/answers/Q1`,
      headers: admin,
      payload: { value: 'Ya', recommendation: 'x' },
    })
    t.equal(refused.statusCode, 422)
    t.match(refused.json(), {
      code: 'answers_invalid',
      errors: [{ pointer: '/body/recommendation', rule: 'recommendation_not_for_stage' }],
    })
  })
})
