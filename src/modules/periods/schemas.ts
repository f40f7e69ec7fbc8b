import { Type, type Static } from 'typebox'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { StringEnum } from '../../lib/schema.js'
import { WINDOW_STATES } from './rules.js'
import { WINDOW_NAMES } from './tables.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })

export const WindowNameSchema = StringEnum(WINDOW_NAMES, {
  description:
    'self_assessment (unit fills the LKE) | tpi_verification (TPI scores) | revision (answers returned for revision) | proposal (units proposed to the Kementerian PANRB)',
})

const Code = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*$',
  description: 'unique, e.g. ZI-2026',
})
const Name = Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' })
const Year = Type.Integer({ minimum: 2000, maximum: 2100 })

const WindowInput = Type.Object(
  {
    opens_at: DateTime,
    closes_at: Type.String({ format: 'date-time', description: 'exclusive; must be after opens_at' }),
  },
  { additionalProperties: false },
)
const WindowsInput = Type.Object(
  {
    self_assessment: Type.Optional(WindowInput),
    tpi_verification: Type.Optional(WindowInput),
    revision: Type.Optional(WindowInput),
    proposal: Type.Optional(WindowInput),
  },
  { additionalProperties: false, description: 'a window left out is not scheduled (closed) until set' },
)
const NullableWindow = Type.Union([WindowInput, Type.Null()])
const WindowsPatch = Type.Object(
  {
    self_assessment: Type.Optional(NullableWindow),
    tpi_verification: Type.Optional(NullableWindow),
    revision: Type.Optional(NullableWindow),
    proposal: Type.Optional(NullableWindow),
  },
  {
    additionalProperties: false,
    description: 'windows sent replace the schedule (a reopen stays); null unschedules a window',
  },
)

const NullableDateTime = Type.Union([DateTime, Type.Null()])
export const WindowView = Type.Object({
  opens_at: DateTime,
  closes_at: DateTime,
  state: StringEnum(WINDOW_STATES, { description: 'at the time of the response (database clock)' }),
  open: Type.Boolean(),
  reopened_until: NullableDateTime,
  reopen_reason: Type.Union([Type.String(), Type.Null()]),
  reopened_at: NullableDateTime,
})
const NullableWindowView = Type.Union([WindowView, Type.Null()], { description: 'null: not scheduled' })

export const PeriodView = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  year: Type.Integer(),
  instrument_version_id: Uuid,
  windows: Type.Object({
    self_assessment: NullableWindowView,
    tpi_verification: NullableWindowView,
    revision: NullableWindowView,
    proposal: NullableWindowView,
  }),
  created_at: DateTime,
  updated_at: DateTime,
  version: Type.Integer({ description: 'bumped on every change; the ETag is "<version>"' }),
})
export type PeriodView = Static<typeof PeriodView>

export const CreatePeriodBody = Type.Object(
  {
    code: Code,
    name: Name,
    year: Year,
    instrument_version_id: Type.String({ format: 'uuid', description: 'a published instrument version' }),
    windows: Type.Optional(WindowsInput),
  },
  { additionalProperties: false },
)
export type CreatePeriodBody = Static<typeof CreatePeriodBody>

export const PatchPeriodBody = Type.Object(
  {
    code: Type.Optional(Code),
    name: Type.Optional(Name),
    year: Type.Optional(Year),
    instrument_version_id: Type.Optional(Uuid),
    windows: Type.Optional(WindowsPatch),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PatchPeriodBody = Static<typeof PatchPeriodBody>

export const PeriodListQuery = Type.Object(
  {
    ...PageQuery,
    year: Type.Optional(Year),
    instrument_version_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type PeriodListQuery = Static<typeof PeriodListQuery>
export const PeriodPage = Type.Object({ items: Type.Array(PeriodView), ...PageMeta })

export const PeriodIdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const WindowParams = Type.Object({ id: Uuid, window: WindowNameSchema }, { additionalProperties: false })

export const ReopenBody = Type.Object(
  {
    until: Type.String({
      format: 'date-time',
      description: 'the window stays open until this instant (must be in the future)',
    }),
    reason: Type.String({
      minLength: 1,
      maxLength: 1000,
      pattern: '\\S',
      description: 'why the window is reopened (audited)',
    }),
  },
  { additionalProperties: false },
)
export type ReopenBody = Static<typeof ReopenBody>
