import { type IsolatedWork, parseInWorker, workerModule } from '../../lib/isolated-work.js'
import type { StageKind } from '../assessments/rules.js'
import type { InstrumentDefinition } from '../instruments/domain/index.js'
import { type ReadResult, assertLkeStructure, workbookBoundProblem } from './read.js'
import { loadRowMap } from './template.js'
import { msg } from '../../lib/i18n.js'

const WORKER = workerModule('parse-worker', import.meta.url)

/**
 * An uploaded workbook's rows, read in a worker thread of its own (see src/lib/isolated-work.ts):
 * bytes in, { layout, rows } out, or a ProblemError: the workbook's own refusals (422
 * not_an_lke_workbook, workbook_too_large naming the bound, workbook_cells_invalid, …), 422
 * workbook_too_large with bound "memory" when reading it exceeded the worker's heap, 503
 * uploads_busy when the server is parsing as many files as it may, 503 import_timeout past the
 * deadline. Nothing is written: applying the rows is the caller's.
 */
export async function parseWorkbookUpload(
  work: IsolatedWork,
  bytes: Buffer,
  def: InstrumentDefinition,
  kind: StageKind,
): Promise<ReadResult> {
  // Recognised by its sheet names on this thread (a few KB inflated): anything else is refused at once.
  assertLkeStructure(bytes, def, loadRowMap(), true)
  // The route took a slot before reading the upload, so the worker runs in it.
  return parseInWorker<ReadResult>(
    work,
    WORKER,
    bytes,
    { def, kind },
    {
      slotHeld: true,
      memoryProblem: (mb) => workbookBoundProblem('memory', mb, msg('workbook:memory_bound', { value: mb })),
      timeoutMessage: (ms) => msg('workbook:import_timeout', { value: ms }),
    },
  )
}
