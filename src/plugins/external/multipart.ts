import fp from 'fastify-plugin'
import multipart from '@fastify/multipart'

export interface MultipartOptions {
  /** Largest file accepted in one part (EVIDENCE_MAX_BYTES); larger uploads answer 413. */
  maxFileBytes: number
}

/**
 * multipart/form-data for evidence uploads. Nothing is buffered: routes read parts with
 * `request.parts()` and stream files to disk. Limits: one file per request, a handful of small
 * text fields; the file size limit truncates the stream, which the route turns into 413.
 */
export default fp<MultipartOptions>(
  async (app, options) => {
    await app.register(multipart, {
      throwFileSizeLimit: true,
      limits: {
        fileSize: options.maxFileBytes,
        files: 1,
        fields: 10,
        fieldSize: 4096,
        fieldNameSize: 100,
        parts: 12,
        headerPairs: 50,
      },
    })
  },
  { name: 'multipart', dependencies: ['errors'] },
)
