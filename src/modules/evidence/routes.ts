import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ifNoneMatchHits } from '../../lib/etag.js'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { Value } from 'typebox/value'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { ProblemError, problemResponses, type FieldError } from '../../lib/problem.js'
import { IdempotencyHeaders, idempotencyCheckpoint } from '../idempotency/plugin.js'
import { recordAudit } from '../audit/service.js'
import { contentDisposition, contentMatchesMediaType, isHttpUrl, resolveMediaType } from './rules.js'
import * as S from './schemas.js'
import { carryEvidence, checkPeriodExists, deleteEvidence, insertEvidence, listEvidence, loadTargetUnit, loadVisibleEvidence, toEvidenceView } from './service.js'
import { EvidenceStore, type StoredUpload } from './storage.js'
import { READERS, UNIT_WRITERS as WRITERS, WORKERS as CONTENT_READERS } from '../../lib/policy.js'

export interface EvidenceRoutesOptions {
  /** DATA_DIR: files go to `${dataDir}/evidence/` */
  dataDir: string
}

/** Who may download file content: the unit's own operators and evaluators in scope, admins. */
const TAGS = ['evidence']

function tooLarge(): ProblemError {
  return new ProblemError(413, 'file_too_large', 'The file is larger than this server accepts (EVIDENCE_MAX_BYTES).', {
    errors: [{ pointer: '/body/file', rule: 'maxSize', message: 'the file is too large' }],
  })
}

/** Multipart/busboy errors as problems (413 limits, 400 malformed, 415 not multipart). */
function multipartProblem(error: unknown): ProblemError | null {
  const code = (error as { code?: string }).code
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return tooLarge()
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new ProblemError(413, 'too_many_parts', 'The form has too many parts: send one file and the documented fields.')
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new ProblemError(415, 'unsupported_media_type', 'Send the upload as multipart/form-data.')
    case 'FST_PROTO_VIOLATION':
      return new ProblemError(400, 'malformed_body', 'The multipart form is not valid.')
  }
  if (error instanceof Error && /multipart|Unexpected end of form|terminated early|boundary/i.test(error.message)) {
    return new ProblemError(400, 'malformed_body', 'The multipart form is not valid.')
  }
  return null
}

function fieldErrors(fields: Record<string, string>): FieldError[] {
  const errors: FieldError[] = []
  for (const e of Value.Errors(S.UploadFields, fields)) {
    if (e.keyword === 'boolean') continue // the additionalProperties entry below names the field
    if (e.keyword === 'required') {
      for (const name of (e.params as { requiredProperties?: string[] }).requiredProperties ?? []) errors.push({ pointer: `/body/${name}`, rule: 'required', message: 'is required' })
    } else if (e.keyword === 'additionalProperties') {
      for (const name of (e.params as { additionalProperties?: string[] }).additionalProperties ?? []) errors.push({ pointer: `/body/${name}`, rule: 'additionalProperties', message: 'is not a known field' })
    } else {
      errors.push({ pointer: `/body${e.instancePath}`, rule: e.keyword, message: e.message })
    }
  }
  return errors
}

interface ReceivedForm {
  fields: Record<string, string>
  file: { upload: StoredUpload; fileName: string; declaredType: string; truncated: boolean } | null
}

/** Reads the form: text fields into a map, the file streamed to a temp file (never buffered). */
async function receiveForm(request: FastifyRequest, store: EvidenceStore): Promise<ReceivedForm> {
  const form: ReceivedForm = { fields: {}, file: null }
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') form.fields[part.fieldname] = part.value
        continue
      }
      if (part.fieldname !== 'file') {
        part.file.resume()
        throw new ProblemError(400, 'validation_failed', `The form sends a file in field ${part.fieldname}; send it as "file".`, {
          errors: [{ pointer: `/body/${part.fieldname}`, rule: 'additionalProperties', message: 'files go in the field "file"' }],
        })
      }
      const mediaType = resolveMediaType(part.mimetype, part.filename)
      if (!mediaType) {
        part.file.resume()
        throw new ProblemError(415, 'media_type_not_allowed', `Files of type ${part.mimetype || 'unknown'} are not accepted; send pdf, jpeg, png, xlsx, docx, csv or zip.`, {
          errors: [{ pointer: '/body/file', rule: 'mediaType', message: `${part.mimetype} is not an accepted media type` }],
        })
      }
      const upload = await store.receive(part.file)
      form.file = { upload, fileName: part.filename, declaredType: mediaType, truncated: part.file.truncated }
      if (part.file.truncated) throw tooLarge()
    }
  } catch (error) {
    if (form.file) await store.discard(form.file.upload)
    throw multipartProblem(error) ?? error
  }
  return form
}

const evidenceRoutes: FastifyPluginAsyncTypebox<EvidenceRoutesOptions> = async (app, options) => {
  const store = new EvidenceStore(options.dataDir)

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
      const body = request.body
      if (!isHttpUrl(body.url)) {
        throw new ProblemError(400, 'validation_failed', 'The request is not valid: /body/url must be an http(s) URL with a host.', {
          errors: [{ pointer: '/body/url', rule: 'format', message: 'must be an http(s) URL with a host' }],
        })
      }
      const row = await app.db.transaction(async (tx) => {
        const unit = await loadTargetUnit(tx, request.principal, body.unit_id)
        if (body.period_id) await checkPeriodExists(tx, body.period_id)
        const created = await insertEvidence(tx, request.principal, {
          unitId: unit.id,
          periodId: body.period_id ?? null,
          kind: 'link',
          title: body.title,
          url: body.url,
          effectiveDate: body.effective_date ?? null,
        })
        await recordAudit(tx, request, { action: 'evidence.created', entityType: 'evidence', entityId: created.id, before: null, after: toEvidenceView(created) })
        return created
      })
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
          'Form fields: `file` (one), `unit_id`, optional `period_id`, `title` (defaults to the file name), `effective_date`. Accepted: pdf, jpeg, png, xlsx, docx, csv, zip (415 media_type_not_allowed; 415 media_type_mismatch when the content is not what the type says); larger than EVIDENCE_MAX_BYTES: 413 file_too_large. The file is stored once per SHA-256. Accepts Idempotency-Key.',
        operationId: 'uploadEvidenceFile',
        consumes: ['multipart/form-data'],
        headers: IdempotencyHeaders,
        body: S.UploadForm,
        response: { 201: S.EvidenceView, ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
      },
      // The body is a stream read by the handler (fields validated there): no schema validation.
      validatorCompiler: () => () => true,
      config: { ...WRITERS, idempotent: true },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new ProblemError(415, 'unsupported_media_type', 'Send the upload as multipart/form-data with the file in the field "file".')
      const form = await receiveForm(request, store)
      const file = form.file
      try {
        const errors = fieldErrors(form.fields)
        if (!file) errors.push({ pointer: '/body/file', rule: 'required', message: 'is required' })
        if (errors.length > 0 || !file) {
          throw new ProblemError(400, 'validation_failed', `The request is not valid: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}.`, { errors })
        }
        if (!contentMatchesMediaType(file.upload.head, file.declaredType as Parameters<typeof contentMatchesMediaType>[1])) {
          throw new ProblemError(415, 'media_type_mismatch', `The file's content is not ${file.declaredType}.`, {
            errors: [{ pointer: '/body/file', rule: 'mediaType', message: `the content does not look like ${file.declaredType}` }],
          })
        }
        const fields = form.fields as S.UploadFields
        const what = { ...fields, file: { name: file.fileName, media_type: file.declaredType, sha256: file.upload.sha256, size: file.upload.size } }
        if (await idempotencyCheckpoint(request, reply, what)) return reply
        const row = await app.db.transaction(async (tx) => {
          const unit = await loadTargetUnit(tx, request.principal, fields.unit_id)
          if (fields.period_id) await checkPeriodExists(tx, fields.period_id)
          // In place before the row commits: a row never names a missing file.
          await store.commit(file.upload)
          const created = await insertEvidence(tx, request.principal, {
            unitId: unit.id,
            periodId: fields.period_id ?? null,
            kind: 'file',
            title: fields.title ?? (file.fileName || 'file'),
            fileName: file.fileName || null,
            mediaType: file.declaredType,
            sizeBytes: file.upload.size,
            sha256: file.upload.sha256,
            effectiveDate: fields.effective_date ?? null,
          })
          await recordAudit(tx, request, { action: 'evidence.created', entityType: 'evidence', entityId: created.id, before: null, after: toEvidenceView(created) })
          return created
        })
        return reply.code(201).header('location', `/v1/evidence/${row.id}`).header('etag', `"${row.sha256}"`).send(toEvidenceView(row))
      } finally {
        if (file) await store.discard(file.upload)
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
      return sendPage(request, reply, await listEvidence(app.db, request.principal, request.query, request.query.limit ?? DEFAULT_LIMIT))
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
          'Streams the file with its Content-Type, Content-Length, ETag (the SHA-256) and Content-Disposition: attachment. 304 for a matching If-None-Match. A link has no content (409 evidence_is_link).',
        operationId: 'getEvidenceContent',
        params: S.EvidenceIdParams,
        headers: S.ContentHeaders,
        response: {
          200: { description: 'the file', content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } } },
          304: Type.Null({ description: 'Not Modified' }),
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
      config: CONTENT_READERS,
    },
    async (request, reply) => {
      const { item } = await loadVisibleEvidence(app.db, request.principal, request.params.id)
      if (item.kind !== 'file' || !item.sha256) {
        throw new ProblemError(409, 'evidence_is_link', 'This evidence is a link; it has no stored content.', { url: item.url })
      }
      const etag = `"${item.sha256}"`
      reply.header('etag', etag).header('cache-control', 'private, no-cache').header('x-content-type-options', 'nosniff')
      if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send(null)
      if (!(await store.exists(item.sha256))) {
        request.log.error({ evidenceId: item.id, sha256: item.sha256 }, 'evidence file missing from DATA_DIR')
        throw new ProblemError(500, 'internal_error', 'The file of this evidence is missing on the server.')
      }
      return reply
        .type(item.mediaType ?? 'application/octet-stream')
        .header('content-length', String(item.sizeBytes ?? 0))
        .header('content-disposition', contentDisposition(item.fileName, `evidence-${item.id}`))
        .send(store.open(item.sha256) as never)
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
      const row = await app.db.transaction(async (tx) => {
        const { item } = await loadVisibleEvidence(tx, request.principal, request.params.id)
        const created = await carryEvidence(tx, request.principal, item, {
          periodId: request.body.period_id,
          ...(request.body.title !== undefined ? { title: request.body.title } : {}),
          ...(request.body.effective_date !== undefined ? { effectiveDate: request.body.effective_date } : {}),
        })
        await recordAudit(tx, request, { action: 'evidence.carried', entityType: 'evidence', entityId: created.id, before: null, after: toEvidenceView(created) })
        return created
      })
      return reply.code(201).header('location', `/v1/evidence/${row.id}`).send(toEvidenceView(row))
    },
  )

  app.delete(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete an evidence item',
        description: 'Refused with 409 evidence_referenced while assessment answers refer to it. The stored file is kept (other items may share it).',
        operationId: 'deleteEvidence',
        params: S.EvidenceIdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...problemResponses(400, 401, 403, 404, 409) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      await app.db.transaction(async (tx) => {
        const { item } = await loadVisibleEvidence(tx, request.principal, request.params.id, { forUpdate: true })
        await deleteEvidence(tx, item)
        await recordAudit(tx, request, { action: 'evidence.deleted', entityType: 'evidence', entityId: item.id, before: toEvidenceView(item), after: null })
      })
      return reply.code(204).send(null)
    },
  )
}

export default evidenceRoutes
