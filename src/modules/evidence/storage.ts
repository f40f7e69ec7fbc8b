import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ConfigError } from '../../config.js'
import { ProblemError } from '../../lib/problem.js'
import { contentPath } from './rules.js'
import { msg } from '../../lib/i18n.js'

export interface StoredUpload {
  /** where the bytes wait until commit: a temp file (fs) or a staging object key (s3) */
  staging: string
  sha256: string
  size: number
  /** the first bytes, to check the media type */
  head: Buffer
}

/** Inclusive byte range, as in an HTTP Range header. */
export interface ByteRange {
  start: number
  end: number
}

/**
 * Where evidence files live, addressed by their SHA-256. An upload is received into a staging
 * place (hashed and counted on the way, never held in memory), then committed to its content
 * address; equal content is stored once. Every method of a store that cannot be reached throws
 * a 503 `evidence_store_unavailable` problem.
 */
export interface EvidenceStore {
  readonly kind: 'fs' | 's3'
  /** a short description for logs: the directory or the bucket, never a credential */
  readonly location: string
  receive(source: Readable): Promise<StoredUpload>
  /** Moves a received upload to its content address (kept once for equal content). */
  commit(upload: StoredUpload): Promise<void>
  /** Best effort: removes the staging copy (never throws). */
  discard(upload: Pick<StoredUpload, 'staging'>): Promise<void>
  exists(sha256: string): Promise<boolean>
  open(sha256: string, range?: ByteRange): Promise<Readable>
  /** Every stored SHA-256. */
  list(): AsyncIterable<string>
  close(): void
}

export const SHA256 = /^[0-9a-f]{64}$/
const HEAD_BYTES = 16

export function storeUnavailable(cause: unknown): ProblemError {
  const error = new ProblemError(
    503,
    'evidence_store_unavailable',
    msg('evidence:evidence_store_unavailable'),
    {},
    { 'retry-after': '30' },
  )
  ;(error as { cause?: unknown }).cause = cause
  return error
}

/** A pass-through that hashes, counts and keeps the first bytes of what flows through it. */
export function hashingTap(): { tap: Transform; result: () => Omit<StoredUpload, 'staging'> } {
  const hash = createHash('sha256')
  let size = 0
  const headChunks: Buffer[] = []
  let headLength = 0
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk)
      size += chunk.length
      if (headLength < HEAD_BYTES) {
        headChunks.push(chunk.subarray(0, HEAD_BYTES - headLength))
        headLength += Math.min(chunk.length, HEAD_BYTES - headLength)
      }
      done(null, chunk)
    },
  })
  return { tap, result: () => ({ sha256: hash.digest('hex'), size, head: Buffer.concat(headChunks) }) }
}

/** SHA-256 of a stream, read to its end. */
export async function sha256Of(source: Readable): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of source) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * The file system store: `${DATA_DIR}/evidence/<sha256[0:2]>/<sha256>`. Uploads stream to a
 * temp file in the same file system, then are renamed into place, so a reader never sees half a
 * file. With several replicas DATA_DIR must be a shared volume (or use the s3 store).
 */
export class FsEvidenceStore implements EvidenceStore {
  readonly kind = 'fs' as const
  readonly root: string
  constructor(dataDir: string) {
    this.root = resolve(dataDir, 'evidence')
  }

  get location(): string {
    return this.root
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error('not a sha256')
    return join(this.root, contentPath(sha256))
  }

  async receive(source: Readable): Promise<StoredUpload> {
    const tmpDir = join(this.root, 'tmp')
    await mkdir(tmpDir, { recursive: true })
    const staging = join(tmpDir, `${randomUUID()}.part`)
    const { tap, result } = hashingTap()
    try {
      await pipeline(source, tap, createWriteStream(staging, { flags: 'wx', mode: 0o640 }))
    } catch (error) {
      await rm(staging, { force: true })
      throw error
    }
    return { staging, ...result() }
  }

  async commit(upload: StoredUpload): Promise<void> {
    const target = this.pathOf(upload.sha256)
    await mkdir(dirname(target), { recursive: true })
    try {
      await stat(target)
      await rm(upload.staging, { force: true }) // already stored: same bytes, same name
    } catch {
      await rename(upload.staging, target)
    }
  }

  async discard(upload: Pick<StoredUpload, 'staging'>): Promise<void> {
    await rm(upload.staging, { force: true }).catch(() => undefined)
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    return createReadStream(this.pathOf(sha256), range ? { start: range.start, end: range.end } : {})
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256))
      return true
    } catch {
      return false
    }
  }

  async *list(): AsyncIterable<string> {
    let prefixes: string[]
    try {
      prefixes = (await readdir(this.root)).filter((d) => /^[0-9a-f]{2}$/.test(d)).sort()
    } catch {
      return
    }
    for (const prefix of prefixes) {
      for (const name of (await readdir(join(this.root, prefix))).sort())
        if (SHA256.test(name) && name.startsWith(prefix)) yield name
    }
  }

  close(): void {}
}

/** Stores `source` under `expectedSha256` and fails (storing nothing) when its bytes hash differently. */
export async function putVerified(store: EvidenceStore, expectedSha256: string, source: Readable): Promise<void> {
  const upload = await store.receive(source)
  try {
    if (upload.sha256 !== expectedSha256) throw new Error(`content hashes to ${upload.sha256}, not ${expectedSha256}`)
    await store.commit(upload)
  } finally {
    await store.discard(upload)
  }
}

export interface StoreConfig {
  EVIDENCE_STORE: 'fs' | 's3'
  DATA_DIR: string
  S3_ENDPOINT?: string | undefined
  S3_BUCKET?: string | undefined
  S3_REGION: string
  S3_ACCESS_KEY_ID?: string | undefined
  S3_SECRET_ACCESS_KEY?: string | undefined
  S3_FORCE_PATH_STYLE: boolean
  S3_PREFIX: string
  S3_TIMEOUT_MS: number
}

/** The configured store; the AWS SDK is loaded only for `s3`. */
export async function createEvidenceStore(config: StoreConfig): Promise<EvidenceStore> {
  if (config.EVIDENCE_STORE === 'fs') return new FsEvidenceStore(config.DATA_DIR)
  if (!config.S3_BUCKET) throw new ConfigError('S3_BUCKET', 'is required when EVIDENCE_STORE=s3')
  if (Boolean(config.S3_ACCESS_KEY_ID) !== Boolean(config.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError(
      config.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID',
      'must be set together with its pair',
    )
  }
  const { S3EvidenceStore } = await import('./storage-s3.js')
  return new S3EvidenceStore({
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    prefix: config.S3_PREFIX,
    requestTimeoutMs: config.S3_TIMEOUT_MS,
  })
}
