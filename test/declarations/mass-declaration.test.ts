import t from 'tap'
import { count, eq } from 'drizzle-orm'
import { verifyChain } from '../../src/modules/audit/service.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { declarations } from '../../src/modules/declarations/tables.js'
import { events } from '../../src/modules/events/tables.js'
import { units } from '../../src/modules/units/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertUnit } from '../helpers/units.js'

t.test('mass pencanangan', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const admin = bearer(await createToken(ctx, 'admin'))
  const pemda = await insertUnit(ctx, { kind: 'instansi', code: 'KOTA-PKL', name: 'Pemerintah Kota Pekalongan' })
  const opds: Awaited<ReturnType<typeof insertUnit>>[] = []
  for (let i = 1; i <= 40; i++)
    opds.push(await insertUnit(ctx, { kind: 'opd', parent: pemda, code: `OPD-${i}`, name: `Dinas ${i}` }))
  const archived = await insertUnit(ctx, { kind: 'opd', parent: pemda, code: 'OPD-OLD', name: 'Dinas Lama' })
  await app.db.update(units).set({ archivedAt: new Date() }).where(eq(units.id, archived.id))
  const period = await insertPeriod(ctx, { year: 2026, code: 'ZI-2026' })
  const piagam = {
    kind: 'piagam_pencanangan',
    title: 'Piagam Pencanangan ZI',
    url: 'https://pekalongankota.go.id/zi/piagam.pdf',
  }
  const pakta = { kind: 'pakta_integritas', url: 'https://pekalongankota.go.id/zi/pakta.pdf' }
  const every = opds.map((o) => ({ unit_id: o.id, target: 'WBK' }))
  const batch = (payload: Record<string, unknown>, headers = admin) =>
    app.inject({ method: 'POST', url: '/v1/declarations/batch', headers, payload })
  const body = (extra: Record<string, unknown> = {}) => ({
    period_id: period.id,
    declared_on: '2026-12-09',
    documents: [piagam, pakta],
    notes: 'Pencanangan bersama Wali Kota, Hari Antikorupsi Sedunia',
    units: every,
    ...extra,
  })
  const totals = async () => ({
    declarations: Number((await app.db.select({ n: count() }).from(declarations))[0]?.n),
    audit: Number((await app.db.select({ n: count() }).from(auditEvents))[0]?.n),
    events: Number((await app.db.select({ n: count() }).from(events))[0]?.n),
  })

  t.test('a dry run lists every OPD’s verdict and writes nothing', async (t) => {
    const before = await totals()
    const res = await batch(body({ dry_run: true }))
    t.equal(res.statusCode, 200)
    const out = res.json()
    t.match(out, { dry_run: true, declared: 40, refused: 0 })
    t.match(out.units[0], {
      index: 0,
      code: 'OPD-1',
      name: 'Dinas 1',
      verdict: 'ok',
      declaration_id: null,
      problem: null,
    })
    t.same(await totals(), before)
  })

  t.test('an ineligible unit refuses the whole request, and every refusal is named', async (t) => {
    const before = await totals()
    const res = await batch(
      body({
        units: [
          ...every,
          { unit_id: pemda.id, target: 'WBK' },
          { unit_id: archived.id, target: 'WBK' },
          { unit_id: opds[0]?.id, target: 'WBK' },
        ],
      }),
    )
    t.equal(res.statusCode, 422)
    const problem = res.json()
    t.equal(problem.code, 'declarations_refused')
    const refused = problem.units.filter((u: { verdict: string }) => u.verdict === 'refused')
    t.same(
      refused.map((u: { index: number; code: string; problem: { code: string } }) => [u.index, u.code, u.problem.code]),
      [
        [40, 'KOTA-PKL', 'unit_kind_not_eligible'],
        [41, 'OPD-OLD', 'unit_archived'],
        [42, 'OPD-1', 'declaration_exists'],
      ],
    )
    t.match(problem.errors, [{ pointer: '/body/units/40/unit_id' }, { pointer: '/body/units/41/unit_id' }, {}])
    t.same(await totals(), before, 'nothing written')
  })

  t.test(
    'WBBM without an earlier WBK is refused at the unit’s target; a bad shared document at the shared list',
    async (t) => {
      const res = await batch(
        body({
          documents: [piagam, { kind: 'other', title: 'foto upacara' }],
          units: [{ unit_id: opds[1]?.id, target: 'WBBM' }, ...every.slice(2)],
        }),
      )
      t.equal(res.statusCode, 422)
      const verdicts = res.json().units
      t.match(verdicts[0].problem, { code: 'wbbm_requires_wbk', errors: [{ pointer: '/body/units/0/target' }] })
      t.match(verdicts[1].problem, { code: 'document_source_missing', errors: [{ pointer: '/body/documents/1' }] })
    },
  )

  t.test('declared for every OPD in one request: one audit record and one event each', async (t) => {
    const before = await totals()
    const res = await batch(body())
    t.equal(res.statusCode, 201)
    const out = res.json()
    t.match(out, { dry_run: false, declared: 40, refused: 0 })
    t.same(await totals(), {
      declarations: before.declarations + 40,
      audit: before.audit + 40,
      events: before.events + 40,
    })
    const first = await app.inject({
      method: 'GET',
      url: `/v1/declarations/${out.units[0].declaration_id}`,
      headers: admin,
    })
    t.match(first.json(), {
      unit_id: opds[0]?.id,
      status: 'declared',
      target: 'WBK',
      declared_on: '2026-12-09',
      documents: [piagam, pakta],
      history: [{ from: null, to: 'declared' }],
    })
    const created = await app.db.select().from(events).where(eq(events.type, 'declaration.created'))
    t.equal(created.length, 40)
    t.match(await verifyChain(app.db), { valid: true }, 'the audit chain holds after the rolled-back runs')
  })

  t.test('a unit operator declares only its own units', async (t) => {
    const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [archived.id] }))
    const res = await batch(body({ units: [{ unit_id: opds[5]?.id, target: 'WBK' }], dry_run: true }), operator)
    t.equal(res.statusCode, 200)
    t.match(res.json().units[0], { verdict: 'refused', code: null, name: null, problem: { code: 'unit_not_found' } })
  })

  t.test('an unknown period is refused once', async (t) => {
    const res = await batch(body({ period_id: '00000000-0000-4000-8000-000000000000' }))
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'period_not_found')
  })
})
