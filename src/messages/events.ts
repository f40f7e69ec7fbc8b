import type { Catalogue } from './catalogue.js'

/** Messages of the events module. */
export default {
  en: {
    invalid_cursor: 'after must be a next_cursor returned by this API.',
    cursor_expired:
      'Events up to {{purgedThrough}} were purged (retention {{retentionDays}} days); cursor {{after}} would skip some. Reload what you show, then poll from oldest_cursor.',
    field: {
      cursor: 'not a cursor',
      retained: 'older than the oldest retained cursor {{purgedThrough}}',
    },
  },
  id: {
    invalid_cursor: 'after harus berupa next_cursor yang diberikan API ini.',
    cursor_expired:
      'Event sampai {{purgedThrough}} sudah dihapus (retensi {{retentionDays}} hari); cursor {{after}} akan melewatkan sebagian. Muat ulang apa yang Anda tampilkan, lalu lanjutkan dari oldest_cursor.',
    field: {
      cursor: 'bukan cursor',
      retained: 'lebih lama dari cursor tertua yang masih disimpan {{purgedThrough}}',
    },
  },
} satisfies Catalogue
