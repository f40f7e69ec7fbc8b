import type { Catalogue } from './catalogue.js'

/** Problem titles by HTTP status, and messages shared by every module. */
export default {
  en: {
    status: {
      '400': 'Bad Request',
      '401': 'Unauthorized',
      '403': 'Forbidden',
      '404': 'Not Found',
      '405': 'Method Not Allowed',
      '406': 'Not Acceptable',
      '409': 'Conflict',
      '410': 'Gone',
      '412': 'Precondition Failed',
      '413': 'Content Too Large',
      '414': 'URI Too Long',
      '415': 'Unsupported Media Type',
      '422': 'Unprocessable Content',
      '428': 'Precondition Required',
      '429': 'Too Many Requests',
      '500': 'Internal Server Error',
      '503': 'Service Unavailable',
      other: 'Error',
    },
  },
  id: {
    status: {
      '400': 'Permintaan Tidak Valid',
      '401': 'Belum Terautentikasi',
      '403': 'Akses Ditolak',
      '404': 'Tidak Ditemukan',
      '405': 'Metode Tidak Diizinkan',
      '406': 'Format Tidak Dapat Diberikan',
      '409': 'Konflik',
      '410': 'Sudah Tidak Tersedia',
      '412': 'Prasyarat Tidak Terpenuhi',
      '413': 'Konten Terlalu Besar',
      '414': 'URI Terlalu Panjang',
      '415': 'Jenis Media Tidak Didukung',
      '422': 'Konten Tidak Dapat Diproses',
      '428': 'Prasyarat Diperlukan',
      '429': 'Terlalu Banyak Permintaan',
      '500': 'Kesalahan Server',
      '503': 'Layanan Tidak Tersedia',
      other: 'Kesalahan',
    },
  },
} satisfies Catalogue
