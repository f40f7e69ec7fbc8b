/**
 * GET …/lke.xlsx?plan=WBK: the exported workbook carries the plan on an extra sheet "Rencana
 * perbaikan", while the official sheets' cells and formulas are exactly those of the plain export.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { planImprovement, type AnswerValue } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { PLAN_SHEET } from '../../src/modules/workbook/plan-sheet.js'
import { bearer, createToken } from '../helpers/auth.js'
import { loadXlsx, setup } from '../helpers/workbook.js'

const def = loadSeedInstrument()
const unit71 = (
  JSON.parse(readFileSync(new URL('../../docs/examples/unit-71.json', import.meta.url), 'utf8')) as {
    answers: Record<string, AnswerValue>
  }
).answers

t.test('the plan sheet', async (t) => {
  const s = await setup(t)
  const a1 = await s.open(s.tree.a1.id)
  await s.batch(
    a1,
    'self',
    Object.entries(unit71).map(([question_code, value]) => ({ question_code, value })),
  )
  const expected = planImprovement(def, unit71, 'WBK')

  const plain = await s.exportXlsx(a1, 'self')
  t.equal(plain.statusCode, 200)
  const planned = await s.app.inject({
    method: 'GET',
    url: `${a1}/stages/self/lke.xlsx?layout=official&plan=WBK`,
    headers: s.admin,
  })
  t.equal(planned.statusCode, 200, planned.statusCode === 200 ? 'exported' : planned.body.slice(0, 300))
  const [wbPlain, wbPlan] = await Promise.all([loadXlsx(plain.rawPayload), loadXlsx(planned.rawPayload)])

  t.same(
    wbPlain.worksheets.map((w) => w.name).concat(PLAN_SHEET),
    wbPlan.worksheets.map((w) => w.name),
    'the plan sheet comes after the official ones',
  )
  const cells = (ws: NonNullable<ReturnType<typeof wbPlain.getWorksheet>>) => {
    const out: Record<string, unknown> = {}
    ws.eachRow({ includeEmpty: false }, (row) =>
      row.eachCell(
        { includeEmpty: false },
        (cell) => void (out[cell.address] = cell.formula ? { f: cell.formula } : cell.value),
      ),
    )
    return out
  }
  for (const ws of wbPlain.worksheets)
    t.same(cells(wbPlan.getWorksheet(ws.name)!), cells(ws), `sheet ${ws.name} unchanged, formulas included`)
  t.ok(String(wbPlan.getWorksheet('LKE ZI')!.getCell('L208').formula ?? '').length > 0, 'the total is still a formula')

  const sheet = wbPlan.getWorksheet(PLAN_SHEET)!
  t.equal(sheet.getCell('A1').value, 'No')
  t.equal(sheet.getCell('I1').value, 'Data dukung yang disiapkan')
  expected.steps.forEach((step, i) => {
    const row = sheet.getRow(i + 2)
    t.equal(row.getCell(2).value, step.code)
    t.equal(row.getCell(6).value, step.proposed)
    t.equal(row.getCell(9).value, step.evidence_guidance)
  })
  let found = false
  sheet.eachRow((row) => {
    if (row.getCell(1).value === 'Jumlah perubahan') found = row.getCell(2).value === expected.changes
  })
  t.ok(found, 'the summary names the number of changes')

  const operatorB1 = bearer(await createToken(s.ctx, 'unit_operator', { unitIds: [s.tree.b1.id] }))
  t.equal(
    (
      await s.app.inject({
        method: 'GET',
        url: `${a1}/stages/self/lke.xlsx?layout=official&plan=WBK`,
        headers: operatorB1,
      })
    ).statusCode,
    404,
    'scoped like the stage',
  )
  t.equal(
    (await s.app.inject({ method: 'GET', url: `${a1}/stages/self/lke.xlsx?plan=GOLD`, headers: s.admin })).statusCode,
    400,
  )
})
