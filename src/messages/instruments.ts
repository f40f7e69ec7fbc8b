import type { Catalogue } from './catalogue.js'

/** Messages of the instruments module. */
export default {
  en: {
    node_not_found: 'Instrument {{code}} has no node with code {{code2}}.',
    answers_invalid_one: '{{count}} answer is not valid: {{issues}}{{more}}',
    answers_invalid_other: '{{count}} answers are not valid: {{issues}}{{more}}',
    instrument_invalid_one: 'The instrument is not valid ({{count}} problem): {{issues}}{{more}}',
    instrument_invalid_other: 'The instrument is not valid ({{count}} problems): {{issues}}{{more}}',
    instrument_not_draft:
      'Instrument {{code}} is {{status}} and cannot change; clone it into a new draft version to correct it.',
    instrument_code_taken: 'An instrument version with code {{code}} already exists.',
    instrument_change_invalid: 'The changes cannot be applied: {{problems}}.',
    invalid_status_transition: 'Instrument {{code}} is {{status}}; it cannot become {{to}}.',
    predicate_rules_missing:
      'Instrument {{code}} has no {{predicate}} rules; set them (PUT …/predicate-rules) before publishing.',
    instrument_not_draft_2: 'Instrument {{code}} is published; retire it before deleting it.',
    instrument_in_use: 'Instrument {{code}} is used by a period, an assessment or a clone; it cannot be deleted.',
    field: {
      instrument_code_taken: 'must be unique',
      predicate_rules_missing: 'no {{predicate}} rule',
    },
  },
  id: {
    node_not_found: 'Instrumen {{code}} tidak memiliki node berkode {{code2}}.',
    answers_invalid_one: '{{count}} jawaban tidak valid: {{issues}}{{more}}',
    answers_invalid_other: '{{count}} jawaban tidak valid: {{issues}}{{more}}',
    instrument_invalid_one: 'Instrumen tidak valid ({{count}} masalah): {{issues}}{{more}}',
    instrument_invalid_other: 'Instrumen tidak valid ({{count}} masalah): {{issues}}{{more}}',
    instrument_not_draft:
      'Instrumen {{code}} berstatus {{status}} dan tidak dapat diubah; salin menjadi versi draf baru untuk memperbaikinya.',
    instrument_code_taken: 'Versi instrumen dengan kode {{code}} sudah ada.',
    instrument_change_invalid: 'Perubahan tidak dapat diterapkan: {{problems}}.',
    invalid_status_transition: 'Instrumen {{code}} berstatus {{status}}; tidak dapat menjadi {{to}}.',
    predicate_rules_missing:
      'Instrumen {{code}} belum memiliki aturan {{predicate}}; tetapkan (PUT …/predicate-rules) sebelum menerbitkannya.',
    instrument_not_draft_2: 'Instrumen {{code}} sudah terbit; pensiunkan dulu sebelum menghapusnya.',
    instrument_in_use:
      'Instrumen {{code}} dipakai oleh periode, penilaian, atau salinan; instrumen ini tidak dapat dihapus.',
    field: {
      instrument_code_taken: 'harus unik',
      predicate_rules_missing: 'tidak ada aturan {{predicate}}',
    },
  },
} satisfies Catalogue
