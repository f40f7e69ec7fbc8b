import { Type, type Static } from 'typebox'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { StringEnum } from '../../lib/schema.js'
import { INSTANSI_KINDS, UNIT_KINDS } from './tables.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' })
const NullableUuid = Type.Union([Uuid, Type.Null()])
const NullableDate = Type.Union([IsoDate, Type.Null()])

export const UnitKind = StringEnum(UNIT_KINDS, {
  description: 'instansi (the Pemda, the root) | opd | unit (unit kerja)',
})
export const InstansiKindSchema = StringEnum(INSTANSI_KINDS, {
  description:
    'instansi only: kementerian_lembaga (K/L) | provinsi | kabupaten | kota (Pemda); the proposal gate uses it',
})
const NullableInstansiKind = Type.Union([InstansiKindSchema, Type.Null()])

const Code = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*$',
  description: 'unique within the instansi; letters, digits and . _ / - (e.g. the kode satker)',
})
const Name = Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' })
const ExternalIds = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
  Type.String({ minLength: 1, maxLength: 200 }),
  {
    maxProperties: 20,
    description: 'identifiers of this unit in other systems, e.g. {"portalrb": "12345"}',
  },
)
const ExternalIdsPatch = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
  Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()]),
  { maxProperties: 20, description: 'merged into the stored map (JSON merge patch): a key set to null is removed' },
)

export const UnitView = Type.Object(
  {
    id: Uuid,
    instansi_id: Uuid,
    code: Type.String(),
    name: Type.String(),
    kind: UnitKind,
    instansi_kind: NullableInstansiKind,
    parent_id: NullableUuid,
    afirmasi: Type.Boolean({ description: 'explicit attribute (e.g. daerah 3T); never guessed from the name' }),
    valid_from: NullableDate,
    valid_to: NullableDate,
    predecessor_id: Type.Union([Uuid, Type.Null()], { description: 'the unit this one replaced in a reorganisation' }),
    external_ids: Type.Record(Type.String(), Type.String()),
    depth: Type.Integer({ description: '0 for the instansi, 1 for an OPD, 2+ for unit kerja' }),
    created_at: DateTime,
    updated_at: DateTime,
    archived_at: Type.Union([DateTime, Type.Null()]),
    version: Type.Integer({ description: 'bumped on every change; the ETag is "<version>"' }),
  },
  { $id: 'Unit' },
)
export type UnitView = Static<typeof UnitView>

export const UnitRef = Type.Ref('Unit')

export const CreateUnitBody = Type.Object(
  {
    code: Code,
    name: Name,
    kind: UnitKind,
    instansi_kind: Type.Optional(NullableInstansiKind),
    parent_id: Type.Optional(NullableUuid),
    afirmasi: Type.Optional(Type.Boolean({ default: false })),
    valid_from: Type.Optional(NullableDate),
    valid_to: Type.Optional(NullableDate),
    predecessor_id: Type.Optional(NullableUuid),
    external_ids: Type.Optional(ExternalIds),
  },
  { additionalProperties: false },
)
export type CreateUnitBody = Static<typeof CreateUnitBody>

export const PatchUnitBody = Type.Object(
  {
    code: Type.Optional(Code),
    name: Type.Optional(Name),
    instansi_kind: Type.Optional(NullableInstansiKind),
    parent_id: Type.Optional(Uuid),
    afirmasi: Type.Optional(Type.Boolean()),
    valid_from: Type.Optional(NullableDate),
    valid_to: Type.Optional(NullableDate),
    predecessor_id: Type.Optional(NullableUuid),
    external_ids: Type.Optional(ExternalIdsPatch),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Only the fields present change. `kind` cannot change: archive the unit and create its successor.',
  },
)
export type PatchUnitBody = Static<typeof PatchUnitBody>

export const UNIT_SORTS = [
  'name',
  '-name',
  'code',
  '-code',
  'updated_at',
  '-updated_at',
  'created_at',
  '-created_at',
] as const
export type UnitSort = (typeof UNIT_SORTS)[number]

export const UnitListQuery = Type.Object(
  {
    ...PageQuery,
    instansi_id: Type.Optional(Uuid),
    parent_id: Type.Optional(Uuid),
    kind: Type.Optional(UnitKind),
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'case-insensitive search in name and code' }),
    ),
    active: Type.Optional(Type.Boolean({ description: 'true: not archived; false: archived only; absent: both' })),
    afirmasi: Type.Optional(Type.Boolean()),
    updated_since: Type.Optional(
      Type.String({ format: 'date-time', description: 'only units with updated_at >= this instant' }),
    ),
    sort: Type.Optional(
      StringEnum(UNIT_SORTS, {
        default: 'name',
        description: 'order; a leading - means descending; ties broken by id',
      }),
    ),
  },
  { additionalProperties: false },
)
export type UnitListQuery = Static<typeof UnitListQuery>

export const UnitPage = Type.Object({ items: Type.Array(UnitRef), ...PageMeta })

export const UnitIdParams = Type.Object({ id: Uuid }, { additionalProperties: false })

export const TreeQuery = Type.Object(
  {
    include_archived: Type.Optional(Type.Boolean({ default: false })),
    max_depth: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 20, description: 'levels below the unit to include (0: the unit alone)' }),
    ),
  },
  { additionalProperties: false },
)

export interface TreeNodeView extends UnitView {
  children: TreeNodeView[]
}
export const UnitTreeNode = Type.Object(
  { ...UnitView.properties, children: Type.Array(Type.Ref('UnitTreeNode'), { description: 'ordered by name' }) },
  { $id: 'UnitTreeNode' },
)
export const TreeResponse = Type.Object({
  root: Type.Unsafe<TreeNodeView>(Type.Ref('UnitTreeNode')),
  count: Type.Integer({ description: 'number of units in the tree' }),
})

/** Shared schemas the routes refer to by $ref; registered once on the root instance. */
export const unitSchemas = [UnitView, UnitTreeNode]

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ description: 'the ETag from a GET; the write is refused with 412 when the unit changed since' }),
  ),
})
export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ description: 'an ETag from an earlier GET; 304 when unchanged' })),
})

// --- Registry import -----------------------------------------------------------------------------

/** The multipart form, for the documentation (the handler reads the stream itself). */
export const RegistryImportForm = Type.Object(
  {
    file: Type.String({
      format: 'binary',
      description:
        'the organisation as CSV (UTF-8, comma or semicolon) or .xlsx (first sheet): a header line, then one row per unit',
    }),
    dry_run: Type.Optional(
      Type.String({ enum: ['true', 'false'], default: 'false', description: 'true: the diff only, nothing written' }),
    ),
    archive_missing: Type.Optional(
      Type.String({
        enum: ['true', 'false'],
        default: 'false',
        description: 'true: archive the registered units the file does not list (else they are only reported)',
      }),
    ),
  },
  { additionalProperties: false },
)

const ChangeValue = Type.Union([Type.String(), Type.Boolean(), Type.Null()])
export const RegistryImportResult = Type.Object({
  dry_run: Type.Boolean(),
  instansi: Type.Object({
    id: Type.Union([Uuid, Type.Null()], { description: 'null in a dry run that would create the instansi' }),
    code: Type.String(),
  }),
  summary: Type.Object({
    rows: Type.Integer({ description: 'data rows read' }),
    new: Type.Integer(),
    moved: Type.Integer(),
    changed: Type.Integer({ description: 'changed but not moved' }),
    unchanged: Type.Integer(),
    restored: Type.Integer({ description: 'archived units the file lists again (brought back)' }),
    missing: Type.Integer({ description: 'active registered units the file does not list' }),
    archived: Type.Integer({ description: 'missing units archived (archive_missing=true)' }),
  }),
  rows: Type.Array(
    Type.Object({
      line: Type.Integer(),
      code: Type.String(),
      kind: UnitKind,
      parent_code: Type.Union([Type.String(), Type.Null()]),
      action: StringEnum(['new', 'moved', 'changed', 'unchanged'] as const),
      restored: Type.Boolean(),
      unit_id: Type.Union([Uuid, Type.Null()], { description: 'null for a new unit in a dry run' }),
      changes: Type.Array(Type.Object({ field: Type.String(), from: ChangeValue, to: ChangeValue }), {
        description: 'parent, name, afirmasi, instansi_kind, external_ids.<system>',
      }),
    }),
    { description: 'every row of the file, parents before children' },
  ),
  missing: Type.Array(
    Type.Object({ unit_id: Uuid, code: Type.String(), name: Type.String(), kind: UnitKind, archived: Type.Boolean() }),
  ),
})
export type RegistryImportResult = Static<typeof RegistryImportResult>
