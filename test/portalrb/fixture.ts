import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { and, eq } from 'drizzle-orm'
import type { Test } from 'tap'
import type { DeclarationStatus, Target } from '../../src/modules/declarations/rules.js'
import { declarations } from '../../src/modules/declarations/tables.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import type { GateIndicator } from '../../src/modules/proposals/rules.js'
import { instansiGateValues, proposals } from '../../src/modules/proposals/tables.js'
import { units as unitsTable } from '../../src/modules/units/tables.js'
import { buildTestApp, type TestContext } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { multipartBody, pdfBytes } from '../helpers/multipart.js'
import { hoursFromNow, insertPeriod } from '../helpers/periods.js'
import { insertUnit } from '../helpers/units.js'

export const PUBLIC_BASE_URL = 'https://zi.contoh.go.id'
export const BASE = '/portalrb'

const PROPOSED_OR_LATER: readonly DeclarationStatus[] = [
  'proposed',
  'evaluated',
  'designated',
  'not_designated',
  'revoked',
]

/**
 * A declaration row straight into the table, in any status (the declarations and proposals
 * modules test the lifecycle); proposed or later comes with its proposals row, as if proposed
 * through the proposal rules.
 */
export async function declare(
  ctx: Pick<TestContext, 'app'>,
  unit: { id: string; instansiId?: string },
  periodId: string,
  target: Target,
  status: DeclarationStatus,
): Promise<void> {
  await ctx.app.db.insert(declarations).values({ unitId: unit.id, periodId, target, status, declaredOn: '2026-01-20' })
  if (PROPOSED_OR_LATER.includes(status)) await recordProposal(ctx, unit, periodId)
}

/** The proposals row of a unit's declaration in the period (what POST /v1/periods/{id}/proposals writes once every rule passed). */
export async function recordProposal(
  ctx: Pick<TestContext, 'app'>,
  unit: { id: string; instansiId?: string },
  periodId: string,
): Promise<void> {
  const [d] = await ctx.app.db
    .select()
    .from(declarations)
    .where(and(eq(declarations.unitId, unit.id), eq(declarations.periodId, periodId)))
  if (!d) throw new Error('no declaration')
  await ctx.app.db.insert(proposals).values({
    declarationId: d.id,
    periodId,
    unitId: unit.id,
    instansiId: unit.instansiId ?? unit.id,
    target: d.target,
    route: 'regular',
    checks: [],
    proposedByName: 'test setup',
  })
}

/** Gate values with which a Pemda passes both the WBK and the WBBM gate in the period. */
export async function passGate(ctx: Pick<TestContext, 'app'>, instansiId: string, periodId: string): Promise<void> {
  await ctx.app.db.update(unitsTable).set({ instansiKind: 'kabupaten' }).where(eq(unitsTable.id, instansiId))
  const values: [GateIndicator, string | number][] = [
    ['opini_bpk', 'WTP'],
    ['spip_level', 3],
    ['sakip_score', 75.5],
    ['indeks_rb', 65.2],
  ]
  for (const [indicator, value] of values)
    await ctx.app.db
      .insert(instansiGateValues)
      .values({ instansiId, periodId, indicator, value, recordedByName: 'test setup' })
}

export async function seededInstrumentId(ctx: Pick<TestContext, 'app'>): Promise<string> {
  const [row] = await ctx.app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  if (!row) throw new Error('the bundled LKE-ZI-2026 is not seeded')
  return row.id
}

/**
 * A Pemda proposing units to PortalRB in ZI-2026 (every window open now), with last year's period
 * (proposal closed) beside it:
 *
 * | unit | PortalRB id | declaration 2026 | afirmasi |
 * |---|---|---|---|
 * | Dinas Kesehatan (OPD) | code 1.02.01 | WBK proposed | no |
 * | Puskesmas Satu | external UNIT-PKM-001 | WBK proposed | yes |
 * | Puskesmas Dua | code PKM-002 | WBK building | no |
 * | Dinas Pendidikan (OPD) | external UNIT-DISDIK | WBBM evaluated | no |
 * | RSUD Contoh | code RSUD-01 | WBBM proposed | yes |
 * | SMP Negeri 1 | code SMP-01 | WBK declared | no |
 * | SMP Negeri 2 | code SMP-02 | WBK revoked (2026), WBK proposed (2025) | no |
 * | Dinas Sosial (OPD) | code 1.06.01 | WBK designated | no |
 */
export async function portalrbWorld(t: Test, env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'zi-portalrb-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const ctx = await buildTestApp(t, { DATA_DIR: dataDir, PUBLIC_BASE_URL, RATE_LIMIT_MAX: '100000', ...env })
  const { app } = ctx
  const lke = await seededInstrumentId(ctx)
  const period = await insertPeriod(ctx, { instrumentVersionId: lke, year: 2026, code: 'ZI-2026' })
  const lastYear = await insertPeriod(ctx, {
    instrumentVersionId: lke,
    year: 2025,
    code: 'ZI-2025',
    windows: { proposal: { opens_at: hoursFromNow(-24 * 400), closes_at: hoursFromNow(-24 * 300) } },
  })

  const instansi = await insertUnit(ctx, { kind: 'instansi', code: '3201', name: 'Pemerintah Kabupaten Contoh' })
  const dinkes = await insertUnit(ctx, { kind: 'opd', parent: instansi, code: '1.02.01', name: 'Dinas Kesehatan' })
  const pkm1 = await insertUnit(ctx, {
    kind: 'unit',
    parent: dinkes,
    code: 'PKM-001',
    name: 'Puskesmas Satu',
    afirmasi: true,
    externalIds: { portalrb: 'UNIT-PKM-001', sipd: '1.02.01.01' },
  })
  const pkm2 = await insertUnit(ctx, { kind: 'unit', parent: dinkes, code: 'PKM-002', name: 'Puskesmas Dua' })
  const disdik = await insertUnit(ctx, {
    kind: 'opd',
    parent: instansi,
    code: '1.01.01',
    name: 'Dinas Pendidikan',
    externalIds: { portalrb: 'UNIT-DISDIK' },
  })
  const rsud = await insertUnit(ctx, {
    kind: 'unit',
    parent: dinkes,
    code: 'RSUD-01',
    name: 'RSUD Contoh',
    afirmasi: true,
  })
  const smp1 = await insertUnit(ctx, { kind: 'unit', parent: disdik, code: 'SMP-01', name: 'SMP Negeri 1' })
  const smp2 = await insertUnit(ctx, { kind: 'unit', parent: disdik, code: 'SMP-02', name: 'SMP Negeri 2' })
  const dinsos = await insertUnit(ctx, { kind: 'opd', parent: instansi, code: '1.06.01', name: 'Dinas Sosial' })

  await passGate(ctx, instansi.id, period.id)
  await passGate(ctx, instansi.id, lastYear.id)
  await declare(ctx, dinkes, period.id, 'WBK', 'proposed')
  await declare(ctx, pkm1, period.id, 'WBK', 'proposed')
  await declare(ctx, pkm2, period.id, 'WBK', 'building')
  await declare(ctx, disdik, period.id, 'WBBM', 'evaluated')
  await declare(ctx, rsud, period.id, 'WBBM', 'proposed')
  await declare(ctx, smp1, period.id, 'WBK', 'declared')
  await declare(ctx, smp2, period.id, 'WBK', 'revoked')
  await declare(ctx, smp2, lastYear.id, 'WBK', 'proposed')
  await declare(ctx, dinsos, period.id, 'WBK', 'designated')

  const integration = bearer(await createToken(ctx, 'integration', { name: 'portalrb' }))
  const admin = bearer(await createToken(ctx, 'admin'))
  return {
    ctx,
    app,
    dataDir,
    period,
    lastYear,
    lke,
    units: { instansi, dinkes, pkm1, pkm2, disdik, rsud, smp1, smp2, dinsos },
    integration,
    admin,
  }
}

export type World = Awaited<ReturnType<typeof portalrbWorld>>

/**
 * Puskesmas Satu's LKE through the API: the unit answers (with notes and evidence: a link, and
 * an uploaded PDF) and submits; the TPI starts from a copy, changes two answers with notes and
 * submits. Returns what the test needs to check the served answers.
 */
export async function fillPkm1(t: Test, world: World) {
  const { app, period, units } = world
  const operator = bearer(await createToken(world.ctx, 'unit_operator', { unitIds: [units.pkm1.id] }))
  const evaluator = bearer(await createToken(world.ctx, 'evaluator', { unitIds: [units.dinkes.id] }))
  const ok = (res: { statusCode: number; body: string }, status: number, what: string) => {
    if (res.statusCode !== status) t.fail(`${what}: ${res.statusCode} ${res.body}`)
    return JSON.parse(res.body || 'null')
  }

  const link = ok(
    await app.inject({
      method: 'POST',
      url: '/v1/evidence/links',
      headers: operator,
      payload: {
        unit_id: units.pkm1.id,
        period_id: period.id,
        title: 'SK Tim ZI',
        url: 'https://drive.example.go.id/sk-tim-zi',
      },
    }),
    201,
    'link evidence',
  )
  const pdf = pdfBytes(2048)
  const form = multipartBody(
    { unit_id: units.pkm1.id, period_id: period.id, title: 'Notulen rapat' },
    { name: 'notulen.pdf', type: 'application/pdf', content: pdf },
  )
  const file = ok(
    await app.inject({
      method: 'POST',
      url: '/v1/evidence/files',
      headers: { ...operator, ...form.headers },
      payload: form.payload,
    }),
    201,
    'file evidence',
  )

  const assessment = ok(
    await app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: operator,
      payload: { period_id: period.id, unit_id: units.pkm1.id },
    }),
    201,
    'assessment',
  )
  const url = `/v1/assessments/${assessment.id}`
  ok(
    await app.inject({
      method: 'POST',
      url: `${url}/stages/self/answers/batch`,
      headers: operator,
      payload: {
        answers: [
          // stored as typed ("ya", "b"): served as the master soal writes the options
          { question_code: 'Q1', value: 'ya', note: 'SK Tim ZI No. 1/2026', evidence_ids: [link.id, file.id] },
          { question_code: 'Q2', value: 'b', note: '', evidence_ids: [link.id] },
          { question_code: 'Q6', value: 'C' },
          { question_code: 'Q14', value: 'E' },
          { question_code: 'Q88', value: 12 },
          { question_code: 'Q89', value: 7 },
          { question_code: 'Q125', value: 3.67 },
          { question_code: 'Q127', value: 4 },
        ],
      },
    }),
    200,
    'self answers',
  )
  const move = async (stage: string, to: string, headers: Record<string, string>, reason?: string) =>
    ok(
      await app.inject({
        method: 'POST',
        url: `${url}/stages/${stage}/transitions`,
        headers,
        payload: { to, ...(reason ? { reason } : {}) },
      }),
      200,
      `${stage} → ${to}`,
    )
  await move('self', 'submitted', operator)
  ok(
    await app.inject({
      method: 'POST',
      url: `${url}/stages`,
      headers: evaluator,
      payload: { kind: 'tpi', copy_from: 'self' },
    }),
    201,
    'tpi stage',
  )
  ok(
    await app.inject({
      method: 'POST',
      url: `${url}/stages/tpi/answers/batch`,
      headers: evaluator,
      payload: {
        answers: [
          { question_code: 'Q1', value: 'Tidak', note: 'SK belum ditandatangani' },
          { question_code: 'Q89', value: 5, note: 'dua perubahan tanpa bukti' },
        ],
      },
    }),
    200,
    'tpi answers',
  )
  await move('tpi', 'submitted', evaluator)
  return { operator, evaluator, link, file, pdf, assessmentUrl: url, move, ok }
}
