/**
 * Proposal write commands (src/lib/command.ts): each owns its transaction, its audit record and,
 * where the declaration moves, its event. Routes and the CLI call these.
 */
import { and, eq } from 'drizzle-orm'
import { audit, type CommandContext } from '../../lib/command.js'
import { ProblemError } from '../../lib/problem.js'
import { loadVisibleDeclaration } from '../declarations/service.js'
import { loadVisibleUnit } from '../units/service.js'
import type { UnitRequirement } from './rules.js'
import type { ProposalView, TpnStepBody, UnitRequirementsBody } from './schemas.js'
import {
  evidenceOfUnit,
  loadPeriodOr404,
  loadUnitRequirements,
  recordTpnStep as recordTpnStepRow,
  toProposalView,
  unitRequirementsView,
} from './service.js'
import { unitRequirements } from './tables.js'

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
      throw new ProblemError(
        422,
        'unit_kind_not_applicable',
        'Unit-level requirements are of a unit kerja or OPD proposed for a predicate, not of the instansi (its gate is /instansi/{id}/gate).',
        { errors: [{ pointer: '/params/unit_id', rule: 'not_instansi', message: `unit ${unit.code} is an instansi` }] },
      )
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
