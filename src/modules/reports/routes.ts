import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import type { IsolatedWork } from '../../lib/isolated-work.js'
import { READERS } from '../../lib/policy.js'
import { problemResponses } from '../../lib/problem.js'
import { contentDisposition } from '../evidence/rules.js'
import { safeFileStem } from '../workbook/rules.js'
import { pdfOf } from './pdf.js'
import * as S from './schemas.js'
import { lheReport, sptjmReport, suratUsulanReport } from './service.js'

const TAGS = ['reports']

/** The PDF of a report, as an attachment no cache keeps. */
async function sendPdf(work: IsolatedWork, reply: FastifyReply, report: Parameters<typeof pdfOf>[1], stem: string[]) {
  const bytes = await pdfOf(work, report)
  return reply
    .type('application/pdf')
    .header('content-disposition', contentDisposition(`${safeFileStem(stem) || 'laporan'}.pdf`, 'laporan.pdf'))
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .send(bytes)
}

const LHE_DESCRIPTION =
  'PermenPANRB 90/2021 Lampiran II BAB II A (p. 41-44): the unit and its instansi, the TPI stage’s score per komponen and per area perubahan (Pemenuhan + Reform, % of the area’s weight), every score rule of the target (the unit’s declaration in the period; WBK when it has none; WBBM: the WBK rules too) met or not with its gap, the unit-level requirements of Tabel 5/6 from the proposal checks, the conclusion (memenuhi / belum memenuhi syarat untuk diusulkan) and the TPI team’s signature block (who approved the stage chairs). Readers of the TPI stage only (as GET …/stages/tpi/score).'

export interface ReportRoutesOptions {
  /** the process's gate for off-thread work (src/app.ts `uploads`) */
  work: IsolatedWork
}

/** /v1/assessments/{id}/stages/tpi/lhe and lhe.pdf */
export const stageReportRoutes: FastifyPluginAsyncTypebox<ReportRoutesOptions> = async (app, opts) => {
  app.get(
    '/:id/stages/tpi/lhe',
    {
      schema: {
        tags: TAGS,
        summary: 'The LHE internal (Laporan Hasil Evaluasi) of the TPI stage, as JSON',
        description: `${LHE_DESCRIPTION} The same data as …/lhe.pdf, for a Pemda printing its own layout.`,
        operationId: 'getLheReport',
        params: S.AssessmentParams,
        response: { 200: S.LheReport, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => lheReport(app.db, request.principal, request.params.id),
  )

  app.get(
    '/:id/stages/tpi/lhe.pdf',
    {
      schema: {
        tags: TAGS,
        summary: 'The LHE internal of the TPI stage, as a PDF (A4, Indonesian)',
        description: `${LHE_DESCRIPTION} Rendered off the request thread, one document at a time per server (503 reports_busy with Retry-After when four already wait).`,
        operationId: 'getLhePdf',
        params: S.AssessmentParams,
        response: { 200: S.PdfResponse, ...problemResponses(400, 401, 403, 404, 503) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const report = await lheReport(app.db, request.principal, request.params.id)
      return sendPdf(opts.work, reply, report, ['LHE', report.unit.code, report.period.code])
    },
  )
}

const LETTER_UNITS =
  'The units named: those of declaration_id (repeatable), else the instansi’s units proposed in the period, else (the draft before proposing, for the package’s surat_usulan and sptjm) those building; only units in your scope (404 declaration_not_found for an asked one that is not the instansi’s in the period, or not in your scope); 409 no_units_to_propose when none. Readers whose scope covers any part of the instansi (as its package).'

/** /v1/periods/{period_id}/instansi/{instansi_id}/surat-usulan(.pdf) and sptjm(.pdf) */
export const periodReportRoutes: FastifyPluginAsyncTypebox<ReportRoutesOptions> = async (app, opts) => {
  const letters = [
    {
      path: 'surat-usulan',
      jsonOperationId: 'getSuratUsulanReport',
      pdfOperationId: 'getSuratUsulanPdf',
      summary: 'The instansi’s draft surat usulan to the TPN (PermenPANRB 90/2021 Gambar 6)',
      schema: S.SuratUsulanReport,
      build: suratUsulanReport,
      stem: 'Surat-Usulan-ZI',
    },
    {
      path: 'sptjm',
      jsonOperationId: 'getSptjmReport',
      pdfOperationId: 'getSptjmPdf',
      summary:
        'The draft SPTJM (Surat Pernyataan Tanggung Jawab Mutlak, PermenPANRB 90/2021 Gambar 7) of each unit named, one page each',
      schema: S.SptjmReport,
      build: sptjmReport,
      stem: 'SPTJM-ZI',
    },
  ] as const
  for (const l of letters) {
    app.get(
      `/:period_id/instansi/:instansi_id/${l.path}`,
      {
        schema: {
          tags: TAGS,
          summary: `${l.summary}, as JSON`,
          description: `${LETTER_UNITS} The same data as …/${l.path}.pdf.`,
          operationId: l.jsonOperationId,
          params: S.InstansiParams,
          querystring: S.LetterQuery,
          response: { 200: l.schema, ...problemResponses(400, 401, 403, 404, 409) },
        },
        config: READERS,
      },
      async (request) =>
        l.build(app.db, request.principal, request.params.period_id, request.params.instansi_id, request.query),
    )
    app.get(
      `/:period_id/instansi/:instansi_id/${l.path}.pdf`,
      {
        schema: {
          tags: TAGS,
          summary: `${l.summary}, as a PDF (A4, Indonesian, marked DRAF)`,
          description: LETTER_UNITS,
          operationId: l.pdfOperationId,
          params: S.InstansiParams,
          querystring: S.LetterQuery,
          response: { 200: S.PdfResponse, ...problemResponses(400, 401, 403, 404, 409, 503) },
        },
        config: READERS,
      },
      async (request, reply) => {
        const report = await l.build(
          app.db,
          request.principal,
          request.params.period_id,
          request.params.instansi_id,
          request.query,
        )
        return sendPdf(opts.work, reply, report, [l.stem, report.instansi.code, report.period.code])
      },
    )
  }
}
