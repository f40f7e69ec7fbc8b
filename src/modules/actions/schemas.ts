import { Type, type Static } from 'typebox'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { Percent } from '../../lib/precision.js'
import { StringEnum } from '../../lib/schema.js'
import { STAGE_KINDS } from '../assessments/rules.js'
import { AREA_CODES } from '../instruments/domain/areas.js'
import { ACTION_SOURCES, ACTION_STATUSES, MONTH_PATTERN } from './rules.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '\\S', ...(description ? { description } : {}) })

export const AreaSchema = StringEnum(AREA_CODES, {
  description:
    'area perubahan (Lampiran I): manajemen_perubahan | penataan_tatalaksana | penataan_sdm | penguatan_akuntabilitas | penguatan_pengawasan | pelayanan_publik',
})
export const StatusSchema = StringEnum(ACTION_STATUSES, {
  description: 'planned | in_progress | done | cancelled (cancelling needs cancel_reason)',
})
const QuestionCode = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'an LKE question code of the period’s instrument',
})
const Month = Type.String({ pattern: MONTH_PATTERN, description: 'YYYY-MM' })

export const EvidenceItem = Type.Object(
  {
    evidence_id: Type.Optional(
      Type.String({ format: 'uuid', description: 'an evidence item (data dukung) of the same unit' }),
    ),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    url: Type.Optional(
      Type.String({
        format: 'uri',
        maxLength: 2000,
        pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
        description: 'http(s) only',
      }),
    ),
  },
  { additionalProperties: false, description: 'needs an evidence_id or a url (422 evidence_source_missing)' },
)

export const RealisationView = Type.Object({
  month: Month,
  progress_percent: Type.Integer({ minimum: 0, maximum: 100 }),
  narrative: Nullable(Type.String()),
  evidence: Type.Array(EvidenceItem),
  recorded_by: Type.Object({ id: Nullable(Uuid), name: Type.String() }),
  created_at: DateTime,
  updated_at: DateTime,
})
export type RealisationView = Static<typeof RealisationView>

export const MonitoringNoteView = Type.Object({
  id: Uuid,
  note: Type.String(),
  author: Type.Object({ id: Nullable(Uuid), name: Type.String(), role: Type.String() }),
  created_at: DateTime,
})
export type MonitoringNoteView = Static<typeof MonitoringNoteView>

export const ActionView = Type.Object({
  id: Uuid,
  unit_id: Uuid,
  period_id: Uuid,
  area: AreaSchema,
  area_name: Type.String({ description: 'the regulation’s name of the area' }),
  question_code: Nullable(Type.String()),
  title: Type.String(),
  description: Nullable(Type.String()),
  pic: Type.Object({ name: Type.String(), principal_id: Nullable(Uuid) }, { description: 'person in charge (PIC)' }),
  target_date: IsoDate,
  expected_output: Nullable(
    Type.String({ description: 'the expected output; from a plan: the question’s evidence guidance' }),
  ),
  status: StatusSchema,
  cancel_reason: Nullable(Type.String()),
  source: StringEnum(ACTION_SOURCES, { description: 'manual | plan (proposed from an improvement plan’s step)' }),
  plan: Nullable(
    Type.Object({
      target: Nullable(Type.String({ description: 'WBK | WBBM' })),
      proposed_answer: Nullable(Type.String({ description: 'the answer the plan’s step proposes' })),
    }),
  ),
  progress_percent: Nullable(
    Type.Integer({ description: 'the latest realisation’s progress (by month); null before any' }),
  ),
  latest_month: Nullable(Month),
  overdue: Type.Boolean({
    description: 'target date passed (Asia/Jakarta date of as_of, default today) and not done/cancelled',
  }),
  created_by: Type.String(),
  created_at: DateTime,
  updated_at: DateTime,
  version: Type.Integer({
    description: 'bumped on every change (realisations and monitoring notes too); the ETag is "<version>"',
  }),
})
export type ActionView = Static<typeof ActionView>

export const ActionDetail = Type.Object({
  ...ActionView.properties,
  realisations: Type.Array(RealisationView, { description: 'by month, oldest first' }),
  monitoring_notes: Type.Array(MonitoringNoteView, { description: 'oldest first' }),
})
export type ActionDetail = Static<typeof ActionDetail>

export const CreateActionBody = Type.Object(
  {
    unit_id: Uuid,
    period_id: Uuid,
    area: Type.Optional(AreaSchema),
    question_code: Type.Optional(QuestionCode),
    title: Text(300),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    pic_name: Text(200, 'person in charge'),
    pic_principal_id: Type.Optional(
      Type.String({ format: 'uuid', description: 'the PIC’s principal, when they have a token' }),
    ),
    target_date: IsoDate,
    expected_output: Type.Optional(Type.String({ maxLength: 4000 })),
    status: Type.Optional(StringEnum(['planned', 'in_progress'] as const, { default: 'planned' })),
  },
  {
    additionalProperties: false,
    description: 'area is required unless question_code is given (then it is the question’s area; both must agree)',
  },
)
export type CreateActionBody = Static<typeof CreateActionBody>

export const PatchActionBody = Type.Object(
  {
    area: Type.Optional(AreaSchema),
    question_code: Type.Optional(Nullable(QuestionCode)),
    title: Type.Optional(Text(300)),
    description: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
    pic_name: Type.Optional(Text(200)),
    pic_principal_id: Type.Optional(Nullable(Type.String({ format: 'uuid' }))),
    target_date: Type.Optional(IsoDate),
    expected_output: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
    status: Type.Optional(StatusSchema),
    cancel_reason: Type.Optional(Nullable(Text(2000))),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description:
      'status cancelled needs cancel_reason; leaving cancelled drops it. A patch that changes nothing leaves no trace.',
  },
)
export type PatchActionBody = Static<typeof PatchActionBody>

export const RealisationBody = Type.Object(
  {
    progress_percent: Type.Integer({ minimum: 0, maximum: 100 }),
    narrative: Type.Optional(Type.String({ maxLength: 4000 })),
    evidence: Type.Optional(Type.Array(EvidenceItem, { maxItems: 50 })),
  },
  { additionalProperties: false },
)
export type RealisationBody = Static<typeof RealisationBody>

export const MonitoringNoteBody = Type.Object({ note: Text(4000) }, { additionalProperties: false })
export type MonitoringNoteBody = Static<typeof MonitoringNoteBody>

export const FromPlanBody = Type.Object(
  {
    assessment_id: Uuid,
    stage: Type.Optional(
      StringEnum(STAGE_KINDS, { default: 'self', description: 'whose answers the plan starts from' }),
    ),
    target: StringEnum(['WBK', 'WBBM'] as const),
    target_date: IsoDate,
    pic_name: Text(200, 'the PIC of every proposed action (change it per action afterwards)'),
    pic_principal_id: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
)
export type FromPlanBody = Static<typeof FromPlanBody>

export const FromPlanResult = Type.Object({
  unit_id: Uuid,
  period_id: Uuid,
  target: Type.String(),
  reachable: Type.Boolean({ description: 'the plan meets every rule of the target' }),
  steps: Type.Integer({ description: 'the plan’s steps' }),
  created: Type.Array(ActionView),
  skipped: Type.Array(
    Type.Object({
      question_code: Type.String(),
      action_id: Nullable(Uuid),
      reason: StringEnum(['already_planned', 'no_area'] as const, {
        description:
          'already_planned: the question has an action that is not cancelled (action_id); no_area: the question is in no area perubahan',
      }),
    }),
  ),
})

export const ActionListQuery = Type.Object(
  {
    ...PageQuery,
    unit_id: Type.Optional(Uuid),
    period_id: Type.Optional(Uuid),
    area: Type.Optional(AreaSchema),
    status: Type.Optional(
      Type.Array(StatusSchema, { minItems: 1, maxItems: 4, description: 'repeat: status=planned&status=in_progress' }),
    ),
    question_code: Type.Optional(QuestionCode),
    overdue: Type.Optional(Type.Boolean({ description: 'true: only overdue actions; false: only the others' })),
    as_of: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
)
export type ActionListQuery = Static<typeof ActionListQuery>
export const ActionPage = Type.Object({ items: Type.Array(ActionView), ...PageMeta })

export const SummaryQuery = Type.Object(
  {
    unit_id: Uuid,
    period_id: Uuid,
    as_of: Type.Optional(
      Type.String({ format: 'date', description: 'the day overdue is counted on (Asia/Jakarta); default today' }),
    ),
  },
  { additionalProperties: false },
)
export const SummaryView = Type.Object({
  unit_id: Uuid,
  period_id: Uuid,
  as_of: IsoDate,
  total: Type.Integer(),
  by_status: Type.Object(Object.fromEntries(ACTION_STATUSES.map((s) => [s, Type.Integer()]))),
  overdue: Type.Integer(),
  areas: Type.Array(
    Type.Object({
      area: AreaSchema,
      area_name: Type.String(),
      total: Type.Integer(),
      done: Type.Integer(),
      overdue: Type.Integer(),
      cancelled: Type.Integer(),
      progress_percent: Type.Union([
        Percent({ description: 'mean latest progress of the non-cancelled actions (none recorded counts 0)' }),
        Type.Null(),
      ]),
    }),
    { description: 'the six areas in the regulation’s order' },
  ),
})

export const ActionIdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const RealisationParams = Type.Object({ id: Uuid, month: Month }, { additionalProperties: false })
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'the ETag from a GET; 412 when the action changed since' })),
})
