/**
 * Makes the service's copy of the official LKE ZI workbook and its row map (see README.md here):
 *
 *   npx tsx scripts/workbook/make-template.ts [../shared/reference/lke-zi-form.xlsx]
 *
 * writes src/modules/workbook/template/lke-zi-form.xlsx and lke-zi-2026.rowmap.json. Deterministic
 * in content (the .xlsx's ZIP timestamps vary between runs; test/workbook/template.test.ts checks the
 * committed files, not bytes).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { projectRoot } from '../../src/lib/paths.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { classifyRows, layoutDigest, matchRows, type RowMap } from '../../src/modules/workbook/rules.js'
import { cellContent, dropFormulaResults, sheetReader } from '../../src/modules/workbook/sheet.js'
import { ROW_MAP_FILE, TEMPLATE_FILE } from '../../src/modules/workbook/template.js'

const source = process.argv[2] ?? join(projectRoot(), '..', 'shared', 'reference', 'lke-zi-form.xlsx')
const outDir = join(projectRoot(), 'src', 'modules', 'workbook', 'template')
const SHEET = 'LKE ZI'

/**
 * The three cells of the Pemda copy that disagree with the instrument (shared/README, scripts/golden/README),
 * each with what it must hold before (so the script refuses another workbook instead of "correcting" it).
 */
const CORRECTIONS: { cell: string; before: string; after: ExcelJS.CellValue; why: string }[] = [
  {
    cell: 'J8',
    before: 'Ya',
    after: 'Ya/Tidak',
    why: 'Pilihan Jawaban of Q1: with "Ya" the conversion cell shows "-" and Q1 never counts',
  },
  {
    cell: 'K185',
    before: '12',
    after: { formula: 'IF(OR(K186="",K187="",K188=""),"Blm Diisi",K186+K187+K188)' } as ExcelJS.CellFormulaValue,
    why: 'LHKASN "jumlah yang harus melaporkan": a typed 12 instead of the sum of the three counts below it, like K178 for LHKPN',
  },
  {
    cell: 'L175',
    before: '=AVERAGE(L176:L179)*H175',
    after: { formula: 'SUM(L176,L183)' } as ExcelJS.CellFormulaValue,
    why: 'Penyampaian Laporan Harta Kekayaan (weight 2): the master soal’s two weight-1 sub-areas, LHKPN (L176) and non-LHKPN (L183), add up',
  },
]

const COLUMNS: RowMap['columns'] = {
  choices: 'J',
  answer: 'K',
  value: 'L',
  note: 'O',
  evidenceTitles: 'P',
  evidenceUrls: 'Q',
  compareAnswer: 'R',
  compareNote: 'S',
}

const wb = new ExcelJS.Workbook()
await wb.xlsx.readFile(source)
const ws = wb.getWorksheet(SHEET)
if (!ws) throw new Error(`${source} has no sheet ${SHEET}`)
const reader = sheetReader(ws)

for (const c of CORRECTIONS) {
  const now = reader.formula(c.cell) || reader.text(c.cell)
  if (now !== c.before)
    throw new Error(
      `${c.cell} holds ${JSON.stringify(now)}, not ${JSON.stringify(c.before)}: is this the Pemda copy the corrections were written for?`,
    )
  ws.getCell(c.cell).value = c.after
  console.error(`corrected ${c.cell}: ${c.why}`)
}

const def = loadSeedInstrument()
const rows = classifyRows(reader)
const matched = matchRows(rows, def)
console.error(
  `matched ${Object.keys(matched.nodes).length} node rows and ${Object.keys(matched.questions).length} question rows; sums of counts at ${matched.sums.map((r) => `K${r}`).join(', ')}`,
)

// The Pemda's own entries go: answers (K of every answerable question), notes (O), data dukung (P, Q).
for (const q of Object.values(matched.questions)) if (!q.computed) ws.getCell(`${COLUMNS.answer}${q.row}`).value = null
for (let r = 4; r <= 207; r++) {
  for (const col of [COLUMNS.note, COLUMNS.evidenceTitles, COLUMNS.evidenceUrls]) {
    const cell = ws.getCell(`${col}${r}`)
    if (cellContent(cell).kind === 'formula') throw new Error(`${col}${r} holds a formula; not clearing it`)
    cell.value = null
  }
}
// Headers for the data dukung columns (the Pemda used them without one), styled like "Catatan".
const noteHeader = ws.getCell(`${COLUMNS.note}2`)
for (const [col, text] of [
  [COLUMNS.evidenceTitles, 'Data Dukung'],
  [COLUMNS.evidenceUrls, 'Tautan Data Dukung'],
] as const) {
  const cell = ws.getCell(`${col}2`)
  cell.value = text
  cell.style = { ...noteHeader.style }
}

// No stale values: every formula is computed by the spreadsheet that opens the file.
dropFormulaResults(wb)
wb.calcProperties.fullCalcOnLoad = true
wb.creator = 'zi-tracker'
wb.lastModifiedBy = 'zi-tracker'
wb.created = new Date('2026-01-01T00:00:00Z')
wb.modified = new Date('2026-01-01T00:00:00Z')

const formulaCells = [
  ...Object.values(matched.questions)
    .filter((q) => q.computed)
    .map((q) => q.row),
  ...matched.sums,
]
  .sort((a, b) => a - b)
  .map((r) => `${COLUMNS.answer}${r}`)

const map: RowMap = {
  instrument: def.code,
  layoutDigest: layoutDigest(def),
  sheet: SHEET,
  headerRow: 2,
  labelRow: 3,
  columns: COLUMNS,
  totalCell: 'L208',
  formulaCells,
  nodes: matched.nodes,
  questions: matched.questions,
}
if (reader.formula(map.totalCell) !== '=SUM(L198,L206)') throw new Error(`${map.totalCell} is not the total`)

await wb.xlsx.writeFile(join(outDir, TEMPLATE_FILE))
writeFileSync(join(outDir, ROW_MAP_FILE), `${JSON.stringify(map, null, 1)}\n`)
console.error(`wrote ${join(outDir, TEMPLATE_FILE)} and ${join(outDir, ROW_MAP_FILE)}`)
