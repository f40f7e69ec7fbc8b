// The pinned SDK release supports Node 20; its notice is about later releases, which package.json pins out.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { contentPath } from './rules.js'
import {
  SHA256,
  hashingTap,
  storeUnavailable,
  type ByteRange,
  type EvidenceStore,
  type StoredUpload,
} from './storage.js'

export interface S3StoreOptions {
  bucket: string
  region: string
  endpoint?: string | undefined
  accessKeyId?: string | undefined
  secretAccessKey?: string | undefined
  forcePathStyle: boolean
  /** key prefix inside the bucket, '' or ending in '/' */
  prefix: string
  /** how long one request may take before the store counts as down */
  requestTimeoutMs: number
}

const PART_BYTES = 8 * 1024 * 1024

const isNotFound = (error: unknown): boolean => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404
}

/**
 * Any S3-compatible object store (MinIO, Ceph RGW, a cloud provider's): objects at
 * `<prefix>evidence/<sha256[0:2]>/<sha256>`. An upload streams to a staging object
 * `<prefix>tmp/<uuid>` (multipart, a few parts in memory at most), is then copied server-side to
 * its content address unless that object already exists. Staging objects left by a crash can be
 * expired by a bucket lifecycle rule on `<prefix>tmp/`.
 */
export class S3EvidenceStore implements EvidenceStore {
  readonly kind = 's3' as const
  readonly client: S3Client
  constructor(private readonly options: S3StoreOptions) {
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
      maxAttempts: 2,
      requestHandler: {
        connectionTimeout: Math.min(5000, options.requestTimeoutMs),
        requestTimeout: options.requestTimeoutMs,
      },
    })
  }

  get location(): string {
    return `s3://${this.options.bucket}/${this.options.prefix}`
  }

  keyOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error('not a sha256')
    return `${this.options.prefix}evidence/${contentPath(sha256)}`
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      throw storeUnavailable(error)
    }
  }

  async receive(source: Readable): Promise<StoredUpload> {
    const staging = `${this.options.prefix}tmp/${randomUUID()}`
    const { tap, result } = hashingTap()
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: staging, Body: tap },
      queueSize: 2,
      partSize: PART_BYTES,
      leavePartsOnError: false,
    })
    let sourceError: unknown = null
    const piping = pipeline(source, tap).catch((error: unknown) => {
      sourceError = error
      throw error
    })
    try {
      await Promise.all([piping, upload.done()])
    } catch (error) {
      tap.destroy()
      source.resume() // let the request body drain rather than stall
      await upload.abort().catch(() => undefined)
      await this.discard({ staging })
      // A broken or oversized request body is the client's problem, not the store's.
      if (sourceError) throw sourceError
      throw storeUnavailable(error)
    }
    return { staging, ...result() }
  }

  async commit(upload: StoredUpload): Promise<void> {
    const Key = this.keyOf(upload.sha256)
    if (await this.exists(upload.sha256)) return // already stored: same bytes, same key
    await this.call(() =>
      this.client.send(
        new CopyObjectCommand({
          Bucket: this.options.bucket,
          Key,
          CopySource: `${this.options.bucket}/${encodeURI(upload.staging)}`,
        }),
      ),
    )
  }

  async discard(upload: Pick<StoredUpload, 'staging'>): Promise<void> {
    await this.client
      .send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: upload.staging }))
      .catch(() => undefined)
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(sha256) }))
      return true
    } catch (error) {
      if (isNotFound(error)) return false
      throw storeUnavailable(error)
    }
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    const answer = await this.call(() =>
      this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.keyOf(sha256),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      ),
    )
    if (!(answer.Body instanceof Readable)) throw storeUnavailable(new Error('the store answered without a body'))
    return answer.Body
  }

  async *list(): AsyncIterable<string> {
    const prefix = `${this.options.prefix}evidence/`
    let token: string | undefined
    do {
      const page = await this.call(() =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      )
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(prefix.length).split('/')[1]
        if (name && SHA256.test(name)) yield name
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  close(): void {
    this.client.destroy()
  }
}
