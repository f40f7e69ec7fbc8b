import type { FastifyPluginAsync } from 'fastify'
import type { IsolatedWork } from '../lib/isolated-work.js'
import assessmentRoutes from '../modules/assessments/routes.js'
import dashboardRoutes from '../modules/dashboards/routes.js'
import declarationRoutes from '../modules/declarations/routes.js'
import instrumentRoutes, { type InstrumentRoutesOptions } from '../modules/instruments/routes.js'
import periodRoutes from '../modules/periods/routes.js'
import { instrumentPlanRoutes, planDashboardRoutes, stagePlanRoutes } from '../modules/planner/routes.js'
import { proposalDeclarationRoutes, proposalPeriodRoutes, proposalUnitRoutes } from '../modules/proposals/routes.js'
import { periodReportRoutes, stageReportRoutes } from '../modules/reports/routes.js'
import reviewRoutes from '../modules/review/routes.js'
import unitRoutes, { type UnitRoutesOptions } from '../modules/units/routes.js'
import workbookRoutes, { periodExportRoutes, type WorkbookRoutesOptions } from '../modules/workbook/routes.js'

/**
 * One home per URL prefix: app.ts registers each prefix once, and the prefix's home here lists
 * every file that answers under it. docs/route-map.md (npm run routes:map) lists every route with
 * its file and operationId. A prefix served by one module registers that module's routes.ts
 * directly in app.ts (/v1/auth…, /v1/audit, /v1/evidence, /v1/events, /v1/webhooks).
 */

/** /v1/assessments */
export const assessmentsHome: FastifyPluginAsync<{ workbook: WorkbookRoutesOptions }> = async (app, opts) => {
  await app.register(assessmentRoutes) // src/modules/assessments/routes.ts: assessments, stages, answers, moves
  await app.register(workbookRoutes, opts.workbook) // src/modules/workbook/routes.ts: …/stages/{stage}/lke.xlsx
  await app.register(stagePlanRoutes) // src/modules/planner/routes.ts: …/stages/{stage}/plan
  await app.register(stageReportRoutes, { work: opts.workbook.uploads }) // src/modules/reports/routes.ts: …/stages/tpi/lhe(.pdf)
  await app.register(reviewRoutes) // src/modules/review/routes.ts: …/stages/{stage}/review
}

/** /v1/periods */
export const periodsHome: FastifyPluginAsync<{ uploads: IsolatedWork }> = async (app, opts) => {
  await app.register(periodRoutes) // src/modules/periods/routes.ts: periods and their windows
  await app.register(periodExportRoutes) // src/modules/workbook/routes.ts: …/{period_id}/answers.csv
  await app.register(proposalPeriodRoutes) // src/modules/proposals/routes.ts: rules, gates, packages, proposals
  await app.register(periodReportRoutes, { work: opts.uploads }) // src/modules/reports/routes.ts: …/instansi/{id}/surat-usulan(.pdf), sptjm(.pdf)
}

/** /v1/dashboards */
export const dashboardsHome: FastifyPluginAsync = async (app) => {
  await app.register(dashboardRoutes) // src/modules/dashboards/routes.ts
  await app.register(planDashboardRoutes) // src/modules/planner/routes.ts: …/closest-by-changes
}

/** /v1/instruments */
export const instrumentsHome: FastifyPluginAsync<InstrumentRoutesOptions> = async (app, opts) => {
  await app.register(instrumentRoutes, { uploads: opts.uploads }) // src/modules/instruments/routes.ts
  await app.register(instrumentPlanRoutes) // src/modules/planner/routes.ts: …/{id}/plan
}

/** /v1/declarations */
export const declarationsHome: FastifyPluginAsync = async (app) => {
  await app.register(declarationRoutes) // src/modules/declarations/routes.ts
  await app.register(proposalDeclarationRoutes) // src/modules/proposals/routes.ts: …/{id}/proposal…
}

/** /v1/units */
export const unitsHome: FastifyPluginAsync<UnitRoutesOptions> = async (app, opts) => {
  await app.register(unitRoutes, { uploads: opts.uploads }) // src/modules/units/routes.ts
  await app.register(proposalUnitRoutes) // src/modules/proposals/routes.ts: …/{id}/predicate-history
}
