import t from 'tap'
import { eq } from 'drizzle-orm'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { declarations, declarationTransitions } from '../../src/modules/declarations/tables.js'
import { evidence } from '../../src/modules/evidence/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

t.test('declarations', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const admin = bearer(await createToken(ctx, 'admin'))
  const operatorA = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.opdA.id] }))
  const evaluatorA = bearer(await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id] }))
  const viewerB = bearer(await createToken(ctx, 'viewer', { unitIds: [tree.opdB.id] }))
  const p2025 = await insertPeriod(ctx, { year: 2025, code: 'ZI-2025' })
  const p2026 = await insertPeriod(ctx, { year: 2026, code: 'ZI-2026' })

  const post = (payload: Record<string, unknown>, headers = admin) =>
    app.inject({ method: 'POST', url: '/v1/declarations', headers, payload })
  const move = (id: string, to: string, headers = admin, extra: Record<string, unknown> = {}) =>
    app.inject({
      method: 'POST',
      url: `/v1/declarations/${id}/transitions`,
      headers,
      payload: { to, reason: `ke ${to}`, ...extra },
    })

  let a1Decl = ''
  t.test('a unit operator declares WBK for its unit; history starts at declared', async (t) => {
    const res = await post(
      {
        unit_id: tree.a1.id,
        period_id: p2026.id,
        target: 'WBK',
        declared_on: '2026-01-20',
        documents: [{ kind: 'piagam_pencanangan', url: 'https://dinkes.example.go.id/piagam.pdf' }],
        notes: 'Pencanangan bersama Bupati',
      },
      operatorA,
    )
    t.equal(res.statusCode, 201, res.body)
    const body = res.json()
    a1Decl = body.id
    t.equal(res.headers.location, `/v1/declarations/${body.id}`)
    t.match(body, {
      status: 'declared',
      target: 'WBK',
      declared_on: '2026-01-20',
      predicate: null,
      designated_on: null,
      allowed_transitions: ['building'],
    })
    t.match(body.history, [{ from: null, to: 'declared', by: { role: 'unit_operator' } }])
    t.same(
      (await app.db.select().from(auditEvents).where(eq(auditEvents.entityId, body.id))).map((a) => a.action),
      ['declaration.created'],
    )
  })

  t.test('create rules: duplicate pair, WBBM without WBK, scope, kind, documents, period', async (t) => {
    const dup = await post({ unit_id: tree.a1.id, period_id: p2026.id, target: 'WBK', declared_on: '2026-01-21' })
    t.equal(dup.statusCode, 409)
    t.equal(dup.json().code, 'declaration_exists')
    t.equal(dup.json().existing_id, a1Decl)
    const wbbm = await post({ unit_id: tree.a2.id, period_id: p2026.id, target: 'WBBM', declared_on: '2026-01-21' })
    t.equal(wbbm.statusCode, 422)
    t.equal(wbbm.json().code, 'wbbm_requires_wbk')
    t.equal(wbbm.json().errors[0].pointer, '/body/target')
    const outside = await post(
      { unit_id: tree.b1.id, period_id: p2026.id, target: 'WBK', declared_on: '2026-01-21' },
      operatorA,
    )
    t.equal(outside.statusCode, 422)
    t.equal(outside.json().code, 'unit_not_found', 'a unit outside the scope looks missing')
    const instansi = await post({
      unit_id: tree.instansi.id,
      period_id: p2026.id,
      target: 'WBK',
      declared_on: '2026-01-21',
    })
    t.equal(instansi.json().code, 'unit_kind_not_eligible')
    const noPeriod = await post({
      unit_id: tree.a2.id,
      period_id: '00000000-0000-4000-8000-000000000000',
      target: 'WBK',
      declared_on: '2026-01-21',
    })
    t.equal(noPeriod.json().code, 'period_not_found')
    const noSource = await post({
      unit_id: tree.a2.id,
      period_id: p2026.id,
      target: 'WBK',
      declared_on: '2026-01-21',
      documents: [{ kind: 'sk_tim' }],
    })
    t.equal(noSource.json().code, 'document_source_missing')
    t.equal(noSource.json().errors[0].pointer, '/body/documents/0')
    const foreignEvidence = await app.db
      .insert(evidence)
      .values({ unitId: tree.b1.id, kind: 'link', title: 'x', url: 'https://x.example', uploadedByName: 't' })
      .returning()
    const badEvidence = await post({
      unit_id: tree.a2.id,
      period_id: p2026.id,
      target: 'WBK',
      declared_on: '2026-01-21',
      documents: [{ kind: 'sk_tim', evidence_id: foreignEvidence[0]!.id }],
    })
    t.equal(badEvidence.json().code, 'evidence_not_found')
    t.equal(badEvidence.json().errors[0].pointer, '/body/documents/0/evidence_id')
    const badKind = await post({
      unit_id: tree.a2.id,
      period_id: p2026.id,
      target: 'WBK',
      declared_on: '2026-01-21',
      documents: [{ kind: 'surat', url: 'https://x.example' }],
    })
    t.equal(badKind.statusCode, 400)
    t.equal(badKind.json().errors[0].pointer, '/body/documents/0/kind')
    const badUrl = await post({
      unit_id: tree.a2.id,
      period_id: p2026.id,
      target: 'WBK',
      declared_on: '2026-01-21',
      documents: [{ kind: 'sk_tim', url: 'javascript:alert(1)' }],
    })
    t.equal(badUrl.statusCode, 400)
    const badTarget = await post({ unit_id: tree.a2.id, period_id: p2026.id, target: 'WBX', declared_on: '2026-01-21' })
    t.equal(badTarget.json().errors[0].pointer, '/body/target')
    t.equal((await app.db.select().from(declarations)).length, 1, 'nothing else written')
    for (const role of ['evaluator', 'viewer', 'integration'] as const) {
      const res = await post(
        { unit_id: tree.a2.id, period_id: p2026.id, target: 'WBK', declared_on: '2026-01-21' },
        bearer(await createToken(ctx, role)),
      )
      t.equal(res.statusCode, 403, `${role} may not declare`)
    }
  })

  t.test('transitions: declared → building only; proposing and later steps need their record', async (t) => {
    const skip = await move(a1Decl, 'proposed', operatorA)
    t.equal(skip.statusCode, 409)
    t.equal(skip.json().code, 'invalid_transition')
    t.same(skip.json().allowed, ['building'])
    const noReason = await app.inject({
      method: 'POST',
      url: `/v1/declarations/${a1Decl}/transitions`,
      headers: operatorA,
      payload: { to: 'building' },
    })
    t.equal(noReason.statusCode, 400)
    t.equal(noReason.json().errors[0].pointer, '/body/reason')
    const built = await move(a1Decl, 'building', operatorA)
    t.equal(built.statusCode, 200)
    t.same(built.json().allowed_transitions, [], 'nothing more for the operator: the instansi proposes')
    const edit = await app.inject({
      method: 'PATCH',
      url: `/v1/declarations/${a1Decl}`,
      headers: operatorA,
      payload: { notes: 'Tim dibentuk', documents: [{ kind: 'sk_tim', url: 'https://x.example/sk.pdf' }] },
    })
    t.equal(edit.statusCode, 200, 'editable while building')
    t.equal(edit.json().notes, 'Tim dibentuk')
    const byOperator = await move(a1Decl, 'proposed', operatorA)
    t.equal(byOperator.statusCode, 403, 'a unit operator does not propose its own unit')
    t.equal(byOperator.json().code, 'transition_forbidden')
    t.same(byOperator.json().allowed, [])
    const byAdmin = await move(a1Decl, 'proposed')
    t.equal(byAdmin.statusCode, 409, 'the admin proposes through the proposals endpoint, which checks the rules')
    t.equal(byAdmin.json().code, 'record_required')
    t.match(byAdmin.json().detail, /POST \/v1\/periods\/\{period_id\}\/proposals/)
    t.equal((await move(a1Decl, 'proposed', evaluatorA)).statusCode, 403, 'evaluators read only')
    const stale = await app.inject({
      method: 'POST',
      url: `/v1/declarations/${a1Decl}/transitions`,
      headers: { ...admin, 'if-match': '"1"' },
      payload: { to: 'building', reason: 'x' },
    })
    t.equal(stale.statusCode, 412)
    const designatedOn = await move(a1Decl, 'proposed', admin, { designated_on: '2026-12-01' })
    t.equal(designatedOn.statusCode, 400, 'designated_on belongs to the designation record now')

    // What the proposals module records (test/proposals covers it): proposed … designated.
    await app.db
      .update(declarations)
      .set({ status: 'designated', predicate: 'WBK', designatedOn: '2026-12-10' })
      .where(eq(declarations.id, a1Decl))
    const locked = await app.inject({
      method: 'PATCH',
      url: `/v1/declarations/${a1Decl}`,
      headers: operatorA,
      payload: { notes: 'x' },
    })
    t.equal(locked.statusCode, 409)
    t.equal(locked.json().code, 'declaration_locked')
    const final = await move(a1Decl, 'building')
    t.equal(final.json().code, 'invalid_transition')
    t.same(final.json().allowed, ['revoked'])
    t.equal((await move(a1Decl, 'revoked')).json().code, 'record_required', 'a revocation needs its record')
    const read = await app.inject({ method: 'GET', url: `/v1/declarations/${a1Decl}`, headers: evaluatorA })
    t.equal(read.statusCode, 200)
    t.match(read.json(), {
      status: 'designated',
      predicate: 'WBK',
      designated_on: '2026-12-10',
      allowed_transitions: [],
    })
    t.same(
      read.json().history.map((h: { from: string | null; to: string }) => `${h.from}>${h.to}`),
      ['null>declared', 'declared>building'],
    )
    t.equal(
      (await app.db.select().from(declarationTransitions).where(eq(declarationTransitions.declarationId, a1Decl)))
        .length,
      2,
    )
  })

  t.test('WBBM: allowed after a WBK designation in an earlier period only', async (t) => {
    // a2: designated WBK in 2025 (recorded by the admin), then WBBM in 2026
    const wbk = await post({ unit_id: tree.a2.id, period_id: p2025.id, target: 'WBK', declared_on: '2025-01-10' })
    t.equal(wbk.statusCode, 201)
    const early = await post({ unit_id: tree.a2.id, period_id: p2026.id, target: 'WBBM', declared_on: '2026-01-10' })
    t.equal(early.json().code, 'wbbm_requires_wbk', 'not yet designated')
    await app.db
      .update(declarations)
      .set({ status: 'designated', predicate: 'WBK', designatedOn: '2025-12-10' })
      .where(eq(declarations.id, wbk.json().id))
    const wbbm = await post({ unit_id: tree.a2.id, period_id: p2026.id, target: 'WBBM', declared_on: '2026-01-10' })
    t.equal(wbbm.statusCode, 201, wbbm.body)
    // a1 was designated WBK in 2026: that does not allow WBBM in 2026 itself (same period year)
    const p2026b = await insertPeriod(ctx, { year: 2026, code: 'ZI-2026-B' })
    const sameYear = await post({
      unit_id: tree.a1.id,
      period_id: p2026b.id,
      target: 'WBBM',
      declared_on: '2026-06-01',
    })
    t.equal(sameYear.json().code, 'wbbm_requires_wbk')
    // a revoked designation does not count
    const p2027 = await insertPeriod(ctx, { year: 2027, code: 'ZI-2027' })
    await app.db.update(declarations).set({ status: 'revoked' }).where(eq(declarations.id, wbk.json().id))
    const afterRevoke = await post({
      unit_id: tree.a2.id,
      period_id: p2027.id,
      target: 'WBBM',
      declared_on: '2027-01-10',
    })
    t.equal(afterRevoke.json().code, 'wbbm_requires_wbk', 'revoked WBK no longer counts')
    // PATCH to WBBM is checked too
    const b1 = await post({ unit_id: tree.b1.id, period_id: p2026.id, target: 'WBK', declared_on: '2026-01-10' })
    const patch = await app.inject({
      method: 'PATCH',
      url: `/v1/declarations/${b1.json().id}`,
      headers: admin,
      payload: { target: 'WBBM' },
    })
    t.equal(patch.json().code, 'wbbm_requires_wbk')
  })

  t.test('scope: 404 outside, lists filtered', async (t) => {
    const b1 = (
      await app.inject({ method: 'GET', url: `/v1/declarations?unit_id=${tree.b1.id}`, headers: admin })
    ).json().items[0]
    t.ok(b1)
    t.equal((await app.inject({ method: 'GET', url: `/v1/declarations/${b1.id}`, headers: operatorA })).statusCode, 404)
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/declarations/${b1.id}`, headers: evaluatorA })).json().code,
      'declaration_not_found',
    )
    t.equal((await app.inject({ method: 'GET', url: `/v1/declarations/${b1.id}`, headers: viewerB })).statusCode, 200)
    t.equal((await app.inject({ method: 'GET', url: `/v1/declarations/${a1Decl}`, headers: viewerB })).statusCode, 404)
    t.equal((await move(b1.id, 'building', operatorA)).statusCode, 404, 'no transitions outside scope')
    t.equal(
      (
        await app.inject({
          method: 'PATCH',
          url: `/v1/declarations/${b1.id}`,
          headers: operatorA,
          payload: { notes: 'x' },
        })
      ).statusCode,
      404,
    )
    const mine = await app.inject({ method: 'GET', url: '/v1/declarations', headers: operatorA })
    t.ok(mine.json().items.length >= 1)
    t.ok(
      mine.json().items.every((d: { unit_id: string }) => [tree.a1.id, tree.a2.id].includes(d.unit_id)),
      'only units in scope',
    )
  })

  t.test('list: filters (period, target, status list, updated_since) and keyset pages', async (t) => {
    const q = async (query: string) =>
      (await app.inject({ method: 'GET', url: `/v1/declarations?${query}`, headers: admin })).json().items as {
        unit_id: string
        status: string
        target: string
      }[]
    const proposedOrLater = await q(
      `period_id=${p2026.id}&target=WBK&status=proposed&status=evaluated&status=designated`,
    )
    t.same(
      proposedOrLater.map((d) => d.unit_id),
      [tree.a1.id],
      'the PortalRB question',
    )
    t.same(
      (await q(`period_id=${p2026.id}&status=declared`)).map((d) => d.unit_id).sort(),
      [tree.a2.id, tree.b1.id].sort(),
    )
    t.same(
      (await q('target=WBBM')).map((d) => d.unit_id),
      [tree.a2.id],
    )
    t.equal((await q(`updated_since=${new Date(Date.now() + 60_000).toISOString()}`)).length, 0)
    const badStatus = await app.inject({ method: 'GET', url: '/v1/declarations?status=done', headers: admin })
    t.equal(badStatus.statusCode, 400)
    const ids: string[] = []
    let url = '/v1/declarations?limit=1'
    for (let i = 0; i < 20 && url; i++) {
      const res = await app.inject({ method: 'GET', url, headers: admin })
      ids.push(...res.json().items.map((d: { id: string }) => d.id))
      url = /<([^>]+)>/.exec((res.headers.link as string | undefined) ?? '')?.[1] ?? ''
    }
    const all = await app.db.select().from(declarations)
    t.equal(ids.length, all.length, 'every declaration once')
    t.equal(new Set(ids).size, ids.length)
  })
})
