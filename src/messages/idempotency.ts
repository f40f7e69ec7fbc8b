import type { Catalogue } from './catalogue.js'

/** Messages of the idempotency module. */
export default {
  en: {
    idempotency_key_reused:
      'This Idempotency-Key was already used for a different request; use a new key for a new operation.',
    idempotency_in_progress: 'A request with this Idempotency-Key is still being processed; retry shortly.',
    idempotency_in_progress_2: 'A request with this Idempotency-Key is being processed; retry shortly.',
    invalid_idempotency_key: 'The Idempotency-Key header must be 1 to 200 printable ASCII characters, sent once.',
    field: {
      idempotency_key_reused: 'already used with another request body',
      pattern: 'must be 1–200 printable characters',
    },
  },
  id: {
    idempotency_key_reused:
      'Idempotency-Key ini sudah dipakai untuk permintaan lain; gunakan kunci baru untuk operasi baru.',
    idempotency_in_progress: 'Permintaan dengan Idempotency-Key ini masih diproses; coba lagi sebentar lagi.',
    idempotency_in_progress_2: 'Permintaan dengan Idempotency-Key ini sedang diproses; coba lagi sebentar lagi.',
    invalid_idempotency_key:
      'Header Idempotency-Key harus 1 sampai 200 karakter ASCII yang dapat dicetak, dikirim sekali.',
    field: {
      idempotency_key_reused: 'sudah dipakai dengan isi permintaan lain',
      pattern: 'harus 1–200 karakter yang dapat dicetak',
    },
  },
} satisfies Catalogue
