import { IsolatedWork, WorkLimitError, workerModule } from '../../lib/isolated-work.js'
import { msg } from '../../lib/i18n.js'
import { ProblemError } from '../../lib/problem.js'
import type { LheReport, SptjmReport, SuratUsulanReport } from './schemas.js'

const WORKER = workerModule('render-worker', import.meta.url)

/**
 * PDFs are rendered in a worker thread of their own (src/lib/isolated-work.ts), one at a time per
 * process with at most four waiting, each within 128 MB and 20 s: the layout is CPU work, and
 * the request thread, the writes and everyone else's requests never wait on it. The data is
 * bounded (see render.ts), so a document takes well under a second; past the bounds the caller
 * gets 503 reports_busy (Retry-After) or 503 report_timeout, never a slower server.
 */
const PDF_WORK = new IsolatedWork({ concurrency: 1, queue: 4, timeoutMs: 20_000, memoryMb: 128 })

export async function pdfOf(report: LheReport | SuratUsulanReport | SptjmReport): Promise<Buffer> {
  let release: () => void
  try {
    release = await PDF_WORK.acquire()
  } catch (error) {
    if (error instanceof ProblemError && error.status === 503)
      throw new ProblemError(503, 'reports_busy', msg('reports:busy'), {}, { 'retry-after': '5' })
    throw error
  }
  try {
    const bytes = await PDF_WORK.run<Uint8Array>(WORKER, report)
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  } catch (error) {
    if (error instanceof WorkLimitError)
      throw new ProblemError(503, 'report_timeout', msg('reports:too_costly', { limit: error.value }), {
        bound: error.limit,
        limit: error.value,
      }, { 'retry-after': '5' })
    throw error
  } finally {
    release()
  }
}
