import type ExcelJS from 'exceljs'
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import type { Principal } from '../../lib/principal.js'
import { canRead, type StageKind } from '../assessments/rules.js'
import { answers, assessmentStages, assessments } from '../assessments/tables.js'
import { answerMap, listStages, type AssessmentRow, type StageRow, type StoredAnswer } from '../assessments/service.js'
import { unitScopeCondition } from '../auth/scope.js'
import { evidence } from '../evidence/tables.js'
import { loadDefinition } from '../instruments/cache.js'
import { evaluateEligibility, scoreInstrument, type InstrumentDefinition } from '../instruments/domain/index.js'
import type { PeriodRow } from '../periods/tables.js'
import { units } from '../units/tables.js'
import { STAGE_LABELS, cellFromAnswer, csvRecord, type RowMap } from './rules.js'
import { excel } from './read.js'
import { identityKeywords } from './identity.js'

// The parse side lives in read.ts (no database imports, for the parse worker).
export {
  assertWorkbookFits,
  cellPointer,
  excel,
  loadUpload,
  readOfficial,
  UNZIP_LIMITS,
  type CellError,
  type ImportedRow,
} from './read.js'

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

// ---------------------------------------------------------------------------------------------
// Export

export interface EvidenceRef {
  title: string
  url: string
  /** what the generated sheet's evidence cell lists: a link's URL, a file's name (both read back on import) */
  entry: string
}

/** Titles and URLs of evidence items; a file's URL is its download route on this API. */
export async function evidenceRefs(db: Queryable, ids: string[], baseUrl: string): Promise<Map<string, EvidenceRef>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .select({
      id: evidence.id,
      kind: evidence.kind,
      title: evidence.title,
      url: evidence.url,
      fileName: evidence.fileName,
    })
    .from(evidence)
    .where(inArray(evidence.id, ids))
  return new Map(
    rows.map((r) => [
      r.id,
      {
        title: r.kind === 'file' && r.fileName && r.fileName !== r.title ? `${r.title} (${r.fileName})` : r.title,
        url: r.kind === 'link' && r.url ? r.url : `${baseUrl.replace(/\/+$/, '')}/v1/evidence/${r.id}/content`,
        entry:
          r.kind === 'link' && r.url
            ? r.url
            : r.fileName || `${baseUrl.replace(/\/+$/, '')}/v1/evidence/${r.id}/content`,
      },
    ]),
  )
}

export interface WorkbookInput {
  map: RowMap
  template: Buffer
  unit: { code: string; name: string }
  periodCode: string
  stage: Pick<StageRow, 'kind' | 'status'>
  answers: StoredAnswer[]
  evidence: Map<string, EvidenceRef>
  /** the stage this one started from (tpi ← self, …), shown beside it for comparison */
  compare?: { kind: StageKind; answers: StoredAnswer[] } | undefined
  assessmentId: string
}

/**
 * The template with the stage written in: answers in the answer column (the only one the workbook's
 * formulas read, so its Nilai and total are this stage's score), notes, evidence titles and links;
 * for a stage that started from another, that stage's answers and notes beside, for comparison.
 * Formulas are kept and carry no saved values, so the spreadsheet computes them on opening.
 */
export async function buildWorkbook(input: WorkbookInput): Promise<ExcelJS.Workbook> {
  const { map } = input
  const wb = new (await excel()).Workbook()
  await wb.xlsx.load(input.template as unknown as ArrayBuffer)
  const ws = wb.getWorksheet(map.sheet)
  if (!ws) throw new Error(`the workbook template has no sheet ${map.sheet}`)
  const col = map.columns
  const label = STAGE_LABELS[input.stage.kind] ?? input.stage.kind
  ws.getCell(`${col.answer}${map.labelRow}`).value = `Jawaban ${label}`
  ws.getCell(`${col.note}${map.labelRow}`).value = `Catatan ${label}`

  const byCode = new Map(input.answers.map((a) => [a.row.questionCode, a]))
  for (const [code, q] of Object.entries(map.questions)) {
    const a = byCode.get(code)
    if (!q.computed) ws.getCell(`${col.answer}${q.row}`).value = cellFromAnswer(q.answerType, a?.row.value ?? null)
    ws.getCell(`${col.note}${q.row}`).value = a?.row.note ?? null
    const refs = (a?.evidenceIds ?? [])
      .flatMap((id) => {
        const ref = input.evidence.get(id)
        return ref ? [ref] : []
      })
      .sort((x, y) => x.title.localeCompare(y.title) || x.url.localeCompare(y.url))
    ws.getCell(`${col.evidenceTitles}${q.row}`).value = refs.length ? refs.map((r) => r.title).join('\n') : null
    const urls = ws.getCell(`${col.evidenceUrls}${q.row}`)
    urls.value =
      refs.length === 1
        ? { text: refs[0]!.url, hyperlink: refs[0]!.url }
        : refs.length
          ? refs.map((r) => r.url).join('\n')
          : null
  }

  if (input.compare) {
    const other = STAGE_LABELS[input.compare.kind] ?? input.compare.kind
    const header = ws.getCell(`${col.note}${map.headerRow}`)
    for (const [c, text, width] of [
      [col.compareAnswer, `Jawaban ${other}`, 16],
      [col.compareNote, `Catatan ${other}`, 50],
    ] as const) {
      const cell = ws.getCell(`${c}${map.headerRow}`)
      cell.value = text
      cell.style = { ...header.style }
      ws.getColumn(c).width = width
    }
    const theirs = new Map(input.compare.answers.map((a) => [a.row.questionCode, a]))
    for (const [code, q] of Object.entries(map.questions)) {
      const a = theirs.get(code)
      if (!a) continue
      if (!q.computed)
        ws.getCell(`${col.compareAnswer}${q.row}`).value = cellFromAnswer(q.answerType, a.row.value ?? null)
      ws.getCell(`${col.compareNote}${q.row}`).value = a.row.note
    }
  }

  wb.title = `LKE ZI ${input.unit.code} ${input.unit.name}`
  wb.subject = `Tahap ${label} (${input.stage.status}), periode ${input.periodCode}`
  wb.keywords = identityKeywords({
    assessment_id: input.assessmentId,
    stage: input.stage.kind,
    unit_code: input.unit.code,
    period_code: input.periodCode,
  })
  wb.lastModifiedBy = 'zi-tracker'
  wb.modified = new Date()
  wb.calcProperties.fullCalcOnLoad = true
  return wb
}

/** The .xlsx bytes of a built workbook (after any sheet a caller appends). */
export async function workbookBytes(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** The stage shown beside an exported one: the stage it was copied from, else (for an evaluator's stage) the unit's self-assessment; only if the caller may read it. */
export async function compareStageFor(
  db: Queryable,
  principal: Principal,
  stage: StageRow,
): Promise<StageRow | undefined> {
  if (stage.kind === 'self') return undefined
  const stages = await listStages(db, stage.assessmentId)
  const other = stage.copiedFromStageId
    ? stages.find((s) => s.id === stage.copiedFromStageId)
    : stages.find((s) => s.kind === 'self')
  return other && canRead(other.kind, other.status, principal.role) ? other : undefined
}

// ---------------------------------------------------------------------------------------------
// Import

// ---------------------------------------------------------------------------------------------
// CSV of a period

export const CSV_SHAPES = ['answers', 'totals'] as const
export type CsvShape = (typeof CSV_SHAPES)[number]

export const CSV_HEADERS: Record<CsvShape, string[]> = {
  answers: [
    'period_code',
    'unit_code',
    'unit_name',
    'assessment_id',
    'stage',
    'stage_status',
    'stage_total',
    'question_code',
    'value',
    'converted_value',
    'note',
  ],
  totals: [
    'period_code',
    'unit_code',
    'unit_name',
    'assessment_id',
    'stage',
    'stage_status',
    'total',
    'max_total',
    'predicate',
    'unanswered',
  ],
}

/** Stages per page: each page is one query for the stages and one for their answers. */
export const CSV_PAGE_SIZE = 25

const KIND_RANK = sql<number>`(case ${assessmentStages.kind} when 'self' then 1 when 'tpi' then 2 when 'tpn' then 3 else 4 end)`

/**
 * The CSV of a period, record by record: every stage of every assessment in the caller's scope
 * (ordered by unit code, assessment, stage), read page by page with a keyset (unit code,
 * assessment id, stage rank), so memory stays flat whatever the number of units. Not one snapshot:
 * a stage written while the export runs shows as it was when its page was read.
 */
export async function* periodCsv(
  db: Queryable,
  principal: Principal,
  period: PeriodRow,
  shape: CsvShape,
): AsyncGenerator<string> {
  yield csvRecord(CSV_HEADERS[shape])
  let after: { code: string; assessmentId: string; rank: number } | null = null
  for (;;) {
    const conditions: (SQL | undefined)[] = [
      eq(assessments.periodId, period.id),
      unitScopeCondition(principal, units.path),
    ]
    if (after)
      conditions.push(
        sql`(${units.code}, ${assessments.id}, ${KIND_RANK}) > (${after.code}, ${after.assessmentId}::uuid, ${after.rank}::int)`,
      )
    const page = await db
      .select({
        stage: assessmentStages,
        assessment: assessments,
        unitCode: units.code,
        unitName: units.name,
        rank: KIND_RANK,
      })
      .from(assessmentStages)
      .innerJoin(assessments, eq(assessments.id, assessmentStages.assessmentId))
      .innerJoin(units, eq(units.id, assessments.unitId))
      .where(and(...conditions))
      .orderBy(asc(units.code), asc(assessments.id), asc(KIND_RANK))
      .limit(CSV_PAGE_SIZE)
    if (page.length === 0) return
    const visible = page.filter((p) => canRead(p.stage.kind, p.stage.status, principal.role))
    const answersByStage = await answersOf(
      db,
      visible.map((p) => p.stage.id),
    )
    for (const p of visible) {
      const def = await loadDefinition(db, p.assessment.instrumentVersionId)
      yield stageRecords(shape, def, period.code, p, answersByStage.get(p.stage.id) ?? [])
    }
    const last = page[page.length - 1]!
    after = { code: last.unitCode, assessmentId: last.assessment.id, rank: Number(last.rank) }
    if (page.length < CSV_PAGE_SIZE) return
  }
}

async function answersOf(db: Queryable, stageIds: string[]): Promise<Map<string, StoredAnswer[]>> {
  const byStage = new Map<string, StoredAnswer[]>()
  if (stageIds.length === 0) return byStage
  const rows = await db.select().from(answers).where(inArray(answers.stageId, stageIds))
  for (const row of rows) byStage.set(row.stageId, [...(byStage.get(row.stageId) ?? []), { row, evidenceIds: [] }])
  return byStage
}

function stageRecords(
  shape: CsvShape,
  def: InstrumentDefinition,
  periodCode: string,
  p: { stage: StageRow; assessment: AssessmentRow; unitCode: string; unitName: string },
  stored: StoredAnswer[],
): string {
  const lead = [periodCode, p.unitCode, p.unitName, p.assessment.id, p.stage.kind, p.stage.status]
  if (shape === 'totals') {
    const result = scoreInstrument(def, answerMap(stored))
    return csvRecord([
      ...lead,
      result.total,
      result.maxTotal,
      evaluateEligibility(def, result).predicate,
      result.unanswered.length,
    ])
  }
  const score = scoreInstrument(def, answerMap(stored))
  const notes = new Map(stored.map((a) => [a.row.questionCode, a.row.note]))
  const values = answerMap(stored)
  return score.questions
    .map((q) => csvRecord([...lead, score.total, q.code, values[q.code] ?? null, q.value, notes.get(q.code) ?? null]))
    .join('')
}
