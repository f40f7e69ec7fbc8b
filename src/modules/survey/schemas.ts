import { Type } from 'typebox'
import { StringEnum } from '../../lib/schema.js'
import { KINDS } from './rules.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const Text = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '\\S', ...(description ? { description } : {}) })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const NullableString = Type.Union([Type.String(), Type.Null()])
const NullableNumber = Type.Union([Type.Number(), Type.Null()])
const Kind = StringEnum(KINDS, { description: 'ipak (Q125) or ipkp (Q127)' })
const closed = { additionalProperties: false }

export const IdParams = Type.Object({ id: Uuid }, closed)

export const SurveyItem = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9._-]+$' }),
    text: Text(500, 'the statement the respondent rates 1–4'),
    aspect: Text(80, 'the aspect it measures; the index weighs each aspect the same'),
    source: Text(300, 'where the item comes from'),
  },
  closed,
)

export const Questionnaire = Type.Object({
  id: Uuid,
  kind: Kind,
  code: Type.String(),
  title: Type.String(),
  period_id: Nullable(Uuid),
  based_on_id: Nullable(Uuid),
  status: StringEnum(['draft', 'published'] as const),
  items: Type.Array(SurveyItem),
  published_at: Nullable(DateTime),
  published_by: NullableString,
  created_by: Type.String(),
  created_at: DateTime,
  updated_at: DateTime,
  version: Type.Integer(),
})
export const QuestionnaireList = Type.Object({ items: Type.Array(Questionnaire) })
export const QuestionnaireQuery = Type.Object({ kind: Type.Optional(Kind), period_id: Type.Optional(Uuid) }, closed)
export const AdaptBody = Type.Object(
  {
    based_on_id: Uuid,
    period_id: Uuid,
    code: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9._-]+$' }),
    title: Type.Optional(Text(200)),
  },
  closed,
)
export const PatchQuestionnaireBody = Type.Object(
  { title: Type.Optional(Text(200)), items: Type.Optional(Type.Array(SurveyItem, { minItems: 1, maxItems: 60 })) },
  { ...closed, minProperties: 1 },
)
export const IfMatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 200 })) })

const ServiceTypes = Type.Array(Text(100), {
  minItems: 1,
  maxItems: 30,
  description: "the unit's service types; the respondents' composition must cover them",
})

export const CampaignBody = Type.Object(
  {
    unit_id: Uuid,
    period_id: Uuid,
    name: Text(200),
    service_types: ServiceTypes,
    opens_at: DateTime,
    closes_at: DateTime,
    kinds: Type.Optional(
      Type.Array(Kind, { minItems: 1, maxItems: 2, uniqueItems: true, description: 'default: both surveys' }),
    ),
    ipak_questionnaire_id: Type.Optional(Uuid),
    ipkp_questionnaire_id: Type.Optional(Uuid),
    requires_invitation: Type.Optional(
      Type.Boolean({ description: 'one response per invitation code (POST …/invitations makes them); default false' }),
    ),
  },
  closed,
)
export const PatchCampaignBody = Type.Object(
  {
    name: Type.Optional(Text(200)),
    opens_at: Type.Optional(DateTime),
    closes_at: Type.Optional(DateTime),
    service_types: Type.Optional(ServiceTypes),
  },
  { ...closed, minProperties: 1 },
)
export const Campaign = Type.Object({
  id: Uuid,
  unit_id: Uuid,
  unit_name: Type.String(),
  period_id: Uuid,
  name: Type.String(),
  service_types: Type.Array(Type.String()),
  opens_at: DateTime,
  closes_at: DateTime,
  state: StringEnum(['scheduled', 'open', 'closed'] as const),
  ipak_questionnaire_id: Nullable(Uuid),
  ipkp_questionnaire_id: Nullable(Uuid),
  requires_invitation: Type.Boolean(),
  public_url: Type.String({
    description: 'the respondents’ link (its token cannot be guessed); share it or its QR code',
  }),
  justification: NullableString,
  justified_by: NullableString,
  justified_at: Nullable(DateTime),
  created_by: Type.String(),
  created_at: DateTime,
  updated_at: DateTime,
  version: Type.Integer(),
})
export const CampaignList = Type.Object({ items: Type.Array(Campaign) })
export const CampaignQuery = Type.Object({ period_id: Type.Optional(Uuid), unit_id: Type.Optional(Uuid) }, closed)
export const JustificationBody = Type.Object(
  {
    justification: Type.Union([Text(2000), Type.Null()], {
      description:
        'why fewer than 30 respondents suffice (the unit serves fewer people, with the statistical reasoning); null withdraws it',
    }),
  },
  closed,
)
export const InvitationsBody = Type.Object({ count: Type.Integer({ minimum: 1, maximum: 500 }) }, closed)
export const InvitationsResponse = Type.Object({
  campaign_id: Uuid,
  codes: Type.Array(Type.String(), { description: 'shown only now: the service keeps only their hashes' }),
  links: Type.Array(Type.String(), { description: 'the public link with each code filled in' }),
})

const Answers = Type.Record(Type.String(), Type.Record(Type.String(), Type.Number()), {
  description: 'per survey (ipak, ipkp): item code → answer on the 1–4 scale',
})
export const SurveyResponse = Type.Object({
  id: Uuid,
  campaign_id: Uuid,
  channel: StringEnum(['form', 'import'] as const),
  service_type: NullableString,
  age_band: NullableString,
  education: NullableString,
  answers: Answers,
  import_id: Nullable(Uuid),
  import_row: Nullable(Type.Integer()),
  submitted_at: DateTime,
  voided_at: Nullable(DateTime),
  void_reason: NullableString,
  voided_by: NullableString,
})
export const ResponsesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  closed,
)
export const ResponsesPage = Type.Object({ items: Type.Array(SurveyResponse), next_cursor: NullableString })
export const VoidBody = Type.Object({ reason: Text(1000, 'why the response does not count') }, closed)

const ItemResult = Type.Object({
  code: Type.String(),
  text: Type.String(),
  aspect: Type.String(),
  n: Type.Integer({ description: 'respondents who answered it' }),
  sum: Type.Number(),
  mean: NullableNumber,
})
const IndexResult = Type.Object({
  kind: Kind,
  title: Type.String(),
  questionnaire: Type.Object({ id: Uuid, code: Type.String(), title: Type.String() }),
  lke_question: Type.String(),
  respondents: Type.Integer(),
  items: Type.Array(ItemResult),
  aspects: Type.Array(Type.Object({ aspect: Type.String(), items: Type.Array(Type.String()), mean: NullableNumber })),
  index: Type.Union([Type.Number(), Type.Null()], { description: 'unrounded' }),
  index_rounded: Type.Union([Type.Number(), Type.Null()], { description: 'two decimals, half up: the LKE value' }),
  lke_points: Type.Union([Type.Number(), Type.Null()], { description: 'index_rounded / 4 × 17.5' }),
})
export const Results = Type.Object({
  campaign_id: Uuid,
  campaign_name: Type.String(),
  unit_id: Uuid,
  unit_name: Type.String(),
  period_id: Uuid,
  computed_at: DateTime,
  last_response_at: Nullable(DateTime),
  respondents: Type.Integer({ description: 'responses that count (voided ones left out)' }),
  voided: Type.Integer(),
  minimum: Type.Integer(),
  below_minimum: Type.Boolean(),
  final: Type.Boolean({ description: 'at least 30 respondents, or fewer with a recorded justification' }),
  reason: Type.String(),
  justification: NullableString,
  composition: Type.Object({
    by_service_type: Type.Array(
      Type.Object({
        service_type: NullableString,
        respondents: Type.Integer(),
        share: Type.Number({ description: 'percent, one decimal' }),
      }),
    ),
    missing_service_types: Type.Array(Type.String()),
  }),
  ipak: Type.Union([IndexResult, Type.Null()]),
  ipkp: Type.Union([IndexResult, Type.Null()]),
})

export const ImportQuery = Type.Object(
  {
    scale: Type.Optional(
      Type.Integer({
        minimum: 4,
        maximum: 6,
        default: 4,
        description: 'the scale the form used (4, 5 or 6); answers convert linearly to 1–4',
      }),
    ),
    dry_run: Type.Optional(Type.Boolean({ default: false, description: 'check every row, store nothing' })),
    file_name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  closed,
)
export const ImportResult = Type.Object({
  import_id: Nullable(Uuid),
  dry_run: Type.Boolean(),
  imported: Type.Integer(),
  blank_rows: Type.Integer(),
  ignored_columns: Type.Array(Type.String(), {
    description: 'columns that are no item or profile field: never read (a name or e-mail column of the form)',
  }),
})

const Application = Type.Object({
  campaign_id: Uuid,
  question_code: Type.String(),
  value: Type.Number(),
  respondents: Type.Integer(),
  computed_at: DateTime,
  applied_by: Type.String(),
  applied_at: DateTime,
})
export const LkeProposals = Type.Object({
  assessment_id: Uuid,
  proposals: Type.Array(
    Type.Object({
      kind: Kind,
      question_code: Type.String(),
      campaign: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
      value: Type.Union([Type.Number(), Type.Null()], { description: 'the proposed answer: the index, two decimals' }),
      index: NullableNumber,
      respondents: Type.Integer(),
      final: Type.Boolean(),
      reason: Type.String(),
      computed_at: Nullable(DateTime),
      last_response_at: Nullable(DateTime),
      current_answer: NullableNumber,
      applied: Type.Union([Application, Type.Null()]),
      changed_since_applied: Type.Boolean({
        description: 'the index or the respondents moved since the unit applied it',
      }),
    }),
  ),
})
export const ApplyBody = Type.Object({ kind: Kind }, closed)
export const ApplyResult = Type.Object({
  application: Application,
  answer: Type.Ref('Answer'),
})

export const PeriodParams = Type.Object({ period_id: Uuid }, closed)
export const Progress = Type.Object({
  period_id: Uuid,
  minimum: Type.Integer(),
  units: Type.Array(
    Type.Object({
      unit_id: Uuid,
      unit_name: Type.String(),
      campaign_id: Nullable(Uuid),
      campaign_name: NullableString,
      state: Type.Union([StringEnum(['scheduled', 'open', 'closed'] as const), Type.Null()]),
      respondents: Type.Integer(),
      minimum: Type.Integer(),
      percent_of_minimum: Type.Integer(),
      reached: Type.Boolean(),
      justified: Type.Boolean(),
    }),
  ),
})

export const CsvResponse = {
  description: 'RFC 4180 CSV (UTF-8, CRLF, header record first)',
  content: { 'text/csv': { schema: Type.String() } },
}
export const SvgResponse = {
  description: 'an SVG image',
  content: { 'image/svg+xml': { schema: Type.String() } },
}
export const PngResponse = {
  description: 'a PNG image',
  content: { 'image/png': { schema: Type.String({ format: 'binary' }) } },
}
export const HtmlResponse = (description: string) => ({
  description,
  content: { 'text/html': { schema: Type.String() } },
})
export const QrQuery = Type.Object(
  { format: Type.Optional(StringEnum(['svg', 'png'] as const, { default: 'svg' })) },
  closed,
)

export const TokenParams = Type.Object(
  { token: Type.String({ pattern: '^[A-Za-z0-9_-]{32}$', description: 'the campaign’s public token' }) },
  closed,
)
export const FormQuery = Type.Object(
  { kode: Type.Optional(Type.String({ maxLength: 40, description: 'an invitation code to fill in' })) },
  closed,
)
export const FormBody = Type.Record(Type.String({ maxLength: 60 }), Type.String({ maxLength: 200 }), {
  maxProperties: 120,
  description:
    'application/x-www-form-urlencoded: ipak.<item code> and ipkp.<item code> = 1–4, service_type, age_band, education, kode',
})
