import { Type, type Static } from 'typebox'
import { Measure, Percent, Score } from '../../lib/precision.js'
import { StringEnum } from '../../lib/schema.js'
import { DECLARATION_STATUSES, TARGETS } from '../declarations/rules.js'
import { AREA_CODES } from '../instruments/domain/index.js'
import { INSTANSI_KINDS } from '../units/tables.js'

const Uuid = Type.String({ format: 'uuid' })
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' })
const DateTime = Type.String({ format: 'date-time' })
const NullableString = Type.Union([Type.String(), Type.Null()])
const Target = StringEnum(TARGETS)
const Kategori = StringEnum(['WBK', 'WBK-AFIRMASI', 'WBBM'] as const)

export const AssessmentParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const InstansiParams = Type.Object({ period_id: Uuid, instansi_id: Uuid }, { additionalProperties: false })

export const LetterQuery = Type.Object(
  {
    declaration_id: Type.Optional(
      Type.Array(Uuid, {
        maxItems: 200,
        description:
          'the declarations (units) the letter names, repeatable; by default the instansi’s units proposed in the period, or, before any is proposed, those building toward WBK/WBBM',
      }),
    ),
  },
  { additionalProperties: false },
)
export type LetterQuery = Static<typeof LetterQuery>

const PeriodRef = Type.Object({ id: Uuid, code: Type.String(), year: Type.Integer() })
const InstansiRef = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  instansi_kind: Type.Union([StringEnum(INSTANSI_KINDS), Type.Null()]),
})
const UnitRef = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  /** the unit's parents below the instansi, top first (e.g. the OPD of a Puskesmas) */
  parents: Type.Array(Type.String(), {
    description: 'names of the units between the instansi and this unit, top first',
  }),
})

const Half = Type.Object({ value: Score(), max: Score() })

export const LheReport = Type.Object(
  {
    kind: Type.Literal('lhe'),
    title: Type.String(),
    generated_on: IsoDate,
    period: PeriodRef,
    instansi: InstansiRef,
    unit: UnitRef,
    assessment_id: Uuid,
    stage: Type.Object({
      id: Uuid,
      status: Type.String(),
      submitted_at: Type.Union([DateTime, Type.Null()]),
      approved_at: Type.Union([DateTime, Type.Null()]),
    }),
    target: Target,
    target_from: StringEnum(['declaration', 'default'] as const, {
      description: 'declaration: the unit’s declaration in the period; default: no declaration, WBK assumed',
    }),
    declaration_id: Type.Union([Uuid, Type.Null()]),
    score: Type.Object({
      total: Score(),
      max_total: Score(),
      components: Type.Array(
        Type.Object({
          code: Type.String(),
          name: Type.String(),
          level: Type.String(),
          value: Score(),
          max: Score(),
          percent: Percent(),
        }),
      ),
      areas: Type.Array(
        Type.Object({
          area: StringEnum(AREA_CODES),
          name: Type.String(),
          pemenuhan: Half,
          reform: Half,
          value: Score(),
          max: Score(),
          percent: Percent(),
        }),
      ),
      unanswered: Type.Integer({ description: 'questions of the TPI stage without an answer' }),
    }),
    rules: Type.Array(
      Type.Object({
        rule: Type.String(),
        predicate: Target,
        description: Type.String(),
        measure: StringEnum(['value', 'share_of_weight'] as const),
        required: Measure(),
        actual: Measure(),
        gap: Measure({ description: 'required − actual in the rule’s measure; 0 when met' }),
        passed: Type.Boolean(),
        source: Type.String(),
      }),
      { description: 'every score rule of the target (WBBM: the WBK ones too), met or not' },
    ),
    requirements: Type.Array(
      Type.Object({
        check: Type.String(),
        requirement: Type.String(),
        passed: Type.Boolean(),
        found: Type.String(),
        decides: Type.Boolean({
          description: 'whether it decides the conclusion (the instansi gate is shown for information)',
        }),
      }),
      {
        description:
          'the unit-level requirements of PermenPANRB 90/2021 Tabel 5 and 6 (and the instansi gate), from the proposal checks',
      },
    ),
    review: Type.Object(
      {
        areas: Type.Array(
          Type.Object({
            area: StringEnum(AREA_CODES),
            name: Type.String(),
            conclusion: NullableString,
            recommendations: Type.Array(Type.String()),
            questions: Type.Array(
              Type.Object({
                code: Type.String(),
                question: Type.String({ description: 'the question’s text, cut at 200 characters' }),
                note: NullableString,
                recommendation: NullableString,
              }),
              { description: 'the questions of the area with a TPI note (catatan) or recommendation, in LKE order' },
            ),
          }),
        ),
        other_questions: Type.Array(
          Type.Object({
            code: Type.String(),
            question: Type.String(),
            note: NullableString,
            recommendation: NullableString,
          }),
          { description: 'notes and recommendations on questions outside the six areas (Hasil)' },
        ),
      },
      {
        description:
          'the TPI’s review of the stage: per area its conclusion and recommendations, per question its note and recommendation',
      },
    ),
    action_plan: Type.Object(
      {
        as_of: IsoDate,
        total: Type.Integer(),
        by_status: Type.Object({
          planned: Type.Integer(),
          in_progress: Type.Integer(),
          done: Type.Integer(),
          cancelled: Type.Integer(),
        }),
        overdue: Type.Integer(),
        areas: Type.Array(
          Type.Object({
            area: StringEnum(AREA_CODES),
            name: Type.String(),
            total: Type.Integer(),
            done: Type.Integer(),
            overdue: Type.Integer(),
            cancelled: Type.Integer(),
            progress_percent: Type.Union([Percent(), Type.Null()], {
              description: 'mean latest realisation of the actions not cancelled; null without any',
            }),
          }),
        ),
      },
      {
        description:
          'the state of the unit’s rencana aksi for the period, per area perubahan (overdue as of as_of, WIB)',
      },
    ),
    conclusion: Type.Object({
      eligible: Type.Boolean(),
      verdict: StringEnum(['memenuhi syarat untuk diusulkan', 'belum memenuhi syarat untuk diusulkan'] as const),
      text: Type.String(),
      unmet: Type.Array(Type.String()),
    }),
    signatures: Type.Object({
      date: IsoDate,
      team: Type.Array(Type.Object({ role: Type.String(), name: NullableString })),
    }),
  },
  { additionalProperties: false },
)
export type LheReport = Static<typeof LheReport>

const LetterUnit = Type.Object({
  declaration_id: Uuid,
  unit: Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }),
  target: Target,
  kategori: Kategori,
  predikat: Type.String({ description: 'e.g. "Menuju WBK"' }),
  status: StringEnum(DECLARATION_STATUSES),
  tpi_total: Type.Union([Score(), Type.Null()]),
})

const LetterBase = {
  title: Type.String(),
  generated_on: IsoDate,
  period: PeriodRef,
  instansi: InstansiRef,
  units: Type.Array(LetterUnit),
}

export const SuratUsulanReport = Type.Object(
  {
    kind: Type.Literal('surat_usulan'),
    ...LetterBase,
    regulation: Type.String(),
    pic: Type.Object({ name: NullableString, email: NullableString, phone: NullableString }),
  },
  { additionalProperties: false },
)
export type SuratUsulanReport = Static<typeof SuratUsulanReport>

export const SptjmReport = Type.Object({ kind: Type.Literal('sptjm'), ...LetterBase }, { additionalProperties: false })
export type SptjmReport = Static<typeof SptjmReport>

export const PdfResponse = {
  description: 'the document as a PDF (A4, Indonesian)',
  content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } },
}
