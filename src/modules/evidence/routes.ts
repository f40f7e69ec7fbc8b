import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { eq } from 'drizzle-orm'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { ProblemError, notFound, problemResponses } from '../../lib/problem.js'
import { IdempotencyHeaders, idempotencyCheckpoint } from '../idempotency/plugin.js'
import { requestContext } from '../../lib/command.js'
import { carryEvidenceItem, createEvidenceFile, createEvidenceLink, deleteEvidence } from './commands.js'
import { contentDisposition } from './rules.js'
import * as S from './schemas.js'
import { listEvidence, loadVisibleEvidence, toEvidenceView } from './service.js'
import { checkLink, linkExpiry, parseRange, signedLinkUrl } from './links.js'
import type { EvidenceStore } from './storage.js'
import { checkUploadForm, receiveForm } from './upload-form.js'
import { evidence, type EvidenceRow } from './tables.js'
import { READERS, UNIT_WRITERS as WRITERS, WORKERS as CONTENT_READERS } from '../../lib/policy.js'
import { msg } from '../../lib/i18n.js'

export interface EvidenceRoutesOptions {
  /** where the files are (EVIDENCE_STORE) */
  store: EvidenceStore
  /** EVIDENCE_LINK_KEY as bytes; without it signed links are not offered (503 signed_links_not_configured) */
  linkKey?: Buffer | undefined
  linkTtlDays: number
  /** absolute URL of the service (PUBLIC_BASE_URL); else taken from the request */
  publicBaseUrl?: string | undefined
}

/** The answers of a file download: the whole file, one byte range, or not modified. */
const fileResponses = () => {
  const file = {
    '*/*': { schema: Type.String({ format: 'binary', description: 'the file, with its own media type' }) },
  }
  return {
    200: { description: 'the file', content: file },
    206: { description: 'the requested byte range', content: file },
    304: Type.Null({ description: 'Not Modified' }),
  }
}

export const serviceBaseUrl = (request: FastifyRequest, publicBaseUrl: string | undefined): string =>
  (publicBaseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '')

/**
 * Sends a stored file: ETag (its SHA-256), 304 for a matching If-None-Match, one byte range
 * (206, or 416 when it lies past the end). `missing` is thrown when the store lacks the file.
 */
export async function sendStoredFile(
  request: FastifyRequest,
  reply: FastifyReply,
  store: EvidenceStore,
  item: EvidenceRow & { sha256: string },
  opts: { disposition: string; cacheControl: string; missing: () => Error },
): Promise<FastifyReply> {
  const etag = `"${item.sha256}"`
  reply
    .header('etag', etag)
    .header('cache-control', opts.cacheControl)
    .header('x-content-type-options', 'nosniff')
    .header('accept-ranges', 'bytes')
  const ifNoneMatch = request.headers['if-none-match']
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*'))
    return reply.code(304).send(null)
  if (!(await store.exists(item.sha256))) {
    request.log.error(
      { evidenceId: item.id, sha256: item.sha256, store: store.location },
      'evidence file missing from the store',
    )
    throw opts.missing()
  }
  const size = item.sizeBytes ?? 0
  const ifRange = request.headers['if-range']
  const range = ifRange && ifRange !== etag ? null : parseRange(request.headers.range, size)
  if (range === 'unsatisfiable') {
    throw new ProblemError(
      416,
      'range_not_satisfiable',
      msg('evidence:range_not_satisfiable', { size }),
      {},
      { 'content-range': `bytes */${size}` },
    )
  }
  reply.type(item.mediaType ?? 'application/octet-stream').header('content-disposition', opts.disposition)
  if (range) {
    const body = await store.open(item.sha256, range)
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', String(range.end - range.start + 1))
      .send(body as never)
  }
  const body = await store.open(item.sha256)
  return reply.header('content-length', String(size)).send(body as never)
}

/** Who may download file content: the unit's own operators and evaluators in scope, admins. */
const TAGS = ['evidence']
/** Anyone holding a signed link: the signature is the credential. */
const LINK_HOLDERS = { policy: { public: true as const } }

const evidenceRoutes: FastifyPluginAsyncTypebox<EvidenceRoutesOptions> = async (app, options) => {
  const store = options.store
  /** An evidence file download: the same attachment name and missing-file answer for every route. */
  const sendEvidenceFile = (
    request: FastifyRequest,
    reply: FastifyReply,
    item: EvidenceRow & { sha256: string },
    cacheControl: string,
  ) =>
    sendStoredFile(request, reply, store, item, {
      disposition: contentDisposition(item.fileName, `evidence-${item.id}`),
      cacheControl,
      missing: () => new ProblemError(500, 'internal_error', msg('evidence:internal_error')),
    })

  app.post(
    '/links',
    {
      schema: {
        tags: TAGS,
        summary: 'Add a link as evidence (data dukung)',
        description:
          'The unit must be in the caller’s scope and active (422 unit_not_found / unit_archived); the period, when given, must exist (422 period_not_found). http(s) links only. Accepts Idempotency-Key.',
        operationId: 'createEvidenceLink',
        headers: IdempotencyHeaders,
        body: S.CreateLinkBody,
        response: { 201: S.EvidenceView, ...problemResponses(400, 401, 403, 409, 422) },
      },
      config: { ...WRITERS, idempotent: true },
    },
    async (request, reply) => {
      const row = await createEvidenceLink(requestContext(request), request.body)
      return reply.code(201).header('location', `/v1/evidence/${row.id}`).send(toEvidenceView(row))
    },
  )

  app.post(
    '/files',
    {
      schema: {
        tags: TAGS,
        summary: 'Upload a file as evidence (multipart/form-data)',
        description:
          'Form fields: `file` (one), `unit_id`, optional `period_id`, `title` (defaults to the file name), `effective_date`. Accepted: pdf, jpeg, png, xlsx, docx, csv, zip (415 media_type_not_allowed; 415 media_type_mismatch when the content is not what the type says); larger than EVIDENCE_MAX_BYTES: 413 file_too_large. The file is stored once per SHA-256. 503 evidence_store_unavailable (nothing stored) when the evidence store cannot be reached. Accepts Idempotency-Key.',
        operationId: 'uploadEvidenceFile',
        consumes: ['multipart/form-data'],
        headers: IdempotencyHeaders,
        body: S.UploadForm,
        response: { 201: S.EvidenceView, ...problemResponses(400, 401, 403, 409, 413, 415, 422, 503) },
      },
      // The body is a stream read by the handler (fields validated there): no schema validation.
      validatorCompiler: () => () => true,
      config: { ...WRITERS, idempotent: true },
    },
    async (request, reply) => {
      const form = await receiveForm(request, store)
      try {
        const { fields, file } = checkUploadForm(form)
        const what = {
          ...fields,
          file: {
            name: file.fileName,
            media_type: file.declaredType,
            sha256: file.upload.sha256,
            size: file.upload.size,
          },
        }
        if (await idempotencyCheckpoint(request, reply, what)) return reply
        const row = await createEvidenceFile(requestContext(request), { fields, file, store })
        return reply
          .code(201)
          .header('location', `/v1/evidence/${row.id}`)
          .header('etag', `"${row.sha256}"`)
          .send(toEvidenceView(row))
      } finally {
        if (form.file) await store.discard(form.file.upload)
      }
    },
  )

  app.get(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'List evidence of units in the caller’s scope (oldest first)',
        operationId: 'listEvidence',
        querystring: S.EvidenceListQuery,
        response: { 200: S.EvidencePage, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request, reply) => {
      return sendPage(
        request,
        reply,
        await listEvidence(app.db, request.principal, request.query, request.query.limit ?? DEFAULT_LIMIT),
      )
    },
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read an evidence item (metadata)',
        operationId: 'getEvidence',
        params: S.EvidenceIdParams,
        response: { 200: S.EvidenceView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => toEvidenceView((await loadVisibleEvidence(app.db, request.principal, request.params.id)).item),
  )

  app.get(
    '/:id/content',
    {
      schema: {
        tags: TAGS,
        summary: 'Download an evidence file',
        description:
          'Streams the file with its Content-Type, Content-Length, ETag (the SHA-256) and Content-Disposition: attachment. 304 for a matching If-None-Match; one byte range with Range (206; 416 range_not_satisfiable past the end). A link has no content (409 evidence_is_link). 503 evidence_store_unavailable when the store cannot be reached.',
        operationId: 'getEvidenceContent',
        params: S.EvidenceIdParams,
        headers: S.ContentHeaders,
        response: {
          ...fileResponses(),
          ...problemResponses(400, 401, 403, 404, 409, 416, 503),
        },
      },
      config: CONTENT_READERS,
    },
    async (request, reply) => {
      const { item } = await loadVisibleEvidence(app.db, request.principal, request.params.id)
      if (item.kind !== 'file' || !item.sha256) {
        throw new ProblemError(409, 'evidence_is_link', msg('evidence:evidence_is_link'), {
          url: item.url,
        })
      }
      return sendEvidenceFile(request, reply, { ...item, sha256: item.sha256 }, 'private, no-cache')
    },
  )

  app.get(
    '/:id/signed-link',
    {
      schema: {
        tags: TAGS,
        summary: 'A signed, expiring link to an evidence file (no token needed to open it)',
        description:
          'The link opens GET /v1/evidence/{id}/shared for EVIDENCE_LINK_TTL_DAYS (rounded up to a UTC midnight), for this item only. Anyone holding it can download the file until then: hand it only to whom may see the file. 503 signed_links_not_configured without EVIDENCE_LINK_KEY; 409 evidence_is_link for a link.',
        operationId: 'getEvidenceSignedLink',
        params: S.EvidenceIdParams,
        response: { 200: S.SignedLink, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
      config: CONTENT_READERS,
    },
    async (request) => {
      const { item } = await loadVisibleEvidence(app.db, request.principal, request.params.id)
      if (item.kind !== 'file')
        throw new ProblemError(409, 'evidence_is_link', msg('evidence:evidence_is_link_2'), { url: item.url })
      if (!options.linkKey)
        throw new ProblemError(503, 'signed_links_not_configured', msg('evidence:signed_links_not_configured'))
      const expires = linkExpiry(new Date(), options.linkTtlDays)
      return {
        url: signedLinkUrl(serviceBaseUrl(request, options.publicBaseUrl), options.linkKey, item.id, expires),
        expires_at: new Date(expires * 1000).toISOString(),
      }
    },
  )

  app.get(
    '/:id/shared',
    {
      schema: {
        tags: TAGS,
        summary: 'Download an evidence file through a signed link',
        description:
          'No token: the expires and signature parameters of a link from GET /v1/evidence/{id}/signed-link (or PortalRB’s bukti_dukung_unit) are the credential. 403 link_invalid when they do not match this item, 410 link_expired after the expiry, 404 when the item is gone. Supports Range (206, 416) and If-None-Match (304).',
        operationId: 'getEvidenceShared',
        params: S.EvidenceIdParams,
        querystring: S.SignedLinkQuery,
        headers: S.ContentHeaders,
        response: {
          ...fileResponses(),
          ...problemResponses(400, 403, 404, 410, 416, 503),
        },
      },
      config: LINK_HOLDERS,
    },
    async (request, reply) => {
      if (!options.linkKey)
        throw new ProblemError(503, 'signed_links_not_configured', msg('evidence:signed_links_not_configured_2'))
      const verdict = checkLink(
        options.linkKey,
        request.params.id,
        request.query.expires,
        request.query.signature,
        new Date(),
      )
      if (verdict === 'invalid') throw new ProblemError(403, 'link_invalid', msg('evidence:link_invalid'))
      if (verdict === 'expired')
        throw new ProblemError(
          410,
          'link_expired',
          msg('evidence:link_expired', { expiredAt: new Date(request.query.expires * 1000).toISOString() }),
        )
      const [item] = await app.db.select().from(evidence).where(eq(evidence.id, request.params.id))
      if (!item || item.kind !== 'file' || !item.sha256) throw notFound('evidence', request.params.id)
      return sendEvidenceFile(request, reply, { ...item, sha256: item.sha256 }, 'private, max-age=3600')
    },
  )

  app.post(
    '/:id/carry',
    {
      schema: {
        tags: TAGS,
        summary: 'Carry an item into a later period (a new item pointing at the same link or file)',
        description:
          'The period must exist (422 period_not_found), differ from the item’s (422 carry_same_period) and not be earlier (422 carry_not_later); once per period (409 evidence_already_carried). Accepts Idempotency-Key.',
        operationId: 'carryEvidence',
        params: S.EvidenceIdParams,
        headers: IdempotencyHeaders,
        body: S.CarryBody,
        response: { 201: S.EvidenceView, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      config: { ...WRITERS, idempotent: true },
    },
    async (request, reply) => {
      const row = await carryEvidenceItem(requestContext(request), { id: request.params.id, ...request.body })
      return reply.code(201).header('location', `/v1/evidence/${row.id}`).send(toEvidenceView(row))
    },
  )

  app.delete(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete an evidence item',
        description:
          'Refused with 409 evidence_referenced while assessment answers refer to it. The stored file is kept (other items may share it).',
        operationId: 'deleteEvidence',
        params: S.EvidenceIdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...problemResponses(400, 401, 403, 404, 409) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      await deleteEvidence(requestContext(request), { id: request.params.id })
      return reply.code(204).send(null)
    },
  )
}

export default evidenceRoutes
