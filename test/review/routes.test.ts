import t from 'tap'
import { bearer, createToken } from '../helpers/auth.js'
import { setup } from '../helpers/workbook.js'

/** GET/PUT …/stages/{stage}/review over HTTP: roles, visibility, ETags, refusals in both languages. */
t.test('the review routes', async (t) => {
  const s = await setup(t)
  const { app, tree, admin } = s
  const evaluator = bearer(await createToken(s.ctx, 'evaluator', { unitIds: [tree.opdA.id] }))
  const otherEvaluator = bearer(await createToken(s.ctx, 'evaluator', { unitIds: [tree.b1.id] }))
  const operator = bearer(await createToken(s.ctx, 'unit_operator', { unitIds: [tree.a1.id] }))
  const viewer = bearer(await createToken(s.ctx, 'viewer'))
  const a1 = await s.open(tree.a1.id)
  await s.batch(a1, 'self', [{ question_code: 'Q1', value: 'Ya' }], operator)
  await s.transition(a1, 'self', 'submitted', operator)
  await s.startStage(a1, 'tpi', 'self', evaluator)
  const url = `${a1}/stages/tpi/review`
  const put = (
    headers: Record<string, string>,
    payload: Record<string, unknown>,
    extra: Record<string, string> = {},
    query = '',
  ) => app.inject({ method: 'PUT', url: `${url}${query}`, headers: { ...headers, ...extra }, payload })

  t.test('an empty review: six areas, version 0', async (t) => {
    const res = await app.inject({ method: 'GET', url, headers: evaluator })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.headers.etag, '"0"')
    const body = res.json()
    t.equal(body.version, 0)
    t.same(
      body.areas.map((a: { area: string; version: number }) => [a.area, a.version]),
      [
        ['manajemen_perubahan', 0],
        ['penataan_tatalaksana', 0],
        ['penataan_sdm', 0],
        ['penguatan_akuntabilitas', 0],
        ['penguatan_pengawasan', 0],
        ['pelayanan_publik', 0],
      ],
    )
    t.equal(body.areas[2].name, 'Penataan Sistem Manajemen SDM Aparatur')
    t.same(body.questions, [])
  })

  t.test('PUT writes, ETag and If-Match; the same again changes nothing', async (t) => {
    const payload = {
      areas: [
        { area: 'penguatan_pengawasan', conclusion: 'SPIP belum diterapkan.', recommendations: ['Bentuk satgas SPIP'] },
      ],
    }
    const first = await put(evaluator, payload, { 'if-match': '"0"' })
    t.equal(first.statusCode, 200, first.body)
    t.equal(first.headers.etag, '"1"')
    t.match(first.json(), { version: 1, changed: ['penguatan_pengawasan'], dry_run: false })
    const same = await put(evaluator, payload, { 'if-match': '"1"' })
    t.equal(same.statusCode, 200)
    t.match(same.json(), { version: 1, changed: [], diff: [] })
    const stale = await put(evaluator, { areas: [{ area: 'penataan_sdm', conclusion: 'x' }] }, { 'if-match': '"0"' })
    t.equal(stale.statusCode, 412)
    t.match(stale.json(), { code: 'precondition_failed', current_version: 1 })
    const cached = await app.inject({ method: 'GET', url, headers: { ...evaluator, 'if-none-match': '"1"' } })
    t.equal(cached.statusCode, 304)
    const dry = await put(admin, { areas: [{ area: 'penataan_sdm', conclusion: 'x' }] }, {}, '?dry_run=true')
    t.match(dry.json(), { dry_run: true, version: 1, changed: ['penataan_sdm'] })
  })

  t.test('the questions: notes and recommendations written through the answers', async (t) => {
    const res = await app.inject({
      method: 'PUT',
      url: `${a1}/stages/tpi/answers/Q2`,
      headers: evaluator,
      payload: { value: 'B', note: 'Mekanisme ada', recommendation: 'Dokumentasikan mekanismenya' },
    })
    t.equal(res.statusCode, 201, res.body)
    t.equal(res.json().recommendation, 'Dokumentasikan mekanismenya')
    const answers = await app.inject({ method: 'GET', url: `${a1}/stages/tpi/answers`, headers: evaluator })
    const q1 = answers.json().answers.find((a: { question_code: string }) => a.question_code === 'Q1')
    t.notOk('recommendation' in q1, 'an answer without one has no recommendation field')
    const review = await app.inject({ method: 'GET', url, headers: viewer })
    t.same(review.json().questions, [
      {
        question_code: 'Q2',
        area: 'manajemen_perubahan',
        note: 'Mekanisme ada',
        recommendation: 'Dokumentasikan mekanismenya',
      },
    ])
  })

  t.test('who: a unit operator neither writes nor sees the draft; scope; other stages', async (t) => {
    const byOperator = await put(operator, { areas: [{ area: 'penataan_sdm', conclusion: 'x' }] })
    t.equal(byOperator.statusCode, 403)
    const hidden = await app.inject({ method: 'GET', url, headers: operator })
    t.equal(hidden.statusCode, 404, 'a tpi draft is not the unit’s to read yet')
    const outside = await app.inject({ method: 'GET', url, headers: otherEvaluator })
    t.equal(outside.statusCode, 404)
    const self = await app.inject({ method: 'GET', url: `${a1}/stages/self/review`, headers: evaluator })
    t.equal(self.statusCode, 422)
    t.match(self.json(), { code: 'review_not_for_stage', errors: [{ pointer: '/params/stage' }] })
    const selfId = await app.inject({
      method: 'GET',
      url: `${a1}/stages/self/review`,
      headers: { ...evaluator, 'accept-language': 'id' },
    })
    t.match(selfId.json().detail, /Hanya tahap tpi/, 'in Indonesian when asked')
    const unknown = await put(evaluator, { areas: [{ area: 'penataan_sdm', kesimpulan: 'x' }] })
    t.equal(unknown.statusCode, 400, 'unknown fields are refused')
    const repeated = await put(evaluator, {
      areas: [
        { area: 'penataan_sdm', conclusion: 'x' },
        { area: 'penataan_sdm', conclusion: 'y' },
      ],
    })
    t.equal(repeated.statusCode, 422)
    t.match(repeated.json(), {
      code: 'review_invalid',
      errors: [{ pointer: '/body/areas/1/area', rule: 'duplicate_area', message: 'the area is also an earlier item' }],
    })
  })

  t.test('once submitted: locked for writes, visible to the unit', async (t) => {
    await s.transition(a1, 'tpi', 'submitted', evaluator)
    const locked = await put(evaluator, { areas: [{ area: 'penataan_sdm', conclusion: 'x' }] })
    t.equal(locked.statusCode, 409)
    t.match(locked.json(), { code: 'stage_locked' })
    const seen = await app.inject({ method: 'GET', url, headers: operator })
    t.equal(seen.statusCode, 200)
    t.equal(seen.json().areas[4].conclusion, 'SPIP belum diterapkan.')
  })
})
