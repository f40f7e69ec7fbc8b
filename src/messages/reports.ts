import type { Catalogue } from './catalogue.js'

/** The reports (LHE internal, surat usulan, SPTJM): src/modules/reports. */
export default {
  en: {
    busy: 'This server is already rendering as many PDF documents as it may; try again shortly.',
    too_costly: 'Rendering the document exceeded its bound ({{limit}}); try again shortly.',
    no_units:
      'No unit of this instansi is proposed in the period, nor building toward WBK/WBBM (or none of the declarations asked for): the letter would name no unit.',
  },
  id: {
    busy: 'Server sedang menyusun dokumen PDF sebanyak yang diizinkan; coba lagi sebentar lagi.',
    too_costly: 'Penyusunan dokumen melampaui batasnya ({{limit}}); coba lagi sebentar lagi.',
    no_units:
      'Tidak ada unit kerja instansi ini yang diusulkan pada periode ini maupun yang sedang membangun ZI menuju WBK/WBBM (atau tidak satu pun dari pencanangan yang diminta): surat tidak akan menyebut unit kerja.',
  },
} satisfies Catalogue
