import type { FastifyRequest } from 'fastify'
import { ProblemError } from '../../lib/problem.js'

/** The registry import's form: the file and two flags, read from the stream within bounds. */
export interface RegistryUpload {
  bytes: Buffer
  dryRun: boolean
  archiveMissing: boolean
}

const FLAGS = { dry_run: 'dryRun', archive_missing: 'archiveMissing' } as const

const invalid = (pointer: string, rule: string, message: string) =>
  new ProblemError(400, 'validation_failed', `The request is not valid: ${pointer} ${message}.`, {
    errors: [{ pointer, rule, message }],
  })

/** Reads the multipart form (one file of at most `maxBytes`, the flags as fields "true"/"false"). */
export async function receiveRegistryUpload(request: FastifyRequest, maxBytes: number): Promise<RegistryUpload> {
  const form = 'Send the organisation file as multipart/form-data in the field "file".'
  if (!request.isMultipart()) throw new ProblemError(415, 'unsupported_media_type', form)
  const upload: RegistryUpload = { bytes: Buffer.alloc(0), dryRun: false, archiveMissing: false }
  let received = false
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 2, parts: 3 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume()
          throw invalid(`/body/${part.fieldname}`, 'additionalProperties', 'is not a known field')
        }
        upload.bytes = await part.toBuffer()
        received = true
        continue
      }
      const flag = FLAGS[part.fieldname as keyof typeof FLAGS]
      if (!flag) throw invalid(`/body/${part.fieldname}`, 'additionalProperties', 'is not a known field')
      if (part.value !== 'true' && part.value !== 'false')
        throw invalid(`/body/${part.fieldname}`, 'enum', 'must be true or false')
      upload[flag] = part.value === 'true'
    }
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new ProblemError(413, 'file_too_large', `The file is larger than ${maxBytes} bytes.`, {
        errors: [{ pointer: '/body/file', rule: 'maxSize', message: `at most ${maxBytes} bytes` }],
      })
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new ProblemError(413, 'too_many_parts', `The form has too many parts. ${form}`)
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new ProblemError(415, 'unsupported_media_type', form)
    if (error instanceof ProblemError) throw error
    throw new ProblemError(400, 'malformed_body', 'The multipart form is not valid.')
  }
  if (!received) throw invalid('/body/file', 'required', 'is required')
  return upload
}
