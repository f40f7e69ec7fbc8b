import type { Catalogue } from './catalogue.js'

/** path.ts: `zi path`, the improvement plan of a stage. */
export default {
  en: {
    already: 'already meets {{target}}: total {{total}}',
    away_one: '{{count}} question from {{target}}: total {{before}} → {{after}}',
    away_other: '{{count}} questions from {{target}}: total {{before}} → {{after}}',
    out_of_reach:
      '{{target}} is out of reach{{within}}: total {{before}} → {{after}} with the closest plan ({{changes}})',
    within: ' within --max-changes',
    changes_one: '{{count}} change',
    changes_other: '{{count}} changes',
    blank: '(blank)',
  },
  id: {
    already: 'sudah memenuhi {{target}}: total {{total}}',
    away_one: '{{count}} pertanyaan lagi menuju {{target}}: total {{before}} → {{after}}',
    away_other: '{{count}} pertanyaan lagi menuju {{target}}: total {{before}} → {{after}}',
    out_of_reach:
      '{{target}} tidak terjangkau{{within}}: total {{before}} → {{after}} dengan rencana terdekat ({{changes}})',
    within: ' dalam batas --max-changes',
    changes_one: '{{count}} perubahan',
    changes_other: '{{count}} perubahan',
    blank: '(kosong)',
  },
} satisfies Catalogue
