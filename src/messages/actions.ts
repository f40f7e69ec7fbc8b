import type { Catalogue } from './catalogue.js'

/** Rencana aksi (src/modules/actions): an action plan's problems and field rules. */
export default {
  en: {
    not_found: 'No action with id {{id}} in your scope.',
    unit_not_found: 'No unit with id {{id}} in your scope.',
    rule_broken: 'The action breaks a rule: {{rule}}.',
    write_forbidden: 'A {{role}} may not change action plans; unit operators (of their own units) and admins do.',
    monitoring_forbidden: 'Monitoring notes are the TPI’s: evaluators and admins write them, not a {{role}}.',
    plan_assessment_period: 'The assessment is of another unit or period than the action plan asked for.',
    rules: {
      area_required: 'give the area perubahan (or a question_code, whose area it is)',
      area_mismatch: 'question {{code}} is in area {{actual}}, not {{given}}',
      question_not_found: 'no question {{code}} in the LKE of this period',
      question_without_area: 'question {{code}} is in no area perubahan (a Hasil question): give the area',
      cancel_reason_required: 'cancelling an action needs a reason (cancel_reason)',
      cancel_reason_without_cancel: 'a cancel_reason goes with status cancelled only',
      pic_principal_not_found: 'no principal {{id}}',
      evidence_not_found: 'no evidence {{id}} of this unit',
      evidence_source_missing: 'an evidence item needs an evidence_id or a url',
    },
  },
  id: {
    not_found: 'Tidak ada rencana aksi dengan id {{id}} dalam cakupan Anda.',
    unit_not_found: 'Tidak ada unit kerja dengan id {{id}} dalam cakupan Anda.',
    rule_broken: 'Rencana aksi melanggar aturan: {{rule}}.',
    write_forbidden:
      'Peran {{role}} tidak dapat mengubah rencana aksi; operator unit (untuk unit kerjanya sendiri) dan admin yang dapat.',
    monitoring_forbidden: 'Catatan pemantauan adalah milik TPI: evaluator dan admin yang menulisnya, bukan {{role}}.',
    plan_assessment_period: 'Penilaian tersebut milik unit kerja atau periode lain daripada rencana aksi yang diminta.',
    rules: {
      area_required: 'sebutkan area perubahan (atau question_code, yang menentukan areanya)',
      area_mismatch: 'pertanyaan {{code}} berada di area {{actual}}, bukan {{given}}',
      question_not_found: 'tidak ada pertanyaan {{code}} dalam LKE periode ini',
      question_without_area:
        'pertanyaan {{code}} tidak berada di area perubahan mana pun (pertanyaan Hasil): sebutkan areanya',
      cancel_reason_required: 'pembatalan rencana aksi memerlukan alasan (cancel_reason)',
      cancel_reason_without_cancel: 'cancel_reason hanya untuk status cancelled (dibatalkan)',
      pic_principal_not_found: 'tidak ada principal {{id}}',
      evidence_not_found: 'tidak ada data dukung {{id}} milik unit kerja ini',
      evidence_source_missing: 'setiap data dukung memerlukan evidence_id atau url',
    },
  },
} satisfies Catalogue
