import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { versionEtag } from '../../lib/etag.js'
import type { FastifyRequest } from 'fastify'
import { eq } from 'drizzle-orm'
import { ProblemError, problemResponses } from '../../lib/problem.js'
import { windowFor } from '../assessments/rules.js'
import {
  answerMap,
  assertCanReadStage,
  assertCanWriteStage,
  loadAssessment,
  loadDefinition,
  loadStage,
  stageAnswers,
  writeReport,
} from '../assessments/service.js'
import { contentDisposition } from '../evidence/rules.js'
import { assertWindowOpen, loadPeriod } from '../periods/service.js'
import { periods } from '../periods/tables.js'
import { safeFileStem } from './rules.js'
import * as S from './schemas.js'
import { addPlanSheet } from './plan-sheet.js'
import { planOr422 } from '../planner/service.js'
import { buildGeneratedWorkbook } from './export-generated.js'
import { importStageWorkbook } from './commands.js'
import { requestContext } from '../../lib/command.js'
import { parseWorkbookUpload } from './parse.js'
import type { IsolatedWork } from '../../lib/isolated-work.js'
import {
  XLSX_MEDIA_TYPE,
  assertWorkbookFits,
  buildWorkbook,
  compareStageFor,
  evidenceRefs,
  periodCsv,
  workbookBytes,
} from './service.js'
import { loadRowMap, templateBytes } from './template.js'
import { writeGeneratedReview, writeOfficialReview } from './review-cells.js'
import { loadReview } from '../review/service.js'
import { READERS, WORKERS as WRITERS } from '../../lib/policy.js'
import { type Message, msg } from '../../lib/i18n.js'

export interface WorkbookRoutesOptions {
  /** WORKBOOK_MAX_BYTES: the largest .xlsx accepted for import */
  maxBytes: number
  /** the process's gate for parsing uploaded files (IMPORT_*): one slot per import, the parse in a worker */
  uploads: IsolatedWork
  /** PUBLIC_BASE_URL: the service's absolute URL, for evidence file links in the workbook (else taken from the request) */
  publicBaseUrl?: string | undefined
}

const TAGS = ['workbook']

/** Multipart/busboy errors as problems (as the evidence upload does). */
function multipartProblem(error: unknown, maxBytes: number): ProblemError | null {
  switch ((error as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ProblemError(413, 'file_too_large', msg('workbook:file_too_large', { maxBytes }), {
        errors: [{ pointer: '/body/file', rule: 'maxSize', message: msg('workbook:field.maxSize') }],
      })
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new ProblemError(413, 'too_many_parts', msg('workbook:too_many_parts'))
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new ProblemError(415, 'unsupported_media_type', msg('workbook:unsupported_media_type'))
    case 'FST_PROTO_VIOLATION':
      return new ProblemError(400, 'malformed_body', msg('workbook:malformed_body'))
  }
  if (error instanceof Error && /multipart|Unexpected end of form|terminated early|boundary/i.test(error.message)) {
    return new ProblemError(400, 'malformed_body', msg('workbook:malformed_body'))
  }
  return null
}

/** The uploaded file, in memory (at most WORKBOOK_MAX_BYTES): the form is one part, "file". */
async function receiveWorkbook(
  request: FastifyRequest,
  maxBytes: number,
): Promise<{ bytes: Buffer; fileName: string }> {
  if (!request.isMultipart())
    throw new ProblemError(415, 'unsupported_media_type', msg('workbook:unsupported_media_type'))
  let received: { bytes: Buffer; fileName: string } | null = null
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 5, parts: 6 } })) {
      if (part.type === 'field' || part.fieldname !== 'file') {
        if (part.type === 'file') part.file.resume()
        throw new ProblemError(
          400,
          'validation_failed',
          msg('workbook:validation_failed', { fieldname: part.fieldname }),
          {
            errors: [
              {
                pointer: `/body/${part.fieldname}`,
                rule: 'additionalProperties',
                message: msg('workbook:field.additionalProperties'),
              },
            ],
          },
        )
      }
      received = { bytes: await part.toBuffer(), fileName: part.filename }
    }
  } catch (error) {
    throw multipartProblem(error, maxBytes) ?? error
  }
  if (!received) {
    throw new ProblemError(400, 'validation_failed', msg('workbook:validation_failed_2'), {
      errors: [{ pointer: '/body/file', rule: 'required', message: msg('workbook:field.required') }],
    })
  }
  return received
}

/**
 * The import's query, checked here: the route reads its multipart body itself, so its schemas
 * (this one included) are documentation and fastify validates none of them.
 */
function importQuery(query: unknown): { dryRun: boolean; identityOverride: boolean } {
  const q = (query ?? {}) as Record<string, unknown>
  const errors: { pointer: string; rule: string; message: Message | string }[] = []
  for (const key of Object.keys(q))
    if (key !== 'dry_run' && key !== 'identity')
      errors.push({
        pointer: `/query/${key}`,
        rule: 'additionalProperties',
        message: msg('workbook:field.additionalProperties_2'),
      })
  const one = (key: string, allowed: readonly string[], fallback: string): string => {
    const v = q[key]
    if (v === undefined) return fallback
    if (typeof v === 'string' && allowed.includes(v)) return v
    errors.push({
      pointer: `/query/${key}`,
      rule: 'enum',
      message: msg('workbook:field.enum', { allowed: allowed.join(', ') }),
    })
    return fallback
  }
  const dryRun = one('dry_run', ['true', 'false'], 'false') === 'true'
  const identity = one('identity', ['check', 'override'], 'check')
  if (errors.length > 0)
    throw new ProblemError(
      400,
      'validation_failed',
      msg('validation:summary', {
        summary: errors.map((e) => msg('validation:item', { pointer: e.pointer, message: e.message })),
      }),
      { errors },
    )
  return { dryRun, identityOverride: identity === 'override' }
}

const baseUrlOf = (request: FastifyRequest, configured: string | undefined): string =>
  configured ?? `${request.protocol}://${request.host}`

/** GET and POST …/assessments/{id}/stages/{stage}/lke.xlsx: the LKE workbook out (generated or official) and in (any of the layouts). */
const workbookRoutes: FastifyPluginAsyncTypebox<WorkbookRoutesOptions> = async (app, options) => {
  // Read at start-up: an image without src/modules/workbook/template/ fails here, not on the first export or import.
  const map = loadRowMap()
  const template = templateBytes()

  app.get(
    '/:id/stages/:stage/lke.xlsx',
    {
      schema: {
        tags: TAGS,
        summary:
          'The stage as an LKE workbook (.xlsx): generated from its instrument version, or the official Pemda form',
        description:
          'layout=generated (default, any published or draft version): sheet "LKE" with every node and question of the version in order (Kode, Tingkat, Uraian, Bobot, Pilihan Jawaban, Skema Penilaian, Kriteria), the stage’s answers in H, Konversi and Nilai as formulas that compute what GET …/score computes, notes in L, evidence in M (a link’s URL or a file’s name, one per line; titles in N), the stage it started from in O and P; and sheet "Predikat" with every WBK/WBBM rule of the version, its value, share and pass as formulas and the predicate they give. layout=official: the official Pemda form (sheet "LKE ZI", its formulas intact, three cells corrected) with answers in K, notes in O, evidence titles in P and links in Q, comparison in R and S; only for a version it embodies (LKE-ZI-2026 or an unchanged copy), else 409 workbook_not_available. The ETag is the stage’s version, for If-Match on a later import.',
        operationId: 'exportStageWorkbook',
        params: S.StageParams,
        querystring: S.ExportQuery,
        response: { 200: S.XlsxResponse, ...problemResponses(400, 401, 403, 404, 409) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const { principal } = request
      const { assessment, unit } = await loadAssessment(app.db, principal, request.params.id)
      const stage = await loadStage(app.db, assessment.id, request.params.stage)
      assertCanReadStage(principal, stage)
      const def = await loadDefinition(app.db, assessment.instrumentVersionId)
      const layout = request.query.layout ?? 'generated'
      if (layout === 'official') assertWorkbookFits(def, map)
      const answers = await stageAnswers(app.db, stage.id)
      const other = await compareStageFor(app.db, principal, stage)
      const compare = other ? { kind: other.kind, answers: await stageAnswers(app.db, other.id) } : undefined
      const refs = await evidenceRefs(
        app.db,
        [...new Set(answers.flatMap((a) => a.evidenceIds))],
        baseUrlOf(request, options.publicBaseUrl),
      )
      const [period] = await app.db
        .select({ code: periods.code })
        .from(periods)
        .where(eq(periods.id, assessment.periodId))
      const periodCode = period?.code ?? ''
      const input = { unit, periodCode, stage, answers, evidence: refs, compare, assessmentId: assessment.id }
      const wb =
        layout === 'official'
          ? await buildWorkbook({ ...input, map, template })
          : await buildGeneratedWorkbook({ ...input, def })
      if (stage.kind === 'tpi') {
        // the TPI's review: recommendations beside the notes, conclusions per area (review-cells.ts)
        const recommendations = new Map(
          answers.flatMap((a) => (a.row.recommendation !== null ? [[a.row.questionCode, a.row.recommendation]] : [])),
        ) as Map<string, string>
        const { areas } = await loadReview(app.db, stage.id)
        if (layout === 'official') writeOfficialReview(wb, map, recommendations, areas)
        else writeGeneratedReview(wb, recommendations, areas)
      }
      if (request.query.plan) addPlanSheet(wb, planOr422(def, answerMap(answers), request.query.plan, {}, '/query'))
      const bytes = await workbookBytes(wb)
      const name = `${safeFileStem([layout === 'official' ? 'LKE-ZI' : def.code, unit.code, periodCode, stage.kind]) || 'LKE'}.xlsx`
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header('content-disposition', contentDisposition(name, 'lke.xlsx'))
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header('etag', versionEtag(stage))
        .send(bytes as never)
    },
  )

  app.post(
    '/:id/stages/:stage/lke.xlsx',
    {
      schema: {
        tags: TAGS,
        summary:
          'Import a filled LKE workbook (generated, official Pemda form or PortalRB layout) into a draft or returned stage: all or nothing',
        description:
          'multipart/form-data with the workbook in the field `file` (at most WORKBOOK_MAX_BYTES; 413 file_too_large). The layout is recognised from the sheets: "LKE" as GET …/lke.xlsx generates it (rows by the question code in A: answer H, note L, evidence M), the official form "LKE ZI" (answer K, note O, evidence links Q; only for a version it embodies, else 409 workbook_not_available), or the PortalRB layout from the master soal’s excel_sheet/excel_baris/excel_kolom_* (self stage: jawaban_unit, catatan_unit, bukti_dukung_unit; TPI stage: jawaban_tpi, catatan_tpi; other stages 422 layout_not_for_stage). A blank answer cell clears a stored answer. Evidence cells, one entry per line: an http(s) link becomes a link evidence item of the unit (an existing one with that URL is reused), this service’s own …/v1/evidence/{id}/content link or a file name names an existing item of the unit or its parents; the answer’s evidence becomes exactly those items; a blank evidence cell keeps the answer’s evidence. Every cell is checked; a 422 workbook_cells_invalid lists each bad cell in `cells` as {sheet, cell, value, rule, message, question_code} (and in `errors` with a JSON pointer /body/file/<sheet>/<cell>) and writes nothing (no evidence item either). A file with none of the layouts (recognised from its sheet names before it is loaded): 422 not_an_lke_workbook; one beyond a bound (entries, sheets, unpacked bytes, rows per sheet, cells, shared strings, the parse worker’s memory; docs/workbook.md): 422 workbook_too_large naming it in `bound` with its `limit`. The file is read in a worker thread of its own; with IMPORT_CONCURRENCY files already being read and IMPORT_QUEUE waiting: 503 uploads_busy with Retry-After; past the deadline: 503 import_timeout. Only answers that differ are written, through the same command as the batch route (writers of the stage, its window, one audit record and event); a file that changes nothing leaves no trace (no version moves, no audit record, no event), and the reply says what was `unchanged` and gives the `diff` (from what to what). dry_run=true reads and checks everything and returns the diff without writing (no evidence item either: a link it would create shows by its URL). A file exported by this service names its unit, period and stage (document keywords; the generated sheet’s row 2 too): when they are not the target’s, 409 workbook_identity_mismatch names both sides and nothing is written; identity=override imports it anyway and the audit record keeps what the file claimed. A file naming none (the blank official form, a PortalRB file) is accepted. Send If-Match with the ETag of the export to refuse (412) a file exported before someone else changed the stage.',
        operationId: 'importStageWorkbook',
        consumes: ['multipart/form-data'],
        params: S.StageParams,
        querystring: S.ImportQuery,
        headers: S.IfMatchHeaders,
        body: S.ImportForm,
        response: { 200: S.ImportResult, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 503) },
      },
      // The body is a stream read by the handler: no schema validation.
      validatorCompiler: () => () => true,
      config: WRITERS,
    },
    async (request) => {
      const { principal } = request
      const query = importQuery(request.query)
      // The cheap refusals first, before reading a file: scope, stage, writer, window.
      const first = await loadAssessment(app.db, principal, request.params.id)
      const stage0 = await loadStage(app.db, first.assessment.id, request.params.stage)
      assertCanWriteStage(principal, stage0)
      await assertWindowOpen(app.db, first.assessment.periodId, windowFor(stage0.kind, stage0.status))
      const def = await loadDefinition(app.db, first.assessment.instrumentVersionId)
      // A parse slot before the body is read: beyond the bound, 503 without receiving the file.
      const release = await options.uploads.acquire()
      let file: { bytes: Buffer; fileName: string }
      let read: Awaited<ReturnType<typeof parseWorkbookUpload>>
      try {
        file = await receiveWorkbook(request, options.maxBytes)
        read = await parseWorkbookUpload(options.uploads, file.bytes, def, stage0.kind)
      } finally {
        release()
      }
      const result = await importStageWorkbook(requestContext(request), {
        assessmentId: request.params.id,
        stage: request.params.stage,
        file: { name: file.fileName, bytes: file.bytes.length },
        read,
        ifMatch: request.headers['if-match'],
        dryRun: query.dryRun,
        identityOverride: query.identityOverride,
      })
      return {
        ...writeReport(result),
        layout: read.layout,
        read: read.rows.length,
        evidence_created: result.evidenceCreated,
        identity: result.identity,
        review: result.review,
      }
    },
  )
}

/** GET …/periods/{id}/answers.csv: every answer of the period in the caller's scope, streamed. */
export const periodExportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id/answers.csv',
    {
      schema: {
        tags: TAGS,
        summary: 'CSV of every assessment of the period in your scope (answers, converted values, notes, stage totals)',
        description:
          'Streamed from the database page by page (constant memory). shape=answers (default): one record per unit × stage × question — period_code, unit_code, unit_name, assessment_id, stage, stage_status, stage_total, question_code, value (as answered; empty when not), converted_value (the Nilai the workbook shows for the row: the multiplier, times the question’s own weight where it has one; empty for count inputs and unanswered questions), note. shape=totals: one record per unit × stage — …, total, max_total, predicate (WBK, WBBM or none), unanswered (count). RFC 4180: UTF-8, CRLF, fields with a comma, quote or line break quoted; text starting with = + - @ gets a leading apostrophe so a spreadsheet does not run it. A unit operator does not see evaluators’ draft stages.',
        operationId: 'exportPeriodAnswersCsv',
        params: S.PeriodParams,
        querystring: S.CsvQuery,
        response: { 200: S.CsvResponse, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const period = await loadPeriod(app.db, request.params.id)
      const shape = request.query.shape ?? 'answers'
      const stream = Readable.from(periodCsv(app.db, request.principal, period, shape), { objectMode: false })
      const name = `${safeFileStem([period.code, shape]) || 'period'}.csv`
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', contentDisposition(name, 'answers.csv'))
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .send(stream as never)
    },
  )
}

export default workbookRoutes
