import { eq, sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/connection.js'
import { emitEvent, feedPurgedThrough, readFeed } from '../../src/modules/events/service.js'
import { purgeEvents } from '../../src/workers/feed-purge.js'
import { events } from '../../src/modules/events/tables.js'
import { webhookDeliveries, webhookSubscriptions } from '../../src/modules/webhooks/tables.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import type { Principal } from '../../src/lib/principal.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

type FeedItem = {
  id: string
  type: string
  unit_id: string
  subject: { type: string; id: string }
  data: Record<string, unknown>
}

t.test('the change feed', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false' })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const [seeded] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  const period = await insertPeriod(ctx, { instrumentVersionId: seeded!.id })
  const admin = bearer(await createToken(ctx, 'admin'))
  const viewerA = bearer(await createToken(ctx, 'viewer', { unitIds: [tree.opdA.id] }))
  const operatorA1 = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] }))
  const evaluator = bearer(await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id] }))

  const call = async (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    headers: Record<string, string>,
    payload?: unknown,
  ) => {
    const res = await app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
  const feed = async (
    headers: Record<string, string>,
    query = '',
  ): Promise<{ items: FeedItem[]; next_cursor: string; has_more: boolean }> =>
    call('GET', `/v1/events${query}`, headers)
  const readAll = async (headers: Record<string, string>, limit: number, after = '0') => {
    const seen: FeedItem[] = []
    let cursor = after
    for (let pages = 0; pages < 100; pages++) {
      const page = await feed(headers, `?after=${cursor}&limit=${limit}`)
      seen.push(...page.items)
      cursor = page.next_cursor
      if (!page.has_more) break
    }
    return { seen, cursor }
  }

  // A unit's year, each step through the API
  const a1 = (await call('POST', '/v1/assessments', admin, { period_id: period.id, unit_id: tree.a1.id })).id
  await call('POST', `/v1/assessments/${a1}/stages/self/answers/batch`, operatorA1, {
    answers: [
      { question_code: 'Q1', value: 'Ya' },
      { question_code: 'Q2', value: 'A' },
    ],
  })
  await call('POST', `/v1/assessments/${a1}/stages/self/transitions`, operatorA1, { to: 'submitted' })
  await call('POST', `/v1/assessments/${a1}/stages/self/transitions`, evaluator, {
    to: 'returned',
    reason: 'Lengkapi Q3',
  })
  await call('POST', `/v1/assessments/${a1}/stages/self/transitions`, operatorA1, { to: 'submitted' })
  const decl = await call('POST', '/v1/declarations', operatorA1, {
    unit_id: tree.a1.id,
    period_id: period.id,
    target: 'WBK',
    declared_on: '2026-01-20',
  })
  await call('POST', `/v1/declarations/${decl.id}/transitions`, operatorA1, {
    to: 'building',
    reason: 'SK Tim ZI terbit',
  })
  const b1 = (await call('POST', '/v1/assessments', admin, { period_id: period.id, unit_id: tree.b1.id })).id
  await call('POST', `/v1/assessments/${a1}/stages`, evaluator, { kind: 'tpi', copy_from: 'self' })
  await call('POST', `/v1/assessments/${a1}/stages/tpi/answers/batch`, evaluator, {
    answers: [{ question_code: 'Q1', value: 'Tidak' }],
  })
  const expected = [
    ['assessment.created', tree.a1.id],
    ['answer.changed', tree.a1.id],
    ['stage.submitted', tree.a1.id],
    ['stage.returned', tree.a1.id],
    ['stage.submitted', tree.a1.id],
    ['declaration.created', tree.a1.id],
    ['declaration.transitioned', tree.a1.id],
    ['assessment.created', tree.b1.id],
    ['stage.started', tree.a1.id],
    ['answer.changed', tree.a1.id],
  ]

  t.test('every change, in order, with what it was', async (t) => {
    const { items, has_more } = await feed(admin)
    t.same(
      items.map((e) => [e.type, e.unit_id]),
      expected,
    )
    t.notOk(has_more)
    const ids = items.map((e) => Number(e.id))
    t.same(
      ids,
      [...ids].sort((a, b) => a - b),
      'ids increase',
    )
    t.match(items[1], {
      subject: { type: 'assessment_stage' },
      data: { assessment_id: a1, stage: 'self', status: 'draft', question_codes: ['Q1', 'Q2'] },
    })
    t.match(items[3], { data: { status: 'returned', reason: 'Lengkapi Q3' } })
    t.match(items[6], {
      subject: { type: 'declaration', id: decl.id },
      data: { from: 'declared', to: 'building', target: 'WBK' },
    })
    t.match(items[8], { data: { stage: 'tpi', copy_from: 'self' } })
    t.equal(items[7]!.subject.id, b1)
  })

  t.test('cursor paging walks every event once', async (t) => {
    const all = (await feed(admin)).items
    for (const limit of [1, 3, 4]) {
      const { seen } = await readAll(admin, limit)
      t.same(
        seen.map((e) => e.id),
        all.map((e) => e.id),
        `pages of ${limit}`,
      )
    }
    const last = all[all.length - 1]!.id
    const empty = await feed(admin, `?after=${last}`)
    t.same(empty.items, [])
    t.equal(empty.next_cursor, last, 'an empty page keeps the cursor, to poll with')
    await call('POST', '/v1/assessments', admin, { period_id: period.id, unit_id: tree.b2.id })
    const next = await feed(admin, `?after=${last}`)
    t.same(
      next.items.map((e) => e.type),
      ['assessment.created'],
      'a new change shows up after the cursor',
    )
    const filtered = await feed(admin, '?type=stage.submitted&type=stage.returned')
    t.same(
      filtered.items.map((e) => e.type),
      ['stage.submitted', 'stage.returned', 'stage.submitted'],
    )
    const bad = await app.inject({ method: 'GET', url: '/v1/events?after=abc', headers: admin })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().errors[0].pointer, '/query/after')
  })

  t.test('scope: a viewer sees its units; a unit operator does not see the TPI draft', async (t) => {
    const a = await readAll(viewerA, 2)
    t.ok(a.seen.length > 0)
    t.ok(
      a.seen.every((e) => e.unit_id === tree.a1.id),
      'only opdA units',
    )
    const all = (await feed(admin, '?limit=500')).items
    t.equal(a.cursor, all[all.length - 1]!.id, 'the cursor moves past events out of scope too')
    const op = (await feed(operatorA1, '?limit=500')).items
    t.notOk(
      op.some((e) => e.data.stage === 'tpi'),
      'no event of the TPI draft',
    )
    t.equal(op.filter((e) => e.type === 'stage.submitted').length, 2)
    await call('POST', `/v1/assessments/${a1}/stages/tpi/transitions`, evaluator, { to: 'submitted' })
    const after = (await feed(operatorA1, `?after=${op[op.length - 1]!.id}`)).items
    t.match(
      after.map((e) => [e.type, e.data.stage]),
      [['stage.submitted', 'tpi']],
      'the submitted TPI stage is visible',
    )
  })

  t.test('a refused change writes no event', async (t) => {
    const [before] = await queryRows<{ n: string }>(app.db, sql`select count(*)::text as n from events`)
    const res = await app.inject({
      method: 'POST',
      url: `/v1/assessments/${b1}/stages/self/answers/batch`,
      headers: admin,
      payload: { answers: [{ question_code: 'Q1', value: 'Mungkin' }] },
    })
    t.equal(res.statusCode, 422)
    const [after] = await queryRows<{ n: string }>(app.db, sql`select count(*)::text as n from events`)
    t.equal(after!.n, before!.n)
  })

  t.test('a transaction that commits late never lets a cursor pass its event', async (t) => {
    const principal: Principal = {
      tokenId: 'x',
      principalId: 'x',
      name: 'admin',
      role: 'admin',
      scopeAll: true,
      scopePaths: [],
    }
    const input = { type: 'answer.changed' as const, unitId: tree.a2.id, subject: { type: 'test', id: 'x' }, data: {} }
    const start = (await readFeed(app.db, principal, { after: 0, limit: 500 })).next_cursor
    if (ctx.db.url) {
      // PostgreSQL: T1 draws its id and stays open; T2 must wait for it before drawing its own.
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      let firstId = 0
      const t1 = app.db.transaction(async (tx) => {
        firstId = await emitEvent(tx, input)
        await held
      })
      while (firstId === 0) await new Promise((r) => setTimeout(r, 10))
      const t2 = app.db.transaction((tx) => emitEvent(tx, input))
      // wait until T2 is queued on the lock (condition, not time)
      for (;;) {
        const [w] = await queryRows<{ n: string }>(
          app.db,
          sql`select count(*)::text as n from pg_locks where locktype = 'advisory' and not granted`,
        )
        if (w!.n !== '0') break
        await new Promise((r) => setTimeout(r, 10))
      }
      const during = await readFeed(app.db, principal, { after: Number(start), limit: 500 })
      t.same(during.items, [], 'nothing visible while T1 is open')
      t.ok(Number(during.next_cursor) < firstId, 'and the cursor stays before T1’s event')
      release()
      await t1
      const secondId = await t2
      t.ok(secondId > firstId, 'T2 drew its id after T1 committed')
      const done = await readFeed(app.db, principal, { after: Number(during.next_cursor), limit: 500 })
      t.same(
        done.items.map((e) => Number(e.id)),
        [firstId, secondId],
      )
    } else {
      // PGlite: one connection, transactions run one after another; ids follow commit order.
      const firstId = await app.db.transaction((tx) => emitEvent(tx, input))
      const secondId = await app.db.transaction((tx) => emitEvent(tx, input))
      const done = await readFeed(app.db, principal, { after: Number(start), limit: 500 })
      t.same(
        done.items.map((e) => Number(e.id)),
        [firstId, secondId],
      )
    }
    await app.db.delete(events).where(eq(events.unitId, tree.a2.id))
  })

  // Last: it purges the feed.
  t.test(
    'retention: old events are purged, never one a webhook still has to send, and older cursors get 410',
    async (t) => {
      const input = {
        type: 'answer.changed' as const,
        unitId: tree.a1.id,
        subject: { type: 'assessment_stage', id: 'retention' },
        data: {},
      }
      const ids: number[] = []
      for (let i = 0; i < 4; i++) ids.push(await app.db.transaction((tx) => emitEvent(tx, input)))
      const [first, second, third, fourth] = ids as [number, number, number, number]
      // the first three are 500 days old; the third still has a delivery pending
      await app.db.execute(sql`update events set occurred_at = now() - interval '500 days' where id <= ${third}`)
      const [sub] = await app.db
        .insert(webhookSubscriptions)
        .values({ url: 'https://receiver.example/hook', secretCiphertext: 'test' })
        .returning()
      await app.db.insert(webhookDeliveries).values([
        { subscriptionId: sub!.id, eventId: second, status: 'delivered' },
        { subscriptionId: sub!.id, eventId: third, status: 'pending' },
      ])

      t.same(await purgeEvents(app.db, 1000), { deleted: 0, purgedThrough: 0 }, 'nothing older than 1000 days')
      const purged = await purgeEvents(app.db, 400)
      t.equal(purged?.purgedThrough, second, 'up to the event before the pending delivery')
      t.ok(purged!.deleted >= 2, 'the old events are deleted')
      t.equal(await feedPurgedThrough(app.db), second)
      const left = await app.db.select({ id: events.id }).from(events).where(sql`${events.id} >= ${first}`)
      t.same(
        left.map((r) => r.id).sort((a, b) => a - b),
        [third, fourth],
        'the pending one and the new one stay',
      )
      const deliveries = await app.db.select({ eventId: webhookDeliveries.eventId }).from(webhookDeliveries)
      t.same(
        deliveries.map((d) => d.eventId),
        [third],
        'the delivered one’s log went with its event',
      )

      const expired = await app.inject({ method: 'GET', url: `/v1/events?after=${first}`, headers: admin })
      t.equal(expired.statusCode, 410)
      t.match(expired.headers['content-type'], /application\/problem\+json/)
      t.match(expired.json(), {
        code: 'cursor_expired',
        oldest_cursor: String(second),
        errors: [{ pointer: '/query/after', rule: 'retained' }],
      })
      const atPurge = await feed(admin, `?after=${second}`)
      t.same(
        atPurge.items.map((e) => Number(e.id)),
        [third, fourth],
        'from oldest_cursor on, nothing is missing',
      )
      const fromStart = await feed(admin, '?after=0&limit=1')
      t.ok(Number(fromStart.items[0]!.id) > second, 'after=0 starts at the oldest retained event')

      // once delivered, the next round purges it too, and the watermark only moves forward
      await app.db.update(webhookDeliveries).set({ status: 'delivered' })
      t.equal((await purgeEvents(app.db, 400))?.purgedThrough, third)
      t.same(await purgeEvents(app.db, 400), { deleted: 0, purgedThrough: third }, 'a second round changes nothing')
    },
  )
})
