import { Worker } from 'node:worker_threads'
import { ProblemError } from './problem.js'
import { type Message, msg } from './i18n.js'

/**
 * Parsing an uploaded file off the request thread (docs/security.md, "Uploaded files"): each job
 * runs in a worker thread of its own with its own heap limit and a deadline, so a file that still
 * costs more than it should fails that one request and the process, and everyone else's requests,
 * go on. At most `concurrency` jobs run per process, at most `queue` more wait for a slot (for at
 * most half the deadline); beyond that the caller gets 503 uploads_busy with Retry-After. One worker per job (started in ~50 ms from
 * a build): its memory is returned whole when it ends, and a stuck one is simply terminated.
 *
 * A worker module exports nothing; it reads `workerData` and answers once with postMessage:
 * `{ ok: true, value }` or `{ ok: false, problem: { status, code, detail, extra } }` (see workerReply).
 */
export interface IsolatedWorkOptions {
  /** jobs running at once per process (IMPORT_CONCURRENCY) */
  concurrency: number
  /** jobs waiting for a slot beyond those (IMPORT_QUEUE); more: 503 */
  queue: number
  /**
   * a job's deadline, waiting for a slot included (IMPORT_TIMEOUT_MS); keep it under the server's
   * 30 s connection idle timeout, past which the client's socket is closed anyway
   */
  timeoutMs: number
  /** a job's heap (old generation) in MB (IMPORT_WORKER_MEMORY_MB) */
  memoryMb: number
}

/** Why a job was stopped: its heap limit or its deadline. */
export class WorkLimitError extends Error {
  constructor(
    readonly limit: 'memory' | 'time',
    readonly value: number,
  ) {
    super(limit === 'memory' ? `the job exceeded its ${value} MB heap` : `the job ran longer than ${value} ms`)
    this.name = 'WorkLimitError'
  }
}

export interface SerialisedProblem {
  status: number
  code: string
  detail: Message | string
  extra?: Record<string, unknown>
}

export type WorkerReply<T> = { ok: true; value: T } | { ok: false; problem: SerialisedProblem }

/** What a worker module posts back for a result or a thrown error (a ProblemError keeps its status and code). */
export function workerReply<T>(run: () => T | Promise<T>): Promise<WorkerReply<T>> {
  return (async () => {
    try {
      return { ok: true as const, value: await run() }
    } catch (error) {
      if (error instanceof ProblemError)
        return {
          ok: false as const,
          problem: { status: error.status, code: error.code, detail: error.detail, extra: error.extra },
        }
      throw error
    }
  })()
}

/**
 * Under tsx (development, tests) a worker must register the TypeScript loader itself: Node 20's
 * workers do not inherit the hooks tsx registers in the main thread. From a build it is plain JS.
 */
function startWorker(entry: URL, workerData: unknown, transfer: ArrayBuffer[], memoryMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.min(16, memoryMb) }
  if (entry.pathname.endsWith('.ts'))
    return new Worker(
      `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`,
      { eval: true, workerData, transferList: transfer, resourceLimits },
    )
  return new Worker(entry, { workerData, transferList: transfer, resourceLimits })
}

export class IsolatedWork {
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(readonly options: IsolatedWorkOptions) {}

  /** jobs running and waiting now (for metrics and tests) */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length }
  }

  /**
   * A slot for one job: at once when one is free, else after the jobs ahead; 503 uploads_busy
   * (Retry-After) when `queue` jobs already wait. Call the returned release exactly once.
   */
  async acquire(): Promise<() => void> {
    if (this.running >= this.options.concurrency) {
      if (this.waiting.length >= this.options.queue) throw this.busy()
      // waiting counts against the job's deadline: past it, 503 rather than a socket closed on the client
      const slot = await new Promise<boolean>((resolve) => {
        const waiter = () => {
          clearTimeout(timer)
          resolve(true)
        }
        const timer = setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1)
          resolve(false)
        }, this.options.timeoutMs / 2)
        this.waiting.push(waiter)
      })
      if (!slot) throw this.busy()
    } else this.running++
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      // the slot passes to the next waiter (running stays the same)
      if (next) next()
      else this.running--
    }
  }

  /** 503 uploads_busy: every slot taken and the queue full, or no slot within half the deadline */
  private busy(): ProblemError {
    return new ProblemError(
      503,
      'uploads_busy',
      msg('http:uploads_busy', { running: this.running, waitingCount: this.waiting.length }),
      { bound: 'concurrency', limit: this.options.concurrency, queue: this.options.queue },
      { 'retry-after': String(Math.max(1, Math.ceil(this.options.timeoutMs / 1000 / 4))) },
    )
  }

  /**
   * Runs `entry` in a worker of its own on `input` (transferred buffers in `transfer`), within the
   * heap limit and deadline. Resolves with the worker's value; rejects with the ProblemError it
   * reported, a WorkLimitError, or an Error when it failed otherwise. The caller holds a slot.
   */
  run<T>(entry: URL, input: unknown, transfer: ArrayBuffer[] = []): Promise<T> {
    const { memoryMb } = this.options
    // the other half of the deadline (the first is the most a job waits for its slot)
    const timeoutMs = Math.ceil(this.options.timeoutMs / 2)
    return new Promise<T>((resolve, reject) => {
      const worker = startWorker(entry, input, transfer, memoryMb)
      let settled = false
      const settle = (fn: () => void) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        fn()
        void worker.terminate()
      }
      const timer = setTimeout(() => settle(() => reject(new WorkLimitError('time', timeoutMs))), timeoutMs)
      worker.once('message', (reply: WorkerReply<T>) =>
        settle(() =>
          reply.ok
            ? resolve(reply.value)
            : reject(
                new ProblemError(reply.problem.status, reply.problem.code, reply.problem.detail, reply.problem.extra),
              ),
        ),
      )
      worker.once('error', (error: Error & { code?: string }) =>
        settle(() =>
          reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new WorkLimitError('memory', memoryMb) : error),
        ),
      )
      worker.once('exit', (code) =>
        settle(() => reject(new Error(`the parse worker exited (code ${code}) without an answer`))),
      )
    })
  }

  /** acquire, run, release */
  async isolated<T>(entry: URL, input: unknown, transfer: ArrayBuffer[] = []): Promise<T> {
    const release = await this.acquire()
    try {
      return await this.run<T>(entry, input, transfer)
    } finally {
      release()
    }
  }
}

/** A worker module beside the caller's, as .ts from source (tsx) or .js from a build. */
export const workerModule = (name: string, base: string): URL =>
  new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base)

/** How a caller of parseInWorker words its refusals and whether it already holds a slot. */
export interface ParseInWorkerOptions {
  /** The caller acquired a slot before reading the upload (the workbook import): run without another. */
  slotHeld?: boolean
  /** The refusal when reading needed more than the worker's heap (default: 422 upload_too_costly). */
  memoryProblem?: (limitMb: number) => ProblemError
  /** The detail of the 503 import_timeout past the deadline (default: the file's, not the workbook's). */
  timeoutMessage?: (limitMs: number) => Message
}

/**
 * An uploaded file's bytes parsed by `entry` in a worker of its own, holding one of the process's
 * slots (acquire, run, release, unless the caller holds one): the workbook import, the registry
 * import and the survey's response import use it. The worker's budget spent becomes 422
 * upload_too_costly (its heap; the caller may name its own refusal) or 503 import_timeout (its
 * deadline); nothing was written either way.
 */
export async function parseInWorker<T>(
  work: IsolatedWork,
  entry: URL,
  bytes: Uint8Array,
  input: Record<string, unknown> = {},
  options: ParseInWorkerOptions = {},
): Promise<T> {
  // A copy the worker owns (transferred, not cloned): the request's buffer may share a pool.
  const file = new Uint8Array(bytes.byteLength)
  file.set(bytes)
  try {
    const payload = { ...input, file }
    return options.slotHeld
      ? await work.run<T>(entry, payload, [file.buffer])
      : await work.isolated<T>(entry, payload, [file.buffer])
  } catch (error) {
    if (error instanceof WorkLimitError && error.limit === 'memory')
      throw (
        options.memoryProblem?.(error.value) ??
        new ProblemError(422, 'upload_too_costly', msg('http:upload_too_costly', { value: error.value }), {
          bound: 'memory',
          limit: error.value,
        })
      )
    if (error instanceof WorkLimitError)
      throw new ProblemError(
        503,
        'import_timeout',
        options.timeoutMessage?.(error.value) ?? msg('http:import_timeout', { value: error.value }),
        { bound: 'time', limit: error.value },
        { 'retry-after': '5' },
      )
    throw error
  }
}
