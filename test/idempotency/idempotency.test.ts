import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq, sql } from 'drizzle-orm'
import { buildApp } from '../../src/app.js'
import { evidence } from '../../src/modules/evidence/tables.js'
import { idempotencyKeys } from '../../src/modules/idempotency/tables.js'
import { periods } from '../../src/modules/periods/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { multipartBody, pdfBytes } from '../helpers/multipart.js'
import { insertInstrument } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

t.test('Idempotency-Key', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-idem-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const ctx = await buildTestApp(t, { DATA_DIR: dataDir, IDEMPOTENCY_TTL_HOURS: '2' })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const admin = bearer(await createToken(ctx, 'admin'))
  const instrument = await insertInstrument(ctx)
  const periodBody = (code: string) => ({
    code,
    name: `Periode ${code}`,
    year: 2026,
    instrument_version_id: instrument,
  })
  const createPeriod = (payload: Record<string, unknown>, key?: string, headers = admin) =>
    app.inject({
      method: 'POST',
      url: '/v1/periods',
      headers: { ...headers, ...(key === undefined ? {} : { 'idempotency-key': key }) },
      payload,
    })
  const countPeriods = async (code: string) =>
    (await app.db.select().from(periods).where(eq(periods.code, code))).length

  t.test('a retry with the same key and body returns the first response, marked replayed', async (t) => {
    const first = await createPeriod(periodBody('ZI-A'), 'key-a')
    t.equal(first.statusCode, 201)
    t.notOk(first.headers['idempotent-replayed'])
    const again = await createPeriod(periodBody('ZI-A'), 'key-a')
    t.equal(again.statusCode, 201)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(again.headers.location, first.headers.location)
    t.equal(again.headers.etag, first.headers.etag)
    t.match(again.headers['content-type'], /^application\/json/)
    t.same(again.json(), first.json())
    t.equal(await countPeriods('ZI-A'), 1, 'executed once')
    const [row] = await app.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, 'key-a'))
    t.match(row, { state: 'done', responseStatus: 201, method: 'POST', route: '/v1/periods' })
    const ttl = (row!.expiresAt.getTime() - row!.createdAt.getTime()) / 3_600_000
    t.ok(Math.abs(ttl - 2) < 0.01, 'expires after IDEMPOTENCY_TTL_HOURS')
  })

  t.test('same key, different body: 422 idempotency_key_reused', async (t) => {
    const res = await createPeriod(periodBody('ZI-B'), 'key-a')
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'idempotency_key_reused')
    t.equal(res.json().errors[0].pointer, '/headers/idempotency-key')
    t.equal(await countPeriods('ZI-B'), 0)
  })

  t.test('keys are per principal and per route; no key means no idempotency', async (t) => {
    const other = bearer(await createToken(ctx, 'admin'))
    const res = await createPeriod(periodBody('ZI-C'), 'key-a', other)
    t.equal(res.statusCode, 201, 'another principal may use the same key')
    t.notOk(res.headers['idempotent-replayed'])
    const link = await app.inject({
      method: 'POST',
      url: '/v1/evidence/links',
      headers: { ...admin, 'idempotency-key': 'key-a' },
      payload: { unit_id: tree.a1.id, title: 'x', url: 'https://x.example' },
    })
    t.equal(link.statusCode, 201, 'the same key on another route is another key')
    const plain = () =>
      app.inject({
        method: 'POST',
        url: '/v1/evidence/links',
        headers: admin,
        payload: { unit_id: tree.a1.id, title: 'no key', url: 'https://y.example' },
      })
    t.equal((await plain()).statusCode, 201)
    t.equal((await plain()).statusCode, 201)
    t.equal((await app.db.select().from(evidence).where(eq(evidence.title, 'no key'))).length, 2)
  })

  t.test('a bad key is 400 naming the header', async (t) => {
    for (const key of ['', 'x'.repeat(201), 'tab\there']) {
      const res = await createPeriod(periodBody('ZI-BAD'), key)
      t.equal(res.statusCode, 400, JSON.stringify(key))
      t.equal(res.json().code, 'invalid_idempotency_key')
      t.equal(res.json().errors[0].pointer, '/headers/idempotency-key')
    }
    t.equal((await createPeriod(periodBody('ZI-LONG'), 'k'.repeat(200))).statusCode, 201, '200 characters are fine')
    t.equal(await countPeriods('ZI-BAD'), 0)
  })

  t.test('concurrent requests with one key: exactly one executes', async (t) => {
    for (let round = 0; round < 5; round++) {
      const code = `ZI-CONC-${round}`
      const results = await Promise.all([
        createPeriod(periodBody(code), `conc-${round}`),
        createPeriod(periodBody(code), `conc-${round}`),
      ])
      const statuses = results.map((r) => r.statusCode).sort()
      t.equal(await countPeriods(code), 1, `round ${round}: one period`)
      const executed = results.filter((r) => r.statusCode === 201 && !r.headers['idempotent-replayed'])
      t.equal(executed.length, 1, `round ${round}: one execution (${statuses.join(',')})`)
      const other = results.find((r) => r !== executed[0])!
      if (other.statusCode === 409) t.equal(other.json().code, 'idempotency_in_progress')
      else t.equal(other.headers['idempotent-replayed'], 'true')
      if (other.statusCode === 409) t.equal(other.headers['retry-after'], '1')
    }
  })

  t.test('two app instances (replicas) on one database share the lock', async (t) => {
    const replica = await buildApp({ config: ctx.config, database: ctx.db.database, logger: false })
    await replica.ready()
    t.teardown(() => replica.close())
    const req = (a: typeof app) =>
      a.inject({
        method: 'POST',
        url: '/v1/periods',
        headers: { ...admin, 'idempotency-key': 'replicas' },
        payload: periodBody('ZI-REP'),
      })
    const results = await Promise.all([req(app), req(replica)])
    t.equal(await countPeriods('ZI-REP'), 1)
    t.equal(results.filter((r) => r.statusCode === 201 && !r.headers['idempotent-replayed']).length, 1)
    const later = await req(replica)
    t.equal(later.headers['idempotent-replayed'], 'true')
  })

  t.test('a 4xx is stored and replayed; a 5xx is not stored and the retry executes', async (t) => {
    const draft = await insertInstrument(ctx, 'draft')
    const refused = await createPeriod({ ...periodBody('ZI-4XX'), instrument_version_id: draft }, 'four')
    t.equal(refused.statusCode, 422)
    const replay = await createPeriod({ ...periodBody('ZI-4XX'), instrument_version_id: draft }, 'four')
    t.equal(replay.statusCode, 422)
    t.equal(replay.headers['idempotent-replayed'], 'true')
    t.match(replay.headers['content-type'], /^application\/problem\+json/)
    t.equal(replay.json().code, 'instrument_not_published')

    await app.db.execute(sql`alter table periods rename to periods_away`)
    let failed
    try {
      failed = await createPeriod(periodBody('ZI-5XX'), 'five')
    } finally {
      await app.db.execute(sql`alter table periods_away rename to periods`)
    }
    t.equal(failed.statusCode, 500)
    t.equal(
      (await app.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, 'five'))).length,
      0,
      'the pending row is gone',
    )
    const retry = await createPeriod(periodBody('ZI-5XX'), 'five')
    t.equal(retry.statusCode, 201)
    t.notOk(retry.headers['idempotent-replayed'])
  })

  t.test('expired keys are purged lazily; an abandoned pending row is taken over', async (t) => {
    await app.db
      .update(idempotencyKeys)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(eq(idempotencyKeys.key, 'key-a'))
    const reused = await createPeriod(periodBody('ZI-AFTER'), 'key-a')
    t.equal(reused.statusCode, 201, 'an expired key is a new key')
    t.notOk(reused.headers['idempotent-replayed'])
    const [a] = await app.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, 'key-a'))
    t.ok(a && a.expiresAt.getTime() > Date.now())

    const crashed = await createPeriod(periodBody('ZI-CRASH'), 'crash')
    t.equal(crashed.statusCode, 201)
    await app.db
      .update(idempotencyKeys)
      .set({
        state: 'pending',
        responseStatus: null,
        responseBody: null,
        createdAt: sql`now() - interval '10 minutes'`,
      })
      .where(eq(idempotencyKeys.key, 'crash'))
    await app.db.delete(periods).where(eq(periods.code, 'ZI-CRASH'))
    const takeover = await createPeriod(periodBody('ZI-CRASH'), 'crash')
    t.equal(takeover.statusCode, 201, 'the stale pending row does not block forever')
    await app.db
      .update(idempotencyKeys)
      .set({ state: 'pending', createdAt: sql`now()` })
      .where(eq(idempotencyKeys.key, 'crash'))
    const busy = await createPeriod(periodBody('ZI-CRASH'), 'crash')
    t.equal(busy.statusCode, 409)
    t.equal(busy.json().code, 'idempotency_in_progress')
  })

  t.test('declarations, evidence uploads and carries opt in too', async (t) => {
    const period = (await createPeriod(periodBody('ZI-D'))).json()
    const decl = () =>
      app.inject({
        method: 'POST',
        url: '/v1/declarations',
        headers: { ...admin, 'idempotency-key': 'decl' },
        payload: { unit_id: tree.a1.id, period_id: period.id, target: 'WBK', declared_on: '2026-01-01' },
      })
    const d1 = await decl()
    const d2 = await decl()
    t.equal(d1.statusCode, 201)
    t.equal(d2.statusCode, 201, 'a replay, not 409 declaration_exists')
    t.equal(d2.headers['idempotent-replayed'], 'true')
    t.equal(d2.json().id, d1.json().id)

    const content = pdfBytes(2048)
    const up = (file: Buffer, key = 'upload') => {
      const body = multipartBody(
        { unit_id: tree.a1.id, title: 'Piagam' },
        { name: 'piagam.pdf', type: 'application/pdf', content: file },
      )
      return app.inject({
        method: 'POST',
        url: '/v1/evidence/files',
        headers: { ...admin, ...body.headers, 'idempotency-key': key },
        payload: body.payload,
      })
    }
    const u1 = await up(content)
    const u2 = await up(content)
    t.equal(u1.statusCode, 201)
    t.equal(u2.statusCode, 201)
    t.equal(u2.headers['idempotent-replayed'], 'true')
    t.equal(u2.json().id, u1.json().id)
    t.equal((await app.db.select().from(evidence).where(eq(evidence.title, 'Piagam'))).length, 1)
    const u3 = await up(pdfBytes(2048))
    t.equal(u3.statusCode, 422, 'another file under the same key')
    t.equal(u3.json().code, 'idempotency_key_reused')
    const bad = await up(content, 'é'.repeat(3))
    t.equal(bad.statusCode, 400)

    const uploads = await Promise.all([up(content, 'up-conc'), up(content, 'up-conc')])
    t.equal(
      uploads.filter((r) => r.statusCode === 201 && !r.headers['idempotent-replayed']).length,
      1,
      'concurrent uploads: one executes',
    )
    t.equal((await app.db.select().from(evidence).where(eq(evidence.title, 'Piagam'))).length, 2)

    const carry = (periodId: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/evidence/${u1.json().id}/carry`,
        headers: { ...admin, 'idempotency-key': 'carry' },
        payload: { period_id: periodId },
      })
    const c1 = await carry(period.id)
    t.equal(c1.statusCode, 201)
    t.equal((await carry(period.id)).headers['idempotent-replayed'], 'true')
    // the one that executed (the other was replayed, or answered 409 while the first was in flight)
    const secondItem = uploads.find((r) => r.statusCode === 201 && !r.headers['idempotent-replayed'])!.json().id
    t.not(secondItem, u1.json().id)
    const otherItem = await app.inject({
      method: 'POST',
      url: `/v1/evidence/${secondItem}/carry`,
      headers: { ...admin, 'idempotency-key': 'carry' },
      payload: { period_id: period.id },
    })
    t.equal(otherItem.statusCode, 422, 'route params are part of the fingerprint')
    t.equal(otherItem.json().code, 'idempotency_key_reused')
  })
})
