import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ProblemError } from '../../lib/problem.js'
import { contentDisposition } from '../evidence/rules.js'
import { linkExpiry, signedLinkUrl } from '../evidence/links.js'
import { sendStoredFile, serviceBaseUrl } from '../evidence/routes.js'
import type { EvidenceStore } from '../evidence/storage.js'
import { PortalRbError, etagOf, ifNoneMatchHits, toGuideError, type PortalRbErrorBody } from './rules.js'
import * as S from './schemas.js'
import { downloadableEvidence, jawabanUnit, unitList } from './service.js'
import { INTEGRATION } from '../../lib/policy.js'

export interface PortalRbOptions {
  /** where the routes are served, e.g. /portalrb (config PORTALRB_BASE_PATH) */
  basePath: string
  /** absolute URL of the service as PortalRB reaches it (config PUBLIC_BASE_URL); else taken from the request */
  publicBaseUrl?: string | undefined
  /** where evidence files are stored (EVIDENCE_STORE) */
  store: EvidenceStore
  /** EVIDENCE_LINK_KEY: file evidence is listed as signed links evaluators open in a browser; without it, as the token route below */
  linkKey?: Buffer | undefined
  linkTtlDays: number
}

const TAGS = ['portalrb']
const JSON_TYPE = 'application/json; charset=utf-8'

function sendError(reply: FastifyReply, status: number, body: PortalRbErrorBody) {
  return reply.code(status).type(JSON_TYPE).send(body)
}

/** Validation output as `pointer message` pairs (pointers prefixed by the request part, like the rest of the API). */
function validationFields(error: FastifyError): { pointer: string; message: string }[] {
  const part = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'request')
  return (error.validation ?? []).map((v) => {
    const params = (v.params ?? {}) as Record<string, unknown>
    const missing =
      v.keyword === 'required' && typeof params.missingProperty === 'string' ? `/${params.missingProperty}` : ''
    return { pointer: `/${part}${v.instancePath ?? ''}${missing}`, message: v.message ?? 'tidak valid' }
  })
}

/** Sends `view` as exact bytes with an ETag computed from them; 304 when If-None-Match still matches. */
function sendCacheable(request: FastifyRequest, reply: FastifyReply, view: unknown) {
  const serialized = reply.serialize(view)
  const body = typeof serialized === 'string' ? serialized : Buffer.from(serialized as ArrayBuffer).toString('utf8')
  const etag = etagOf(body)
  reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'authorization')
  if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send(null)
  return reply.type(JSON_TYPE).send(body)
}

/**
 * The endpoints KemenPANRB's PortalRB calls ("Panduan Teknis API Integrasi ZI" v1.0.0), with the
 * guide's error body instead of problem+json: this plugin is encapsulated, so its error and
 * not-found handlers apply to its own routes (and unknown paths under its prefix) only.
 */
const portalrbRoutes: FastifyPluginAsyncTypebox<PortalRbOptions> = async (app, opts) => {
  const store = opts.store
  const baseUrlOf = (request: FastifyRequest): string =>
    `${serviceBaseUrl(request, opts.publicBaseUrl)}${opts.basePath}`
  /** Where an evaluator downloads a file named in bukti_dukung_unit. */
  const fileUrlOf = (request: FastifyRequest): ((evidenceId: string) => string) | undefined => {
    const key = opts.linkKey
    if (!key) return undefined
    const expires = linkExpiry(new Date(), opts.linkTtlDays)
    const root = serviceBaseUrl(request, opts.publicBaseUrl)
    return (evidenceId) => signedLinkUrl(root, key, evidenceId, expires)
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof PortalRbError) {
      if (error.status >= 500) request.log.error({ err: error }, 'portalrb request failed')
      return sendError(reply, error.status, { error: true, code: error.code, message: error.message })
    }
    if (error instanceof ProblemError) reply.headers(error.headers)
    const retryAfter = Number(reply.getHeader('retry-after'))
    const mapped = toGuideError({
      status: error instanceof ProblemError ? error.status : (error.statusCode ?? 500),
      ...(error instanceof ProblemError ? { problemCode: error.code } : {}),
      message: error.message,
      ...(error.validation ? { validation: validationFields(error) } : {}),
      retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : null,
      requestId: request.id,
    })
    if (mapped.status === 500) request.log.error({ err: error }, 'portalrb request failed')
    return sendError(reply, mapped.status, mapped.body)
  })

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, {
      error: true,
      code: 'NOT_FOUND',
      message: `Endpoint ${request.method} ${request.url.split('?')[0]} tidak ada. Endpoint yang tersedia: GET ${opts.basePath}/pengusulan/unit-wbk, GET ${opts.basePath}/pengusulan/unit-wbbm, GET ${opts.basePath}/lke/jawaban-unit/{unit_id}.`,
    }),
  )

  const listResponses = {
    200: S.PortalRbUnitList,
    304: S.NotModified,
    ...S.portalRbErrorResponses(401, 403, 404, 429, 500),
  }

  app.get(
    '/pengusulan/unit-wbk',
    {
      schema: {
        tags: TAGS,
        summary: 'PortalRB: units proposed for WBK in the current proposal period',
        description:
          'Guide §3.1. Units proposed for WBK (through POST /v1/periods/{period_id}/proposals, so every proposal rule passed) whose declaration is proposed or further (proposed, evaluated, designated, not_designated); kategori WBK-AFIRMASI for afirmasi units. The period is the one whose proposal window is open now; when none is, the one whose window closed last, frozen as it stood at the close, until the next window opens (PortalRB’s manual refetch). 404 DATA_NOT_FOUND when no proposal window has opened yet. ETag computed from the body; If-None-Match → 304.',
        operationId: 'portalrbListUnitWbk',
        headers: S.ConditionalHeaders,
        response: listResponses,
      },
      config: INTEGRATION,
    },
    async (request, reply) => sendCacheable(request, reply, await unitList(app.db, request.principal, 'WBK')),
  )

  app.get(
    '/pengusulan/unit-wbbm',
    {
      schema: {
        tags: TAGS,
        summary: 'PortalRB: units proposed for WBBM in the current proposal period',
        description:
          'Guide §3.2: as unit-wbk, for proposals targeting WBBM (kategori WBBM). The guide has PortalRB call it only when the instansi “berhak mengusulkan WBBM”: when no instansi of the token may propose WBBM in the period (the instansi gate), 403 WBBM_NOT_ELIGIBLE.',
        operationId: 'portalrbListUnitWbbm',
        headers: S.ConditionalHeaders,
        response: listResponses,
      },
      config: INTEGRATION,
    },
    async (request, reply) => sendCacheable(request, reply, await unitList(app.db, request.principal, 'WBBM')),
  )

  app.get(
    '/lke/jawaban-unit/:unit_id',
    {
      schema: {
        tags: TAGS,
        summary: 'PortalRB: the LKE answers of one proposed unit',
        description:
          'Guide §3.3. One entry per question of the period’s instrument that has a PortalRB soal_id, in soal_id order: the unit’s answer, note and evidence from its last submitted self-assessment, the TPI’s answer and note from the last submitted TPI stage (null until submitted); after the proposal window closed, as last submitted before the close. 404 UNIT_NOT_FOUND unless the unit is proposed in the served proposal period.',
        operationId: 'portalrbGetJawabanUnit',
        params: S.JawabanUnitParams,
        headers: S.ConditionalHeaders,
        response: {
          200: S.PortalRbJawabanUnit,
          304: S.NotModified,
          ...S.portalRbErrorResponses(401, 403, 404, 422, 429, 500),
        },
      },
      config: INTEGRATION,
    },
    async (request, reply) =>
      sendCacheable(
        request,
        reply,
        await jawabanUnit(app.db, request.principal, request.params.unit_id, baseUrlOf(request), fileUrlOf(request)),
      ),
  )

  app.get(
    '/bukti-dukung/:evidence_id',
    {
      schema: {
        tags: TAGS,
        summary: 'PortalRB: download an evidence file named in bukti_dukung_unit',
        description:
          'Not in the guide: the target of the file links in bukti_dukung_unit when the server has no EVIDENCE_LINK_KEY, for the same integration token (with the key, bukti_dukung_unit lists signed links to /v1/evidence/{id}/shared that open without a token). Only files behind an answer /lke/jawaban-unit serves; anything else is 404 EVIDENCE_NOT_FOUND. ETag is the file’s SHA-256.',
        operationId: 'portalrbGetBuktiDukung',
        params: S.BuktiDukungParams,
        headers: S.ConditionalHeaders,
        response: {
          200: {
            description: 'the file',
            content: {
              '*/*': { schema: { type: 'string', format: 'binary', description: 'the file, with its own media type' } },
            },
          },
          206: {
            description: 'the requested byte range (Range)',
            content: {
              '*/*': { schema: { type: 'string', format: 'binary', description: 'the file, with its own media type' } },
            },
          },
          304: S.NotModified,
          ...S.portalRbErrorResponses(401, 403, 404, 422, 429, 500),
        },
      },
      config: INTEGRATION,
    },
    async (request, reply) => {
      const item = await downloadableEvidence(app.db, request.principal, request.params.evidence_id)
      return sendStoredFile(
        request,
        reply,
        store,
        { ...item, sha256: item.sha256! },
        {
          disposition: contentDisposition(item.fileName, `bukti-dukung-${item.id}`),
          cacheControl: 'private, no-cache',
          missing: () =>
            new PortalRbError(
              500,
              'INTERNAL_ERROR',
              `Berkas bukti dukung tidak ada di server. Sebutkan request id ${request.id} saat melaporkannya.`,
            ),
        },
      )
    },
  )
}

/**
 * Registers the PortalRB endpoints under `basePath` (outside /v1). The error body schema is
 * added on the root so the OpenAPI document lists it as a component.
 */
export default fp<PortalRbOptions>(
  async (app, opts) => {
    app.addSchema(S.PortalRbErrorSchema)
    await app.register(portalrbRoutes, { ...opts, prefix: opts.basePath })
  },
  { name: 'portalrb', dependencies: ['database', 'errors', 'auth', 'rate-limit'] },
)
