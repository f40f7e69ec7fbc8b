import { Type, type Static } from 'typebox'
import { StringEnum } from '../../lib/schema.js'
import type { GUIDE_STATUSES } from './rules.js'

/**
 * Shapes of KemenPANRB's "Panduan Teknis API Integrasi ZI" v1.0.0 (field names are the guide's,
 * in Indonesian). Responses carry exactly the guide's fields.
 */
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

export const PortalRbUnit = Type.Object({
  id: Type.String({
    description:
      'the unit’s id in PortalRB (units.external_ids.portalrb) or else its code; the {unit_id} of /lke/jawaban-unit',
  }),
  nama: Type.String({ description: 'unit name' }),
  kategori: StringEnum(['WBK', 'WBK-AFIRMASI', 'WBBM'] as const, {
    description: 'WBK or WBK-AFIRMASI (afirmasi units) on unit-wbk; WBBM on unit-wbbm',
  }),
  afirmasi: Type.Boolean({ description: 'the unit’s afirmasi attribute' }),
})

export const PortalRbUnitList = Type.Object({
  tahun: Type.Integer({ description: 'the evaluation year of the current proposal period' }),
  units: Type.Array(PortalRbUnit, { description: 'units proposed in the period, ordered by id' }),
})
export type PortalRbUnitList = Static<typeof PortalRbUnitList>

export const PortalRbAnswer = Type.Object({
  soal_id: Type.Integer({ description: 'PortalRB master soal id' }),
  jawaban_unit: Nullable(Type.String({ description: 'self-assessment answer: Ya/Tidak, A–E, or a number as text' })),
  jawaban_tpi: Nullable(Type.String({ description: 'Tim Penilai Internal answer' })),
  catatan_unit: Nullable(Type.String()),
  bukti_dukung_unit: Nullable(Type.String({ description: 'evidence URLs, one per line' })),
  catatan_tpi: Nullable(Type.String()),
})

export const PortalRbJawabanUnit = Type.Object({
  unit_id: Type.String(),
  nama_unit: Type.String(),
  tahun: Type.Integer(),
  answers: Type.Array(PortalRbAnswer, {
    description: 'one per question of the instrument with a PortalRB soal_id, in soal_id order',
  }),
})
export type PortalRbJawabanUnit = Static<typeof PortalRbJawabanUnit>

export const PortalRbErrorSchema = Type.Object(
  {
    error: Type.Literal(true),
    code: Type.String({ description: 'stable upper-case code, e.g. DATA_NOT_FOUND, UNIT_NOT_FOUND, INVALID_TOKEN' }),
    message: Type.String({ description: 'Indonesian, for people' }),
  },
  { $id: 'PortalRbError', description: 'Error body of the PortalRB endpoints (guide §6); not problem+json' },
)

export const JawabanUnitParams = Type.Object(
  { unit_id: Type.String({ minLength: 1, maxLength: 200, description: 'an id from unit-wbk / unit-wbbm' }) },
  { additionalProperties: false },
)
export const BuktiDukungParams = Type.Object(
  { evidence_id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)
export const ConditionalHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ description: 'an ETag from an earlier response: 304 when unchanged' })),
})

const TITLES: Record<(typeof GUIDE_STATUSES)[number], string> = {
  401: 'token missing or not valid',
  403: 'the token’s role is not integration',
  404: 'no open proposal period (DATA_NOT_FOUND), unit not proposed (UNIT_NOT_FOUND), or unknown path (NOT_FOUND)',
  422: 'request not valid (INVALID_REQUEST, UNIT_ID_AMBIGUOUS)',
  429: 'rate limit exceeded (RATE_LIMITED); see Retry-After',
  500: 'server error (INTERNAL_ERROR)',
}

/** Error responses in the guide's format, to spread into a route's `response`. */
export function portalRbErrorResponses(...statuses: (typeof GUIDE_STATUSES)[number][]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: TITLES[s], content: { 'application/json': { schema: Type.Ref('PortalRbError') } } },
    ]),
  ) as Record<number, { description: string; content: { 'application/json': { schema: ReturnType<typeof Type.Ref> } } }>
}

export const NotModified = Type.Null({ description: 'Not Modified: the If-None-Match ETag is still current' })
