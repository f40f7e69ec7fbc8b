import { randomBytes } from 'node:crypto'
import { deflateRawSync } from 'node:zlib'
import { eq } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import t from 'tap'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { events as domainEvents } from '../../src/modules/events/tables.js'
import type { InstrumentDefinition } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { loadRowMap } from '../../src/modules/workbook/template.js'
import { bearer, createToken } from '../helpers/auth.js'
import { hoursFromNow, insertPeriod } from '../helpers/periods.js'
import { pdfBytes } from '../helpers/multipart.js'
import { goldenAnswers, loadXlsx, saveXlsx, setup, XLSX, zipOf } from '../helpers/workbook.js'

const map = loadRowMap()
const K = (code: string) => `K${map.questions[code]!.row}`
const O = (code: string) => `O${map.questions[code]!.row}`

t.test('the official workbook: export, import, round trip', async (t) => {
  const s = await setup(t)
  const { app, tree, admin } = s
  const operatorA1 = bearer(await createToken(s.ctx, 'unit_operator', { unitIds: [tree.a1.id] }))
  const operatorB1 = bearer(await createToken(s.ctx, 'unit_operator', { unitIds: [tree.b1.id] }))
  const evaluator = bearer(await createToken(s.ctx, 'evaluator', { unitIds: [tree.opdA.id] }))
  const viewer = bearer(await createToken(s.ctx, 'viewer'))
  const integration = bearer(await createToken(s.ctx, 'integration'))

  // a1: a full answer set with notes (one with a comma, quotes and a line break) and evidence
  const a1 = await s.open(tree.a1.id)
  const link = await app.inject({
    method: 'POST',
    url: '/v1/evidence/links',
    headers: admin,
    payload: { unit_id: tree.a1.id, title: 'SK Tim ZI', url: 'https://example.go.id/sk-tim.pdf' },
  })
  const link2 = await app.inject({
    method: 'POST',
    url: '/v1/evidence/links',
    headers: admin,
    payload: { unit_id: tree.opdA.id, title: 'Renja ZI OPD', url: 'https://example.go.id/renja.pdf' },
  })
  const given = goldenAnswers('random-seed-1')
  const notes: Record<string, string> = {
    Q1: 'SK Kepala Dinas No. 12/2026, "Tim ZI"\nditetapkan Januari',
    Q88: '= jumlah pegawai',
  }
  await s.batch(
    a1,
    'self',
    Object.entries(given).map(([code, value]) => ({
      question_code: code,
      value,
      ...(notes[code] ? { note: notes[code] } : {}),
      ...(code === 'Q1'
        ? { evidence_ids: [link.json().id, link2.json().id] }
        : code === 'Q3'
          ? { evidence_ids: [link.json().id] }
          : {}),
    })),
  )
  // a note on a computed ratio question (its value is the workbook's formula)
  await s.batch(a1, 'self', [{ question_code: 'R36b', value: null, note: 'dihitung dari jumlah' }])

  let exported: Buffer
  t.test('GET …/lke.xlsx writes the answers, notes and evidence at the row map’s cells', async (t) => {
    const res = await s.exportXlsx(a1, 'self', operatorA1)
    // the message is the body only on failure: on success it is the xlsx, binary in the TAP log
    t.equal(res.statusCode, 200, res.statusCode === 200 ? 'exported' : res.body.slice(0, 300))
    t.equal(res.headers['content-type'], XLSX)
    t.match(
      res.headers['content-disposition'],
      /^attachment; filename="LKE-ZI_[A-Za-z0-9._-]+_ZI-[0-9a-f]+_self\.xlsx"/,
    )
    exported = res.rawPayload
    const wb = await loadXlsx(exported)
    const ws = wb.getWorksheet('LKE ZI')!
    for (const [code, value] of Object.entries(given))
      t.equal(ws.getCell(K(code)).value, value, `${code} in ${K(code)}`)
    t.equal(ws.getCell(O('Q1')).value, notes.Q1)
    t.equal(ws.getCell(O('R36b')).value, 'dihitung dari jumlah')
    t.equal(ws.getCell(`P${map.questions.Q1!.row}`).value, 'Renja ZI OPD\nSK Tim ZI', 'titles in order')
    t.equal(
      ws.getCell(`Q${map.questions.Q1!.row}`).value,
      'https://example.go.id/renja.pdf\nhttps://example.go.id/sk-tim.pdf',
      'links in the same order',
    )
    t.same(
      ws.getCell(`Q${map.questions.Q3!.row}`).value,
      { text: 'https://example.go.id/sk-tim.pdf', hyperlink: 'https://example.go.id/sk-tim.pdf' },
      'one link is a hyperlink',
    )
    t.equal(ws.getCell('K3').value, 'Jawaban Unit (penilaian mandiri)')
    // formulas intact, with no saved values (the spreadsheet computes them)
    const l208 = ws.getCell('L208').value as ExcelJS.CellFormulaValue
    t.equal(l208.formula, 'SUM(L198,L206)')
    t.equal(l208.result, undefined)
    t.match(
      (ws.getCell(K('R36b')).value as ExcelJS.CellFormulaValue).formula,
      /K\d+\/K\d+/,
      'a ratio keeps its formula',
    )
    t.equal((ws.getCell('L175').value as ExcelJS.CellFormulaValue).formula, 'SUM(L176,L183)', 'the corrected L175')
    t.equal(ws.getCell('J8').value, 'Ya/Tidak', 'the corrected J8')
    t.ok(wb.getWorksheet('Utama') && wb.getWorksheet('Ctt Eval'), 'the hidden sheets are kept')
  })

  t.test(
    'import of the exported file into another unit gives the same answers; into the same stage changes nothing',
    async (t) => {
      const a2 = await s.open(tree.a2.id)
      // a1's file names a1's unit: into a2 only on purpose (identity.test.ts covers the refusal)
      const res = await s.importXlsx(a2, 'self', exported, admin, 'lke.xlsx', 'identity=override')
      t.equal(res.statusCode, 200, res.body)
      const body = res.json()
      t.equal(body.read, Object.keys(map.questions).length)
      const source = await s.answersOf(a1, 'self')
      const target = await s.answersOf(a2, 'self')
      const strip = (xs: typeof source.answers) =>
        xs
          .map((a) => ({ question_code: a.question_code, value: a.value, note: a.note }))
          .sort((x, y) => x.question_code.localeCompare(y.question_code))
      t.same(strip(target.answers), strip(source.answers), 'values and notes are the same')
      t.equal(body.changed, source.answers.length)
      t.equal(target.stage.total, source.stage.total, 'so is the score')
      // column Q's links: the OPD's Renja link is reused (a parent's item), the other unit's SK link becomes a2's own link item
      t.equal(body.evidence_created, 1, 'one link item created for a2')
      const q1 = target.answers.find((a) => a.question_code === 'Q1')!.evidence_ids
      t.equal(q1.length, 2, 'Q1 gets both links')
      t.ok(q1.includes(link2.json().id), 'the OPD’s own item is attached, not copied')
      t.notOk(q1.includes(link.json().id), 'a1’s item is not attached to a2')
      t.same(
        target.answers.find((a) => a.question_code === 'Q3')!.evidence_ids,
        q1.filter((id) => id !== link2.json().id),
        'Q3 gets the same new item',
      )

      const again = await s.importXlsx(a1, 'self', exported, operatorA1)
      t.equal(again.statusCode, 200)
      t.equal(again.json().changed, 0, 'the file a stage was exported to changes nothing in it')
      t.same(strip((await s.answersOf(a1, 'self')).answers), strip(source.answers))
      t.same(
        (await s.answersOf(a1, 'self')).answers.find((a) => a.question_code === 'Q1')!.evidence_ids.length,
        2,
        'evidence links are kept',
      )
    },
  )

  t.test('an edited file writes only what changed, audited once', async (t) => {
    const wb = await loadXlsx(exported)
    const ws = wb.getWorksheet('LKE ZI')!
    ws.getCell(K('Q1')).value = given.Q1 === 'Ya' ? 'tidak' : 'ya' // case as typed; stored as the instrument spells it
    ws.getCell(K('Q2')).value = null // cleared
    ws.getCell(O('Q4')).value = '  catatan baru  '
    const before = await s.answersOf(a1, 'self')
    const res = await s.importXlsx(a1, 'self', await saveXlsx(wb), operatorA1)
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.json().changed, 3)
    const after = await s.answersOf(a1, 'self')
    const get = (code: string) => after.answers.find((a) => a.question_code === code)!
    t.equal(get('Q1').value, given.Q1 === 'Ya' ? 'Tidak' : 'Ya')
    t.equal(get('Q2').value, null)
    t.equal(get('Q4').note, 'catatan baru')
    t.equal(get('Q4').value, before.answers.find((a) => a.question_code === 'Q4')!.value)
    t.equal(
      get('Q5').version,
      before.answers.find((a) => a.question_code === 'Q5')!.version,
      'an unchanged answer keeps its version',
    )
    const events = await app.db.select().from(auditEvents).where(eq(auditEvents.action, 'answers.workbook_imported'))
    const mine = events.filter((e) => (e.after as { answers: unknown[] }).answers.length === 3)
    t.equal(mine.length, 1, 'one audit event for the import')
    t.same((mine[0]!.after as { answers: { question_code: string }[] }).answers.map((a) => a.question_code).sort(), [
      'Q1',
      'Q2',
      'Q4',
    ])
    const feed = await app.db.select().from(domainEvents).where(eq(domainEvents.type, 'answer.changed'))
    t.ok(
      feed.some(
        (e) =>
          JSON.stringify((e.data as { question_codes?: string[] }).question_codes?.slice().sort()) ===
          JSON.stringify(['Q1', 'Q2', 'Q4']),
      ),
      'the change feed carries the import',
    )
  })

  t.test('If-Match: a file exported before the stage changed is refused', async (t) => {
    const res = await s.exportXlsx(a1, 'self', operatorA1)
    const etag = res.headers.etag as string
    t.match(etag, /^"\d+"$/, 'the export’s ETag is the stage version')
    const wb = await loadXlsx(res.rawPayload)
    wb.getWorksheet('LKE ZI')!.getCell(O('Q7')).value = 'dari berkas'
    const file = await saveXlsx(wb)
    await s.batch(
      a1,
      'self',
      [{ question_code: 'Q7', note: 'ditulis lewat API sementara itu', value: given.Q7 ?? null }],
      operatorA1,
    )
    const stale = await s.importXlsx(a1, 'self', file, { ...operatorA1, 'if-match': etag })
    t.equal(stale.statusCode, 412)
    t.equal(stale.json().code, 'precondition_failed')
    t.equal(
      (await s.answersOf(a1, 'self')).answers.find((a) => a.question_code === 'Q7')!.note,
      'ditulis lewat API sementara itu',
      'nothing was written',
    )
    const current = (await s.exportXlsx(a1, 'self', operatorA1)).headers.etag as string
    const fresh = await s.importXlsx(a1, 'self', file, { ...operatorA1, 'if-match': current })
    t.equal(fresh.statusCode, 200, 'with the current ETag it goes through')
    t.equal((await s.answersOf(a1, 'self')).answers.find((a) => a.question_code === 'Q7')!.note, 'dari berkas')
  })

  t.test('bad cells: 422 listing each (sheet, cell, value, rule), nothing written', async (t) => {
    const b2 = await s.open(tree.b2.id)
    await s.batch(b2, 'self', [{ question_code: 'Q1', value: 'Ya' }])
    const wb = await loadXlsx(exported)
    const ws = wb.getWorksheet('LKE ZI')!
    ws.getCell(K('Q1')).value = 'Mungkin' // not an option
    ws.getCell(K('Q2')).value = 'D' // A/B/C has no D
    ws.getCell(K('Q88')).value = '12' // a count typed as text
    ws.getCell(K('Q89')).value = 2.5 // a count is whole
    ws.getCell(K('Q125')).value = 4.5 // a survey index is 0–4
    ws.getCell(K('Q127')).value = 3.333 // … with two decimals
    ws.getCell(K('Q4')).value = new Date('2026-03-04T00:00:00Z') // a date: what a spreadsheet makes of "3/4"
    ws.getCell(K('Q4')).numFmt = 'dd/mm/yyyy'
    ws.getCell(K('Q5')).value = { error: '#N/A' } as ExcelJS.CellErrorValue
    ws.getCell(O('Q6')).value = 'x'.repeat(5001) // a note too long
    ws.getCell(K('R36b')).value = 0.5 // a ratio's formula typed over
    ws.getCell('K185').value = 12 // the sum of counts typed over (the Pemda copy's mistake)
    ws.getCell('J9').value = 'A/B' // the Pilihan Jawaban changed
    const versionBefore = (await s.answersOf(b2, 'self')).stage.version
    const res = await s.importXlsx(b2, 'self', await saveXlsx(wb))
    t.equal(res.statusCode, 422)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    const body = res.json()
    t.equal(body.code, 'workbook_cells_invalid')
    const cells = body.cells as {
      sheet: string
      cell: string
      value: unknown
      rule: string
      message: string
      question_code?: string
    }[]
    const find = (cell: string) => cells.find((c) => c.cell === cell)
    const expect: [string, string, unknown][] = [
      [K('Q1'), 'answer_not_allowed', 'Mungkin'],
      [K('Q2'), 'answer_not_allowed', 'D'],
      [K('Q88'), 'answer_wrong_type', '12'],
      [K('Q89'), 'answer_out_of_range', 2.5],
      [K('Q125'), 'answer_out_of_range', 4.5],
      [K('Q127'), 'answer_precision', 3.333],
      [K('Q4'), 'answer_wrong_type', '2026-03-04T00:00:00.000Z'],
      [K('Q5'), 'cell_error', '#N/A'],
      [O('Q6'), 'maxLength', `${'x'.repeat(200)}… (5001 characters)`],
      [K('R36b'), 'formula_replaced', 0.5],
      ['K185', 'formula_replaced', 12],
      ['J9', 'choices_changed', 'A/B'],
    ]
    for (const [cell, rule, value] of expect) {
      const got = find(cell)
      t.ok(got, `${cell} is listed`)
      t.equal(got?.sheet, 'LKE ZI')
      t.equal(got?.rule, rule, `${cell}: ${rule}`)
      t.same(got?.value, value, `${cell} shows what it holds`)
      t.match(got?.message, new RegExp(`^${cell}: `))
    }
    t.equal(cells.length, expect.length, 'and nothing else')
    t.equal(find(K('Q1'))?.question_code, 'Q1')
    t.same(
      body.errors.map((e: { pointer: string }) => e.pointer).sort(),
      expect.map(([cell]) => `/body/file/LKE ZI/${cell}`).sort(),
      'errors name the cells as JSON pointers too',
    )
    const after = await s.answersOf(b2, 'self')
    t.equal(after.stage.version, versionBefore, 'the stage did not change')
    t.same(
      after.answers.map((a) => [a.question_code, a.value]),
      [['Q1', 'Ya']],
      'nothing was written',
    )
  })

  t.test('a ratio that would divide by zero is a bad cell, as the batch route says', async (t) => {
    const b2 = await s.open(tree.opdB.id)
    const wb = await loadXlsx(exported)
    const ws = wb.getWorksheet('LKE ZI')!
    ws.getCell(K('Q110')).value = 0
    ws.getCell(K('Q111')).value = 0
    ws.getCell(K('Q112')).value = 0
    const res = await s.importXlsx(b2, 'self', await saveXlsx(wb))
    t.equal(res.statusCode, 422)
    t.same(
      res.json().cells.map((c: { rule: string }) => c.rule),
      ['formula_division_by_zero'],
    )
    t.equal((await s.answersOf(b2, 'self')).answers.length, 0)
  })

  t.test('files that are not the LKE workbook', async (t) => {
    const target = await s.open(tree.opdA.id)
    const pdf = await s.importXlsx(target, 'self', pdfBytes(), admin, 'lke.pdf')
    t.equal(pdf.statusCode, 422)
    t.equal(pdf.json().code, 'not_an_lke_workbook')
    const other = new ExcelJS.Workbook()
    other.addWorksheet('Sheet1').getCell('A1').value = 'hello'
    const noSheet = await s.importXlsx(target, 'self', await saveXlsx(other))
    t.equal(noSheet.statusCode, 422)
    t.equal(noSheet.json().code, 'not_an_lke_workbook')
    t.match(noSheet.json().detail, /none of the LKE layouts \(it has "Sheet1"\).*"LKE".*"LKE ZI".*"Jawaban"/)
    const renamed = new ExcelJS.Workbook()
    renamed.addWorksheet('LKE ZI').getCell('K2').value = 'Jawaban'
    const wrongLayout = await s.importXlsx(target, 'self', await saveXlsx(renamed))
    t.equal(wrongLayout.statusCode, 422)
    t.equal(wrongLayout.json().code, 'not_an_lke_workbook')
    t.match(wrongLayout.json().detail, /layout/)
    const notXlsx = await s.importXlsx(target, 'self', zipOf([{ name: 'hello.txt', data: Buffer.from('hello') }]))
    t.equal(notXlsx.statusCode, 422)
    t.equal(notXlsx.json().code, 'not_an_lke_workbook')
    const zeros = Buffer.alloc(80 * 1024 * 1024)
    const sheet1 = { name: 'xl/worksheets/sheet1.xml', data: zeros, deflated: deflateRawSync(zeros, { level: 9 }) }
    const unnamed = await s.importXlsx(target, 'self', zipOf([sheet1]))
    t.equal(unnamed.json().code, 'not_an_lke_workbook', 'no xl/workbook.xml: refused before anything is inflated')
    const workbookXml = Buffer.from('<workbook><sheets><sheet name="LKE" sheetId="1" r:id="rId1"/></sheets></workbook>')
    const bomb = zipOf([{ name: 'xl/workbook.xml', data: workbookXml }, sheet1])
    t.ok(bomb.length < 200_000, `the bomb is small (${bomb.length} bytes)`)
    const bombed = await s.importXlsx(target, 'self', bomb)
    t.equal(bombed.statusCode, 422)
    t.equal(bombed.json().code, 'workbook_too_large')
    t.equal(bombed.json().bound, 'unpacked_bytes', 'names the bound')
    const huge = await s.importXlsx(target, 'self', randomBytes(5 * 1024 * 1024 + 10))
    t.equal(huge.statusCode, 413)
    t.equal(huge.json().code, 'file_too_large')
    const json = await app.inject({
      method: 'POST',
      url: `${target}/stages/self/lke.xlsx`,
      headers: admin,
      payload: { answers: [] },
    })
    t.equal(json.statusCode, 415)
    t.equal((await s.answersOf(target, 'self')).answers.length, 0, 'nothing was written')
  })

  t.test('who may export and import', async (t) => {
    t.equal((await s.exportXlsx(a1, 'self', viewer)).statusCode, 200, 'a viewer reads')
    t.equal((await s.exportXlsx(a1, 'self', integration)).statusCode, 200, 'an integration reads')
    t.equal((await s.exportXlsx(a1, 'self', evaluator)).statusCode, 200, 'an evaluator in scope reads')
    const foreign = await s.exportXlsx(a1, 'self', operatorB1)
    t.equal(foreign.statusCode, 404, 'another unit’s operator does not see it')
    t.equal(foreign.json().code, 'assessment_not_found')
    t.equal((await s.importXlsx(a1, 'self', exported, operatorB1)).statusCode, 404)
    const asViewer = await s.importXlsx(a1, 'self', exported, viewer)
    t.equal(asViewer.statusCode, 403, 'a viewer does not write')
    t.equal(asViewer.json().code, 'forbidden_role')
    const asEvaluator = await s.importXlsx(a1, 'self', exported, evaluator)
    t.equal(asEvaluator.statusCode, 403, 'an evaluator does not write the unit’s self-assessment')
    t.equal(asEvaluator.json().code, 'forbidden_stage_role')
    const noStage = await s.exportXlsx(a1, 'tpi')
    t.equal(noStage.statusCode, 404)
    t.equal(noStage.json().code, 'stage_not_found')
  })

  t.test('an instrument the workbook does not embody: 409; an unchanged copy: fine', async (t) => {
    const version = async (code: string, change: (d: InstrumentDefinition) => void) => {
      const definition = loadSeedInstrument()
      definition.code = code
      change(definition)
      const [row] = await app.db
        .insert(instrumentVersions)
        .values({
          code,
          name: code,
          year: 2026,
          status: 'published',
          definition,
          digest: code.padEnd(64, '0'),
          source: 'clone',
          publishedAt: new Date(),
        })
        .returning()
      return row!.id
    }
    const reweighted = await version('LKE-REWEIGHTED', (d) => {
      d.nodes.find((n) => n.code === 'Q2')!.options![1]!.multiplier = 0.6
    })
    const copy = await version('LKE-COPY', () => {})
    const other = await s.open(tree.a1.id, (await insertPeriod(s.ctx, { instrumentVersionId: reweighted })).id)
    const refused = await s.exportXlsx(other, 'self')
    t.equal(refused.statusCode, 409)
    t.equal(refused.json().code, 'workbook_not_available')
    t.equal((await s.importXlsx(other, 'self', exported)).json().code, 'workbook_not_available')
    const same = await s.open(tree.a1.id, (await insertPeriod(s.ctx, { instrumentVersionId: copy })).id)
    t.equal(
      (await s.exportXlsx(same, 'self')).statusCode,
      200,
      'a copy with the same questions, weights and formulas exports',
    )
    t.equal(
      (await s.importXlsx(same, 'self', exported, admin, 'lke.xlsx', 'identity=override')).statusCode,
      200,
      'and imports (the file is of another period: on purpose)',
    )
  })

  t.test('windows and locked stages', async (t) => {
    const closed = { opens_at: hoursFromNow(-48), closes_at: hoursFromNow(-24) }
    const late = await insertPeriod(s.ctx, {
      instrumentVersionId: s.instrumentVersionId,
      windows: { self_assessment: closed },
    })
    const lateUrl = await s.open(tree.a1.id, late.id)
    const res = await s.importXlsx(lateUrl, 'self', exported)
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'window_closed')
    t.equal((await s.exportXlsx(lateUrl, 'self')).statusCode, 200, 'export is a read: no window')

    const locked = await s.open(tree.b1.id)
    await s.transition(locked, 'self', 'submitted')
    const refused = await s.importXlsx(locked, 'self', exported)
    t.equal(refused.statusCode, 409)
    t.equal(refused.json().code, 'stage_locked')
  })

  t.test('the TPI stage: its answers are scored in K, the unit’s beside them in R and S', async (t) => {
    const url = await s.open(tree.a2.id, (await insertPeriod(s.ctx, { instrumentVersionId: s.instrumentVersionId })).id)
    await s.batch(url, 'self', [
      { question_code: 'Q1', value: 'Ya', note: 'kata unit' },
      { question_code: 'Q2', value: 'A' },
    ])
    await s.transition(url, 'self', 'submitted')
    await s.startStage(url, 'tpi', 'self', evaluator)
    await s.batch(url, 'tpi', [{ question_code: 'Q2', value: 'B', note: 'bukti kurang' }], evaluator)
    const hidden = await s.exportXlsx(
      url,
      'tpi',
      bearer(await createToken(s.ctx, 'unit_operator', { unitIds: [tree.a2.id] })),
    )
    t.equal(hidden.statusCode, 404, 'the unit does not see the TPI’s draft')
    const res = await s.exportXlsx(url, 'tpi', evaluator)
    t.equal(res.statusCode, 200)
    const ws = (await loadXlsx(res.rawPayload)).getWorksheet('LKE ZI')!
    t.equal(ws.getCell('K3').value, 'Jawaban TPI')
    t.equal(ws.getCell('O3').value, 'Catatan TPI')
    t.equal(ws.getCell(K('Q2')).value, 'B')
    t.equal(ws.getCell(O('Q2')).value, 'bukti kurang')
    t.equal(ws.getCell('R2').value, 'Jawaban Unit (penilaian mandiri)')
    t.equal(ws.getCell(`R${map.questions.Q2!.row}`).value, 'A')
    t.equal(ws.getCell(`S${map.questions.Q1!.row}`).value, 'kata unit')
    // the evaluator imports its own edit back; the R/S columns are not read
    ws.getCell(K('Q1')).value = 'Tidak'
    ws.getCell(`R${map.questions.Q3!.row}`).value = 'Ya'
    const imported = await s.importXlsx(url, 'tpi', await saveXlsx(ws.workbook), evaluator)
    t.equal(imported.statusCode, 200, imported.body)
    t.same(
      imported.json().answers.map((a: { question_code: string }) => a.question_code),
      ['Q1'],
      'only K changed what was written; R is not read',
    )
    t.notOk((await s.answersOf(url, 'tpi', evaluator)).answers.some((a) => a.question_code === 'Q3'))
  })
})
