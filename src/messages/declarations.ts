import type { Catalogue } from './catalogue.js'

/** Messages of the declarations module. */
export default {
  en: {
    breaks_rule: 'The declaration breaks a rule',
    declarations_refused:
      '{{refusedCount}} of {{verdictsCount}} units cannot be declared (first: {{first}}, {{code}}); nothing was written.',
    declaration_exists: 'This unit already has a declaration in this period.',
    declaration_locked: 'A {{status}} declaration cannot be edited; only declared or building ones can.',
    rules: {
      invalid_transition: 'a {{from}} declaration can move to {{next}}, not {{to}}',
      final: 'a {{from}} declaration is final',
      transition_forbidden: 'the role {{role}} may not move a declaration from {{from}} to {{to}}',
      record_required: '{{to}} needs its record: use {{endpoint}}',
      wbbm_requires_wbk: 'WBBM can be declared only by a unit designated WBK in an earlier period',
      document_source_missing: 'a document needs a url or an evidence_id',
    },
    field: {
      evidence_not_found: 'no evidence {{evidence_id}} of this unit',
      declaration_exists: 'one declaration per unit and period',
      unit_kind_not_eligible: 'an instansi does not declare WBK/WBBM itself; its OPDs and unit kerja do',
    },
  },
  id: {
    breaks_rule: 'Pencanangan melanggar aturan',
    declarations_refused:
      '{{refusedCount}} dari {{verdictsCount}} unit tidak dapat dicanangkan (pertama: {{first}}, {{code}}); tidak ada yang ditulis.',
    declaration_exists: 'Unit ini sudah memiliki pencanangan pada periode ini.',
    declaration_locked:
      'Pencanangan berstatus {{status}} tidak dapat diubah; hanya yang berstatus declared atau building yang dapat.',
    rules: {
      invalid_transition: 'pencanangan berstatus {{from}} dapat berpindah ke {{next}}, bukan {{to}}',
      final: 'pencanangan berstatus {{from}} sudah final',
      transition_forbidden: 'peran {{role}} tidak boleh memindahkan pencanangan dari {{from}} ke {{to}}',
      record_required: '{{to}} memerlukan catatannya sendiri: gunakan {{endpoint}}',
      wbbm_requires_wbk: 'WBBM hanya dapat dicanangkan oleh unit yang telah ditetapkan WBK pada periode sebelumnya',
      document_source_missing: 'dokumen memerlukan url atau evidence_id',
    },
    field: {
      evidence_not_found: 'tidak ada data dukung {{evidence_id}} milik unit ini',
      declaration_exists: 'satu pencanangan per unit dan periode',
      unit_kind_not_eligible: 'instansi tidak mencanangkan WBK/WBBM sendiri; OPD dan unit kerjanya yang mencanangkan',
    },
  },
} satisfies Catalogue
