import { createHash } from 'node:crypto'
import { and, desc, eq } from 'drizzle-orm'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { declarations } from '../../src/modules/declarations/tables.js'
import { periods } from '../../src/modules/periods/tables.js'
import { bearer, createToken } from '../helpers/auth.js'
import { hoursFromNow, insertPeriod } from '../helpers/periods.js'
import { insertUnit } from '../helpers/units.js'
import { stageSnapshots, assessmentStages } from '../../src/modules/assessments/tables.js'
import { instansiGateValues } from '../../src/modules/proposals/tables.js'
import {
  BASE,
  PUBLIC_BASE_URL,
  declare,
  fillPkm1,
  portalrbWorld,
  recordProposal,
  seededInstrumentId,
} from './fixture.js'

type Answer = {
  soal_id: number
  jawaban_unit: string | null
  jawaban_tpi: string | null
  catatan_unit: string | null
  bukti_dukung_unit: string | null
  catatan_tpi: string | null
}
const blank = (soal_id: number): Answer => ({
  soal_id,
  jawaban_unit: null,
  jawaban_tpi: null,
  catatan_unit: null,
  bukti_dukung_unit: null,
  catatan_tpi: null,
})

t.test('PortalRB adapter behaviour', async (t) => {
  const world = await portalrbWorld(t)
  const { app, integration, units, period, admin } = world
  const filled = await fillPkm1(t, world)
  const get = (path: string, headers: Record<string, string> = integration) =>
    app.inject({ method: 'GET', url: `${BASE}${path}`, headers })
  const ids = async (path: string) => (await get(path)).json().units.map((u: { id: string }) => u.id)

  t.test('only units proposed (or further) in the current proposal period are listed', async (t) => {
    const wbk = await get('/pengusulan/unit-wbk')
    t.equal(wbk.statusCode, 200)
    t.same(
      wbk.json(),
      {
        tahun: 2026,
        units: [
          { id: '1.02.01', nama: 'Dinas Kesehatan', kategori: 'WBK', afirmasi: false },
          { id: '1.06.01', nama: 'Dinas Sosial', kategori: 'WBK', afirmasi: false },
          { id: 'UNIT-PKM-001', nama: 'Puskesmas Satu', kategori: 'WBK-AFIRMASI', afirmasi: true },
        ],
      },
      'proposed and designated; not building (PKM-002), declared (SMP-01), revoked (SMP-02) nor last year’s; ordered by id',
    )
    t.same(
      (await get('/pengusulan/unit-wbbm')).json(),
      {
        tahun: 2026,
        units: [
          { id: 'RSUD-01', nama: 'RSUD Contoh', kategori: 'WBBM', afirmasi: true },
          { id: 'UNIT-DISDIK', nama: 'Dinas Pendidikan', kategori: 'WBBM', afirmasi: false },
        ],
      },
      'WBBM targets only, kategori WBBM, afirmasi from the unit',
    )
    await app.db.update(declarations).set({ status: 'proposed' }).where(eq(declarations.unitId, units.pkm2.id))
    t.same(
      await ids('/pengusulan/unit-wbk'),
      ['1.02.01', '1.06.01', 'UNIT-PKM-001'],
      'a status set without passing the proposal rules is not listed',
    )
    await recordProposal(world.ctx, units.pkm2, world.period.id)
    t.same(
      await ids('/pengusulan/unit-wbk'),
      ['1.02.01', '1.06.01', 'PKM-002', 'UNIT-PKM-001'],
      'a unit appears once proposed through the rules',
    )
  })

  t.test('kategori WBK-AFIRMASI follows the unit’s afirmasi attribute', async (t) => {
    const patched = await app.inject({
      method: 'PATCH',
      url: `/v1/units/${units.dinkes.id}`,
      headers: admin,
      payload: { afirmasi: true },
    })
    t.equal(patched.statusCode, 200, patched.body)
    t.match(
      (await get('/pengusulan/unit-wbk')).json().units.find((u: { id: string }) => u.id === '1.02.01'),
      { kategori: 'WBK-AFIRMASI', afirmasi: true },
    )
    await app.inject({
      method: 'PATCH',
      url: `/v1/units/${units.dinkes.id}`,
      headers: admin,
      payload: { afirmasi: false },
    })
    t.match(
      (await get('/pengusulan/unit-wbk')).json().units.find((u: { id: string }) => u.id === '1.02.01'),
      { kategori: 'WBK', afirmasi: false },
    )
  })

  t.test('the id is the PortalRB external id, else the code', async (t) => {
    const set = (portalrb: string | null) =>
      app.inject({
        method: 'PATCH',
        url: `/v1/units/${units.dinkes.id}`,
        headers: admin,
        payload: { external_ids: { portalrb } },
      })
    t.equal((await set('PRB-DINKES')).statusCode, 200)
    t.ok((await ids('/pengusulan/unit-wbk')).includes('PRB-DINKES'), 'listed by its new PortalRB id')
    t.equal((await get('/lke/jawaban-unit/PRB-DINKES')).statusCode, 200, 'fetched by it')
    t.equal((await get('/lke/jawaban-unit/1.02.01')).statusCode, 404, 'not by its code any more')
    t.equal((await set(null)).statusCode, 200)
    t.ok((await ids('/pengusulan/unit-wbk')).includes('1.02.01'), 'back to its code once the PortalRB id is removed')
    t.equal((await get('/lke/jawaban-unit/1.02.01')).json().nama_unit, 'Dinas Kesehatan')
    const slash = await get(`/lke/jawaban-unit/${encodeURIComponent('1.02.01')}`)
    t.equal(slash.statusCode, 200, 'an id with dots, percent-encoded or not')
  })

  t.test('a token scoped to part of the tree sees only that part', async (t) => {
    const scoped = bearer(await createToken(world.ctx, 'integration', { unitIds: [units.disdik.id] }))
    t.same(
      (await get('/pengusulan/unit-wbk', scoped)).json(),
      { tahun: 2026, units: [] },
      'nothing proposed for WBK there: 200 with no units',
    )
    t.same(
      (await get('/pengusulan/unit-wbbm', scoped)).json().units.map((u: { id: string }) => u.id),
      ['UNIT-DISDIK'],
    )
  })

  t.test(
    'answers: the unit’s from its self stage, the TPI’s from the tpi stage, with notes and evidence links',
    async (t) => {
      const res = await get('/lke/jawaban-unit/UNIT-PKM-001')
      t.equal(res.statusCode, 200)
      const body = res.json()
      t.match(body, { unit_id: 'UNIT-PKM-001', nama_unit: 'Puskesmas Satu', tahun: 2026 })
      const answers = body.answers as Answer[]
      t.same(
        answers.map((a) => a.soal_id),
        [...answers.map((a) => a.soal_id)].sort((a, b) => a - b),
        'in soal_id order',
      )
      const byId = new Map(answers.map((a) => [a.soal_id, a]))
      t.same(
        byId.get(1),
        {
          soal_id: 1,
          jawaban_unit: 'Ya',
          jawaban_tpi: 'Tidak',
          catatan_unit: 'SK Tim ZI No. 1/2026',
          bukti_dukung_unit: `https://drive.example.go.id/sk-tim-zi\n${PUBLIC_BASE_URL}${BASE}/bukti-dukung/${filled.file.id}`,
          catatan_tpi: 'SK belum ditandatangani',
        },
        'Ya/Tidak as written in the master soal; the link as is, the file as a download URL, in upload order',
      )
      t.same(
        byId.get(2),
        {
          soal_id: 2,
          jawaban_unit: 'B',
          jawaban_tpi: 'B',
          catatan_unit: null,
          bukti_dukung_unit: 'https://drive.example.go.id/sk-tim-zi',
          catatan_tpi: null,
        },
        'ABC letter; an empty note is null; the TPI copy',
      )
      t.match(byId.get(6), { jawaban_unit: 'C', jawaban_tpi: 'C' }, 'ABCD')
      t.match(byId.get(14), { jawaban_unit: 'E', jawaban_tpi: 'E' }, 'ABCDE')
      t.match(byId.get(88), { jawaban_unit: '12', jawaban_tpi: '12' }, 'Jumlah as a whole number')
      t.match(
        byId.get(89),
        { jawaban_unit: '7', jawaban_tpi: '5', catatan_tpi: 'dua perubahan tanpa bukti' },
        'the TPI’s own count and note',
      )
      t.match(byId.get(125), { jawaban_unit: '3.67', jawaban_tpi: '3.67' }, 'survey index with its decimals')
      t.match(byId.get(127), { jawaban_unit: '4' })
      const answered = new Set([1, 2, 6, 14, 88, 89, 125, 127])
      for (const a of answers.filter((a) => !answered.has(a.soal_id)))
        t.same(a, blank(a.soal_id), `soal ${a.soal_id} not answered: all null`)
    },
  )

  t.test('file evidence downloads with the integration token', async (t) => {
    const url = `${BASE}/bukti-dukung/${filled.file.id}`
    const res = await app.inject({ method: 'GET', url, headers: integration })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/pdf')
    t.ok(res.rawPayload.equals(filled.pdf), 'the uploaded bytes')
    const sha = createHash('sha256').update(filled.pdf).digest('hex')
    t.equal(res.headers.etag, `"${sha}"`)
    t.equal(
      (await app.inject({ method: 'GET', url, headers: { ...integration, 'if-none-match': `"${sha}"` } })).statusCode,
      304,
    )
    t.equal((await app.inject({ method: 'GET', url, headers: admin })).statusCode, 403, 'integration only')
    const linkItem = await app.inject({
      method: 'GET',
      url: `${BASE}/bukti-dukung/${filled.link.id}`,
      headers: integration,
    })
    t.equal(linkItem.json().code, 'EVIDENCE_NOT_FOUND', 'a link has no file here (its URL is served as is)')
    const stray = await app.inject({
      method: 'POST',
      url: '/v1/evidence/links',
      headers: filled.operator,
      payload: { unit_id: units.pkm1.id, title: 'tidak dipakai', url: 'https://example.go.id/x' },
    })
    const other = await app.inject({
      method: 'GET',
      url: `${BASE}/bukti-dukung/${stray.json().id}`,
      headers: integration,
    })
    t.equal(other.statusCode, 404, 'evidence behind no served answer is not reachable')
  })

  t.test('drafts and revisions in progress are not sent until submitted', async (t) => {
    const before = await get('/lke/jawaban-unit/UNIT-PKM-001')
    const returned = await filled.move('self', 'returned', filled.evaluator, 'Perbaiki soal 2')
    t.equal(returned.status, 'returned')
    const revised = await app.inject({
      method: 'POST',
      url: `${filled.assessmentUrl}/stages/self/answers/batch`,
      headers: filled.operator,
      payload: { answers: [{ question_code: 'Q2', value: 'A', note: 'sudah diperbaiki' }] },
    })
    t.equal(revised.statusCode, 200, revised.body)
    const during = await get('/lke/jawaban-unit/UNIT-PKM-001')
    t.equal(
      during.body,
      before.body,
      'while the unit revises, PortalRB still gets the last submitted answers, byte for byte',
    )
    t.equal(during.headers.etag, before.headers.etag)
    await filled.move('self', 'submitted', filled.operator)
    const after = await get('/lke/jawaban-unit/UNIT-PKM-001')
    t.match(
      after.json().answers.find((a: Answer) => a.soal_id === 2),
      { jawaban_unit: 'A', catatan_unit: 'sudah diperbaiki', jawaban_tpi: 'B' },
    )
    t.not(after.headers.etag, before.headers.etag, 'a new ETag once resubmitted')
    const stale = await get('/lke/jawaban-unit/UNIT-PKM-001', {
      ...integration,
      'if-none-match': before.headers.etag as string,
    })
    t.equal(stale.statusCode, 200, 'the old ETag no longer matches')

    // Dinas Kesehatan: self submitted, TPI still a draft
    const operator = bearer(await createToken(world.ctx, 'unit_operator', { unitIds: [units.dinkes.id] }))
    const evaluator = bearer(await createToken(world.ctx, 'evaluator', { unitIds: [units.instansi.id] }))
    const unanswered = (await get('/lke/jawaban-unit/1.02.01')).json().answers as Answer[]
    t.ok(
      unanswered.every((a) => a.jawaban_unit === null && a.jawaban_tpi === null),
      'no assessment yet: every answer null',
    )
    const opened = await app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: operator,
      payload: { period_id: period.id, unit_id: units.dinkes.id },
    })
    const url = `/v1/assessments/${opened.json().id}`
    await app.inject({
      method: 'PUT',
      url: `${url}/stages/self/answers/Q3`,
      headers: operator,
      payload: { value: 'Ya' },
    })
    t.equal(
      (await get('/lke/jawaban-unit/1.02.01')).json().answers.find((a: Answer) => a.soal_id === 3).jawaban_unit,
      null,
      'a draft self-assessment is not sent',
    )
    await app.inject({
      method: 'POST',
      url: `${url}/stages/self/transitions`,
      headers: operator,
      payload: { to: 'submitted' },
    })
    t.equal(
      (
        await app.inject({
          method: 'POST',
          url: `${url}/stages`,
          headers: evaluator,
          payload: { kind: 'tpi', copy_from: 'self' },
        })
      ).statusCode,
      201,
    )
    const q3 = (await get('/lke/jawaban-unit/1.02.01')).json().answers.find((a: Answer) => a.soal_id === 3)
    t.same(q3, { ...blank(3), jawaban_unit: 'Ya' }, 'submitted self answer sent; the TPI’s working draft is not')
  })

  t.test('ETag and 304: identical bytes on every retry and every replica, new tag on change', async (t) => {
    const replica = await buildApp({ config: world.ctx.config, database: world.ctx.db.database, logger: false })
    await replica.ready()
    t.teardown(() => replica.close())
    for (const path of ['/pengusulan/unit-wbk', '/pengusulan/unit-wbbm', '/lke/jawaban-unit/UNIT-PKM-001']) {
      const first = await get(path)
      const retries = [
        await get(path),
        await get(path),
        await replica.inject({ method: 'GET', url: `${BASE}${path}`, headers: integration }),
      ]
      for (const [i, r] of retries.entries()) {
        t.equal(r.body, first.body, `${path}: try ${i + 2} byte-identical`)
        t.equal(r.headers.etag, first.headers.etag, `${path}: try ${i + 2} same ETag`)
      }
      const conditional = await replica.inject({
        method: 'GET',
        url: `${BASE}${path}`,
        headers: { ...integration, 'if-none-match': `W/${first.headers.etag}` },
      })
      t.equal(conditional.statusCode, 304, `${path}: another replica answers 304 to the tag (weak form too)`)
      t.equal(first.headers['cache-control'], 'private, no-cache', 'caches must revalidate')
    }
    const before = await get('/pengusulan/unit-wbk')
    await app.inject({
      method: 'PATCH',
      url: `/v1/units/${units.pkm1.id}`,
      headers: admin,
      payload: { name: 'UPTD Puskesmas Satu' },
    })
    const renamed = await get('/pengusulan/unit-wbk', {
      ...integration,
      'if-none-match': before.headers.etag as string,
    })
    t.equal(renamed.statusCode, 200, 'a rename changes the list: 200, not 304')
    t.not(renamed.headers.etag, before.headers.etag)
    t.match(renamed.json().units, [{}, {}, {}, { nama: 'UPTD Puskesmas Satu' }])
  })

  t.test('a reopened proposal window serves again; several open periods: the latest year', async (t) => {
    await app.db
      .update(periods)
      .set({
        windows: {
          proposal: { opens_at: hoursFromNow(-48), closes_at: hoursFromNow(-24), reopened_until: hoursFromNow(24) },
        },
      })
      .where(eq(periods.id, period.id))
    t.equal((await get('/pengusulan/unit-wbk')).statusCode, 200, 'reopened: served')
    const older = await insertPeriod(world.ctx, {
      instrumentVersionId: await seededInstrumentId(world.ctx),
      year: 2024,
      code: 'ZI-2024',
    })
    const late = await insertUnit(world.ctx, { kind: 'opd', parent: units.instansi, code: '9.99', name: 'Dinas Lama' })
    await declare(world.ctx, late, older.id, 'WBK', 'proposed')
    const list = (await get('/pengusulan/unit-wbk')).json()
    t.equal(list.tahun, 2026, 'the 2026 period wins over an open 2024 one')
    t.notOk(list.units.some((u: { id: string }) => u.id === '9.99'))
  })
})

t.test('the base path is configurable; without PUBLIC_BASE_URL links use the request’s host', async (t) => {
  const world = await portalrbWorld(t, { PORTALRB_BASE_PATH: '/api/zi/portalrb', PUBLIC_BASE_URL: '' })
  const { app, integration } = world
  const filled = await fillPkm1(t, world)
  const res = await app.inject({ method: 'GET', url: '/api/zi/portalrb/pengusulan/unit-wbk', headers: integration })
  t.equal(res.statusCode, 200)
  t.same(
    res.json().units.map((u: { id: string }) => u.id),
    ['1.02.01', '1.06.01', 'UNIT-PKM-001'],
  )
  const old = await app.inject({ method: 'GET', url: '/portalrb/pengusulan/unit-wbk', headers: integration })
  t.equal(old.statusCode, 404)
  t.match(old.headers['content-type'], /problem\+json/, 'nothing at the default path: the API’s own 404')
  const unknown = await app.inject({ method: 'GET', url: '/api/zi/portalrb/x', headers: integration })
  t.same(
    Object.keys(unknown.json()).sort(),
    ['code', 'error', 'message'],
    'unknown paths under the new base: the guide’s body',
  )
  const answers = (
    await app.inject({
      method: 'GET',
      url: '/api/zi/portalrb/lke/jawaban-unit/UNIT-PKM-001',
      headers: { ...integration, host: 'zi.internal:8080' },
    })
  ).json().answers
  t.equal(
    answers.find((a: Answer) => a.soal_id === 1).bukti_dukung_unit.split('\n')[1],
    `http://zi.internal:8080/api/zi/portalrb/bukti-dukung/${filled.file.id}`,
    'the file link under the configured base path, on the host PortalRB called',
  )
  const doc = app.swagger() as { paths: Record<string, unknown> }
  t.ok(doc.paths['/api/zi/portalrb/lke/jawaban-unit/{unit_id}'], 'documented where it is served')
})

t.test(
  'after the proposal window closes: the frozen proposal of the last period until the next window opens',
  async (t) => {
    const world = await portalrbWorld(t)
    const { app, integration, period } = world
    const filled = await fillPkm1(t, world)
    const get = (path: string) => app.inject({ method: 'GET', url: `${BASE}${path}`, headers: integration })
    const listOpen = (await get('/pengusulan/unit-wbk')).json()
    const answersOpen = (await get('/lke/jawaban-unit/UNIT-PKM-001')).json()

    // an answer set submitted after the close (a later snapshot of the TPI stage) is not served
    const [tpi] = await app.db
      .select({ id: assessmentStages.id })
      .from(assessmentStages)
      .where(
        and(
          eq(assessmentStages.kind, 'tpi'),
          eq(assessmentStages.assessmentId, filled.assessmentUrl.split('/').pop()!),
        ),
      )
    const [last] = await app.db
      .select()
      .from(stageSnapshots)
      .where(eq(stageSnapshots.stageId, tpi!.id))
      .orderBy(desc(stageSnapshots.createdAt))
      .limit(1)
    // closed just after the last submission (its snapshot), before the snapshot below
    await app.db
      .update(periods)
      .set({
        windows: {
          proposal: { opens_at: hoursFromNow(-48), closes_at: new Date(last!.createdAt.getTime() + 1).toISOString() },
        },
      })
      .where(eq(periods.id, period.id))
    await app.db.insert(stageSnapshots).values({
      stageId: tpi!.id,
      status: 'submitted',
      answers: last!.answers.map((a) => ({ ...a, note: 'changed after the close' })),
      score: last!.score,
    })

    const listClosed = await get('/pengusulan/unit-wbk')
    t.equal(listClosed.statusCode, 200, 'PortalRB’s manual refetch still answered after the close')
    t.same(listClosed.json(), listOpen, 'the same proposal, frozen')
    const answersClosed = await get('/lke/jawaban-unit/UNIT-PKM-001')
    t.equal(answersClosed.statusCode, 200)
    t.same(answersClosed.json(), answersOpen, 'the answers as submitted before the close')
    t.notOk(JSON.stringify(answersClosed.json()).includes('changed after the close'))
    t.equal((await get('/pengusulan/unit-wbbm')).json().tahun, 2026)

    // the next proposal window opens: that period is served (nothing proposed there yet)
    await insertPeriod(world.ctx, { instrumentVersionId: world.lke, year: 2027, code: 'ZI-2027' })
    t.same(
      (await get('/pengusulan/unit-wbk')).json(),
      { tahun: 2027, units: [] },
      'the next period, once its window opens',
    )
    t.equal(
      (await get('/lke/jawaban-unit/UNIT-PKM-001')).json().code,
      'UNIT_NOT_FOUND',
      'last period’s units are no longer served',
    )
  },
)

t.test('unit-wbbm when the instansi may not propose WBBM: 403 as the guide has it', async (t) => {
  const world = await portalrbWorld(t)
  const { app, integration, period, units } = world
  const get = (path: string, headers = integration) => app.inject({ method: 'GET', url: `${BASE}${path}`, headers })
  t.equal((await get('/pengusulan/unit-wbbm')).statusCode, 200, 'eligible: served')
  // SAKIP 65: still WBK (> 60), no longer WBBM (> 70)
  await app.db
    .update(instansiGateValues)
    .set({ value: 65 })
    .where(
      and(
        eq(instansiGateValues.instansiId, units.instansi.id),
        eq(instansiGateValues.periodId, period.id),
        eq(instansiGateValues.indicator, 'sakip_score'),
      ),
    )
  const refused = await get('/pengusulan/unit-wbbm')
  t.equal(refused.statusCode, 403)
  t.same(Object.keys(refused.json()).sort(), ['code', 'error', 'message'], 'the guide’s error body')
  t.match(refused.json(), { error: true, code: 'WBBM_NOT_ELIGIBLE', message: /tidak berhak mengusulkan WBBM/ })
  t.equal((await get('/pengusulan/unit-wbk')).statusCode, 200, 'unit-wbk still served')
  const scoped = bearer(await createToken(world.ctx, 'integration', { unitIds: [units.disdik.id] }))
  t.equal(
    (await get('/pengusulan/unit-wbbm', scoped)).statusCode,
    403,
    'a token scoped to an OPD: its instansi decides',
  )
})
