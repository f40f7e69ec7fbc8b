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
  GRADES,
  OPINI_BPK,
  REVOCATION_BASES,
  SANGGAH_RESULTS,
  SELECTION_OUTCOMES,
  TPN_STEPS,
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
      description:
        'opini_bpk (WTP/WDP/TW/TMP) | spip_level (1–5) | sakip_predicate, indeks_rb_predicate (grades AA, A, BB, B, CC, C, D, as P90 Tabel 5 states them) | sakip_score, indeks_rb (0–100; a grade rule converts them only when no grade is recorded)',
    }),
    applies_to: StringEnum(GATE_APPLIES_TO, {
      description: 'all | pemda (provinsi, kabupaten, kota) | kementerian_lembaga',
    }),
    comparison: StringEnum(GATE_COMPARISONS, {
      description: 'one_of (opini_bpk) | at_least (≥) | greater_than (>) | grade_at_least (a grade indicator)',
    }),
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    min_grade: Type.Optional(StringEnum(GRADES, { description: 'for grade_at_least: this grade or better' })),
    allowed: Type.Optional(Type.Array(StringEnum(OPINI_BPK), { minItems: 1, maxItems: 4, uniqueItems: true })),
    description: Text(300),
    source: Text(1000, 'where the rule comes from: PermenPANRB 90/2021 (page and part), or the PortalRB guide'),
    confidence: Text(40, 'CONFIRMED (read in the regulation), MEDIUM, UNCONFIRMED'),
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
      description:
        'WBBM: years a WBK (or WBBM) designation must have been held; PortalRB practice ("Syarat 2 tahun WBK"), not PermenPANRB 90/2021; 0 turns it off',
    }),
    wbbm_requires_wbk: Type.Optional(
      Type.Boolean({
        default: true,
        description: 'WBBM: the unit already holds Menuju WBK (PermenPANRB 90/2021 Tabel 6, p. 58); default true',
      }),
    ),
    revocation_ban_years: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 20,
        default: 2,
        description:
          'no proposal until this many years after a revocation decision (PermenPANRB 90/2021 Lampiran III BAB IV C, p. 63-64); default 2, 0 turns it off',
      }),
    ),
  },
  { additionalProperties: false },
)
export type ProposalRulesBody = Static<typeof ProposalRulesBody>

export const ProposalRulesView = Type.Object({
  period_id: Uuid,
  customised: Type.Boolean({ description: 'false: the defaults apply' }),
  gate_rules: ProposalRulesBody.properties.gate_rules,
  afirmasi_instansi_kinds: ProposalRulesBody.properties.afirmasi_instansi_kinds,
  wbbm_min_wbk_years: ProposalRulesBody.properties.wbbm_min_wbk_years,
  wbbm_requires_wbk: Type.Boolean(),
  revocation_ban_years: Type.Integer(),
  sources: Type.Object(
    {
      wbbm_requires_wbk: Type.String(),
      wbbm_min_wbk_years: Type.String(),
      revocation_ban_years: Type.String(),
      afirmasi_instansi_kinds: Type.String(),
      unit_requirements: Type.String(),
    },
    { description: 'where each rule beside the gate comes from' },
  ),
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
    sakip_predicate: ValueInput(StringEnum(GRADES, { description: 'the instansi’s SAKIP predicate (AA … D)' })),
    indeks_rb_predicate: ValueInput(StringEnum(GRADES, { description: 'the instansi’s Indeks RB predicate (AA … D)' })),
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
  converted_from: Type.Optional(
    Type.Object(
      { indicator: Type.String(), value: Type.Number(), source: Type.String() },
      {
        description: 'a grade rule with only the 0–100 value recorded: that value, and whose conversion gave the grade',
      },
    ),
  ),
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
  designated_share: Type.Object(
    {
      units: Type.Integer({ description: 'unit kerja of the instansi (not archived)' }),
      designated: Type.Integer({ description: 'of them, units holding Menuju WBK or WBBM now' }),
      share: Type.Number({ description: 'designated ÷ units (0 when there are none)' }),
      above_30_percent: Type.Boolean({
        description:
          'more than 30 %: the instansi need not propose more (KemenPANRB tells it); informative, not a check',
      }),
      source: Type.String(),
    },
    { description: 'PermenPANRB 90/2021 p. 47' },
  ),
})

export const GateView = Type.Object({
  ...EligibilityView.properties,
  values: Type.Object({
    opini_bpk: GateValueView,
    spip_level: GateValueView,
    sakip_predicate: GateValueView,
    indeks_rb_predicate: GateValueView,
    sakip_score: GateValueView,
    indeks_rb: GateValueView,
  }),
})
export type GateView = Static<typeof GateView>

// ---------------------------------------------------------------------------------------------
// Unit-level requirements (P90 Tabel 5, p. 46-47)

export const UnitRequirementParams = Type.Object({ period_id: Uuid, unit_id: Uuid }, { additionalProperties: false })
const UnitEvidence = Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'an evidence item of the unit' }))
const YesNo = (description: string) =>
  Type.Optional(
    Type.Union(
      [
        Type.Object(
          { value: Type.Boolean(), justification: Text(4000, 'why (required)'), evidence_id: UnitEvidence },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: `${description}; null removes it` },
    ),
  )
const Percent = (description: string) =>
  Type.Optional(
    Type.Union(
      [
        Type.Object(
          {
            value: Type.Number({ minimum: 0, maximum: 100, description: 'percent (100 required)' }),
            justification: Type.Optional(Type.Union([Text(4000), Type.Null()])),
            evidence_id: UnitEvidence,
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: `${description}; null removes it` },
    ),
  )
export const UnitRequirementsBody = Type.Object(
  {
    core_service: YesNo('the unit is a core service unit (core layanan utama) of its instansi'),
    public_perception_impact: YesNo(
      'the unit has a significant impact on public perception of the quality of the bureaucracy',
    ),
    tlhp_percent: Percent('follow-up of APIP/BPK findings (Tindak Lanjut Hasil Pengawasan), %'),
    lhkpn_percent: Percent('LHKPN submitted, % of those who must report'),
    lhkasn_percent: Percent('LHKASN submitted, % of those who must report'),
    sakip_predicate: Type.Optional(
      Type.Union(
        [
          Type.Object(
            {
              value: StringEnum(GRADES, {
                description: 'from the internal evaluation (B or better for WBK, BB for WBBM)',
              }),
              justification: Type.Optional(Type.Union([Text(4000), Type.Null()])),
              evidence_id: UnitEvidence,
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ],
        { description: 'the unit’s SAKIP predicate from the internal evaluation; null removes it' },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1, description: 'only the requirements sent change' },
)
export type UnitRequirementsBody = Static<typeof UnitRequirementsBody>
const RequirementView = Type.Union([
  Type.Object({
    value: Type.Union([Type.Boolean(), Type.Number(), Type.String()]),
    justification: NullableString,
    evidence_id: Type.Union([Uuid, Type.Null()]),
    recorded_by: By,
    recorded_at: DateTime,
  }),
  Type.Null(),
])
export const UnitRequirementsView = Type.Object({
  unit_id: Uuid,
  period_id: Uuid,
  values: Type.Object({
    core_service: RequirementView,
    public_perception_impact: RequirementView,
    tlhp_percent: RequirementView,
    lhkpn_percent: RequirementView,
    lhkasn_percent: RequirementView,
    sakip_predicate: RequirementView,
  }),
  source: Type.String(),
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
  {
    decided_on: IsoDate,
    items: AdminItems,
    lulus_dengan_catatan: Type.Optional(
      Type.Object(
        {
          resubmit_items: Type.Array(StringEnum(ADMIN_ITEMS), {
            minItems: 1,
            maxItems: ADMIN_ITEMS.length,
            uniqueItems: true,
          }),
          due_on: Type.Optional(Type.Union([IsoDate, Type.Null()])),
          note: Type.Optional(Type.Union([Text(2000), Type.Null()])),
        },
        {
          additionalProperties: false,
          description:
            'the selection passed on condition of resubmitting these items (each one of the items found tidak_sesuai)',
        },
      ),
    ),
  },
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
  {
    revoked_on: IsoDate,
    reason: Text(2000, 'e.g. maladministrasi found in the field check'),
    basis: StringEnum(REVOCATION_BASES, {
      description:
        'tpi_report: the TPI reported the unit no longer meets the criteria; tpn_field_check: the TPN’s periodic field evaluation or field verification found maladministrasi (P90 Lampiran III BAB IV C, p. 63-64)',
    }),
    tpn_recommendation: Type.Object(
      {
        date: IsoDate,
        number: Type.Optional(Type.Union([Text(200), Type.Null()])),
        note: Type.Optional(Type.Union([Text(2000), Type.Null()])),
      },
      { additionalProperties: false, description: 'the TPN’s written recommendation to the Menteri PANRB' },
    ),
    decision_number: Text(200, 'the number of the Menteri’s revocation decision (its date is revoked_on)'),
  },
  { additionalProperties: false },
)
export type RevocationBody = Static<typeof RevocationBody>
export const TpnStepBody = Type.Object(
  {
    step: StringEnum(TPN_STEPS, {
      description: 'desk_evaluation | field_evaluation | survey | clearance | panel | lhe (Laporan Hasil Evaluasi)',
    }),
    on: IsoDate,
    until: Type.Optional(Type.Union([IsoDate, Type.Null()])),
    note: Type.Optional(Type.Union([Text(2000), Type.Null()])),
    evidence_id: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'an evidence item of the unit' })),
  },
  { additionalProperties: false },
)
export type TpnStepBody = Static<typeof TpnStepBody>

const AdminView = Type.Object({
  decided_on: IsoDate,
  items: Type.Array(Type.Object({ item: Type.String(), result: Type.String(), note: NullableString })),
  passed: Type.Boolean({ description: 'lulus or lulus_dengan_catatan' }),
  outcome: StringEnum(SELECTION_OUTCOMES),
  resubmit: Type.Union([
    Type.Object({ items: Type.Array(Type.String()), due_on: Type.Union([IsoDate, Type.Null()]), note: NullableString }),
    Type.Null(),
  ]),
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
const RevocationView = Type.Object({
  revoked_on: IsoDate,
  reason: Type.String(),
  basis: Type.Union([StringEnum(REVOCATION_BASES), Type.Null()], {
    description: 'null on revocations recorded before it was asked',
  }),
  tpn_recommendation: Type.Union([
    Type.Object({ date: IsoDate, number: NullableString, note: NullableString }),
    Type.Null(),
  ]),
  decision_number: NullableString,
  ...RecordedBy,
})
const TpnStepView = Type.Object({
  step: StringEnum(TPN_STEPS),
  on: IsoDate,
  until: Type.Union([IsoDate, Type.Null()]),
  note: NullableString,
  evidence_id: Type.Union([Uuid, Type.Null()]),
  ...RecordedBy,
})

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
  tpn_steps: Type.Array(TpnStepView, { description: 'the TPN’s later steps as recorded, by date (optional records)' }),
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
