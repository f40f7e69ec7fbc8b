import { Type } from 'typebox'
import { Measure, Score } from '../../lib/precision.js'
import { StringEnum } from '../../lib/schema.js'
import { STAGE_KINDS, STAGE_STATUSES } from '../assessments/rules.js'
import { AnswerValue } from '../instruments/schemas.js'

const Uuid = Type.String({ format: 'uuid' })
const Code = Type.String({ minLength: 1, maxLength: 64 })
const Predicate = StringEnum(['WBK', 'WBBM'] as const)

export const Target = StringEnum(['WBK', 'WBBM'] as const, {
  description: 'the predicate to plan for (WBBM includes the WBK rules it builds on)',
})
const Fixed = Type.Array(Code, {
  maxItems: 500,
  uniqueItems: true,
  description:
    'questions the unit cannot change; when given it REPLACES the default (survey indices, Hasil questions, answered ratio denominators). Send an empty list to let every question change.',
})
const MaxChanges = Type.Integer({
  minimum: 0,
  maximum: 1000,
  description: 'the most the plan may cost (with the default cost 1 per question: the most changes)',
})

export const StagePlanQuery = Type.Object(
  {
    target: Target,
    max_changes: Type.Optional(MaxChanges),
    fixed: Type.Optional(Fixed),
  },
  { additionalProperties: false },
)

export const PlanBody = Type.Object(
  {
    target: Target,
    answers: Type.Record(Code, AnswerValue, {
      maxProperties: 2000,
      description: 'question code → Ya/Tidak, A–E, or a number (as for …/score)',
    }),
    fixed: Type.Optional(Fixed),
    costs: Type.Optional(
      Type.Record(Code, Type.Integer({ minimum: 1, maximum: 100 }), {
        maxProperties: 2000,
        description: 'question code → cost of changing it (default 1): the plan then has the least total cost',
      }),
    ),
    max_changes: Type.Optional(MaxChanges),
  },
  { additionalProperties: false },
)

const RuleGap = Type.Object({
  rule: Type.String(),
  predicate: Predicate,
  description: Type.String(),
  required: Measure(),
  actual: Measure(),
  shortfall: Measure({
    description: 'required − actual, in the rule’s measure (a fraction for a share of weight)',
  }),
  points_short: Score({ description: 'the shortfall in points of score' }),
})

const Step = Type.Object({
  order: Type.Integer({ minimum: 1 }),
  code: Type.String(),
  name: Type.String(),
  node_code: Type.String({ description: 'the sub-area (or Hasil question) the change counts in' }),
  node_name: Type.String(),
  current: Type.Union([Type.String(), Type.Number(), Type.Null()]),
  proposed: Type.Union([Type.String(), Type.Number()]),
  points: Score({ description: 'the total’s rise from this step, applied after the steps before it' }),
  cost: Type.Integer(),
  rules: Type.Array(Type.String(), { description: 'failing rules this step works toward' }),
  ratio_code: Type.Optional(Type.String({ description: 'for a Jumlah input: the ratio question it moves' })),
  kriteria_nilai: Type.Optional(Type.String()),
  evidence_guidance: Type.Optional(Type.String({ description: 'the data dukung to prepare' })),
})

const RuleResult = Type.Object({
  rule: Type.String(),
  predicate: Predicate,
  description: Type.String(),
  required: Measure(),
  actual: Measure(),
  passed: Type.Boolean(),
  source: Type.String(),
})

export const PlanView = Type.Object({
  target: Predicate,
  reachable: Type.Boolean({ description: 'every rule of the target is met once the plan is applied' }),
  changes: Type.Integer({ description: 'the number of steps: the fewest that meet the target' }),
  cost: Type.Integer(),
  failing: Type.Array(RuleGap, { description: 'the target’s rules failing with the current answers' }),
  steps: Type.Array(Step),
  before: Type.Object({ total: Score(), predicate: StringEnum(['none', 'WBK', 'WBBM'] as const) }),
  after: Type.Object({
    total: Score(),
    predicate: StringEnum(['none', 'WBK', 'WBBM'] as const),
    rules: Type.Array(RuleResult),
  }),
  unreachable: Type.Array(RuleGap, { description: 'rules still failing after the plan (at their best)' }),
  unreachable_reason: StringEnum(['none', 'not_reachable', 'max_changes'] as const),
  fixed: Type.Array(Type.String(), { description: 'the questions held fixed' }),
  algorithm: StringEnum(['laminar_dp', 'branch_and_bound'] as const),
  verified: Type.Boolean({
    description: 'the planned answers, re-scored by the scoring engine, meet the rules the plan claims',
  }),
})

export const StagePlanView = Type.Object({
  assessment_id: Uuid,
  stage: StringEnum(STAGE_KINDS),
  stage_status: StringEnum(STAGE_STATUSES),
  plan: PlanView,
})

export const ByChangesQuery = Type.Object(
  {
    target: Target,
    stage: Type.Optional(StringEnum(STAGE_KINDS, { default: 'self' })),
    unit_id: Type.Optional(Uuid),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
)

export const ByChangesView = Type.Object({
  period_id: Uuid,
  target: Predicate,
  stage: StringEnum(STAGE_KINDS),
  items: Type.Array(
    Type.Object({
      unit: Type.Object({ id: Uuid, code: Type.String(), name: Type.String(), kind: Type.String() }),
      assessment_id: Uuid,
      stage_status: StringEnum(STAGE_STATUSES),
      total: Score(),
      changes: Type.Integer({ description: 'the fewest answer changes to meet the target (default options)' }),
      points_short: Score(),
      label: Type.String({ description: 'e.g. "3 questions from WBK"' }),
    }),
    {
      description:
        'units not yet meeting the target whose target is within reach, fewest changes first, then fewest points short',
    },
  ),
  out_of_reach: Type.Integer({
    description: 'stages in scope not meeting the target that no change of the answers they control can bring there',
  }),
})
