import t from 'tap'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { eq, sql } from 'drizzle-orm'
import { loadConfig } from '../../src/config.js'
import { copyEvidence } from '../../src/modules/evidence/copy.js'
import { FsEvidenceStore, createEvidenceStore, sha256Of } from '../../src/modules/evidence/storage.js'
import { evidence } from '../../src/modules/evidence/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { multipartBody, pdfBytes } from '../helpers/multipart.js'
import { startS3 } from '../helpers/s3.js'
import { insertSmallTree } from '../helpers/units.js'

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

t.test('EVIDENCE_STORE=s3 against an S3-protocol server on loopback', async (t) => {
  const s3 = await startS3(t)
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  })
  t.teardown(() => client.destroy())
  const keys = async (prefix: string) =>
    ((await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? [])
      .map((o) => o.Key as string)
      .sort()

  const dataDir = mkdtempSync(join(tmpdir(), 'zi-s3-data-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  // Several parts: bigger than the 8 MiB part size, so the upload is a real multipart upload.
  const ctx = await buildTestApp(t, { ...s3.env, DATA_DIR: dataDir, EVIDENCE_MAX_BYTES: String(32 * 1024 * 1024) })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.opdA.id] }))
  const upload = (unitId: string, name: string, content: Buffer) => {
    const body = multipartBody({ unit_id: unitId }, { name, type: 'application/pdf', content })
    return app.inject({
      method: 'POST',
      url: '/v1/evidence/files',
      headers: { ...operator, ...body.headers },
      payload: body.payload,
    })
  }
  const big = pdfBytes(9 * 1024 * 1024 + 123)
  let bigId = ''

  t.test('upload streams into the bucket under the content address; nothing left in staging', async (t) => {
    const res = await upload(tree.a1.id, 'besar.pdf', big)
    t.equal(res.statusCode, 201, res.body)
    bigId = res.json().id
    t.equal(res.json().sha256, sha256(big))
    t.same(await keys('evidence/'), [`evidence/${sha256(big).slice(0, 2)}/${sha256(big)}`])
    t.same(await keys('tmp/'), [], 'the staging object is removed')
  })

  t.test('download: whole file, a byte range, a suffix range, a range past the end', async (t) => {
    const whole = await app.inject({ method: 'GET', url: `/v1/evidence/${bigId}/content`, headers: operator })
    t.equal(whole.statusCode, 200)
    t.equal(whole.headers['content-length'], String(big.length))
    t.equal(whole.headers['accept-ranges'], 'bytes')
    t.equal(sha256(whole.rawPayload), sha256(big), 'the bytes come back unchanged')

    const part = await app.inject({
      method: 'GET',
      url: `/v1/evidence/${bigId}/content`,
      headers: { ...operator, range: 'bytes=1000-1999' },
    })
    t.equal(part.statusCode, 206)
    t.equal(part.headers['content-range'], `bytes 1000-1999/${big.length}`)
    t.equal(part.headers['content-length'], '1000')
    t.same(part.rawPayload, big.subarray(1000, 2000))

    const tail = await app.inject({
      method: 'GET',
      url: `/v1/evidence/${bigId}/content`,
      headers: { ...operator, range: 'bytes=-16' },
    })
    t.equal(tail.statusCode, 206)
    t.same(tail.rawPayload, big.subarray(big.length - 16))

    const past = await app.inject({
      method: 'GET',
      url: `/v1/evidence/${bigId}/content`,
      headers: { ...operator, range: `bytes=${big.length}-` },
    })
    t.equal(past.statusCode, 416)
    t.equal(past.json().code, 'range_not_satisfiable')
    t.equal(past.headers['content-range'], `bytes */${big.length}`)

    const stale = await app.inject({
      method: 'GET',
      url: `/v1/evidence/${bigId}/content`,
      headers: { ...operator, range: 'bytes=0-9', 'if-range': '"another"' },
    })
    t.equal(stale.statusCode, 200, 'If-Range naming another version: the whole file')
  })

  t.test('deduplication: the same bytes for another item are stored once', async (t) => {
    const again = await upload(tree.a2.id, 'salinan.pdf', big)
    t.equal(again.statusCode, 201, again.body)
    t.not(again.json().id, bigId)
    t.same(await keys('evidence/'), [`evidence/${sha256(big).slice(0, 2)}/${sha256(big)}`], 'still one object')
    t.same(await keys('tmp/'), [])
  })

  t.test('a store that is down: 503 evidence_store_unavailable, no row, no audit, nothing half-written', async (t) => {
    const rowsBefore = (await app.db.select({ n: sql<number>`count(*)::int` }).from(evidence))[0]!.n
    const auditBefore = (await app.db.execute(sql`select count(*)::int as n from audit_events`)) as unknown
    await s3.stop()
    const small = pdfBytes(4096)
    const res = await upload(tree.a1.id, 'saat-mati.pdf', small)
    t.equal(res.statusCode, 503, res.body)
    t.equal(res.json().code, 'evidence_store_unavailable')
    t.equal(res.headers['retry-after'], '30')
    const read = await app.inject({ method: 'GET', url: `/v1/evidence/${bigId}/content`, headers: operator })
    t.equal(read.statusCode, 503)
    t.equal(read.json().code, 'evidence_store_unavailable')
    t.equal(
      (await app.db.select({ n: sql<number>`count(*)::int` }).from(evidence))[0]!.n,
      rowsBefore,
      'no evidence row',
    )
    t.same(await app.db.execute(sql`select count(*)::int as n from audit_events`), auditBefore, 'no audit event')
    t.same(
      await app.db
        .select()
        .from(evidence)
        .where(eq(evidence.sha256, sha256(small))),
      [],
    )
    await s3.restart()
    t.same(await keys('tmp/'), [], 'no staging object left')
    t.same(
      await keys('evidence/'),
      [`evidence/${sha256(big).slice(0, 2)}/${sha256(big)}`],
      'no object of the failed upload',
    )
    const retried = await upload(tree.a1.id, 'saat-mati.pdf', small)
    t.equal(retried.statusCode, 201, 'the same upload succeeds once the store is back')
  })

  t.test(
    'fs → s3 copy: every file copied and verified; a corrupt source file is reported, not copied; a second run only verifies',
    async (t) => {
      const fsDir = mkdtempSync(join(tmpdir(), 'zi-fs-src-'))
      t.teardown(() => rmSync(fsDir, { recursive: true, force: true }))
      const from = new FsEvidenceStore(fsDir)
      const files = [pdfBytes(1000), pdfBytes(70_000), big]
      for (const content of files) {
        const up = await from.receive(Readable.from([content]))
        await from.commit(up)
      }
      // A file whose bytes do not match its name (bit rot, a bad manual copy).
      const fake = 'f'.repeat(64)
      mkdirSync(join(fsDir, 'evidence', 'ff'), { recursive: true })
      writeFileSync(join(fsDir, 'evidence', 'ff', fake), 'not what the name says')
      const to = await createEvidenceStore(loadConfig({ ...s3.env, DATA_DIR: fsDir, S3_PREFIX: 'copy/' }))
      t.teardown(() => to.close())
      const first = await copyEvidence(from, to)
      t.equal(first.copied, 3)
      t.equal(first.present, 0)
      t.equal(first.verified, 3)
      t.equal(first.failed.length, 1)
      t.equal(first.failed[0]!.sha256, fake)
      t.match(first.failed[0]!.reason, /hashes to/)
      for (const content of files) t.equal(await sha256Of(await to.open(sha256(content))), sha256(content))
      t.notOk(await to.exists(fake), 'the corrupt file is not in the bucket')
      t.same(await keys('copy/tmp/'), [])
      const second = await copyEvidence(from, to)
      t.match(second, { copied: 0, present: 3, verified: 3 })
    },
  )
})
