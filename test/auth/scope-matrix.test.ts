import { eq } from 'drizzle-orm'
import type { InjectOptions } from 'fastify'
import t from 'tap'
import type { Role } from '../../src/lib/policy.js'
import { declarations } from '../../src/modules/declarations/tables.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { multipartBody, pdfBytes } from '../helpers/multipart.js'
import { type Operation, operationsOf, resolve } from '../helpers/openapi-requests.js'
import { hoursFromNow, insertPeriod } from '../helpers/periods.js'
import { insertUnit } from '../helpers/units.js'
import { recordProposal } from '../portalrb/fixture.js'

/**
 * Unit scope, route by route, from the OpenAPI document. Two sibling subtrees (instansi X → OPD A
 * → units a1, a2 and instansi Y → OPD B → b1, b2), each with an assessment, a declaration and
 * evidence, the declaration proposed and the self stage submitted (so the proposal and PortalRB
 * routes serve it). Every non-admin role is granted OPD A only (admin is unscoped, so admin-only
 * routes are not swept). For every operation a scoped role may call:
 * - a path parameter naming a unit-owned resource (a unit, an instansi, an assessment, a
 *   declaration, evidence): subtree B's answers 404 (PortalRB: 404 in the guide's envelope),
 *   subtree A's passes the scope check (2xx, or one of POST_SCOPE / NOT_SCOPE below);
 * - a body naming a unit (creations): B's unit answers 422 unit_not_found (as a missing unit
 *   would, the routes' documented answer), A's 2xx;
 * - a query parameter naming a unit: B's answers 404 or a 2xx that names nothing of B;
 * - every 2xx a scoped caller gets, from any operation, names no id or code of subtree B.
 * A non-GET operation with no unit in its parameters or body must be in NO_UNIT, and a parameter
 * this test cannot place fails it: a new route is classified before it ships.
 */

/** Non-GET operations a scoped role may call that concern no unit, and why. */
const NO_UNIT: Record<string, string> = {
  'DELETE /v1/tokens/{id}': "the caller's own token",
  'POST /v1/instruments/{id}/score': 'scores the answers in the body against a shared instrument',
  'POST /v1/instruments/{id}/plan': 'plans over the answers in the body against a shared instrument',
  'PATCH /v1/notifications/preferences': "the caller's own notice preferences",
}

/** Answers on subtree A that prove the scope check passed: the route loaded the row and refused on other grounds. */
const POST_SCOPE: Record<number, string> = {
  409: 'the row is in a state that refuses the change (a submitted stage, a proposed declaration, referenced evidence)',
}

/** Documented refusals on subtree A that have nothing to do with scope, per operation. */
const NOT_SCOPE: Record<string, { status: number; code: string; why: string }> = {
  'GET /v1/assessments/{id}/stages/tpi/lhe': {
    status: 404,
    code: 'stage_not_found',
    why: 'the LHE internal is the TPI stage’s, and subtree A’s assessment has only its self stage',
  },
  'GET /v1/assessments/{id}/stages/tpi/lhe.pdf': {
    status: 404,
    code: 'stage_not_found',
    why: 'the LHE internal is the TPI stage’s, and subtree A’s assessment has only its self stage',
  },
  'GET /portalrb/pengusulan/unit-wbbm': {
    status: 403,
    code: 'WBBM_NOT_ELIGIBLE',
    why: 'no instansi of the token passed the WBBM gate (guide §3.2)',
  },
}

/** Parameter names and the resource they identify; `null` = shared across units (period, instrument, stage code, question code). */
type Kind = 'unit' | 'instansi' | 'assessment' | 'declaration' | 'evidence' | 'campaign' | 'response' | null
const PARAM_KIND: Record<string, Kind> = {
  unit_id: 'unit',
  parent_id: 'unit',
  instansi_id: 'instansi',
  evidence_id: 'evidence',
  // the surat usulan's and SPTJM's choice of units (query)
  declaration_id: 'declaration',
  period_id: null,
  stage: null,
  code: null,
  from: null,
  to: null,
  target: null,
}
/** `{id}` after these collections. */
const COLLECTION_KIND: Record<string, Kind> = {
  units: 'unit',
  assessments: 'assessment',
  declarations: 'declaration',
  evidence: 'evidence',
  periods: null,
  instruments: null,
  tokens: null,
  // survei mandiri: a campaign and its responses belong to the campaign's unit
  campaigns: 'campaign',
  responses: 'response',
  questionnaires: null,
}
/** Query parameters that filter, page or shape and name no resource. */
const QUERY_PLAIN = new Set([
  'limit',
  // the workbook import's override of the file's identity check (not a unit id)
  'identity',
  'cursor',
  'kind',
  'q',
  'active',
  'afirmasi',
  'updated_since',
  'sort',
  'include_archived',
  'max_depth',
  'year',
  'instrument_version_id',
  'status',
  'sha256',
  'explain',
  'stage',
  'closest_limit',
  'after',
  'type',
  'layout',
  'plan',
  'shape',
  'max_changes',
  'fixed',
  'target',
  'period_id',
  'from',
  'to',
  'format',
  'scale',
  'dry_run',
  'file_name',
])

/** One anonymous response to the bundled IPAK set, as the public form posts it. */
const SURVEY_FORM = 'ipak.IPAK-1=4&ipak.IPAK-2=4&ipak.IPAK-3=3&ipak.IPAK-4=4&ipak.IPAK-5=4'

const kindOf = (op: Operation, name: string): Kind | undefined => {
  if (name === 'id') {
    const segments = op.path.split('/')
    return COLLECTION_KIND[segments[segments.indexOf('{id}') - 1] ?? '']
  }
  return name in PARAM_KIND ? PARAM_KIND[name] : undefined
}

t.test('scope matrix', async (t) => {
  const ctx = await buildTestApp(t, {
    RATE_LIMIT_MAX: '1000000',
    LOG_LEVEL: 'error',
    EVIDENCE_LINK_KEY: Buffer.alloc(32, 9).toString('base64'),
  })
  const { app } = ctx
  const portalrbBase = String(ctx.config.PORTALRB_BASE_PATH).replace(/\/+$/, '')
  const portalrb = (op: Operation) => op.path.startsWith(`${portalrbBase}/`)
  const [lke] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  if (!lke) throw new Error('the bundled LKE is not seeded')
  const period = await insertPeriod(ctx, { instrumentVersionId: lke.id })
  // The target of evidence carries; its proposal window stays shut so PortalRB serves `period`.
  const period2 = await insertPeriod(ctx, {
    instrumentVersionId: lke.id,
    windows: { self_assessment: { opens_at: hoursFromNow(-24), closes_at: hoursFromNow(24) } },
  })
  const admin = bearer(await createToken(ctx, 'admin'))
  const ok = async (options: InjectOptions) => {
    const res = await app.inject({ ...options, headers: { ...admin, ...options.headers } })
    if (res.statusCode >= 300) throw new Error(`fixture: ${res.statusCode} ${res.body}`)
    return res.json() as Record<string, unknown> & { id: string }
  }

  const subtree = async (label: string) => {
    const instansi = await insertUnit(ctx, { kind: 'instansi', name: `Pemerintah Kota ${label}` })
    const opd = await insertUnit(ctx, { kind: 'opd', parent: instansi })
    const unit = await insertUnit(ctx, { kind: 'unit', parent: opd })
    const spare = await insertUnit(ctx, { kind: 'unit', parent: opd })
    // declared by the mass pencanangan (spare is declared by the single POST /v1/declarations)
    const spare2 = await insertUnit(ctx, { kind: 'unit', parent: opd })
    const assessment = await ok({
      method: 'POST',
      url: '/v1/assessments',
      payload: { period_id: period.id, unit_id: unit.id },
    })
    const declaration = await ok({
      method: 'POST',
      url: '/v1/declarations',
      payload: { unit_id: unit.id, period_id: period.id, target: 'WBK', declared_on: '2026-01-20' },
    })
    // Proposed, so that the proposal and PortalRB routes have something to serve in each subtree.
    await app.db.update(declarations).set({ status: 'proposed' }).where(eq(declarations.id, declaration.id))
    await recordProposal(ctx, unit, period.id)
    const form = multipartBody(
      { unit_id: unit.id, period_id: period.id, title: 'Piagam Pencanangan' },
      { name: 'piagam.pdf', type: 'application/pdf', content: pdfBytes(2048) },
    )
    const evidence = await ok({
      method: 'POST',
      url: '/v1/evidence/files',
      headers: form.headers,
      payload: form.payload,
    })
    // The file stands behind an answer of a submitted self stage, as PortalRB's bukti-dukung requires.
    await ok({
      method: 'POST',
      url: `/v1/assessments/${assessment.id}/stages/self/answers/batch`,
      payload: { answers: [{ question_code: 'Q1', value: 'Ya', evidence_ids: [evidence.id] }] },
    })
    await ok({
      method: 'POST',
      url: `/v1/assessments/${assessment.id}/stages/self/transitions`,
      payload: { to: 'submitted' },
    })
    // A survey campaign of the unit with one response through its public link.
    const campaign = await ok({
      method: 'POST',
      url: '/v1/survey/campaigns',
      payload: {
        unit_id: unit.id,
        period_id: period.id,
        name: `Survei ${label}`,
        service_types: ['Layanan'],
        opens_at: hoursFromNow(-1),
        closes_at: hoursFromNow(24),
        kinds: ['ipak'],
      },
    })
    const posted = await app.inject({
      method: 'POST',
      url: new URL(String(campaign.public_url)).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: SURVEY_FORM,
    })
    if (posted.statusCode !== 201) throw new Error(`fixture: survey response ${posted.statusCode} ${posted.body}`)
    const responses = await ok({ method: 'GET', url: `/v1/survey/campaigns/${campaign.id}/responses` })
    const response = (responses.items as { id: string }[])[0]!.id
    const ids: Record<Exclude<Kind, null>, string> = {
      unit: unit.id,
      instansi: instansi.id,
      assessment: assessment.id,
      declaration: declaration.id,
      evidence: evidence.id,
      campaign: campaign.id,
      response,
    }
    const marks = [instansi, opd, unit, spare, spare2].flatMap((u) => [u.id, u.code])
    marks.push(assessment.id, declaration.id, evidence.id, campaign.id, response)
    return { ids, spare: spare.id, spare2: spare2.id, opd: opd.id, unitCode: unit.code, marks }
  }
  const questionnaires = await ok({ method: 'GET', url: '/v1/survey/questionnaires' })
  const questionnaire = (questionnaires.items as { id: string }[])[0]!.id
  const A = await subtree('Alpha')
  const B = await subtree('Beta')

  const scopedRoles: Role[] = ['unit_operator', 'evaluator', 'viewer', 'integration']
  const tokens = Object.fromEntries(
    await Promise.all(scopedRoles.map(async (r) => [r, await createToken(ctx, r, { unitIds: [A.opd] })] as const)),
  ) as Record<Role, string>

  // A token of its own for DELETE /v1/tokens/{id} (revoking it must not disturb the other calls).
  const selfToken = await createToken(ctx, 'unit_operator', { unitIds: [A.opd] })
  const me = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(selfToken) })
  const selfTokenId = String(me.json().token_id)

  const { doc, operations } = operationsOf(app)
  const name = (op: Operation) => `${op.method} ${op.path}`
  const leaks = (body: string) => B.marks.filter((m) => body.includes(m))

  type Side = typeof A
  /** The request for `op` on `side`'s resources, or the reason it cannot be built. */
  const requestFor = (op: Operation, side: Side, role: Role): InjectOptions => {
    const values: Record<string, string> = {}
    for (const p of op.params.filter((p) => p.in === 'path')) {
      const kind = kindOf(op, p.name)
      // PortalRB names a unit by its PortalRB id (the unit code when no external id is set).
      if (kind === 'unit' && portalrb(op)) values[p.name] = side.unitCode
      else if (kind) values[p.name] = side.ids[kind]
      else if (p.name === 'id' && op.path.startsWith('/v1/periods/')) values[p.name] = period.id
      else if (p.name === 'id' && op.path.startsWith('/v1/instruments/')) values[p.name] = lke.id
      else if (p.name === 'period_id') values[p.name] = period.id
      else if (p.name === 'stage') values[p.name] = 'self'
      else if (p.name === 'code') values[p.name] = 'Q1'
      else if (p.name === 'id' && op.path.startsWith('/v1/tokens/')) values[p.name] = selfTokenId
      else if (p.name === 'id' && op.path.startsWith('/v1/survey/questionnaires/')) values[p.name] = questionnaire
    }
    const query = new URLSearchParams()
    for (const p of op.params.filter((p) => p.in === 'query' && p.required)) {
      if (p.name === 'target') query.set('target', 'WBK')
      else if (op.path === '/v1/instruments/diff') query.set(p.name, lke.id)
      else if (p.name === 'from') query.set('from', 'self')
      else if (p.name === 'to') query.set('to', 'self')
    }
    const url =
      op.path.replace(/\{([^}]+)\}/g, (_m, n: string) => values[n] ?? 'unplaced') + (query.size ? `?${query}` : '')
    const headers = bearer(op.path.startsWith('/v1/tokens/') ? selfToken : tokens[role])
    const bodies: Record<string, unknown> = {
      'POST /v1/declarations': { unit_id: side.spare, period_id: period.id, target: 'WBK', declared_on: '2026-01-21' },
      'PATCH /v1/declarations/{id}': { notes: 'scope check' },
      'POST /v1/declarations/{id}/transitions': { to: 'building', reason: 'scope check' },
      'POST /v1/declarations/batch': {
        period_id: period.id,
        declared_on: '2026-01-21',
        units: [{ unit_id: side.spare2, target: 'WBK' }],
      },
      'POST /v1/evidence/links': { unit_id: side.spare, title: 'SK Tim ZI', url: 'https://example.go.id/sk.pdf' },
      'POST /v1/evidence/{id}/carry': { period_id: period2.id },
      'POST /v1/assessments': { period_id: period.id, unit_id: side.spare },
      'POST /v1/assessments/{id}/stages': { kind: 'tpi', copy_from: 'self' },
      'PUT /v1/assessments/{id}/stages/{stage}/answers/{code}': { value: 'Tidak' },
      'POST /v1/assessments/{id}/stages/{stage}/answers/batch': { answers: [{ question_code: 'Q2', value: 'A' }] },
      'POST /v1/assessments/{id}/stages/{stage}/transitions': { to: 'submitted' },
      'POST /v1/assessments/{id}/questions/{code}/comments': { body: 'Mohon lengkapi data dukung.' },
      'POST /v1/instruments/{id}/score': { answers: { Q1: 'Ya' } },
      'POST /v1/instruments/{id}/plan': { target: 'WBK', answers: { Q1: 'Ya' } },
      'PATCH /v1/notifications/preferences': { language: 'id' },
      'POST /v1/survey/campaigns': {
        unit_id: side.spare,
        period_id: period.id,
        name: 'Survei scope',
        service_types: ['Layanan'],
        opens_at: hoursFromNow(-1),
        closes_at: hoursFromNow(24),
      },
      'PATCH /v1/survey/campaigns/{id}': { name: 'Survei (scope check)' },
      'PUT /v1/survey/campaigns/{id}/justification': { justification: 'scope check' },
      'POST /v1/survey/campaigns/{id}/invitations': { count: 1 },
      'POST /v1/survey/campaigns/{id}/lke': { kind: 'ipak' },
      'POST /v1/survey/responses/{id}/void': { reason: 'scope check' },
    }
    if (op.body?.contentType === 'text/csv') {
      // the survey import: the file is the body
      const csv = 'IPAK-1,IPAK-2,IPAK-3,IPAK-4,IPAK-5\n4,4,4,4,4\n'
      return { method: op.method, url, headers: { ...headers, 'content-type': 'text/csv' }, payload: csv }
    }
    if (op.body?.contentType === 'multipart/form-data') {
      const fields: Record<string, string> = {}
      const props = (resolve(doc, op.body.schema).properties ?? {}) as Record<string, unknown>
      if ('unit_id' in props) Object.assign(fields, { unit_id: side.spare, period_id: period.id })
      const form = multipartBody(fields, { name: 'x.pdf', type: 'application/pdf', content: pdfBytes(1024) })
      return { method: op.method, url, headers: { ...headers, ...form.headers }, payload: form.payload }
    }
    const body = bodies[name(op)]
    return { method: op.method, url, headers, ...(op.body ? { payload: (body ?? {}) as object } : {}) }
  }

  /** How scope shows in `op`: which of its inputs name a unit-owned resource. */
  const classify = (op: Operation): { path: boolean; body: boolean; query: string[]; unplaced: string[] } => {
    const unplaced: string[] = []
    let path = false
    for (const p of op.params.filter((p) => p.in === 'path')) {
      const kind = kindOf(op, p.name)
      if (kind === undefined) unplaced.push(`path ${p.name}`)
      else if (kind) path = true
    }
    const query: string[] = []
    for (const p of op.params.filter((p) => p.in === 'query')) {
      const kind = kindOf(op, p.name)
      if (kind) query.push(p.name)
      else if (!QUERY_PLAIN.has(p.name)) unplaced.push(`query ${p.name}`)
    }
    const props = op.body ? ((resolve(doc, op.body.schema).properties ?? {}) as Record<string, unknown>) : {}
    // a unit in the body, or in each item of its `units` list (the mass pencanangan)
    const items = (props.units as { items?: { properties?: Record<string, unknown> } } | undefined)?.items
    const body = 'unit_id' in props || 'unit_id' in (items?.properties ?? {})
    if (!path && !body && op.method !== 'GET' && !NO_UNIT[name(op)]) unplaced.push('no unit in path or body')
    return { path, body, query, unplaced }
  }

  const scoped = operations.filter((op) => op.roles.some((r) => r !== 'admin'))
  /**
   * The roles that call `op`: every scoped role for reads; for writes one, unit_operator where
   * allowed (it writes what a unit owns), the evaluator where the route's own rules want one.
   */
  const WRITER: Record<string, Role> = { 'POST /v1/assessments/{id}/stages': 'evaluator' }
  const rolesOf = (op: Operation): Role[] => {
    const roles = scopedRoles.filter((r) => op.roles.includes(r))
    if (op.method === 'GET') return roles
    const writer = WRITER[name(op)]
    return writer ? [writer] : roles.slice(0, 1)
  }
  const outside = (op: Operation, res: Awaited<ReturnType<typeof app.inject>>) =>
    res.statusCode === 404 && (portalrb(op) ? res.json().error === true : res.json().status === 404)

  // Subtree B first: refused requests must change nothing, so A's fixture is intact afterwards.
  for (const op of scoped) {
    const { path, body, query, unplaced } = classify(op)
    t.same(unplaced, [], `${name(op)}: every input is classified`)
    const roles = rolesOf(op)
    for (const role of roles) {
      if (path) {
        const res = await app.inject(requestFor(op, B, role))
        t.ok(outside(op, res), `${name(op)} as ${role} on subtree B answers 404 (got ${res.statusCode})`)
      } else if (body) {
        // A unit named in a body is a reference: out of scope it is refused like a missing one.
        const res = await app.inject(requestFor(op, B, role))
        t.equal(res.statusCode, 422, `${name(op)} as ${role} with a unit of subtree B answers 422`)
        // a list of units answers every unit's verdict: the one of subtree B is unit_not_found
        const refused = (res.json().units ?? []) as { problem?: { code?: string } | null }[]
        const code = refused.length ? refused[0]?.problem?.code : res.json().code
        t.equal(code, 'unit_not_found', `${name(op)} as ${role}: unit_not_found`)
      }
      for (const q of query) {
        const request = requestFor(op, A, role)
        const kind = kindOf(op, q) as Exclude<Kind, null>
        const url = `${request.url}${String(request.url).includes('?') ? '&' : '?'}${q}=${B.ids[kind]}`
        const res = await app.inject({ ...request, url })
        t.ok(
          outside(op, res) || (res.statusCode < 300 && leaks(res.body).length === 0),
          `${name(op)}?${q}=<B> as ${role} answers 404 or nothing of B (got ${res.statusCode})`,
        )
      }
    }
  }

  // Then subtree A: reads first, writes after, deletions last.
  const order = (op: Operation) => (op.method === 'GET' ? 0 : op.method === 'DELETE' ? 2 : 1)
  for (const op of [...scoped].sort((x, y) => order(x) - order(y))) {
    const roles = rolesOf(op)
    const { path, body } = classify(op)
    for (const role of roles) {
      const res = await app.inject(requestFor(op, A, role))
      const other = NOT_SCOPE[name(op)]
      const passed =
        res.statusCode < 300 ||
        (POST_SCOPE[res.statusCode] !== undefined && (path || body)) ||
        (other?.status === res.statusCode && res.json().code === other.code)
      t.ok(
        passed,
        `${name(op)} as ${role} on subtree A passes the scope check (got ${res.statusCode} ${res.body.slice(0, 160)})`,
      )
      if (res.statusCode < 300) t.same(leaks(res.body), [], `${name(op)} as ${role} names nothing of subtree B`)
    }
  }
  t.ok(scoped.length > 50, `${scoped.length} operations open to scoped roles checked`)
})
