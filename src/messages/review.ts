import type { Catalogue } from './catalogue.js'

/** The TPI's review: recommendations beside the notes, per-area conclusions (src/modules/review). */
export default {
  en: {
    recommendation_not_for_stage:
      'only a tpi stage carries recommendations (rekomendasi), not a {{stage}} stage; leave recommendation out or null',
    recommendation_too_long: 'a recommendation is at most {{max}} characters',
    cell: {
      too_long: '{{what}} has at most {{max}} characters, this one {{n}}',
      too_many: 'at most {{max}} recommendations per area, one per line; this cell has {{n}}',
      recommendations_cell: 'a recommendations cell',
      recommendation: 'a recommendation',
      conclusion: 'a conclusion',
      area_too_long: 'the area’s Pemenuhan and Reform rows together hold more than an area’s review may',
      duplicate_area: '{{code}} is also an earlier row',
      unknown_area: 'not an area code ({{list}})',
    },
    not_for_stage:
      'Only the tpi stage is reviewed per area perubahan (conclusions and recommendations), not the {{stage}} stage.',
    only_tpi: 'use the tpi stage',
    invalid: '{{count}} field(s) of the review are not valid; nothing was written.',
    rule: {
      duplicate_area: 'the area is also an earlier item',
      maxLength: 'too long',
    },
    stale:
      'The review changed since you read it (now version {{version}}); read it again, or write without If-Match to overwrite.',
  },
  id: {
    recommendation_not_for_stage:
      'hanya tahap tpi yang memuat rekomendasi, bukan tahap {{stage}}; kosongkan recommendation atau isi null',
    recommendation_too_long: 'rekomendasi paling banyak {{max}} karakter',
    cell: {
      too_long: '{{what}} paling banyak {{max}} karakter, yang ini {{n}}',
      too_many: 'paling banyak {{max}} rekomendasi per area, satu per baris; sel ini memuat {{n}}',
      recommendations_cell: 'sel rekomendasi',
      recommendation: 'rekomendasi',
      conclusion: 'kesimpulan',
      area_too_long: 'baris Pemenuhan dan Reform area ini bersama-sama melebihi batas reviu satu area',
      duplicate_area: '{{code}} sudah ada pada baris sebelumnya',
      unknown_area: 'bukan kode area ({{list}})',
    },
    not_for_stage: 'Hanya tahap tpi yang memuat kesimpulan dan rekomendasi per area perubahan, bukan tahap {{stage}}.',
    only_tpi: 'gunakan tahap tpi',
    invalid: '{{count}} isian reviu tidak valid; tidak ada yang disimpan.',
    rule: {
      duplicate_area: 'area ini sudah ada pada butir sebelumnya',
      maxLength: 'terlalu panjang',
    },
    stale:
      'Reviu telah berubah sejak Anda membacanya (kini versi {{version}}); baca ulang, atau simpan tanpa If-Match untuk menimpanya.',
  },
} satisfies Catalogue
