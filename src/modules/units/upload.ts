import type { FastifyRequest } from 'fastify'
import { ProblemError } from '../../lib/problem.js'
import { type Message, msg } from '../../lib/i18n.js'

/** The registry import's form: the file and two flags, read from the stream within bounds. */
export interface RegistryUpload {
  bytes: Buffer
  dryRun: boolean
  archiveMissing: boolean
}

const FLAGS = { dry_run: 'dryRun', archive_missing: 'archiveMissing' } as const

const invalid = (pointer: string, rule: string, message: Message | string) =>
  new ProblemError(400, 'validation_failed', msg('units:validation_failed', { pointer, message }), {
    errors: [{ pointer, rule, message }],
  })

/** Reads the multipart form (one file of at most `maxBytes`, the flags as fields "true"/"false"). */
export async function receiveRegistryUpload(request: FastifyRequest, maxBytes: number): Promise<RegistryUpload> {
  const form = msg('units:send_multipart')
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
      throw new ProblemError(413, 'file_too_large', msg('units:file_too_large', { maxBytes }), {
        errors: [{ pointer: '/body/file', rule: 'maxSize', message: msg('units:field.maxSize', { maxBytes }) }],
      })
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new ProblemError(413, 'too_many_parts', msg('units:too_many_parts', { form }))
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new ProblemError(415, 'unsupported_media_type', form)
    if (error instanceof ProblemError) throw error
    throw new ProblemError(400, 'malformed_body', msg('units:malformed_body'))
  }
  if (!received) throw invalid('/body/file', 'required', 'is required')
  return upload
}
