import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { contentPath } from './rules.js'

export interface StoredUpload {
  tempPath: string
  sha256: string
  size: number
  /** the first bytes, to check the media type */
  head: Buffer
}

const HEAD_BYTES = 16

/**
 * The evidence file store: `${DATA_DIR}/evidence/<sha256[0:2]>/<sha256>`. Uploads stream to a
 * temp file in the same file system (hashing and counting on the way), then are renamed into
 * place, so a reader never sees half a file and equal content is stored once. With several
 * replicas DATA_DIR must be a shared volume.
 */
export class EvidenceStore {
  readonly root: string
  constructor(dataDir: string) {
    this.root = resolve(dataDir, 'evidence')
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256')
    return join(this.root, contentPath(sha256))
  }

  /** Streams `source` to a temp file, computing SHA-256 and size without buffering it. */
  async receive(source: Readable): Promise<StoredUpload> {
    const tmpDir = join(this.root, 'tmp')
    await mkdir(tmpDir, { recursive: true })
    const tempPath = join(tmpDir, `${randomUUID()}.part`)
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
    try {
      await pipeline(source, tap, createWriteStream(tempPath, { flags: 'wx', mode: 0o640 }))
    } catch (error) {
      await rm(tempPath, { force: true })
      throw error
    }
    return { tempPath, sha256: hash.digest('hex'), size, head: Buffer.concat(headChunks) }
  }

  /** Moves a received upload into its content address (atomic rename; equal content is kept once). */
  async commit(upload: StoredUpload): Promise<void> {
    const target = this.pathOf(upload.sha256)
    await mkdir(dirname(target), { recursive: true })
    try {
      await stat(target)
      await rm(upload.tempPath, { force: true }) // already stored: same bytes, same name
    } catch {
      await rename(upload.tempPath, target)
    }
  }

  discard(upload: Pick<StoredUpload, 'tempPath'>): Promise<void> {
    return rm(upload.tempPath, { force: true })
  }

  open(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256))
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256))
      return true
    } catch {
      return false
    }
  }
}
