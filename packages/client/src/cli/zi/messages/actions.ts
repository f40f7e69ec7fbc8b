import type { Catalogue } from './catalogue.js'

/** actions.ts: `zi actions list|create|from-plan|realise`, the rencana aksi. */
export default {
  en: {
    usage: `  actions list [--unit <id>] [--period <id>] [--area <code>] [--overdue] [--as-of <YYYY-MM-DD>] [--json]
                                           the rencana aksi in your scope, by target date
  actions create --unit <id> --period <id> (--area <code> | --question <code>) --title <text>
                 --pic <name> --due <YYYY-MM-DD> [--output <text>] [--description <text>] [--json]
                                           add one rencana aksi to a unit's plan
  actions from-plan <assessment-id> --due <YYYY-MM-DD> --pic <name> [--stage self] [--target WBK|WBBM] [--json]
                                           one proposed action per step of the improvement plan
                                           (again: nothing new for questions already planned)
  actions realise <action-id> <YYYY-MM> <percent> [--narrative <text>] [--evidence <evidence-id|url>]... [--json]
                                           record a month's realisation (progress 0-100)`,
    action_id: '<action-id>',
    date: '{{what}} must be a date YYYY-MM-DD, not {{value}}',
    required: '{{what}} is required',
    need_area: 'give --area or --question',
    month: '<YYYY-MM> must be a month such as 2026-03, not {{value}}',
    percent: '<percent> must be a whole number 0-100, not {{value}}',
    overdue_mark: 'OVERDUE',
    count_one: '{{count}} action, {{overdue}} overdue',
    count_other: '{{count}} actions, {{overdue}} overdue',
    created: 'created in {{area}}, due {{date}}',
    proposed_one: '{{count}} action proposed from {{steps}} towards {{target}}; {{skipped}} already planned{{reach}}',
    proposed_other:
      '{{count}} actions proposed from {{steps}} towards {{target}}; {{skipped}} already planned{{reach}}',
    steps_one: '{{count}} plan step',
    steps_other: '{{count}} plan steps',
    unreachable: ' (the plan does not reach the target)',
    recorded: '{{month}}: {{percent}}% recorded (status {{status}})',
  },
  id: {
    usage: `  actions list [--unit <id>] [--period <id>] [--area <kode>] [--overdue] [--as-of <YYYY-MM-DD>] [--json]
                                           rencana aksi dalam cakupan Anda, menurut target waktu
  actions create --unit <id> --period <id> (--area <kode> | --question <kode>) --title <teks>
                 --pic <nama> --due <YYYY-MM-DD> [--output <teks>] [--description <teks>] [--json]
                                           tambahkan satu rencana aksi unit kerja (area perubahan
                                           atau pertanyaan LKE, PIC, target waktu)
  actions from-plan <id-penilaian> --due <YYYY-MM-DD> --pic <nama> [--stage self] [--target WBK|WBBM] [--json]
                                           satu usulan rencana aksi per langkah rencana perbaikan
                                           (diulang: tidak ada yang baru untuk pertanyaan yang
                                           sudah direncanakan)
  actions realise <id-aksi> <YYYY-MM> <persen> [--narrative <teks>] [--evidence <id-data-dukung|url>]... [--json]
                                           catat realisasi satu bulan (kemajuan 0-100), dengan
                                           catatan pemantauan dan data dukung`,
    action_id: '<id-aksi>',
    date: '{{what}} harus berupa tanggal YYYY-MM-DD, bukan {{value}}',
    required: '{{what}} wajib diisi',
    need_area: 'berikan --area atau --question',
    month: '<YYYY-MM> harus berupa bulan, mis. 2026-03, bukan {{value}}',
    percent: '<persen> harus bilangan bulat 0-100, bukan {{value}}',
    overdue_mark: 'TERLAMBAT',
    count_one: '{{count}} rencana aksi, {{overdue}} terlambat',
    count_other: '{{count}} rencana aksi, {{overdue}} terlambat',
    created: 'dibuat pada area perubahan {{area}}, target waktu {{date}}',
    proposed_one:
      '{{count}} rencana aksi diusulkan dari {{steps}} menuju {{target}}; {{skipped}} sudah direncanakan{{reach}}',
    proposed_other:
      '{{count}} rencana aksi diusulkan dari {{steps}} menuju {{target}}; {{skipped}} sudah direncanakan{{reach}}',
    steps_one: '{{count}} langkah rencana perbaikan',
    steps_other: '{{count}} langkah rencana perbaikan',
    unreachable: ' (rencana perbaikan tidak mencapai target)',
    recorded: '{{month}}: realisasi {{percent}}% dicatat (status {{status}})',
  },
} satisfies Catalogue
