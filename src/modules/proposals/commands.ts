/**
 * Proposal write commands (src/lib/command.ts): each owns its transaction, its audit record and,
 * where the declaration moves, its event. Routes and the CLI call these.
 */
import { and, eq } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { audit, event, type CommandContext } from '../../lib/command.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError } from '../../lib/problem.js'
import { loadVisibleDeclaration } from '../declarations/service.js'
import type { DeclarationRow } from '../declarations/tables.js'
import { declarationEvent } from '../events/service.js'
import { loadVisibleUnit } from '../units/service.js'
import type { UnitRequirement } from './rules.js'
import type {
  AdministrativeSelectionBody,
  DecisionBody,
  EvaluationBody,
  GateValuesBody,
  GateView,
  PackageBody,
  ProposalRulesBody,
  ProposalView,
  ProposeBody,
  RevocationBody,
  SanggahBody,
  TpnStepBody,
  UnitRequirementsBody,
} from './schemas.js'
import {
  evidenceOfUnit,
  gateView,
  loadGateValues,
  loadPeriodOr404,
  loadProposal,
  loadRules,
  loadUnitRequirements,
  loadVisibleInstansi,
  packageView,
  propose,
  putGateValues,
  putPackage,
  putRules,
  recordAdministrativeSelection as recordAdministrativeSelectionRow,
  recordDecision as recordDecisionRow,
  recordEvaluation as recordEvaluationRow,
  recordRevocation as recordRevocationRow,
  recordSanggah as recordSanggahRow,
  recordTpnStep as recordTpnStepRow,
  rulesView,
  toProposalView,
  unitRequirementsView,
  type OutcomeResult,
} from './service.js'
import { unitRequirements } from './tables.js'
import { msg } from '../../lib/i18n.js'

/** Replaces the proposal rules of a period. */
export async function replaceProposalRules(ctx: CommandContext, input: { periodId: string; body: ProposalRulesBody }) {
  return ctx.db.transaction(async (tx) => {
    const period = await loadPeriodOr404(tx, input.periodId)
    const before = rulesView(period.id, await loadRules(tx, period.id))
    await putRules(tx, ctx.principal, period.id, input.body)
    const after = rulesView(period.id, await loadRules(tx, period.id))
    await audit(tx, ctx, {
      action: 'proposal_rules.replaced',
      entityType: 'period',
      entityId: period.id,
      before,
      after,
    })
    return after
  })
}

/** Records gate values of an instansi for a period (only the indicators sent; null removes one). */
export async function recordInstansiGate(
  ctx: CommandContext,
  input: { periodId: string; instansiId: string; body: GateValuesBody },
) {
  const { periodId, instansiId } = input
  return ctx.db.transaction(async (tx) => {
    await loadPeriodOr404(tx, periodId)
    const instansi = await loadVisibleInstansi(tx, ctx.principal, instansiId)
    const before = (await loadGateValues(tx, instansiId, periodId)).view
    await putGateValues(tx, ctx.principal, instansi, periodId, input.body)
    const after = (await loadGateValues(tx, instansiId, periodId)).view
    await audit(tx, ctx, {
      action: 'instansi_gate.recorded',
      entityType: 'unit',
      entityId: instansiId,
      before: { period_id: periodId, ...before },
      after: { period_id: periodId, ...after },
    })
    return { ...(await gateView(tx, ctx.principal, instansiId, periodId)), values: after as GateView['values'] }
  })
}

/** Attaches package documents of an instansi for a period and sets its PIC (only the fields sent change). */
export async function updateProposalPackage(
  ctx: CommandContext,
  input: { periodId: string; instansiId: string; body: PackageBody },
) {
  const { periodId, instansiId } = input
  return ctx.db.transaction(async (tx) => {
    await loadPeriodOr404(tx, periodId)
    const instansi = await loadVisibleInstansi(tx, ctx.principal, instansiId)
    const before = await packageView(tx, instansiId, periodId)
    await putPackage(tx, ctx.principal, instansi, periodId, input.body)
    const after = await packageView(tx, instansiId, periodId)
    await audit(tx, ctx, {
      action: 'proposal_package.updated',
      entityType: 'unit',
      entityId: instansiId,
      before,
      after,
    })
    return after
  })
}

/**
 * Proposes units of a period (building → proposed), all or nothing; dry_run changes nothing. Each
 * proposed declaration gets its audit record and its declaration.transitioned event.
 */
export async function proposeUnits(ctx: CommandContext, input: { periodId: string; body: ProposeBody }) {
  return ctx.db.transaction(async (tx) => {
    const period = await loadPeriodOr404(tx, input.periodId)
    const result = await propose(tx, ctx.principal, period, input.body)
    for (const w of result.written) {
      await audit(tx, ctx, {
        action: 'proposal.created',
        entityType: 'declaration',
        entityId: w.after.id,
        before: { status: w.before.status },
        after: toProposalView(w.proposal, w.after.status),
      })
      await event(
        tx,
        ctx,
        declarationEvent('declaration.transitioned', w.after, {
          from: w.before.status,
          to: w.after.status,
          reason: 'proposed',
        }),
      )
    }
    const { written: _written, ...body } = result
    return body
  })
}

/** One outcome record: lock the declaration, record, audit, emit the move if the status changed. */
function recordOutcome<B>(
  action: string,
  record: (tx: Queryable, principal: Principal, d: DeclarationRow, body: B) => Promise<OutcomeResult>,
) {
  return (ctx: CommandContext, input: { declarationId: string; body: B }): Promise<ProposalView> =>
    ctx.db.transaction(async (tx) => {
      const { declaration } = await loadVisibleDeclaration(tx, ctx.principal, input.declarationId, {
        forUpdate: true,
      })
      const before = await loadProposal(tx, declaration.id)
      const result = await record(tx, ctx.principal, declaration, input.body)
      const view = toProposalView(result.proposal, result.declaration.status)
      await audit(tx, ctx, {
        action,
        entityType: 'declaration',
        entityId: declaration.id,
        before: toProposalView(before, declaration.status),
        after: view,
      })
      if (result.declaration.status !== declaration.status)
        await event(
          tx,
          ctx,
          declarationEvent('declaration.transitioned', result.declaration, {
            from: declaration.status,
            to: result.declaration.status,
            reason: action,
          }),
        )
      return view
    })
}

/** Records the TPN's administrative selection (while proposed; replaces an earlier one and its sanggah). */
export const recordAdministrativeSelection = recordOutcome<AdministrativeSelectionBody>(
  'proposal.administrative_selection_recorded',
  recordAdministrativeSelectionRow,
)
/** Records a sanggah against a failed administrative selection, and its result. */
export const recordSanggah = recordOutcome<SanggahBody>('proposal.sanggah_recorded', recordSanggahRow)
/** Records the TPN evaluation (proposed → evaluated). */
export const recordEvaluation = recordOutcome<EvaluationBody>('proposal.evaluation_recorded', recordEvaluationRow)
/** Records the designation or not_designated. */
export const recordDecision = recordOutcome<DecisionBody>('proposal.decision_recorded', recordDecisionRow)
/** Records the revocation of a designation (designated → revoked). */
export const recordRevocation = recordOutcome<RevocationBody>('proposal.revocation_recorded', recordRevocationRow)

type RequirementInput = { value: boolean | number | string; justification?: string | null; evidence_id?: string | null }

/**
 * Records the unit-level requirements of P90 Tabel 5 for a unit in a period (only those sent;
 * null removes one), each with optional evidence of the unit; who recorded it and when are kept.
 * A requirement sent as it already stands is left as it was (no new recorder, no audit).
 */
export async function recordUnitRequirements(
  ctx: CommandContext,
  input: { periodId: string; unitId: string; body: UnitRequirementsBody },
) {
  return ctx.db.transaction(async (tx) => {
    await loadPeriodOr404(tx, input.periodId)
    const unit = await loadVisibleUnit(tx, ctx.principal, input.unitId, { forUpdate: true })
    if (unit.kind === 'instansi')
      throw new ProblemError(422, 'unit_kind_not_applicable', msg('proposals:unit_kind_not_applicable'), {
        errors: [
          {
            pointer: '/params/unit_id',
            rule: 'not_instansi',
            message: msg('proposals:field.not_instansi', { code: unit.code }),
          },
        ],
      })
    const entries = Object.entries(input.body) as [UnitRequirement, RequirementInput | null][]
    const evidenceIds = entries.flatMap(([, v]) => (v?.evidence_id ? [v.evidence_id] : []))
    await evidenceOfUnit(
      tx,
      unit.id,
      evidenceIds,
      (id) => `/body/${entries.find(([, v]) => v?.evidence_id === id)?.[0]}/evidence_id`,
      'unit',
    )
    const before = await loadUnitRequirements(tx, unit.id, input.periodId)
    let changed = false
    for (const [requirement, v] of entries) {
      const key = and(
        eq(unitRequirements.unitId, unit.id),
        eq(unitRequirements.periodId, input.periodId),
        eq(unitRequirements.requirement, requirement),
      )
      const now = before.view[requirement] as {
        value: unknown
        justification: string | null
        evidence_id: string | null
      } | null
      if (v === null) {
        if (now) {
          await tx.delete(unitRequirements).where(key)
          changed = true
        }
        continue
      }
      const justification = v.justification?.trim() || null
      const evidenceId = v.evidence_id ?? null
      if (now && now.value === v.value && now.justification === justification && now.evidence_id === evidenceId)
        continue
      const set = {
        value: v.value,
        justification,
        evidenceId,
        recordedById: ctx.principal.principalId === 'system' ? null : ctx.principal.principalId,
        recordedByName: ctx.principal.name,
      }
      await tx
        .insert(unitRequirements)
        .values({ unitId: unit.id, periodId: input.periodId, requirement, ...set })
        .onConflictDoUpdate({
          target: [unitRequirements.unitId, unitRequirements.periodId, unitRequirements.requirement],
          set: { ...set, recordedAt: new Date() },
        })
      changed = true
    }
    const after = await unitRequirementsView(tx, unit.id, input.periodId)
    if (changed)
      await audit(tx, ctx, {
        action: 'unit_requirements.recorded',
        entityType: 'unit',
        entityId: unit.id,
        before: { period_id: input.periodId, ...before.view },
        after: { period_id: input.periodId, ...(after.values as object) },
      })
    return after
  })
}

/** Records one of the TPN's later steps on a proposal (optional records; the declaration does not move). */
export async function recordTpnStep(
  ctx: CommandContext,
  input: { declarationId: string; body: TpnStepBody },
): Promise<ProposalView> {
  return ctx.db.transaction(async (tx) => {
    const { declaration } = await loadVisibleDeclaration(tx, ctx.principal, input.declarationId, { forUpdate: true })
    const result = await recordTpnStepRow(tx, ctx.principal, declaration, input.body)
    const view = toProposalView(result.proposal, declaration.status)
    await audit(tx, ctx, {
      action: 'proposal.tpn_step_recorded',
      entityType: 'declaration',
      entityId: declaration.id,
      before: null,
      after: result.proposal.tpnSteps.at(-1) ?? null,
    })
    return view
  })
}
