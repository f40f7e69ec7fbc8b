/**
 * JSON Schemas (draft-07) of the PortalRB contract, written by hand from KemenPANRB's "Panduan
 * Teknis API Integrasi ZI" v1.0.0 (shared/reference/portalrb-api-integrasi-zi-v1.0.0.txt) and its
 * annex, the master soal (shared/reference/portalrb-master-soal-lke-zi-2026.json). They are
 * deliberately independent of src/modules/portalrb/schemas.ts: the contract test checks the
 * service against the guide, not against itself. Each rule cites the section it comes from.
 */
import { readFileSync } from 'node:fs'

/**
 * §3.1 "Field units[]": id string Wajib (used as path parameter for the LKE fetch), nama string
 * Wajib, kategori string Tidak ("WBK" atau "WBK-AFIRMASI"), afirmasi boolean Tidak.
 * §3.2: the WBBM list is identical "dengan kategori berisi WBBM".
 */
const unitItem = (kategori: string[]) => ({
  type: 'object',
  required: ['id', 'nama'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1 },
    nama: { type: 'string', minLength: 1 },
    kategori: { type: 'string', enum: kategori },
    afirmasi: { type: 'boolean' },
  },
})

/** §3.1 response sukses (HTTP 200): `{ "tahun": 2025, "units": [...] }`. */
const unitList = (kategori: string[]) => ({
  type: 'object',
  required: ['tahun', 'units'],
  additionalProperties: false,
  properties: {
    tahun: { type: 'integer', minimum: 2000, maximum: 2100 },
    units: { type: 'array', items: unitItem(kategori) },
  },
})

export const unitWbkResponse = unitList(['WBK', 'WBK-AFIRMASI'])
export const unitWbbmResponse = unitList(['WBBM'])

const nullableString = { type: ['string', 'null'] }

/**
 * §3.3 "Field answers[]": soal_id integer Wajib (the id from the master soal), jawaban_unit
 * string|null Wajib (A/B/C/D or a numeric value depending on the question), jawaban_tpi,
 * catatan_unit, bukti_dukung_unit (URL or description), catatan_tpi: string|null, Tidak.
 */
export const answerItem = {
  type: 'object',
  required: ['soal_id', 'jawaban_unit'],
  additionalProperties: false,
  properties: {
    soal_id: { type: 'integer' },
    jawaban_unit: nullableString,
    jawaban_tpi: nullableString,
    catatan_unit: nullableString,
    bukti_dukung_unit: nullableString,
    catatan_tpi: nullableString,
  },
}

/** §3.3 response sukses (HTTP 200): `{ unit_id, nama_unit, tahun, answers }`. */
export const jawabanUnitResponse = {
  type: 'object',
  required: ['unit_id', 'nama_unit', 'tahun', 'answers'],
  additionalProperties: false,
  properties: {
    unit_id: { type: 'string', minLength: 1 },
    nama_unit: { type: 'string', minLength: 1 },
    tahun: { type: 'integer', minimum: 2000, maximum: 2100 },
    answers: { type: 'array', items: answerItem },
  },
}

/** §6 "Untuk semua kode HTTP non-2xx, respons harus dalam format JSON": `{ error: true, code, message }`. */
export const errorResponse = {
  type: 'object',
  required: ['error', 'code', 'message'],
  additionalProperties: false,
  properties: {
    error: { const: true },
    code: { type: 'string', minLength: 1 },
    message: { type: 'string', minLength: 1 },
  },
}

/** §5 Kode Respon HTTP: the only statuses the guide defines. */
export const GUIDE_STATUS_CODES = [200, 401, 403, 404, 422, 429, 500]

/**
 * The answer values each master soal `jenis_jawaban` admits (annex; the guide §3.3: "A/B/C/D atau
 * nilai numerik tergantung jenis soal"): the option keys of `skema_penilaian` for option
 * questions, a whole number for "Jumlah"/"jumlah", a decimal 0–4 for survey indices ("0-4").
 */
export function valueSchemaFor(soal: { jenis_jawaban: string; skema_penilaian?: { key: string }[] }): object {
  switch (soal.jenis_jawaban) {
    case 'YA_TIDAK':
    case 'ABC':
    case 'ABCD':
    case 'ABCDE':
      return { type: ['string', 'null'], enum: [...(soal.skema_penilaian ?? []).map((s) => s.key), null] }
    case 'Jumlah':
    case 'jumlah':
      return { type: ['string', 'null'], pattern: '^(0|[1-9][0-9]*)$' }
    case '0-4':
      return { type: ['string', 'null'], pattern: '^([0-3](\\.[0-9]+)?|4(\\.0+)?)$' }
    default:
      throw new Error(`the master soal has a jenis_jawaban this schema does not know: ${soal.jenis_jawaban}`)
  }
}

interface MasterSoal {
  tahun: number
  total_soal: number
  data: MasterNode[]
}
interface MasterNode {
  children?: MasterNode[]
  soals?: { id: number; jenis_jawaban: string; skema_penilaian?: { key: string }[] }[]
}

export function readMasterSoal(): {
  tahun: number
  total: number
  soals: Map<number, { jenis_jawaban: string; skema_penilaian?: { key: string }[] }>
} {
  const doc = JSON.parse(
    readFileSync(new URL('../../../shared/reference/portalrb-master-soal-lke-zi-2026.json', import.meta.url), 'utf8'),
  ) as MasterSoal
  const soals = new Map<number, { jenis_jawaban: string; skema_penilaian?: { key: string }[] }>()
  const walk = (n: MasterNode) => {
    for (const s of n.soals ?? []) soals.set(s.id, s)
    for (const c of n.children ?? []) walk(c)
  }
  doc.data.forEach(walk)
  return { tahun: doc.tahun, total: doc.total_soal, soals }
}

/**
 * §9 "Setiap jawaban menggunakan soal_id yang sesuai dari master soal PortalRB": the §3.3 schema
 * narrowed by the annex: every soal_id is a master soal id, and each answer (unit and TPI) is a
 * value its jenis_jawaban admits.
 */
export function jawabanUnitWithMasterSoal(master: ReturnType<typeof readMasterSoal>): object {
  const perSoal = [...master.soals.entries()].map(([id, soal]) => {
    const value = valueSchemaFor(soal)
    return {
      if: { properties: { soal_id: { const: id } } },
      then: { properties: { jawaban_unit: value, jawaban_tpi: value } },
    }
  })
  return {
    ...jawabanUnitResponse,
    properties: {
      ...jawabanUnitResponse.properties,
      answers: {
        type: 'array',
        items: { allOf: [answerItem, { properties: { soal_id: { enum: [...master.soals.keys()] } } }, ...perSoal] },
      },
    },
  }
}
