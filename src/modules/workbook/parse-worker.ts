import { parentPort, workerData } from 'node:worker_threads'
import { workerReply } from '../../lib/isolated-work.js'
import type { StageKind } from '../assessments/rules.js'
import type { InstrumentDefinition } from '../instruments/domain/index.js'
import { readUpload } from './read.js'
import { loadRowMap } from './template.js'

/** The parse worker (see parse.ts): an uploaded workbook in, its rows or a problem out. */
const input = workerData as { file: Uint8Array; def: InstrumentDefinition; kind: StageKind }
const file = Buffer.from(input.file.buffer, input.file.byteOffset, input.file.byteLength)
parentPort?.postMessage(await workerReply(() => readUpload(file, input.def, loadRowMap(), input.kind)))
