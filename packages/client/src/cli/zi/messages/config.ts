import type { Catalogue } from './catalogue.js'

/** config.ts: the saved login. */
export default {
  en: {
    cannot_read: 'cannot read {{file}}: {{why}}',
    readable: 'warning: {{file}} is readable by other users; run: chmod 600 {{file}}',
    not_json: '{{file}} is not valid JSON; run zi login again',
    not_logged_in:
      'not logged in: run `zi login --url <server> --token <token>` or set ZI_URL and ZI_TOKEN ({{file}} {{what}})',
    no_token: 'has no token',
    no_url: 'has no server URL',
  },
  id: {
    cannot_read: 'tidak dapat membaca {{file}}: {{why}}',
    readable: 'peringatan: {{file}} dapat dibaca pengguna lain; jalankan: chmod 600 {{file}}',
    not_json: '{{file}} bukan JSON yang valid; jalankan zi login lagi',
    not_logged_in:
      'belum masuk: jalankan `zi login --url <server> --token <token>` atau isi ZI_URL dan ZI_TOKEN ({{file}} {{what}})',
    no_token: 'tidak berisi token',
    no_url: 'tidak berisi URL server',
  },
} satisfies Catalogue
