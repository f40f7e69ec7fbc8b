import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { requestContext } from '../../lib/command.js'
import { problemResponses } from '../../lib/problem.js'
import type { Queryable } from '../../db/connection.js'
import { recordAudit } from '../audit/service.js'
import { declarationEvent, emitEvent } from '../events/service.js'
import { loadVisibleDeclaration } from '../declarations/service.js'
import type { DeclarationRow } from '../declarations/tables.js'
import { loadVisibleUnit } from '../units/service.js'
import { recordTpnStep, recordUnitRequirements } from './commands.js'
import * as S from './schemas.js'
import {
  checkOne,
  designatedShare,
  gateOf,
  instansiRef,
  listProposals,
  loadGateValues,
  loadPeriodOr404,
  loadProposal,
  loadRules,
  loadVisibleInstansi,
  packageView,
  propose,
  putGateValues,
  putPackage,
  putRules,
  recordAdministrativeSelection,
  recordDecision,
  recordEvaluation,
  recordRevocation,
  recordSanggah,
  rulesView,
  toProposalView,
  unitPredicateHistory,
  unitRequirementsView,
  type OutcomeResult,
} from './service.js'

const ADMIN = { policy: { roles: ['admin'] as const } }
const READERS = { policy: { roles: ['admin', 'evaluator', 'unit_operator', 'viewer', 'integration'] as const } }
const TAGS = ['proposals']

/**
 * Proposals (pengusulan): the proposal rules of a period, the instansi gate and package, the
 * proposal checks and the bulk proposal, the national outcome, a unit's predicate history.
 * Registered under /v1 (paths below /periods, /declarations and /units).
 */
const proposalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const gateView = async (db: Queryable, instansiId: string, periodId: string, request: FastifyRequest) => {
    const instansi = await loadVisibleInstansi(db, request.principal, instansiId)
    const gate = await gateOf(db, instansi, periodId)
    return {
      instansi: instansiRef(instansi),
      period_id: periodId,
      WBK: gate.WBK,
      WBBM: gate.WBBM,
      designated_share: await designatedShare(db, instansi.id),
    }
  }

  app.get(
    '/periods/:period_id/proposal-rules',
    {
      schema: {
        tags: TAGS,
        summary:
          'The proposal rules of a period: the instansi gate, the afirmasi route, WBK before WBBM, the revocation ban',
        description:
          'The defaults (PermenPANRB 90/2021 Tabel 5 p. 46, Tabel 6 p. 58, Lampiran III BAB IV C p. 63-64; each rule with its source and confidence) until the admin replaces them.',
        operationId: 'getProposalRules',
        params: S.PeriodParams,
        response: { 200: S.ProposalRulesView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const period = await loadPeriodOr404(app.db, request.params.period_id)
      return rulesView(period.id, await loadRules(app.db, period.id))
    },
  )

  app.put(
    '/periods/:period_id/proposal-rules',
    {
      schema: {
        tags: TAGS,
        summary: 'Replace the proposal rules of a period',
        description:
          '422 proposal_rules_invalid naming each inconsistent rule (opini_bpk needs one_of with allowed; grades need grade_at_least with min_grade; numbers need a threshold; ids unique). wbbm_requires_wbk and revocation_ban_years default to true and 2 when left out.',
        operationId: 'putProposalRules',
        params: S.PeriodParams,
        body: S.ProposalRulesBody,
        response: { 200: S.ProposalRulesView, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: ADMIN,
    },
    async (request) => {
      return app.db.transaction(async (tx) => {
        const period = await loadPeriodOr404(tx, request.params.period_id)
        const before = rulesView(period.id, await loadRules(tx, period.id))
        await putRules(tx, request.principal, period.id, request.body)
        const after = rulesView(period.id, await loadRules(tx, period.id))
        await recordAudit(tx, request, {
          action: 'proposal_rules.replaced',
          entityType: 'period',
          entityId: period.id,
          before,
          after,
        })
        return after
      })
    },
  )

  app.get(
    '/periods/:period_id/instansi/:instansi_id/gate',
    {
      schema: {
        tags: TAGS,
        summary:
          'The instansi gate values of a period (Opini BPK, SPIP, SAKIP and Indeks RB predicates) and the eligibility they give',
        description: 'Readers whose scope covers any part of the instansi may read it.',
        operationId: 'getInstansiGate',
        params: S.InstansiParams,
        response: { 200: S.GateView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const { period_id, instansi_id } = request.params
      await loadPeriodOr404(app.db, period_id)
      const view = await gateView(app.db, instansi_id, period_id, request)
      return { ...view, values: (await loadGateValues(app.db, instansi_id, period_id)).view as never }
    },
  )

  app.put(
    '/periods/:period_id/instansi/:instansi_id/gate',
    {
      schema: {
        tags: TAGS,
        summary: 'Record gate values of an instansi for a period (only the indicators sent; null removes one)',
        description:
          'Each value may name an evidence item of the instansi (422 evidence_not_found otherwise); who recorded it and when are kept.',
        operationId: 'putInstansiGate',
        params: S.InstansiParams,
        body: S.GateValuesBody,
        response: { 200: S.GateView, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: ADMIN,
    },
    async (request) => {
      const { period_id, instansi_id } = request.params
      return app.db.transaction(async (tx) => {
        await loadPeriodOr404(tx, period_id)
        const instansi = await loadVisibleInstansi(tx, request.principal, instansi_id)
        const before = (await loadGateValues(tx, instansi_id, period_id)).view
        await putGateValues(tx, request.principal, instansi, period_id, request.body)
        const after = (await loadGateValues(tx, instansi_id, period_id)).view
        await recordAudit(tx, request, {
          action: 'instansi_gate.recorded',
          entityType: 'unit',
          entityId: instansi_id,
          before: { period_id, ...before },
          after: { period_id, ...after },
        })
        return { ...(await gateView(tx, instansi_id, period_id, request)), values: after as never }
      })
    },
  )

  app.get(
    '/periods/:period_id/instansi/:instansi_id/eligibility',
    {
      schema: {
        tags: TAGS,
        summary:
          'May the instansi propose WBK, WBBM, or afirmasi units only? Each gate rule with required, actual, passed and source; and whether more than 30 % of its units already hold a predicate (p. 47)',
        operationId: 'getInstansiEligibility',
        params: S.InstansiParams,
        response: { 200: S.EligibilityView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      await loadPeriodOr404(app.db, request.params.period_id)
      return gateView(app.db, request.params.instansi_id, request.params.period_id, request)
    },
  )

  app.get(
    '/periods/:period_id/instansi/:instansi_id/package',
    {
      schema: {
        tags: TAGS,
        summary:
          'The proposal package of an instansi (surat usulan, SPTJM, TLHP, survei mandiri, PIC) and what it lacks',
        operationId: 'getProposalPackage',
        params: S.InstansiParams,
        response: { 200: S.PackageView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const { period_id, instansi_id } = request.params
      await loadPeriodOr404(app.db, period_id)
      await loadVisibleInstansi(app.db, request.principal, instansi_id)
      return packageView(app.db, instansi_id, period_id)
    },
  )

  app.put(
    '/periods/:period_id/instansi/:instansi_id/package',
    {
      schema: {
        tags: TAGS,
        summary:
          'Attach package documents (evidence items of the instansi) and set the PIC; only the fields sent change',
        operationId: 'putProposalPackage',
        params: S.InstansiParams,
        body: S.PackageBody,
        response: { 200: S.PackageView, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: ADMIN,
    },
    async (request) => {
      const { period_id, instansi_id } = request.params
      return app.db.transaction(async (tx) => {
        await loadPeriodOr404(tx, period_id)
        const instansi = await loadVisibleInstansi(tx, request.principal, instansi_id)
        const before = await packageView(tx, instansi_id, period_id)
        await putPackage(tx, request.principal, instansi, period_id, request.body)
        const after = await packageView(tx, instansi_id, period_id)
        await recordAudit(tx, request, {
          action: 'proposal_package.updated',
          entityType: 'unit',
          entityId: instansi_id,
          before,
          after,
        })
        return after
      })
    },
  )

  app.get(
    '/periods/:period_id/units/:unit_id/requirements',
    {
      schema: {
        tags: TAGS,
        summary: 'The unit-level requirements recorded for a unit in a period (PermenPANRB 90/2021 Tabel 5, p. 46-47)',
        description:
          'Core service unit, impact on public perception, TLHP, LHKPN, LHKASN, the unit’s SAKIP predicate; each with its evidence and who recorded it when (null: not recorded). The ZI building year is read from the declarations.',
        operationId: 'getUnitRequirements',
        params: S.UnitRequirementParams,
        response: { 200: S.UnitRequirementsView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const { period_id, unit_id } = request.params
      await loadPeriodOr404(app.db, period_id)
      const unit = await loadVisibleUnit(app.db, request.principal, unit_id)
      return unitRequirementsView(app.db, unit.id, period_id)
    },
  )

  app.put(
    '/periods/:period_id/units/:unit_id/requirements',
    {
      schema: {
        tags: TAGS,
        summary: 'Record unit-level requirements of a unit for a period (only those sent; null removes one)',
        description:
          'Yes/no requirements need a justification; percentages are 0–100 (100 required to propose); the SAKIP predicate is a grade (B or better for WBK, BB for WBBM). evidence_id must be an evidence item of the unit (422 evidence_not_found). A requirement sent as it stands changes nothing.',
        operationId: 'putUnitRequirements',
        params: S.UnitRequirementParams,
        body: S.UnitRequirementsBody,
        response: { 200: S.UnitRequirementsView, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: ADMIN,
    },
    async (request) =>
      recordUnitRequirements(requestContext(request), {
        periodId: request.params.period_id,
        unitId: request.params.unit_id,
        body: request.body,
      }),
  )

  app.post(
    '/periods/:period_id/proposals',
    {
      schema: {
        tags: TAGS,
        summary:
          'Propose units of the period to KemenPANRB (building → proposed), all or nothing; dry_run previews each verdict',
        description:
          'Checks per unit, all reported: declaration_in_period, declaration_status (building), unit_active, proposal_window (open), instansi_gate (or the afirmasi route for an afirmasi unit, WBK), tpi_stage_approved, tpi_score (every rule of the target, with the explanation), the unit-level requirements of PermenPANRB 90/2021 Tabel 5 (unit_core_service, unit_public_perception_impact, unit_tlhp, unit_lhkpn_lhkasn, unit_building_one_year, unit_sakip), wbk_designation_held (WBBM: Menuju WBK held, Tabel 6), wbk_years_held (WBBM: PortalRB’s years of WBK), revocation_ban (2 years after a revocation decision, BAB IV C), package_complete. All or nothing: if any unit fails, 422 proposal_refused lists every unit’s verdict and failing checks, and nothing is proposed. dry_run=true answers 200 with the verdicts and changes nothing.',
        operationId: 'proposeUnits',
        params: S.PeriodParams,
        body: S.ProposeBody,
        response: { 200: S.ProposeResult, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: ADMIN,
    },
    async (request) => {
      return app.db.transaction(async (tx) => {
        const period = await loadPeriodOr404(tx, request.params.period_id)
        const result = await propose(tx, request.principal, period, request.body)
        for (const w of result.written) {
          await recordAudit(tx, request, {
            action: 'proposal.created',
            entityType: 'declaration',
            entityId: w.after.id,
            before: { status: w.before.status },
            after: toProposalView(w.proposal, w.after.status),
          })
          await emitEvent(
            tx,
            declarationEvent(
              'declaration.transitioned',
              w.after,
              { from: w.before.status, to: w.after.status, reason: 'proposed' },
              request.id,
            ),
          )
        }
        const { written: _written, ...body } = result
        return body
      })
    },
  )

  app.get(
    '/periods/:period_id/proposals',
    {
      schema: {
        tags: TAGS,
        summary: 'The units proposed in a period (in your scope), each with its outcome so far',
        operationId: 'listProposals',
        params: S.PeriodParams,
        querystring: S.ProposalListQuery,
        response: { 200: S.ProposalList, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      await loadPeriodOr404(app.db, request.params.period_id)
      return { items: await listProposals(app.db, request.principal, request.params.period_id, request.query) }
    },
  )

  app.get(
    '/declarations/:id/proposal-check',
    {
      schema: {
        tags: TAGS,
        summary: 'Could this declaration be proposed now? Every check with its reason (changes nothing)',
        operationId: 'getProposalCheck',
        params: S.DeclarationParams,
        response: { 200: S.VerdictView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const { declaration } = await loadVisibleDeclaration(app.db, request.principal, request.params.id)
      return checkOne(app.db, declaration)
    },
  )

  app.get(
    '/declarations/:id/proposal',
    {
      schema: {
        tags: TAGS,
        summary:
          'A proposed unit’s proposal and national outcome (selection, sanggah, evaluation, decision, revocation)',
        description: '404 proposal_not_found until the declaration is proposed.',
        operationId: 'getProposal',
        params: S.DeclarationParams,
        response: { 200: S.ProposalView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const { declaration } = await loadVisibleDeclaration(app.db, request.principal, request.params.id)
      return toProposalView(await loadProposal(app.db, declaration.id), declaration.status)
    },
  )

  /** One outcome record: lock, record, audit, emit the move if the status changed. */
  const outcome = <B>(
    path: string,
    summary: string,
    description: string,
    operationId: string,
    body: unknown,
    action: string,
    record: (tx: Queryable, request: FastifyRequest, d: DeclarationRow, body: B) => Promise<OutcomeResult>,
  ) =>
    app.post(
      `/declarations/:id/proposal/${path}`,
      {
        schema: {
          tags: TAGS,
          summary,
          description,
          operationId,
          params: S.DeclarationParams,
          body: body as never,
          response: { 200: S.ProposalView, ...problemResponses(400, 401, 403, 404, 409, 422) },
        },
        config: ADMIN,
      },
      async (request) =>
        app.db.transaction(async (tx) => {
          const { declaration } = await loadVisibleDeclaration(
            tx,
            request.principal,
            (request.params as { id: string }).id,
            { forUpdate: true },
          )
          const before = await loadProposal(tx, declaration.id)
          const result = await record(tx, request, declaration, request.body as B)
          const view = toProposalView(result.proposal, result.declaration.status)
          await recordAudit(tx, request, {
            action,
            entityType: 'declaration',
            entityId: declaration.id,
            before: toProposalView(before, declaration.status),
            after: view,
          })
          if (result.declaration.status !== declaration.status) {
            await emitEvent(
              tx,
              declarationEvent(
                'declaration.transitioned',
                result.declaration,
                { from: declaration.status, to: result.declaration.status, reason: action },
                request.id,
              ),
            )
          }
          return view
        }),
    )

  outcome<S.AdministrativeSelectionBody>(
    'administrative-selection',
    'Record the TPN’s administrative selection (each item sesuai / tidak sesuai)',
    'While proposed; a new record replaces the earlier one (and its sanggah). lulus when every item is sesuai; lulus_dengan_catatan (passed on condition of resubmitting the named items, each one found tidak_sesuai: 422 resubmit_item_invalid otherwise); else tidak_lulus.',
    'recordAdministrativeSelection',
    S.AdministrativeSelectionBody,
    'proposal.administrative_selection_recorded',
    (tx, request, d, body) => recordAdministrativeSelection(tx, request.principal, d, body),
  )
  outcome<S.SanggahBody>(
    'sanggah',
    'Record a sanggah (appeal) against a failed administrative selection, and its result',
    '409 sanggah_not_applicable when the selection was passed. result diterima passes the selection.',
    'recordSanggah',
    S.SanggahBody,
    'proposal.sanggah_recorded',
    (tx, request, d, body) => recordSanggah(tx, request.principal, d, body),
  )
  outcome<S.EvaluationBody>(
    'evaluation',
    'Record the TPN evaluation (proposed → evaluated), from the unit’s tpn stage scores',
    'Needs the administrative selection passed (409 administrative_selection_not_passed) and the tpn stage submitted or approved (409 tpn_stage_missing); its total and predicate are kept.',
    'recordEvaluation',
    S.EvaluationBody,
    'proposal.evaluation_recorded',
    (tx, request, d, body) => recordEvaluation(tx, request.principal, d, body),
  )
  outcome<S.DecisionBody>(
    'decision',
    'Record the designation (SK Menteri number and date) or not_designated with reasons',
    'designated after the evaluation; not_designated after the evaluation or a failed administrative selection (with no pending sanggah). 409 outcome_out_of_order otherwise.',
    'recordDecision',
    S.DecisionBody,
    'proposal.decision_recorded',
    (tx, request, d, body) => recordDecision(tx, request.principal, d, body),
  )
  outcome<S.RevocationBody>(
    'revocation',
    'Record the revocation of a designation (designated → revoked): its basis, the TPN’s recommendation and the decision',
    'PermenPANRB 90/2021 Lampiran III BAB IV C (p. 63-64): after a TPI report, or a TPN periodic field check finding maladministrasi, the TPN recommends in writing and the Menteri revokes; revoked_on is the decision’s date, from which the unit cannot be proposed for two years (422 revocation_before_recommendation when it precedes the recommendation).',
    'recordRevocation',
    S.RevocationBody,
    'proposal.revocation_recorded',
    (tx, request, d, body) => recordRevocation(tx, request.principal, d, body),
  )

  app.post(
    '/declarations/:id/proposal/tpn-steps',
    {
      schema: {
        tags: TAGS,
        summary:
          'Record one of the TPN’s later steps (desk evaluation, field evaluation, survey, clearance, panel, LHE) with its dates and note',
        description:
          'Optional records of what happened (PermenPANRB 90/2021 Lampiran II BAB III B-E, p. 53-58); none is required by another step and the declaration does not move. evidence_id must be an evidence item of the unit.',
        operationId: 'recordTpnStep',
        params: S.DeclarationParams,
        body: S.TpnStepBody,
        response: { 200: S.ProposalView, ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: ADMIN,
    },
    async (request) => recordTpnStep(requestContext(request), { declarationId: request.params.id, body: request.body }),
  )

  app.get(
    '/units/:id/predicate-history',
    {
      schema: {
        tags: TAGS,
        summary:
          'A unit’s WBK/WBBM predicates over time: which, since when (SK date), until when (revoked or superseded by WBBM)',
        operationId: 'getPredicateHistory',
        params: S.UnitParams,
        response: { 200: S.PredicateHistoryView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const unit = await loadVisibleUnit(app.db, request.principal, request.params.id)
      return unitPredicateHistory(app.db, unit.id)
    },
  )
}

export default proposalRoutes
