import type { Catalogue } from './catalogue.js'

/**
 * Notices by e-mail (src/modules/notifications): the mails' subjects and texts, the names of the
 * kinds, windows and stages they speak of, and the answers of the notice routes.
 */
export default {
  en: {
    token_invalid:
      'This unsubscribe link is not valid (it may have been cut by the mail program). Use the link of a more recent mail, or change your notices in the application.',
    no_person: 'Only a person has notice preferences; {{name}} acts without a principal.',
    unsubscribed: 'You will no longer receive notices of this kind: {{kind}}.',
    unsubscribed_all: 'You will no longer receive any notice by e-mail.',
    rate_limited: 'Too many unsubscribe requests from this address: retry after {{wait}} s.',
    kinds: {
      window_opened: 'a window opens',
      window_closing: 'a window closes soon',
      stage_submitted: 'a stage submitted for review',
      stage_returned: 'a stage returned for revision',
      stage_approved: 'a stage approved',
      proposal_made: 'a unit proposed',
      proposal_refused: 'a proposal refused',
      proposal_outcome: 'the national outcome',
      action_overdue: 'an action of the action plan overdue',
    },
    windows: {
      self_assessment: 'self-assessment (LKE)',
      tpi_verification: 'TPI verification',
      revision: 'revision',
      proposal: 'proposal',
    },
    stages: {
      self: 'The self-assessment',
      tpi: 'The TPI assessment',
      tpn: 'The TPN assessment',
      sanggah: 'The sanggah (appeal)',
    },
    outcomes: {
      designated: 'designated {{target}}',
      not_designated: 'not designated',
      revoked: 'designation revoked',
    },
    subject: {
      window_opened: '[ZI] The {{window}} window of {{period}} is open',
      window_closing: '[ZI] {{days}} day(s) left: the {{window}} window of {{period}} closes {{closes}}',
      stage_submitted: '[ZI] {{stage}} of {{unit}} was submitted for review',
      stage_returned: '[ZI] {{stage}} of {{unit}} was returned for revision',
      stage_approved: '[ZI] {{stage}} of {{unit}} was approved',
      proposal_made: '[ZI] {{unit}} was proposed for {{target}}',
      proposal_refused: '[ZI] The proposal of {{unit}} was refused',
      proposal_outcome: '[ZI] National outcome for {{unit}}: {{outcome}}',
      action_overdue: '[ZI] Overdue action of {{unit}}: {{title}}',
    },
    body: {
      window_opened:
        'The {{window}} window of period {{period}} is open from {{opens}} until {{closes}}.\nYour units with work to do in it:\n{{units}}',
      window_closing:
        'The {{window}} window of period {{period}} closes {{closes}} ({{days}} day(s) left). These units of yours still have a stage that is not submitted:\n{{units}}',
      stage_submitted: '{{stage}} of {{unit}} (period {{period}}) was submitted and waits for your review.',
      stage_returned:
        '{{stage}} of {{unit}} (period {{period}}) was returned for revision. Revise it and submit it again.\n\nReason:\n{{reason}}{{comments}}',
      stage_approved: '{{stage}} of {{unit}} (period {{period}}) was approved.',
      proposal_made: '{{unit}} was proposed by its instansi to the Ministry (KemenPANRB) for {{target}}.',
      proposal_refused:
        'The proposal of {{unit}} for {{target}} did not pass the TPN administrative selection and goes no further.',
      proposal_outcome: 'The national outcome for {{unit}} has been recorded: {{outcome}}.',
      action_overdue:
        'The action "{{title}}" of {{unit}} (period {{period}}, area {{area}}) passed its target date {{target_date}} and is not done. PIC: {{pic}}. Record its realisation or move its target.',
    },
    comments_heading: 'Comments on questions:',
    more_units: '… and {{count}} more',
    open_link: 'Open: {{url}}',
    unsubscribe_line: 'Stop notices of this kind ({{kind}}): {{url}}',
    preferences_line: 'Your notice settings (language, daily digest, kinds): {{url}}',
    footer: 'This notice was sent by ZI Tracker because of your role in the Zona Integritas evaluation.',
    digest: {
      subject: '[ZI] Daily digest: {{count}} notice(s)',
      intro: 'Your Zona Integritas notices since the last digest:',
      unsubscribe_all: 'Stop every notice by e-mail: {{url}}',
    },
  },
  id: {
    token_invalid:
      'Tautan berhenti berlangganan ini tidak valid (mungkin terpotong oleh program surel). Gunakan tautan dari surel yang lebih baru, atau ubah pengaturan pemberitahuan di aplikasi.',
    no_person: 'Hanya orang yang memiliki pengaturan pemberitahuan; {{name}} bertindak tanpa principal.',
    unsubscribed: 'Anda tidak akan lagi menerima pemberitahuan jenis ini: {{kind}}.',
    unsubscribed_all: 'Anda tidak akan lagi menerima pemberitahuan apa pun melalui surel.',
    rate_limited: 'Terlalu banyak permintaan berhenti berlangganan dari alamat ini: coba lagi dalam {{wait}} detik.',
    kinds: {
      window_opened: 'jadwal tahapan dibuka',
      window_closing: 'jadwal tahapan segera ditutup',
      stage_submitted: 'tahap penilaian dikirim untuk direviu',
      stage_returned: 'tahap penilaian dikembalikan untuk perbaikan',
      stage_approved: 'tahap penilaian disetujui',
      proposal_made: 'unit kerja diusulkan',
      proposal_refused: 'usulan ditolak',
      proposal_outcome: 'hasil penetapan nasional',
      action_overdue: 'rencana aksi melewati target',
    },
    windows: {
      self_assessment: 'penilaian mandiri (LKE)',
      tpi_verification: 'verifikasi TPI',
      revision: 'perbaikan',
      proposal: 'pengusulan',
    },
    stages: {
      self: 'Penilaian mandiri',
      tpi: 'Penilaian TPI',
      tpn: 'Penilaian TPN',
      sanggah: 'Sanggah',
    },
    outcomes: {
      designated: 'ditetapkan sebagai {{target}}',
      not_designated: 'tidak ditetapkan',
      revoked: 'predikat dicabut',
    },
    subject: {
      window_opened: '[ZI] Jadwal {{window}} periode {{period}} telah dibuka',
      window_closing: '[ZI] {{days}} hari lagi: jadwal {{window}} periode {{period}} ditutup {{closes}}',
      stage_submitted: '[ZI] {{stage}} {{unit}} telah dikirim untuk direviu',
      stage_returned: '[ZI] {{stage}} {{unit}} dikembalikan untuk perbaikan',
      stage_approved: '[ZI] {{stage}} {{unit}} telah disetujui',
      proposal_made: '[ZI] {{unit}} telah diusulkan sebagai {{target}}',
      proposal_refused: '[ZI] Usulan {{unit}} tidak dilanjutkan',
      proposal_outcome: '[ZI] Hasil penetapan {{unit}}: {{outcome}}',
      action_overdue: '[ZI] Rencana aksi {{unit}} melewati target: {{title}}',
    },
    body: {
      window_opened:
        'Jadwal {{window}} periode {{period}} dibuka sejak {{opens}} sampai {{closes}}.\nUnit kerja Anda yang perlu mengisi pada tahapan ini:\n{{units}}',
      window_closing:
        'Jadwal {{window}} periode {{period}} ditutup {{closes}} ({{days}} hari lagi). Unit kerja Anda berikut masih memiliki tahap yang belum dikirim:\n{{units}}',
      stage_submitted: '{{stage}} unit kerja {{unit}} (periode {{period}}) telah dikirim dan menunggu reviu Anda.',
      stage_returned:
        '{{stage}} unit kerja {{unit}} (periode {{period}}) dikembalikan untuk perbaikan. Lakukan perbaikan lalu kirim kembali.\n\nCatatan:\n{{reason}}{{comments}}',
      stage_approved: '{{stage}} unit kerja {{unit}} (periode {{period}}) telah disetujui.',
      proposal_made: 'Unit kerja {{unit}} telah diusulkan oleh instansi kepada Kementerian PANRB sebagai {{target}}.',
      proposal_refused:
        'Usulan unit kerja {{unit}} sebagai {{target}} tidak lolos seleksi administrasi TPN dan tidak dilanjutkan.',
      proposal_outcome: 'Hasil penetapan nasional untuk unit kerja {{unit}} telah dicatat: {{outcome}}.',
      action_overdue:
        'Rencana aksi "{{title}}" unit kerja {{unit}} (periode {{period}}, area {{area}}) telah melewati target {{target_date}} dan belum selesai. PIC: {{pic}}. Catat realisasinya atau perbarui targetnya.',
    },
    comments_heading: 'Catatan per pertanyaan:',
    more_units: '… dan {{count}} lainnya',
    open_link: 'Buka: {{url}}',
    unsubscribe_line: 'Berhenti menerima pemberitahuan jenis ini ({{kind}}): {{url}}',
    preferences_line: 'Pengaturan pemberitahuan Anda (bahasa, ringkasan harian, jenis): {{url}}',
    footer: 'Pemberitahuan ini dikirim oleh ZI Tracker sesuai peran Anda dalam evaluasi Zona Integritas.',
    digest: {
      subject: '[ZI] Ringkasan harian: {{count}} pemberitahuan',
      intro: 'Pemberitahuan Zona Integritas untuk Anda sejak ringkasan terakhir:',
      unsubscribe_all: 'Berhenti menerima semua pemberitahuan melalui surel: {{url}}',
    },
  },
} satisfies Catalogue
