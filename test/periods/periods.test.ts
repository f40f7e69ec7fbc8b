import t from 'tap'
import { eq } from 'drizzle-orm'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { assertWindowOpen } from '../../src/modules/periods/service.js'
import { periods } from '../../src/modules/periods/tables.js'
import { ProblemError } from '../../src/lib/problem.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { hoursFromNow, insertInstrument, insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

t.test('periods', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const admin = bearer(await createToken(ctx, 'admin'))
  const published = await insertInstrument(ctx, 'published')
  const draft = await insertInstrument(ctx, 'draft')
  const retired = await insertInstrument(ctx, 'retired')

  const windows = {
    self_assessment: { opens_at: '2026-03-01T00:00:00+07:00', closes_at: '2026-04-30T23:59:59+07:00' },
    tpi_verification: { opens_at: '2026-05-01T00:00:00Z', closes_at: '2026-06-30T00:00:00Z' },
    revision: { opens_at: '2026-07-01T00:00:00Z', closes_at: '2026-07-15T00:00:00Z' },
    proposal: { opens_at: '2026-07-16T00:00:00Z', closes_at: '2026-08-01T00:00:00Z' },
  }
  const post = (payload: Record<string, unknown>, headers = admin) =>
    app.inject({ method: 'POST', url: '/v1/periods', headers, payload })

  let periodId = ''
  t.test('create: 201 with location, etag, normalised windows and their state; audited', async (t) => {
    const res = await post({
      code: 'ZI-2026',
      name: 'Evaluasi ZI 2026',
      year: 2026,
      instrument_version_id: published,
      windows,
    })
    t.equal(res.statusCode, 201, res.body)
    const body = res.json()
    periodId = body.id
    t.equal(res.headers.location, `/v1/periods/${body.id}`)
    t.equal(res.headers.etag, '"1"')
    t.match(body, { code: 'ZI-2026', year: 2026, instrument_version_id: published, version: 1 })
    t.match(body.windows.self_assessment, {
      opens_at: '2026-02-28T17:00:00.000Z',
      closes_at: '2026-04-30T16:59:59.000Z',
      reopened_until: null,
    })
    t.ok(['upcoming', 'open', 'closed'].includes(body.windows.self_assessment.state))
    const audit = await app.db.select().from(auditEvents).where(eq(auditEvents.entityId, body.id))
    t.same(
      audit.map((a) => a.action),
      ['period.created'],
    )
  })

  t.test('create: rules answer their codes naming the field', async (t) => {
    const before = (await app.db.select().from(periods)).length
    const cases: [string, Record<string, unknown>, number, string, string][] = [
      [
        'duplicate code',
        { code: 'ZI-2026', name: 'x', year: 2026, instrument_version_id: published },
        409,
        'period_code_taken',
        '/body/code',
      ],
      [
        'draft instrument',
        { code: 'ZI-D', name: 'x', year: 2026, instrument_version_id: draft },
        422,
        'instrument_not_published',
        '/body/instrument_version_id',
      ],
      [
        'retired instrument',
        { code: 'ZI-R', name: 'x', year: 2026, instrument_version_id: retired },
        422,
        'instrument_not_published',
        '/body/instrument_version_id',
      ],
      [
        'unknown instrument',
        { code: 'ZI-U', name: 'x', year: 2026, instrument_version_id: '00000000-0000-4000-8000-000000000000' },
        422,
        'instrument_not_found',
        '/body/instrument_version_id',
      ],
      [
        'window closing before it opens',
        {
          code: 'ZI-W',
          name: 'x',
          year: 2026,
          instrument_version_id: published,
          windows: { revision: { opens_at: '2026-07-15T00:00:00Z', closes_at: '2026-07-01T00:00:00Z' } },
        },
        422,
        'invalid_window',
        '/body/windows/revision/closes_at',
      ],
    ]
    for (const [label, payload, status, code, pointer] of cases) {
      const res = await post(payload)
      t.equal(res.statusCode, status, label)
      t.match(res.headers['content-type'], /^application\/problem\+json/)
      t.equal(res.json().code, code, label)
      t.equal(res.json().errors?.[0]?.pointer, pointer, `${label}: names the field`)
    }
    const unknown = await post({
      code: 'ZI-X',
      name: 'x',
      year: 2026,
      instrument_version_id: published,
      windows: { sanggah: windows.revision },
    })
    t.equal(unknown.statusCode, 400)
    t.equal(unknown.json().errors[0].pointer, '/body/windows/sanggah')
    const badTime = await post({
      code: 'ZI-X',
      name: 'x',
      year: 2026,
      instrument_version_id: published,
      windows: { revision: { opens_at: 'tomorrow', closes_at: '2026-07-01T00:00:00Z' } },
    })
    t.equal(badTime.statusCode, 400)
    t.equal(badTime.json().errors[0].pointer, '/body/windows/revision/opens_at')
    t.equal((await app.db.select().from(periods)).length, before, 'nothing written')
  })

  t.test('roles: every role reads, only admin writes', async (t) => {
    for (const role of ['evaluator', 'unit_operator', 'viewer', 'integration'] as const) {
      const token = bearer(await createToken(ctx, role))
      t.equal(
        (await app.inject({ method: 'GET', url: `/v1/periods/${periodId}`, headers: token })).statusCode,
        200,
        `${role} reads`,
      )
      t.equal(
        (await app.inject({ method: 'GET', url: '/v1/periods', headers: token })).statusCode,
        200,
        `${role} lists`,
      )
      const write = await post({ code: `ZI-${role}`, name: 'x', year: 2026, instrument_version_id: published }, token)
      t.equal(write.statusCode, 403, `${role} may not create`)
      t.equal(write.json().code, 'forbidden_role')
      const reopen = await app.inject({
        method: 'POST',
        url: `/v1/periods/${periodId}/windows/revision/reopen`,
        headers: token,
        payload: { until: hoursFromNow(2), reason: 'x' },
      })
      t.equal(reopen.statusCode, 403, `${role} may not reopen`)
    }
    t.equal((await app.inject({ method: 'GET', url: '/v1/periods' })).statusCode, 401)
    t.equal(
      (
        await app.inject({ method: 'GET', url: '/v1/periods/00000000-0000-4000-8000-000000000000', headers: admin })
      ).json().code,
      'period_not_found',
    )
  })

  t.test('patch: windows replaced or unscheduled, If-Match, instrument rule', async (t) => {
    const stale = await app.inject({
      method: 'PATCH',
      url: `/v1/periods/${periodId}`,
      headers: { ...admin, 'if-match': '"7"' },
      payload: { name: 'x' },
    })
    t.equal(stale.statusCode, 412)
    const res = await app.inject({
      method: 'PATCH',
      url: `/v1/periods/${periodId}`,
      headers: { ...admin, 'if-match': '"1"' },
      payload: {
        name: 'Evaluasi ZI Tahun 2026',
        windows: { proposal: null, revision: { opens_at: '2026-07-02T00:00:00Z', closes_at: '2026-07-20T00:00:00Z' } },
      },
    })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.headers.etag, '"2"')
    t.equal(res.json().windows.proposal, null)
    t.match(res.json().windows.revision, {
      opens_at: '2026-07-02T00:00:00.000Z',
      closes_at: '2026-07-20T00:00:00.000Z',
    })
    t.match(res.json().windows.self_assessment, { opens_at: '2026-02-28T17:00:00.000Z' }, 'windows not sent stay')
    const bad = await app.inject({
      method: 'PATCH',
      url: `/v1/periods/${periodId}`,
      headers: admin,
      payload: { instrument_version_id: draft },
    })
    t.equal(bad.json().code, 'instrument_not_published')
    const badWindow = await app.inject({
      method: 'PATCH',
      url: `/v1/periods/${periodId}`,
      headers: admin,
      payload: {
        windows: { tpi_verification: { opens_at: '2026-07-02T00:00:00Z', closes_at: '2026-07-01T00:00:00Z' } },
      },
    })
    t.equal(badWindow.statusCode, 422)
    t.equal(badWindow.json().errors[0].pointer, '/body/windows/tpi_verification/closes_at')
  })

  t.test('assertWindowOpen: open, upcoming, closed, not scheduled (injectable clock and database clock)', async (t) => {
    const s = await assertWindowOpen(app.db, periodId, 'self_assessment', new Date('2026-03-15T00:00:00Z'))
    t.match(s, { state: 'open', open: true })
    const expectClosed = async (label: string, work: Promise<unknown>, state: string, detail: RegExp) => {
      try {
        await work
        t.fail(`${label}: should throw`)
      } catch (error) {
        t.ok(error instanceof ProblemError, label)
        const p = error as ProblemError
        t.equal(p.status, 422)
        t.equal(p.code, 'window_closed')
        t.equal(p.extra.state, state, label)
        t.match(p.message, detail, `${label}: the dates are in the message`)
        t.ok('opens_at' in p.extra && 'closes_at' in p.extra && 'window' in p.extra)
      }
    }
    await expectClosed(
      'before',
      assertWindowOpen(app.db, periodId, 'self_assessment', new Date('2026-01-01T00:00:00Z')),
      'upcoming',
      /opens at 2026-02-28T17:00:00.000Z and closes at 2026-04-30T16:59:59.000Z/,
    )
    await expectClosed(
      'after',
      assertWindowOpen(app.db, periodId, 'tpi_verification', new Date('2026-07-01T00:00:00Z')),
      'closed',
      /from 2026-05-01T00:00:00.000Z to 2026-06-30T00:00:00.000Z/,
    )
    await expectClosed(
      'unscheduled',
      assertWindowOpen(app.db, periodId, 'proposal', new Date('2026-07-01T00:00:00Z')),
      'not_scheduled',
      /not scheduled/,
    )
    // The database clock: a period whose windows are around the real now.
    const live = await insertPeriod(ctx, {
      windows: {
        self_assessment: { opens_at: hoursFromNow(-1), closes_at: hoursFromNow(1) },
        revision: { opens_at: hoursFromNow(-3), closes_at: hoursFromNow(-2) },
      },
    })
    t.match(await assertWindowOpen(app.db, live.id, 'self_assessment'), { state: 'open' })
    await expectClosed('past, database clock', assertWindowOpen(app.db, live.id, 'revision'), 'closed', /closed/)
    try {
      await assertWindowOpen(app.db, '00000000-0000-4000-8000-000000000000', 'revision')
      t.fail('unknown period')
    } catch (error) {
      t.equal((error as ProblemError).code, 'period_not_found')
    }
  })

  t.test('reopen: overrides a closed window until `until`, audited with the reason', async (t) => {
    const live = await insertPeriod(ctx, {
      windows: { revision: { opens_at: hoursFromNow(-3), closes_at: hoursFromNow(-2) } },
    })
    const url = `/v1/periods/${live.id}/windows/revision/reopen`
    const missing = await app.inject({ method: 'POST', url, headers: admin, payload: { until: hoursFromNow(2) } })
    t.equal(missing.statusCode, 400)
    t.equal(missing.json().errors[0].pointer, '/body/reason')
    const past = await app.inject({
      method: 'POST',
      url,
      headers: admin,
      payload: { until: hoursFromNow(-1), reason: 'x' },
    })
    t.equal(past.statusCode, 422)
    t.equal(past.json().code, 'invalid_reopen')
    t.equal(past.json().errors[0].pointer, '/body/until')
    const unscheduled = await app.inject({
      method: 'POST',
      url: `/v1/periods/${live.id}/windows/proposal/reopen`,
      headers: admin,
      payload: { until: hoursFromNow(2), reason: 'x' },
    })
    t.equal(unscheduled.json().code, 'window_not_scheduled')
    const badWindow = await app.inject({
      method: 'POST',
      url: `/v1/periods/${live.id}/windows/sanggah/reopen`,
      headers: admin,
      payload: { until: hoursFromNow(2), reason: 'x' },
    })
    t.equal(badWindow.statusCode, 400)
    t.equal(badWindow.json().errors[0].pointer, '/params/window')

    const until = hoursFromNow(5)
    const res = await app.inject({
      method: 'POST',
      url,
      headers: admin,
      payload: { until, reason: 'Server BKD mati tiga hari' },
    })
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json().windows.revision, {
      state: 'reopened',
      open: true,
      reopened_until: until,
      reopen_reason: 'Server BKD mati tiga hari',
    })
    t.match(await assertWindowOpen(app.db, live.id, 'revision'), { state: 'reopened', open: true })
    const audit = await app.db.select().from(auditEvents).where(eq(auditEvents.entityId, live.id))
    t.same(
      audit.map((a) => a.action),
      ['period.window_reopened'],
    )
    t.match(audit[0]?.after, { window: 'revision', reason: 'Server BKD mati tiga hari', reopened_until: until })
  })

  t.test('list: keyset pages by code with Link, filters', async (t) => {
    for (const code of ['ZI-2027', 'ZI-2028', 'ZI-2029'])
      t.equal(
        (await post({ code, name: code, year: Number(code.slice(3)), instrument_version_id: published })).statusCode,
        201,
      )
    const seen: string[] = []
    let url = '/v1/periods?limit=2'
    for (let i = 0; i < 20 && url; i++) {
      const res = await app.inject({ method: 'GET', url, headers: admin })
      t.equal(res.statusCode, 200)
      seen.push(...res.json().items.map((p: { code: string }) => p.code))
      const link = res.headers.link as string | undefined
      if (res.json().next_cursor) t.match(link, /rel="next"/)
      url = link ? (/<([^>]+)>/.exec(link)?.[1] ?? '') : ''
    }
    t.same(seen, [...seen].sort(), 'ordered by code')
    t.equal(new Set(seen).size, seen.length, 'no repeats')
    t.ok(seen.includes('ZI-2026') && seen.includes('ZI-2029'))
    const y = await app.inject({ method: 'GET', url: '/v1/periods?year=2028', headers: admin })
    t.same(
      y.json().items.map((p: { code: string }) => p.code),
      ['ZI-2028'],
    )
    const bad = await app.inject({ method: 'GET', url: '/v1/periods?cursor=nope', headers: admin })
    t.equal(bad.statusCode, 400)
  })

  t.test('delete: 204, refused once referenced; the instrument cannot be deleted under a period', async (t) => {
    const res = await post({ code: 'ZI-DEL', name: 'x', year: 2030, instrument_version_id: published })
    const id = res.json().id
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/periods/${id}`, headers: admin })).statusCode, 204)
    t.equal((await app.inject({ method: 'GET', url: `/v1/periods/${id}`, headers: admin })).statusCode, 404)
    const tree = await insertSmallTree(ctx)
    const decl = await app.inject({
      method: 'POST',
      url: '/v1/declarations',
      headers: admin,
      payload: { unit_id: tree.a1.id, period_id: periodId, target: 'WBK', declared_on: '2026-01-15' },
    })
    t.equal(decl.statusCode, 201, decl.body)
    const refused = await app.inject({ method: 'DELETE', url: `/v1/periods/${periodId}`, headers: admin })
    t.equal(refused.statusCode, 409)
    t.equal(refused.json().code, 'period_referenced')
  })
})
