import t from 'tap'
import { createHash } from 'node:crypto'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import {
  checkLink,
  linkExpiry,
  linkSignature,
  parseLinkKey,
  parseRange,
  signedContentPath,
} from '../../src/modules/evidence/links.js'
import { bearer, createToken } from '../helpers/auth.js'
import { multipartBody, pdfBytes } from '../helpers/multipart.js'
import { BASE, PUBLIC_BASE_URL, fillPkm1, portalrbWorld } from '../portalrb/fixture.js'

const KEY = Buffer.alloc(32, 5).toString('base64')
const DAY = 86_400

t.test('link rules (pure)', async (t) => {
  const now = new Date('2026-12-01T10:30:00Z')
  const expires = linkExpiry(now, 120)
  t.equal(
    new Date(expires * 1000).toISOString(),
    '2027-04-01T00:00:00.000Z',
    'at least 120 days (to 2027-03-31T10:30Z), rounded up to a UTC midnight',
  )
  t.equal(linkExpiry(new Date('2026-12-01T23:59:59Z'), 120), expires, 'the same link all day')
  const key = parseLinkKey(KEY)
  const id = '0b5f3f0e-7a55-4c7e-9d5a-1f1e2d3c4b5a'
  const sig = linkSignature(key, id, expires)
  t.equal(checkLink(key, id, expires, sig, now), 'ok')
  t.equal(checkLink(key, '1b5f3f0e-7a55-4c7e-9d5a-1f1e2d3c4b5a', expires, sig, now), 'invalid', 'another item')
  t.equal(checkLink(key, id, expires + DAY, sig, now), 'invalid', 'a later expiry')
  t.equal(
    checkLink(parseLinkKey(Buffer.alloc(32, 6).toString('base64')), id, expires, sig, now),
    'invalid',
    'another key',
  )
  t.equal(checkLink(key, id, expires, sig.slice(0, -1), now), 'invalid', 'a shortened signature')
  t.equal(checkLink(key, id, expires, sig, new Date(expires * 1000)), 'expired', 'at the expiry')
  t.throws(() => parseLinkKey(Buffer.alloc(16).toString('base64')), /32 bytes/)
  t.same(parseRange(undefined, 100), null)
  t.same(parseRange('bytes=0-9', 100), { start: 0, end: 9 })
  t.same(parseRange('bytes=90-', 100), { start: 90, end: 99 })
  t.same(parseRange('bytes=90-500', 100), { start: 90, end: 99 }, 'an end past the file is clipped')
  t.same(parseRange('bytes=-10', 100), { start: 90, end: 99 })
  t.equal(parseRange('bytes=100-', 100), 'unsatisfiable')
  t.equal(parseRange('bytes=0-1', 0), 'unsatisfiable')
  t.same(parseRange('bytes=0-1,5-6', 100), null, 'several ranges: the whole file')
  t.same(parseRange('items=0-1', 100), null)
})

t.test('signed evidence links', async (t) => {
  const world = await portalrbWorld(t, { EVIDENCE_LINK_KEY: KEY })
  const { app, integration } = world
  const filled = await fillPkm1(t, world)
  const fileId: string = filled.file.id
  const key = parseLinkKey(KEY)

  t.test('PortalRB’s bukti_dukung_unit lists a signed link an evaluator opens without a token', async (t) => {
    const first = await app.inject({
      method: 'GET',
      url: `${BASE}/lke/jawaban-unit/UNIT-PKM-001`,
      headers: integration,
    })
    t.equal(first.statusCode, 200)
    const lines: string[] = first
      .json()
      .answers.find((a: { soal_id: number }) => a.soal_id === 1)
      .bukti_dukung_unit.split('\n')
    t.equal(lines[0], 'https://drive.example.go.id/sk-tim-zi', 'links stay as they are')
    const url = new URL(lines[1]!)
    t.equal(`${url.origin}${url.pathname}`, `${PUBLIC_BASE_URL}${signedContentPath(fileId)}`)
    t.notMatch(lines[1]!, /zit_|Bearer|token/i, 'no token in the link')
    const expires = Number(url.searchParams.get('expires'))
    t.ok(expires * 1000 >= Date.now() + 120 * DAY * 1000, 'valid for the default 120 days at least')
    const opened = await app.inject({ method: 'GET', url: `${url.pathname}${url.search}` })
    t.equal(opened.statusCode, 200, opened.body)
    t.equal(createHash('sha256').update(opened.rawPayload).digest('hex'), filled.file.sha256)
    t.match(opened.headers['content-disposition'], /notulen\.pdf/)
    const again = await app.inject({
      method: 'GET',
      url: `${BASE}/lke/jawaban-unit/UNIT-PKM-001`,
      headers: { ...integration, 'if-none-match': first.headers.etag as string },
    })
    t.equal(again.statusCode, 304, 'the body (and its ETag) stay the same all day')
  })

  t.test('clients get a link from /v1/evidence/{id}/signed-link; ranges work through it', async (t) => {
    const evaluator = bearer(await createToken(world.ctx, 'evaluator', { unitIds: [world.units.dinkes.id] }))
    const res = await app.inject({ method: 'GET', url: `/v1/evidence/${fileId}/signed-link`, headers: evaluator })
    t.equal(res.statusCode, 200, res.body)
    const url = new URL(res.json().url)
    t.equal(new Date(res.json().expires_at).getTime(), Number(url.searchParams.get('expires')) * 1000)
    const part = await app.inject({
      method: 'GET',
      url: `${url.pathname}${url.search}`,
      headers: { range: 'bytes=0-7' },
    })
    t.equal(part.statusCode, 206)
    t.equal(part.rawPayload.toString('latin1'), '%PDF-1.7')
    const viewer = bearer(await createToken(world.ctx, 'viewer'))
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/evidence/${fileId}/signed-link`, headers: viewer })).statusCode,
      403,
      'only who may download the file may hand out links',
    )
    t.equal(
      (
        await app.inject({ method: 'GET', url: `/v1/evidence/${filled.link.id}/signed-link`, headers: evaluator })
      ).json().code,
      'evidence_is_link',
    )
    t.equal((await app.inject({ method: 'GET', url: `/v1/evidence/${fileId}/signed-link` })).statusCode, 401)
  })

  t.test('useless for another item, with a changed expiry or signature, after expiry', async (t) => {
    const operator = bearer(await createToken(world.ctx, 'unit_operator', { unitIds: [world.units.pkm1.id] }))
    const form = multipartBody(
      { unit_id: world.units.pkm1.id },
      { name: 'lain.pdf', type: 'application/pdf', content: pdfBytes(512) },
    )
    const other = (
      await app.inject({
        method: 'POST',
        url: '/v1/evidence/files',
        headers: { ...operator, ...form.headers },
        payload: form.payload,
      })
    ).json()
    const expires = linkExpiry(new Date(), 120)
    const sig = linkSignature(key, fileId, expires)
    const open = (id: string, exp: number | string, signature: string) =>
      app.inject({ method: 'GET', url: `${signedContentPath(id)}?expires=${exp}&signature=${signature}` })
    t.equal((await open(fileId, expires, sig)).statusCode, 200)
    const otherItem = await open(other.id, expires, sig)
    t.equal(otherItem.statusCode, 403)
    t.equal(otherItem.json().code, 'link_invalid')
    t.equal((await open(fileId, expires + DAY, sig)).json().code, 'link_invalid', 'a longer life is not for the taking')
    const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11)
    t.equal((await open(fileId, expires, flipped)).json().code, 'link_invalid')
    const past = Math.floor(Date.now() / 1000) - 60
    const expired = await open(fileId, past, linkSignature(key, fileId, past))
    t.equal(expired.statusCode, 410)
    t.equal(expired.json().code, 'link_expired')
    t.equal((await open(fileId, expires, 'short')).statusCode, 400, 'a malformed signature')
    t.equal((await app.inject({ method: 'GET', url: signedContentPath(fileId) })).statusCode, 400, 'no parameters')
    const withToken = await app.inject({
      method: 'GET',
      url: `${signedContentPath(fileId)}?expires=${expires}&signature=${sig}&access_token=x`,
    })
    t.equal(withToken.statusCode, 400, 'unknown parameters refused')
  })

  t.test('without EVIDENCE_LINK_KEY: no signed links, PortalRB falls back to the token route', async (t) => {
    const plain = await buildApp({
      config: loadConfig({
        LOG_LEVEL: 'silent',
        DATA_DIR: world.dataDir,
        PUBLIC_BASE_URL,
        WEBHOOK_WORKER: 'false',
        METRICS_ENABLED: 'false',
      }),
      database: world.ctx.db.database,
      logger: false,
    })
    t.teardown(() => plain.close())
    const evaluator = bearer(
      await createToken({ app: plain } as never, 'evaluator', { unitIds: [world.units.dinkes.id] }),
    )
    const res = await plain.inject({ method: 'GET', url: `/v1/evidence/${fileId}/signed-link`, headers: evaluator })
    t.equal(res.statusCode, 503)
    t.equal(res.json().code, 'signed_links_not_configured')
    const expires = linkExpiry(new Date(), 120)
    t.equal(
      (
        await plain.inject({
          method: 'GET',
          url: `${signedContentPath(fileId)}?expires=${expires}&signature=${linkSignature(key, fileId, expires)}`,
        })
      ).statusCode,
      503,
    )
    const answers = (
      await plain.inject({ method: 'GET', url: `${BASE}/lke/jawaban-unit/UNIT-PKM-001`, headers: integration })
    ).json().answers
    t.equal(
      answers.find((a: { soal_id: number }) => a.soal_id === 1).bukti_dukung_unit.split('\n')[1],
      `${PUBLIC_BASE_URL}${BASE}/bukti-dukung/${fileId}`,
    )
  })
})
