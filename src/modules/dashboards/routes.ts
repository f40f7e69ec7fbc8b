import { createHash } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { and, asc, eq, gt, inArray, like, or, type SQL } from 'drizzle-orm'
import { DEFAULT_LIMIT, decodeCursor, finishPage, nextLink } from '../../lib/pagination.js'
import { etagMatches } from '../../lib/etag.js'
import { problemResponses } from '../../lib/problem.js'
import { declarations } from '../declarations/tables.js'
import type { StageKind } from '../assessments/rules.js'
import type { PeriodRow } from '../periods/tables.js'
import { units, type UnitRow } from '../units/tables.js'
import {
  areaDifferences,
  areaNodes,
  completionOf,
  declarationsOf,
  funnelOf,
  divergentQuestions,
  lowestQuestions,
  scoresOf,
  type Metrics,
} from './rules.js'
import * as S from './schemas.js'
import { instansiGateSummary } from '../proposals/service.js'
import { jakartaDate } from '../actions/rules.js'
import { actionCountsByUnit } from '../actions/service.js'
import {
  aggregate,
  assertStageVisible,
  backfillStageMetrics,
  closestTo,
  largestDivergences,
  periodDefinition,
  loadPeriodOr404,
  mergeRoots,
  resolveScope,
  unitHistory,
} from './service.js'
import { READERS } from '../../lib/policy.js'

const TAGS = ['dashboards']
const ETAG_NOTE =
  'Figures come from counters kept current in the same transaction as every answer, stage and declaration change (never from scanning answers). The ETag is a hash of the body, identical on every replica; send it back in If-None-Match for a 304.'

const periodRef = (p: PeriodRow) => ({
  id: p.id,
  code: p.code,
  year: p.year,
  instrument_version_id: p.instrumentVersionId,
})
const unitRef = (u: Pick<UnitRow, 'id' | 'code' | 'name' | 'kind'>) => ({
  id: u.id,
  code: u.code,
  name: u.name,
  kind: u.kind,
})

/** Sets the body-derived ETag; answers 304 when If-None-Match names it. */
function withEtag<T>(request: FastifyRequest, reply: FastifyReply, body: T): T | FastifyReply {
  // The body is built by the same code on every replica, so its keys come in the same order:
  // plain JSON hashes the same everywhere (a fifth of the summary's CPU went to sorting keys).
  const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 32)}"`
  reply.header('etag', etag).header('cache-control', 'private, no-cache')
  const inm = request.headers['if-none-match']
  if (typeof inm === 'string' && etagMatches(inm, etag)) return reply.code(304).send(null)
  return body
}

const count = (m: Metrics, key: string): number => m.get(key)?.count ?? 0

/**
 * What a read of a period's figures starts with: the period (404), the stage asked for (self by
 * default; 403 for a unit operator asking for a TPI/TPN stage) and the caller's scope, narrowed
 * to unit_id's subtree when given.
 */
async function periodRead(request: {
  server: FastifyRequest['server']
  principal: FastifyRequest['principal']
  params: { period_id: string }
  query: { stage?: StageKind | undefined; unit_id?: string | undefined }
}) {
  const db = request.server.db
  const period = await loadPeriodOr404(db, request.params.period_id)
  const stage = request.query.stage ?? 'self'
  assertStageVisible(request.principal, stage)
  const scope = await resolveScope(db, request.principal, request.query.unit_id)
  return { period, stage, scope }
}

const dashboardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Stages that existed before the counters did get their rows once (a no-op afterwards).
  const backfilled = await backfillStageMetrics(app.db)
  if (backfilled > 0) app.log.info({ stages: backfilled }, 'dashboard metrics backfilled')

  app.get(
    '/periods/:period_id/summary',
    {
      schema: {
        tags: TAGS,
        summary:
          'Period summary: declarations, stage completion, scores per area, WBK/WBBM eligibility, units closest to a threshold',
        description: `Over the units in your scope (or unit_id's subtree). ${ETAG_NOTE}`,
        operationId: 'getPeriodSummary',
        params: S.PeriodParams,
        querystring: S.SummaryQuery,
        headers: S.IfNoneMatchHeaders,
        response: { 200: S.SummaryView, 304: S.NotModified, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const { period, stage, scope } = await periodRead(request)
      const limit = request.query.closest_limit ?? 10
      const today = jakartaDate(new Date())
      const [byRoot, def, closestWbk, closestWbbm, instansi, actionCounts] = await Promise.all([
        aggregate(app.db, period.id, scope.roots, [...new Set(['decl', 'proposal', 'self', stage])], {
          exclude: ['q:', 'qdiv:'],
        }),
        periodDefinition(app.db, period.instrumentVersionId),
        closestTo(app.db, period.id, stage, scope, 'WBK', limit),
        closestTo(app.db, period.id, stage, scope, 'WBBM', limit),
        instansiGateSummary(app.db, request.principal, period.id),
        actionCountsByUnit(app.db, period.id, today, scope.pathCondition),
      ])
      const metrics = mergeRoots(byRoot, stage)
      return withEtag(request, reply, {
        period: periodRef(period),
        stage,
        scope: { unit: scope.unit ? unitRef(scope.unit) : null },
        assessments: count(mergeRoots(byRoot, 'self'), 'stages'),
        declarations: declarationsOf(mergeRoots(byRoot, 'decl')),
        completion: completionOf(metrics),
        scores: scoresOf(metrics, def),
        closest: { WBK: closestWbk, WBBM: closestWbbm },
        proposals: { funnel: funnelOf(mergeRoots(byRoot, 'decl'), mergeRoots(byRoot, 'proposal')), instansi },
        actions: {
          as_of: today,
          total: actionCounts.reduce((n, u) => n + u.total, 0),
          by_status: {
            planned: actionCounts.reduce((n, u) => n + u.byStatus.planned, 0),
            in_progress: actionCounts.reduce((n, u) => n + u.byStatus.in_progress, 0),
            done: actionCounts.reduce((n, u) => n + u.byStatus.done, 0),
            cancelled: actionCounts.reduce((n, u) => n + u.byStatus.cancelled, 0),
          },
          overdue: actionCounts.reduce((n, u) => n + u.overdue, 0),
          units_with_overdue: actionCounts.filter((u) => u.overdue > 0).length,
        },
      })
    },
  )

  app.get(
    '/periods/:period_id/opds',
    {
      schema: {
        tags: TAGS,
        summary: 'Progress per OPD (each with its unit kerja) in a period',
        description: `The OPDs in your scope (or under unit_id), by name. ${ETAG_NOTE}`,
        operationId: 'listOpdProgress',
        params: S.PeriodParams,
        querystring: S.OpdQuery,
        headers: S.IfNoneMatchHeaders,
        response: { 200: S.OpdPage, 304: S.NotModified, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const { period, stage, scope } = await periodRead(request)
      const limit = request.query.limit ?? DEFAULT_LIMIT
      const conditions: (SQL | undefined)[] = [eq(units.kind, 'opd'), scope.pathCondition]
      if (request.query.cursor) {
        const at = decodeCursor(request.query.cursor, 'name')
        const name = String(at.value)
        conditions.push(or(gt(units.name, name), and(eq(units.name, name), gt(units.id, at.id))))
      }
      const rows = await app.db
        .select()
        .from(units)
        .where(and(...conditions))
        .orderBy(asc(units.name), asc(units.id))
        .limit(limit + 1)
      const page = finishPage(rows, limit, 'name', (u) => ({ value: u.name, id: u.id }))
      const byRoot = await aggregate(
        app.db,
        period.id,
        page.items.map((u) => u.id),
        [...new Set(['decl', 'self', stage])],
        {
          prefixes: [
            'stages',
            'status:',
            'questions',
            'answered',
            'complete',
            'scored',
            'total',
            'eligible:',
            'WBK:',
            'WBBM:',
          ],
        },
      )
      const actionCounts =
        page.items.length === 0
          ? []
          : await actionCountsByUnit(
              app.db,
              period.id,
              jakartaDate(new Date()),
              or(...page.items.map((u) => like(units.path, `${u.path}%`))),
            )
      const actionsOf = (opd: UnitRow) => {
        const mine = actionCounts.filter((c) => c.path.startsWith(opd.path))
        return { total: mine.reduce((n, c) => n + c.total, 0), overdue: mine.reduce((n, c) => n + c.overdue, 0) }
      }
      const link = nextLink(request.url, page.next_cursor)
      if (link) reply.header('link', link)
      return withEtag(request, reply, {
        period: periodRef(period),
        stage,
        items: page.items.map((u) => {
          const one = new Map([[u.id, byRoot.get(u.id) ?? new Map()]])
          const m = mergeRoots(one, stage)
          const decl = mergeRoots(one, 'decl')
          const completion = completionOf(m)
          const total = m.get('total')
          const declCount = (target: string) =>
            [...decl].filter(([k]) => k.startsWith(`${target}:`)).reduce((s, [, v]) => s + v.count, 0)
          const declStatus = (statuses: string[]) =>
            [...decl].filter(([k]) => statuses.includes(k.split(':')[1] ?? '')).reduce((s, [, v]) => s + v.count, 0)
          return {
            unit: unitRef(u),
            archived: u.archivedAt !== null,
            assessments: count(mergeRoots(one, 'self'), 'stages'),
            stages: completion.stages,
            answered_pct: completion.answered_pct,
            complete: completion.complete,
            by_status: completion.by_status,
            submitted_pct: completion.submitted_pct,
            approved_pct: completion.approved_pct,
            average_total: total && total.count > 0 ? total.sum / total.count : null,
            eligible: { WBK: count(m, 'eligible:WBK'), WBBM: count(m, 'eligible:WBBM') },
            declarations: {
              WBK: declCount('WBK'),
              WBBM: declCount('WBBM'),
              proposed_or_further: declStatus(['proposed', 'evaluated', 'designated', 'not_designated']),
              designated: declStatus(['designated']),
            },
            actions: actionsOf(u),
          }
        }),
        next_cursor: page.next_cursor,
      })
    },
  )

  app.get(
    '/periods/:period_id/questions/lowest',
    {
      schema: {
        tags: TAGS,
        summary: 'The questions with the lowest average value across units',
        description: `Average of each question’s conversion (0–1) over the stages in scope that answered it, lowest first. ${ETAG_NOTE}`,
        operationId: 'listLowestQuestions',
        params: S.PeriodParams,
        querystring: S.LowestQuery,
        headers: S.IfNoneMatchHeaders,
        response: { 200: S.LowestView, 304: S.NotModified, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const { period, stage, scope } = await periodRead(request)
      const [byRoot, def] = await Promise.all([
        aggregate(app.db, period.id, scope.roots, [stage], { prefixes: ['q:'] }),
        periodDefinition(app.db, period.instrumentVersionId),
      ])
      return withEtag(request, reply, {
        period: periodRef(period),
        stage,
        items: lowestQuestions(mergeRoots(byRoot, stage), def, request.query.limit ?? 10),
      })
    },
  )

  app.get(
    '/periods/:period_id/divergences',
    {
      schema: {
        tags: TAGS,
        summary: 'The largest self-assessment vs TPI differences: units and questions',
        description: `Units whose TPI total differs most from their self-assessment, and the questions the TPI corrects most on average. Not for unit operators (TPI drafts). ${ETAG_NOTE}`,
        operationId: 'listDivergences',
        params: S.PeriodParams,
        querystring: S.DivergenceQuery,
        headers: S.IfNoneMatchHeaders,
        response: { 200: S.DivergenceView, 304: S.NotModified, ...problemResponses(400, 401, 403, 404) },
      },
      config: { policy: { roles: ['admin', 'evaluator', 'viewer', 'integration'] as const } },
    },
    async (request, reply) => {
      const period = await loadPeriodOr404(app.db, request.params.period_id)
      const scope = await resolveScope(app.db, request.principal, request.query.unit_id)
      const limit = request.query.limit ?? 10
      const [rows, byRoot, def] = await Promise.all([
        largestDivergences(app.db, period.id, scope, limit),
        aggregate(app.db, period.id, scope.roots, ['tpi'], { prefixes: ['qdiv:'] }),
        periodDefinition(app.db, period.instrumentVersionId),
      ])
      return withEtag(request, reply, {
        period: periodRef(period),
        units: rows.map(({ unit, tpi, self }) => ({
          unit,
          assessment_id: tpi.assessmentId,
          self_total: self?.total ?? null,
          tpi_total: tpi.total,
          difference: tpi.divergence ?? 0,
          questions_differing: self
            ? Object.entries(tpi.multipliers).filter(
                ([code, m]) => self.multipliers[code] !== undefined && self.multipliers[code] !== m,
              ).length
            : 0,
          areas: areaDifferences(def, self?.values ?? {}, tpi.values),
        })),
        questions: divergentQuestions(mergeRoots(byRoot, 'tpi'), def, limit),
      })
    },
  )

  app.get(
    '/units/:unit_id/history',
    {
      schema: {
        tags: TAGS,
        summary: 'A unit’s scores across periods: total and per area, year by year',
        description: `Every period in which the unit has the stage, oldest year first, with its declaration. ${ETAG_NOTE}`,
        operationId: 'getUnitHistory',
        params: S.UnitParams,
        querystring: S.HistoryQuery,
        headers: S.IfNoneMatchHeaders,
        response: { 200: S.HistoryView, 304: S.NotModified, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const scope = await resolveScope(app.db, request.principal, request.params.unit_id)
      const unit = scope.unit as UnitRow
      const stage = request.query.stage ?? 'self'
      assertStageVisible(request.principal, stage)
      const rows = await unitHistory(app.db, unit.id, stage)
      const periodIds = rows.map((r) => r.period.id)
      const decls =
        periodIds.length === 0
          ? []
          : await app.db
              .select()
              .from(declarations)
              .where(and(eq(declarations.unitId, unit.id), inArray(declarations.periodId, periodIds)))
      const declOf = new Map(decls.map((d) => [d.periodId, d]))
      const items = []
      for (const { m, period } of rows) {
        const def = await periodDefinition(app.db, period.instrumentVersionId)
        const d = declOf.get(period.id)
        items.push({
          period: periodRef(period),
          assessment_id: m.assessmentId,
          stage_status: m.status,
          answered: m.answeredCount,
          questions: m.questionCount,
          total: m.total,
          max_total: m.maxTotal,
          predicate: m.predicate,
          areas: areaNodes(def).map((a) => ({
            code: a.code,
            name: a.name,
            level: a.level,
            value: m.values[a.code] ?? 0,
            max: a.max,
          })),
          declaration: d ? { target: d.target, status: d.status, predicate: d.predicate } : null,
        })
      }
      return withEtag(request, reply, { unit: unitRef(unit), stage, items })
    },
  )
}

export default dashboardRoutes
