/**
 * The improvement plan on an extra sheet "Rencana perbaikan" of an exported LKE workbook: the sheet is
 * appended after the official ones, whose cells and formulas are left as they are.
 */
import type ExcelJS from 'exceljs'
import { Type } from 'typebox'
import type { PlanResult } from '../instruments/domain/index.js'

export const PLAN_SHEET = 'Rencana perbaikan'

/** The export's `plan` query parameter (spread into the export route's query schema). */
export const PlanSheetParam = {
  plan: Type.Optional(
    Type.Unsafe<'WBK' | 'WBBM'>({
      type: 'string',
      enum: ['WBK', 'WBBM'],
      description:
        'add the sheet "Rencana perbaikan": the fewest answer changes to reach this predicate, with the evidence each needs',
    }),
  ),
}

const fmt = (n: number): number => Math.round(n * 100) / 100

/** Appends the plan sheet to an exported workbook (after its own sheets, which stay as they are). */
export function addPlanSheet(wb: ExcelJS.Workbook, plan: PlanResult): void {
  const ws = wb.addWorksheet(PLAN_SHEET)
  ws.columns = [
    { header: 'No', key: 'order', width: 5 },
    { header: 'Kode', key: 'code', width: 9 },
    { header: 'Pertanyaan', key: 'name', width: 60 },
    { header: 'Sub-area', key: 'node', width: 36 },
    { header: 'Jawaban sekarang', key: 'current', width: 12 },
    { header: 'Jawaban diusulkan', key: 'proposed', width: 12 },
    { header: 'Tambahan nilai', key: 'points', width: 10 },
    { header: 'Syarat yang dibantu', key: 'rules', width: 28 },
    { header: 'Data dukung yang disiapkan', key: 'guidance', width: 80 },
  ]
  ws.getRow(1).font = { bold: true }
  for (const s of plan.steps) {
    const row = ws.addRow({
      order: s.order,
      code: s.code,
      name: s.ratio_code ? `${s.name} (masukan untuk ${s.ratio_code})` : s.name,
      node: s.node_name,
      current: s.current ?? '(kosong)',
      proposed: s.proposed,
      points: fmt(s.points),
      rules: s.rules.join(', '),
      guidance: s.evidence_guidance ?? '',
    })
    row.alignment = { wrapText: true, vertical: 'top' }
  }
  ws.addRow([])
  const summary: [string, string | number][] = [
    ['Target', plan.target],
    ['Nilai sekarang', fmt(plan.before.total)],
    ['Nilai setelah rencana', fmt(plan.after.total)],
    ['Jumlah perubahan', plan.changes],
    ['Target tercapai', plan.reachable ? 'Ya' : 'Tidak'],
  ]
  for (const gap of plan.unreachable)
    summary.push([`Belum tercapai: ${gap.rule}`, `${gap.description} (kurang ${fmt(gap.points_short)} poin)`])
  for (const [k, v] of summary) ws.addRow([k, v]).getCell(1).font = { bold: true }
}
