import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

/**
 * The same refusals in Indonesian and English, chosen by Accept-Language (DEFAULT_LANGUAGE when
 * the request names no language this service speaks); the machine fields never change.
 */
t.test('problems speak the language the request asks for', async (t) => {
  // The service's own default: Indonesian.
  const ctx = await buildTestApp(t, { DEFAULT_LANGUAGE: 'id' })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const admin = await createToken(ctx, 'admin')
  const period = await insertPeriod(ctx, { year: 2026, code: 'ZI-2026' })

  const declare = (payload: Record<string, unknown>, language?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/declarations',
      headers: { ...bearer(admin), ...(language === undefined ? {} : { 'accept-language': language }) },
      payload,
    })
  const invalid = { unit_id: tree.a1.id, period_id: period.id, target: 'WBK', declared_on: '2026-01-20', colour: 'x' }
  const wbbm = { unit_id: tree.a1.id, period_id: period.id, target: 'WBBM', declared_on: '2026-01-20' }

  t.test('a validation error: the pointer and rule stay, the words change', async (t) => {
    const en = await declare(invalid, 'en-US,en;q=0.9')
    const id = await declare(invalid, 'id-ID')
    for (const res of [en, id]) {
      t.equal(res.statusCode, 400)
      t.equal(res.json().code, 'validation_failed')
      t.equal(res.json().type, 'urn:zi-tracker:problem:validation_failed')
      t.same(
        res.json().errors.map((e: { pointer: string; rule: string }) => [e.pointer, e.rule]),
        [['/body/colour', 'additionalProperties']],
      )
      t.match(res.headers.vary, /Accept-Language/)
    }
    t.equal(en.headers['content-language'], 'en')
    t.equal(en.json().title, 'Bad Request')
    t.equal(en.json().errors[0].message, 'is not a known field')
    t.equal(en.json().detail, 'The request is not valid: /body/colour is not a known field.')
    t.equal(id.headers['content-language'], 'id')
    t.equal(id.json().title, 'Permintaan Tidak Valid')
    t.equal(id.json().errors[0].message, 'bukan isian yang dikenal')
    t.equal(id.json().detail, 'Permintaan tidak valid: /body/colour bukan isian yang dikenal.')
  })

  t.test('a keyword with params (ajv texts are not passed through)', async (t) => {
    const payload = { ...wbbm, target: 'WBX' }
    const en = (await declare(payload, 'en')).json()
    const id = (await declare(payload, 'id')).json()
    t.match(en.errors, [{ pointer: '/body/target', message: /^must be/ }])
    t.match(id.errors, [{ pointer: '/body/target', message: /^harus/ }])
    t.notMatch(id.detail, /must|allowed|equal/, 'no English in the Indonesian detail')
  })

  t.test('a domain rule refused (422): the same code and pointer, both languages', async (t) => {
    const en = await declare(wbbm, 'en')
    const id = await declare(wbbm, 'id')
    for (const res of [en, id]) {
      t.equal(res.statusCode, 422)
      t.equal(res.json().code, 'wbbm_requires_wbk')
      t.equal(res.json().errors[0].pointer, '/body/target')
      t.equal(res.json().errors[0].rule, 'wbbm_requires_wbk')
    }
    t.equal(
      en.json().detail,
      'The declaration breaks a rule: WBBM can be declared only by a unit designated WBK in an earlier period.',
    )
    t.equal(en.json().title, 'Unprocessable Content')
    t.equal(
      id.json().detail,
      'Pencanangan melanggar aturan: WBBM hanya dapat dicanangkan oleh unit yang telah ditetapkan WBK pada periode sebelumnya.',
    )
    t.equal(id.json().title, 'Konten Tidak Dapat Diproses')
    t.equal(
      id.json().errors[0].message,
      'WBBM hanya dapat dicanangkan oleh unit yang telah ditetapkan WBK pada periode sebelumnya',
    )
  })

  t.test('no Accept-Language, or one we do not speak: DEFAULT_LANGUAGE (id)', async (t) => {
    for (const language of [undefined, 'fr-FR', 'de;q=0.9, ja;q=0.8']) {
      const res = await declare(wbbm, language)
      t.equal(res.headers['content-language'], 'id', `${language}`)
      t.match(res.json().detail, /^Pencanangan melanggar aturan/)
    }
  })

  t.test('an unknown route and a missing token speak too', async (t) => {
    const missing = await app.inject({ method: 'GET', url: '/v1/nowhere', headers: { 'accept-language': 'id' } })
    t.equal(missing.statusCode, 404)
    t.equal(missing.json().code, 'route_not_found')
    t.equal(missing.json().detail, 'Tidak ada rute GET /v1/nowhere.')
    const english = await app.inject({ method: 'GET', url: '/v1/nowhere', headers: { 'accept-language': 'en' } })
    t.equal(english.json().detail, 'No route GET /v1/nowhere.')
  })

  t.test('a 200 reply that carries rendered text says its language', async (t) => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/declarations/${(await declare({ ...wbbm, target: 'WBK' }, 'en')).json().id}/proposal-check`,
      headers: { ...bearer(admin), 'accept-language': 'id' },
    })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.headers['content-language'], 'id')
    const check = res.json().checks.find((c: { check: string }) => c.check === 'declaration_status')
    t.match(check.message, /^pencanangan berstatus declared; hanya yang berstatus building/)
  })
})

t.test('DEFAULT_LANGUAGE=en: English when the request names no language', async (t) => {
  const ctx = await buildTestApp(t, { DEFAULT_LANGUAGE: 'en' })
  const res = await ctx.app.inject({ method: 'GET', url: '/v1/nowhere' })
  t.equal(res.headers['content-language'], 'en')
  t.equal(res.json().detail, 'No route GET /v1/nowhere.')
  const id = await ctx.app.inject({ method: 'GET', url: '/v1/nowhere', headers: { 'accept-language': 'in' } })
  t.equal(id.headers['content-language'], 'id', 'the old code for Indonesian')
})
