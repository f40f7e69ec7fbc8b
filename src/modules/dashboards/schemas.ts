import { Type } from 'typebox'
import { Measure, Percent, Score, Share } from '../../lib/precision.js'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { StringEnum } from '../../lib/schema.js'
import { STAGE_KINDS, STAGE_STATUSES } from '../assessments/rules.js'
import { DECLARATION_STATUSES } from '../declarations/rules.js'
import { HISTOGRAM_BUCKETS } from './rules.js'
import { ProposalSummaryView } from '../proposals/schemas.js'

const Uuid = Type.String({ format: 'uuid' })
const Num = Type.Number()
const NullableScore = Type.Union([Score(), Type.Null()])
const NullablePercent = Type.Union([Percent(), Type.Null()])
const Stage = StringEnum(STAGE_KINDS, {
  description: 'which stage’s answers: self (default), tpi, tpn, sanggah',
  default: 'self',
})
const UnitIdFilter = Type.String({
  format: 'uuid',
  description: 'narrow to this unit’s subtree (it must be in your scope)',
})

export const PeriodParams = Type.Object({ period_id: Uuid }, { additionalProperties: false })
export const UnitParams = Type.Object({ unit_id: Uuid }, { additionalProperties: false })

export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({ description: 'an ETag of an earlier answer: 304 when the figures are unchanged' }),
  ),
})
export const NotModified = Type.Null({ description: 'unchanged since the ETag sent in If-None-Match' })

export const SummaryQuery = Type.Object(
  {
    stage: Type.Optional(Stage),
    unit_id: Type.Optional(UnitIdFilter),
    closest_limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 50,
        default: 10,
        description: 'how many units in each “closest to a threshold” list',
      }),
    ),
  },
  { additionalProperties: false },
)

const UnitRefView = Type.Object({ id: Uuid, code: Type.String(), name: Type.String(), kind: Type.String() })
const PeriodRefView = Type.Object({ id: Uuid, code: Type.String(), year: Type.Integer(), instrument_version_id: Uuid })

const Histogram = Type.Array(Type.Object({ from_pct: Percent(), to_pct: Percent(), count: Type.Integer() }), {
  description: `${HISTOGRAM_BUCKETS} buckets of the share of the weight reached (the top value goes in the last one)`,
})

const DeclarationCounts = Type.Object({
  units: Type.Integer({ description: 'units with a declaration in the period' }),
  by_target: Type.Array(
    Type.Object({
      target: StringEnum(['WBK', 'WBBM'] as const),
      units: Type.Integer(),
      by_status: Type.Object(Object.fromEntries(DECLARATION_STATUSES.map((s) => [s, Type.Integer()]))),
    }),
  ),
})

const Completion = Type.Object({
  stages: Type.Integer({ description: 'stages of this kind (one per assessment that reached it)' }),
  by_status: Type.Object(Object.fromEntries(STAGE_STATUSES.map((s) => [s, Type.Integer()]))),
  questions: Num,
  answered: Num,
  answered_pct: Type.Union([Percent(), Type.Null()], {
    description: 'answered ÷ answerable questions over the stages, in %',
  }),
  complete: Type.Integer({ description: 'stages with every answerable question answered' }),
  submitted_pct: Type.Union([Percent(), Type.Null()], {
    description: 'stages handed in (submitted or approved) ÷ stages, in %',
  }),
  approved_pct: NullablePercent,
})

const Scores = Type.Object({
  scored_stages: Type.Integer({
    description: 'stages with at least one answer: the averages and histograms are over these',
  }),
  total: Type.Object({ max: Score(), average: NullableScore, histogram: Histogram }),
  areas: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      level: Type.String({ description: 'komponen | sub_komponen | area_perubahan' }),
      max: Score(),
      average: NullableScore,
      average_pct: NullablePercent,
      histogram: Histogram,
    }),
  ),
  eligible: Type.Object({
    WBK: Type.Integer({ description: 'stages meeting every WBK rule (WBBM-eligible ones included)' }),
    WBBM: Type.Integer({ description: 'stages meeting every WBK and WBBM rule' }),
  }),
})

const LackingView = Type.Object({
  rule: Type.String(),
  predicate: StringEnum(['WBK', 'WBBM'] as const),
  description: Type.String(),
  required: Measure(),
  actual: Measure(),
  points_short: Score({ description: 'what is missing in points (a share-of-weight rule’s gap × its weight)' }),
})

const ClosestItem = Type.Object({
  unit: UnitRefView,
  assessment_id: Uuid,
  stage_status: StringEnum(STAGE_STATUSES),
  total: Score(),
  points_short: Score({
    description:
      'sum of the failing rules’ shortfalls in points (overlapping rules add up: a ranking, not an exact target)',
  }),
  lacking: Type.Array(LackingView),
})

export const SummaryView = Type.Object({
  period: PeriodRefView,
  stage: Stage,
  scope: Type.Object({
    unit: Type.Union([UnitRefView, Type.Null()], { description: 'the unit_id filter, null for your whole scope' }),
  }),
  assessments: Type.Integer({ description: 'assessments (their self stages) in scope' }),
  declarations: DeclarationCounts,
  completion: Completion,
  scores: Scores,
  closest: Type.Object({
    WBK: Type.Array(ClosestItem, { description: 'not yet meeting WBK, smallest shortfall first' }),
    WBBM: Type.Array(ClosestItem, { description: 'meeting WBK but not WBBM, smallest shortfall first' }),
  }),
  proposals: Type.Object(ProposalSummaryView.properties, {
    description:
      'the proposal funnel over the declarations in scope, and the gate state (and package completeness) of each instansi your scope touches',
  }),
  actions: Type.Object(
    {
      as_of: Type.String({ format: 'date', description: 'today in Asia/Jakarta' }),
      total: Type.Integer(),
      by_status: Type.Object({
        planned: Type.Integer(),
        in_progress: Type.Integer(),
        done: Type.Integer(),
        cancelled: Type.Integer(),
      }),
      overdue: Type.Integer({ description: 'target date passed (Asia/Jakarta) and neither done nor cancelled' }),
      units_with_overdue: Type.Integer(),
    },
    { description: 'the rencana aksi of the units in scope for this period (docs/action-plans.md)' },
  ),
})

export const OpdQuery = Type.Object(
  {
    ...PageQuery,
    stage: Type.Optional(Stage),
    unit_id: Type.Optional(UnitIdFilter),
  },
  { additionalProperties: false },
)

export const OpdPage = Type.Object({
  period: PeriodRefView,
  stage: Stage,
  items: Type.Array(
    Type.Object({
      unit: UnitRefView,
      archived: Type.Boolean(),
      assessments: Type.Integer({ description: 'assessments of the OPD and its unit kerja' }),
      stages: Type.Integer(),
      answered_pct: NullablePercent,
      complete: Type.Integer(),
      by_status: Type.Object(Object.fromEntries(STAGE_STATUSES.map((s) => [s, Type.Integer()]))),
      submitted_pct: NullablePercent,
      approved_pct: NullablePercent,
      average_total: NullableScore,
      eligible: Type.Object({ WBK: Type.Integer(), WBBM: Type.Integer() }),
      declarations: Type.Object({
        WBK: Type.Integer(),
        WBBM: Type.Integer(),
        proposed_or_further: Type.Integer(),
        designated: Type.Integer(),
      }),
      actions: Type.Object(
        {
          total: Type.Integer(),
          overdue: Type.Integer({ description: 'target date passed (Asia/Jakarta) and neither done nor cancelled' }),
        },
        { description: 'the rencana aksi of the OPD and its unit kerja for this period' },
      ),
    }),
  ),
  ...PageMeta,
})

export const HistoryQuery = Type.Object({ stage: Type.Optional(Stage) }, { additionalProperties: false })

export const HistoryView = Type.Object({
  unit: UnitRefView,
  stage: Stage,
  items: Type.Array(
    Type.Object({
      period: PeriodRefView,
      assessment_id: Uuid,
      stage_status: StringEnum(STAGE_STATUSES),
      answered: Type.Integer(),
      questions: Type.Integer(),
      total: Score(),
      max_total: Score(),
      predicate: StringEnum(['none', 'WBK', 'WBBM'] as const),
      areas: Type.Array(
        Type.Object({ code: Type.String(), name: Type.String(), level: Type.String(), value: Score(), max: Score() }),
      ),
      declaration: Type.Union([
        Type.Object({
          target: Type.String(),
          status: Type.String(),
          predicate: Type.Union([Type.String(), Type.Null()]),
        }),
        Type.Null(),
      ]),
    }),
  ),
})

export const LowestQuery = Type.Object(
  {
    stage: Type.Optional(Stage),
    unit_id: Type.Optional(UnitIdFilter),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 10 })),
  },
  { additionalProperties: false },
)

const SubArea = Type.Union([Type.Object({ code: Type.String(), name: Type.String() }), Type.Null()])

export const LowestView = Type.Object({
  period: PeriodRefView,
  stage: Stage,
  items: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      sub_area: SubArea,
      answered: Type.Integer({ description: 'stages that answered it' }),
      average: Share({ description: 'average conversion 0–1 (Ya = 1, A/B/C = 1/0.5/0, % ÷ 100, …)' }),
    }),
  ),
})

export const DivergenceQuery = Type.Object(
  {
    unit_id: Type.Optional(UnitIdFilter),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  { additionalProperties: false },
)

export const DivergenceView = Type.Object({
  period: PeriodRefView,
  units: Type.Array(
    Type.Object({
      unit: UnitRefView,
      assessment_id: Uuid,
      self_total: NullableScore,
      tpi_total: Score(),
      difference: Score({ description: 'tpi − self' }),
      questions_differing: Type.Integer({ description: 'questions answered in both stages with another conversion' }),
      areas: Type.Array(
        Type.Object({ code: Type.String(), name: Type.String(), self: Score(), tpi: Score(), difference: Score() }),
      ),
    }),
    { description: 'largest |tpi − self| first' },
  ),
  questions: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      sub_area: SubArea,
      units: Type.Integer({ description: 'units whose self and tpi stages both answered it' }),
      average_abs_difference: Share({ description: 'average |tpi − self| of the conversion (0–1)' }),
    }),
    { description: 'questions the TPI corrects most, largest average first' },
  ),
})
