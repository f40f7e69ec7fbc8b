import type { Catalogue } from './catalogue.js'
import actions from './actions.js'
import common from './common.js'
import notifications from './notifications.js'
import reports from './reports.js'
import review from './review.js'

/** Every namespace (file name = namespace), one line each, alphabetical. */
export const catalogues: Record<string, Catalogue> = {
  actions,
  common,
  notifications,
  reports,
  review,
}
