import type { Catalogue } from './catalogue.js'

/** Messages of the health module. */
export default {
  en: {
    database_unavailable: 'The database is not reachable.',
  },
  id: {
    database_unavailable: 'Basis data tidak dapat dijangkau.',
  },
} satisfies Catalogue
