import type { Catalogue } from './catalogue.js'

/** Messages of the periods module. */
export default {
  en: {
    breaks_rule: 'The period breaks a rule',
    period_code_taken: 'Another period already has code {{code}}.',
    period_referenced: 'Period {{code}} is referred to by declarations, evidence or assessments; it cannot be deleted.',
    invalid_cursor: 'The cursor is not valid. Start again without cursor.',
    window: {
      not_scheduled: 'The {{window}} window of period {{period}} is not scheduled.',
      upcoming:
        'The {{window}} window of period {{period}} is not open yet: it opens at {{opens_at}} and closes at {{closes_at}}.',
      closed: 'The {{window}} window of period {{period}} is closed: it was open from {{opens_at}} to {{closes_at}}.',
      closed_reopened:
        'The {{window}} window of period {{period}} is closed: it was open from {{opens_at}} to {{closes_at}} (reopened until {{reopened_until}}).',
    },
    rules: {
      invalid_window: 'the {{name}} window closes ({{closes_at}}) before or when it opens ({{opens_at}})',
      invalid_reopen: 'until ({{until}}) is not in the future (now is {{now}})',
    },
    field: {
      instrument_not_found: 'no instrument version with id {{id}}',
      instrument_not_published: 'instrument version {{code}} is {{status}}, not published',
      period_code_taken: 'must be unique',
      window_not_scheduled: 'the {{name}} window of period {{code}} has no dates yet; set them with PATCH first',
    },
  },
  id: {
    breaks_rule: 'Periode melanggar aturan',
    period_code_taken: 'Periode lain sudah memakai kode {{code}}.',
    period_referenced:
      'Periode {{code}} dirujuk oleh pencanangan, data dukung, atau penilaian; periode ini tidak dapat dihapus.',
    invalid_cursor: 'Cursor tidak valid. Mulai lagi tanpa cursor.',
    window: {
      not_scheduled: 'Jadwal {{window}} periode {{period}} belum ditetapkan.',
      upcoming: 'Jadwal {{window}} periode {{period}} belum dibuka: dibuka {{opens_at}} dan ditutup {{closes_at}}.',
      closed: 'Jadwal {{window}} periode {{period}} sudah ditutup: dibuka dari {{opens_at}} sampai {{closes_at}}.',
      closed_reopened:
        'Jadwal {{window}} periode {{period}} sudah ditutup: dibuka dari {{opens_at}} sampai {{closes_at}} (dibuka kembali sampai {{reopened_until}}).',
    },
    rules: {
      invalid_window: 'jadwal {{name}} ditutup ({{closes_at}}) sebelum atau saat dibuka ({{opens_at}})',
      invalid_reopen: 'until ({{until}}) tidak di masa depan (sekarang {{now}})',
    },
    field: {
      instrument_not_found: 'tidak ada versi instrumen dengan id {{id}}',
      instrument_not_published: 'versi instrumen {{code}} berstatus {{status}}, belum terbit',
      period_code_taken: 'harus unik',
      window_not_scheduled: 'jadwal {{name}} periode {{code}} belum bertanggal; tetapkan dulu dengan PATCH',
    },
  },
} satisfies Catalogue
