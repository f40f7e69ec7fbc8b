import type { Catalogue } from './catalogue.js'
import actions from './actions.js'
import assessments from './assessments.js'
import auth from './auth.js'
import common from './common.js'
import dashboards from './dashboards.js'
import declarations from './declarations.js'
import events from './events.js'
import evidence from './evidence.js'
import health from './health.js'
import http from './http.js'
import idempotency from './idempotency.js'
import instruments from './instruments.js'
import notifications from './notifications.js'
import periods from './periods.js'
import proposals from './proposals.js'
import reports from './reports.js'
import review from './review.js'
import survey from './survey.js'
import units from './units.js'
import validation from './validation.js'
import webhooks from './webhooks.js'
import workbook from './workbook.js'

/** Every namespace (file name = namespace), one line each, alphabetical. */
export const catalogues: Record<string, Catalogue> = {
  actions,
  assessments,
  auth,
  common,
  dashboards,
  declarations,
  events,
  evidence,
  health,
  http,
  idempotency,
  instruments,
  notifications,
  periods,
  proposals,
  reports,
  review,
  survey,
  units,
  validation,
  webhooks,
  workbook,
}
