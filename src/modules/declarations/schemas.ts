import { Type, type Static } from 'typebox'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { StringEnum } from '../../lib/schema.js'
import { DECLARATION_STATUSES, TARGETS } from './rules.js'
import { DOCUMENT_KINDS } from './tables.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' })
const NullableDate = Type.Union([IsoDate, Type.Null()])

export const TargetSchema = StringEnum(TARGETS, {
  description:
    'WBK (Wilayah Bebas dari Korupsi) | WBBM (Wilayah Birokrasi Bersih dan Melayani): WBBM needs a WBK designation in an earlier period',
})
export const StatusSchema = StringEnum(DECLARATION_STATUSES, {
  description: 'declared → building → proposed → evaluated → designated | not_designated; designated → revoked',
})

const DocumentSchema = Type.Object(
  {
    kind: StringEnum(DOCUMENT_KINDS, {
      description: 'piagam_pencanangan | pakta_integritas | sk_tim (SK Tim Pembangunan ZI) | other',
    }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    url: Type.Optional(
      Type.String({
        format: 'uri',
        maxLength: 2000,
        pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
        description: 'http(s) only',
      }),
    ),
    evidence_id: Type.Optional(Type.String({ format: 'uuid', description: 'an evidence item of the same unit' })),
  },
  { additionalProperties: false, description: 'needs a url or an evidence_id (422 document_source_missing)' },
)
const Documents = Type.Array(DocumentSchema, { maxItems: 50 })
const Notes = Type.String({ maxLength: 4000 })

export const DeclarationView = Type.Object({
  id: Uuid,
  unit_id: Uuid,
  period_id: Uuid,
  target: TargetSchema,
  status: StatusSchema,
  declared_on: IsoDate,
  documents: Documents,
  notes: Type.Union([Type.String(), Type.Null()]),
  predicate: Type.Union([TargetSchema, Type.Null()], { description: 'set when designated' }),
  designated_on: NullableDate,
  allowed_transitions: Type.Array(StatusSchema, {
    description: 'the next states the caller may move this declaration to',
  }),
  created_at: DateTime,
  updated_at: DateTime,
  version: Type.Integer({ description: 'bumped on every change; the ETag is "<version>"' }),
})
export type DeclarationView = Static<typeof DeclarationView>

export const TransitionView = Type.Object({
  from: Type.Union([StatusSchema, Type.Null()], { description: 'null for the creation' }),
  to: StatusSchema,
  reason: Type.String(),
  at: DateTime,
  by: Type.Object({ id: Type.Union([Uuid, Type.Null()]), name: Type.String(), role: Type.String() }),
})
export type TransitionView = Static<typeof TransitionView>

export const DeclarationDetail = Type.Object({
  ...DeclarationView.properties,
  history: Type.Array(TransitionView, { description: 'oldest first' }),
})

export const CreateDeclarationBody = Type.Object(
  {
    unit_id: Uuid,
    period_id: Uuid,
    target: TargetSchema,
    declared_on: IsoDate,
    documents: Type.Optional(Documents),
    notes: Type.Optional(Notes),
  },
  { additionalProperties: false },
)
export type CreateDeclarationBody = Static<typeof CreateDeclarationBody>

export const PatchDeclarationBody = Type.Object(
  {
    target: Type.Optional(TargetSchema),
    declared_on: Type.Optional(IsoDate),
    documents: Type.Optional(Documents),
    notes: Type.Optional(Type.Union([Notes, Type.Null()])),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Only while declared or building (409 declaration_locked). documents replaces the list.',
  },
)
export type PatchDeclarationBody = Static<typeof PatchDeclarationBody>

export const TransitionBody = Type.Object(
  {
    to: StatusSchema,
    reason: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S', description: 'why (kept in the history)' }),
  },
  {
    additionalProperties: false,
    description: 'Plain moves only (declared → building); later steps are recorded through the proposal endpoints.',
  },
)
export type TransitionBody = Static<typeof TransitionBody>

export const DeclarationListQuery = Type.Object(
  {
    ...PageQuery,
    period_id: Type.Optional(Uuid),
    unit_id: Type.Optional(Uuid),
    target: Type.Optional(TargetSchema),
    status: Type.Optional(
      Type.Array(StatusSchema, {
        minItems: 1,
        maxItems: 7,
        description: 'one or more (repeat the parameter): status=proposed&status=evaluated',
      }),
    ),
    updated_since: Type.Optional(
      Type.String({ format: 'date-time', description: 'only declarations with updated_at >= this instant' }),
    ),
  },
  { additionalProperties: false },
)
export type DeclarationListQuery = Static<typeof DeclarationListQuery>
export const DeclarationPage = Type.Object({ items: Type.Array(DeclarationView), ...PageMeta })

export const DeclarationIdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ description: 'the ETag from a GET; 412 when the declaration changed since' }),
  ),
})

// --- Mass pencanangan ----------------------------------------------------------------------------

export const MAX_BATCH_UNITS = 1000

export const DeclareManyBody = Type.Object(
  {
    period_id: Uuid,
    declared_on: IsoDate,
    documents: Type.Optional(
      Type.Array(DocumentSchema, {
        maxItems: 20,
        description:
          'the shared documents (the piagam, the pakta integritas, the ceremony’s evidence), on every unit’s declaration before its own; an evidence_id must be an item of each unit, so shared documents are usually urls',
      }),
    ),
    notes: Type.Optional(Notes),
    dry_run: Type.Optional(
      Type.Boolean({ default: false, description: 'true: each unit’s verdict, nothing written (200)' }),
    ),
    units: Type.Array(
      Type.Object(
        {
          unit_id: Uuid,
          target: TargetSchema,
          documents: Type.Optional(Type.Array(DocumentSchema, { maxItems: 30, description: 'this unit’s own' })),
          notes: Type.Optional(
            Type.String({ maxLength: 4000, description: 'replaces the shared notes for this unit' }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_BATCH_UNITS },
    ),
  },
  { additionalProperties: false },
)
export type DeclareManyBody = Static<typeof DeclareManyBody>

const BatchProblem = Type.Object({
  status: Type.Integer(),
  code: Type.String(),
  detail: Type.String(),
  errors: Type.Array(Type.Object({ pointer: Type.String(), rule: Type.String(), message: Type.String() })),
})
export const DeclareManyVerdict = Type.Object({
  index: Type.Integer({ description: 'the unit’s place in the request’s units' }),
  unit_id: Uuid,
  code: Type.Union([Type.String(), Type.Null()], { description: 'null for a unit not found in your scope' }),
  name: Type.Union([Type.String(), Type.Null()]),
  target: TargetSchema,
  verdict: StringEnum(['ok', 'refused'] as const),
  declaration_id: Type.Union([Uuid, Type.Null()], { description: 'set once declared (not in a dry run)' }),
  problem: Type.Union([BatchProblem, Type.Null()], {
    description: 'why the unit is refused, as the single POST /v1/declarations would answer',
  }),
})
export type DeclareManyVerdict = Static<typeof DeclareManyVerdict>
export const DeclareManyResult = Type.Object({
  dry_run: Type.Boolean(),
  period_id: Uuid,
  declared: Type.Integer({ description: 'units declared (in a dry run: that would be)' }),
  refused: Type.Integer(),
  units: Type.Array(DeclareManyVerdict),
})
