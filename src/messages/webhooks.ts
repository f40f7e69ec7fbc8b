import type { Catalogue } from './catalogue.js'

/** Messages of the webhooks module. */
export default {
  en: {
    webhook_url_refused: 'The webhook URL is refused: {{message}}.',
    webhooks_not_configured:
      'Webhooks need WEBHOOK_SECRET_KEY (the key that seals signing secrets); ask the operator to set it.',
    unit_not_found: 'No unit with id {{unitId}}.',
    invalid_cursor: 'The cursor is not valid. Start again without cursor.',
    target: {
      unresolvable: 'the host {{host}} does not resolve',
      address_not_public: '{{host}} resolves to {{address}}, which is not a public address',
    },
    rules: {
      rule: 'not an absolute URL',
      rule_2: 'webhook URLs must use https (got {{protocol}})',
      rule_3: 'the URL has no host',
      rule_4: 'put no credentials in the URL; verify the signature instead',
      rule_5: 'a webhook URL has no #fragment',
    },
    field: {
      unit_not_found: 'no such unit',
    },
  },
  id: {
    webhook_url_refused: 'URL webhook ditolak: {{message}}.',
    webhooks_not_configured:
      'Webhook memerlukan WEBHOOK_SECRET_KEY (kunci yang menyegel rahasia penandatanganan); minta operator untuk mengaturnya.',
    unit_not_found: 'Tidak ada unit dengan id {{unitId}}.',
    invalid_cursor: 'Cursor tidak valid. Mulai lagi tanpa cursor.',
    target: {
      unresolvable: 'host {{host}} tidak dapat di-resolve',
      address_not_public: '{{host}} mengarah ke {{address}}, yang bukan alamat publik',
    },
    rules: {
      rule: 'bukan URL absolut',
      rule_2: 'URL webhook harus memakai https (diterima {{protocol}})',
      rule_3: 'URL tidak memiliki host',
      rule_4: 'jangan cantumkan kredensial dalam URL; verifikasi tanda tangannya',
      rule_5: 'URL webhook tidak memakai #fragment',
    },
    field: {
      unit_not_found: 'unit tidak ditemukan',
    },
  },
} satisfies Catalogue
