import type { FastifyRequest } from 'fastify'
import { Value } from 'typebox/value'
import { ProblemError, type FieldError } from '../../lib/problem.js'
import { contentMatchesMediaType, resolveMediaType } from './rules.js'
import * as S from './schemas.js'
import type { EvidenceStore, StoredUpload } from './storage.js'

/*
 * The evidence upload form: reading multipart/form-data (the file streamed to the store, never
 * buffered), mapping multipart errors to problems, and checking the fields and the file.
 */

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
      return new ProblemError(
        413,
        'too_many_parts',
        'The form has too many parts: send one file and the documented fields.',
      )
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
      for (const name of (e.params as { requiredProperties?: string[] }).requiredProperties ?? [])
        errors.push({ pointer: `/body/${name}`, rule: 'required', message: 'is required' })
    } else if (e.keyword === 'additionalProperties') {
      for (const name of (e.params as { additionalProperties?: string[] }).additionalProperties ?? [])
        errors.push({ pointer: `/body/${name}`, rule: 'additionalProperties', message: 'is not a known field' })
    } else {
      errors.push({ pointer: `/body${e.instancePath}`, rule: e.keyword, message: e.message })
    }
  }
  return errors
}

export interface ReceivedForm {
  fields: Record<string, string>
  file: { upload: StoredUpload; fileName: string; declaredType: string; truncated: boolean } | null
}

/** Reads the form: text fields into a map, the file streamed to a temp file (never buffered). */
export async function receiveForm(request: FastifyRequest, store: EvidenceStore): Promise<ReceivedForm> {
  if (!request.isMultipart())
    throw new ProblemError(
      415,
      'unsupported_media_type',
      'Send the upload as multipart/form-data with the file in the field "file".',
    )
  const form: ReceivedForm = { fields: {}, file: null }
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') form.fields[part.fieldname] = part.value
        continue
      }
      if (part.fieldname !== 'file') {
        part.file.resume()
        throw new ProblemError(
          400,
          'validation_failed',
          `The form sends a file in field ${part.fieldname}; send it as "file".`,
          {
            errors: [
              {
                pointer: `/body/${part.fieldname}`,
                rule: 'additionalProperties',
                message: 'files go in the field "file"',
              },
            ],
          },
        )
      }
      const mediaType = resolveMediaType(part.mimetype, part.filename)
      if (!mediaType) {
        part.file.resume()
        throw new ProblemError(
          415,
          'media_type_not_allowed',
          `Files of type ${part.mimetype || 'unknown'} are not accepted; send pdf, jpeg, png, xlsx, docx, csv or zip.`,
          {
            errors: [
              { pointer: '/body/file', rule: 'mediaType', message: `${part.mimetype} is not an accepted media type` },
            ],
          },
        )
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

export interface UploadedFile {
  upload: StoredUpload
  fileName: string
  declaredType: string
}

/**
 * The form's fields and file once they pass: 400 naming every bad or missing field, 415 when the
 * file's content is not the media type it claims.
 */
export function checkUploadForm(form: ReceivedForm): { fields: S.UploadFields; file: UploadedFile } {
  const file = form.file

  const errors = fieldErrors(form.fields)
  if (!file) errors.push({ pointer: '/body/file', rule: 'required', message: 'is required' })
  if (errors.length > 0 || !file) {
    throw new ProblemError(
      400,
      'validation_failed',
      `The request is not valid: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}.`,
      { errors },
    )
  }
  if (!contentMatchesMediaType(file.upload.head, file.declaredType as Parameters<typeof contentMatchesMediaType>[1])) {
    throw new ProblemError(415, 'media_type_mismatch', `The file's content is not ${file.declaredType}.`, {
      errors: [
        { pointer: '/body/file', rule: 'mediaType', message: `the content does not look like ${file.declaredType}` },
      ],
    })
  }
  return { fields: form.fields as S.UploadFields, file }
}
