import { Type, type Static } from 'typebox'
import { Measure, Score } from '../../lib/precision.js'
import { StringEnum } from '../../lib/schema.js'
import { DECLARATION_STATUSES, TARGETS } from '../declarations/rules.js'
import { INSTANSI_KINDS } from '../units/tables.js'
import {
  ADMIN_ITEMS,
  ADMIN_RESULTS,
  CHECK_CODES,
  FUNNEL_STEPS,
  GATE_APPLIES_TO,
  GATE_COMPARISONS,
  GATE_INDICATORS,
  OPINI_BPK,
  SANGGAH_RESULTS,
} from './rules.js'
import { PROPOSAL_ROUTES } from './tables.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' })
const Text = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '\\S', ...(description ? { description } : {}) })
const NullableString = Type.Union([Type.String(), Type.Null()])
const Target = StringEnum(TARGETS)
const InstansiKind = StringEnum(INSTANSI_KINDS)
const By = Type.Object({ id: Type.Union([Uuid, Type.Null()]), name: Type.String() })

export const PeriodParams = Type.Object({ period_id: Uuid }, { additionalProperties: false })
export const InstansiParams = Type.Object({ period_id: Uuid, instansi_id: Uuid }, { additionalProperties: false })
export const DeclarationParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const UnitParams = Type.Object({ id: Uuid }, { additionalProperties: false })

// ---------------------------------------------------------------------------------------------
// Rules

export const GateRuleSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' }),
    predicate: Target,
    indicator: StringEnum(GATE_INDICATORS, {
      description: 'opini_bpk (WTP/WDP/TW/TMP) | spip_level (1–5) | sakip_score (0–100) | indeks_rb (0–100)',
    }),
    applies_to: StringEnum(GATE_APPLIES_TO, {
      description: 'all | pemda (provinsi, kabupaten, kota) | kementerian_lembaga',
    }),
    comparison: StringEnum(GATE_COMPARISONS, { description: 'one_of (opini_bpk) | at_least (≥) | greater_than (>)' }),
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    allowed: Type.Optional(Type.Array(StringEnum(OPINI_BPK), { minItems: 1, maxItems: 4, uniqueItems: true })),
    description: Text(300),
    source: Text(1000, 'where the number comes from'),
    confidence: Text(40, 'e.g. MEDIUM, UNCONFIRMED (zi-rules.md’s scale)'),
  },
  { additionalProperties: false },
)

export const ProposalRulesBody = Type.Object(
  {
    gate_rules: Type.Array(GateRuleSchema, { minItems: 1, maxItems: 100 }),
    afirmasi_instansi_kinds: Type.Array(InstansiKind, {
      uniqueItems: true,
      description: 'instansi kinds that, failing the WBK gate, may still propose afirmasi units for WBK',
    }),
    wbbm_min_wbk_years: Type.Integer({
      minimum: 0,
      maximum: 20,
      description: 'WBBM: years a WBK (or WBBM) designation must have been held',
    }),
  },
  { additionalProperties: false },
)
export type ProposalRulesBody = Static<typeof ProposalRulesBody>

export const ProposalRulesView = Type.Object({
  period_id: Uuid,
  customised: Type.Boolean({ description: 'false: the defaults (zi-rules.md) apply' }),
  ...ProposalRulesBody.properties,
  updated_at: Type.Union([DateTime, Type.Null()]),
  updated_by: NullableString,
  version: Type.Integer({ description: '0 while the defaults apply' }),
})

// ---------------------------------------------------------------------------------------------
// The instansi gate

const EvidenceRef = Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'an evidence item of the instansi' }))
const ValueInput = (
  value: ReturnType<typeof Type.Number> | ReturnType<typeof Type.Integer> | ReturnType<typeof StringEnum>,
) =>
  Type.Optional(
    Type.Union([Type.Object({ value, evidence_id: EvidenceRef }, { additionalProperties: false }), Type.Null()], {
      description: 'null removes the value',
    }),
  )

export const GateValuesBody = Type.Object(
  {
    opini_bpk: ValueInput(StringEnum(OPINI_BPK)),
    spip_level: ValueInput(Type.Integer({ minimum: 1, maximum: 5 })),
    sakip_score: ValueInput(Type.Number({ minimum: 0, maximum: 100 })),
    indeks_rb: ValueInput(Type.Number({ minimum: 0, maximum: 100 })),
  },
  { additionalProperties: false, minProperties: 1, description: 'only the indicators sent change' },
)
export type GateValuesBody = Static<typeof GateValuesBody>

const GateValueView = Type.Union([
  Type.Object({
    value: Type.Union([Type.String(), Type.Number()]),
    evidence_id: Type.Union([Uuid, Type.Null()]),
    recorded_by: By,
    recorded_at: DateTime,
  }),
  Type.Null(),
])

const GateRuleResult = Type.Object({
  rule: Type.String(),
  indicator: Type.String(),
  description: Type.String(),
  required: Type.String(),
  actual: Type.Union([Type.String(), Measure(), Type.Null()]),
  passed: Type.Boolean(),
  source: Type.String(),
  confidence: Type.String(),
})
const PredicateGate = Type.Object({
  eligible: Type.Boolean(),
  afirmasi_only: Type.Boolean({ description: 'not eligible, but afirmasi units may still be proposed for WBK' }),
  rules: Type.Array(GateRuleResult),
})
export const EligibilityView = Type.Object({
  instansi: Type.Object({
    id: Uuid,
    code: Type.String(),
    name: Type.String(),
    instansi_kind: Type.Union([InstansiKind, Type.Null()]),
  }),
  period_id: Uuid,
  WBK: PredicateGate,
  WBBM: PredicateGate,
})

export const GateView = Type.Object({
  ...EligibilityView.properties,
  values: Type.Object({
    opini_bpk: GateValueView,
    spip_level: GateValueView,
    sakip_score: GateValueView,
    indeks_rb: GateValueView,
  }),
})

// ---------------------------------------------------------------------------------------------
// The package

const DocRef = Type.Optional(
  Type.Union([Uuid, Type.Null()], { description: 'an evidence item of the instansi; null detaches' }),
)
export const PackageBody = Type.Object(
  {
    documents: Type.Optional(
      Type.Object(
        { surat_usulan: DocRef, sptjm: DocRef, tlhp: DocRef, survei_mandiri: DocRef },
        { additionalProperties: false, description: 'only the documents sent change' },
      ),
    ),
    pic: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.Union([Text(200), Type.Null()])),
          email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 320 }), Type.Null()])),
          phone: Type.Optional(
            Type.Union([Type.String({ minLength: 6, maxLength: 32, pattern: '^\\+?[0-9][0-9 ().-]*$' }), Type.Null()]),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PackageBody = Static<typeof PackageBody>

const DocView = Type.Union([
  Type.Object({ evidence_id: Uuid, title: Type.String(), kind: Type.String(), url: NullableString }),
  Type.Null(),
])
export const PackageView = Type.Object({
  instansi_id: Uuid,
  period_id: Uuid,
  documents: Type.Object({ surat_usulan: DocView, sptjm: DocView, tlhp: DocView, survei_mandiri: DocView }),
  pic: Type.Object({ name: NullableString, email: NullableString, phone: NullableString }),
  complete: Type.Boolean(),
  missing: Type.Array(Type.String(), {
    description: 'documents not attached and PIC fields not filled (pic.name, pic.email, pic.phone)',
  }),
  updated_at: Type.Union([DateTime, Type.Null()]),
  updated_by: NullableString,
  version: Type.Integer({ description: '0 before anything is recorded' }),
})

// ---------------------------------------------------------------------------------------------
// Checks and proposing

const CheckView = Type.Object({
  check: StringEnum(CHECK_CODES),
  passed: Type.Boolean(),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
})

export const VerdictView = Type.Object({
  declaration_id: Uuid,
  unit: Type.Union([
    Type.Object({ id: Uuid, code: Type.String(), name: Type.String(), afirmasi: Type.Boolean() }),
    Type.Null(),
  ]),
  target: Type.Union([Target, Type.Null()]),
  ready: Type.Boolean({ description: 'every check passed' }),
  route: StringEnum(PROPOSAL_ROUTES, {
    description: 'afirmasi: proposed through the afirmasi route (the instansi fails the WBK gate)',
  }),
  kategori: Type.Union([StringEnum(['WBK', 'WBK-AFIRMASI', 'WBBM'] as const), Type.Null()], {
    description: 'as PortalRB will list it',
  }),
  checks: Type.Array(CheckView, { description: 'every check, passed or not' }),
  failing: Type.Array(StringEnum(CHECK_CODES)),
})

export const ProposeBody = Type.Object(
  {
    declaration_ids: Type.Array(Uuid, {
      minItems: 1,
      maxItems: 500,
      uniqueItems: true,
      description: 'declarations of this period to propose',
    }),
    dry_run: Type.Optional(
      Type.Boolean({ default: false, description: 'true: answer each unit’s verdict and change nothing' }),
    ),
    reason: Type.Optional(Text(2000, 'kept in each declaration’s history (default: “proposed to KemenPANRB”)')),
  },
  { additionalProperties: false },
)
export type ProposeBody = Static<typeof ProposeBody>

export const ProposeResult = Type.Object({
  period_id: Uuid,
  dry_run: Type.Boolean(),
  mode: Type.Literal('all_or_nothing', {
    description: 'one unit refused refuses the whole request (422 proposal_refused); nothing is written',
  }),
  proposed: Type.Integer({ description: 'units proposed by this request (0 on a dry run)' }),
  ready: Type.Integer(),
  refused: Type.Integer(),
  items: Type.Array(VerdictView),
})

// ---------------------------------------------------------------------------------------------
// Outcome

const RecordedBy = { recorded_at: DateTime, recorded_by: By }
const AdminItems = Type.Array(
  Type.Object(
    {
      item: StringEnum(ADMIN_ITEMS),
      result: StringEnum(ADMIN_RESULTS),
      note: Type.Optional(Type.Union([Text(2000), Type.Null()])),
    },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: ADMIN_ITEMS.length },
)
export const AdministrativeSelectionBody = Type.Object(
  { decided_on: IsoDate, items: AdminItems },
  { additionalProperties: false },
)
export type AdministrativeSelectionBody = Static<typeof AdministrativeSelectionBody>
export const SanggahBody = Type.Object(
  {
    filed_on: IsoDate,
    reason: Text(2000),
    result: StringEnum(SANGGAH_RESULTS, {
      description: 'pending until KemenPANRB decides; diterima passes the administrative selection',
    }),
    decided_on: Type.Optional(Type.Union([IsoDate, Type.Null()])),
    note: Type.Optional(Type.Union([Text(2000), Type.Null()])),
  },
  { additionalProperties: false },
)
export type SanggahBody = Static<typeof SanggahBody>
export const EvaluationBody = Type.Object(
  { evaluated_on: IsoDate, note: Type.Optional(Type.Union([Text(2000), Type.Null()])) },
  { additionalProperties: false },
)
export type EvaluationBody = Static<typeof EvaluationBody>
export const DecisionBody = Type.Union([
  Type.Object(
    { decision: Type.Literal('designated'), sk_number: Text(200, 'nomor Keputusan Menteri PANRB'), sk_date: IsoDate },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      decision: Type.Literal('not_designated'),
      decided_on: IsoDate,
      reasons: Type.Array(Text(1000), { minItems: 1, maxItems: 50 }),
    },
    { additionalProperties: false },
  ),
])
export type DecisionBody = Static<typeof DecisionBody>
export const RevocationBody = Type.Object(
  { revoked_on: IsoDate, reason: Text(2000, 'e.g. OTT (operasi tangkap tangan) in the unit') },
  { additionalProperties: false },
)
export type RevocationBody = Static<typeof RevocationBody>

const AdminView = Type.Object({
  decided_on: IsoDate,
  items: Type.Array(Type.Object({ item: Type.String(), result: Type.String(), note: NullableString })),
  passed: Type.Boolean(),
  ...RecordedBy,
})
const SanggahView = Type.Object({
  filed_on: IsoDate,
  reason: Type.String(),
  result: Type.String(),
  decided_on: Type.Union([IsoDate, Type.Null()]),
  note: NullableString,
  ...RecordedBy,
})
const EvaluationView = Type.Object({
  evaluated_on: IsoDate,
  tpn_stage_status: Type.String(),
  tpn_total: Score(),
  tpn_predicate: Type.String(),
  note: NullableString,
  ...RecordedBy,
})
const DecisionView = Type.Object({
  decision: StringEnum(['designated', 'not_designated'] as const),
  sk_number: Type.Optional(Type.String()),
  sk_date: Type.Optional(IsoDate),
  decided_on: Type.Optional(IsoDate),
  reasons: Type.Optional(Type.Array(Type.String())),
  ...RecordedBy,
})
const RevocationView = Type.Object({ revoked_on: IsoDate, reason: Type.String(), ...RecordedBy })

export const ProposalView = Type.Object({
  declaration_id: Uuid,
  period_id: Uuid,
  unit_id: Uuid,
  instansi_id: Uuid,
  target: Target,
  route: StringEnum(PROPOSAL_ROUTES),
  status: StringEnum(DECLARATION_STATUSES, { description: 'the declaration’s status now' }),
  tpi_total: Type.Union([Score(), Type.Null()]),
  checks: Type.Array(CheckView, { description: 'the checks as they stood when proposed' }),
  proposed_at: DateTime,
  proposed_by: By,
  passed_administrative_selection: Type.Boolean(),
  administrative_selection: Type.Union([AdminView, Type.Null()]),
  sanggah: Type.Union([SanggahView, Type.Null()]),
  evaluation: Type.Union([EvaluationView, Type.Null()]),
  decision: Type.Union([DecisionView, Type.Null()]),
  revocation: Type.Union([RevocationView, Type.Null()]),
  updated_at: DateTime,
  version: Type.Integer(),
})
export type ProposalView = Static<typeof ProposalView>

export const ProposalListQuery = Type.Object(
  { target: Type.Optional(Target), instansi_id: Type.Optional(Uuid) },
  { additionalProperties: false },
)
export const ProposalList = Type.Object({ items: Type.Array(ProposalView) })

export const PredicateHistoryView = Type.Object({
  unit_id: Uuid,
  current: Type.Union([Target, Type.Null()], { description: 'the predicate held now (not revoked, not superseded)' }),
  items: Type.Array(
    Type.Object({
      predicate: Target,
      period_id: Uuid,
      period_code: Type.String(),
      year: Type.Integer(),
      since: Type.Union([IsoDate, Type.Null()]),
      until: Type.Union([IsoDate, Type.Null()]),
      until_reason: Type.Union([StringEnum(['revoked', 'superseded'] as const), Type.Null()]),
      sk_number: NullableString,
      held: Type.Boolean(),
    }),
  ),
})

export const FunnelView = Type.Object(Object.fromEntries(FUNNEL_STEPS.map((s) => [s, Type.Integer()])), {
  description: 'cumulative: a unit counts in every step it reached',
})
export const InstansiGateState = Type.Object({
  instansi: Type.Object({
    id: Uuid,
    code: Type.String(),
    name: Type.String(),
    instansi_kind: Type.Union([InstansiKind, Type.Null()]),
  }),
  WBK: Type.Object({ eligible: Type.Boolean(), afirmasi_only: Type.Boolean() }),
  WBBM: Type.Object({ eligible: Type.Boolean() }),
  package_complete: Type.Boolean(),
})
export const ProposalSummaryView = Type.Object({ funnel: FunnelView, instansi: Type.Array(InstansiGateState) })
