import { parentPort, workerData } from 'node:worker_threads'
import { workerReply } from '../../lib/isolated-work.js'
import { lheDocument, sptjmDocument, suratUsulanDocument } from './documents.js'
import { renderPdf } from './render.js'
import type { LheReport, SptjmReport, SuratUsulanReport } from './schemas.js'

/** The PDF worker (see pdf.ts): a report's data in, its PDF bytes out. */
const report = workerData as LheReport | SuratUsulanReport | SptjmReport
const doc =
  report.kind === 'lhe'
    ? lheDocument(report)
    : report.kind === 'surat_usulan'
      ? suratUsulanDocument(report)
      : sptjmDocument(report)
parentPort?.postMessage(await workerReply(() => renderPdf(doc)))
