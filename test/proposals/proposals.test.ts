import { readFileSync } from 'node:fs'
import { and, eq, sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/connection.js'
import t from 'tap'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { declarations } from '../../src/modules/declarations/tables.js'
import type { AnswerValue } from '../../src/modules/instruments/domain/index.js'
import { periods } from '../../src/modules/periods/tables.js'
import { proposals } from '../../src/modules/proposals/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { hoursFromNow, insertPeriod } from '../helpers/periods.js'
import { insertUnit } from '../helpers/units.js'
import { seededInstrumentId } from '../portalrb/fixture.js'

const golden = (name: string): { question_code: string; value: AnswerValue }[] => {
  const all = (
    JSON.parse(readFileSync(new URL(`../fixtures/golden/${name}.json`, import.meta.url), 'utf8')) as {
      answers: Record<string, AnswerValue>
    }
  ).answers
  return Object.entries(all)
    .filter(([, v]) => v !== null)
    .map(([question_code, value]) => ({ question_code, value }))
}

t.test('proposals: the instansi gate, the package, the checks, bulk proposing and the national outcome', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false' })
  const { app } = ctx
  const lke = await seededInstrumentId(ctx)
  const period = await insertPeriod(ctx, { instrumentVersionId: lke, year: 2026, code: 'ZI-2026' })
  const p2024 = await insertPeriod(ctx, { instrumentVersionId: lke, year: 2024, code: 'ZI-2024', windows: {} })
  const p2025 = await insertPeriod(ctx, { instrumentVersionId: lke, year: 2025, code: 'ZI-2025', windows: {} })
  const instansi = await insertUnit(ctx, { kind: 'instansi', code: '3201', name: 'Pemerintah Kabupaten Contoh' })
  const opd = await insertUnit(ctx, { kind: 'opd', parent: instansi, code: '1.02.01', name: 'Dinas Kesehatan' })
  const best = await insertUnit(ctx, { kind: 'unit', parent: opd, code: 'PKM-1', name: 'Puskesmas Satu' })
  const worst = await insertUnit(ctx, { kind: 'unit', parent: opd, code: 'PKM-2', name: 'Puskesmas Dua' })
  const afirmasi = await insertUnit(ctx, {
    kind: 'unit',
    parent: opd,
    code: 'RSUD-1',
    name: 'RSUD Contoh',
    afirmasi: true,
  })
  const veteran = await insertUnit(ctx, { kind: 'unit', parent: opd, code: 'LAB-1', name: 'Labkesda' })
  const junior = await insertUnit(ctx, { kind: 'unit', parent: opd, code: 'PKM-3', name: 'Puskesmas Tiga' })
  const other = await insertUnit(ctx, { kind: 'instansi', code: '3202', name: 'Pemerintah Kota Lain' })
  const admin = bearer(await createToken(ctx, 'admin'))
  const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [opd.id] }))
  const viewerOpd = bearer(await createToken(ctx, 'viewer', { unitIds: [opd.id] }))
  const viewerOther = bearer(await createToken(ctx, 'viewer', { unitIds: [other.id] }))
  const integration = bearer(await createToken(ctx, 'integration', { name: 'portalrb' }))

  const req = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    headers: Record<string, string> = admin,
    payload?: unknown,
  ) =>
    app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
  const ok = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown, headers = admin) => {
    const res = await req(method, url, headers, payload)
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  // earlier designations: the veteran WBK since 2024 (two years), the junior since 2025 (one)
  for (const [unit, p] of [
    [veteran, p2024],
    [junior, p2025],
  ] as const) {
    await app.db.insert(declarations).values({
      unitId: unit.id,
      periodId: p.id,
      target: 'WBK',
      status: 'designated',
      predicate: 'WBK',
      designatedOn: `${p.year}-12-10`,
      declaredOn: `${p.year}-01-10`,
    })
  }
  const decl: Record<string, string> = {}
  for (const [key, unit, target] of [
    ['best', best, 'WBK'],
    ['worst', worst, 'WBK'],
    ['afirmasi', afirmasi, 'WBK'],
    ['veteran', veteran, 'WBBM'],
    ['junior', junior, 'WBBM'],
  ] as const) {
    decl[key] = (
      await ok('POST', '/v1/declarations', {
        unit_id: unit.id,
        period_id: period.id,
        target,
        // building for more than a year by the proposal (P90 Tabel 5)
        declared_on: '2025-01-20',
      })
    ).id
  }
  // the TPI scores: every unit from the best answers, except the worst one; the junior's TPI only submitted
  const tpi = async (unitId: string, answers: string, approve: boolean) => {
    const a = await ok('POST', '/v1/assessments', { period_id: period.id, unit_id: unitId })
    const url = `/v1/assessments/${a.id}`
    await ok('POST', `${url}/stages/self/answers/batch`, { answers: golden(answers) })
    await ok('POST', `${url}/stages/self/transitions`, { to: 'submitted' })
    await ok('POST', `${url}/stages`, { kind: 'tpi', copy_from: 'self' })
    await ok('POST', `${url}/stages/tpi/transitions`, { to: 'submitted' })
    if (approve) await ok('POST', `${url}/stages/tpi/transitions`, { to: 'approved' })
    return url
  }
  const assessment: Record<string, string> = {}
  assessment.best = await tpi(best.id, 'all-best', true)
  await tpi(worst.id, 'all-worst', true)
  await tpi(afirmasi.id, 'all-best', true)
  await tpi(veteran.id, 'all-best', true)
  await tpi(junior.id, 'all-best', false)

  const base = `/v1/periods/${period.id}`
  const gateUrl = `${base}/instansi/${instansi.id}/gate`
  const dry = async (keys: string[]) =>
    ok('POST', `${base}/proposals`, { declaration_ids: keys.map((k) => decl[k]), dry_run: true })
  const failingOf = (result: { items: { declaration_id: string; failing: string[] }[] }, key: string) =>
    result.items.find((i) => i.declaration_id === decl[key])!.failing

  t.test('the instansi kind is the instansi’s', async (t) => {
    const set = await req('PATCH', `/v1/units/${instansi.id}`, admin, { instansi_kind: 'kabupaten' })
    t.equal(set.statusCode, 200, set.body)
    t.equal(set.json().instansi_kind, 'kabupaten')
    const wrong = await req('PATCH', `/v1/units/${opd.id}`, admin, { instansi_kind: 'kota' })
    t.equal(wrong.statusCode, 422)
    t.equal(wrong.json().code, 'instansi_kind_not_applicable')
    t.equal((await req('PATCH', `/v1/units/${instansi.id}`, admin, { instansi_kind: 'desa' })).statusCode, 400)
  })

  t.test('the proposal rules of a period: the defaults, editable by the admin only', async (t) => {
    const rules = await ok('GET', `${base}/proposal-rules`, undefined, viewerOpd)
    t.match(rules, {
      customised: false,
      wbbm_min_wbk_years: 2,
      afirmasi_instansi_kinds: ['provinsi', 'kabupaten', 'kota'],
      version: 0,
    })
    t.equal(rules.gate_rules.length, 10)
    t.ok(
      rules.gate_rules.every((r: { source: string }) => r.source.length > 0),
      'each rule with its source',
    )
    const body = {
      gate_rules: rules.gate_rules,
      afirmasi_instansi_kinds: rules.afirmasi_instansi_kinds,
      wbbm_min_wbk_years: 2,
    }
    t.equal((await req('PUT', `${base}/proposal-rules`, operator, body)).statusCode, 403)
    const bad = await req('PUT', `${base}/proposal-rules`, admin, {
      ...body,
      gate_rules: [{ ...rules.gate_rules[1], threshold: undefined }],
    })
    t.equal(bad.statusCode, 422)
    t.match(bad.json(), {
      code: 'proposal_rules_invalid',
      errors: [{ pointer: '/body/gate_rules/0/threshold', rule: 'required' }],
    })
    const saved = await ok('PUT', `${base}/proposal-rules`, body)
    t.match(saved, { customised: true, version: 1 })
    const [audit] = await app.db.select().from(auditEvents).where(eq(auditEvents.action, 'proposal_rules.replaced'))
    t.ok(audit, 'audited')
  })

  t.test('the instansi gate: values with who and when, the eligibility read, scope', async (t) => {
    const empty = await ok('GET', `${base}/instansi/${instansi.id}/eligibility`, undefined, viewerOpd)
    t.match(empty, {
      instansi: { id: instansi.id, instansi_kind: 'kabupaten' },
      WBK: { eligible: false, afirmasi_only: true },
      WBBM: { eligible: false, afirmasi_only: false },
    })
    t.equal(
      (await req('GET', `${base}/instansi/${instansi.id}/eligibility`, viewerOther)).statusCode,
      404,
      'another instansi’s reader',
    )
    t.equal(
      (await req('GET', `${base}/instansi/${opd.id}/gate`)).json().code,
      'instansi_not_found',
      'an OPD is not an instansi',
    )
    const link = await ok('POST', '/v1/evidence/links', {
      unit_id: instansi.id,
      period_id: period.id,
      title: 'LHP BPK 2025',
      url: 'https://bpk.example.go.id/lhp.pdf',
    })
    const foreign = await ok('POST', '/v1/evidence/links', {
      unit_id: opd.id,
      period_id: period.id,
      title: 'x',
      url: 'https://x.example/x.pdf',
    })
    const wrongEvidence = await req('PUT', gateUrl, admin, { opini_bpk: { value: 'WTP', evidence_id: foreign.id } })
    t.equal(wrongEvidence.statusCode, 422)
    t.match(wrongEvidence.json(), { code: 'evidence_not_found', errors: [{ pointer: '/body/opini_bpk/evidence_id' }] })
    t.equal((await req('PUT', gateUrl, operator, { spip_level: { value: 3 } })).statusCode, 403, 'admin writes')
    t.equal((await req('PUT', gateUrl, admin, { spip_level: { value: 6 } })).statusCode, 400, 'SPIP 1–5')
    const set = await ok('PUT', gateUrl, {
      opini_bpk: { value: 'WDP', evidence_id: link.id },
      spip_level: { value: 3 },
      sakip_predicate: { value: 'B' },
      indeks_rb_predicate: { value: 'CC' },
    })
    t.match(set.values.opini_bpk, { value: 'WDP', evidence_id: link.id, recorded_by: { name: /admin/ } })
    t.ok(set.values.sakip_predicate.recorded_at)
    t.equal((await req('PUT', gateUrl, admin, { sakip_predicate: { value: 'AAA' } })).statusCode, 400, 'a grade')
    t.match(set.WBK, { eligible: false, afirmasi_only: true })
    t.same(
      set.WBK.rules
        .filter((r: { passed: boolean }) => !r.passed)
        .map((r: { rule: string; actual: unknown }) => [r.rule, r.actual]),
      [['wbk_opini_bpk', 'WDP']],
    )
    const wtp = await ok('PUT', gateUrl, { opini_bpk: { value: 'WTP', evidence_id: link.id } })
    t.match(wtp.WBK, { eligible: true, afirmasi_only: false })
    t.same(
      wtp.WBBM.rules.filter((r: { passed: boolean }) => !r.passed).map((r: { rule: string }) => r.rule),
      ['wbbm_sakip', 'wbbm_indeks_rb_pemda'],
    )
    // a K/L needs Indeks RB above 60 and has no afirmasi route
    await ok('PATCH', `/v1/units/${instansi.id}`, { instansi_kind: 'kementerian_lembaga' })
    const kl = await ok('GET', gateUrl, undefined, viewerOpd)
    t.match(kl.WBK, { eligible: false, afirmasi_only: false })
    t.same(
      kl.WBK.rules.filter((r: { passed: boolean }) => !r.passed).map((r: { rule: string }) => r.rule),
      ['wbk_indeks_rb_kl'],
    )
    await ok('PATCH', `/v1/units/${instansi.id}`, { instansi_kind: 'kabupaten' })
    const removed = await ok('PUT', gateUrl, { indeks_rb_predicate: null })
    t.equal(removed.values.indeks_rb_predicate, null, 'null removes a value')
    // only a 0–100 Indeks RB: converted to a grade by a named conversion
    const numeric = await ok('PUT', gateUrl, { indeks_rb: { value: 51 } })
    t.match(
      numeric.WBK.rules.find((r: { rule: string }) => r.rule === 'wbk_indeks_rb_pemda'),
      {
        actual: 'CC',
        passed: true,
        converted_from: { indicator: 'indeks_rb', value: 51, source: /PortalRB practice/ },
      },
    )
    await ok('PUT', gateUrl, { indeks_rb: null, indeks_rb_predicate: { value: 'CC' } })
    t.match(empty.designated_share, { units: 5, designated: 2, share: 0.4, above_30_percent: true, source: /p\. 47/ })
  })

  t.test('unit-level requirements (Tabel 5): refused and named until recorded; recorded by the admin', async (t) => {
    const before = await dry(['best'])
    t.same(failingOf(before, 'best'), [
      'declaration_status',
      'unit_core_service',
      'unit_public_perception_impact',
      'unit_tlhp',
      'unit_lhkpn_lhkasn',
      'unit_sakip',
      'package_complete',
    ])
    const reqUrl = (unitId: string) => `${base}/units/${unitId}/requirements`
    t.match(await ok('GET', reqUrl(best.id), undefined, viewerOpd), {
      values: { core_service: null, sakip_predicate: null },
      source: /Tabel 5.*p\. 46-47/,
    })
    const full = {
      core_service: { value: true, justification: 'layanan kesehatan dasar, layanan utama Dinas Kesehatan' },
      public_perception_impact: { value: true, justification: 'sekitar 300 warga dilayani per hari' },
      tlhp_percent: { value: 100 },
      lhkpn_percent: { value: 100 },
      lhkasn_percent: { value: 100 },
      sakip_predicate: { value: 'BB' },
    }
    t.equal((await req('PUT', reqUrl(best.id), operator, full)).statusCode, 403, 'the admin records them')
    t.equal(
      (await req('PUT', reqUrl(best.id), admin, { core_service: { value: true } })).statusCode,
      400,
      'a yes/no needs its justification',
    )
    t.equal((await req('PUT', reqUrl(best.id), admin, { tlhp_percent: { value: 101 } })).statusCode, 400)
    t.equal((await req('PUT', reqUrl(instansi.id), admin, full)).json().code, 'unit_kind_not_applicable')
    const foreign = await ok('POST', '/v1/evidence/links', {
      unit_id: worst.id,
      period_id: period.id,
      title: 'TLHP Puskesmas Dua',
      url: 'https://x.example/tlhp.pdf',
    })
    const wrong = await req('PUT', reqUrl(best.id), admin, { tlhp_percent: { value: 100, evidence_id: foreign.id } })
    t.match(wrong.json(), { code: 'evidence_not_found', errors: [{ pointer: '/body/tlhp_percent/evidence_id' }] })
    const own = await ok('POST', '/v1/evidence/links', {
      unit_id: best.id,
      period_id: period.id,
      title: 'Rekap TLHP 2025',
      url: 'https://x.example/tlhp-1.pdf',
    })
    const saved = await ok('PUT', reqUrl(best.id), { ...full, tlhp_percent: { value: 100, evidence_id: own.id } })
    t.match(saved.values.tlhp_percent, { value: 100, evidence_id: own.id, recorded_by: { name: /admin/ } })
    const audits = async () =>
      (await app.db.select().from(auditEvents).where(eq(auditEvents.action, 'unit_requirements.recorded'))).length
    const n = await audits()
    await ok('PUT', reqUrl(best.id), { lhkpn_percent: { value: 100 } })
    t.equal(await audits(), n, 'a requirement sent as it stands changes nothing and leaves no trace')
    t.same(failingOf(await dry(['best']), 'best'), ['declaration_status', 'package_complete'])
    const short = await ok('PUT', reqUrl(best.id), {
      lhkasn_percent: { value: 98.5 },
      sakip_predicate: { value: 'CC' },
    })
    t.equal(short.values.lhkasn_percent.value, 98.5)
    const check = await ok('GET', `/v1/declarations/${decl.best}/proposal-check`, undefined, viewerOpd)
    t.same(check.failing, ['declaration_status', 'unit_lhkpn_lhkasn', 'unit_sakip', 'package_complete'])
    t.match(
      check.checks.find((c: { check: string }) => c.check === 'unit_lhkpn_lhkasn'),
      { message: /LHKASN 98\.5%/ },
    )
    for (const u of [best, worst, afirmasi, veteran, junior]) await ok('PUT', reqUrl(u.id), full)
  })

  t.test('refusals before the package: every failing check of every unit; the operator may not propose', async (t) => {
    t.equal(
      (await req('POST', `${base}/proposals`, operator, { declaration_ids: [decl.best], dry_run: true })).statusCode,
      403,
      'only the admin proposes',
    )
    const result = await dry(['best', 'worst', 'afirmasi', 'veteran', 'junior'])
    t.match(result, { dry_run: true, mode: 'all_or_nothing', proposed: 0, ready: 0, refused: 5 })
    t.same(failingOf(result, 'best'), ['declaration_status', 'package_complete'], 'still declared; no package')
    t.same(failingOf(result, 'worst'), ['declaration_status', 'tpi_score', 'package_complete'])
    t.same(failingOf(result, 'veteran'), ['declaration_status', 'instansi_gate', 'package_complete'], 'the WBBM gate')
    t.same(failingOf(result, 'junior'), [
      'declaration_status',
      'instansi_gate',
      'tpi_stage_approved',
      'wbk_years_held',
      'package_complete',
    ])
    const score = result.items
      .find((i: { declaration_id: string }) => i.declaration_id === decl.worst)
      .checks.find((c: { check: string }) => c.check === 'tpi_score')
    t.match(
      score,
      { passed: false, details: { rules: [{ predicate: 'WBK', passed: false }] } },
      'the score explanation',
    )
    const one = await ok('GET', `/v1/declarations/${decl.best}/proposal-check`, undefined, viewerOpd)
    t.same(one.failing, ['declaration_status', 'package_complete'], 'one declaration’s check, for a reader')
    t.equal((await req('GET', `/v1/declarations/${decl.best}/proposal-check`, viewerOther)).statusCode, 404)
    const bogus = await ok('POST', `${base}/proposals`, {
      declaration_ids: ['00000000-0000-4000-8000-000000000000'],
      dry_run: true,
    })
    t.same(bogus.items[0].failing, ['declaration_in_period'])
  })

  t.test('the package: evidence items of the instansi and the PIC, with a completeness check', async (t) => {
    const empty = await ok('GET', `${base}/instansi/${instansi.id}/package`, undefined, viewerOpd)
    t.match(empty, {
      complete: false,
      missing: ['surat_usulan', 'sptjm', 'tlhp', 'survei_mandiri', 'pic.name', 'pic.email', 'pic.phone'],
      version: 0,
    })
    const doc = async (title: string) =>
      (
        await ok('POST', '/v1/evidence/links', {
          unit_id: instansi.id,
          period_id: period.id,
          title,
          url: `https://org.example.go.id/${title}.pdf`,
        })
      ).id as string
    const docs = {
      surat_usulan: await doc('surat-usulan'),
      sptjm: await doc('sptjm'),
      tlhp: await doc('tlhp'),
      survei_mandiri: await doc('survei-mandiri'),
    }
    const part = await ok('PUT', `${base}/instansi/${instansi.id}/package`, {
      documents: docs,
      pic: { name: 'Sri Wahyuni', email: 'sri@contoh.go.id' },
    })
    t.match(part, {
      complete: false,
      missing: ['pic.phone'],
      documents: { sptjm: { evidence_id: docs.sptjm, title: 'sptjm' } },
    })
    const bad = await req('PUT', `${base}/instansi/${instansi.id}/package`, admin, { pic: { email: 'not-an-email' } })
    t.equal(bad.statusCode, 400)
    const full = await ok('PUT', `${base}/instansi/${instansi.id}/package`, { pic: { phone: '+62 812 1234 5678' } })
    t.match(full, { complete: true, missing: [], version: 2 })
  })

  t.test('the window and the bulk proposal: all or nothing', async (t) => {
    for (const key of ['best', 'worst', 'afirmasi', 'veteran', 'junior'])
      await ok('POST', `/v1/declarations/${decl[key]}/transitions`, { to: 'building', reason: 'membangun' }, operator)
    const [row] = await app.db.select().from(periods).where(eq(periods.id, period.id))
    await app.db
      .update(periods)
      .set({ windows: { ...row!.windows, proposal: { opens_at: hoursFromNow(24), closes_at: hoursFromNow(48) } } })
      .where(eq(periods.id, period.id))
    t.same(failingOf(await dry(['best']), 'best'), ['proposal_window'], 'not before the window opens')
    await app.db.update(periods).set({ windows: row!.windows }).where(eq(periods.id, period.id))

    const mixed = await req('POST', `${base}/proposals`, admin, { declaration_ids: [decl.best, decl.worst] })
    t.equal(mixed.statusCode, 422)
    t.match(mixed.json(), {
      code: 'proposal_refused',
      mode: 'all_or_nothing',
      proposed: 0,
      ready: 1,
      refused: 1,
      errors: [{ pointer: '/body/declaration_ids/1', rule: 'tpi_score' }],
    })
    t.equal((await app.db.select().from(proposals)).length, 0, 'nothing proposed')
    t.equal((await ok('GET', `/v1/declarations/${decl.best}`)).status, 'building', 'not even the ready unit')

    // the instansi fails the WBK gate: only afirmasi units (the afirmasi route)
    await ok('PUT', gateUrl, { opini_bpk: { value: 'WDP' } })
    const gated = await dry(['best', 'afirmasi'])
    t.same(failingOf(gated, 'best'), ['instansi_gate'])
    t.match(
      gated.items.find((i: { declaration_id: string }) => i.declaration_id === decl.afirmasi),
      { ready: true, route: 'afirmasi', kategori: 'WBK-AFIRMASI' },
    )
    const viaAfirmasi = await ok('POST', `${base}/proposals`, {
      declaration_ids: [decl.afirmasi],
      reason: 'Surat usulan No. 700/1/2026',
    })
    t.match(viaAfirmasi, { proposed: 1, items: [{ route: 'afirmasi' }] })
    await ok('PUT', gateUrl, {
      opini_bpk: { value: 'WTP' },
      sakip_predicate: { value: 'BB' },
      indeks_rb_predicate: { value: 'B' },
    })

    const wbbm = await dry(['veteran', 'junior'])
    t.same(failingOf(wbbm, 'veteran'), [], 'WBBM with the gate passed and WBK held two years')
    t.same(failingOf(wbbm, 'junior'), ['tpi_stage_approved', 'wbk_years_held'], 'Menuju WBK held, one year')
    const done = await ok('POST', `${base}/proposals`, { declaration_ids: [decl.best, decl.veteran] })
    t.match(done, { dry_run: false, proposed: 2, ready: 2, refused: 0 })
    const best = await ok('GET', `/v1/declarations/${decl.best}`)
    t.equal(best.status, 'proposed')
    t.match(best.history[best.history.length - 1], {
      from: 'building',
      to: 'proposed',
      reason: 'proposed to KemenPANRB',
      by: { role: 'admin' },
    })
    t.equal(
      (await app.db.select().from(auditEvents).where(eq(auditEvents.action, 'proposal.created'))).length,
      3,
      'each proposal audited',
    )
    const again = await dry(['best'])
    t.same(failingOf(again, 'best'), ['declaration_status'], 'not proposed twice')
    const list = await ok('GET', `${base}/proposals?target=WBK`, undefined, viewerOpd)
    t.same(
      list.items.map((p: { unit_id: string }) => p.unit_id),
      [best.unit_id, afirmasi.id],
      'ordered by unit code',
    )

    const get = (path: string) => app.inject({ method: 'GET', url: `/portalrb${path}`, headers: integration })
    t.same(
      (await get('/pengusulan/unit-wbk')).json().units.map((u: { id: string; kategori: string }) => [u.id, u.kategori]),
      [
        ['PKM-1', 'WBK'],
        ['RSUD-1', 'WBK-AFIRMASI'],
      ],
      'PortalRB lists only proposals that passed',
    )
    t.same(
      (await get('/pengusulan/unit-wbbm')).json().units.map((u: { id: string }) => u.id),
      ['LAB-1'],
    )
  })

  t.test(
    'the national outcome: selection, sanggah, evaluation, designation, revocation; predicate history',
    async (t) => {
      const url = (key: string, step: string) => `/v1/declarations/${decl[key]}/proposal/${step}`
      t.equal(
        (
          await req('POST', url('best', 'administrative-selection'), operator, {
            decided_on: '2026-08-01',
            items: [{ item: 'sptjm', result: 'sesuai' }],
          })
        ).statusCode,
        403,
      )
      const failed = await ok('POST', url('best', 'administrative-selection'), {
        decided_on: '2026-08-01',
        items: [
          { item: 'surat_usulan', result: 'sesuai' },
          { item: 'sptjm', result: 'tidak_sesuai', note: 'belum bermeterai' },
          { item: 'lke', result: 'sesuai' },
        ],
      })
      t.match(failed, {
        status: 'proposed',
        passed_administrative_selection: false,
        administrative_selection: { passed: false, items: [{}, { item: 'sptjm', note: 'belum bermeterai' }, {}] },
      })
      const dup = await req('POST', url('best', 'administrative-selection'), admin, {
        decided_on: '2026-08-01',
        items: [
          { item: 'lke', result: 'sesuai' },
          { item: 'lke', result: 'sesuai' },
        ],
      })
      t.equal(dup.json().code, 'duplicate_item')
      t.equal(
        (await req('POST', url('best', 'evaluation'), admin, { evaluated_on: '2026-09-01' })).json().code,
        'administrative_selection_not_passed',
      )
      t.equal(
        (
          await req('POST', url('best', 'decision'), admin, {
            decision: 'designated',
            sk_number: 'x',
            sk_date: '2026-12-01',
          })
        ).json().code,
        'outcome_out_of_order',
      )
      const pendingNoDate = await req('POST', url('best', 'sanggah'), admin, {
        filed_on: '2026-08-05',
        reason: 'SPTJM sudah bermeterai',
        result: 'diterima',
      })
      t.equal(pendingNoDate.json().code, 'decided_on_required')
      const sanggah = await ok('POST', url('best', 'sanggah'), {
        filed_on: '2026-08-05',
        reason: 'SPTJM sudah bermeterai',
        result: 'diterima',
        decided_on: '2026-08-10',
      })
      t.match(sanggah, { passed_administrative_selection: true, sanggah: { result: 'diterima' } })
      t.equal(
        (await req('POST', url('best', 'evaluation'), admin, { evaluated_on: '2026-09-01' })).json().code,
        'tpn_stage_missing',
        'the TPN scores first',
      )
      await ok('POST', `${assessment.best}/stages`, { kind: 'tpn', copy_from: 'tpi' })
      await ok('POST', `${assessment.best}/stages/tpn/transitions`, { to: 'submitted' })
      const evaluated = await ok('POST', url('best', 'evaluation'), {
        evaluated_on: '2026-09-01',
        note: 'wawancara dan observasi',
      })
      t.match(evaluated, { status: 'evaluated', evaluation: { tpn_stage_status: 'submitted', tpn_predicate: 'WBBM' } })
      t.ok(evaluated.evaluation.tpn_total > 90)
      const designated = await ok('POST', url('best', 'decision'), {
        decision: 'designated',
        sk_number: '123/2026',
        sk_date: '2026-12-09',
      })
      t.match(designated, {
        status: 'designated',
        decision: { decision: 'designated', sk_number: '123/2026', sk_date: '2026-12-09' },
      })
      t.match(await ok('GET', `/v1/declarations/${decl.best}`), {
        status: 'designated',
        predicate: 'WBK',
        designated_on: '2026-12-09',
      })
      const history = await ok('GET', `/v1/units/${best.id}/predicate-history`, undefined, viewerOpd)
      t.match(history, {
        current: 'WBK',
        items: [{ predicate: 'WBK', year: 2026, since: '2026-12-09', until: null, sk_number: '123/2026', held: true }],
      })
      const revocation = {
        revoked_on: '2026-12-20',
        reason: 'maladministrasi pelayanan ditemukan pada evaluasi lapangan berkala',
        basis: 'tpn_field_check',
        tpn_recommendation: { date: '2026-12-15', number: 'B/77/TPN/2026' },
        decision_number: 'SK-CABUT/5/2026',
      }
      t.equal(
        (await req('POST', url('best', 'revocation'), admin, { revoked_on: '2026-12-20', reason: 'OTT' })).statusCode,
        400,
        'a revocation names its basis, the TPN recommendation and the decision number',
      )
      t.equal(
        (
          await req('POST', url('best', 'revocation'), admin, {
            ...revocation,
            tpn_recommendation: { date: '2026-12-21' },
          })
        ).json().code,
        'revocation_before_recommendation',
      )
      const revoked = await ok('POST', url('best', 'revocation'), revocation)
      t.match(revoked, {
        status: 'revoked',
        revocation: {
          revoked_on: '2026-12-20',
          basis: 'tpn_field_check',
          tpn_recommendation: { date: '2026-12-15', number: 'B/77/TPN/2026', note: null },
          decision_number: 'SK-CABUT/5/2026',
        },
      })
      t.match(await ok('GET', `/v1/units/${best.id}/predicate-history`), {
        current: null,
        items: [{ until: '2026-12-20', until_reason: 'revoked', held: false }],
      })
      t.equal((await req('POST', url('best', 'revocation'), admin, revocation)).json().code, 'outcome_out_of_order')

      // the revocation ban: no new proposal until two years after the decision
      const p2027 = await insertPeriod(ctx, { instrumentVersionId: lke, year: 2027, code: 'ZI-2027' })
      const again = await ok('POST', '/v1/declarations', {
        unit_id: best.id,
        period_id: p2027.id,
        target: 'WBK',
        declared_on: '2025-01-20',
      })
      const banned = await ok('GET', `/v1/declarations/${again.id}/proposal-check`)
      t.match(
        banned.checks.find((c: { check: string }) => c.check === 'revocation_ban'),
        {
          passed: false,
          message: /cannot be proposed before 2028-12-20/,
          details: { revoked_on: '2026-12-20', proposable_from: '2028-12-20', source: /BAB IV C.*p\. 63-64/ },
        },
      )
      const [bestProposal] = await app.db.select().from(proposals).where(eq(proposals.declarationId, decl.best!))
      await app.db
        .update(proposals)
        .set({ revocation: { ...bestProposal!.revocation!, revoked_on: '2023-01-10' } })
        .where(eq(proposals.declarationId, decl.best!))
      const lifted = await ok('GET', `/v1/declarations/${again.id}/proposal-check`)
      t.match(
        lifted.checks.find((c: { check: string }) => c.check === 'revocation_ban'),
        { passed: true },
        'revoked more than two years ago: not refused for it',
      )
      await app.db
        .update(proposals)
        .set({ revocation: bestProposal!.revocation })
        .where(eq(proposals.declarationId, decl.best!))

      // lulus dengan catatan, and the TPN's later steps as optional records
      const bad = await req('POST', url('veteran', 'administrative-selection'), admin, {
        decided_on: '2026-08-01',
        items: [
          { item: 'sptjm', result: 'tidak_sesuai', note: 'tanpa tanda tangan' },
          { item: 'lke', result: 'sesuai' },
        ],
        lulus_dengan_catatan: { resubmit_items: ['lke'] },
      })
      t.match(bad.json(), {
        code: 'resubmit_item_invalid',
        errors: [{ pointer: '/body/lulus_dengan_catatan/resubmit_items/0' }],
      })
      const conditional = await ok('POST', url('veteran', 'administrative-selection'), {
        decided_on: '2026-08-01',
        items: [
          { item: 'sptjm', result: 'tidak_sesuai', note: 'tanpa tanda tangan' },
          { item: 'lke', result: 'sesuai' },
        ],
        lulus_dengan_catatan: { resubmit_items: ['sptjm'], due_on: '2026-08-08' },
      })
      t.match(conditional, {
        passed_administrative_selection: true,
        administrative_selection: {
          passed: true,
          outcome: 'lulus_dengan_catatan',
          resubmit: { items: ['sptjm'], due_on: '2026-08-08', note: null },
        },
      })
      t.equal(
        (
          await req('POST', url('veteran', 'tpn-steps'), admin, {
            step: 'panel',
            on: '2026-10-02',
            until: '2026-10-01',
          })
        ).json().code,
        'invalid_dates',
      )
      await ok('POST', url('veteran', 'tpn-steps'), { step: 'field_evaluation', on: '2026-09-10', until: '2026-09-11' })
      const steps = await ok('POST', url('veteran', 'tpn-steps'), {
        step: 'desk_evaluation',
        on: '2026-08-20',
        note: 'paparan daring',
      })
      t.same(
        steps.tpn_steps.map((s: { step: string; on: string }) => [s.step, s.on]),
        [
          ['desk_evaluation', '2026-08-20'],
          ['field_evaluation', '2026-09-10'],
        ],
        'by date, whatever the order recorded',
      )
      t.equal(steps.status, 'proposed', 'a step moves nothing')

      // a failed selection without sanggah ends not designated, with reasons
      await ok('POST', url('afirmasi', 'administrative-selection'), {
        decided_on: '2026-08-01',
        items: [{ item: 'tlhp', result: 'tidak_sesuai' }],
      })
      const notDesignated = await ok('POST', url('afirmasi', 'decision'), {
        decision: 'not_designated',
        decided_on: '2026-08-20',
        reasons: ['TLHP tidak sesuai'],
      })
      t.match(notDesignated, {
        status: 'not_designated',
        decision: { decision: 'not_designated', reasons: ['TLHP tidak sesuai'] },
      })
      const proposal = await ok('GET', `/v1/declarations/${decl.afirmasi}/proposal`, undefined, viewerOpd)
      t.match(proposal, { route: 'afirmasi', status: 'not_designated' })
      t.equal((await req('GET', `/v1/declarations/${decl.worst}/proposal`)).json().code, 'proposal_not_found')
      t.ok(
        (await app.db.select().from(auditEvents).where(eq(auditEvents.action, 'proposal.decision_recorded'))).length ===
          2,
      )
      const [veteranDecl] = await app.db
        .select()
        .from(declarations)
        .where(and(eq(declarations.unitId, veteran.id), eq(declarations.periodId, period.id)))
      t.equal(veteranDecl!.status, 'proposed')
    },
  )

  t.test('the period summary: the funnel and the gate state', async (t) => {
    const summary = await ok('GET', `/v1/dashboards/periods/${period.id}/summary`)
    t.same(summary.proposals.funnel, {
      declared: 5,
      building: 5,
      proposed: 3,
      passed_administrative_selection: 2,
      evaluated: 1,
      designated: 1,
      not_designated: 1,
      revoked: 1,
    })
    t.match(
      summary.proposals.instansi.find((i: { instansi: { id: string } }) => i.instansi.id === instansi.id),
      {
        instansi: { instansi_kind: 'kabupaten' },
        WBK: { eligible: true },
        WBBM: { eligible: true },
        package_complete: true,
      },
    )
    // the funnel comes from counters kept by triggers: they equal a rebuild from the rows
    const snapshot = sql`select scope_id, metric, count from dashboard_counters
      where period_id = ${period.id} and kind = 'proposal' and count <> 0 order by 1, 2`
    const kept = await queryRows(app.db, snapshot)
    t.ok(kept.length > 0, 'proposal counters exist')
    await app.db.transaction((tx) => tx.execute(sql`select dashboard_rebuild()`))
    t.same(await queryRows(app.db, snapshot), kept, 'the proposal counters equal a rebuild from scratch')
    const scoped = await ok('GET', `/v1/dashboards/periods/${period.id}/summary`, undefined, viewerOther)
    t.same(scoped.proposals.funnel.declared, 0)
    t.same(
      scoped.proposals.instansi.map((i: { instansi: { id: string } }) => i.instansi.id),
      [other.id],
      'a reader sees its own instansi’s gate',
    )
  })
})
