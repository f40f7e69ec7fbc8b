import t from 'tap'
import { GENERATED_SHEET, COLUMNS as C, generatedLayout } from '../../src/modules/workbook/generated.js'
import { identityMismatch, identityOf } from '../../src/modules/workbook/identity.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { templateBytes } from '../../src/modules/workbook/template.js'
import { insertPeriod } from '../helpers/periods.js'
import { subscribeEverything, traces } from '../helpers/trace.js'
import { goldenAnswers, loadXlsx, saveXlsx, setup } from '../helpers/workbook.js'

const layout = generatedLayout(loadSeedInstrument())
const H = (code: string) => `${C.answer}${layout.questionRows.get(code)}`
const L = (code: string) => `${C.note}${layout.questionRows.get(code)}`

t.test('identityOf and identityMismatch (pure)', async (t) => {
  const target = { unit_code: '1.02.01.03', period_code: 'ZI 2026', stage: 'self' as const, assessment_id: 'a' }
  const keywords = 'zi-tracker assessment:b stage:self unit:1.02.01.03 period:ZI%202026 instrument:LKE-ZI-2026'
  t.same(identityOf({ keywords }), {
    unit_code: '1.02.01.03',
    period_code: 'ZI 2026',
    stage: 'self',
    assessment_id: 'b',
  })
  t.same(identityMismatch(identityOf({ keywords }), target), [], 'same unit and period: another id is fine')
  t.same(
    identityOf({ heading: 'Unit 1.02.01.04 Bagian Umum · periode ZI 2025 · tahap TPI (draft)' }),
    { unit_code: '1.02.01.04', period_code: 'ZI 2025', stage: 'tpi', assessment_id: null },
    'the generated sheet’s row 2 when the keywords are gone',
  )
  t.same(
    identityMismatch(
      identityOf({ heading: 'Unit 1.02.01.04 Bagian Umum · periode ZI 2025 · tahap TPI (draft)' }),
      target,
    ),
    ['unit', 'period', 'stage'],
  )
  t.same(
    identityMismatch(identityOf({ keywords: 'zi-tracker assessment:b stage:self' }), target),
    ['assessment'],
    'an older export names only its assessment',
  )
  t.equal(identityOf({ keywords: 'budget 2026' }), null, 'keywords of someone else’s file')
  t.equal(identityOf({}), null, 'the blank form names nothing')
  t.same(identityMismatch(null, target), [])
})

t.test('workbook import: identity check, override audited, no-op and dry run', async (t) => {
  const s = await setup(t, { WEBHOOK_WORKER: 'false' })
  const { app, tree, admin } = s
  await subscribeEverything(app)
  const a1 = await s.open(tree.a1.id)
  const given = goldenAnswers('random-seed-2')
  await s.batch(
    a1,
    'self',
    Object.entries(given).map(([question_code, value]) => ({ question_code, value })),
  )
  const generated = (await s.exportXlsx(a1, 'self', admin, 'generated')).rawPayload
  const official = (await s.exportXlsx(a1, 'self', admin, 'official')).rawPayload
  const a2 = await s.open(tree.a2.id)
  const p2 = await insertPeriod(s.ctx, { instrumentVersionId: s.instrumentVersionId })
  const a1p2 = await s.open(tree.a1.id, p2.id)

  t.test('another unit’s file is refused, naming both sides; nothing written', async (t) => {
    const before = { a2: await s.answersOf(a2, 'self'), traces: await traces(app, admin) }
    for (const [name, file] of [
      ['generated', generated],
      ['official', official],
    ] as const) {
      const res = await s.importXlsx(a2, 'self', file)
      t.equal(res.statusCode, 409, `${name}: ${res.body.slice(0, 200)}`)
      const body = res.json()
      t.equal(body.code, 'workbook_identity_mismatch')
      t.same(body.mismatch, ['unit'])
      t.equal(body.file.unit_code, tree.a1.code)
      t.equal(body.target.unit_code, tree.a2.code)
      t.match(body.detail, new RegExp(`exported for unit ${tree.a1.code}.*into unit ${tree.a2.code}`))
    }
    t.same(await s.answersOf(a2, 'self'), before.a2, 'a2 untouched')
    t.same(await traces(app, admin), before.traces, 'no audit record or event')
  })

  t.test('another period’s file is refused', async (t) => {
    const res = await s.importXlsx(a1p2, 'self', generated)
    t.equal(res.statusCode, 409)
    t.same(res.json().mismatch, ['period'])
    t.equal(res.json().file.period_code, s.period.code)
    t.equal(res.json().target.period_code, p2.code)
  })

  t.test('the generated sheet’s row 2 names it when the keywords are gone', async (t) => {
    const wb = await loadXlsx(generated)
    wb.keywords = ''
    const res = await s.importXlsx(a2, 'self', await saveXlsx(wb))
    t.equal(res.statusCode, 409)
    t.same(res.json().mismatch, ['unit'])
  })

  t.test('a bad identity parameter is a 400 naming it', async (t) => {
    const res = await s.importXlsx(a2, 'self', generated, admin, 'lke.xlsx', 'identity=yes')
    t.equal(res.statusCode, 400)
    t.equal(res.json().errors[0].pointer, '/query/identity')
  })

  t.test('identity=override imports it and the audit record says so', async (t) => {
    const res = await s.importXlsx(a2, 'self', generated, admin, 'lke.xlsx', 'identity=override')
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    t.ok(res.json().changed > 0)
    t.same(res.json().identity, {
      file: { unit_code: tree.a1.code, period_code: s.period.code, stage: 'self', assessment_id: a1.split('/').pop() },
      mismatch: ['unit'],
      override: true,
    })
    const log = await app.inject({
      method: 'GET',
      url: `/v1/audit/events?action=answers.workbook_imported&entity_id=${res.json().stage.id}`,
      headers: admin,
    })
    const [record] = log.json().items
    t.ok(record, 'one audit record')
    t.same(record.after.identity, res.json().identity, 'it names the override and what the file claimed')
  })

  t.test('a file that names nothing (the blank official form) is accepted', async (t) => {
    const b1 = await s.open(tree.b1.id)
    const res = await s.importXlsx(b1, 'self', templateBytes())
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    t.equal(res.json().identity, null)
    t.equal(res.json().changed, 0, 'blank: nothing to write')
  })

  t.test('its own file again changes nothing and leaves no trace', async (t) => {
    const before = { a1: await s.answersOf(a1, 'self'), traces: await traces(app, admin) }
    for (const file of [generated, official]) {
      const res = await s.importXlsx(a1, 'self', file)
      t.equal(res.statusCode, 200, res.body.slice(0, 300))
      t.equal(res.json().changed, 0)
      t.equal(res.json().unchanged.length, res.json().read)
      t.same(res.json().answers, [])
    }
    t.same(await s.answersOf(a1, 'self'), before.a1, 'every answer and the stage version as they were')
    t.same(await traces(app, admin), before.traces, 'no audit record, event or webhook delivery')
  })

  t.test('dry run: the diff, and nothing written', async (t) => {
    const wb = await loadXlsx(generated)
    const ws = wb.getWorksheet(GENERATED_SHEET)!
    const q1 = given.Q1 === 'Ya' ? 'Tidak' : 'Ya'
    ws.getCell(H('Q1')).value = q1
    ws.getCell(L('Q4')).value = 'catatan baru'
    ws.getCell(`${C.evidence}${layout.questionRows.get('Q5')}`).value = 'https://example.go.id/baru.pdf'
    const file = await saveXlsx(wb)
    const before = { a1: await s.answersOf(a1, 'self'), traces: await traces(app, admin) }
    const res = await s.importXlsx(a1, 'self', file, admin, 'lke.xlsx', 'dry_run=true')
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    const body = res.json()
    t.equal(body.dry_run, true)
    t.equal(body.changed, 3)
    t.equal(body.evidence_created, 1, 'the link it would create')
    const diff = new Map(body.diff.map((d: { question_code: string }) => [d.question_code, d]))
    t.same(diff.get('Q1'), {
      question_code: 'Q1',
      from: { value: given.Q1, note: null, evidence_ids: [] },
      to: { value: q1, note: null, evidence_ids: [] },
    })
    t.same((diff.get('Q4') as { to: { note: string } }).to.note, 'catatan baru')
    t.same(
      (diff.get('Q5') as { to: { evidence_ids: string[] } }).to.evidence_ids,
      ['https://example.go.id/baru.pdf'],
      'a link it would create shows by its URL',
    )
    t.same(await s.answersOf(a1, 'self'), before.a1, 'nothing written')
    t.same(await traces(app, admin), before.traces, 'no audit record, event or evidence item')

    const real = await s.importXlsx(a1, 'self', file)
    t.equal(real.statusCode, 200)
    t.equal(real.json().changed, 3, 'the real import writes what the dry run showed')
  })
})
