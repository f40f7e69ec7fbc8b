import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import type { Test } from 'tap'
import { ROLES, type Role } from '../../src/lib/policy.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { buildTestApp, type TestContext } from './app.js'
import { bearer, createToken } from './auth.js'
import { multipartBody, pdfBytes } from './multipart.js'
import { insertPeriod } from './periods.js'
import { insertSmallTree } from './units.js'
import type { Caller, IdPool } from './openapi-requests.js'

export interface HostileFixture {
  ctx: TestContext
  tokens: Record<Caller, string | null>
  ids: IdPool
  /** A private directory holding DATA_DIR (`<root>/data`), so escapes from it can be seen. */
  root: string
  dataDir: string
  portalrbBase: string
}

/**
 * An app on its own database with one of everything (units, a period on the bundled LKE, an
 * assessment with answers, a declaration, a link and a file, a second principal with a grant
 * and a token), and a token per role. Generated requests draw path and body ids from `ids`, so
 * they reach handlers and rows, not only the 404 path. Names contain no LIKE metacharacters.
 */
export async function hostileFixture(t: Test, env: Record<string, string> = {}): Promise<HostileFixture> {
  const root = mkdtempSync(join(tmpdir(), 'zi-hostile-'))
  const dataDir = join(root, 'data')
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const ctx = await buildTestApp(t, {
    RATE_LIMIT_MAX: '1000000',
    DATA_DIR: dataDir,
    EVIDENCE_MAX_BYTES: '1048576',
    WORKBOOK_MAX_BYTES: '1048576',
    LOG_LEVEL: 'error',
    // Webhook subscriptions need their sealing key; the delivery worker stays off so nothing
    // changes the database behind the requests' back (unknown variables are ignored).
    WEBHOOK_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    WEBHOOK_WORKER: 'false',
    // Signed evidence links configured, so GET …/signed-link answers (without the key it is a documented 503).
    EVIDENCE_LINK_KEY: Buffer.alloc(32, 9).toString('base64'),
    ...env,
  })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const [lke] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  if (!lke) throw new Error('the bundled LKE is not seeded')
  const period = await insertPeriod(ctx, { instrumentVersionId: lke.id })
  const adminToken = await createToken(ctx, 'admin')
  const admin = bearer(adminToken)
  const ok = async (res: Awaited<ReturnType<typeof app.inject>>) => {
    if (res.statusCode >= 300) throw new Error(`fixture: ${res.statusCode} ${res.body}`)
    return res.json() as Record<string, unknown> & { id: string }
  }
  const assessment = await ok(
    await app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: admin,
      payload: { period_id: period.id, unit_id: tree.a1.id },
    }),
  )
  const stages = (assessment.stages as { id: string }[]).map((s) => s.id)
  await ok(
    await app.inject({
      method: 'POST',
      url: `/v1/assessments/${assessment.id}/stages/self/answers/batch`,
      headers: admin,
      payload: {
        answers: [
          { question_code: 'Q1', value: 'Ya' },
          { question_code: 'Q2', value: 'A' },
        ],
      },
    }),
  )
  const declaration = await ok(
    await app.inject({
      method: 'POST',
      url: '/v1/declarations',
      headers: admin,
      payload: { unit_id: tree.a1.id, period_id: period.id, target: 'WBK', declared_on: '2026-01-20' },
    }),
  )
  const link = await ok(
    await app.inject({
      method: 'POST',
      url: '/v1/evidence/links',
      headers: admin,
      payload: { unit_id: tree.a1.id, title: 'SK Tim ZI', url: 'https://example.go.id/sk.pdf' },
    }),
  )
  const form = multipartBody(
    { unit_id: tree.a1.id, period_id: period.id, title: 'Piagam Pencanangan' },
    { name: 'piagam.pdf', type: 'application/pdf', content: pdfBytes(2048) },
  )
  const file = await ok(
    await app.inject({
      method: 'POST',
      url: '/v1/evidence/files',
      headers: { ...admin, ...form.headers },
      payload: form.payload,
    }),
  )
  const victim = await ok(
    await app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: admin,
      payload: { name: 'Dashboard Dinas', kind: 'service' },
    }),
  )
  const grant = await ok(
    await app.inject({
      method: 'POST',
      url: `/v1/principals/${victim.id}/grants`,
      headers: admin,
      payload: { role: 'viewer', unit_id: tree.opdB.id },
    }),
  )
  const victimToken = await ok(
    await app.inject({
      method: 'POST',
      url: `/v1/principals/${victim.id}/tokens`,
      headers: admin,
      payload: { name: 'wallboard', role: 'viewer' },
    }),
  )

  const tokens: Record<Caller, string | null> = {
    anonymous: null,
    garbage: 'zit_deadbeef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    admin: adminToken,
    evaluator: await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id] }),
    unit_operator: await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] }),
    viewer: await createToken(ctx, 'viewer'),
    integration: await createToken(ctx, 'integration'),
  }
  for (const role of ROLES) if (!tokens[role as Role]) throw new Error(`no token for ${role}`)
  const units = Object.values(tree).map((u) => u.id)
  const ids: IdPool = {
    units,
    periods: [period.id],
    instruments: [lke.id],
    assessments: [assessment.id],
    stages,
    declarations: [declaration.id],
    evidence: [link.id, file.id],
    principals: [victim.id],
    grants: [grant.id],
    tokens: [String(victimToken.id)],
  }
  ids.all = [...new Set(Object.values(ids).flat())]
  const portalrbBase = String((ctx.config as Record<string, unknown>).PORTALRB_BASE_PATH ?? '/portalrb').replace(
    /\/+$/,
    '',
  )
  return { ctx, tokens, ids, root, dataDir, portalrbBase }
}
