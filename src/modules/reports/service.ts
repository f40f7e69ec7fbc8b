/**
 * The reports' data, assembled from what the tracker holds: the unit, its instansi (the root of
 * its tree), the period, the TPI stage's score (scored as GET …/score scores it), the target's
 * rules, the proposal checks (src/modules/proposals), the TPI's review (review/summary.ts), the
 * unit's rencana aksi (actions/summary.ts), the TPI team from the stage's transitions;
 * for the letters, the instansi's proposed (or building) units and its package. Reads only.
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { msg } from '../../lib/i18n.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import {
  assertCanReadStage,
  loadAssessment,
  loadDefinition,
  loadStage,
  stageAnswerValues,
} from '../assessments/service.js'
import { assessmentStages, assessments, stageTransitions } from '../assessments/tables.js'
import { unitScopeCondition } from '../auth/scope.js'
import { actionPlanSummary } from '../actions/summary.js'
import type { DeclarationStatus } from '../declarations/rules.js'
import { declarations } from '../declarations/tables.js'
import { AREA_NAMES, evaluateEligibility, scoreInstrument } from '../instruments/domain/index.js'
import { databaseNow, loadPeriod } from '../periods/service.js'
import type { PeriodRow } from '../periods/tables.js'
import { checkOne, loadPackageRow, loadVisibleInstansi } from '../proposals/service.js'
import { proposals } from '../proposals/tables.js'
import { stageReview } from '../review/summary.js'
import { units, type UnitRow } from '../units/tables.js'
import { REGULATION, areaScores, conclusionOf, predikatLabel, requirementRows, ruleRows, wibDate } from './rules.js'
import type { LetterQuery, LheReport, SptjmReport, SuratUsulanReport } from './schemas.js'

const periodRef = (p: PeriodRow) => ({ id: p.id, code: p.code, year: p.year })
const instansiRef = (u: UnitRow) => ({ id: u.id, code: u.code, name: u.name, instansi_kind: u.instansiKind ?? null })

async function unitRow(db: Queryable, id: string): Promise<UnitRow> {
  const [row] = await db.select().from(units).where(eq(units.id, id))
  if (!row) throw new ProblemError(404, 'unit_not_found', `No unit with id ${id}.`)
  return row
}

/** The names of the units between the instansi and this one, top first ("/i/opd/unit/" → [opd]). */
async function parentNames(db: Queryable, unit: UnitRow): Promise<string[]> {
  const ids = unit.path.split('/').filter(Boolean).slice(1, -1)
  if (ids.length === 0) return []
  const rows = await db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, ids))
  return ids.map((id) => rows.find((r) => r.id === id)?.name).filter((n): n is string => !!n)
}

/** The TPI team from the stage's transitions: who approved it chairs, who else moved it signs as a member. */
async function tpiTeam(db: Queryable, stageId: string): Promise<{ role: string; name: string | null }[]> {
  const moves = await db
    .select({ to: stageTransitions.toStatus, name: stageTransitions.actorName })
    .from(stageTransitions)
    .where(eq(stageTransitions.stageId, stageId))
    .orderBy(desc(stageTransitions.createdAt))
  const chair = moves.find((m) => m.to === 'approved')?.name ?? moves.find((m) => m.to === 'submitted')?.name ?? null
  const members = [...new Set(moves.map((m) => m.name))].filter((n) => n !== chair)
  return [{ role: 'Ketua Tim', name: chair }, ...members.map((name) => ({ role: 'Anggota Tim', name }))]
}

/** The LHE internal of an assessment's TPI stage, for a reader who may read that stage. */
export async function lheReport(db: Queryable, principal: Principal, assessmentId: string): Promise<LheReport> {
  const { assessment } = await loadAssessment(db, principal, assessmentId)
  const stage = await loadStage(db, assessment.id, 'tpi')
  assertCanReadStage(principal, stage)
  const def = await loadDefinition(db, assessment.instrumentVersionId)
  const score = scoreInstrument(def, await stageAnswerValues(db, stage.id), { explain: false })
  const eligibility = evaluateEligibility(def, score)
  const unit = await unitRow(db, assessment.unitId)
  const instansi = await unitRow(db, unit.instansiId)
  const period = await loadPeriod(db, assessment.periodId)
  const [declaration] = await db
    .select()
    .from(declarations)
    .where(and(eq(declarations.unitId, unit.id), eq(declarations.periodId, period.id)))
  const target = declaration?.target ?? 'WBK'
  const checks = declaration ? (await checkOne(db, declaration)).checks : []
  const names = new Map(def.nodes.map((n) => [n.code, n.name]))
  const rules = ruleRows(def, eligibility, target)
  const requirements = requirementRows(checks)
  const now = await databaseNow(db)
  const today = wibDate(now)
  const review = await stageReview(db, stage.id)
  const plan = await actionPlanSummary(db, { unitId: unit.id, periodId: period.id, asOf: now })
  const questionOf = (q: (typeof review.questions)[number]) => {
    const text = names.get(q.questionCode) ?? q.questionCode
    return {
      code: q.questionCode,
      question: text.length > 200 ? `${text.slice(0, 199)}…` : text,
      note: q.note,
      recommendation: q.recommendation,
    }
  }
  return {
    kind: 'lhe',
    title: 'Laporan Hasil Evaluasi Internal Pembangunan Zona Integritas',
    generated_on: today,
    period: periodRef(period),
    instansi: instansiRef(instansi),
    unit: { id: unit.id, code: unit.code, name: unit.name, kind: unit.kind, parents: await parentNames(db, unit) },
    assessment_id: assessment.id,
    stage: {
      id: stage.id,
      status: stage.status,
      submitted_at: stage.submittedAt?.toISOString() ?? null,
      approved_at: stage.approvedAt?.toISOString() ?? null,
    },
    target,
    target_from: declaration ? 'declaration' : 'default',
    declaration_id: declaration?.id ?? null,
    score: {
      total: score.total,
      max_total: score.maxTotal,
      components: score.nodes
        .filter((n) => n.level === 'komponen' || n.level === 'sub_komponen')
        .map((n) => {
          const max = n.max ?? 0
          return {
            code: n.code,
            name: names.get(n.code) ?? n.code,
            level: n.level,
            value: n.value,
            max,
            percent: max > 0 ? (n.value / max) * 100 : 0,
          }
        }),
      areas: areaScores(def, score.nodes),
      unanswered: score.unanswered.length,
    },
    rules,
    requirements,
    review: {
      areas: review.areas.map((a) => ({
        area: a.area,
        name: AREA_NAMES[a.area],
        conclusion: a.conclusion,
        recommendations: a.recommendations,
        questions: review.questions.filter((q) => q.area === a.area).map(questionOf),
      })),
      other_questions: review.questions.filter((q) => q.area === null).map(questionOf),
    },
    action_plan: {
      as_of: plan.asOf,
      total: plan.total,
      by_status: plan.byStatus,
      overdue: plan.overdue,
      areas: plan.areas.map((a) => ({
        area: a.area,
        name: AREA_NAMES[a.area],
        total: a.total,
        done: a.done,
        overdue: a.overdue,
        cancelled: a.cancelled,
        progress_percent: a.progressPercent,
      })),
    },
    conclusion: conclusionOf(unit.name, target, rules, requirements),
    signatures: { date: today, team: await tpiTeam(db, stage.id) },
  }
}

const PROPOSED: readonly DeclarationStatus[] = ['proposed', 'evaluated', 'designated', 'not_designated', 'revoked']

/**
 * The units a letter names: those asked for (declaration_id), else the instansi's units proposed
 * in the period, else (the draft before proposing) those building; only units in the reader's
 * scope, by code. 404 declaration_not_found for an asked one that is not the instansi's in the
 * period or not in scope; 409 no_units_to_propose when none.
 */
async function letterData(db: Queryable, principal: Principal, periodId: string, instansiId: string, q: LetterQuery) {
  const period = await loadPeriod(db, periodId)
  const instansi = await loadVisibleInstansi(db, principal, instansiId)
  const rows = await db
    .select({
      declaration: declarations,
      unit: { id: units.id, code: units.code, name: units.name },
      route: proposals.route,
      proposedTotal: proposals.tpiTotal,
      stageTotal: assessmentStages.total,
    })
    .from(declarations)
    .innerJoin(units, eq(units.id, declarations.unitId))
    .leftJoin(proposals, eq(proposals.declarationId, declarations.id))
    .leftJoin(assessments, and(eq(assessments.unitId, units.id), eq(assessments.periodId, period.id)))
    .leftJoin(
      assessmentStages,
      and(eq(assessmentStages.assessmentId, assessments.id), eq(assessmentStages.kind, 'tpi')),
    )
    .where(
      and(
        eq(units.instansiId, instansi.id),
        eq(declarations.periodId, period.id),
        unitScopeCondition(principal, units.path),
        ...(q.declaration_id?.length ? [inArray(declarations.id, q.declaration_id)] : []),
      ),
    )
    .orderBy(asc(units.code))
  // a declaration asked for that is not the instansi's in the period, or not in the reader's scope
  const missing = q.declaration_id?.find((id) => !rows.some((r) => r.declaration.id === id))
  if (missing) throw notFound('declaration', missing)
  const proposed = rows.filter((r) => PROPOSED.includes(r.declaration.status))
  const chosen = q.declaration_id?.length
    ? rows
    : proposed.length > 0
      ? proposed
      : rows.filter((r) => r.declaration.status === 'building')
  if (chosen.length === 0) throw new ProblemError(409, 'no_units_to_propose', msg('reports:no_units'))
  const today = wibDate(await databaseNow(db))
  return {
    generated_on: today,
    period: periodRef(period),
    instansi: instansiRef(instansi),
    units: chosen.map((r) => {
      const kategori = r.route === 'afirmasi' ? ('WBK-AFIRMASI' as const) : r.declaration.target
      const total = r.proposedTotal ?? (typeof r.stageTotal === 'number' ? r.stageTotal : null)
      return {
        declaration_id: r.declaration.id,
        unit: r.unit,
        target: r.declaration.target,
        kategori,
        predikat: predikatLabel(kategori),
        status: r.declaration.status,
        tpi_total: total,
      }
    }),
  }
}

export async function suratUsulanReport(
  db: Queryable,
  principal: Principal,
  periodId: string,
  instansiId: string,
  q: LetterQuery,
): Promise<SuratUsulanReport> {
  const data = await letterData(db, principal, periodId, instansiId, q)
  const pkg = await loadPackageRow(db, instansiId, periodId)
  return {
    kind: 'surat_usulan',
    title: 'Draf Surat Pengajuan Evaluasi kepada TPN',
    ...data,
    regulation: REGULATION,
    pic: { name: pkg?.picName ?? null, email: pkg?.picEmail ?? null, phone: pkg?.picPhone ?? null },
  }
}

export async function sptjmReport(
  db: Queryable,
  principal: Principal,
  periodId: string,
  instansiId: string,
  q: LetterQuery,
): Promise<SptjmReport> {
  const data = await letterData(db, principal, periodId, instansiId, q)
  return { kind: 'sptjm', title: 'Draf Surat Pernyataan Tanggung Jawab Mutlak', ...data }
}
