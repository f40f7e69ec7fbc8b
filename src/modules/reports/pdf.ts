import { type IsolatedWork, WorkLimitError, workerModule } from '../../lib/isolated-work.js'
import { msg } from '../../lib/i18n.js'
import { ProblemError } from '../../lib/problem.js'
import type { LheReport, SptjmReport, SuratUsulanReport } from './schemas.js'

const WORKER = workerModule('render-worker', import.meta.url)

/**
 * A report's PDF, rendered in a worker thread of its own (src/lib/isolated-work.ts) holding one of
 * the process's slots for off-thread work (the one gate uploads are parsed through:
 * IMPORT_CONCURRENCY, IMPORT_QUEUE, IMPORT_TIMEOUT_MS, IMPORT_WORKER_MEMORY_MB). The layout is CPU
 * work; the request thread, the writes and everyone else's requests never wait on it. The data is
 * bounded (render.ts), so a document takes well under a second once the worker has started;
 * past the bounds the caller gets 503 reports_busy (Retry-After) or 503 report_timeout.
 */
export async function pdfOf(work: IsolatedWork, report: LheReport | SuratUsulanReport | SptjmReport): Promise<Buffer> {
  let release: () => void
  try {
    release = await work.acquire()
  } catch (error) {
    if (error instanceof ProblemError && error.status === 503)
      throw new ProblemError(503, 'reports_busy', msg('reports:busy'), {}, { 'retry-after': '5' })
    throw error
  }
  try {
    const bytes = await work.run<Uint8Array>(WORKER, report)
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  } catch (error) {
    if (error instanceof WorkLimitError)
      throw new ProblemError(
        503,
        'report_timeout',
        msg('reports:too_costly', { limit: error.value }),
        {
          bound: error.limit,
          limit: error.value,
        },
        { 'retry-after': '5' },
      )
    throw error
  } finally {
    release()
  }
}
