import type ExcelJS from 'exceljs'
import type { StoredAnswer } from '../assessments/service.js'
import { isComputed, isScored, type AnswerValue, type InstrumentDefinition } from '../instruments/domain/index.js'
import {
  COLUMNS as C,
  FIRST_ROW,
  GENERATED_SHEET,
  HEADERS,
  HEADER_ROW,
  PREDICATE_SHEET,
  generatedLayout,
  levelLabel,
  optionsText,
  verdictFormulas,
} from './generated.js'
import { CHOICES_OF_TYPE, STAGE_LABELS } from './rules.js'
import { identityKeywords } from './identity.js'
import { excel, type WorkbookInput } from './service.js'

export type GeneratedInput = Omit<WorkbookInput, 'map' | 'template'> & { def: InstrumentDefinition }

const BOLD = { bold: true }
const NODE_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7EEF7' } }
const INPUT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF8DC' } }
const PERCENT = '0.00%'
const NUMBER = '0.00'

/** What an answer cell holds: options as text, a percentage as the fraction (the cell shows it as %), numbers as numbers. */
function answerCell(answerType: string | undefined, value: AnswerValue): string | number | null {
  if (value === null) return null
  if (typeof value === 'number' && answerType === 'percentage') return value / 100
  return value
}

/**
 * The LKE workbook generated from the version's tree (sheet "LKE" and sheet "Predikat"), with the
 * stage written in. Formulas carry no saved values: the spreadsheet computes them on opening
 * (fullCalcOnLoad). Returned unsaved, so a caller can append a sheet before workbookBytes.
 */
export async function buildGeneratedWorkbook(input: GeneratedInput): Promise<ExcelJS.Workbook> {
  const { def } = input
  const layout = generatedLayout(def)
  const wb = new (await excel()).Workbook()
  const ws = wb.addWorksheet(GENERATED_SHEET, { views: [{ state: 'frozen', xSplit: 3, ySplit: HEADER_ROW }] })
  const label = STAGE_LABELS[input.stage.kind] ?? input.stage.kind
  const other = input.compare ? (STAGE_LABELS[input.compare.kind] ?? input.compare.kind) : null

  ws.getCell('A1').value = `LEMBAR KERJA EVALUASI — ${def.name} (${def.code})`
  ws.getCell('A1').font = { bold: true, size: 13 }
  ws.getCell('A2').value =
    `Unit ${input.unit.code} ${input.unit.name} · periode ${input.periodCode} · tahap ${label} (${input.stage.status})`
  const widths: Record<string, number> = {
    A: 10,
    B: 14,
    C: 60,
    D: 8,
    E: 12,
    F: 24,
    G: 50,
    H: 14,
    I: 10,
    J: 10,
    K: 8,
    L: 40,
    M: 45,
    N: 35,
    O: 14,
    P: 40,
  }
  for (const [key, col] of Object.entries(C)) {
    const cell = ws.getCell(`${col}${HEADER_ROW}`)
    cell.value =
      key === 'answer'
        ? `Jawaban ${label}`
        : key === 'note'
          ? `Catatan ${label}`
          : key === 'compareAnswer' && other
            ? `Jawaban ${other}`
            : key === 'compareNote' && other
              ? `Catatan ${other}`
              : HEADERS[key as keyof typeof HEADERS]
    cell.font = BOLD
    cell.alignment = { wrapText: true, vertical: 'middle' }
    ws.getColumn(col).width = widths[col] ?? 12
  }
  for (const col of [C.name, C.kriteria, C.note, C.evidence, C.evidenceTitles, C.compareNote])
    ws.getColumn(col).alignment = { wrapText: true, vertical: 'top' }

  const mine = new Map(input.answers.map((a) => [a.row.questionCode, a]))
  const theirs = new Map((input.compare?.answers ?? []).map((a) => [a.row.questionCode, a] as const))
  for (const r of layout.rows) {
    const n = r.node
    const row = r.row
    const set = (col: string, value: ExcelJS.CellValue) => {
      ws.getCell(`${col}${row}`).value = value
    }
    set(C.code, n.code)
    set(C.level, levelLabel(n.level))
    set(C.name, n.name)
    if (n.bobot !== null && n.bobot !== undefined) set(C.weight, n.bobot)
    if (r.valueFormula) {
      set(C.value, { formula: r.valueFormula })
      ws.getCell(`${C.value}${row}`).numFmt = NUMBER
    }
    if (n.level !== 'question') {
      set(C.share, { formula: r.shareFormula! })
      ws.getCell(`${C.share}${row}`).numFmt = PERCENT
      ws.getRow(row).font = BOLD
      for (const col of Object.values(C)) ws.getCell(`${col}${row}`).fill = NODE_FILL
      continue
    }
    set(C.choices, CHOICES_OF_TYPE[n.answerType!])
    set(C.options, optionsText(n) + (isScored(n) ? '' : ' (tidak dinilai sendiri)'))
    if (n.kriteriaNilai) set(C.kriteria, n.kriteriaNilai)
    set(C.conversion, { formula: r.conversionFormula! })
    const h = ws.getCell(`${C.answer}${row}`)
    if (n.answerType === 'percentage') h.numFmt = PERCENT
    if (isComputed(n)) {
      h.value = { formula: r.answerFormula! }
    } else {
      h.value = answerCell(n.answerType, mine.get(n.code)?.row.value ?? null)
      h.fill = INPUT_FILL
      if (n.options && n.options.length > 0) {
        h.dataValidation = {
          type: 'list',
          allowBlank: true,
          formulae: [`"${n.options.map((o) => o.value).join(',')}"`],
          showErrorMessage: true,
          error: `Pilih ${n.options.map((o) => o.value).join(', ')}`,
        }
      }
    }
    const a = mine.get(n.code)
    if (a?.row.note) set(C.note, a.row.note)
    const refs = (a?.evidenceIds ?? [])
      .flatMap((id) => (input.evidence.has(id) ? [input.evidence.get(id)!] : []))
      .sort((x, y) => x.entry.localeCompare(y.entry))
    if (refs.length) {
      set(C.evidence, refs.map((e) => e.entry).join('\n'))
      set(C.evidenceTitles, refs.map((e) => e.title).join('\n'))
    }
    const b: StoredAnswer | undefined = theirs.get(n.code)
    if (b && !isComputed(n)) set(C.compareAnswer, answerCell(n.answerType, b.row.value ?? null))
    if (b?.row.note) set(C.compareNote, b.row.note)
    if (n.answerType === 'percentage') ws.getCell(`${C.compareAnswer}${row}`).numFmt = PERCENT
  }

  const total = ws.getRow(layout.totalRow)
  total.getCell(C.name).value = 'NILAI EVALUASI ZONA INTEGRITAS'
  total.getCell(C.weight).value = layout.maxTotal
  const roots = layout.rows.filter((r) => r.node.parentCode === null && r.node.level !== 'question')
  total.getCell(C.value).value = { formula: `SUM(${roots.map((r) => `${C.value}${r.row}`).join(',')})` }
  total.getCell(C.value).numFmt = NUMBER
  total.getCell(C.share).value = {
    formula: `IF(${C.weight}${layout.totalRow}>0,${C.value}${layout.totalRow}/${C.weight}${layout.totalRow},"")`,
  }
  total.getCell(C.share).numFmt = PERCENT
  total.font = BOLD
  ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: FIRST_ROW + layout.rows.length - 1, column: 16 } }

  // Predikat: the rules and the verdict, as formulas over the LKE sheet's Nilai.
  const ps = wb.addWorksheet(PREDICATE_SHEET)
  const heads = [
    'Aturan',
    'Predikat',
    'Uraian',
    'Sasaran',
    'Ukuran',
    'Minimum',
    'Nilai',
    'Bobot',
    'Capaian',
    'Terpenuhi',
    'Sumber',
    'Keyakinan',
  ]
  heads.forEach((text, i) => {
    const cell = ps.getRow(1).getCell(i + 1)
    cell.value = text
    cell.font = BOLD
  })
  for (const [col, width] of [
    ['A', 22],
    ['B', 9],
    ['C', 60],
    ['D', 22],
    ['E', 16],
    ['F', 10],
    ['G', 10],
    ['H', 8],
    ['I', 10],
    ['J', 10],
    ['K', 60],
    ['L', 14],
  ] as const)
    ps.getColumn(col).width = width
  for (const p of layout.predicates) {
    const row = ps.getRow(p.row)
    const rule = p.rule
    const target =
      rule.target.kind === 'total'
        ? 'total'
        : rule.target.kind === 'node'
          ? rule.target.code
          : rule.target.codes.join(' + ')
    row.values = [
      rule.id,
      rule.predicate,
      rule.description,
      target,
      rule.measure === 'value' ? 'nilai' : 'bagian dari bobot',
      rule.min,
    ]
    row.getCell(7).value = { formula: p.actualFormula }
    row.getCell(7).numFmt = NUMBER
    row.getCell(8).value = p.weight
    row.getCell(9).value = { formula: p.shareFormula }
    row.getCell(9).numFmt = rule.measure === 'value' ? NUMBER : PERCENT
    row.getCell(10).value = { formula: p.passFormula }
    row.getCell(11).value = rule.source
    row.getCell(12).value = rule.confidence
    if (rule.measure !== 'value') row.getCell(6).numFmt = PERCENT
  }
  const v = verdictFormulas(layout)
  const verdicts = [
    [layout.verdictRows.wbk, 'Semua aturan WBK terpenuhi', v.wbk],
    [layout.verdictRows.wbbm, 'Semua aturan WBBM terpenuhi', v.wbbm],
    [layout.verdictRows.predicate, 'Predikat yang dapat diusulkan', v.predicate],
  ] as const
  for (const [r, text, formula] of verdicts) {
    ps.getCell(`A${r}`).value = text
    ps.getCell(`A${r}`).font = BOLD
    ps.getCell(`C${r}`).value = { formula }
    ps.getCell(`C${r}`).font = BOLD
  }

  wb.title = `LKE ${def.code} ${input.unit.code} ${input.unit.name}`
  wb.subject = `Tahap ${label} (${input.stage.status}), periode ${input.periodCode}`
  wb.keywords = identityKeywords({
    assessment_id: input.assessmentId,
    stage: input.stage.kind,
    unit_code: input.unit.code,
    period_code: input.periodCode,
    instrument: def.code,
  })
  wb.lastModifiedBy = 'zi-tracker'
  wb.modified = new Date()
  wb.calcProperties.fullCalcOnLoad = true
  return wb
}
