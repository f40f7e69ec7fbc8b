/**
 * Survei mandiri end to end: a campaign answered by 30 respondents through the public link gives
 * the index computed by hand below and proposes Q125 / Q127; a void (audited) leaves 29 and the
 * index is flagged; a justification makes it final; invitation codes admit one response each;
 * an import with bad rows names each; the public side is rate-limited and reveals nothing else.
 */
import { randomBytes } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import t from 'tap'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { hoursFromNow, insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

const IPAK = ['IPAK-1', 'IPAK-2', 'IPAK-3', 'IPAK-4', 'IPAK-5']
const IPKP = Array.from({ length: 9 }, (_, i) => `IPKP-${i + 1}`)
const HTML = { accept: 'text/html,application/xhtml+xml' }
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/**
 * The 30 respondents and the index by hand:
 * - IPAK: 20 answer 4 everywhere, 10 answer 3,3,4,4,3. Items 1, 2 and 5: (20·4 + 10·3) / 30 = 110/30;
 *   items 3 and 4: 4. Index = (3 · 110/30 + 2 · 4) / 5 = (11 + 8) / 5 = 3.80.
 * - IPKP: 15 answer 3 and 15 answer 4 on every item but IPKP-4 (biaya), which all 30 answer 4:
 *   eight items at 3.5, one at 4. Index = (8 · 3.5 + 4) / 9 = 32/9 = 3.5555… → 3.56.
 */
function respondent(i: number): Record<string, string> {
  const fields: Record<string, string> = {}
  const ipak = i < 20 ? [4, 4, 4, 4, 4] : [3, 3, 4, 4, 3]
  IPAK.forEach((code, j) => {
    fields[`ipak.${code}`] = String(ipak[j])
  })
  IPKP.forEach((code) => {
    fields[`ipkp.${code}`] = code === 'IPKP-4' ? '4' : i % 2 === 0 ? '3' : '4'
  })
  fields.service_type = i % 3 === 0 ? 'Imunisasi' : 'Rawat jalan'
  fields.age_band = '30_39'
  return fields
}
const encode = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

t.test('survei mandiri', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false', SURVEY_SUBMIT_MAX: '3' })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const def = loadSeedInstrument()
  const [seeded] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, def.code))
  const period = await insertPeriod(ctx, { instrumentVersionId: seeded!.id })
  const admin = bearer(await createToken(ctx, 'admin'))
  const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] }))
  const operatorB = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.b1.id] }))
  const tpi = bearer(await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id] }))

  const ok = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    headers: Record<string, string>,
    payload?: unknown,
  ) => {
    const res = await app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
  const campaignBody = (unitId: string, extra: Record<string, unknown> = {}) => ({
    unit_id: unitId,
    period_id: period.id,
    name: 'Survei Triwulan I',
    service_types: ['Rawat jalan', 'Imunisasi', 'Laboratorium'],
    opens_at: hoursFromNow(-1),
    closes_at: hoursFromNow(48),
    ...extra,
  })
  const campaign = await ok('POST', '/v1/survey/campaigns', operator, campaignBody(tree.a1.id))
  const token = new URL(campaign.public_url).pathname.split('/').pop()!
  t.match(token, /^[A-Za-z0-9_-]{32}$/, 'the link carries a 32-character random token')
  t.equal(campaign.unit_name, 'Puskesmas Satu')

  await t.test('an operator cannot start a survey for a unit outside their scope', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/survey/campaigns',
      headers: operatorB,
      payload: campaignBody(tree.a1.id),
    })
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'unit_not_found')
    const read = await app.inject({ method: 'GET', url: `/v1/survey/campaigns/${campaign.id}`, headers: operatorB })
    t.equal(read.statusCode, 404)
  })

  await t.test('the public form: in Bahasa Indonesia, anonymous, about this unit only', async (t) => {
    const res = await app.inject({ method: 'GET', url: `/s/${token}`, headers: HTML })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /text\/html/)
    t.match(res.headers['content-security-policy'], /form-action 'self'/)
    t.match(res.body, /lang="id"/)
    t.match(res.body, /Puskesmas Satu/)
    t.match(res.body, /anonim/)
    for (const other of ['Puskesmas Dua', 'SMP Negeri 1', 'Dinas Pendidikan', tree.a1.id, campaign.id])
      t.notOk(res.body.includes(other), `the form does not name ${other}`)
    t.notMatch(res.body, /name="(nama|name|phone|telepon|email)"/i, 'no field for a name, phone or e-mail')
    const unknown = await app.inject({
      method: 'GET',
      url: `/s/${randomBytes(24).toString('base64url')}`,
      headers: HTML,
    })
    const unknown2 = await app.inject({
      method: 'GET',
      url: `/s/${randomBytes(24).toString('base64url')}`,
      headers: HTML,
    })
    t.equal(unknown.statusCode, 404)
    t.equal(unknown.body, unknown2.body, 'every unknown token gets the same page')
    const json = await app.inject({ method: 'GET', url: `/s/${randomBytes(24).toString('base64url')}` })
    t.equal(json.json().code, 'survey_not_found')
    const list = await app.inject({ method: 'GET', url: '/v1/survey/campaigns' })
    t.equal(list.statusCode, 401, 'campaigns are listed only with a token')
  })

  await t.test('30 respondents through the public link give the index computed by hand', async (t) => {
    for (let i = 0; i < 30; i++) {
      const res = await app.inject({
        method: 'POST',
        url: `/s/${token}`,
        headers: { ...HTML, ...FORM },
        payload: encode(respondent(i)),
        remoteAddress: `10.0.${i}.1`,
      })
      if (res.statusCode !== 201) throw new Error(`respondent ${i}: ${res.statusCode} ${res.body}`)
      t.match(res.body, /Terima kasih/)
    }
    const r = await ok('GET', `/v1/survey/campaigns/${campaign.id}/results`, tpi)
    t.equal(r.respondents, 30)
    t.equal(r.final, true)
    t.equal(r.below_minimum, false)
    t.equal(r.ipak.index_rounded, 3.8)
    t.equal(r.ipkp.index_rounded, 3.56)
    t.equal(r.ipak.lke_points, 16.63, '3.80 / 4 × 17.5 = 16.625 → 16.63')
    t.same(
      r.ipak.items.map((i: { mean: number }) => Math.round(i.mean * 1e6) / 1e6),
      [3.666667, 3.666667, 4, 4, 3.666667],
    )
    t.same(r.composition.missing_service_types, ['Laboratorium'])
    t.same(
      r.composition.by_service_type.map((c: { service_type: string; respondents: number }) => [
        c.service_type,
        c.respondents,
      ]),
      [
        ['Rawat jalan', 20],
        ['Imunisasi', 10],
        ['Laboratorium', 0],
      ],
    )
  })

  await t.test('a bad post is refused and changes nothing', async (t) => {
    const bad = { ...respondent(0), 'ipak.IPAK-1': '5', nama: 'Budi' }
    const res = await app.inject({
      method: 'POST',
      url: `/s/${token}`,
      headers: { ...HTML, ...FORM },
      payload: encode(bad),
      remoteAddress: '10.9.9.9',
    })
    t.equal(res.statusCode, 422)
    t.match(res.body, /jawaban harus 1, 2, 3 atau 4/)
    const json = await app.inject({
      method: 'POST',
      url: `/s/${token}`,
      headers: FORM,
      payload: encode(bad),
      remoteAddress: '10.9.9.8',
    })
    t.equal(json.json().code, 'response_invalid')
    t.same(
      json
        .json()
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
      ['/body/ipak.IPAK-1', '/body/nama'],
    )
    const big = await app.inject({
      method: 'POST',
      url: `/s/${token}`,
      headers: FORM,
      payload: `x=${'a'.repeat(20_000)}`,
      remoteAddress: '10.9.9.7',
    })
    t.equal(big.statusCode, 413)
    const r = await ok('GET', `/v1/survey/campaigns/${campaign.id}/results`, tpi)
    t.equal(r.respondents, 30)
  })

  await t.test('posting is rate-limited per address and campaign', async (t) => {
    const other = await ok('POST', '/v1/survey/campaigns', admin, campaignBody(tree.a2.id, { name: 'Survei lain' }))
    const otherToken = new URL(other.public_url).pathname.split('/').pop()!
    const post = (tok: string) =>
      app.inject({
        method: 'POST',
        url: `/s/${tok}`,
        headers: FORM,
        payload: encode(respondent(1)),
        remoteAddress: '10.7.7.7',
      })
    for (let i = 0; i < 3; i++) t.equal((await post(otherToken)).statusCode, 201)
    const limited = await post(otherToken)
    t.equal(limited.statusCode, 429)
    t.equal(limited.json().code, 'rate_limited')
    t.ok(Number(limited.headers['retry-after']) > 0)
    t.equal((await post(token)).statusCode, 201, 'the same address may still answer another campaign')
    // put the campaign back to 30 respondents for what follows
    const page = await ok('GET', `/v1/survey/campaigns/${campaign.id}/responses?limit=500`, admin)
    const last = page.items.at(-1)
    await ok('POST', `/v1/survey/responses/${last.id}/void`, admin, { reason: 'uji batas pengiriman' })
  })

  const assessment = await ok('POST', '/v1/assessments', admin, { period_id: period.id, unit_id: tree.a1.id })

  await t.test('the index proposes Q125 and Q127; the unit applies it; the TPI sees the provenance', async (t) => {
    const before = await ok('GET', `/v1/survey/assessments/${assessment.id}/lke`, tpi)
    const ipak = before.proposals.find((p: { kind: string }) => p.kind === 'ipak')
    const ipkp = before.proposals.find((p: { kind: string }) => p.kind === 'ipkp')
    t.match(ipak, {
      question_code: 'Q125',
      value: 3.8,
      respondents: 30,
      final: true,
      applied: null,
      current_answer: null,
    })
    t.match(ipkp, { question_code: 'Q127', value: 3.56, respondents: 30, final: true })
    t.equal(ipak.campaign.id, campaign.id)
    t.ok(ipak.computed_at)
    const tpiApply = await app.inject({
      method: 'POST',
      url: `/v1/survey/campaigns/${campaign.id}/lke`,
      headers: tpi,
      payload: { kind: 'ipak' },
    })
    t.equal(tpiApply.statusCode, 403, 'the unit decides, not the TPI')
    const applied = await ok('POST', `/v1/survey/campaigns/${campaign.id}/lke`, operator, { kind: 'ipak' })
    t.equal(applied.answer.question_code, 'Q125')
    t.equal(applied.answer.value, 3.8)
    t.match(applied.answer.note, /indeks 3,80 dari 30 responden/)
    t.match(applied.answer.note, campaign.id)
    const listed = await ok('GET', `/v1/assessments/${assessment.id}/stages/self/answers`, tpi)
    const answer = listed.answers.find((a: { question_code: string }) => a.question_code === 'Q125')
    t.equal(answer.value, 3.8, 'the TPI reads the answer with its note')
    t.match(answer.note, /Survei mandiri/)
    const after = await ok('GET', `/v1/survey/assessments/${assessment.id}/lke`, tpi)
    t.match(after.proposals[0], {
      current_answer: 3.8,
      changed_since_applied: false,
      applied: { value: 3.8, respondents: 30 },
    })
  })

  await t.test('a void is audited; 29 respondents are flagged; the change is visible', async (t) => {
    const page = await ok('GET', `/v1/survey/campaigns/${campaign.id}/responses?limit=2`, tpi)
    t.equal(page.items.length, 2)
    t.ok(page.next_cursor)
    const target = page.items[0]
    const refused = await app.inject({
      method: 'POST',
      url: `/v1/survey/responses/${target.id}/void`,
      headers: operator,
      payload: { reason: 'x' },
    })
    t.equal(refused.statusCode, 403, 'a unit operator does not void its own respondents')
    const voided = await ok('POST', `/v1/survey/responses/${target.id}/void`, tpi, {
      reason: 'responden belum selesai dilayani',
    })
    t.equal(voided.void_reason, 'responden belum selesai dilayani')
    const again = await app.inject({
      method: 'POST',
      url: `/v1/survey/responses/${target.id}/void`,
      headers: tpi,
      payload: { reason: 'lagi' },
    })
    t.equal(again.statusCode, 409)
    const [row] = await app.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, target.id), eq(auditEvents.action, 'survey.response_voided')))
    t.equal(row?.action, 'survey.response_voided')
    t.match(row?.after, { reason: 'responden belum selesai dilayani' })
    const r = await ok('GET', `/v1/survey/campaigns/${campaign.id}/results`, tpi)
    t.match(r, { respondents: 29, voided: 2, below_minimum: true, final: false })
    const lke = await ok('GET', `/v1/survey/assessments/${assessment.id}/lke`, tpi)
    t.match(lke.proposals[0], { final: false, respondents: 29, changed_since_applied: true, current_answer: 3.8 })
    const apply = await app.inject({
      method: 'POST',
      url: `/v1/survey/campaigns/${campaign.id}/lke`,
      headers: operator,
      payload: { kind: 'ipkp' },
    })
    t.equal(apply.statusCode, 409)
    t.equal(apply.json().code, 'survey_not_final')
    await ok('PUT', `/v1/survey/campaigns/${campaign.id}/justification`, operator, {
      justification: 'Puskesmas melayani 29 orang pada periode ini (seluruh populasi disurvei).',
    })
    const justified = await ok('GET', `/v1/survey/campaigns/${campaign.id}/results`, tpi)
    t.match(justified, { respondents: 29, below_minimum: true, final: true })
    const progress = await ok('GET', `/v1/survey/periods/${period.id}/progress`, tpi)
    t.match(
      progress.units.find((u: { unit_id: string }) => u.unit_id === tree.a1.id),
      {
        respondents: 29,
        minimum: 30,
        reached: false,
        justified: true,
      },
    )
    t.notOk(
      progress.units.some((u: { unit_id: string }) => u.unit_id === tree.b1.id),
      'progress shows only units in scope',
    )
  })

  await t.test('responses and published questionnaires cannot be changed or deleted', async (t) => {
    // drizzle wraps the database's error: the trigger's message is its cause
    const refusal = async (statement: ReturnType<typeof sql>) => {
      try {
        await app.db.execute(statement)
        return 'accepted'
      } catch (error) {
        return String((error as { cause?: { message?: string } }).cause?.message ?? error)
      }
    }
    t.match(await refusal(sql`update survey_responses set answers = '{}'::jsonb`), /immutable/)
    t.match(await refusal(sql`delete from survey_responses`), /immutable/)
    t.match(await refusal(sql`update survey_responses set void_reason = 'x' where voided_at is not null`), /immutable/)
    t.match(await refusal(sql`update survey_questionnaires set title = 'x'`), /published/)
  })

  await t.test('one response per invitation code: a replayed code is refused', async (t) => {
    const inv = await ok(
      'POST',
      '/v1/survey/campaigns',
      admin,
      campaignBody(tree.b2.id, { requires_invitation: true, kinds: ['ipak'] }),
    )
    const invToken = new URL(inv.public_url).pathname.split('/').pop()!
    const made = await app.inject({
      method: 'POST',
      url: `/v1/survey/campaigns/${inv.id}/invitations`,
      headers: admin,
      payload: { count: 2 },
    })
    t.equal(made.statusCode, 201)
    const [code] = made.json().codes
    const form = await app.inject({ method: 'GET', url: `/s/${invToken}?kode=${code}`, headers: HTML })
    t.match(form.body, new RegExp(`name="kode"[^>]*value="${code}"`), 'the code of an invitation link is filled in')
    const fields = Object.fromEntries(IPAK.map((c) => [`ipak.${c}`, '4']))
    const post = (kode: string, ip: string) =>
      app.inject({
        method: 'POST',
        url: `/s/${invToken}`,
        headers: FORM,
        payload: encode({ ...fields, kode }),
        remoteAddress: ip,
      })
    t.equal((await post(code, '10.1.0.1')).statusCode, 201)
    const replay = await post(code, '10.1.0.2')
    t.equal(replay.statusCode, 409)
    t.equal(replay.json().code, 'invitation_used')
    const unknown = await post('ZZZZZZZZZZ', '10.1.0.3')
    t.equal(unknown.json().code, 'invitation_unknown')
    const none = await post('', '10.1.0.4')
    t.equal(none.statusCode, 422)
    const r = await ok('GET', `/v1/survey/campaigns/${inv.id}/results`, admin)
    t.equal(r.respondents, 1)
    t.equal(r.ipkp, null)
  })

  await t.test('an import names every bad row and stores nothing; a good one is stored', async (t) => {
    const imp = await ok(
      'POST',
      '/v1/survey/campaigns',
      admin,
      campaignBody(tree.a2.id, { name: 'Impor Google Form', kinds: ['ipak'] }),
    )
    const header = ['Timestamp', 'Nama (tidak disimpan)', 'Jenis layanan', ...IPAK.map((c) => `[${c}] pernyataan`)]
    const csv = [
      header.join(','),
      '2026/01/05 10:00,Ani,Rawat jalan,4,4,4,4,4',
      '2026/01/05 10:05,Budi,Apotek,4,4,9,4,4',
      '2026/01/05 10:07,Citra,Imunisasi,4,,4,4,Setuju',
      '2026/01/05 10:09,Dedi,Imunisasi,Sangat setuju,3,3,3,x',
    ].join('\n')
    const bad = await app.inject({
      method: 'POST',
      url: `/v1/survey/campaigns/${imp.id}/imports`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: csv,
    })
    t.equal(bad.statusCode, 422)
    t.equal(bad.json().code, 'import_rows_invalid')
    t.same(
      bad
        .json()
        .rows.map((r: { row: number; column: string; rule: string }) => [r.row, r.column.split(' ')[0], r.rule]),
      [
        [3, 'C', 'unknown_choice'],
        [3, 'F', 'out_of_scale'],
        [4, 'E', 'required'],
        [5, 'H', 'out_of_scale'],
      ],
    )
    t.equal((await ok('GET', `/v1/survey/campaigns/${imp.id}/results`, admin)).respondents, 0, 'nothing stored')
    const good = csv
      .split('\n')
      .filter((_, i) => i !== 2 && i !== 4)
      .join('\n')
      .replace(',4,,4,4,Setuju', ',4,3,4,4,Setuju')
    const stored = await app.inject({
      method: 'POST',
      url: `/v1/survey/campaigns/${imp.id}/imports?file_name=google-form.csv`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: good,
    })
    t.equal(stored.statusCode, 201, stored.body)
    t.match(stored.json(), { imported: 2, ignored_columns: ['Timestamp', 'Nama (tidak disimpan)'] })
    // an .xlsx export with a 1–6 scale: 6 ↦ 4, 1 ↦ 1
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('Form Responses 1')
    ws.addRow(['Timestamp', ...IPAK])
    ws.addRow(['2026-01-06', 6, 6, 6, 6, 1])
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer())
    const viaXlsx = await app.inject({
      method: 'POST',
      url: `/v1/survey/campaigns/${imp.id}/imports?scale=6`,
      headers: { ...admin, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: xlsx,
    })
    t.equal(viaXlsx.statusCode, 201, viaXlsx.body)
    const r = await ok('GET', `/v1/survey/campaigns/${imp.id}/results`, admin)
    t.equal(r.respondents, 3)
    // IPAK-5 answers: 4 (Ani), 3 (Citra, "Setuju"), 1 (the xlsx) → 8/3
    t.equal(Math.round(r.ipak.items[4].mean * 1e6) / 1e6, 2.666667)
    const notCsv = await app.inject({
      method: 'POST',
      url: `/v1/survey/campaigns/${imp.id}/imports`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: Buffer.from([0xff, 0xfe, 0x00]),
    })
    t.equal(notCsv.json().code, 'file_unreadable')
    const tooBig = await app.inject({
      method: 'POST',
      url: `/v1/survey/campaigns/${imp.id}/imports`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: 'a'.repeat(3 * 1024 * 1024),
    })
    t.equal(tooBig.statusCode, 413)
  })

  await t.test('results as CSV, the aspects chart and the QR code', async (t) => {
    const csv = await app.inject({
      method: 'GET',
      url: `/v1/survey/campaigns/${campaign.id}/results.csv`,
      headers: tpi,
    })
    t.equal(csv.statusCode, 200)
    t.match(csv.headers['content-type'], /text\/csv/)
    t.match(csv.body, /ipak,index,IPAK,/)
    const chart = await app.inject({
      method: 'GET',
      url: `/v1/survey/campaigns/${campaign.id}/chart.svg`,
      headers: tpi,
    })
    t.match(chart.headers['content-type'], /image\/svg\+xml/)
    t.match(chart.body, /^<svg/)
    t.match(chart.body, /diskriminasi/)
    const qr = await app.inject({ method: 'GET', url: `/v1/survey/campaigns/${campaign.id}/qr`, headers: operator })
    t.match(qr.body, /<svg/)
    const png = await app.inject({
      method: 'GET',
      url: `/v1/survey/campaigns/${campaign.id}/qr?format=png`,
      headers: operator,
    })
    t.equal(png.headers['content-type'], 'image/png')
    t.same([...png.rawPayload.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47])
  })

  await t.test('an admin adapts a questionnaire for the period and publishes it; then it is frozen', async (t) => {
    const list = await ok('GET', '/v1/survey/questionnaires?kind=ipak', operator)
    const bundled = list.items.find((q: { code: string }) => q.code === 'IPAK-2021')
    t.equal(bundled.status, 'published')
    const denied = await app.inject({
      method: 'POST',
      url: '/v1/survey/questionnaires',
      headers: operator,
      payload: { based_on_id: bundled.id, period_id: period.id, code: 'IPAK-X' },
    })
    t.equal(denied.statusCode, 403)
    const draft = await ok('POST', '/v1/survey/questionnaires', admin, {
      based_on_id: bundled.id,
      period_id: period.id,
      code: 'IPAK-2026-DINKES',
    })
    t.equal(draft.status, 'draft')
    const items = [
      ...draft.items,
      {
        code: 'IPAK-6',
        text: 'Tidak ada biaya tambahan untuk mempercepat layanan.',
        aspect: 'pungli',
        source: 'adaptasi Dinkes 2026',
      },
    ]
    const dup = await app.inject({
      method: 'PATCH',
      url: `/v1/survey/questionnaires/${draft.id}`,
      headers: admin,
      payload: { items: [...items, items[0]] },
    })
    t.equal(dup.statusCode, 422)
    const edited = await ok('PATCH', `/v1/survey/questionnaires/${draft.id}`, admin, { items })
    t.equal(edited.items.length, 6)
    const published = await ok('POST', `/v1/survey/questionnaires/${draft.id}/publish`, admin)
    t.equal(published.status, 'published')
    const frozen = await app.inject({
      method: 'PATCH',
      url: `/v1/survey/questionnaires/${draft.id}`,
      headers: admin,
      payload: { title: 'baru' },
    })
    t.equal(frozen.statusCode, 409)
    t.equal(frozen.json().code, 'questionnaire_published')
    // a new campaign of the period asks the adapted set
    const c = await ok('POST', '/v1/survey/campaigns', admin, campaignBody(tree.b1.id, { kinds: ['ipak'] }))
    t.equal(c.ipak_questionnaire_id, draft.id)
  })
})
