import { Type, type Static } from 'typebox'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { StringEnum } from '../../lib/schema.js'
import { EVIDENCE_KINDS } from './tables.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' })
const Title = Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' })
const HttpUrl = Type.String({
  format: 'uri',
  maxLength: 2000,
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
  description: 'http or https only',
})
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const EvidenceView = Type.Object({
  id: Uuid,
  unit_id: Uuid,
  period_id: Nullable(Uuid),
  kind: StringEnum(EVIDENCE_KINDS, { description: 'link (url) or file (uploaded, see content_url)' }),
  title: Type.String(),
  url: Nullable(Type.String({ description: 'the link (kind link)' })),
  file_name: Nullable(Type.String({ description: 'the uploaded file name (kind file)' })),
  media_type: Nullable(Type.String()),
  size_bytes: Nullable(Type.Integer()),
  sha256: Nullable(Type.String({ description: 'hex SHA-256 of the file; also its ETag' })),
  content_url: Nullable(Type.String({ description: 'GET it to download the file' })),
  effective_date: Nullable(IsoDate),
  carried_from_id: Nullable(
    Type.String({ format: 'uuid', description: 'the item this one was carried from (an earlier period)' }),
  ),
  uploaded_by: Type.Object({ id: Nullable(Uuid), name: Type.String() }),
  created_at: DateTime,
  updated_at: DateTime,
})
export type EvidenceView = Static<typeof EvidenceView>

export const CreateLinkBody = Type.Object(
  {
    unit_id: Uuid,
    period_id: Type.Optional(Uuid),
    title: Title,
    url: HttpUrl,
    effective_date: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
)
export type CreateLinkBody = Static<typeof CreateLinkBody>

/** The text fields of a multipart upload (validated by the handler; the part `file` carries the content). */
export const UploadFields = Type.Object(
  {
    unit_id: Uuid,
    period_id: Type.Optional(Uuid),
    title: Type.Optional(Title),
    effective_date: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
)
export type UploadFields = Static<typeof UploadFields>

/** For the OpenAPI document only: the multipart form. */
export const UploadForm = Type.Object({
  file: Type.String({
    format: 'binary',
    description: 'pdf, jpeg, png, xlsx, docx, csv or zip; at most EVIDENCE_MAX_BYTES',
  }),
  unit_id: Uuid,
  period_id: Type.Optional(Uuid),
  title: Type.Optional(Type.String({ description: 'defaults to the file name' })),
  effective_date: Type.Optional(IsoDate),
})

export const CarryBody = Type.Object(
  {
    period_id: Type.String({ format: 'uuid', description: 'the later period the item is carried into' }),
    title: Type.Optional(Title),
    effective_date: Type.Optional(Type.Union([IsoDate, Type.Null()])),
  },
  { additionalProperties: false },
)
export type CarryBody = Static<typeof CarryBody>

export const EvidenceListQuery = Type.Object(
  {
    ...PageQuery,
    unit_id: Type.Optional(Uuid),
    period_id: Type.Optional(Uuid),
    kind: Type.Optional(StringEnum(EVIDENCE_KINDS)),
    sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
    updated_since: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)
export type EvidenceListQuery = Static<typeof EvidenceListQuery>
export const EvidencePage = Type.Object({ items: Type.Array(EvidenceView), ...PageMeta })

export const EvidenceIdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const ContentHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ description: 'the ETag (sha256) you have; 304 when unchanged' })),
  range: Type.Optional(Type.String({ description: 'one byte range, e.g. bytes=0-1023 (206)' })),
  'if-range': Type.Optional(
    Type.String({ description: 'the ETag: send the range only if the file is still this one' }),
  ),
})

export const SignedLink = Type.Object({
  url: Type.String({ description: 'absolute URL; opens the file with no token until expires_at' }),
  expires_at: DateTime,
})
export const SignedLinkQuery = Type.Object(
  {
    expires: Type.Integer({ minimum: 0, maximum: 99999999999, description: 'expiry, Unix seconds' }),
    signature: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'HMAC-SHA256, base64url' }),
  },
  { additionalProperties: false },
)
