/**
 * The exported workbook, recalculated by LibreOffice, shows the API's score: the "recalculate
 * the exported file with LibreOffice headless and compare". Each stage is exported, LibreOffice opens
 * it headless with a fresh profile (its default settings, as a Pemda's spreadsheet would) and saves it
 * again as .xlsx (`soffice --convert-to xlsx`), which stores the value it computed for every formula;
 * those values (L208, and column L of every node and question row) are compared with GET …/score.
 *
 * Needs LibreOffice Calc: Debian `libreoffice-calc-nogui` (which brings libreoffice-core-nogui and
 * libreoffice-common); `soffice` on the PATH. Not skipped without it: the test fails and says so.
 *
 * The API answers scores as the workbook displays them (2 decimals, docs/scoring.md): each cell
 * LibreOffice computed, rounded so, must read as the API's figure. (The engine itself is checked
 * against the workbook to 1e-9 in test/instruments/domain/golden.test.ts.)
 * The cases are golden answer sets whose workbook has no error cell (a wholly unanswered sub-area
 * is #DIV/0! in the workbook and 0 in the API: a known, documented difference).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type ExcelJS from 'exceljs'
import t from 'tap'
import { loadRowMap } from '../../src/modules/workbook/template.js'
import { insertUnit } from '../helpers/units.js'
import { asScore } from '../helpers/precision.js'
import { goldenAnswers, loadXlsx, setup } from '../helpers/workbook.js'

const run = promisify(execFile)
const map = loadRowMap()
const CASES = [
  'all-best',
  'all-worst',
  'second-options',
  'random-seed-1',
  'partial-seed-4',
  'ratio-inputs-blank',
  'pemda-sample',
]

/** The number a cell holds or its formula computed (cell.result: exceljs's `value` drops a result of 0). */
function numberIn(ws: ExcelJS.Worksheet, address: string): number | null {
  const cell = ws.getCell(address)
  const v = cell.type === 6 ? (cell.result as unknown) : cell.value
  return typeof v === 'number' ? v : null
}

// A hang guard, not a timed assertion: one soffice run over ten workbooks on a busy 2-core machine
// can outlast the suite's default 120 s per file.
t.setTimeout(600_000)

t.test('LibreOffice recalculating the exported workbook gives the API’s score', async (t) => {
  const soffice = await run('soffice', ['--version']).catch((error: Error) => {
    throw new Error(
      `LibreOffice is needed for this test (Debian: apt-get install libreoffice-calc-nogui): ${error.message}`,
    )
  })
  t.match(soffice.stdout, /LibreOffice/, soffice.stdout.trim())

  const s = await setup(t)
  const exports: { name: string; url: string; stage: string }[] = []
  for (const name of CASES) {
    const unit = await insertUnit(s.ctx, { kind: 'unit', parent: s.tree.opdA, name: `Unit ${name}` })
    const url = await s.open(unit.id)
    await s.batch(
      url,
      'self',
      Object.entries(goldenAnswers(name)).map(([question_code, value]) => ({ question_code, value })),
    )
    exports.push({ name, url, stage: 'self' })
  }
  // a TPI stage that disagrees with the unit on a few answers: the workbook scores the TPI's column
  const tpiUnit = await insertUnit(s.ctx, { kind: 'unit', parent: s.tree.opdA, name: 'Unit TPI' })
  const tpiUrl = await s.open(tpiUnit.id)
  await s.batch(
    tpiUrl,
    'self',
    Object.entries(goldenAnswers('random-seed-3')).map(([question_code, value]) => ({ question_code, value })),
  )
  await s.transition(tpiUrl, 'self', 'submitted')
  await s.startStage(tpiUrl, 'tpi', 'self')
  await s.batch(tpiUrl, 'tpi', [
    { question_code: 'Q1', value: 'Tidak' },
    { question_code: 'Q2', value: 'C' },
    { question_code: 'Q88', value: 10 },
    { question_code: 'Q125', value: 2.75 },
  ])
  exports.push({ name: 'tpi-stage', url: tpiUrl, stage: 'tpi' })

  const dir = mkdtempSync(join(tmpdir(), 'zi-lke-lo-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const files: string[] = []
  for (const e of exports) {
    const res = await s.exportXlsx(e.url, e.stage)
    t.equal(res.statusCode, 200, `${e.name} exported`)
    const file = join(dir, `${e.name}.xlsx`)
    writeFileSync(file, res.rawPayload)
    files.push(file)
  }
  // One soffice run for every file, on a private profile (its defaults; no other LibreOffice disturbed).
  const outDir = join(dir, 'recalculated')
  await run(
    'soffice',
    [
      `-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`,
      '--headless',
      '--norestore',
      '--nologo',
      '--convert-to',
      'xlsx',
      '--outdir',
      outDir,
      ...files,
    ],
    { timeout: 300_000, maxBuffer: 8 * 1024 * 1024 },
  )

  for (const e of exports) {
    t.test(e.name, async (t) => {
      const api = await s.score(e.url, e.stage, true)
      const ws = (await loadXlsx(readFileSync(join(outDir, `${e.name}.xlsx`)))).getWorksheet('LKE ZI')!
      const total = numberIn(ws, map.totalCell)
      t.ok(total !== null, `${map.totalCell} is a number (${total})`)
      t.equal(asScore(total ?? NaN), api.total, `${map.totalCell} ${total} reads as the API total ${api.total}`)
      let compared = 0
      for (const node of api.explanation!.nodes) {
        const row = map.nodes[node.code]
        if (row === undefined) continue
        const value = numberIn(ws, `L${row}`)
        if (value === null || asScore(value) !== node.value)
          t.fail(`${node.code} (L${row}): workbook ${value}, API ${node.value}`)
        compared++
      }
      t.equal(compared, Object.keys(map.nodes).length, `every node row (${compared}) agrees`)
      let questions = 0
      for (const q of api.explanation!.questions) {
        if (q.value === null) continue
        const row = map.questions[q.code]!.row
        const value = numberIn(ws, `L${row}`)
        if (value === null || asScore(value) !== q.value)
          t.fail(`${q.code} (L${row}): workbook ${value}, API ${q.value}`)
        questions++
      }
      t.ok(questions > 0, `${questions} question values agree`)
    })
  }
})
