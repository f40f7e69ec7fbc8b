import { parentPort, workerData } from 'node:worker_threads'
import { workerReply } from '../../lib/isolated-work.js'
import { readRegistryFile } from './registry-file.js'

/** The registry file's parse worker (units/routes.ts through parseInWorker): bytes in, rows or a refusal out. */
const input = workerData as { file: Uint8Array }
const file = Buffer.from(input.file.buffer, input.file.byteOffset, input.file.byteLength)
parentPort?.postMessage(await workerReply(() => readRegistryFile(file)))
