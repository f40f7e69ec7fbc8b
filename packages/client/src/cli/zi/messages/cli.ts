import type { Catalogue } from './catalogue.js'

/** main.ts: help, argument errors, server and network failures, each command's lines for people. */
export default {
  en: {
    usage: {
      header: 'Usage: zi <command> [options]',
      commands: `  login --url <server> [--token <token>]   check the token and save both (token read from stdin
                                           when --token is left out)
  logout                                   forget the saved URL and token
  whoami [--json]                          the principal, role and scope of the token
  units [--kind instansi|opd|unit] [--q <text>] [--json]
                                           the units in your scope (tab-separated, with a header)
  units import <file.csv|file.xlsx> [--dry-run] [--archive-missing] [--json]
                                           the instansi's whole organisation from one file (kode,
                                           nama, jenis, kode_induk, afirmasi, id_<system>): the
                                           diff, then all or nothing (admin)
  declare --period <id> --date <YYYY-MM-DD> (--instansi <id> [--kind opd|unit] | --unit <id>...)
          [--target WBK|WBBM] [--wbbm <unit-id>]... [--document <kind>=<url>]... [--notes <text>]
          [--dry-run] [--idempotency-key <key>] [--json]
                                           mass pencanangan: ZI declared for many units at once
                                           with the shared documents (piagam_pencanangan,
                                           pakta_integritas, other), all or nothing
  assessments [--period <id>] [--unit <id>] [--json]
                                           the assessments in your scope and their stages
  answers pull <assessment-id> <stage> [--format csv|json] [--out <file>]
  answers push <assessment-id> <stage> <file.csv|file.json|-> [--format csv|json]
               [--idempotency-key <key>] [--ignore-versions] [--dry-run] [--json]
                                           write the file's answers as one all-or-nothing batch
                                           (answers as stored are left alone; --dry-run shows
                                           what would change, from what to what, writing nothing)
  score <assessment-id> <stage> [--explain] [--json]
                                           score and WBK/WBBM eligibility, rule by rule
  path <assessment-id> <stage> [--target WBK|WBBM] [--max-changes <n>] [--fixed <code>]...
       [--guidance] [--json]               the fewest answer changes to reach the target (default
                                           WBK), step by step, with the evidence each needs
  proposal-check <declaration-id> [--json]
                                           could the declaration be proposed now? every check
                                           (PermenPANRB 90/2021 Tabel 5 …) with its reason; exit 0
                                           when ready, 2 when a check fails
  survey results <campaign-id> [--csv] [--json]
                                           a survey campaign's summary: respondents, composition,
                                           the IPAK/IPKP index per aspect (--csv: the CSV export)
  survey progress <period-id> [--json]     each unit's respondents so far against the 30 needed`,
      footer: `  <stage> is self, tpi, tpn or sanggah.
  --lang id|en (any command) chooses the language of messages, also asked of the server; else
  ZI_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG), else Indonesian. JSON and TSV data do not
  change with it.
  ZI_URL and ZI_TOKEN override the saved login (config: $XDG_CONFIG_HOME/zi/config.json or
  ~/.config/zi/config.json, mode 0600).
  Exit codes: 0 ok, 1 usage, 2 refused as invalid, 3 auth (401/403, not logged in), 4 not found,
  5 conflict/precondition (409/412/428), 6 server, network or rate limit.`,
      hint: '(zi --help for usage)',
    },
    unknown_command: 'zi: unknown command {{name}}',
    unexpected: 'unexpected error: {{stack}}',
    lang_invalid: '--lang (or ZI_LANG) must be id or en, not {{value}}',
    args: {
      count_one: 'expected {{count}} argument, got {{got}}{{given}}',
      count_other: 'expected {{count}} arguments, got {{got}}{{given}}',
      unknown_option: 'unknown option {{option}}',
      invalid: 'invalid arguments: {{detail}}',
      stage: '<stage> must be one of {{list}}, not {{value}}',
      uuid: '{{what}} must be a UUID, not {{value}}',
      one_of: '{{option}} must be one of {{list}}',
      csv_or_json: '--format must be csv or json',
      target: '--target must be WBK or WBBM, not {{value}}',
      cannot_read: 'cannot read {{file}}: {{why}}',
      cannot_write: 'cannot write {{file}}: {{why}}',
    },
    placeholder: {
      assessment_id: '<assessment-id>',
      declaration_id: '<declaration-id>',
      campaign_id: '<campaign-id>',
      period_id: '<period-id>',
    },
    url: {
      not_url: 'not a URL: {{url}} (expected e.g. https://zi.example.go.id; from {{source}})',
      not_http: 'not an http(s) URL: {{url}} (from {{source}})',
      query: 'the server URL takes no query or fragment: {{url}} (from {{source}})',
    },
    error: {
      problem: 'error: {{status}} {{code}}: {{detail}}{{request}}',
      request: ' (request {{id}})',
      http: 'error: {{status}} {{text}} from {{origin}}',
      unreachable: 'error: cannot reach {{url}}: {{why}}',
      timeout: 'no answer in time',
      file: 'error: {{file}}: {{message}}',
    },
    col: {
      actual: 'actual',
      answer: 'answer',
      area: 'area',
      aspect: 'aspect',
      best_actual: 'best actual',
      campaign: 'campaign',
      check: 'check',
      code: 'code',
      column: 'column',
      component: 'component',
      current: 'current',
      description: 'description',
      due: 'due',
      evidence: 'evidence (data dukung)',
      explanation: 'explanation',
      failing_now: 'failing now',
      field: 'field',
      for: 'for',
      from: 'from',
      how: 'how',
      id: 'id',
      justified: 'justified',
      level: 'level',
      line: 'line',
      max: 'max',
      mean: 'mean',
      message: 'message',
      name: 'name',
      node: 'node',
      of: 'of',
      out_of_reach: 'out of reach',
      overdue: 'overdue',
      pic: 'pic',
      points: 'points',
      points_short: 'points short',
      problem: 'problem',
      progress: 'progress',
      proposed: 'proposed',
      question: 'question',
      question_text: 'question text',
      required: 'required',
      respondents: 'respondents',
      result: 'result',
      rule: 'rule',
      rules: 'rules',
      service_type: 'service_type',
      share: 'share_%',
      state: 'state',
      status: 'status',
      sub_area: 'sub-area',
      target: 'target',
      title: 'title',
      to: 'to',
      unit: 'unit',
      value: 'value',
      verdict: 'verdict',
      where: 'where',
      why: 'why',
    },
    pass: 'PASS',
    fail: 'FAIL',
    yes: 'yes',
    no: 'no',
    login: {
      need_url: 'login needs --url <server>, e.g. --url https://zi.example.go.id',
      need_token: 'give --token <token>, or pipe the token on stdin',
      empty_token: 'the token is empty',
      all_units: 'all units',
      subtrees_one: '{{count}} unit subtree',
      subtrees_other: '{{count}} unit subtrees',
      done: 'logged in to {{url}} as {{name}} ({{role}}, {{scope}}); saved to {{file}}',
    },
    logout: {
      removed: 'removed {{file}}',
      not_logged_in: 'not logged in',
    },
    units: {
      count_one: '{{count}} unit',
      count_other: '{{count}} units',
    },
    assessments: {
      count_one: '{{count}} assessment',
      count_other: '{{count}} assessments',
    },
    pull: {
      summary_one: '{{count}} answer of stage {{stage}} ({{status}}, version {{version}}, total {{total}})',
      summary_other: '{{count}} answers of stage {{stage}} ({{status}}, version {{version}}, total {{total}})',
      wrote: 'wrote {{summary}} to {{file}}',
    },
    push: {
      dry_run_key: '--dry-run writes nothing: it takes no --idempotency-key',
      format_unknown: 'cannot tell the format of {{file}}: name it .csv or .json, or give --format csv|json',
      stale:
        'someone changed these answers since the file was pulled: pull again, or push with --ignore-versions to overwrite',
      unchanged: '{{count}} unchanged',
      dry_run_one:
        'dry run: {{count}} answer of stage {{stage}} would change, {{unchanged}}; nothing was written (stage version {{version}})',
      dry_run_other:
        'dry run: {{count}} answers of stage {{stage}} would change, {{unchanged}}; nothing was written (stage version {{version}})',
      nothing:
        'nothing to write: every answer in the file is as stored ({{unchanged}}); stage {{stage}} stays at version {{version}}',
      replayed:
        'already pushed: the server replayed the first response to this file (Idempotency-Key {{key}}); nothing was written again. To push the same file again on purpose, give a new --idempotency-key.',
      wrote_one:
        'wrote {{count}} answer to stage {{stage}} (version {{version}}, total {{total}}), {{unchanged}}; Idempotency-Key {{key}}',
      wrote_other:
        'wrote {{count}} answers to stage {{stage}} (version {{version}}, total {{total}}), {{unchanged}}; Idempotency-Key {{key}}',
    },
    score: {
      total: 'total',
      total_of: '{{total}} of {{max}}',
      eligible_for: 'eligible for',
      unanswered: 'unanswered',
      more: ' … (--json lists all)',
    },
    path: {
      max_changes: '--max-changes must be a whole number, not {{value}}',
    },
    import: {
      dry_run: 'dry run, nothing written: ',
      summary:
        '{{dry}}{{rows}} rows of {{instansi}}: {{new}} new, {{moved}} moved, {{changed}} changed, {{unchanged}} unchanged, {{restored}} restored; {{missing}} registered but not in the file{{archived}}',
      archived: ' ({{count}} archived)',
    },
    declare: {
      date: "--date must be the ceremony's date as YYYY-MM-DD, not {{value}}",
      kind: '--kind must be opd or unit, not {{value}}',
      need_units: 'name the units: --instansi <id> or --unit <id>...',
      document: '--document must be <kind>=<url> with kind one of {{list}}, not {{value}}',
      no_units: 'the instansi {{id}} has no active {{kind}} in your scope',
      dry_run_one: 'dry run, nothing written: {{count}} unit can be declared, {{refused}} refused',
      dry_run_other: 'dry run, nothing written: {{count}} units can be declared, {{refused}} refused',
      done_one: 'declared {{count}} unit for {{target}} on {{date}}; Idempotency-Key {{key}}',
      done_other: 'declared {{count}} units for {{target}} on {{date}}; Idempotency-Key {{key}}',
    },
    survey: {
      csv_and_json: 'give --csv or --json, not both',
      campaign: 'campaign',
      respondents: 'respondents',
      respondents_of: '{{respondents}} of at least {{minimum}}{{voided}}',
      voided: ', {{count}} voided',
      final: 'final',
      computed_at: 'computed_at',
      not_stated: '(not stated)',
      none: '(none)',
    },
    proposal: {
      ready: 'ready to propose ({{what}})',
      not_ready_one: 'not ready: {{count}} failing check ({{list}})',
      not_ready_other: 'not ready: {{count}} failing checks ({{list}})',
    },
  },
  id: {
    usage: {
      header: 'Cara pakai: zi <perintah> [opsi]',
      commands: `  login --url <server> [--token <token>]   periksa token lalu simpan keduanya (token dibaca dari
                                           stdin bila --token tidak diberikan)
  logout                                   lupakan URL dan token yang tersimpan
  whoami [--json]                          principal, peran, dan cakupan token
  units [--kind instansi|opd|unit] [--q <teks>] [--json]
                                           unit kerja dalam cakupan Anda (dipisah tab, dengan judul)
  units import <berkas.csv|berkas.xlsx> [--dry-run] [--archive-missing] [--json]
                                           seluruh organisasi instansi dari satu berkas (kode,
                                           nama, jenis, kode_induk, afirmasi, id_<sistem>): selisihnya,
                                           lalu semua atau tidak sama sekali (admin)
  declare --period <id> --date <YYYY-MM-DD> (--instansi <id> [--kind opd|unit] | --unit <id>...)
          [--target WBK|WBBM] [--wbbm <id-unit>]... [--document <jenis>=<url>]... [--notes <teks>]
          [--dry-run] [--idempotency-key <kunci>] [--json]
                                           pencanangan massal: ZI dicanangkan untuk banyak unit
                                           sekaligus dengan dokumen bersama (piagam_pencanangan,
                                           pakta_integritas, other), semua atau tidak sama sekali
  assessments [--period <id>] [--unit <id>] [--json]
                                           penilaian dalam cakupan Anda beserta tahapnya
  answers pull <id-penilaian> <tahap> [--format csv|json] [--out <berkas>]
  answers push <id-penilaian> <tahap> <berkas.csv|berkas.json|-> [--format csv|json]
               [--idempotency-key <kunci>] [--ignore-versions] [--dry-run] [--json]
                                           tulis jawaban dalam berkas sebagai satu batch utuh
                                           (jawaban yang sama dengan yang tersimpan dibiarkan;
                                           --dry-run menunjukkan apa yang akan berubah, dari apa
                                           menjadi apa, tanpa menulis apa pun)
  score <id-penilaian> <tahap> [--explain] [--json]
                                           nilai dan kelayakan WBK/WBBM, aturan demi aturan
  path <id-penilaian> <tahap> [--target WBK|WBBM] [--max-changes <n>] [--fixed <kode>]...
       [--guidance] [--json]               perubahan jawaban paling sedikit untuk mencapai target
                                           (bawaan WBK), langkah demi langkah, dengan data dukung
                                           yang diperlukan tiap langkah
  proposal-check <id-pencanangan> [--json]
                                           dapatkah pencanangan ini diusulkan sekarang? setiap
                                           pemeriksaan (PermenPANRB 90/2021 Tabel 5 …) dengan
                                           alasannya; keluar 0 bila siap, 2 bila ada yang gagal
  survey results <id-survei> [--csv] [--json]
                                           ringkasan survei: responden, komposisi, indeks IPAK/IPKP
                                           per aspek (--csv: ekspor CSV)
  survey progress <id-periode> [--json]    responden tiap unit sejauh ini terhadap 30 yang diperlukan`,
      footer: `  <tahap> adalah self, tpi, tpn, atau sanggah.
  --lang id|en (pada perintah apa pun) memilih bahasa pesan, juga yang diminta dari server; bila
  tidak ada: ZI_LANG, lalu locale (LC_ALL, LC_MESSAGES, LANG), lalu bahasa Indonesia. Data JSON
  dan TSV tidak berubah karenanya.
  ZI_URL dan ZI_TOKEN menggantikan login yang tersimpan (konfigurasi: $XDG_CONFIG_HOME/zi/config.json
  atau ~/.config/zi/config.json, mode 0600).
  Kode keluar: 0 berhasil, 1 cara pakai salah, 2 ditolak karena tidak valid, 3 autentikasi (401/403,
  belum masuk), 4 tidak ditemukan, 5 konflik/prasyarat (409/412/428), 6 server, jaringan, atau
  batas laju.`,
      hint: '(zi --help untuk cara pakai)',
    },
    unknown_command: 'zi: perintah tidak dikenal {{name}}',
    unexpected: 'kesalahan tak terduga: {{stack}}',
    lang_invalid: '--lang (atau ZI_LANG) harus id atau en, bukan {{value}}',
    args: {
      count_one: 'diharapkan {{count}} argumen, diberikan {{got}}{{given}}',
      count_other: 'diharapkan {{count}} argumen, diberikan {{got}}{{given}}',
      unknown_option: 'opsi tidak dikenal {{option}}',
      invalid: 'argumen tidak valid: {{detail}}',
      stage: '<tahap> harus salah satu dari {{list}}, bukan {{value}}',
      uuid: '{{what}} harus berupa UUID, bukan {{value}}',
      one_of: '{{option}} harus salah satu dari {{list}}',
      csv_or_json: '--format harus csv atau json',
      target: '--target harus WBK atau WBBM, bukan {{value}}',
      cannot_read: 'tidak dapat membaca {{file}}: {{why}}',
      cannot_write: 'tidak dapat menulis {{file}}: {{why}}',
    },
    placeholder: {
      assessment_id: '<id-penilaian>',
      declaration_id: '<id-pencanangan>',
      campaign_id: '<id-survei>',
      period_id: '<id-periode>',
    },
    url: {
      not_url: 'bukan URL: {{url}} (contoh yang benar: https://zi.example.go.id; dari {{source}})',
      not_http: 'bukan URL http(s): {{url}} (dari {{source}})',
      query: 'URL server tidak boleh memuat query atau fragmen: {{url}} (dari {{source}})',
    },
    error: {
      problem: 'kesalahan: {{status}} {{code}}: {{detail}}{{request}}',
      request: ' (permintaan {{id}})',
      http: 'kesalahan: {{status}} {{text}} dari {{origin}}',
      unreachable: 'kesalahan: tidak dapat menghubungi {{url}}: {{why}}',
      timeout: 'tidak ada jawaban dalam batas waktu',
      file: 'kesalahan: {{file}}: {{message}}',
    },
    col: {
      actual: 'capaian',
      answer: 'jawaban',
      area: 'area perubahan',
      aspect: 'aspek',
      best_actual: 'capaian terbaik',
      campaign: 'survei',
      check: 'pemeriksaan',
      code: 'kode',
      column: 'kolom',
      component: 'komponen',
      current: 'sekarang',
      description: 'uraian',
      due: 'target waktu',
      evidence: 'data dukung',
      explanation: 'penjelasan',
      failing_now: 'belum terpenuhi',
      field: 'isian',
      for: 'untuk',
      from: 'dari',
      how: 'cara hitung',
      id: 'id',
      justified: 'berjustifikasi',
      level: 'tingkat',
      line: 'baris',
      max: 'maks',
      mean: 'rata-rata',
      message: 'pesan',
      name: 'nama',
      node: 'butir',
      of: 'dari',
      out_of_reach: 'tak terjangkau',
      overdue: 'terlambat',
      pic: 'PIC',
      points: 'poin',
      points_short: 'kurang poin',
      problem: 'masalah',
      progress: 'realisasi',
      proposed: 'disarankan',
      question: 'pertanyaan',
      question_text: 'teks pertanyaan',
      required: 'syarat',
      respondents: 'responden',
      result: 'hasil',
      rule: 'aturan',
      rules: 'aturan',
      service_type: 'jenis_layanan',
      share: 'porsi_%',
      state: 'status',
      status: 'status',
      sub_area: 'subarea',
      target: 'target',
      title: 'judul',
      to: 'menjadi',
      unit: 'unit',
      value: 'nilai',
      verdict: 'putusan',
      where: 'letak',
      why: 'alasan',
    },
    pass: 'LULUS',
    fail: 'GAGAL',
    yes: 'ya',
    no: 'tidak',
    login: {
      need_url: 'login memerlukan --url <server>, mis. --url https://zi.example.go.id',
      need_token: 'berikan --token <token>, atau alirkan token lewat stdin',
      empty_token: 'token kosong',
      all_units: 'semua unit',
      subtrees_one: '{{count}} cabang unit',
      subtrees_other: '{{count}} cabang unit',
      done: 'masuk ke {{url}} sebagai {{name}} ({{role}}, {{scope}}); disimpan di {{file}}',
    },
    logout: {
      removed: '{{file}} dihapus',
      not_logged_in: 'belum masuk',
    },
    units: {
      count_one: '{{count}} unit',
      count_other: '{{count}} unit',
    },
    assessments: {
      count_one: '{{count}} penilaian',
      count_other: '{{count}} penilaian',
    },
    pull: {
      summary_one: '{{count}} jawaban tahap {{stage}} ({{status}}, versi {{version}}, total {{total}})',
      summary_other: '{{count}} jawaban tahap {{stage}} ({{status}}, versi {{version}}, total {{total}})',
      wrote: '{{summary}} ditulis ke {{file}}',
    },
    push: {
      dry_run_key: '--dry-run tidak menulis apa pun: tidak menerima --idempotency-key',
      format_unknown:
        'format {{file}} tidak dapat ditentukan: beri nama berakhiran .csv atau .json, atau berikan --format csv|json',
      stale:
        'seseorang mengubah jawaban ini sejak berkas diambil: ambil (pull) lagi, atau kirim dengan --ignore-versions untuk menimpanya',
      unchanged: '{{count}} tidak berubah',
      dry_run_one:
        'uji coba: {{count}} jawaban tahap {{stage}} akan berubah, {{unchanged}}; tidak ada yang ditulis (versi tahap {{version}})',
      dry_run_other:
        'uji coba: {{count}} jawaban tahap {{stage}} akan berubah, {{unchanged}}; tidak ada yang ditulis (versi tahap {{version}})',
      nothing:
        'tidak ada yang ditulis: setiap jawaban dalam berkas sama dengan yang tersimpan ({{unchanged}}); tahap {{stage}} tetap pada versi {{version}}',
      replayed:
        'sudah dikirim: server mengulang jawaban pertama untuk berkas ini (Idempotency-Key {{key}}); tidak ada yang ditulis lagi. Untuk sengaja mengirim berkas yang sama lagi, berikan --idempotency-key baru.',
      wrote_one:
        '{{count}} jawaban ditulis ke tahap {{stage}} (versi {{version}}, total {{total}}), {{unchanged}}; Idempotency-Key {{key}}',
      wrote_other:
        '{{count}} jawaban ditulis ke tahap {{stage}} (versi {{version}}, total {{total}}), {{unchanged}}; Idempotency-Key {{key}}',
    },
    score: {
      total: 'total',
      total_of: '{{total}} dari {{max}}',
      eligible_for: 'memenuhi syarat',
      unanswered: 'belum dijawab',
      more: ' … (--json menampilkan semuanya)',
    },
    path: {
      max_changes: '--max-changes harus bilangan bulat, bukan {{value}}',
    },
    import: {
      dry_run: 'uji coba, tidak ada yang ditulis: ',
      summary:
        '{{dry}}{{rows}} baris {{instansi}}: {{new}} baru, {{moved}} pindah, {{changed}} berubah, {{unchanged}} tetap, {{restored}} dipulihkan; {{missing}} terdaftar tetapi tidak ada di berkas{{archived}}',
      archived: ' ({{count}} diarsipkan)',
    },
    declare: {
      date: '--date harus tanggal pencanangan dalam bentuk YYYY-MM-DD, bukan {{value}}',
      kind: '--kind harus opd atau unit, bukan {{value}}',
      need_units: 'sebutkan unitnya: --instansi <id> atau --unit <id>...',
      document: '--document harus <jenis>=<url> dengan jenis salah satu dari {{list}}, bukan {{value}}',
      no_units: 'instansi {{id}} tidak memiliki {{kind}} aktif dalam cakupan Anda',
      dry_run_one: 'uji coba, tidak ada yang ditulis: {{count}} unit dapat dicanangkan, {{refused}} ditolak',
      dry_run_other: 'uji coba, tidak ada yang ditulis: {{count}} unit dapat dicanangkan, {{refused}} ditolak',
      done_one: 'pencanangan {{target}} untuk {{count}} unit pada {{date}}; Idempotency-Key {{key}}',
      done_other: 'pencanangan {{target}} untuk {{count}} unit pada {{date}}; Idempotency-Key {{key}}',
    },
    survey: {
      csv_and_json: 'berikan --csv atau --json, jangan keduanya',
      campaign: 'survei',
      respondents: 'responden',
      respondents_of: '{{respondents}} dari minimal {{minimum}}{{voided}}',
      voided: ', {{count}} dibatalkan',
      final: 'final',
      computed_at: 'dihitung_pada',
      not_stated: '(tidak disebutkan)',
      none: '(tidak ada)',
    },
    proposal: {
      ready: 'siap diusulkan ({{what}})',
      not_ready_one: 'belum siap: {{count}} pemeriksaan tidak terpenuhi ({{list}})',
      not_ready_other: 'belum siap: {{count}} pemeriksaan tidak terpenuhi ({{list}})',
    },
  },
} satisfies Catalogue
