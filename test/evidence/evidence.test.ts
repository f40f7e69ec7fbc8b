import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq, sql } from 'drizzle-orm'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { evidence } from '../../src/modules/evidence/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { multipartBody, pdfBytes } from '../helpers/multipart.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

t.test('evidence', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-evidence-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const ctx = await buildTestApp(t, { DATA_DIR: dataDir, EVIDENCE_MAX_BYTES: String(64 * 1024) })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const admin = bearer(await createToken(ctx, 'admin'))
  const operatorA = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.opdA.id] }))
  const evaluatorA = bearer(await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id] }))
  const evaluatorB = bearer(await createToken(ctx, 'evaluator', { unitIds: [tree.opdB.id] }))
  const viewer = bearer(await createToken(ctx, 'viewer'))
  const p2025 = await insertPeriod(ctx, { year: 2025, code: 'ZI-2025' })
  const p2026 = await insertPeriod(ctx, { year: 2026, code: 'ZI-2026' })

  const upload = (
    fields: Record<string, string>,
    file: Parameters<typeof multipartBody>[1],
    headers: Record<string, string> = operatorA,
  ) => {
    const body = multipartBody(fields, file)
    return app.inject({
      method: 'POST',
      url: '/v1/evidence/files',
      headers: { ...headers, ...body.headers },
      payload: body.payload,
    })
  }

  let fileId = ''
  const content = pdfBytes(40 * 1024)
  t.test('upload and download round trip: hash, size, headers, content-addressed path', async (t) => {
    const res = await upload(
      { unit_id: tree.a1.id, period_id: p2025.id, title: 'SK Tim Pembangunan ZI', effective_date: '2025-02-01' },
      { name: 'SK Tim ZI.pdf', type: 'application/pdf', content },
    )
    t.equal(res.statusCode, 201, res.body)
    const body = res.json()
    fileId = body.id
    t.match(body, {
      kind: 'file',
      unit_id: tree.a1.id,
      period_id: p2025.id,
      title: 'SK Tim Pembangunan ZI',
      file_name: 'SK Tim ZI.pdf',
      media_type: 'application/pdf',
      size_bytes: content.length,
      sha256: sha256(content),
      effective_date: '2025-02-01',
      content_url: `/v1/evidence/${body.id}/content`,
      url: null,
      carried_from_id: null,
      uploaded_by: { name: String },
    })
    t.equal(res.headers.location, `/v1/evidence/${body.id}`)
    const stored = join(dataDir, 'evidence', body.sha256.slice(0, 2), body.sha256)
    t.ok(existsSync(stored), 'stored under DATA_DIR/evidence/<sha[0:2]>/<sha>')
    t.same(readFileSync(stored), content)
    t.same(readdirSync(join(dataDir, 'evidence', 'tmp')), [], 'no temp file left behind')

    const dl = await app.inject({ method: 'GET', url: body.content_url, headers: evaluatorA })
    t.equal(dl.statusCode, 200)
    t.equal(dl.headers['content-type'], 'application/pdf')
    t.equal(dl.headers['content-length'], String(content.length))
    t.equal(dl.headers.etag, `"${sha256(content)}"`)
    t.equal(
      dl.headers['content-disposition'],
      `attachment; filename="SK Tim ZI.pdf"; filename*=UTF-8''SK%20Tim%20ZI.pdf`,
    )
    t.equal(dl.headers['x-content-type-options'], 'nosniff')
    t.equal(sha256(dl.rawPayload), sha256(content), 'the bytes come back unchanged')
    const cached = await app.inject({
      method: 'GET',
      url: body.content_url,
      headers: { ...evaluatorA, 'if-none-match': dl.headers.etag as string },
    })
    t.equal(cached.statusCode, 304)
    t.same(
      (await app.db.select().from(auditEvents).where(eq(auditEvents.entityId, body.id))).map((a) => a.action),
      ['evidence.created'],
    )
  })

  t.test(
    'the same content twice is stored once; title defaults to the file name; octet-stream by extension',
    async (t) => {
      const res = await upload(
        { unit_id: tree.a2.id },
        { name: 'salinan.pdf', type: 'application/octet-stream', content },
      )
      t.equal(res.statusCode, 201, res.body)
      t.match(res.json(), {
        title: 'salinan.pdf',
        media_type: 'application/pdf',
        sha256: sha256(content),
        period_id: null,
      })
      t.same(readdirSync(join(dataDir, 'evidence', sha256(content).slice(0, 2))), [sha256(content)])
    },
  )

  t.test(
    'refusals: too big (413), type not allowed (415), content mismatch (415), missing/unknown fields (400), scope (422)',
    async (t) => {
      const before = (await app.db.select().from(evidence)).length
      const big = await upload(
        { unit_id: tree.a1.id },
        { name: 'big.pdf', type: 'application/pdf', content: pdfBytes(64 * 1024 + 1) },
      )
      t.equal(big.statusCode, 413)
      t.equal(big.json().code, 'file_too_large')
      t.equal(big.json().errors[0].pointer, '/body/file')
      const exe = await upload(
        { unit_id: tree.a1.id },
        { name: 'tool.exe', type: 'application/x-msdownload', content: randomBytes(100) },
      )
      t.equal(exe.statusCode, 415)
      t.equal(exe.json().code, 'media_type_not_allowed')
      t.equal(exe.json().errors[0].pointer, '/body/file')
      const html = await upload(
        { unit_id: tree.a1.id },
        { name: 'x.html', type: 'text/html', content: Buffer.from('<script>') },
      )
      t.equal(html.json().code, 'media_type_not_allowed')
      const fake = await upload(
        { unit_id: tree.a1.id },
        { name: 'fake.pdf', type: 'application/pdf', content: Buffer.concat([Buffer.from('MZ'), randomBytes(200)]) },
      )
      t.equal(fake.statusCode, 415)
      t.equal(fake.json().code, 'media_type_mismatch')
      const noFile = await upload({ unit_id: tree.a1.id }, undefined)
      t.equal(noFile.statusCode, 400)
      t.equal(noFile.json().errors[0].pointer, '/body/file')
      const noUnit = await upload({ title: 'x' }, { name: 'a.pdf', type: 'application/pdf', content: pdfBytes(100) })
      t.equal(noUnit.statusCode, 400)
      t.equal(noUnit.json().errors[0].pointer, '/body/unit_id')
      const unknown = await upload(
        { unit_id: tree.a1.id, colour: 'red' },
        { name: 'a.pdf', type: 'application/pdf', content: pdfBytes(100) },
      )
      t.equal(unknown.statusCode, 400)
      t.same(unknown.json().errors, [
        { pointer: '/body/colour', rule: 'additionalProperties', message: 'is not a known field' },
      ])
      const badDate = await upload(
        { unit_id: tree.a1.id, effective_date: '31-12-2025' },
        { name: 'a.pdf', type: 'application/pdf', content: pdfBytes(100) },
      )
      t.equal(badDate.json().errors[0].pointer, '/body/effective_date')
      const wrongField = await upload(
        { unit_id: tree.a1.id },
        { field: 'dokumen', name: 'a.pdf', type: 'application/pdf', content: pdfBytes(100) },
      )
      t.equal(wrongField.statusCode, 400)
      const outside = await upload(
        { unit_id: tree.b1.id },
        { name: 'a.pdf', type: 'application/pdf', content: pdfBytes(100) },
      )
      t.equal(outside.statusCode, 422)
      t.equal(outside.json().code, 'unit_not_found')
      const json = await app.inject({
        method: 'POST',
        url: '/v1/evidence/files',
        headers: operatorA,
        payload: { unit_id: tree.a1.id },
      })
      t.equal(json.statusCode, 415, 'JSON is not an upload')
      t.equal(
        (
          await app.inject({
            method: 'POST',
            url: '/v1/evidence/files',
            headers: { ...evaluatorA, ...multipartBody({}).headers },
            payload: multipartBody({}).payload,
          })
        ).statusCode,
        403,
      )
      t.equal((await app.db.select().from(evidence)).length, before, 'nothing written')
      t.same(readdirSync(join(dataDir, 'evidence', 'tmp')), [], 'no temp file left behind')
    },
  )

  let linkId = ''
  t.test('links: http(s) only, scope, period', async (t) => {
    const post = (payload: Record<string, unknown>, headers = operatorA) =>
      app.inject({ method: 'POST', url: '/v1/evidence/links', headers, payload })
    const res = await post({
      unit_id: tree.a1.id,
      period_id: p2025.id,
      title: 'Foto pelayanan',
      url: 'https://drive.example.go.id/foto',
    })
    t.equal(res.statusCode, 201, res.body)
    linkId = res.json().id
    t.match(res.json(), { kind: 'link', url: 'https://drive.example.go.id/foto', content_url: null, sha256: null })
    for (const url of ['javascript:alert(1)', 'ftp://x.example/a', 'file:///etc/passwd', 'http://']) {
      const bad = await post({ unit_id: tree.a1.id, title: 'x', url })
      t.equal(bad.statusCode, 400, url)
      t.equal(bad.json().errors[0].pointer, '/body/url', url)
    }
    t.equal((await post({ unit_id: tree.b1.id, title: 'x', url: 'https://x.example' })).json().code, 'unit_not_found')
    t.equal(
      (
        await post({
          unit_id: tree.a1.id,
          period_id: '00000000-0000-4000-8000-000000000000',
          title: 'x',
          url: 'https://x.example',
        })
      ).json().code,
      'period_not_found',
    )
    t.equal((await post({ unit_id: tree.a1.id, title: 'x', url: 'https://x.example', extra: 1 })).statusCode, 400)
    t.equal((await post({ unit_id: tree.a1.id, title: 'x', url: 'https://x.example' }, viewer)).statusCode, 403)
    const content = await app.inject({ method: 'GET', url: `/v1/evidence/${linkId}/content`, headers: operatorA })
    t.equal(content.statusCode, 409)
    t.equal(content.json().code, 'evidence_is_link')
  })

  t.test('reads: scope decides; content for evaluators/operators in scope and admins only', async (t) => {
    t.equal((await app.inject({ method: 'GET', url: `/v1/evidence/${fileId}`, headers: evaluatorB })).statusCode, 404)
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/evidence/${fileId}/content`, headers: evaluatorB })).statusCode,
      404,
    )
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/evidence/${fileId}/content`, headers: admin })).statusCode,
      200,
    )
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/evidence/${fileId}/content`, headers: operatorA })).statusCode,
      200,
    )
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/evidence/${fileId}`, headers: viewer })).statusCode,
      200,
      'viewers read metadata',
    )
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/evidence/${fileId}/content`, headers: viewer })).statusCode,
      403,
      'but not content',
    )
    const listB = await app.inject({ method: 'GET', url: '/v1/evidence', headers: evaluatorB })
    t.same(listB.json().items, [])
    const listA = await app.inject({ method: 'GET', url: `/v1/evidence?unit_id=${tree.a1.id}`, headers: evaluatorA })
    t.same(
      listA
        .json()
        .items.map((e: { id: string }) => e.id)
        .sort(),
      [fileId, linkId].sort(),
    )
    t.same(
      (await app.inject({ method: 'GET', url: `/v1/evidence?kind=link`, headers: admin }))
        .json()
        .items.map((e: { id: string }) => e.id),
      [linkId],
    )
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/evidence?sha256=${sha256(content)}`, headers: admin })).json().items
        .length,
      2,
    )
    const ids: string[] = []
    let url = '/v1/evidence?limit=1'
    for (let i = 0; i < 10 && url; i++) {
      const res = await app.inject({ method: 'GET', url, headers: admin })
      ids.push(...res.json().items.map((e: { id: string }) => e.id))
      url = /<([^>]+)>/.exec((res.headers.link as string | undefined) ?? '')?.[1] ?? ''
    }
    t.equal(ids.length, 3)
    t.equal(new Set(ids).size, 3)
  })

  t.test('carry into a later period: same file, carried_from_id; rules', async (t) => {
    const carry = (id: string, payload: Record<string, unknown>, headers = operatorA) =>
      app.inject({ method: 'POST', url: `/v1/evidence/${id}/carry`, headers, payload })
    const res = await carry(fileId, { period_id: p2026.id })
    t.equal(res.statusCode, 201, res.body)
    t.match(res.json(), {
      period_id: p2026.id,
      carried_from_id: fileId,
      sha256: sha256(content),
      kind: 'file',
      title: 'SK Tim Pembangunan ZI',
      effective_date: '2025-02-01',
    })
    t.not(res.json().id, fileId)
    const dl = await app.inject({ method: 'GET', url: res.json().content_url, headers: operatorA })
    t.equal(sha256(dl.rawPayload), sha256(content), 'the carried item serves the same file')
    t.equal((await carry(fileId, { period_id: p2026.id })).json().code, 'evidence_already_carried')
    t.equal((await carry(fileId, { period_id: p2025.id })).json().code, 'carry_same_period')
    const p2024 = await insertPeriod(ctx, { year: 2024, code: 'ZI-2024' })
    t.equal((await carry(fileId, { period_id: p2024.id })).json().code, 'carry_not_later')
    t.equal((await carry(fileId, { period_id: p2026.id }, evaluatorA)).statusCode, 403)
    t.equal(
      (
        await carry(
          fileId,
          { period_id: p2026.id },
          bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.opdB.id] })),
        )
      ).statusCode,
      404,
    )
    const link = await carry(linkId, { period_id: p2026.id, title: 'Foto pelayanan 2026', effective_date: null })
    t.match(link.json(), {
      kind: 'link',
      url: 'https://drive.example.go.id/foto',
      title: 'Foto pelayanan 2026',
      effective_date: null,
      carried_from_id: linkId,
    })
  })

  t.test('delete: 204; refused while referenced (ON DELETE RESTRICT → 409 evidence_referenced)', async (t) => {
    await app.db.execute(
      sql`create table test_answer_refs (evidence_id uuid not null references evidence(id) on delete restrict)`,
    )
    await app.db.execute(sql`insert into test_answer_refs values (${fileId})`)
    const refused = await app.inject({ method: 'DELETE', url: `/v1/evidence/${fileId}`, headers: operatorA })
    t.equal(refused.statusCode, 409)
    t.equal(refused.json().code, 'evidence_referenced')
    t.equal(
      (await app.inject({ method: 'DELETE', url: `/v1/evidence/${linkId}`, headers: evaluatorA })).statusCode,
      403,
    )
    t.equal(
      (
        await app.inject({
          method: 'DELETE',
          url: `/v1/evidence/${linkId}`,
          headers: bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.opdB.id] })),
        })
      ).statusCode,
      404,
    )
    const ok = await app.inject({ method: 'DELETE', url: `/v1/evidence/${linkId}`, headers: operatorA })
    t.equal(ok.statusCode, 204)
    t.equal((await app.inject({ method: 'GET', url: `/v1/evidence/${linkId}`, headers: operatorA })).statusCode, 404)
    const [carried] = await app.db.select().from(evidence).where(eq(evidence.carriedFromId, fileId))
    t.ok(carried, 'carried copies keep pointing at the original')
  })
})
