import { Type } from 'typebox'
import { Score } from '../../lib/precision.js'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { StringEnum } from '../../lib/schema.js'
import { AnswerValue } from '../instruments/schemas.js'
import { STAGE_KINDS, STAGE_STATUSES } from './rules.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const QuestionCode = Type.String({ minLength: 1, maxLength: 64 })
export const StageKind = StringEnum(STAGE_KINDS, { description: 'self | tpi | tpn | sanggah' })
export const StageStatus = StringEnum(STAGE_STATUSES, {
  description: 'draft → submitted → returned → submitted → approved',
})
const Value = AnswerValue
const Note = Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])
const Recommendation = Type.Union([Type.String({ maxLength: 5000 }), Type.Null()], {
  description:
    'the TPI’s recommendation (rekomendasi) beside its note: a tpi stage only (422 recommendation_not_for_stage elsewhere; null or "" is none); left out keeps the stored one',
})
const StoredRecommendation = Type.String({
  description: 'the TPI’s recommendation (rekomendasi): on a tpi stage’s answers only, absent where there is none',
})
const EvidenceIds = Type.Array(Uuid, {
  maxItems: 50,
  uniqueItems: true,
  description: 'evidence (data dukung) items of the unit or its parents',
})

export const StageView = Type.Object(
  {
    id: Uuid,
    kind: StageKind,
    status: StageStatus,
    copied_from_stage_id: Type.Union([Uuid, Type.Null()]),
    total: Type.Union([Score(), Type.Null()], { description: 'the score of the current answers' }),
    created_at: DateTime,
    updated_at: DateTime,
    submitted_at: Type.Union([DateTime, Type.Null()]),
    approved_at: Type.Union([DateTime, Type.Null()]),
    version: Type.Integer(),
  },
  { $id: 'Stage' },
)

export const AssessmentView = Type.Object(
  {
    id: Uuid,
    period_id: Uuid,
    unit_id: Uuid,
    unit_name: Type.String(),
    instrument_version_id: Uuid,
    created_at: DateTime,
    updated_at: DateTime,
    stages: Type.Array(Type.Ref('Stage')),
  },
  { $id: 'Assessment' },
)

export const AnswerView = Type.Object(
  {
    question_code: Type.String(),
    value: Value,
    note: Note,
    recommendation: Type.Optional(StoredRecommendation),
    evidence_ids: Type.Array(Uuid),
    updated_at: DateTime,
    updated_by: Type.Union([Uuid, Type.Null()]),
    version: Type.Integer({ description: 'the answer’s ETag is "<version>"' }),
  },
  { $id: 'Answer' },
)

export const CreateAssessmentBody = Type.Object({ period_id: Uuid, unit_id: Uuid }, { additionalProperties: false })
export const AssessmentListQuery = Type.Object(
  { ...PageQuery, period_id: Type.Optional(Uuid), unit_id: Type.Optional(Uuid) },
  { additionalProperties: false },
)
export const AssessmentPage = Type.Object({ items: Type.Array(Type.Ref('Assessment')), ...PageMeta })

export const AssessmentParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const StageParams = Type.Object({ id: Uuid, stage: StageKind }, { additionalProperties: false })
export const AnswerParams = Type.Object(
  { id: Uuid, stage: StageKind, code: QuestionCode },
  { additionalProperties: false },
)
export const QuestionParams = Type.Object({ id: Uuid, code: QuestionCode }, { additionalProperties: false })

export const StartStageBody = Type.Object(
  { kind: StageKind, copy_from: Type.Optional(StageKind) },
  { additionalProperties: false },
)

export const PutAnswerBody = Type.Object(
  {
    value: Value,
    note: Type.Optional(Note),
    recommendation: Type.Optional(Recommendation),
    evidence_ids: Type.Optional(EvidenceIds),
  },
  { additionalProperties: false },
)

export const BatchBody = Type.Object(
  {
    answers: Type.Array(
      Type.Object(
        {
          question_code: QuestionCode,
          value: Value,
          note: Type.Optional(Note),
          recommendation: Type.Optional(Recommendation),
          evidence_ids: Type.Optional(EvidenceIds),
          expected_version: Type.Optional(
            Type.Integer({
              minimum: 0,
              description: 'refuse (412) unless the stored answer is at this version; 0 = must not exist yet',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
)

export const AnswersResponse = Type.Object({ stage: Type.Ref('Stage'), answers: Type.Array(Type.Ref('Answer')) })

const AnswerContent = Type.Object({
  value: Value,
  note: Note,
  recommendation: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'a tpi stage’s answers only: the recommendation' }),
  ),
  evidence_ids: Type.Array(Type.String(), {
    description:
      'evidence ids, sorted; in a dry-run workbook import a link item the import would create shows as its URL',
  }),
})

export const AnswerDiff = Type.Object(
  {
    question_code: Type.String(),
    from: Type.Union([AnswerContent, Type.Null()], { description: 'the answer as stored; null where there is none' }),
    to: AnswerContent,
  },
  { $id: 'AnswerDiff', description: 'one answer a write changes (or would change, in a dry run), from what to what' },
)

/** What a write of many answers reports: the written answers, the diff and what it left alone. */
export const WriteReport = {
  dry_run: Type.Boolean({ description: 'true: nothing was written; `diff` is what the write would change' }),
  changed: Type.Integer({ description: 'answers written (in a dry run: that would be written)' }),
  unchanged: Type.Array(Type.String(), {
    description:
      'question codes sent that change nothing (same value, note and evidence; an empty note is no note): not written, not version-checked',
  }),
  diff: Type.Array(Type.Ref('AnswerDiff')),
}

export const BatchResponse = Type.Object({
  stage: Type.Ref('Stage'),
  answers: Type.Array(Type.Ref('Answer'), { description: 'the answers written (none in a dry run)' }),
  ...WriteReport,
})

export const DryRunQuery = Type.Object(
  {
    dry_run: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'check everything and return the diff (what would change, from what to what) without writing',
      }),
    ),
  },
  { additionalProperties: false },
)

export const TransitionBody = Type.Object(
  {
    to: StringEnum(['submitted', 'returned', 'approved'] as const),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    comments: Type.Optional(
      Type.Array(
        Type.Object(
          { question_code: QuestionCode, body: Type.String({ minLength: 1, maxLength: 5000 }) },
          { additionalProperties: false },
        ),
        {
          maxItems: 500,
          description: 'per-question comments, usually when returning for revision',
        },
      ),
    ),
  },
  { additionalProperties: false },
)

export const ScoreQuery = Type.Object(
  { explain: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
)

export const DiffQuery = Type.Object({ from: StageKind, to: StageKind }, { additionalProperties: false })
export const DiffView = Type.Object({
  from: Type.Object({ stage: StageKind, total: Score() }),
  to: Type.Object({ stage: StageKind, total: Score() }),
  total_effect: Score({ description: 'to.total − from.total' }),
  changes: Type.Array(
    Type.Object({
      question_code: Type.String(),
      from: Value,
      to: Value,
      from_note: Note,
      to_note: Note,
      from_value: Type.Union([Score(), Type.Null()], {
        description: 'the question’s converted value under from',
      }),
      to_value: Type.Union([Score(), Type.Null()]),
    }),
  ),
})

export const CommentView = Type.Object({
  id: Uuid,
  question_code: Type.String(),
  stage: Type.Union([StageKind, Type.Null()]),
  author_name: Type.String(),
  author_role: Type.String(),
  body: Type.String(),
  created_at: DateTime,
})
export const CommentList = Type.Object({ items: Type.Array(CommentView) })
export const CommentBody = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 5000 }) },
  { additionalProperties: false },
)

export const SnapshotList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Uuid,
      status: StageStatus,
      created_at: DateTime,
      total: Score(),
      answers: Type.Array(
        Type.Object({
          question_code: Type.String(),
          value: Value,
          note: Note,
          recommendation: Type.Optional(StoredRecommendation),
          evidence_ids: Type.Array(Uuid),
        }),
      ),
    }),
  ),
})

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'the ETag you read; 412 when it changed since' })),
})

export const assessmentSchemas = [StageView, AssessmentView, AnswerView, AnswerDiff]
