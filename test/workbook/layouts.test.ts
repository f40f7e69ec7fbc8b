import { eq } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import t from 'tap'
import { evidence } from '../../src/modules/evidence/tables.js'
import type { AnswerValue } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import {
  COLUMNS as C,
  GENERATED_SHEET,
  PREDICATE_SHEET,
  generatedLayout,
} from '../../src/modules/workbook/generated.js'
import { loadRowMap } from '../../src/modules/workbook/template.js'
import { bearer, createToken } from '../helpers/auth.js'
import { multipartBody, pdfBytes } from '../helpers/multipart.js'
import { insertPeriod } from '../helpers/periods.js'
import { goldenAnswers, insertDefinition, loadXlsx, saveXlsx, setup, variantDefinition } from '../helpers/workbook.js'

const seed = loadSeedInstrument()
const layout = generatedLayout(seed)
const row = (code: string) => layout.questionRows.get(code)!
const H = (code: string) => `${C.answer}${row(code)}`
const M = (code: string) => `${C.evidence}${row(code)}`
type Cell = { sheet: string; cell: string; rule: string; question_code?: string; value: unknown }

t.test('workbook layouts: generated, official, PortalRB; evidence cells', async (t) => {
  const s = await setup(t)
  const { app, tree, admin } = s
  const given = goldenAnswers('random-seed-2')
  const strip = (xs: { question_code: string; value: AnswerValue; note: string | null }[]) =>
    xs
      .map((a) => ({ question_code: a.question_code, value: a.value, note: a.note }))
      .sort((x, y) => x.question_code.localeCompare(y.question_code))
  const linksOf = async (unitId: string) =>
    (await app.db.select({ id: evidence.id, url: evidence.url }).from(evidence).where(eq(evidence.unitId, unitId)))
      .length

  // a1's answers, with a link of a1 and a file of the OPD (usable by every unit under it)
  const a1 = await s.open(tree.a1.id)
  const link = (
    await app.inject({
      method: 'POST',
      url: '/v1/evidence/links',
      headers: admin,
      payload: { unit_id: tree.a1.id, title: 'SK Tim', url: 'https://example.go.id/sk-tim.pdf' },
    })
  ).json()
  const form = multipartBody(
    { unit_id: tree.opdA.id, title: 'Renstra OPD' },
    { name: 'renstra-2026.pdf', type: 'application/pdf', content: pdfBytes() },
  )
  const file = (
    await app.inject({
      method: 'POST',
      url: '/v1/evidence/files',
      headers: { ...admin, ...form.headers },
      payload: form.payload,
    })
  ).json()
  t.ok(file.id, 'file uploaded')
  await s.batch(
    a1,
    'self',
    Object.entries(given).map(([question_code, value]) => ({
      question_code,
      value,
      ...(question_code === 'Q1'
        ? { note: 'catatan, "dengan" tanda\nbaris dua', evidence_ids: [link.id, file.id] }
        : {}),
    })),
  )

  let exported: Buffer
  t.test(
    'the default export is the generated workbook: the tree, answers, notes, evidence, formulas, the Predikat sheet',
    async (t) => {
      const res = await s.exportXlsx(a1, 'self', admin, null)
      t.equal(res.statusCode, 200)
      t.match(res.headers['content-disposition'], /filename="LKE-ZI-2026_/)
      exported = res.rawPayload
      const wb = await loadXlsx(exported)
      const ws = wb.getWorksheet(GENERATED_SHEET)!
      t.equal(ws.getCell(`${C.code}${row('Q1')}`).value, 'Q1')
      t.equal(ws.getCell(`${C.choices}${row('Q1')}`).value, 'Ya/Tidak')
      t.equal(ws.getCell(`${C.options}${row('Q2')}`).value, 'A = 1; B = 0.5; C = 0')
      t.equal(ws.getCell(H('Q1')).value, given.Q1)
      t.equal(ws.getCell(`${C.note}${row('Q1')}`).value, 'catatan, "dengan" tanda\nbaris dua')
      t.equal(
        ws.getCell(M('Q1')).value,
        'https://example.go.id/sk-tim.pdf\nrenstra-2026.pdf',
        'a link by its URL, a file by its name',
      )
      t.match(
        (ws.getCell(H('R36a')).value as ExcelJS.CellFormulaValue).formula,
        /^IF\(AND\(ISNUMBER\(H\d+\),ISNUMBER\(H\d+\)\),MIN\(1,MAX\(0,MIN\(1,\(H\d+\/H\d+\)\)\)\),"Blm Diisi"\)$/,
      )
      t.match(
        (
          ws.getCell(`${C.value}${layout.rows.find((r) => r.node.code === 'N4')!.row}`)
            .value as ExcelJS.CellFormulaValue
        ).formula,
        /^IF\(COUNT\(I\d+,I\d+\)=0,0,AVERAGE\(I\d+,I\d+\)\*D\d+\)$/,
      )
      t.ok(wb.getWorksheet(PREDICATE_SHEET), 'the Predikat sheet')
      t.equal(wb.getWorksheet(PREDICATE_SHEET)!.getCell('A2').value, seed.predicateRules[0]!.id)
    },
  )

  t.test(
    'generated round trip: into another unit (evidence matched or created), into the same stage (nothing changes)',
    async (t) => {
      const a2 = await s.open(tree.a2.id)
      const before = await linksOf(tree.a2.id)
      const res = await s.importXlsx(a2, 'self', exported, s.admin, 'lke.xlsx', 'identity=override')
      t.equal(res.statusCode, 200, res.body.slice(0, 500))
      t.equal(res.json().layout, 'generated')
      t.equal(res.json().evidence_created, 1, 'a1’s link is not a2’s: a link item of a2 is made')
      t.same(strip((await s.answersOf(a2, 'self')).answers), strip((await s.answersOf(a1, 'self')).answers))
      const q1 = (await s.answersOf(a2, 'self')).answers.find((a) => a.question_code === 'Q1')!.evidence_ids
      t.equal(q1.length, 2)
      t.ok(q1.includes(file.id), 'the OPD’s file, by its name')
      t.equal(await linksOf(tree.a2.id), before + 1)
      const again = await s.importXlsx(a1, 'self', exported)
      t.equal(again.statusCode, 200)
      t.equal(again.json().changed, 0, 'the file a stage was exported to changes nothing in it')
      t.equal(again.json().evidence_created, 0)
    },
  )

  t.test('an edited generated file: answers, a new link and a file name attached', async (t) => {
    const wb = await loadXlsx(exported)
    const ws = wb.getWorksheet(GENERATED_SHEET)!
    ws.getCell(H('Q3')).value = given.Q3 === 'Ya' ? 'tidak' : 'ya'
    ws.getCell(M('Q5')).value =
      'https://drive.example.org/file/abc  https://drive.example.org/file/def\nRENSTRA-2026.pdf'
    const res = await s.importXlsx(a1, 'self', await saveXlsx(wb))
    t.equal(res.statusCode, 200, res.body.slice(0, 500))
    t.same(
      res
        .json()
        .answers.map((a: { question_code: string }) => a.question_code)
        .sort(),
      ['Q3', 'Q5'],
    )
    t.equal(res.json().evidence_created, 2)
    const q5 = res.json().answers.find((a: { question_code: string }) => a.question_code === 'Q5')
      .evidence_ids as string[]
    t.equal(q5.length, 3)
    t.ok(q5.includes(file.id), 'file names match without case')
  })

  t.test('bad cells: every one named by sheet and cell; nothing written, no evidence item made', async (t) => {
    const wb = await loadXlsx(exported)
    const ws = wb.getWorksheet(GENERATED_SHEET)!
    ws.getCell(H('Q2')).value = 'Z'
    ws.getCell(H('Q88')).value = 'dua belas'
    ws.getCell(H('R36a')).value = 0.5
    ws.getCell(M('Q4')).value = 'https://example.go.id/baru.pdf\nlaporan-tidak-ada.pdf'
    ws.getCell(M('Q6')).value = 'ftp://example.go.id/x.pdf'
    ws.getCell(`${C.code}${row('Q7')}`).value = 'QZZZ'
    const versionBefore = (await s.answersOf(a1, 'self')).stage.version
    const itemsBefore = await linksOf(tree.a1.id)
    const res = await s.importXlsx(a1, 'self', await saveXlsx(wb))
    t.equal(res.statusCode, 422, res.body.slice(0, 300))
    const body = res.json()
    t.equal(body.code, 'workbook_cells_invalid')
    const cells = (body.cells as Cell[]).map((c) => `${c.sheet}!${c.cell} ${c.rule}`)
    t.same(
      cells.sort(),
      [
        `LKE!${H('Q2')} answer_not_allowed`,
        `LKE!${H('Q88')} answer_wrong_type`,
        `LKE!${H('R36a')} formula_replaced`,
        `LKE!${M('Q6')} evidence_invalid`,
        `LKE!${C.code}${row('Q7')} unknown_question`,
        `LKE!A:A question_missing`,
      ].sort(),
      'every bad cell of the sheet (evidence names are matched only once the cells are valid)',
    )
    t.ok(
      body.errors.every((e: { pointer: string }) => e.pointer.startsWith('/body/file/LKE/')),
      'pointers name the sheet',
    )
    t.equal((await s.answersOf(a1, 'self')).stage.version, versionBefore, 'nothing written')

    // the cells fixed but a file name that matches nothing: still refused, still nothing made
    ws.getCell(H('Q2')).value = 'A'
    ws.getCell(H('Q88')).value = 12
    ws.getCell(H('R36a')).value = {
      formula: (await loadXlsx(exported)).getWorksheet(GENERATED_SHEET)!.getCell(H('R36a')).formula,
    } as ExcelJS.CellFormulaValue
    ws.getCell(M('Q6')).value = null
    ws.getCell(`${C.code}${row('Q7')}`).value = 'Q7'
    const res2 = await s.importXlsx(a1, 'self', await saveXlsx(wb))
    t.equal(res2.statusCode, 422, res2.body.slice(0, 300))
    t.same(
      (res2.json().cells as Cell[]).map((c) => [c.sheet, c.cell, c.rule, c.value]),
      [['LKE', M('Q4'), 'evidence_not_found', 'laporan-tidak-ada.pdf']],
    )
    t.equal((await s.answersOf(a1, 'self')).stage.version, versionBefore, 'nothing written')
    t.equal(await linksOf(tree.a1.id), itemsBefore, 'the new link in the same file was not made either')
  })

  t.test(
    'the PortalRB layout: the master soal’s excel_* cells, unit columns for self, TPI columns for the TPI',
    async (t) => {
      const make = (
        values: Record<string, AnswerValue>,
        column: 'jawaban_unit' | 'jawaban_tpi',
        extra?: (ws: ExcelJS.Worksheet) => void,
      ) => {
        const wb = new ExcelJS.Workbook()
        const ws = wb.addWorksheet('Jawaban')
        for (const q of seed.nodes) {
          const ext = q.external
          if (q.level !== 'question' || !ext?.excelRow || !ext.excelColumns) continue
          const v = values[q.code]
          if (v !== undefined && v !== null) ws.getCell(`${ext.excelColumns[column]}${ext.excelRow}`).value = v
        }
        extra?.(ws)
        return saveXlsx(wb)
      }
      const b1 = await s.open(tree.b1.id)
      const res = await s.importXlsx(
        b1,
        'self',
        await make(given, 'jawaban_unit', (ws) => {
          ws.getCell('L6').value = 'catatan unit Q1'
          ws.getCell('M6').value = 'https://portal.example.go.id/bukti/1'
        }),
      )
      t.equal(res.statusCode, 200, res.body.slice(0, 500))
      t.equal(res.json().layout, 'portalrb')
      const got = (await s.answersOf(b1, 'self')).answers
      t.same(
        got.map((a) => [a.question_code, a.value]).sort(),
        Object.entries(given).sort(),
        'every answer from its excel_baris row, column K',
      )
      t.equal(got.find((a) => a.question_code === 'Q1')!.note, 'catatan unit Q1')
      t.equal(got.find((a) => a.question_code === 'Q1')!.evidence_ids.length, 1, 'bukti_dukung_unit (M) linked')

      const bad = await s.importXlsx(b1, 'self', await make({ ...given, Q1: 'Mungkin', Q127: 5 }, 'jawaban_unit'))
      t.equal(bad.statusCode, 422)
      t.same((bad.json().cells as Cell[]).map((c) => `${c.sheet}!${c.cell} ${c.rule} ${c.question_code}`).sort(), [
        'Jawaban!K202 answer_out_of_range Q127',
        'Jawaban!K6 answer_not_allowed Q1',
      ])

      await s.transition(b1, 'self', 'submitted')
      await s.startStage(b1, 'tpi', 'self')
      const tpi = await s.importXlsx(
        b1,
        'tpi',
        await make({ ...given, Q1: given.Q1 === 'Ya' ? 'Tidak' : 'Ya' }, 'jawaban_tpi'),
      )
      t.equal(tpi.statusCode, 200, tpi.body.slice(0, 300))
      t.same(
        tpi.json().answers.map((a: { question_code: string }) => a.question_code),
        ['Q1'],
        'only the TPI column’s difference',
      )
    },
  )

  t.test('the official form: its Tautan Data Dukung column is read, a bad entry named', async (t) => {
    const map = loadRowMap()
    const off = await s.exportXlsx(a1, 'self')
    t.equal(off.statusCode, 200)
    const wb = await loadXlsx(off.rawPayload)
    wb.getWorksheet('LKE ZI')!.getCell(`Q${map.questions.Q2!.row}`).value = 'javascript:alert(1)'
    const res = await s.importXlsx(a1, 'self', await saveXlsx(wb))
    t.equal(res.statusCode, 422)
    t.same(
      (res.json().cells as Cell[]).map((c) => [c.sheet, c.cell, c.rule]),
      [['LKE ZI', `Q${map.questions.Q2!.row}`, 'evidence_invalid']],
    )
    // a file's download link, as the official export writes it, names the item itself
    const ok = await s.importXlsx(a1, 'self', off.rawPayload)
    t.equal(ok.statusCode, 200, ok.body.slice(0, 300))
    t.equal(ok.json().layout, 'official')
    t.equal(ok.json().evidence_created, 0)
  })

  t.test(
    'a version that differs from 2026 (a draft): generated export and import; the official form refused; a 2026 file refused',
    async (t) => {
      const variant = variantDefinition('LKE-VARIAN-LAYOUT')
      const id = await insertDefinition(s.ctx, variant, 'draft')
      const url = await s.open(tree.a1.id, (await insertPeriod(s.ctx, { instrumentVersionId: id })).id)
      await s.batch(url, 'self', [
        { question_code: 'QX1', value: 'B' },
        { question_code: 'Q1', value: 'Ya' },
      ])
      const official = await s.exportXlsx(url, 'self')
      t.equal(official.statusCode, 409)
      t.equal(official.json().code, 'workbook_not_available')
      t.equal(
        (await app.inject({ method: 'GET', url: `${url}/stages/self/lke.xlsx?layout=pdf`, headers: admin })).statusCode,
        400,
      )
      const res = await s.exportXlsx(url, 'self', admin, 'generated')
      t.equal(res.statusCode, 200)
      const wb = await loadXlsx(res.rawPayload)
      const vl = generatedLayout(variant)
      const ws = wb.getWorksheet(GENERATED_SHEET)!
      t.equal(ws.getCell(`${C.answer}${vl.questionRows.get('QX1')}`).value, 'B')
      t.equal(ws.getCell(`${C.options}${vl.questionRows.get('QX1')}`).value, 'A = 1; B = 0.6; C = 0.3; D = 0')
      t.notOk(vl.questionRows.has('Q2'), 'the removed question has no row')
      ws.getCell(`${C.answer}${vl.questionRows.get('QX1')}`).value = 'C'
      const back = await s.importXlsx(url, 'self', await saveXlsx(wb))
      t.equal(back.statusCode, 200, back.body.slice(0, 300))
      t.same(
        back.json().answers.map((a: { question_code: string; value: AnswerValue }) => [a.question_code, a.value]),
        [['QX1', 'C']],
      )

      const wrong = await s.importXlsx(url, 'self', exported)
      t.equal(wrong.statusCode, 422)
      const rules = (wrong.json().cells as Cell[]).map((c) => `${c.cell} ${c.rule} ${c.question_code ?? ''}`)
      t.ok(rules.includes('A:A question_missing QX1'), 'the added question has no row in a 2026 file')
      t.ok(
        rules.some((r) => r.endsWith('unknown_question ')),
        'the removed Q2 row is named',
      )
    },
  )

  t.test('an evaluator attaches the unit’s items but adds none: a new link is refused, naming its cell', async (t) => {
    const evaluator = bearer(await createToken(s.ctx, 'evaluator', { unitIds: [tree.opdA.id] }))
    await s.transition(a1, 'self', 'submitted')
    await s.startStage(a1, 'tpi', 'self', evaluator)
    const res = await s.exportXlsx(a1, 'tpi', evaluator, 'generated')
    t.equal(res.statusCode, 200)
    const wb = await loadXlsx(res.rawPayload)
    const ws = wb.getWorksheet(GENERATED_SHEET)!
    t.equal(
      ws.getCell(`${C.compareAnswer}${row('Q1')}`).value,
      (await s.answersOf(a1, 'self')).answers.find((a) => a.question_code === 'Q1')!.value,
      'the unit’s answer beside, for comparison',
    )
    ws.getCell(M('Q9')).value = 'https://example.go.id/sk-tim.pdf\nhttps://evaluator.example.org/catatan'
    const refused = await s.importXlsx(a1, 'tpi', await saveXlsx(wb), evaluator)
    t.equal(refused.statusCode, 422)
    t.same(
      (refused.json().cells as Cell[]).map((c) => [c.sheet, c.cell, c.rule, c.value]),
      [['LKE', M('Q9'), 'evidence_not_allowed', 'https://evaluator.example.org/catatan']],
    )
    ws.getCell(M('Q9')).value = 'https://example.go.id/sk-tim.pdf'
    const ok = await s.importXlsx(a1, 'tpi', await saveXlsx(wb), evaluator)
    t.equal(ok.statusCode, 200, ok.body.slice(0, 300))
    t.same(
      ok.json().answers.find((a: { question_code: string }) => a.question_code === 'Q9').evidence_ids,
      [link.id],
      'the unit’s own link item, attached by its URL',
    )
  })
})
