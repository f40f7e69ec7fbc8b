import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import type { EligibilityResult } from '../instruments/domain/index.js'
import { assessmentStages, assessments } from '../assessments/tables.js'
import { stageScore } from '../assessments/service.js'
import { unitScopeCondition } from '../auth/scope.js'
import { moveDeclaration } from '../declarations/service.js'
import { declarations, type DeclarationRow } from '../declarations/tables.js'
import { evidence } from '../evidence/tables.js'
import { loadDefinition } from '../instruments/cache.js'
import { databaseNow, windowState } from '../periods/service.js'
import { periods, type PeriodRow } from '../periods/tables.js'
import { units, type UnitRow } from '../units/tables.js'
import {
  DEFAULT_PROPOSAL_RULES,
  GATE_INDICATORS,
  SOURCES,
  UNIT_REQUIREMENTS,
  PACKAGE_DOCUMENTS,
  checkOutcomeStep,
  evaluateGate,
  packageMissing,
  passedAdministrative,
  predicateHistory,
  proposalVerdict,
  validateProposalRules,
  type Designation,
  type GateEligibility,
  type GateIndicator,
  type GateValues,
  type OutcomeStep,
  type PackageState,
  type ProposalCheck,
  type ProposalRules,
  type Recorded,
  type TpnStep,
  type UnitRequirementValues,
} from './rules.js'
import type {
  AdministrativeSelectionBody,
  DecisionBody,
  EvaluationBody,
  GateValuesBody,
  PackageBody,
  ProposalRulesBody,
  ProposalView,
  ProposeBody,
  RevocationBody,
  SanggahBody,
  TpnStepBody,
} from './schemas.js'
import {
  instansiGateValues,
  proposalPackages,
  proposalRules,
  proposals,
  unitRequirements,
  type PackageRow,
  type ProposalRow,
} from './tables.js'

import { loadPeriod } from '../periods/service.js'
import { msg } from '../../lib/i18n.js'

// ---------------------------------------------------------------------------------------------
// Loading

/** The period or 404 `period_not_found`: one home, src/modules/periods/service.ts (loadPeriod). */
export const loadPeriodOr404 = loadPeriod

/** The instansi whose subtree the principal sees any part of (a reader of one OPD reads its instansi's gate); else 404. */
export async function loadVisibleInstansi(db: Queryable, principal: Principal, id: string): Promise<UnitRow> {
  const [row] = await db.select().from(units).where(eq(units.id, id))
  const visible = row && (principal.scopeAll || principal.scopePaths.some((p) => p.startsWith(row.path)))
  if (!row || !visible || row.kind !== 'instansi') throw notFound('instansi', id)
  return row
}

/** The instansi ids a principal's scope touches. */
async function instansiInScope(db: Queryable, principal: Principal): Promise<UnitRow[]> {
  if (principal.scopeAll)
    return db
      .select()
      .from(units)
      .where(and(eq(units.kind, 'instansi'), isNull(units.archivedAt)))
      .orderBy(asc(units.code))
  const ids = [...new Set(principal.scopePaths.map((p) => p.split('/')[1]).filter((x): x is string => !!x))]
  if (ids.length === 0) return []
  return db
    .select()
    .from(units)
    .where(and(inArray(units.id, ids), eq(units.kind, 'instansi')))
    .orderBy(asc(units.code))
}

// ---------------------------------------------------------------------------------------------
// Rules of a period

export async function loadRules(
  db: Queryable,
  periodId: string,
): Promise<{ rules: ProposalRules; row: typeof proposalRules.$inferSelect | null }> {
  const [row] = await db.select().from(proposalRules).where(eq(proposalRules.periodId, periodId))
  if (!row) return { rules: DEFAULT_PROPOSAL_RULES, row: null }
  return {
    rules: {
      gate_rules: row.gateRules,
      afirmasi_instansi_kinds: row.afirmasiInstansiKinds,
      wbbm_min_wbk_years: row.wbbmMinWbkYears,
      wbbm_requires_wbk: row.wbbmRequiresWbk,
      revocation_ban_years: row.revocationBanYears,
    },
    row,
  }
}

export function rulesView(periodId: string, loaded: Awaited<ReturnType<typeof loadRules>>) {
  return {
    period_id: periodId,
    customised: loaded.row !== null,
    ...loaded.rules,
    sources: {
      wbbm_requires_wbk: SOURCES.tabel6Wbbm,
      wbbm_min_wbk_years: SOURCES.portalrbTwoYears,
      revocation_ban_years: SOURCES.revocation,
      afirmasi_instansi_kinds: SOURCES.afirmasi,
      unit_requirements: `${SOURCES.tabel5Unit}; ${SOURCES.praEvaluasiUnit}`,
    },
    updated_at: loaded.row?.updatedAt.toISOString() ?? null,
    updated_by: loaded.row?.updatedByName ?? null,
    version: loaded.row?.version ?? 0,
  }
}

export async function putRules(
  tx: Queryable,
  principal: Principal,
  periodId: string,
  body: ProposalRulesBody,
): Promise<void> {
  const rules: ProposalRules = {
    gate_rules: body.gate_rules,
    afirmasi_instansi_kinds: body.afirmasi_instansi_kinds,
    wbbm_min_wbk_years: body.wbbm_min_wbk_years,
    wbbm_requires_wbk: body.wbbm_requires_wbk ?? DEFAULT_PROPOSAL_RULES.wbbm_requires_wbk,
    revocation_ban_years: body.revocation_ban_years ?? DEFAULT_PROPOSAL_RULES.revocation_ban_years,
  }
  const issues = validateProposalRules(rules)
  if (issues.length > 0)
    throw new ProblemError(
      422,
      'proposal_rules_invalid',
      msg('proposals:proposal_rules_invalid', { problems: issues.map((i) => i.message) }),
      { errors: issues },
    )
  const values = {
    gateRules: body.gate_rules,
    afirmasiInstansiKinds: body.afirmasi_instansi_kinds,
    wbbmMinWbkYears: rules.wbbm_min_wbk_years,
    wbbmRequiresWbk: rules.wbbm_requires_wbk,
    revocationBanYears: rules.revocation_ban_years,
    updatedByName: principal.name,
  }
  await tx
    .insert(proposalRules)
    .values({ periodId, ...values })
    .onConflictDoUpdate({
      target: proposalRules.periodId,
      set: { ...values, updatedAt: sql`now()`, version: sql`${proposalRules.version} + 1` },
    })
}

// ---------------------------------------------------------------------------------------------
// The instansi gate

export async function evidenceOfUnit(
  tx: Queryable,
  unitId: string,
  ids: string[],
  pointerOf: (id: string) => string,
  whose: 'instansi' | 'unit' = 'instansi',
): Promise<void> {
  if (ids.length === 0) return
  const found = new Set(
    (
      await tx
        .select({ id: evidence.id })
        .from(evidence)
        .where(and(inArray(evidence.id, ids), eq(evidence.unitId, unitId)))
    ).map((r) => r.id),
  )
  const errors = ids
    .filter((id) => !found.has(id))
    .map((id) => ({
      pointer: pointerOf(id),
      rule: 'evidence_not_found',
      message: msg('proposals:field.evidence_not_found', { id, whose }),
    }))
  if (errors.length > 0)
    throw new ProblemError(
      422,
      'evidence_not_found',
      msg('proposals:evidence_not_found', { whose, problems: errors.map((e) => e.message) }),
      { errors },
    )
}

export async function loadGateValues(db: Queryable, instansiId: string, periodId: string) {
  const rows = await db
    .select()
    .from(instansiGateValues)
    .where(and(eq(instansiGateValues.instansiId, instansiId), eq(instansiGateValues.periodId, periodId)))
  const values: GateValues = Object.fromEntries(rows.map((r) => [r.indicator, r.value]))
  const view = Object.fromEntries(
    GATE_INDICATORS.map((i) => {
      const r = rows.find((x) => x.indicator === i)
      return [
        i,
        r
          ? {
              value: r.value,
              evidence_id: r.evidenceId,
              recorded_by: { id: r.recordedById, name: r.recordedByName },
              recorded_at: r.recordedAt.toISOString(),
            }
          : null,
      ]
    }),
  ) as Record<GateIndicator, unknown>
  return { values, view }
}

export async function putGateValues(
  tx: Queryable,
  principal: Principal,
  instansi: UnitRow,
  periodId: string,
  body: GateValuesBody,
): Promise<void> {
  const entries = Object.entries(body) as [
    GateIndicator,
    { value: string | number; evidence_id?: string | null } | null,
  ][]
  const evidenceIds = entries.flatMap(([, v]) => (v?.evidence_id ? [v.evidence_id] : []))
  await evidenceOfUnit(
    tx,
    instansi.id,
    evidenceIds,
    (id) => `/body/${entries.find(([, v]) => v?.evidence_id === id)?.[0]}/evidence_id`,
  )
  for (const [indicator, v] of entries) {
    const key = and(
      eq(instansiGateValues.instansiId, instansi.id),
      eq(instansiGateValues.periodId, periodId),
      eq(instansiGateValues.indicator, indicator),
    )
    if (v === null) {
      await tx.delete(instansiGateValues).where(key)
      continue
    }
    const set = {
      value: v.value,
      evidenceId: v.evidence_id ?? null,
      recordedById: principal.principalId,
      recordedByName: principal.name,
    }
    await tx
      .insert(instansiGateValues)
      .values({ instansiId: instansi.id, periodId, indicator, ...set })
      .onConflictDoUpdate({
        target: [instansiGateValues.instansiId, instansiGateValues.periodId, instansiGateValues.indicator],
        set: { ...set, recordedAt: sql`now()` },
      })
  }
}

export async function gateOf(
  db: Queryable,
  instansi: UnitRow,
  periodId: string,
  rules?: ProposalRules,
): Promise<GateEligibility> {
  const r = rules ?? (await loadRules(db, periodId)).rules
  const { values } = await loadGateValues(db, instansi.id, periodId)
  return evaluateGate(r, instansi.instansiKind ?? null, values)
}

/**
 * How many of the instansi's unit kerja hold Menuju WBK/WBBM now (P90 p. 47: above 30 % the
 * instansi need not propose more). Informative: the proposal checks do not read it.
 */
export async function designatedShare(db: Queryable, instansiId: string) {
  const [row] = await db
    .select({
      units: sql<number>`count(*)::int`,
      designated: sql<number>`count(*) filter (where exists (
        select 1 from declarations d where d.unit_id = "units"."id" and d.status = 'designated'))::int`,
    })
    .from(units)
    .where(and(eq(units.instansiId, instansiId), eq(units.kind, 'unit'), isNull(units.archivedAt)))
  const total = Number(row?.units ?? 0)
  const designated = Number(row?.designated ?? 0)
  const share = total === 0 ? 0 : designated / total
  return { units: total, designated, share, above_30_percent: share > 0.3, source: SOURCES.thirtyPercent }
}

export const instansiRef = (u: UnitRow) => ({
  id: u.id,
  code: u.code,
  name: u.name,
  instansi_kind: u.instansiKind ?? null,
})

/** The gate of an instansi in a period as the API shows it (without the recorded values). */
export async function gateView(db: Queryable, principal: Principal, instansiId: string, periodId: string) {
  const instansi = await loadVisibleInstansi(db, principal, instansiId)
  const gate = await gateOf(db, instansi, periodId)
  return {
    instansi: instansiRef(instansi),
    period_id: periodId,
    WBK: gate.WBK,
    WBBM: gate.WBBM,
    designated_share: await designatedShare(db, instansi.id),
  }
}

// ---------------------------------------------------------------------------------------------
// The package

export async function loadPackageRow(db: Queryable, instansiId: string, periodId: string): Promise<PackageRow | null> {
  const [row] = await db
    .select()
    .from(proposalPackages)
    .where(and(eq(proposalPackages.instansiId, instansiId), eq(proposalPackages.periodId, periodId)))
  return row ?? null
}

const DOC_COLUMN = {
  surat_usulan: 'suratUsulanEvidenceId',
  sptjm: 'sptjmEvidenceId',
  tlhp: 'tlhpEvidenceId',
  survei_mandiri: 'surveiMandiriEvidenceId',
} as const

export function packageState(row: PackageRow | null): PackageState | null {
  if (!row) return null
  return {
    documents: Object.fromEntries(PACKAGE_DOCUMENTS.map((d) => [d, row[DOC_COLUMN[d]]])),
    pic: { name: row.picName, email: row.picEmail, phone: row.picPhone },
  }
}

export async function packageView(db: Queryable, instansiId: string, periodId: string) {
  const row = await loadPackageRow(db, instansiId, periodId)
  const state = packageState(row)
  const ids = PACKAGE_DOCUMENTS.flatMap((d) => (state?.documents[d] ? [state.documents[d]!] : []))
  const items = ids.length ? await db.select().from(evidence).where(inArray(evidence.id, ids)) : []
  const missing = packageMissing(state)
  return {
    instansi_id: instansiId,
    period_id: periodId,
    documents: Object.fromEntries(
      PACKAGE_DOCUMENTS.map((d) => {
        const e = items.find((i) => i.id === state?.documents[d])
        return [d, e ? { evidence_id: e.id, title: e.title, kind: e.kind, url: e.url } : null]
      }),
    ) as never,
    pic: state?.pic ?? { name: null, email: null, phone: null },
    complete: missing.length === 0,
    missing,
    updated_at: row?.updatedAt.toISOString() ?? null,
    updated_by: row?.updatedByName ?? null,
    version: row?.version ?? 0,
  }
}

export async function putPackage(
  tx: Queryable,
  principal: Principal,
  instansi: UnitRow,
  periodId: string,
  body: PackageBody,
): Promise<void> {
  const docs = Object.entries(body.documents ?? {}) as [keyof typeof DOC_COLUMN, string | null][]
  await evidenceOfUnit(
    tx,
    instansi.id,
    docs.flatMap(([, id]) => (id ? [id] : [])),
    (id) => `/body/documents/${docs.find(([, v]) => v === id)?.[0]}`,
  )
  const set: Partial<typeof proposalPackages.$inferInsert> = { updatedByName: principal.name }
  for (const [d, id] of docs) set[DOC_COLUMN[d]] = id
  if (body.pic?.name !== undefined) set.picName = body.pic.name?.trim() ?? null
  if (body.pic?.email !== undefined) set.picEmail = body.pic.email
  if (body.pic?.phone !== undefined) set.picPhone = body.pic.phone
  await tx
    .insert(proposalPackages)
    .values({ instansiId: instansi.id, periodId, updatedByName: principal.name, ...set })
    .onConflictDoUpdate({
      target: [proposalPackages.instansiId, proposalPackages.periodId],
      set: { ...set, updatedAt: sql`now()`, version: sql`${proposalPackages.version} + 1` },
    })
}

// ---------------------------------------------------------------------------------------------
// Checking and proposing

/** Designations of the unit in periods earlier (by year) than `year`, not revoked. */
async function heldDesignations(db: Queryable, unitId: string, year: number): Promise<Designation[]> {
  const rows = await db
    .select({ predicate: declarations.predicate, year: periods.year, code: periods.code })
    .from(declarations)
    .innerJoin(periods, eq(periods.id, declarations.periodId))
    .where(and(eq(declarations.unitId, unitId), eq(declarations.status, 'designated'), lt(periods.year, year)))
  return rows.flatMap((r) => (r.predicate ? [{ predicate: r.predicate, year: r.year, period_code: r.code }] : []))
}

async function tpiOf(db: Queryable, periodId: string, unitId: string) {
  const [row] = await db
    .select({
      stageId: assessmentStages.id,
      status: assessmentStages.status,
      instrumentVersionId: assessments.instrumentVersionId,
    })
    .from(assessments)
    .innerJoin(
      assessmentStages,
      and(eq(assessmentStages.assessmentId, assessments.id), eq(assessmentStages.kind, 'tpi')),
    )
    .where(and(eq(assessments.periodId, periodId), eq(assessments.unitId, unitId)))
  if (!row) return null
  const score = await stageScore(db, await loadDefinition(db, row.instrumentVersionId), row.stageId, false)
  return { status: row.status, eligibility: score.eligibility as EligibilityResult, total: score.total }
}

/** What the admin recorded for the unit in the period (Tabel 5), as the checks read it and as the API shows it. */
export async function loadUnitRequirements(db: Queryable, unitId: string, periodId: string) {
  const rows = await db
    .select()
    .from(unitRequirements)
    .where(and(eq(unitRequirements.unitId, unitId), eq(unitRequirements.periodId, periodId)))
  const values: UnitRequirementValues = Object.fromEntries(
    rows.map((r) => [r.requirement, { value: r.value, justification: r.justification }]),
  )
  const view = Object.fromEntries(
    UNIT_REQUIREMENTS.map((k) => {
      const r = rows.find((x) => x.requirement === k)
      return [
        k,
        r
          ? {
              value: r.value,
              justification: r.justification,
              evidence_id: r.evidenceId,
              recorded_by: { id: r.recordedById, name: r.recordedByName },
              recorded_at: r.recordedAt.toISOString(),
            }
          : null,
      ]
    }),
  )
  return { values, view }
}

export async function unitRequirementsView(db: Queryable, unitId: string, periodId: string) {
  return {
    unit_id: unitId,
    period_id: periodId,
    values: (await loadUnitRequirements(db, unitId, periodId)).view as never,
    source: `${SOURCES.tabel5Unit}; the ZI building year is read from the unit's declarations (declared_on)`,
  }
}

/** The earliest pencanangan (declared_on) of the unit's declarations toward `target`, any period. */
async function buildingSince(db: Queryable, unitId: string, target: 'WBK' | 'WBBM'): Promise<string | null> {
  const [row] = await db
    .select({ since: sql<string | null>`min(${declarations.declaredOn})::text` })
    .from(declarations)
    .where(and(eq(declarations.unitId, unitId), eq(declarations.target, target)))
  return row?.since ?? null
}

/** The latest revocation decision date of the unit's predicates (P90 Lampiran III BAB IV C). */
async function latestRevocation(db: Queryable, unitId: string): Promise<string | null> {
  const [row] = await db
    .select({ on: sql<string | null>`max(${proposals.revocation}->>'revoked_on')` })
    .from(proposals)
    .where(and(eq(proposals.unitId, unitId), sql`${proposals.revocation} is not null`))
  return row?.on ?? null
}

const kategoriOf = (target: string, afirmasi: boolean): 'WBK' | 'WBK-AFIRMASI' | 'WBBM' =>
  target === 'WBBM' ? 'WBBM' : afirmasi ? 'WBK-AFIRMASI' : 'WBK'

export interface VerdictItem {
  declaration_id: string
  unit: { id: string; code: string; name: string; afirmasi: boolean } | null
  target: 'WBK' | 'WBBM' | null
  ready: boolean
  route: 'regular' | 'afirmasi'
  kategori: 'WBK' | 'WBK-AFIRMASI' | 'WBBM' | null
  checks: ProposalCheck[]
  failing: ProposalCheck['check'][]
  /** the loaded rows, for the write; never sent */
  row?: { declaration: DeclarationRow; unit: UnitRow }
}

/** Verdicts for declarations of a period, sharing the period's rules, each instansi's gate and package. */
export async function verdicts(db: Queryable, period: PeriodRow, declarationIds: string[]): Promise<VerdictItem[]> {
  const { rules } = await loadRules(db, period.id)
  const now = await databaseNow(db)
  const window = windowState(period, 'proposal', now)
  const today = now.toISOString().slice(0, 10)
  const rows = declarationIds.length
    ? await db
        .select({ declaration: declarations, unit: units })
        .from(declarations)
        .innerJoin(units, eq(units.id, declarations.unitId))
        .where(inArray(declarations.id, declarationIds))
    : []
  const gates = new Map<string, Promise<GateEligibility>>()
  const packages = new Map<string, Promise<string[]>>()
  const instansiRows = new Map<string, UnitRow>()
  for (const r of rows) {
    if (instansiRows.has(r.unit.instansiId)) continue
    const [i] = await db.select().from(units).where(eq(units.id, r.unit.instansiId))
    if (i) instansiRows.set(i.id, i)
  }
  const gateFor = (id: string) => {
    if (!gates.has(id)) gates.set(id, gateOf(db, instansiRows.get(id)!, period.id, rules))
    return gates.get(id)!
  }
  const packageFor = (id: string) => {
    if (!packages.has(id))
      packages.set(
        id,
        loadPackageRow(db, id, period.id).then((p) => packageMissing(packageState(p))),
      )
    return packages.get(id)!
  }
  const out: VerdictItem[] = []
  for (const id of declarationIds) {
    const r = rows.find((x) => x.declaration.id === id)
    if (!r) {
      out.push(missingVerdict(id))
      continue
    }
    const d = r.declaration
    const v = proposalVerdict({
      declaration: { status: d.status, target: d.target, inPeriod: d.periodId === period.id },
      unit: { afirmasi: r.unit.afirmasi, archived: r.unit.archivedAt !== null },
      window,
      gate: await gateFor(r.unit.instansiId),
      tpi: await tpiOf(db, d.periodId, d.unitId),
      held: await heldDesignations(db, d.unitId, period.year),
      periodYear: period.year,
      rules,
      packageMissing: await packageFor(r.unit.instansiId),
      requirements: (await loadUnitRequirements(db, d.unitId, period.id)).values,
      buildingSince: await buildingSince(db, d.unitId, d.target),
      revokedOn: await latestRevocation(db, d.unitId),
      today,
    })
    out.push({
      declaration_id: d.id,
      unit: { id: r.unit.id, code: r.unit.code, name: r.unit.name, afirmasi: r.unit.afirmasi },
      target: d.target,
      ready: v.ready,
      route: v.route,
      kategori: kategoriOf(d.target, r.unit.afirmasi),
      checks: v.checks,
      failing: v.checks.filter((c) => !c.passed).map((c) => c.check),
      row: r,
    })
  }
  return out
}

const publicVerdict = (v: VerdictItem): Omit<VerdictItem, 'row'> => {
  const { row: _row, ...rest } = v
  return rest
}

/** One declaration's verdict, for a reader in scope. */
export async function checkOne(db: Queryable, declaration: DeclarationRow) {
  const period = await loadPeriodOr404(db, declaration.periodId)
  const [v] = await verdicts(db, period, [declaration.id])
  return publicVerdict(v!)
}

/**
 * Proposes the declarations, all or nothing: the rows are locked, every verdict computed in the
 * transaction; one refusal refuses the whole request (422 proposal_refused with every unit's
 * verdict), so the surat usulan and what PortalRB lists never differ. A dry run answers the
 * verdicts and writes nothing.
 */
export async function propose(tx: Queryable, principal: Principal, period: PeriodRow, body: ProposeBody) {
  const ids = body.declaration_ids
  const visible = await tx
    .select({ id: declarations.id })
    .from(declarations)
    .innerJoin(units, eq(units.id, declarations.unitId))
    .where(and(inArray(declarations.id, ids), unitScopeCondition(principal, units.path)))
    .orderBy(asc(declarations.id))
    .for('update', { of: declarations })
  const visibleIds = new Set(visible.map((v) => v.id))
  const all = await verdicts(
    tx,
    period,
    ids.filter((id) => visibleIds.has(id)),
  )
  const items = ids.map((id) => all.find((v) => v.declaration_id === id) ?? missingVerdict(id))
  const refused = items.filter((v) => !v.ready)
  const summary = {
    period_id: period.id,
    dry_run: body.dry_run ?? false,
    mode: 'all_or_nothing' as const,
    ready: items.length - refused.length,
    refused: refused.length,
  }
  if (body.dry_run)
    return {
      ...summary,
      proposed: 0,
      items: items.map(publicVerdict),
      written: [] as { before: DeclarationRow; after: DeclarationRow; proposal: ProposalRow }[],
    }
  if (refused.length > 0) {
    const errors = items.flatMap((v, i) =>
      v.checks
        .filter((c) => !c.passed)
        .map((c) => ({ pointer: `/body/declaration_ids/${i}`, rule: c.check, message: c.message })),
    )
    throw new ProblemError(
      422,
      'proposal_refused',
      msg('proposals:proposal_refused', { refusedCount: refused.length, count: items.length }),
      {
        errors,
        ...summary,
        proposed: 0,
        items: items.map(publicVerdict),
      },
    )
  }
  const written = []
  const reason = body.reason?.trim() ?? 'proposed to KemenPANRB'
  for (const v of items) {
    const row = v.row!
    const moved = await moveDeclaration(tx, principal, row.declaration, 'proposed', reason)
    const tpi = v.checks.find((c) => c.check === 'tpi_score')?.details?.total
    const [proposal] = await tx
      .insert(proposals)
      .values({
        declarationId: moved.id,
        periodId: period.id,
        unitId: row.unit.id,
        instansiId: row.unit.instansiId,
        target: moved.target,
        route: v.route,
        checks: v.checks,
        tpiTotal: typeof tpi === 'number' ? tpi : null,
        proposedById: principal.principalId,
        proposedByName: principal.name,
      })
      .returning()
    written.push({ before: row.declaration, after: moved, proposal: proposal! })
  }
  return { ...summary, proposed: written.length, items: items.map(publicVerdict), written }
}

const missingVerdict = (id: string): VerdictItem => ({
  declaration_id: id,
  unit: null,
  target: null,
  ready: false,
  route: 'regular',
  kategori: null,
  checks: [{ check: 'declaration_in_period', passed: false, message: msg('proposals:field.rule', { id }) }],
  failing: ['declaration_in_period'],
})

// ---------------------------------------------------------------------------------------------
// The outcome

export async function loadProposal(
  db: Queryable,
  declarationId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ProposalRow> {
  const q = db.select().from(proposals).where(eq(proposals.declarationId, declarationId))
  const [row] = opts.forUpdate ? await q.for('update') : await q
  if (!row) throw new ProblemError(404, 'proposal_not_found', msg('proposals:proposal_not_found', { declarationId }))
  return row
}

export function toProposalView(p: ProposalRow, status: DeclarationRow['status']): ProposalView {
  return {
    declaration_id: p.declarationId,
    period_id: p.periodId,
    unit_id: p.unitId,
    instansi_id: p.instansiId,
    target: p.target,
    route: p.route,
    status,
    tpi_total: p.tpiTotal,
    // Messages (stored as data): the reply renders them in its language (the i18n plugin).
    checks: p.checks as unknown as ProposalView['checks'],
    proposed_at: p.proposedAt.toISOString(),
    proposed_by: { id: p.proposedById, name: p.proposedByName },
    passed_administrative_selection: passedAdministrative({
      administrative_selection: p.administrativeSelection ?? null,
      sanggah: p.sanggah ?? null,
    }),
    administrative_selection: p.administrativeSelection
      ? {
          ...p.administrativeSelection,
          outcome: p.administrativeSelection.outcome ?? (p.administrativeSelection.passed ? 'lulus' : 'tidak_lulus'),
          resubmit: p.administrativeSelection.resubmit ?? null,
        }
      : null,
    sanggah: p.sanggah ?? null,
    evaluation: p.evaluation ?? null,
    decision: (p.decision as ProposalView['decision']) ?? null,
    revocation: p.revocation
      ? {
          ...p.revocation,
          basis: p.revocation.basis ?? null,
          tpn_recommendation: p.revocation.tpn_recommendation ?? null,
          decision_number: p.revocation.decision_number ?? null,
        }
      : null,
    tpn_steps: [...(p.tpnSteps ?? [])].sort(
      (a, b) => a.on.localeCompare(b.on) || a.recorded_at.localeCompare(b.recorded_at),
    ),
    updated_at: p.updatedAt.toISOString(),
    version: p.version,
  }
}

async function recorded(db: Queryable, principal: Principal): Promise<Recorded> {
  return {
    recorded_at: (await databaseNow(db)).toISOString(),
    recorded_by: { id: principal.principalId, name: principal.name },
  }
}

function assertStep(step: OutcomeStep, p: ProposalRow, d: DeclarationRow): void {
  const v = checkOutcomeStep(step, {
    status: d.status,
    administrative_selection: p.administrativeSelection ?? null,
    sanggah: p.sanggah ?? null,
  })
  if (v)
    throw new ProblemError(v.status, v.code, msg('proposals:detail', { message: v.message }), {
      status_now: d.status,
    })
}

async function saveProposal(
  tx: Queryable,
  p: ProposalRow,
  set: Partial<typeof proposals.$inferInsert>,
): Promise<ProposalRow> {
  const [row] = await tx
    .update(proposals)
    .set({ ...set, updatedAt: sql`now()`, version: sql`${proposals.version} + 1` })
    .where(eq(proposals.declarationId, p.declarationId))
    .returning()
  return row!
}

export type OutcomeResult = { proposal: ProposalRow; declaration: DeclarationRow }

export async function recordAdministrativeSelection(
  tx: Queryable,
  principal: Principal,
  d: DeclarationRow,
  body: AdministrativeSelectionBody,
): Promise<OutcomeResult> {
  const p = await loadProposal(tx, d.id, { forUpdate: true })
  assertStep('administrative_selection', p, d)
  const dup = body.items.findIndex((it, i) => body.items.findIndex((o) => o.item === it.item) !== i)
  if (dup >= 0) {
    throw new ProblemError(422, 'duplicate_item', msg('proposals:duplicate_item', { item: body.items[dup]!.item }), {
      errors: [
        { pointer: `/body/items/${dup}/item`, rule: 'duplicate_item', message: msg('proposals:field.duplicate_item') },
      ],
    })
  }
  const items = body.items.map((it) => ({ item: it.item, result: it.result, note: it.note ?? null }))
  const allSesuai = items.every((i) => i.result === 'sesuai')
  const conditional = body.lulus_dengan_catatan
  if (conditional) {
    // Resubmitting only makes sense for an item the TPN found tidak_sesuai.
    const errors = conditional.resubmit_items.flatMap((item, i) =>
      items.some((it) => it.item === item && it.result === 'tidak_sesuai')
        ? []
        : [
            {
              pointer: `/body/lulus_dengan_catatan/resubmit_items/${i}`,
              rule: 'item_not_tidak_sesuai',
              message: msg('proposals:field.item_not_tidak_sesuai', { item }),
            },
          ],
    )
    if (errors.length > 0)
      throw new ProblemError(
        422,
        'resubmit_item_invalid',
        msg('proposals:resubmit_item_invalid', { problems: errors.map((e) => e.message) }),
        { errors },
      )
  }
  const selection = {
    decided_on: body.decided_on,
    items,
    passed: allSesuai || !!conditional,
    outcome: allSesuai
      ? ('lulus' as const)
      : conditional
        ? ('lulus_dengan_catatan' as const)
        : ('tidak_lulus' as const),
    resubmit: conditional
      ? { items: conditional.resubmit_items, due_on: conditional.due_on ?? null, note: conditional.note ?? null }
      : null,
    ...(await recorded(tx, principal)),
  }
  // A new selection replaces the earlier one and any sanggah against it.
  return { proposal: await saveProposal(tx, p, { administrativeSelection: selection, sanggah: null }), declaration: d }
}

export async function recordSanggah(
  tx: Queryable,
  principal: Principal,
  d: DeclarationRow,
  body: SanggahBody,
): Promise<OutcomeResult> {
  const p = await loadProposal(tx, d.id, { forUpdate: true })
  assertStep('sanggah', p, d)
  if (body.result !== 'pending' && !body.decided_on) {
    throw new ProblemError(422, 'decided_on_required', msg('proposals:decided_on_required'), {
      errors: [
        {
          pointer: '/body/decided_on',
          rule: 'required',
          message: msg('proposals:field.required', { result: body.result }),
        },
      ],
    })
  }
  const sanggah = {
    filed_on: body.filed_on,
    reason: body.reason.trim(),
    result: body.result,
    decided_on: body.decided_on ?? null,
    note: body.note ?? null,
    ...(await recorded(tx, principal)),
  }
  return { proposal: await saveProposal(tx, p, { sanggah }), declaration: d }
}

export async function recordEvaluation(
  tx: Queryable,
  principal: Principal,
  d: DeclarationRow,
  body: EvaluationBody,
): Promise<OutcomeResult> {
  const p = await loadProposal(tx, d.id, { forUpdate: true })
  assertStep('evaluation', p, d)
  const [stage] = await tx
    .select({
      id: assessmentStages.id,
      status: assessmentStages.status,
      instrumentVersionId: assessments.instrumentVersionId,
    })
    .from(assessments)
    .innerJoin(
      assessmentStages,
      and(eq(assessmentStages.assessmentId, assessments.id), eq(assessmentStages.kind, 'tpn')),
    )
    .where(and(eq(assessments.periodId, d.periodId), eq(assessments.unitId, d.unitId)))
  if (!stage || (stage.status !== 'submitted' && stage.status !== 'approved')) {
    throw new ProblemError(
      409,
      'tpn_stage_missing',
      msg('proposals:tpn_stage_missing', { status: stage?.status ?? msg('proposals:not_started') }),
      { tpn_stage_status: stage?.status ?? null },
    )
  }
  const score = await stageScore(tx, await loadDefinition(tx, stage.instrumentVersionId), stage.id, false)
  const evaluation = {
    evaluated_on: body.evaluated_on,
    tpn_stage_status: stage.status,
    tpn_total: score.total,
    tpn_predicate: (score.eligibility as EligibilityResult).predicate,
    note: body.note ?? null,
    ...(await recorded(tx, principal)),
  }
  const moved = await moveDeclaration(
    tx,
    principal,
    d,
    'evaluated',
    `TPN evaluation recorded (total ${score.total.toFixed(2)})`,
  )
  return { proposal: await saveProposal(tx, p, { evaluation }), declaration: moved }
}

export async function recordDecision(
  tx: Queryable,
  principal: Principal,
  d: DeclarationRow,
  body: DecisionBody,
): Promise<OutcomeResult> {
  const p = await loadProposal(tx, d.id, { forUpdate: true })
  assertStep(body.decision, p, d)
  const base = await recorded(tx, principal)
  if (body.decision === 'designated') {
    const decision = {
      decision: 'designated' as const,
      sk_number: body.sk_number.trim(),
      sk_date: body.sk_date,
      ...base,
    }
    const moved = await moveDeclaration(
      tx,
      principal,
      d,
      'designated',
      `designated ${d.target} by Keputusan Menteri PANRB ${decision.sk_number} of ${body.sk_date}`,
      body.sk_date,
    )
    return { proposal: await saveProposal(tx, p, { decision }), declaration: moved }
  }
  const reasons = body.reasons.map((r) => r.trim())
  const decision = { decision: 'not_designated' as const, decided_on: body.decided_on, reasons, ...base }
  const moved = await moveDeclaration(tx, principal, d, 'not_designated', `not designated: ${reasons.join('; ')}`)
  return { proposal: await saveProposal(tx, p, { decision }), declaration: moved }
}

export async function recordRevocation(
  tx: Queryable,
  principal: Principal,
  d: DeclarationRow,
  body: RevocationBody,
): Promise<OutcomeResult> {
  const p = await loadProposal(tx, d.id, { forUpdate: true })
  assertStep('revocation', p, d)
  if (body.tpn_recommendation.date > body.revoked_on) {
    throw new ProblemError(422, 'revocation_before_recommendation', msg('proposals:revocation_before_recommendation'), {
      errors: [
        {
          pointer: '/body/revoked_on',
          rule: 'after_recommendation',
          message: msg('proposals:field.after_recommendation', {
            revoked_on: body.revoked_on,
            date: body.tpn_recommendation.date,
          }),
        },
      ],
    })
  }
  const revocation = {
    revoked_on: body.revoked_on,
    reason: body.reason.trim(),
    basis: body.basis,
    tpn_recommendation: {
      date: body.tpn_recommendation.date,
      number: body.tpn_recommendation.number?.trim() ?? null,
      note: body.tpn_recommendation.note ?? null,
    },
    decision_number: body.decision_number.trim(),
    ...(await recorded(tx, principal)),
  }
  const moved = await moveDeclaration(
    tx,
    principal,
    d,
    'revoked',
    `revoked on ${body.revoked_on}: ${revocation.reason}`,
  )
  return { proposal: await saveProposal(tx, p, { revocation }), declaration: moved }
}

/** One of the TPN's later steps (desk evaluation … LHE), recorded when known; it moves nothing. */
export async function recordTpnStep(
  tx: Queryable,
  principal: Principal,
  d: DeclarationRow,
  body: TpnStepBody,
): Promise<OutcomeResult> {
  const p = await loadProposal(tx, d.id, { forUpdate: true })
  if (body.until && body.until < body.on) {
    throw new ProblemError(422, 'invalid_dates', msg('proposals:invalid_dates'), {
      errors: [
        {
          pointer: '/body/until',
          rule: 'on_or_after_on',
          message: msg('proposals:field.on_or_after_on', { until: body.until, on: body.on }),
        },
      ],
    })
  }
  if (body.evidence_id) await evidenceOfUnit(tx, d.unitId, [body.evidence_id], () => '/body/evidence_id', 'unit')
  const step: TpnStep = {
    step: body.step,
    on: body.on,
    until: body.until ?? null,
    note: body.note ?? null,
    evidence_id: body.evidence_id ?? null,
    ...(await recorded(tx, principal)),
  }
  return { proposal: await saveProposal(tx, p, { tpnSteps: [...(p.tpnSteps ?? []), step] }), declaration: d }
}

export async function listProposals(
  db: Queryable,
  principal: Principal,
  periodId: string,
  query: { target?: 'WBK' | 'WBBM'; instansi_id?: string },
) {
  const rows = await db
    .select({ proposal: proposals, status: declarations.status })
    .from(proposals)
    .innerJoin(declarations, eq(declarations.id, proposals.declarationId))
    .innerJoin(units, eq(units.id, proposals.unitId))
    .where(
      and(
        eq(proposals.periodId, periodId),
        query.target ? eq(proposals.target, query.target) : undefined,
        query.instansi_id ? eq(proposals.instansiId, query.instansi_id) : undefined,
        unitScopeCondition(principal, units.path),
      ),
    )
    .orderBy(asc(units.code), asc(proposals.declarationId))
  return rows.map((r) => toProposalView(r.proposal, r.status))
}

// ---------------------------------------------------------------------------------------------
// Predicate history, summary, PortalRB

export async function unitPredicateHistory(db: Queryable, unitId: string) {
  const rows = await db
    .select({
      declaration: declarations,
      period: { id: periods.id, code: periods.code, year: periods.year },
      decision: proposals.decision,
      revocation: proposals.revocation,
    })
    .from(declarations)
    .innerJoin(periods, eq(periods.id, declarations.periodId))
    .leftJoin(proposals, eq(proposals.declarationId, declarations.id))
    .where(and(eq(declarations.unitId, unitId), inArray(declarations.status, ['designated', 'revoked'])))
  const items = predicateHistory(
    rows.map((r) => ({
      period_id: r.period.id,
      period_code: r.period.code,
      year: r.period.year,
      status: r.declaration.status,
      predicate: r.declaration.predicate,
      designated_on: r.declaration.designatedOn,
      sk_number: r.decision?.decision === 'designated' ? r.decision.sk_number : null,
      revoked_on: r.revocation?.revoked_on ?? null,
      revocation_reason: r.revocation?.reason ?? null,
    })),
  )
  const held = items.filter((i) => i.held).map((i) => i.predicate)
  return {
    unit_id: unitId,
    current: held.includes('WBBM') ? ('WBBM' as const) : held.includes('WBK') ? ('WBK' as const) : null,
    items,
  }
}

/** The gate state of each instansi in the caller's scope, for the period summary. */
export async function instansiGateSummary(db: Queryable, principal: Principal, periodId: string) {
  const { rules } = await loadRules(db, periodId)
  const instansi = []
  for (const i of await instansiInScope(db, principal)) {
    const gate = await gateOf(db, i, periodId, rules)
    const missing = packageMissing(packageState(await loadPackageRow(db, i.id, periodId)))
    instansi.push({
      instansi: instansiRef(i),
      WBK: { eligible: gate.WBK.eligible, afirmasi_only: gate.WBK.afirmasi_only },
      WBBM: { eligible: gate.WBBM.eligible },
      package_complete: missing.length === 0,
    })
  }
  return instansi
}

/** For PortalRB's unit-wbbm: the instansi in the token's scope and which of them may propose WBBM in the period. */
export async function wbbmEligibleInstansi(
  db: Queryable,
  principal: Principal,
  periodId: string,
): Promise<{ inScope: string[]; eligible: string[] }> {
  const { rules } = await loadRules(db, periodId)
  const list = await instansiInScope(db, principal)
  const eligible: string[] = []
  for (const i of list) if ((await gateOf(db, i, periodId, rules)).WBBM.eligible) eligible.push(i.id)
  return { inScope: list.map((i) => i.id), eligible }
}
