import type { FastifyRequest } from 'fastify'
import { Value } from 'typebox/value'
import { ProblemError, type FieldError } from '../../lib/problem.js'
import { ruleMessage } from '../../lib/validation-message.js'
import { contentMatchesMediaType, resolveMediaType } from './rules.js'
import * as S from './schemas.js'
import type { EvidenceStore, StoredUpload } from './storage.js'
import { type Message, msg } from '../../lib/i18n.js'

type FieldProblem = Omit<FieldError, 'message'> & { message: Message | string }

/*
 * The evidence upload form: reading multipart/form-data (the file streamed to the store, never
 * buffered), mapping multipart errors to problems, and checking the fields and the file.
 */

function tooLarge(): ProblemError {
  return new ProblemError(413, 'file_too_large', msg('evidence:file_too_large'), {
    errors: [{ pointer: '/body/file', rule: 'maxSize', message: msg('evidence:field.maxSize') }],
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
      return new ProblemError(413, 'too_many_parts', msg('evidence:too_many_parts'))
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new ProblemError(415, 'unsupported_media_type', msg('evidence:unsupported_media_type'))
    case 'FST_PROTO_VIOLATION':
      return new ProblemError(400, 'malformed_body', msg('evidence:malformed_body'))
  }
  if (error instanceof Error && /multipart|Unexpected end of form|terminated early|boundary/i.test(error.message)) {
    return new ProblemError(400, 'malformed_body', msg('evidence:malformed_body'))
  }
  return null
}

function fieldErrors(fields: Record<string, string>): FieldProblem[] {
  const errors: FieldProblem[] = []
  for (const e of Value.Errors(S.UploadFields, fields)) {
    if (e.keyword === 'boolean') continue // the additionalProperties entry below names the field
    if (e.keyword === 'required') {
      for (const name of (e.params as { requiredProperties?: string[] }).requiredProperties ?? [])
        errors.push({ pointer: `/body/${name}`, rule: 'required', message: msg('evidence:field.required') })
    } else if (e.keyword === 'additionalProperties') {
      for (const name of (e.params as { additionalProperties?: string[] }).additionalProperties ?? [])
        errors.push({
          pointer: `/body/${name}`,
          rule: 'additionalProperties',
          message: msg('evidence:field.additionalProperties'),
        })
    } else {
      errors.push({ pointer: `/body${e.instancePath}`, rule: e.keyword, message: ruleMessage(e.keyword, e.params) })
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
    throw new ProblemError(415, 'unsupported_media_type', msg('evidence:unsupported_media_type_2'))
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
          msg('evidence:validation_failed_2', { fieldname: part.fieldname }),
          {
            errors: [
              {
                pointer: `/body/${part.fieldname}`,
                rule: 'additionalProperties',
                message: msg('evidence:field.additionalProperties_2'),
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
          msg('evidence:media_type_not_allowed', { mediaType: part.mimetype || '?' }),
          {
            errors: [
              {
                pointer: '/body/file',
                rule: 'mediaType',
                message: msg('evidence:field.mediaType', { mimetype: part.mimetype }),
              },
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
  if (!file) errors.push({ pointer: '/body/file', rule: 'required', message: msg('evidence:field.required') })
  if (errors.length > 0 || !file) {
    throw new ProblemError(
      400,
      'validation_failed',
      msg('validation:summary', {
        summary: errors.map((e) => msg('validation:item', { pointer: e.pointer, message: e.message })),
      }),
      { errors },
    )
  }
  if (!contentMatchesMediaType(file.upload.head, file.declaredType as Parameters<typeof contentMatchesMediaType>[1])) {
    throw new ProblemError(
      415,
      'media_type_mismatch',
      msg('evidence:media_type_mismatch', { declaredType: file.declaredType }),
      {
        errors: [
          {
            pointer: '/body/file',
            rule: 'mediaType',
            message: msg('evidence:field.mediaType_2', { declaredType: file.declaredType }),
          },
        ],
      },
    )
  }
  return { fields: form.fields as S.UploadFields, file }
}
