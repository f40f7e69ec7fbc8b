import { parentPort, workerData } from 'node:worker_threads'
import { workerReply } from '../../lib/isolated-work.js'
import { parseTable, type TableFormat, type TableLimits } from './parse.js'

/** The response import's parse worker (survey/routes.ts through parseInWorker): bytes in, rows or a refusal out. */
const input = workerData as { file: Uint8Array; format: TableFormat; limits: TableLimits }
const file = Buffer.from(input.file.buffer, input.file.byteOffset, input.file.byteLength)
parentPort?.postMessage(await workerReply(() => parseTable(file, input.format, input.limits)))
