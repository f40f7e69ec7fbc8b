import { Type, type Static } from 'typebox'
import { Measure, Score, Share } from '../../lib/precision.js'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { StringEnum } from '../../lib/schema.js'
import { INSTRUMENT_STATUSES } from './tables.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const NullableDateTime = Type.Union([DateTime, Type.Null()])
const NodeCode = Type.String({ minLength: 1, maxLength: 64 })
const VersionCode = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
  description: 'e.g. LKE-ZI-2026',
})
const VersionName = Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' })

export const ANSWER_TYPES = [
  'ya_tidak',
  'abc',
  'abcd',
  'abcde',
  'percentage',
  'count',
  'rupiah',
  'survey_index',
] as const
export const NODE_LEVELS = ['komponen', 'sub_komponen', 'area_perubahan', 'sub_area', 'question'] as const

export const InstrumentStatus = StringEnum(INSTRUMENT_STATUSES, { description: 'draft → published → retired' })

export const AnswerOption = Type.Object({
  value: Type.String({ description: 'the answer as written: Ya, Tidak, A … E' }),
  label: Type.Optional(Type.String()),
  multiplier: Type.Number({ description: 'the value this answer converts to (0–1), as the workbook computes it' }),
})

export const InstrumentNodeView = Type.Object(
  {
    code: Type.String(),
    parent_code: Type.Union([Type.String(), Type.Null()]),
    level: StringEnum(NODE_LEVELS),
    name: Type.String(),
    order: Type.Number(),
    bobot: Type.Union([Type.Number(), Type.Null()], {
      description: 'weight; null for questions scored through their sub-area',
    }),
    answer_type: Type.Optional(StringEnum(ANSWER_TYPES)),
    options: Type.Optional(Type.Array(AnswerOption)),
    kriteria_nilai: Type.Optional(Type.String()),
    evidence_guidance: Type.Optional(Type.String()),
    formula: Type.Optional(
      Type.String({
        description: 'ratio questions: expression over sibling question codes (README "Formula grammar")',
      }),
    ),
    scored: Type.Optional(Type.Boolean({ description: 'false for "Jumlah" inputs that only feed a formula' })),
    external: Type.Optional(
      Type.Object({
        portalrb_soal_id: Type.Optional(Type.Unsafe<string | number>({ type: ['string', 'number'] })),
        excel_sheet: Type.Optional(Type.String()),
        excel_row: Type.Optional(Type.Integer()),
        excel_columns: Type.Optional(Type.Record(Type.String(), Type.String())),
      }),
    ),
  },
  { $id: 'InstrumentNode' },
)
export type InstrumentNodeView = Static<typeof InstrumentNodeView>

export const PredicateRuleView = Type.Object(
  {
    id: Type.String(),
    predicate: StringEnum(['WBK', 'WBBM'] as const),
    description: Type.String(),
    // The third kind ("nodes": several nodes taken together, e.g. an area's Pemenuhan + Reform parts) is what
    // the seeded rules use (domain/types.ts PredicateTarget); without it here every read of LKE-ZI-2026 failed
    // to serialise (500).
    target: Type.Union([
      Type.Object({ kind: Type.Literal('total') }),
      Type.Object({ kind: Type.Literal('node'), code: Type.String() }),
      Type.Object({ kind: Type.Literal('nodes'), codes: Type.Array(Type.String()) }),
    ]),
    measure: StringEnum(['value', 'share_of_weight'] as const),
    min: Type.Number(),
    source: Type.String({ description: 'the regulation or document the number comes from' }),
    confidence: Type.String(),
  },
  { $id: 'PredicateRule' },
)

const VersionSummaryProps = {
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  year: Type.Integer(),
  status: InstrumentStatus,
  source: StringEnum(['seed', 'import', 'clone'] as const),
  cloned_from_id: Type.Union([Uuid, Type.Null()]),
  digest: Type.String({ description: 'SHA-256 of the definition: equal digests, equal instruments' }),
  question_count: Type.Integer(),
  max_total: Type.Number({ description: 'sum of the komponen weights (100 for LKE ZI)' }),
  created_at: DateTime,
  updated_at: DateTime,
  published_at: NullableDateTime,
  retired_at: NullableDateTime,
  version: Type.Integer(),
}
export const InstrumentSummary = Type.Object(VersionSummaryProps, { $id: 'InstrumentSummary' })
export type InstrumentSummary = Static<typeof InstrumentSummary>

export const InstrumentView = Type.Object({
  ...VersionSummaryProps,
  predicate_rules: Type.Array(Type.Ref('PredicateRule')),
  nodes: Type.Array(Type.Ref('InstrumentNode'), {
    description: 'the whole tree, depth first in order; parent_code links it',
  }),
})

export const NodeDetail = Type.Object({
  node: Type.Ref('InstrumentNode'),
  ancestors: Type.Array(Type.Ref('InstrumentNode'), { description: 'from the komponen down to the parent' }),
  children: Type.Array(Type.Ref('InstrumentNode')),
})

export const InstrumentListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(InstrumentStatus),
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
  },
  { additionalProperties: false },
)
export const InstrumentPage = Type.Object({ items: Type.Array(Type.Ref('InstrumentSummary')), ...PageMeta })

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const NodeParams = Type.Object({ id: Uuid, code: NodeCode }, { additionalProperties: false })

/** PortalRB's master soal document, as PortalRB publishes it (see ../shared/reference). */
const SkemaPenilaian = Type.Object(
  { key: Type.String({ maxLength: 40 }), label: Type.String({ maxLength: 500 }), multiplier: Type.Number() },
  { additionalProperties: false },
)
const Soal = Type.Object(
  {
    id: Type.Integer(),
    teks_pertanyaan: Type.String({ maxLength: 5000 }),
    kriteria_nilai: Type.String({ maxLength: 10000 }),
    jenis_jawaban: Type.String({
      maxLength: 40,
      description: 'YA_TIDAK, ABC, ABCD, ABCDE, Jumlah, 0-4 (checked by the importer: 422 unknown_answer_type)',
    }),
    bobot_maksimal: Type.Number(),
    skema_penilaian: Type.Array(SkemaPenilaian, { maxItems: 20 }),
    excel_sheet: Type.Optional(Type.String({ maxLength: 100 })),
    excel_baris: Type.Optional(Type.Integer()),
    excel_kolom_jawaban_unit: Type.Optional(Type.String({ maxLength: 5 })),
    excel_kolom_jawaban_tpi: Type.Optional(Type.String({ maxLength: 5 })),
    excel_kolom_catatan_unit: Type.Optional(Type.String({ maxLength: 5 })),
    excel_kolom_bukti_dukung_unit: Type.Optional(Type.String({ maxLength: 5 })),
    excel_kolom_catatan_tpi: Type.Optional(Type.String({ maxLength: 5 })),
  },
  { additionalProperties: false },
)
export const MasterSoalNode = Type.Object(
  {
    id: Type.Integer(),
    nama: Type.String({ maxLength: 1000 }),
    level: Type.String({ maxLength: 40 }),
    bobot_maksimal: Type.Number(),
    order_index: Type.Number(),
    children: Type.Array(Type.Ref('MasterSoalNode'), { maxItems: 200 }),
    soals: Type.Array(Soal, { maxItems: 500 }),
  },
  { $id: 'MasterSoalNode', additionalProperties: false },
)
export const MasterSoalDocument = Type.Object(
  {
    tahun: Type.Integer({ minimum: 2000, maximum: 2100 }),
    total_soal: Type.Optional(Type.Integer({ minimum: 0 })),
    generated_at: Type.Optional(Type.String()),
    data: Type.Array(Type.Ref('MasterSoalNode'), { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false, description: 'PortalRB master soal JSON, posted as PortalRB serves it' },
)

export const ImportQuery = Type.Object(
  {
    code: Type.Optional(VersionCode),
    name: Type.Optional(VersionName),
    overlay_from: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'an existing version whose ratio formulas and predicate rules are carried onto the import (the master soal has neither); default: none',
      }),
    ),
  },
  { additionalProperties: false },
)

export const CloneBody = Type.Object(
  { code: VersionCode, name: Type.Optional(VersionName) },
  { additionalProperties: false },
)

export const PatchInstrumentBody = Type.Object(
  { name: Type.Optional(VersionName) },
  { additionalProperties: false, minProperties: 1 },
)

export const NodeChange = Type.Object(
  {
    code: NodeCode,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
    bobot: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
    order: Type.Optional(Type.Number()),
    kriteria_nilai: Type.Optional(Type.String({ maxLength: 10000 })),
    evidence_guidance: Type.Optional(Type.String({ maxLength: 10000 })),
    formula: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
    options: Type.Optional(
      Type.Array(
        Type.Object(
          {
            value: Type.String({ minLength: 1, maxLength: 20 }),
            label: Type.Optional(Type.String({ maxLength: 500 })),
            multiplier: Type.Number({ minimum: 0, maximum: 1 }),
          },
          { additionalProperties: false },
        ),
        { minItems: 2, maxItems: 10 },
      ),
    ),
  },
  { additionalProperties: false },
)
export const PatchNodesBody = Type.Object(
  {
    changes: Type.Array(NodeChange, {
      minItems: 1,
      maxItems: 1000,
      description: 'applied together, then the whole version is validated: all or nothing',
    }),
  },
  { additionalProperties: false },
)

export const PredicateRulesBody = Type.Object(
  {
    rules: Type.Array(
      Type.Object(
        {
          id: Type.String({ minLength: 1, maxLength: 64 }),
          predicate: StringEnum(['WBK', 'WBBM'] as const),
          description: Type.String({ minLength: 1, maxLength: 500 }),
          target: Type.Union([
            Type.Object({ kind: Type.Literal('total') }, { additionalProperties: false }),
            Type.Object({ kind: Type.Literal('node'), code: NodeCode }, { additionalProperties: false }),
            // as in PredicateRuleView: the seeded rules' kind, so rules read from a version can be PUT back
            Type.Object(
              { kind: Type.Literal('nodes'), codes: Type.Array(NodeCode, { minItems: 1, maxItems: 100 }) },
              { additionalProperties: false },
            ),
          ]),
          measure: StringEnum(['value', 'share_of_weight'] as const),
          min: Type.Number({ minimum: 0 }),
          source: Type.String({ minLength: 1, maxLength: 1000 }),
          confidence: Type.String({ minLength: 1, maxLength: 100 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 100 },
    ),
  },
  { additionalProperties: false },
)

export const DiffQuery = Type.Object({ from: Uuid, to: Uuid }, { additionalProperties: false })
export const DiffView = Type.Object({
  from: Type.Object({ id: Uuid, code: Type.String() }),
  to: Type.Object({ id: Uuid, code: Type.String() }),
  added: Type.Array(Type.String()),
  removed: Type.Array(Type.String()),
  reweighted: Type.Array(
    Type.Object({
      code: Type.String(),
      from: Type.Union([Type.Number(), Type.Null()]),
      to: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
  reworded: Type.Array(
    Type.Object({ code: Type.String(), field: Type.String(), from: Type.Unknown(), to: Type.Unknown() }),
  ),
  moved: Type.Array(
    Type.Object({
      code: Type.String(),
      from: Type.Union([Type.String(), Type.Null()]),
      to: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
})

// One JSON-schema `type` list, not an anyOf: with type coercion on (for query strings), ajv would
// coerce a number to the string branch of an anyOf, turning a count 7 into "7".
export const AnswerValue = Type.Unsafe<string | number | null>({
  type: ['string', 'number', 'null'],
  maxLength: 20,
  description: 'Ya/Tidak, A–E, a percentage 0–100, a count ≥ 0, Rupiah ≥ 0, or a survey index 0–4 (two decimals)',
})
export const ScoreBody = Type.Object(
  {
    answers: Type.Record(NodeCode, AnswerValue, {
      maxProperties: 2000,
      description: 'question code → Ya/Tidak, A–E, or a number',
    }),
  },
  { additionalProperties: false },
)
export const ScoreQuery = Type.Object(
  { explain: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
)

export const EligibilityView = Type.Object(
  {
    predicate: StringEnum(['WBK', 'WBBM', 'none'] as const),
    rules: Type.Array(
      Type.Object({
        rule: Type.String(),
        predicate: StringEnum(['WBK', 'WBBM'] as const),
        description: Type.String(),
        required: Measure(),
        actual: Measure(),
        passed: Type.Boolean(),
        source: Type.String(),
      }),
    ),
  },
  { $id: 'Eligibility' },
)

export const ScoreView = Type.Object(
  {
    total: Score(),
    max_total: Score(),
    components: Type.Array(
      Type.Object({
        code: Type.String(),
        name: Type.String(),
        level: Type.String(),
        value: Score(),
        max: Score(),
      }),
      {
        description: 'komponen and sub_komponen values',
      },
    ),
    unanswered: Type.Array(Type.String()),
    eligibility: Type.Ref('Eligibility'),
    explanation: Type.Optional(
      Type.Object({
        nodes: Type.Array(
          Type.Object({
            code: Type.String(),
            level: Type.String(),
            value: Score(),
            max: Type.Union([Score(), Type.Null()]),
            combine: Type.String(),
            children: Type.Array(Type.String()),
            text: Type.String(),
          }),
        ),
        questions: Type.Array(
          Type.Object({
            code: Type.String(),
            answer: AnswerValue,
            answered: Type.Boolean(),
            multiplier: Type.Union([Share(), Type.Null()]),
            value: Type.Union([Score(), Type.Null()]),
            text: Type.Optional(Type.String()),
          }),
        ),
      }),
    ),
  },
  { $id: 'Score' },
)

/** Shared schemas the routes refer to by $ref; registered once on the root instance. */
export const instrumentSchemas = [
  InstrumentNodeView,
  PredicateRuleView,
  InstrumentSummary,
  MasterSoalNode,
  EligibilityView,
  ScoreView,
]
