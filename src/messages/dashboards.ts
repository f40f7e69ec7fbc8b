import type { Catalogue } from './catalogue.js'

/** Messages of the dashboards module. */
export default {
  en: {
    stage_not_visible:
      "Unit operators' dashboards cover the self and sanggah stages; the {{kind}} stage's drafts are the evaluators'.",
    field: {
      stage_not_visible: 'not visible to a unit_operator: {{kind}}',
    },
  },
  id: {
    stage_not_visible:
      'Dasbor operator unit mencakup tahap self dan sanggah; draf tahap {{kind}} adalah milik evaluator.',
    field: {
      stage_not_visible: 'tidak terlihat oleh unit_operator: {{kind}}',
    },
  },
} satisfies Catalogue
