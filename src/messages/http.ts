import type { Catalogue } from './catalogue.js'

/** Messages of the HTTP layer: framework errors, uploads, cursors, preconditions, rate limits. */
export default {
  en: {
    uri_too_long: 'A path parameter is longer than this API accepts.',
    bad_url: 'The request path is not a valid URL (malformed percent-encoding).',
    bad_request: 'The request could not be routed.',
    route_not_found: 'No route {{method}} {{path}}.',
    payload_too_large: 'The request body is larger than this route accepts.',
    unsupported_media_type: 'This route takes a body of type {{accepted}} (Content-Type header), not {{sent}}.',
    empty_body: 'The request has a JSON content type but no body.',
    malformed_body: 'The request body is not valid JSON.',
    write_conflict: 'A concurrent write won; retry the request.',
    invalid_value: 'A value in the request has the wrong format.',
    value_not_storable: 'A value in the request cannot be stored: it contains a NUL character or is out of range.',
    database_unavailable: 'The database is not reachable right now; retry shortly.',
    internal_error: 'The server could not complete the request. Quote the request_id when reporting it.',
    precondition_failed:
      'The {{what}} changed since you read it (it is now at version {{version}}); read it again and retry.',
    uploads_busy:
      'This server is already parsing {{running}} uploaded files with {{waitingCount}} more waiting (IMPORT_CONCURRENCY, IMPORT_QUEUE); try again shortly.',
    upload_too_costly:
      'Reading the file needed more than the {{value}} MB an uploaded file may use (IMPORT_WORKER_MEMORY_MB); nothing was written.',
    import_timeout:
      'Reading the file took longer than {{value}} ms (IMPORT_TIMEOUT_MS); nothing was written. Try again shortly.',
    invalid_cursor: 'The cursor is not valid. Start again without cursor.',
    invalid_cursor_2: 'The cursor is not valid: {{why}}. Start again without cursor.',
    rate_limited: 'Too many requests: the limit is {{max}} per {{seconds}} s. Retry after {{wait}} s.',
    field: {
      rule: 'ZIP64 archives are not accepted (an LKE workbook is far smaller)',
      rule_2: 'the archive has {{count}} entries; at most {{maxEntries}} are accepted',
      rule_3: 'the archive unpacks to more than {{maxTotalBytes}} bytes',
      rule_4: 'the ZIP entry {{name}} uses compression method {{method}}',
      rule_5: 'the ZIP entry {{name}} cannot be unpacked',
    },
    zip: {
      message: 'the file is not a ZIP archive (an .xlsx is one)',
      message_2: 'the ZIP archive has no central directory',
      message_3: 'the ZIP central directory is damaged',
      message_4: 'the ZIP entry {{name}} is damaged',
      message_5: 'the ZIP entry {{name}} is cut short',
    },
  },
  id: {
    uri_too_long: 'Parameter path lebih panjang dari yang diterima API ini.',
    bad_url: 'Path permintaan bukan URL yang valid (percent-encoding rusak).',
    bad_request: 'Permintaan tidak dapat diarahkan ke rute mana pun.',
    route_not_found: 'Tidak ada rute {{method}} {{path}}.',
    payload_too_large: 'Isi permintaan lebih besar dari yang diterima rute ini.',
    unsupported_media_type: 'Rute ini menerima isi bertipe {{accepted}} (header Content-Type), bukan {{sent}}.',
    empty_body: 'Permintaan bertipe JSON tetapi tidak berisi apa pun.',
    malformed_body: 'Isi permintaan bukan JSON yang valid.',
    write_conflict: 'Penulisan lain yang bersamaan lebih dulu berhasil; ulangi permintaan.',
    invalid_value: 'Ada nilai dalam permintaan yang formatnya salah.',
    value_not_storable:
      'Ada nilai dalam permintaan yang tidak dapat disimpan: berisi karakter NUL atau di luar rentang.',
    database_unavailable: 'Basis data sedang tidak dapat dijangkau; coba lagi sebentar lagi.',
    internal_error: 'Server tidak dapat menyelesaikan permintaan. Sebutkan request_id saat melaporkannya.',
    precondition_failed:
      'Data ({{what}}) telah berubah sejak Anda membacanya (kini versi {{version}}); baca lagi lalu ulangi.',
    uploads_busy:
      'Server ini sedang membaca {{running}} berkas unggahan dan {{waitingCount}} lagi menunggu (IMPORT_CONCURRENCY, IMPORT_QUEUE); coba lagi sebentar lagi.',
    upload_too_costly:
      'Membaca berkas memerlukan lebih dari {{value}} MB yang boleh dipakai satu berkas unggahan (IMPORT_WORKER_MEMORY_MB); tidak ada yang ditulis.',
    import_timeout:
      'Membaca berkas memakan waktu lebih dari {{value}} ms (IMPORT_TIMEOUT_MS); tidak ada yang ditulis. Coba lagi sebentar lagi.',
    invalid_cursor: 'Cursor tidak valid. Mulai lagi tanpa cursor.',
    invalid_cursor_2: 'Cursor tidak valid: {{why}}. Mulai lagi tanpa cursor.',
    rate_limited:
      'Terlalu banyak permintaan: batasnya {{max}} per {{seconds}} detik. Coba lagi setelah {{wait}} detik.',
    field: {
      rule: 'arsip ZIP64 tidak diterima (workbook LKE jauh lebih kecil)',
      rule_2: 'arsip berisi {{count}} entri; paling banyak {{maxEntries}} yang diterima',
      rule_3: 'arsip terekstrak menjadi lebih dari {{maxTotalBytes}} byte',
      rule_4: 'entri ZIP {{name}} memakai metode kompresi {{method}}',
      rule_5: 'entri ZIP {{name}} tidak dapat diekstrak',
    },
    zip: {
      message: 'berkas bukan arsip ZIP (berkas .xlsx adalah arsip ZIP)',
      message_2: 'arsip ZIP tidak memiliki central directory',
      message_3: 'central directory ZIP rusak',
      message_4: 'entri ZIP {{name}} rusak',
      message_5: 'entri ZIP {{name}} terpotong',
    },
  },
} satisfies Catalogue
