import type { Catalogue } from './catalogue.js'

/** report.ts: `zi report lhe|surat-usulan|sptjm`, the LHE internal, surat usulan and SPTJM. */
export default {
  en: {
    usage: `  report lhe <assessment-id> [--out <file.pdf>] [--json]
                                           the TPI's Laporan Hasil Evaluasi internal of the
                                           assessment's tpi stage as a PDF (default file name
                                           from the server, e.g. LHE_<unit>_<period>.pdf);
                                           --json: its data on stdout (or --out)
  report surat-usulan|sptjm <period-id> <instansi-id> [--declaration <id>]... [--out <file.pdf>]
         [--json]                          the instansi's draft surat usulan to the TPN (Gambar 6)
                                           or the SPTJM of each unit (Gambar 7): the units
                                           proposed in the period, or those building before any
                                           is, or the --declaration ones`,
    instansi_id: '<instansi-id>',
    wrote: 'wrote {{what}} to {{file}}',
    lhe_data: 'the LHE data',
    lhe_pdf: 'the LHE internal (PDF)',
    surat_data: 'the surat usulan data',
    surat_pdf: 'the surat usulan (PDF)',
    sptjm_data: 'the SPTJM data',
    sptjm_pdf: 'the SPTJM (PDF)',
    units_one: '{{count}} unit: {{names}}',
    units_other: '{{count}} units: {{names}}',
  },
  id: {
    usage: `  report lhe <id-penilaian> [--out <berkas.pdf>] [--json]
                                           Laporan Hasil Evaluasi (LHE) internal TPI atas tahap
                                           tpi penilaian, sebagai PDF (nama berkas bawaan dari
                                           server, mis. LHE_<unit>_<periode>.pdf);
                                           --json: datanya ke stdout (atau ke --out)
  report surat-usulan|sptjm <id-periode> <id-instansi> [--declaration <id>]... [--out <berkas.pdf>]
         [--json]                          draf surat usulan instansi kepada TPN (Gambar 6) atau
                                           SPTJM tiap unit kerja (Gambar 7): unit kerja yang
                                           diusulkan pada periode itu, atau yang sedang dalam
                                           pembangunan bila belum ada yang diusulkan, atau yang
                                           disebut dengan --declaration`,
    instansi_id: '<id-instansi>',
    wrote: '{{what}} ditulis ke {{file}}',
    lhe_data: 'data LHE',
    lhe_pdf: 'LHE internal (PDF)',
    surat_data: 'data surat usulan',
    surat_pdf: 'surat usulan (PDF)',
    sptjm_data: 'data SPTJM',
    sptjm_pdf: 'SPTJM (PDF)',
    units_one: '{{count}} unit kerja: {{names}}',
    units_other: '{{count}} unit kerja: {{names}}',
  },
} satisfies Catalogue
