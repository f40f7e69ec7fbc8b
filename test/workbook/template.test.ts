/**
 * The committed template (src/modules/workbook/template/lke-zi-form.xlsx) and row map
 * (lke-zi-2026.rowmap.json), made by scripts/workbook/make-template.ts: the map is what matching the
 * template's rows to the seeded instrument gives, the Pemda copy in ../shared maps to the same rows
 * once corrected, and the template differs from that copy only where the script says.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import t from 'tap'
import { projectRoot } from '../../src/lib/paths.js'
import { indexTree } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { classifyRows, layoutDigest, matchRows } from '../../src/modules/workbook/rules.js'
import { cellContent, sheetReader } from '../../src/modules/workbook/sheet.js'
import { loadRowMap, templateBytes } from '../../src/modules/workbook/template.js'
import { unzipEntry, zipEntries } from '../../src/lib/zip.js'
import { loadXlsx } from '../helpers/workbook.js'

const map = loadRowMap()
const def = loadSeedInstrument()
const SHARED = join(projectRoot(), '..', 'shared', 'reference', 'lke-zi-form.xlsx')

/** A cell as a comparable string: its formula, else what it holds. */
function shown(cell: ExcelJS.Cell): string {
  const c = cellContent(cell)
  if (c.kind === 'formula') return `=${c.formula}`
  if (c.kind === 'text') return c.text
  if (c.kind === 'number' || c.kind === 'boolean') return String(c.value)
  if (c.kind === 'date') return c.value.toISOString()
  if (c.kind === 'error') return c.error
  return ''
}

t.test('the committed row map is what the template and the seeded instrument give', async (t) => {
  const template = await loadXlsx(templateBytes())
  const ws = template.getWorksheet(map.sheet)!
  const matched = matchRows(classifyRows(sheetReader(ws)), def)
  t.same(matched.nodes, map.nodes, 'node rows')
  t.same(matched.questions, map.questions, 'question rows')
  t.equal(map.instrument, def.code)
  t.equal(map.layoutDigest, layoutDigest(def), 'the layout digest of LKE-ZI-2026')
  const ordered = indexTree(def).ordered
  t.equal(
    Object.keys(map.nodes).length + Object.keys(map.questions).length,
    ordered.length,
    'every node of the instrument has a row',
  )
  const rows = [...Object.values(map.nodes), ...Object.values(map.questions).map((q) => q.row)]
  t.equal(new Set(rows).size, rows.length, 'no row is used twice')
  t.same(
    map.formulaCells,
    [
      ...Object.values(map.questions)
        .filter((q) => q.computed)
        .map((q) => q.row),
      ...matched.sums,
    ]
      .sort((a, b) => a - b)
      .map((r) => `K${r}`),
    'formula cells: the ratios and the two sums of counts',
  )
  t.same(matched.sums, [178, 185])
  t.equal(shown(ws.getCell(map.totalCell)), '=SUM(L198,L206)', 'the total cell')
  t.equal(shown(ws.getCell(`K${map.headerRow}`)), 'Jawaban')
  t.equal(shown(ws.getCell(`O${map.headerRow}`)), 'Catatan/Keterangan/Penjelasan')
  // spot checks against the workbook's own labels
  t.equal(map.questions.Q1?.row, 8)
  t.equal(map.questions.Q125?.row, 202, 'the IPAK survey index')
  t.equal(map.nodes.N54, 175, 'Penyampaian Laporan Harta Kekayaan')
})

t.test('the template: the Pemda copy with three cells corrected, its entries cleared, no saved values', async (t) => {
  const original = new ExcelJS.Workbook()
  await original.xlsx.load(readFileSync(SHARED) as unknown as ArrayBuffer)
  const template = await loadXlsx(templateBytes())
  t.same(
    template.worksheets.map((w) => [w.name, w.state]),
    original.worksheets.map((w) => [w.name, w.state]),
    'the same sheets, the same visibility',
  )
  const dir = zipEntries(templateBytes())
  const workbookXml = dir.ok
    ? unzipEntry(dir.entries.find((e) => e.name === 'xl/workbook.xml')!, 1 << 20).toString('utf8')
    : ''
  t.match(workbookXml, /<calcPr [^>]*fullCalcOnLoad="1"/, 'a spreadsheet recalculates on opening')

  const ws = template.getWorksheet(map.sheet)!
  const os = original.getWorksheet(map.sheet)!
  t.equal(shown(ws.getCell('J8')), 'Ya/Tidak')
  t.equal(shown(ws.getCell('K185')), '=IF(OR(K186="",K187="",K188=""),"Blm Diisi",K186+K187+K188)')
  t.equal(shown(ws.getCell('L175')), '=SUM(L176,L183)')
  t.equal(shown(os.getCell('K185')), '12', 'the copy in shared/ still has the typed 12')
  const protection = (w: ExcelJS.Worksheet) =>
    (w as unknown as { sheetProtection?: Record<string, unknown> }).sheetProtection
  t.ok(protection(ws)?.hashValue, 'the sheet stays protected (K and O unlocked for entries)')
  t.same(protection(ws), protection(os), 'with the Pemda copy’s protection')

  // Every other cell of every sheet is as in the Pemda copy (formulas compared as text), except the
  // entries the script clears and the two headers it adds.
  const cleared = new Set<string>()
  for (const q of Object.values(map.questions)) if (!q.computed) cleared.add(`K${q.row}`)
  for (let r = 4; r <= 207; r++) for (const c of ['O', 'P', 'Q']) cleared.add(`${c}${r}`)
  const changed = new Set(['J8', 'K185', 'L175', 'P2', 'Q2'])
  let compared = 0
  for (const sheet of original.worksheets) {
    const mine = template.getWorksheet(sheet.name)!
    const addresses = new Set<string>()
    for (const w of [sheet, mine])
      w.eachRow({ includeEmpty: false }, (row) =>
        row.eachCell({ includeEmpty: false }, (cell) => addresses.add(cell.address)),
      )
    for (const address of addresses) {
      const a = shown(sheet.getCell(address))
      const b = shown(mine.getCell(address))
      if (sheet.name === map.sheet && cleared.has(address)) {
        if (b !== '') t.fail(`${address} should be empty in the template, holds ${JSON.stringify(b)}`)
      } else if (sheet.name === map.sheet && changed.has(address)) {
        continue
      } else if (a !== b)
        t.fail(`${sheet.name}!${address}: ${JSON.stringify(a)} in the Pemda copy, ${JSON.stringify(b)} in the template`)
      const cell = mine.getCell(address)
      if (cell.type === ExcelJS.ValueType.Formula && cell.result !== undefined)
        t.fail(`${sheet.name}!${address} keeps a saved value`)
      compared++
    }
  }
  t.ok(compared > 2000, `${compared} cells compared`)
  t.equal(shown(ws.getCell('P2')), 'Data Dukung')
  t.equal(shown(ws.getCell('Q2')), 'Tautan Data Dukung')
})

t.test('the Pemda copy in shared/ maps to the same rows once K185 and J8 are corrected', async (t) => {
  const original = new ExcelJS.Workbook()
  await original.xlsx.load(readFileSync(SHARED) as unknown as ArrayBuffer)
  const os = original.getWorksheet(map.sheet)!
  t.throws(
    () => matchRows(classifyRows(sheetReader(os)), def),
    /198 node and question rows, LKE-ZI-2026 has 197/,
    'uncorrected, the typed K185 looks like one more question',
  )
  os.getCell('K185').value = {
    formula: 'IF(OR(K186="",K187="",K188=""),"Blm Diisi",K186+K187+K188)',
  } as ExcelJS.CellFormulaValue
  t.throws(
    () => matchRows(classifyRows(sheetReader(os)), def),
    /row 8 has J="Ya"/,
    'and with K185 a sum, Q1’s row does not match until J8 says Ya/Tidak',
  )
  os.getCell('J8').value = 'Ya/Tidak'
  const matched = matchRows(classifyRows(sheetReader(os)), def)
  t.same(matched.nodes, map.nodes)
  t.same(matched.questions, map.questions)
})
