import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

interface S3rverInstance {
  run(): Promise<{ port: number }>
  close(): Promise<void>
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance
// s3rver ships no types; its whole surface used here is run() and close().
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass

export interface S3Server {
  endpoint: string
  port: number
  bucket: string
  /** the env a test app needs for EVIDENCE_STORE=s3 */
  env: Record<string, string>
  stop(): Promise<void>
  /** starts again on the same port and directory (after stop) */
  restart(): Promise<void>
}

/** An S3-protocol server (s3rver) on 127.0.0.1 with a random port and a temp directory, one bucket. */
export async function startS3(t: Test, bucket = 'zi-evidence'): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'zi-s3-'))
  const make = (port: number) =>
    new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket }] })
  let server = make(0)
  const { port } = await server.run()
  let running = true
  const endpoint = `http://127.0.0.1:${port}`
  const s3: S3Server = {
    endpoint,
    port,
    bucket,
    env: {
      EVIDENCE_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      S3_TIMEOUT_MS: '3000',
    },
    stop: async () => {
      if (running) await server.close()
      running = false
    },
    restart: async () => {
      server = make(port)
      await server.run()
      running = true
    },
  }
  t.teardown(async () => {
    await s3.stop()
    rmSync(directory, { recursive: true, force: true })
  })
  return s3
}
