import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import QRCode from 'qrcode'
import { requestContext } from '../../lib/command.js'
import { versionEtag } from '../../lib/etag.js'
import { ADMIN, READERS } from '../../lib/policy.js'
import { ProblemError, problemResponses } from '../../lib/problem.js'
import type { answerView } from '../assessments/service.js'
import { csvRecord } from '../workbook/rules.js'
import { aspectsChartSvg } from './chart.js'
import {
  adaptQuestionnaire,
  applyToLke,
  createCampaign,
  createInvitations,
  importResponses,
  publishQuestionnaire,
  recordJustification,
  updateCampaign,
  updateQuestionnaire,
  voidResponse,
} from './commands.js'
import { XLSX_MEDIA_TYPE, type ParsedTable, type TableFormat } from './parse.js'
import { type IsolatedWork, parseInWorker, workerModule } from '../../lib/isolated-work.js'
import { roundHalfUp } from './rules.js'
import * as S from './schemas.js'
import {
  applicationView,
  campaignResults,
  campaignView,
  listCampaigns,
  listQuestionnaires,
  listResponses,
  lkeProposals,
  loadCampaign,
  loadQuestionnaire,
  periodProgress,
  publicUrl,
  questionnaireView,
  seedQuestionnaires,
  type CampaignResults,
} from './service.js'
import { type Message, msg } from '../../lib/i18n.js'

/** The response import's table is read here (survey/parse-worker.ts), in a worker of its own. */
const PARSE_WORKER = workerModule('parse-worker', import.meta.url)

export interface SurveyRoutesOptions {
  publicBaseUrl: string | undefined
  /** the process's gate for parsing uploaded files (IMPORT_*): an import's table is read in a worker */
  uploads: IsolatedWork
  /** largest import file accepted (413 above) */
  importMaxBytes?: number
  /** most response rows one import holds */
  importMaxRows?: number
}

const TAGS = ['survey']
/** The unit's own survey: its operator (in scope) or the admin. */
const UNIT_WRITERS = { policy: { roles: ['admin', 'unit_operator'] as const } }
/** A response is voided by the admin or an evaluator (TPI). */
const VOIDERS = { policy: { roles: ['admin', 'evaluator'] as const } }

/** The WBK minimum of each index (PermenPANRB 90/2021 Lampiran II, hlm. 53–54: IPAK 3,60, IPKP 3,20). */
const WBK_THRESHOLD = { ipak: 3.6, ipkp: 3.2 } as const

const baseUrlOf = (request: FastifyRequest, configured: string | undefined): string =>
  configured ?? `${request.protocol}://${request.host}`

/** The results as CSV: one record per item, aspect and index of each survey, then the composition. */
function resultsCsv(r: CampaignResults): string {
  const fmt = (x: number | null, places: number) => (x === null ? '' : roundHalfUp(x, places).toFixed(places))
  let out = csvRecord(['survey', 'level', 'code', 'aspect', 'text', 'respondents', 'mean', 'mean_rounded'])
  for (const idx of [r.ipak, r.ipkp]) {
    if (!idx) continue
    for (const i of idx.items as ((typeof idx.items)[number] & { text: string })[])
      out += csvRecord([idx.kind, 'item', i.code, i.aspect, i.text, i.n, fmt(i.mean, 6), fmt(i.mean, 2)])
    for (const a of idx.aspects)
      out += csvRecord([idx.kind, 'aspect', '', a.aspect, '', idx.respondents, fmt(a.mean, 6), fmt(a.mean, 2)])
    out += csvRecord([
      idx.kind,
      'index',
      idx.kind.toUpperCase(),
      '',
      idx.title,
      idx.respondents,
      fmt(idx.index, 6),
      fmt(idx.index, 2),
    ])
  }
  out += csvRecord([])
  out += csvRecord(['service_type', 'respondents', 'share_percent'])
  for (const c of r.composition.by_service_type)
    out += csvRecord([c.service_type ?? '(tidak disebut)', c.respondents, c.share.toFixed(1)])
  out += csvRecord([])
  out += csvRecord(['respondents', 'voided', 'minimum', 'final', 'reason', 'computed_at'])
  out += csvRecord([r.respondents, r.voided, r.minimum, String(r.final), r.reason, r.computed_at])
  return out
}

/** Import query, read by hand: the body is raw bytes, so the route's validator is off. */
function importOptions(query: unknown): { scale: number; dryRun: boolean; fileName: string | null } {
  const q = (query ?? {}) as Record<string, unknown>
  const errors: { pointer: string; rule: string; message: Message | string }[] = []
  for (const k of Object.keys(q))
    if (!['scale', 'dry_run', 'file_name'].includes(k))
      errors.push({
        pointer: `/query/${k}`,
        rule: 'additionalProperties',
        message: msg('survey:field.additionalProperties'),
      })
  const scale = q.scale === undefined ? 4 : Number(q.scale)
  if (![4, 5, 6].includes(scale))
    errors.push({ pointer: '/query/scale', rule: 'enum', message: msg('survey:field.enum') })
  if (q.dry_run !== undefined && q.dry_run !== 'true' && q.dry_run !== 'false')
    errors.push({ pointer: '/query/dry_run', rule: 'type', message: msg('survey:field.type') })
  if (q.file_name !== undefined && (typeof q.file_name !== 'string' || q.file_name.length > 200))
    errors.push({ pointer: '/query/file_name', rule: 'maxLength', message: msg('survey:field.maxLength') })
  if (errors.length > 0)
    throw new ProblemError(
      400,
      'validation_failed',
      msg('survey:validation_failed', { pointer: errors[0]!.pointer, message: errors[0]!.message }),
      {
        errors,
      },
    )
  return { scale, dryRun: q.dry_run === 'true', fileName: typeof q.file_name === 'string' ? q.file_name : null }
}

/** /v1/survey: questionnaires, campaigns, responses, results, the LKE proposals and the period's progress. */
const surveyRoutes: FastifyPluginAsyncTypebox<SurveyRoutesOptions> = async (app, options) => {
  await seedQuestionnaires(app.db)
  const importMaxBytes = options.importMaxBytes ?? 2 * 1024 * 1024
  const importMaxRows = options.importMaxRows ?? 5000
  app.addContentTypeParser(
    ['text/csv', XLSX_MEDIA_TYPE],
    { parseAs: 'buffer', bodyLimit: importMaxBytes },
    (_req, body, done) => done(null, body),
  )

  // ---- questionnaires
  app.get(
    '/questionnaires',
    {
      schema: {
        tags: TAGS,
        summary: 'List the IPAK and IPKP questionnaires (bundled, and adapted for periods)',
        operationId: 'listSurveyQuestionnaires',
        querystring: S.QuestionnaireQuery,
        response: { 200: S.QuestionnaireList, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request) => ({ items: await listQuestionnaires(app.db, request.query) }),
  )
  app.get(
    '/questionnaires/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'One questionnaire with its items',
        operationId: 'getSurveyQuestionnaire',
        params: S.IdParams,
        response: { 200: S.Questionnaire, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const q = await loadQuestionnaire(app.db, request.params.id)
      return reply.header('etag', versionEtag(q)).send(questionnaireView(q))
    },
  )
  app.post(
    '/questionnaires',
    {
      schema: {
        tags: TAGS,
        summary: 'Adapt a questionnaire for a period: a new draft with its items',
        description:
          'The regulation lets the questions follow the survey’s needs: the draft starts from `based_on_id`’s items; edit it with PATCH, then publish it. 409 questionnaire_code_taken.',
        operationId: 'adaptSurveyQuestionnaire',
        body: S.AdaptBody,
        response: { 201: S.Questionnaire, ...problemResponses(400, 401, 403, 409, 422) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const q = await adaptQuestionnaire(requestContext(request), request.body)
      return reply.code(201).header('etag', versionEtag(q)).send(questionnaireView(q))
    },
  )
  app.patch(
    '/questionnaires/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Edit a draft questionnaire (title, items)',
        description:
          'A published questionnaire does not change: 409 questionnaire_published. If-Match optional (412 when stale).',
        operationId: 'updateSurveyQuestionnaire',
        params: S.IdParams,
        headers: S.IfMatchHeaders,
        body: S.PatchQuestionnaireBody,
        response: { 200: S.Questionnaire, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const q = await updateQuestionnaire(
        requestContext(request),
        request.params.id,
        request.body,
        request.headers['if-match'],
      )
      return reply.header('etag', versionEtag(q)).send(questionnaireView(q))
    },
  )
  app.post(
    '/questionnaires/:id/publish',
    {
      schema: {
        tags: TAGS,
        summary: 'Publish a draft questionnaire: from now on it never changes',
        operationId: 'publishSurveyQuestionnaire',
        params: S.IdParams,
        response: { 200: S.Questionnaire, ...problemResponses(400, 401, 403, 404, 409) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const q = await publishQuestionnaire(requestContext(request), request.params.id)
      return reply.header('etag', versionEtag(q)).send(questionnaireView(q))
    },
  )

  // ---- campaigns
  app.get(
    '/campaigns',
    {
      schema: {
        tags: TAGS,
        summary: 'List the survey campaigns in your scope',
        operationId: 'listSurveyCampaigns',
        querystring: S.CampaignQuery,
        response: { 200: S.CampaignList, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request) => ({
      items: await listCampaigns(app.db, request.principal, request.query, baseUrlOf(request, options.publicBaseUrl)),
    }),
  )
  app.post(
    '/campaigns',
    {
      schema: {
        tags: TAGS,
        summary: 'Start a unit’s survey for a period (its service types, window and questionnaires)',
        description:
          'The questionnaires are the published ones named, else the newest published set adapted for the period, else the bundled set. The answer carries the public link (`public_url`) to hand out; its token cannot be guessed.',
        operationId: 'createSurveyCampaign',
        body: S.CampaignBody,
        response: { 201: S.Campaign, ...problemResponses(400, 401, 403, 422) },
      },
      config: UNIT_WRITERS,
    },
    async (request, reply) => {
      const { campaign, unitName } = await createCampaign(requestContext(request), request.body)
      return reply
        .code(201)
        .header('etag', versionEtag(campaign))
        .send(campaignView(campaign, unitName, baseUrlOf(request, options.publicBaseUrl)))
    },
  )
  app.get(
    '/campaigns/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'One survey campaign',
        operationId: 'getSurveyCampaign',
        params: S.IdParams,
        response: { 200: S.Campaign, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const { campaign, unit } = await loadCampaign(app.db, request.principal, request.params.id)
      return reply
        .header('etag', versionEtag(campaign))
        .send(campaignView(campaign, unit.name, baseUrlOf(request, options.publicBaseUrl)))
    },
  )
  app.patch(
    '/campaigns/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change a campaign’s name, window or service types',
        description:
          'A service type respondents already named cannot be dropped (422 service_type_in_use). If-Match optional (412 when stale).',
        operationId: 'updateSurveyCampaign',
        params: S.IdParams,
        headers: S.IfMatchHeaders,
        body: S.PatchCampaignBody,
        response: { 200: S.Campaign, ...problemResponses(400, 401, 403, 404, 412, 422) },
      },
      config: UNIT_WRITERS,
    },
    async (request, reply) => {
      const { campaign, unitName } = await updateCampaign(
        requestContext(request),
        request.params.id,
        request.body,
        request.headers['if-match'],
      )
      return reply
        .header('etag', versionEtag(campaign))
        .send(campaignView(campaign, unitName, baseUrlOf(request, options.publicBaseUrl)))
    },
  )
  app.put(
    '/campaigns/:id/justification',
    {
      schema: {
        tags: TAGS,
        summary: 'Record (or withdraw) why fewer than 30 respondents suffice',
        description:
          'PermenPANRB 90/2021 Lampiran II huruf d: a unit serving fewer than 30 people in the period surveys a number set by statistical rules. With a justification the index is final below 30.',
        operationId: 'putSurveyJustification',
        params: S.IdParams,
        body: S.JustificationBody,
        response: { 200: S.Campaign, ...problemResponses(400, 401, 403, 404) },
      },
      config: UNIT_WRITERS,
    },
    async (request, reply) => {
      const { campaign, unitName } = await recordJustification(
        requestContext(request),
        request.params.id,
        request.body.justification,
      )
      return reply
        .header('etag', versionEtag(campaign))
        .send(campaignView(campaign, unitName, baseUrlOf(request, options.publicBaseUrl)))
    },
  )
  app.post(
    '/campaigns/:id/invitations',
    {
      schema: {
        tags: TAGS,
        summary: 'Make invitation codes (one response each)',
        description:
          'Only for a campaign with requires_invitation (else 409 invitations_not_required). The codes are shown once: the service keeps their hashes.',
        operationId: 'createSurveyInvitations',
        params: S.IdParams,
        body: S.InvitationsBody,
        response: { 201: S.InvitationsResponse, ...problemResponses(400, 401, 403, 404, 409) },
      },
      config: UNIT_WRITERS,
    },
    async (request, reply) => {
      const { campaign, codes } = await createInvitations(
        requestContext(request),
        request.params.id,
        request.body.count,
      )
      const base = publicUrl(baseUrlOf(request, options.publicBaseUrl), campaign.publicToken)
      return reply.code(201).send({
        campaign_id: campaign.id,
        codes,
        links: codes.map((c) => `${base}?kode=${c}`),
      })
    },
  )
  app.get(
    '/campaigns/:id/qr',
    {
      schema: {
        tags: TAGS,
        summary: 'The QR code of the campaign’s public link (SVG or PNG)',
        operationId: 'getSurveyQr',
        params: S.IdParams,
        querystring: S.QrQuery,
        response: {
          200: { description: 'the QR code', content: { ...S.SvgResponse.content, ...S.PngResponse.content } },
          ...problemResponses(400, 401, 403, 404),
        },
      },
      config: READERS,
    },
    async (request, reply) => {
      const { campaign } = await loadCampaign(app.db, request.principal, request.params.id)
      const url = publicUrl(baseUrlOf(request, options.publicBaseUrl), campaign.publicToken)
      reply.header('cache-control', 'private, no-store')
      if (request.query.format === 'png')
        return reply
          .type('image/png')
          .send((await QRCode.toBuffer(url, { type: 'png', width: 600, margin: 2 })) as never)
      return reply.type('image/svg+xml').send(await QRCode.toString(url, { type: 'svg', margin: 2 }))
    },
  )

  // ---- responses
  app.get(
    '/campaigns/:id/responses',
    {
      schema: {
        tags: TAGS,
        summary: 'The campaign’s responses (anonymous), voided ones included and marked',
        operationId: 'listSurveyResponses',
        params: S.IdParams,
        querystring: S.ResponsesQuery,
        response: { 200: S.ResponsesPage, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const { campaign } = await loadCampaign(app.db, request.principal, request.params.id)
      return listResponses(app.db, campaign.id, request.query.limit ?? 100, request.query.cursor)
    },
  )
  app.post(
    '/responses/:id/void',
    {
      schema: {
        tags: TAGS,
        summary: 'Void a response with a reason (audited; it is never deleted)',
        operationId: 'voidSurveyResponse',
        params: S.IdParams,
        body: S.VoidBody,
        response: { 200: S.SurveyResponse, ...problemResponses(400, 401, 403, 404, 409) },
      },
      config: VOIDERS,
    },
    async (request) => voidResponse(requestContext(request), request.params.id, request.body.reason),
  )
  app.post(
    '/campaigns/:id/imports',
    {
      schema: {
        tags: TAGS,
        summary: 'Import responses collected elsewhere (a Google Form’s CSV or XLSX): all or nothing',
        description:
          'The body is the file itself: Content-Type text/csv (UTF-8; "," or ";") or the .xlsx media type (first sheet). Row 1 is the header: a column per item, named by its code ("IPAK-1", "[IPAK-1] …") or its full text; "Jenis layanan", "Usia", "Pendidikan" are read when present; any other column (a timestamp, a name or e-mail) is never read and is listed in ignored_columns. Answers are 1–`scale` or the labels Sangat tidak setuju … Sangat setuju. Every row is checked: 422 import_rows_invalid lists each bad row and cell in `rows` and nothing is stored. At most 2 MiB and 5000 rows (413 / 422 too_many_rows).',
        operationId: 'importSurveyResponses',
        params: S.IdParams,
        querystring: S.ImportQuery,
        body: {
          content: {
            'text/csv': { schema: { type: 'string' } },
            [XLSX_MEDIA_TYPE]: { schema: { type: 'string', format: 'binary' } },
          },
        } as never,
        response: {
          200: S.ImportResult,
          201: S.ImportResult,
          ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
        },
      },
      // The body is the file's bytes and the query is read by importOptions: no schema validation here.
      validatorCompiler: () => () => true,
      config: UNIT_WRITERS,
    },
    async (request, reply) => {
      const opts = importOptions(request.query)
      const params = request.params as { id: string }
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(params.id))
        throw new ProblemError(400, 'validation_failed', msg('survey:validation_failed_2'), {
          errors: [{ pointer: '/params/id', rule: 'format', message: msg('survey:field.format') }],
        })
      // Scope before reading the file: a campaign outside it is a 404 whatever was sent.
      await loadCampaign(app.db, request.principal, params.id)
      const body = request.body as unknown
      if (!Buffer.isBuffer(body))
        throw new ProblemError(415, 'unsupported_media_type', msg('survey:unsupported_media_type', { XLSX_MEDIA_TYPE }))
      const format: TableFormat = String(request.headers['content-type']).startsWith('text/csv') ? 'csv' : 'xlsx'
      const parsed = await parseInWorker<ParsedTable>(options.uploads, PARSE_WORKER, body, {
        format,
        limits: { maxRows: importMaxRows, maxColumns: 200 },
      })
      if (!parsed.ok) throw new ProblemError(422, parsed.code, msg('survey:detail', { message: parsed.message }))
      const outcome = await importResponses(requestContext(request), params.id, { table: parsed.rows, ...opts })
      return reply.code(outcome.dry_run ? 200 : 201).send(outcome)
    },
  )

  // ---- results
  const resultsRoute = {
    params: S.IdParams,
    config: READERS,
  }
  app.get(
    '/campaigns/:id/results',
    {
      schema: {
        tags: TAGS,
        summary: 'The campaign’s indices now: per item, per aspect and overall (0–4), respondents and composition',
        description:
          'item mean = sum / respondents who answered; aspect = mean of its items; index = mean of the aspects, rounded once to two decimals half up (index_rounded, the LKE value). Fewer than 30 respondents: below_minimum, and final only with a recorded justification. docs/survey.md explains the method.',
        operationId: 'getSurveyResults',
        params: S.IdParams,
        response: { 200: S.Results, ...problemResponses(400, 401, 403, 404) },
      },
      config: resultsRoute.config,
    },
    async (request) => campaignResults(app.db, await loadCampaign(app.db, request.principal, request.params.id)),
  )
  app.get(
    '/campaigns/:id/results.csv',
    {
      schema: {
        tags: TAGS,
        summary: 'The campaign’s results as CSV (items, aspects, indices, composition)',
        operationId: 'getSurveyResultsCsv',
        params: S.IdParams,
        response: { 200: S.CsvResponse, ...problemResponses(400, 401, 403, 404) },
      },
      config: resultsRoute.config,
    },
    async (request, reply) => {
      const r = await campaignResults(app.db, await loadCampaign(app.db, request.principal, request.params.id))
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="survey-results.csv"')
        .send(resultsCsv(r))
    },
  )
  app.get(
    '/campaigns/:id/chart.svg',
    {
      schema: {
        tags: TAGS,
        summary: 'A chart of the aspects (SVG), to paste into the survey report',
        operationId: 'getSurveyChart',
        params: S.IdParams,
        response: { 200: S.SvgResponse, ...problemResponses(400, 401, 403, 404) },
      },
      config: resultsRoute.config,
    },
    async (request, reply) => {
      const r = await campaignResults(app.db, await loadCampaign(app.db, request.principal, request.params.id))
      const svg = aspectsChartSvg(
        `${r.unit_name}: ${r.campaign_name}`,
        `${r.respondents} responden${r.below_minimum ? ` (di bawah ${r.minimum}${r.final ? ', dengan justifikasi' : ''})` : ''}; dihitung ${r.computed_at.slice(0, 10)}`,
        (['ipak', 'ipkp'] as const).flatMap((k) => {
          const idx = r[k]
          return idx
            ? [{ title: k.toUpperCase(), index: idx.index, threshold: WBK_THRESHOLD[k], aspects: idx.aspects }]
            : []
        }),
      )
      return reply.type('image/svg+xml').header('cache-control', 'private, no-store').send(svg)
    },
  )

  // ---- into the LKE
  app.get(
    '/assessments/:id/lke',
    {
      schema: {
        tags: TAGS,
        summary: 'What the surveys propose for Q125 (IPAK) and Q127 (IPKP), with provenance',
        description:
          'For the unit’s newest campaign of the period asking each survey: the proposed value (the index, two decimals), respondents, when it was computed, whether it is final, the current self-stage answer, the last application and whether the index moved since (changed_since_applied). The TPI reads the same.',
        operationId: 'getSurveyLkeProposals',
        params: S.IdParams,
        response: { 200: S.LkeProposals, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => lkeProposals(app.db, request.principal, request.params.id),
  )
  app.post(
    '/campaigns/:id/lke',
    {
      schema: {
        tags: TAGS,
        summary: 'Apply the campaign’s index to Q125 or Q127 of the unit’s self stage',
        description:
          'Writes the answer through the assessments’ answer path (the self stage’s writers and window; 409 stage_locked, 409 window_closed) with the provenance in its note. 409 survey_not_final below 30 respondents without a justification; 409 assessment_not_found when the unit has no assessment in the period.',
        operationId: 'applySurveyToLke',
        params: S.IdParams,
        body: S.ApplyBody,
        response: { 200: S.ApplyResult, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      config: UNIT_WRITERS,
    },
    async (request) => {
      const out = await applyToLke(requestContext(request), request.params.id, request.body.kind)
      return { application: applicationView(out.application), answer: out.answer as ReturnType<typeof answerView> }
    },
  )

  // ---- the period's progress
  app.get(
    '/periods/:period_id/progress',
    {
      schema: {
        tags: TAGS,
        summary: 'Each unit’s survey progress in a period: respondents so far against 30',
        operationId: 'getSurveyProgress',
        params: S.PeriodParams,
        response: { 200: S.Progress, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request) => periodProgress(app.db, request.principal, request.params.period_id),
  )
}

export default surveyRoutes
