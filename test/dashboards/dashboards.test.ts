import { readFileSync } from 'node:fs'
import { eq, sql } from 'drizzle-orm'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { queryRows } from '../../src/db/connection.js'
import {
  evaluateEligibility,
  scoreInstrument,
  type AnswerValue,
  type ScoreResult,
} from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { declarations } from '../../src/modules/declarations/tables.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'
import { roundTo } from '../../src/lib/precision.js'
import { noisyNumbers } from '../helpers/precision.js'

/**
 * Dashboards over a small Pemda (two OPDs, four unit kerja, two periods). Every expected figure
 * is computed here from the scoring engine and the golden answer sets, never typed in.
 */
const def = loadSeedInstrument()
const fixture = (name: string): Record<string, AnswerValue> => {
  const all = (
    JSON.parse(readFileSync(new URL(`../fixtures/golden/${name}.json`, import.meta.url), 'utf8')) as {
      answers: Record<string, AnswerValue>
    }
  ).answers
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== null))
}
const AREA_CODES = def.nodes
  .filter((n) => ['komponen', 'sub_komponen', 'area_perubahan'].includes(n.level))
  .map((n) => n.code)
const ANSWERABLE = def.nodes.filter((n) => n.level === 'question' && !n.formula).length
/** A served figure equals the engine's, rounded as served (scores and percentages: 2 decimals). */
const close = (a: number | null | undefined, b: number, decimals = 2) =>
  typeof a === 'number' && a === roundTo(b, decimals)
/** Figures derived from other rounded figures agree within `steps` rounding steps. */
const near = (a: number, b: number, steps = 1) => Math.abs(a - b) <= steps * 0.01 + 1e-9
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length
const nodeValue = (s: ScoreResult, code: string) => s.nodes.find((n) => n.code === code)?.value ?? 0
const answeredOf = (s: ScoreResult) => ANSWERABLE - s.unanswered.length
const bucket = (share: number) => Math.min(9, Math.floor(share * 10 + 1e-9))

t.test('dashboards', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false' })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const [seeded] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, def.code))
  const instrumentVersionId = seeded!.id
  const p2025 = await insertPeriod(ctx, { instrumentVersionId, year: 2025, code: 'ZI-2025' })
  const p2026 = await insertPeriod(ctx, { instrumentVersionId, year: 2026, code: 'ZI-2026' })
  const admin = bearer(await createToken(ctx, 'admin'))
  const viewer = bearer(await createToken(ctx, 'viewer'))
  const viewerA = bearer(await createToken(ctx, 'viewer', { unitIds: [tree.opdA.id] }))
  const operatorA1 = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] }))

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
  const open = async (unitId: string, periodId: string) =>
    (await call('POST', '/v1/assessments', admin, { period_id: periodId, unit_id: unitId })).id as string
  const fill = (id: string, stage: string, answers: Record<string, AnswerValue>) =>
    call('POST', `/v1/assessments/${id}/stages/${stage}/answers/batch`, admin, {
      answers: Object.entries(answers).map(([question_code, value]) => ({ question_code, value })),
    })
  const move = (id: string, stage: string, to: string) =>
    call('POST', `/v1/assessments/${id}/stages/${stage}/transitions`, admin, { to, reason: 'test' })
  const declare = async (unitId: string, periodId: string, target: string, steps: string[] = []) => {
    const d = await call('POST', '/v1/declarations', admin, {
      unit_id: unitId,
      period_id: periodId,
      target,
      declared_on: '2026-01-20',
    })
    if (steps.includes('building'))
      await call('POST', `/v1/declarations/${d.id}/transitions`, admin, { to: 'building', reason: 'test' })
    // later steps come with their records (proposal checks, TPN outcome): set directly here, test/proposals covers them
    const last = steps[steps.length - 1]
    if (last && last !== 'building') {
      await app.db
        .update(declarations)
        .set({
          status: last as never,
          ...(last === 'designated' ? { predicate: target as never, designatedOn: '2025-12-10' } : {}),
        })
        .where(eq(declarations.id, d.id))
    }
  }

  // 2025: b2 worst, designated WBK
  const answers2025 = fixture('all-worst')
  const b2Old = await open(tree.b2.id, p2025.id)
  await fill(b2Old, 'self', answers2025)
  await declare(tree.b2.id, p2025.id, 'WBK', ['building', 'proposed', 'evaluated', 'designated'])

  // 2026
  const self: Record<'a1' | 'a2' | 'b1' | 'b2', Record<string, AnswerValue>> = {
    a1: fixture('random-seed-1'),
    a2: fixture('partial-seed-4'),
    b1: fixture('all-best'),
    b2: fixture('random-seed-2'),
  }
  const ids: Record<string, string> = {}
  for (const key of ['a1', 'a2', 'b1', 'b2'] as const) {
    ids[key] = await open(tree[key].id, p2026.id)
    await fill(ids[key]!, 'self', self[key])
  }
  await move(ids.a1!, 'self', 'submitted')
  await move(ids.b1!, 'self', 'submitted')
  await move(ids.b1!, 'self', 'approved')
  await declare(tree.a1.id, p2026.id, 'WBK', ['building'])
  await declare(tree.a2.id, p2026.id, 'WBK')
  await declare(tree.b1.id, p2026.id, 'WBK', ['building', 'proposed'])
  await declare(tree.b2.id, p2026.id, 'WBBM')
  // the TPI of a1 flips five Ya/Tidak answers
  await call('POST', `/v1/assessments/${ids.a1}/stages`, admin, { kind: 'tpi', copy_from: 'self' })
  const flipped = def.nodes
    .filter((n) => n.answerType === 'ya_tidak' && self.a1[n.code] !== undefined)
    .slice(0, 5)
    .map((n) => n.code)
  const tpiA1 = { ...self.a1, ...Object.fromEntries(flipped.map((c) => [c, self.a1[c] === 'Ya' ? 'Tidak' : 'Ya'])) }
  await fill(ids.a1!, 'tpi', Object.fromEntries(flipped.map((c) => [c, tpiA1[c]!])))

  const score = Object.fromEntries(Object.entries(self).map(([k, a]) => [k, scoreInstrument(def, a)])) as Record<
    keyof typeof self,
    ScoreResult
  >
  const summaryUrl = `/v1/dashboards/periods/${p2026.id}/summary`

  t.test('period summary over every unit matches the scoring engine', async (t) => {
    const body = await call('GET', summaryUrl, viewer)
    t.same(noisyNumbers(body), [], 'no float noise anywhere in the summary')
    const all = Object.values(score)
    t.equal(body.assessments, 4)
    t.equal(body.stage, 'self')
    t.same(body.period, { id: p2026.id, code: 'ZI-2026', year: 2026, instrument_version_id: instrumentVersionId })
    // completion
    t.equal(body.completion.stages, 4)
    t.same(body.completion.by_status, { draft: 2, submitted: 1, returned: 0, approved: 1 })
    t.equal(body.completion.questions, 4 * ANSWERABLE)
    const answered = all.reduce((s, x) => s + answeredOf(x), 0)
    t.equal(body.completion.answered, answered)
    t.ok(close(body.completion.answered_pct, (answered / (4 * ANSWERABLE)) * 100))
    t.equal(body.completion.complete, all.filter((x) => x.unanswered.length === 0).length)
    t.ok(close(body.completion.submitted_pct, 50), 'a1 submitted, b1 approved: 2 of 4 handed in')
    t.ok(close(body.completion.approved_pct, 25))
    // scores
    t.equal(body.scores.scored_stages, 4)
    t.ok(close(body.scores.total.average, mean(all.map((x) => x.total))), 'average total')
    t.equal(body.scores.total.max, 100)
    const totalHist = Array(10).fill(0)
    for (const x of all) totalHist[bucket(x.total / x.maxTotal)]++
    t.same(
      body.scores.total.histogram.map((h: { count: number }) => h.count),
      totalHist,
      'total histogram',
    )
    t.same(
      body.scores.areas.map((a: { code: string }) => a.code),
      AREA_CODES,
      'every komponen, sub-komponen and area, in instrument order',
    )
    for (const area of body.scores.areas) {
      const node = def.nodes.find((n) => n.code === area.code)!
      t.ok(close(area.average, mean(all.map((x) => nodeValue(x, area.code)))), `average of ${area.code}`)
      const hist = Array(10).fill(0)
      for (const x of all) hist[bucket(nodeValue(x, area.code) / (node.bobot as number))]++
      t.same(
        area.histogram.map((h: { count: number }) => h.count),
        hist,
        `histogram of ${area.code}`,
      )
    }
    const predicates = all.map((x) => evaluateEligibility(def, x).predicate)
    t.same(body.scores.eligible, {
      WBK: predicates.filter((p) => p !== 'none').length,
      WBBM: predicates.filter((p) => p === 'WBBM').length,
    })
    t.ok(predicates.includes('WBBM'), 'the all-best unit reaches WBBM (the fixture set covers both ends)')
    // closest to WBK: every not-yet-eligible unit, smallest shortfall first, with what it lacks
    const notYet = Object.entries(score).filter(([, x]) => evaluateEligibility(def, x).predicate === 'none')
    t.same(
      body.closest.WBK.map((c: { unit: { id: string } }) => c.unit.id).sort(),
      notYet.map(([k]) => tree[k as keyof typeof self].id).sort(),
    )
    const shorts = body.closest.WBK.map((c: { points_short: number }) => c.points_short)
    t.same(
      shorts,
      [...shorts].sort((a, b) => a - b),
      'ordered by shortfall',
    )
    for (const item of body.closest.WBK) {
      const key = Object.keys(ids).find((k) => ids[k] === item.assessment_id) as keyof typeof self
      const failing = evaluateEligibility(def, score[key]).rules.filter((r) => !r.passed && r.predicate === 'WBK')
      t.same(
        item.lacking.map((l: { rule: string }) => l.rule),
        failing.map((r) => r.rule),
        `${key} lacks exactly its failing WBK rules`,
      )
      t.ok(
        near(
          item.points_short,
          item.lacking.reduce((s: number, l: { points_short: number }) => s + l.points_short, 0),
          item.lacking.length,
        ),
      )
      for (const l of item.lacking) {
        const rule = def.predicateRules.find((r) => r.id === l.rule)!
        if (rule.measure === 'value') t.ok(near(l.points_short, l.required - l.actual), `${l.rule}: points short`)
        else t.ok(l.points_short > 0)
      }
      t.ok(close(item.total, score[key].total))
    }
    // declarations by target and status
    const wbk = body.declarations.by_target.find((x: { target: string }) => x.target === 'WBK')
    const wbbm = body.declarations.by_target.find((x: { target: string }) => x.target === 'WBBM')
    t.equal(body.declarations.units, 4)
    t.match(wbk, { units: 3, by_status: { declared: 1, building: 1, proposed: 1, designated: 0 } })
    t.match(wbbm, { units: 1, by_status: { declared: 1 } })
    // the proposal funnel (cumulative) and the instansi gate: nothing proposed through the proposal rules here
    t.same(body.proposals.funnel, {
      declared: 4,
      building: 2,
      proposed: 0,
      passed_administrative_selection: 0,
      evaluated: 0,
      designated: 0,
      not_designated: 0,
      revoked: 0,
    })
    t.match(body.proposals.instansi, [
      {
        instansi: { id: tree.instansi.id, instansi_kind: null },
        WBK: { eligible: false, afirmasi_only: false },
        WBBM: { eligible: false },
        package_complete: false,
      },
    ])
  })

  t.test('scope: a viewer of one OPD, the unit_id filter, a unit operator', async (t) => {
    const a = await call('GET', summaryUrl, viewerA)
    t.equal(a.assessments, 2)
    t.ok(close(a.scores.total.average, mean([score.a1.total, score.a2.total])))
    t.equal(a.declarations.units, 2)
    t.ok(
      a.closest.WBK.every((c: { unit: { id: string } }) => [tree.a1.id, tree.a2.id].includes(c.unit.id)),
      'only units in scope',
    )
    const b = await call('GET', `${summaryUrl}?unit_id=${tree.opdB.id}`, admin)
    t.equal(b.assessments, 2)
    t.same(b.scope.unit.id, tree.opdB.id)
    t.ok(close(b.scores.total.average, mean([score.b1.total, score.b2.total])))
    const out = await app.inject({ method: 'GET', url: `${summaryUrl}?unit_id=${tree.opdB.id}`, headers: viewerA })
    t.equal(out.statusCode, 404, 'a unit outside the scope looks missing')
    const own = await call('GET', `${summaryUrl}?unit_id=${tree.a1.id}`, operatorA1)
    t.equal(own.assessments, 1, "a unit kerja's own figures (no descendants)")
    t.ok(close(own.scores.total.average, score.a1.total))
    const tpi = await app.inject({ method: 'GET', url: `${summaryUrl}?stage=tpi`, headers: operatorA1 })
    t.equal(tpi.statusCode, 403)
    t.equal(tpi.json().code, 'stage_not_visible')
    const missing = await app.inject({
      method: 'GET',
      url: '/v1/dashboards/periods/00000000-0000-4000-8000-000000000009/summary',
      headers: viewer,
    })
    t.equal(missing.statusCode, 404)
    const tpiAdmin = await call('GET', `${summaryUrl}?stage=tpi`, admin)
    t.equal(tpiAdmin.completion.stages, 1)
    t.ok(close(tpiAdmin.scores.total.average, scoreInstrument(def, tpiA1).total))
  })

  t.test('ETag and If-None-Match: 304 while unchanged, the same on another replica, new after a write', async (t) => {
    const first = await app.inject({ method: 'GET', url: summaryUrl, headers: viewer })
    const etag = first.headers.etag as string
    t.match(etag, /^"[A-Za-z0-9_-]{32}"$/)
    const again = await app.inject({ method: 'GET', url: summaryUrl, headers: { ...viewer, 'if-none-match': etag } })
    t.equal(again.statusCode, 304)
    t.equal(again.body, '')
    const replica = await buildApp({ config: ctx.config, database: ctx.db.database, logger: false })
    t.teardown(() => replica.close())
    const other = await replica.inject({ method: 'GET', url: summaryUrl, headers: viewer })
    t.equal(other.headers.etag, etag, 'another app instance on the same data answers the same ETag')
    for (const url of [
      `/v1/dashboards/periods/${p2026.id}/opds`,
      `/v1/dashboards/periods/${p2026.id}/questions/lowest`,
      `/v1/dashboards/periods/${p2026.id}/divergences`,
      `/v1/dashboards/units/${tree.b2.id}/history`,
    ]) {
      const r = await app.inject({ method: 'GET', url, headers: viewer })
      t.equal(r.statusCode, 200, url)
      const r304 = await app.inject({
        method: 'GET',
        url,
        headers: { ...viewer, 'if-none-match': r.headers.etag as string },
      })
      t.equal(r304.statusCode, 304, `${url} answers 304`)
    }
    const q = def.nodes.find((n) => n.answerType === 'ya_tidak' && self.a2[n.code] === undefined)!
    await fill(ids.a2!, 'self', { [q.code]: 'Ya' })
    const changed = await app.inject({ method: 'GET', url: summaryUrl, headers: { ...viewer, 'if-none-match': etag } })
    t.equal(changed.statusCode, 200, 'a new answer changes the figures')
    t.not(changed.headers.etag, etag)
    self.a2[q.code] = 'Ya'
    score.a2 = scoreInstrument(def, self.a2)
    t.ok(
      close(changed.json().scores.total.average, mean(Object.values(score).map((x) => x.total))),
      'and the summary follows it',
    )
  })

  t.test('per-OPD progress table, paged', async (t) => {
    const page = await call('GET', `/v1/dashboards/periods/${p2026.id}/opds`, viewer)
    t.same(
      page.items.map((i: { unit: { id: string } }) => i.unit.id),
      [tree.opdA.id, tree.opdB.id],
      'by name',
    )
    const [a, b] = page.items
    t.match(a, {
      assessments: 2,
      stages: 2,
      by_status: { submitted: 1, draft: 1 },
      declarations: { WBK: 2, WBBM: 0, proposed_or_further: 0, designated: 0 },
    })
    t.ok(close(a.average_total, mean([score.a1.total, score.a2.total])))
    t.ok(close(a.answered_pct, ((answeredOf(score.a1) + answeredOf(score.a2)) / (2 * ANSWERABLE)) * 100))
    t.match(b, {
      assessments: 2,
      by_status: { approved: 1, draft: 1 },
      declarations: { WBK: 1, WBBM: 1, proposed_or_further: 1 },
    })
    t.ok(close(b.average_total, mean([score.b1.total, score.b2.total])))
    const first = await app.inject({
      method: 'GET',
      url: `/v1/dashboards/periods/${p2026.id}/opds?limit=1`,
      headers: viewer,
    })
    t.equal(first.json().items.length, 1)
    t.match(first.headers.link, /rel="next"/)
    const second = await call(
      'GET',
      `/v1/dashboards/periods/${p2026.id}/opds?limit=1&cursor=${first.json().next_cursor}`,
      viewer,
    )
    t.same(
      second.items.map((i: { unit: { id: string } }) => i.unit.id),
      [tree.opdB.id],
    )
    t.equal(second.next_cursor, null)
    const scoped = await call('GET', `/v1/dashboards/periods/${p2026.id}/opds`, viewerA)
    t.same(
      scoped.items.map((i: { unit: { id: string } }) => i.unit.id),
      [tree.opdA.id],
      'only OPDs in scope',
    )
  })

  t.test("a unit's history across periods", async (t) => {
    const body = await call('GET', `/v1/dashboards/units/${tree.b2.id}/history`, viewer)
    t.same(
      body.items.map((i: { period: { year: number } }) => i.period.year),
      [2025, 2026],
    )
    const expected = [scoreInstrument(def, answers2025), score.b2]
    body.items.forEach(
      (item: { total: number; areas: { code: string; value: number }[]; predicate: string }, i: number) => {
        t.ok(close(item.total, expected[i]!.total), `total of ${2025 + i}`)
        for (const area of item.areas)
          t.ok(close(area.value, nodeValue(expected[i]!, area.code)), `${2025 + i} ${area.code}`)
        t.equal(item.predicate, evaluateEligibility(def, expected[i]!).predicate)
      },
    )
    t.match(body.items[0].declaration, { target: 'WBK', status: 'designated', predicate: 'WBK' })
    t.match(body.items[1].declaration, { target: 'WBBM', status: 'declared' })
    const out = await app.inject({ method: 'GET', url: `/v1/dashboards/units/${tree.b2.id}/history`, headers: viewerA })
    t.equal(out.statusCode, 404)
  })

  t.test('questions with the lowest average', async (t) => {
    const body = await call('GET', `/v1/dashboards/periods/${p2026.id}/questions/lowest?limit=15`, viewer)
    const sums = new Map<string, number[]>()
    for (const s of Object.values(score))
      for (const q of s.questions)
        if (q.scored && q.multiplier !== null) sums.set(q.code, [...(sums.get(q.code) ?? []), q.multiplier])
    const expected = [...sums]
      .map(([code, xs]) => ({ code, average: mean(xs), answered: xs.length }))
      .sort((a, b) => a.average - b.average || (a.code < b.code ? -1 : 1))
      .slice(0, 15)
    t.same(
      body.items.map((i: { code: string }) => i.code),
      expected.map((e) => e.code),
    )
    body.items.forEach((item: { average: number; answered: number }, i: number) => {
      t.ok(close(item.average, expected[i]!.average, 4), 'an average conversion: a share, 4 decimals')
      t.equal(item.answered, expected[i]!.answered)
    })
  })

  t.test('self vs TPI divergences', async (t) => {
    const body = await call('GET', `/v1/dashboards/periods/${p2026.id}/divergences`, viewer)
    t.same(noisyNumbers(body), [], 'no float noise')
    const tpiScore = scoreInstrument(def, tpiA1)
    t.equal(body.units.length, 1)
    t.match(body.units[0], { unit: { id: tree.a1.id }, questions_differing: flipped.length })
    t.ok(close(body.units[0].difference, tpiScore.total - score.a1.total))
    for (const area of body.units[0].areas)
      t.ok(close(area.difference, nodeValue(tpiScore, area.code) - nodeValue(score.a1, area.code)), area.code)
    t.same(
      body.questions.slice(0, flipped.length).map((q: { code: string }) => q.code),
      [...flipped].sort(),
      'the flipped questions first',
    )
    t.ok(
      body.questions
        .slice(0, flipped.length)
        .every((q: { average_abs_difference: number }) => close(q.average_abs_difference, 1, 4)),
    )
    const refused = await app.inject({
      method: 'GET',
      url: `/v1/dashboards/periods/${p2026.id}/divergences`,
      headers: operatorA1,
    })
    t.equal(refused.statusCode, 403)
  })

  t.test('a unit moved to another OPD takes its figures along', async (t) => {
    const unit = await call('GET', `/v1/units/${tree.a2.id}`, admin)
    await call(
      'PATCH',
      `/v1/units/${tree.a2.id}`,
      { ...admin, 'if-match': `"${unit.version}"` },
      { parent_id: tree.opdB.id },
    )
    t.equal((await call('GET', summaryUrl, viewerA)).assessments, 1)
    const b = await call('GET', `${summaryUrl}?unit_id=${tree.opdB.id}`, admin)
    t.equal(b.assessments, 3)
    t.equal(b.declarations.units, 3)
    t.equal((await call('GET', summaryUrl, admin)).assessments, 4, 'the whole stays the same')
  })

  t.test('the counters equal the sum of the stage contributions', async (t) => {
    const mismatches = await queryRows<{ kind: string; metric: string }>(
      app.db,
      sql`with expected as (
        select sm.period_id, sm.kind, c.key as metric, sum((c.value->>0)::bigint) as count, sum((c.value->>1)::numeric) as sum
        from stage_metrics sm cross join jsonb_each(sm.contributions) c group by 1, 2, 3
        union all
        select period_id, 'decl', target || ':' || status, count(*), 0 from declarations group by 1, 2, 3
      ), actual as (
        select period_id, kind, metric, count, sum from dashboard_counters where scope_id = '00000000-0000-0000-0000-000000000000' and (count <> 0 or sum <> 0)
      )
      select coalesce(e.kind, a.kind) as kind, coalesce(e.metric, a.metric) as metric from expected e
      full join actual a on a.period_id = e.period_id and a.kind = e.kind and a.metric = e.metric
      where e.count is distinct from a.count or e.sum is distinct from a.sum`,
    )
    t.same(mismatches, [], 'no drift after inserts, updates, moves and status changes')
    const snapshot = sql`select period_id, scope_id, kind, metric, count, trim_scale(sum)::text as sum from dashboard_counters where count <> 0 or sum <> 0 order by 1, 2, 3, 4`
    const before = await queryRows(app.db, snapshot)
    await app.db.transaction((tx) => tx.execute(sql`select dashboard_rebuild()`))
    t.same(
      await queryRows(app.db, snapshot),
      before,
      'every scope (instansi, OPDs, global) equals a rebuild from scratch',
    )
  })
})
