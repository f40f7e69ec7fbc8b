import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import type { Principal } from '../../lib/principal.js'
import { assessmentStages, assessments, stageSnapshots } from '../assessments/tables.js'
import { unitScopeCondition } from '../auth/scope.js'
import type { Target } from '../declarations/rules.js'
import { declarations } from '../declarations/tables.js'
import { evidence, type EvidenceRow } from '../evidence/tables.js'
import { loadDefinition } from '../instruments/cache.js'
import type { AnswerValue } from '../instruments/domain/index.js'
import { databaseNow } from '../periods/service.js'
import { periods } from '../periods/tables.js'
import { wbbmEligibleInstansi } from '../proposals/service.js'
import { proposals } from '../proposals/tables.js'
import { units } from '../units/tables.js'
import {
  PROPOSED_STATUSES,
  PortalRbError,
  buktiDukungOf,
  compareText,
  crosswalk,
  servedProposalPeriod,
  formatAnswer,
  kategoriOf,
  noteOf,
  portalrbIdOf,
} from './rules.js'
import type { PortalRbJawabanUnit, PortalRbUnitList } from './schemas.js'

export interface CurrentPeriod {
  id: string
  code: string
  year: number
  instrumentVersionId: string
  /** null while the proposal window is open; else when it closed (the proposal is frozen then) */
  frozenAt: Date | null
}

/**
 * The period whose proposal window is open now (database clock), else the one whose window
 * closed last, frozen (servedProposalPeriod); 404 DATA_NOT_FOUND when no window ever closed or opened.
 */
export async function loadCurrentPeriod(db: Queryable): Promise<CurrentPeriod> {
  const rows = await db
    .select({
      id: periods.id,
      code: periods.code,
      year: periods.year,
      windows: periods.windows,
      instrumentVersionId: periods.instrumentVersionId,
    })
    .from(periods)
  const served = servedProposalPeriod(rows, await databaseNow(db))
  if (!served) {
    throw new PortalRbError(
      404,
      'DATA_NOT_FOUND',
      'Data pengusulan untuk instansi ini belum tersedia: belum ada periode pengusulan ZI yang dibuka.',
    )
  }
  const { id, code, year, instrumentVersionId } = served.period
  return { id, code, year, instrumentVersionId, frozenAt: served.frozenAt }
}

export interface ProposedUnit {
  unitId: string
  portalrbId: string
  name: string
  afirmasi: boolean
  target: Target
}

/**
 * portalrbIdOf in SQL: the expression units_portalrb_id_idx indexes, written out the same way
 * (the key as a literal, PORTALRB_EXTERNAL_ID_KEY, not a bound parameter) so the planner uses it.
 */
const portalrbIdSql = sql<string>`coalesce(nullif(${units.externalIds} ->> 'portalrb', ''), ${units.code})`

/**
 * Units proposed in the period (a proposals row: every proposal rule passed) whose declaration
 * is proposed or further (PROPOSED_STATUSES), within the token's scope, optionally for one
 * target; ordered by their PortalRB id (code points).
 */
export async function proposedUnits(
  db: Queryable,
  principal: Principal,
  periodId: string,
  target?: Target,
  portalrbId?: string,
): Promise<ProposedUnit[]> {
  const rows = await db
    .select({
      unitId: units.id,
      code: units.code,
      name: units.name,
      afirmasi: units.afirmasi,
      externalIds: units.externalIds,
      target: declarations.target,
    })
    .from(declarations)
    .innerJoin(proposals, eq(proposals.declarationId, declarations.id))
    .innerJoin(units, eq(units.id, declarations.unitId))
    .where(
      and(
        eq(declarations.periodId, periodId),
        inArray(declarations.status, [...PROPOSED_STATUSES]),
        target ? eq(declarations.target, target) : undefined,
        portalrbId !== undefined ? eq(portalrbIdSql, portalrbId) : undefined,
        unitScopeCondition(principal, units.path),
      ),
    )
  return rows
    .map((r) => ({
      unitId: r.unitId,
      portalrbId: portalrbIdOf(r),
      name: r.name,
      afirmasi: r.afirmasi,
      target: r.target,
    }))
    .sort((a, b) => compareText(a.portalrbId, b.portalrbId) || compareText(a.unitId, b.unitId))
}

/** GET /pengusulan/unit-wbk and /pengusulan/unit-wbbm. */
export async function unitList(db: Queryable, principal: Principal, target: Target): Promise<PortalRbUnitList> {
  const period = await loadCurrentPeriod(db)
  if (target === 'WBBM') {
    // Guide §3: the WBBM endpoint is for an instansi "berhak mengusulkan WBBM"; any other is not entitled to it.
    const { inScope, eligible } = await wbbmEligibleInstansi(db, principal, period.id)
    if (inScope.length > 0 && eligible.length === 0) {
      throw new PortalRbError(
        403,
        'WBBM_NOT_ELIGIBLE',
        `Instansi ini tidak berhak mengusulkan WBBM pada periode pengusulan ${period.code}: syarat instansi (Opini BPK, Maturitas SPIP, nilai SAKIP, Indeks RB) untuk WBBM belum terpenuhi.`,
      )
    }
  }
  const list = await proposedUnits(db, principal, period.id, target)
  return {
    tahun: period.year,
    units: list.map((u) => ({
      id: u.portalrbId,
      nama: u.name,
      kategori: kategoriOf(u.target, u.afirmasi),
      afirmasi: u.afirmasi,
    })),
  }
}

/** The proposed unit PortalRB calls `id` in the current period: 404 UNIT_NOT_FOUND when none, 422 when the id is not unique. */
export async function findProposedUnit(
  db: Queryable,
  principal: Principal,
  period: CurrentPeriod,
  id: string,
): Promise<ProposedUnit> {
  // by the indexed expression: one unit's rows, however many units the period has. A NUL cannot
  // be in a unit's code or external id (refused on input) and PostgreSQL refuses it in a text
  // parameter, so such an id matches nothing without asking.
  const matches = id.includes('\u0000') ? [] : await proposedUnits(db, principal, period.id, undefined, id)
  if (matches.length === 0) {
    throw new PortalRbError(
      404,
      'UNIT_NOT_FOUND',
      `Unit ${id} tidak termasuk unit yang diusulkan pada periode pengusulan ${period.code}.`,
    )
  }
  if (matches.length > 1) {
    throw new PortalRbError(
      422,
      'UNIT_ID_AMBIGUOUS',
      `Id unit ${id} dipakai oleh ${matches.length} unit yang diusulkan; isi external id portalrb yang berbeda untuk masing-masing unit.`,
    )
  }
  return matches[0]!
}

type SnapshotAnswer = { question_code: string; value: AnswerValue; note: string | null; evidence_ids: string[] }

/**
 * The answers of a stage as last submitted or approved (its latest snapshot): a draft or a
 * revision in progress is not sent until it is submitted again. Empty when never submitted.
 */
async function lastSubmitted(
  db: Queryable,
  stageId: string | undefined,
  frozenAt: Date | null,
): Promise<Map<string, SnapshotAnswer>> {
  if (!stageId) return new Map()
  const [row] = await db
    .select({ answers: stageSnapshots.answers })
    .from(stageSnapshots)
    .where(and(eq(stageSnapshots.stageId, stageId), frozenAt ? lte(stageSnapshots.createdAt, frozenAt) : undefined))
    .orderBy(desc(stageSnapshots.createdAt), desc(stageSnapshots.id))
    .limit(1)
  return new Map((row?.answers ?? []).map((a) => [a.question_code, a]))
}

/** Where PortalRB downloads an evidence file: this module's bukti-dukung route. */
export const buktiDukungUrl = (baseUrl: string, evidenceId: string): string => `${baseUrl}/bukti-dukung/${evidenceId}`

/**
 * GET /lke/jawaban-unit/{unit_id}. `baseUrl` is the absolute URL of the PortalRB base path (for file evidence links);
 * `fileUrl`, when given, makes the link of a file instead (a signed link an evaluator opens without a token).
 */
export async function jawabanUnit(
  db: Queryable,
  principal: Principal,
  id: string,
  baseUrl: string,
  fileUrl?: (evidenceId: string) => string,
): Promise<PortalRbJawabanUnit> {
  const period = await loadCurrentPeriod(db)
  const unit = await findProposedUnit(db, principal, period, id)
  const [assessment] = await db
    .select({ id: assessments.id, instrumentVersionId: assessments.instrumentVersionId })
    .from(assessments)
    .where(and(eq(assessments.periodId, period.id), eq(assessments.unitId, unit.unitId)))
  const def = await loadDefinition(db, assessment?.instrumentVersionId ?? period.instrumentVersionId)
  const stages = assessment
    ? await db
        .select({ id: assessmentStages.id, kind: assessmentStages.kind })
        .from(assessmentStages)
        .where(eq(assessmentStages.assessmentId, assessment.id))
    : []
  const self = await lastSubmitted(db, stages.find((s) => s.kind === 'self')?.id, period.frozenAt)
  const tpi = await lastSubmitted(db, stages.find((s) => s.kind === 'tpi')?.id, period.frozenAt)

  const evidenceIds = [...new Set([...self.values()].flatMap((a) => a.evidence_ids ?? []))]
  const items = evidenceIds.length
    ? await db
        .select()
        .from(evidence)
        .where(inArray(evidence.id, evidenceIds))
        .orderBy(asc(evidence.createdAt), asc(evidence.id))
    : []
  const order = new Map(items.map((e, i) => [e.id, i]))
  const urlOf = (e: EvidenceRow): string | null =>
    e.kind === 'link' ? e.url : fileUrl ? fileUrl(e.id) : buktiDukungUrl(baseUrl, e.id)
  const byId = new Map(items.map((e) => [e.id, e]))
  const urls = (ids: string[] | undefined): string[] =>
    (ids ?? [])
      .filter((eid) => byId.has(eid)) // an item deleted since the submission is left out
      .sort((a, b) => order.get(a)! - order.get(b)!)
      .map((eid) => urlOf(byId.get(eid)!))
      .filter((u): u is string => !!u)

  return {
    unit_id: unit.portalrbId,
    nama_unit: unit.name,
    tahun: period.year,
    answers: crosswalk(def).map(({ soalId, question }) => {
      const s = self.get(question.code)
      const t = tpi.get(question.code)
      return {
        soal_id: soalId,
        jawaban_unit: formatAnswer(question, s?.value),
        jawaban_tpi: formatAnswer(question, t?.value),
        catatan_unit: noteOf(s?.note),
        bukti_dukung_unit: buktiDukungOf(urls(s?.evidence_ids)),
        catatan_tpi: noteOf(t?.note),
      }
    }),
  }
}

/**
 * An evidence file PortalRB may download: one behind an answer served by /lke/jawaban-unit
 * (in the last submitted self stage of a unit proposed in the current period, in the token's
 * scope). Anything else is 404, like a missing item.
 */
export async function downloadableEvidence(
  db: Queryable,
  principal: Principal,
  evidenceId: string,
): Promise<EvidenceRow> {
  const period = await loadCurrentPeriod(db)
  const notFound = new PortalRbError(
    404,
    'EVIDENCE_NOT_FOUND',
    `Bukti dukung ${evidenceId} tidak ditemukan pada jawaban unit yang diusulkan.`,
  )
  const served = await proposedUnits(db, principal, period.id)
  if (served.length === 0) throw notFound
  const latest = db
    .selectDistinctOn([stageSnapshots.stageId], { answers: stageSnapshots.answers })
    .from(stageSnapshots)
    .innerJoin(
      assessmentStages,
      and(eq(assessmentStages.id, stageSnapshots.stageId), eq(assessmentStages.kind, 'self')),
    )
    .innerJoin(assessments, eq(assessments.id, assessmentStages.assessmentId))
    .where(
      and(
        eq(assessments.periodId, period.id),
        inArray(
          assessments.unitId,
          served.map((u) => u.unitId),
        ),
        period.frozenAt ? lte(stageSnapshots.createdAt, period.frozenAt) : undefined,
      ),
    )
    .orderBy(stageSnapshots.stageId, desc(stageSnapshots.createdAt), desc(stageSnapshots.id))
    .as('latest')
  const containing = JSON.stringify([{ evidence_ids: [evidenceId] }])
  const [hit] = await db
    .select({ one: sql<number>`1` })
    .from(latest)
    .where(sql`${latest.answers} @> ${containing}::jsonb`)
    .limit(1)
  if (!hit) throw notFound
  const [item] = await db.select().from(evidence).where(eq(evidence.id, evidenceId))
  if (!item || item.kind !== 'file' || !item.sha256) throw notFound
  return item
}
