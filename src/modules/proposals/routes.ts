import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext, type CommandContext } from '../../lib/command.js'
import { problemResponses } from '../../lib/problem.js'
import { loadVisibleDeclaration } from '../declarations/service.js'
import { loadVisibleUnit } from '../units/service.js'
import {
  proposeUnits,
  recordAdministrativeSelection,
  recordDecision,
  recordEvaluation,
  recordInstansiGate,
  recordRevocation,
  recordSanggah,
  recordTpnStep,
  recordUnitRequirements,
  replaceProposalRules,
  updateProposalPackage,
} from './commands.js'
import * as S from './schemas.js'
import {
  checkOne,
  gateView,
  listProposals,
  loadGateValues,
  loadPeriodOr404,
  loadProposal,
  loadRules,
  loadVisibleInstansi,
  packageView,
  rulesView,
  toProposalView,
  unitPredicateHistory,
  unitRequirementsView,
} from './service.js'
import { renderAll } from '../../lib/i18n.js'

const ADMIN = { policy: { roles: ['admin'] as const } }
const READERS = { policy: { roles: ['admin', 'evaluator', 'unit_operator', 'viewer', 'integration'] as const } }
const TAGS = ['proposals']

/**
 * Proposals (pengusulan) under /v1/periods: the proposal rules of a period, the instansi gate and
 * package, the proposal checks' inputs (unit requirements) and the bulk proposal.
 */
export const proposalPeriodRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:period_id/proposal-rules',
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
    '/:period_id/proposal-rules',
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
    async (request) =>
      replaceProposalRules(requestContext(request), { periodId: request.params.period_id, body: request.body }),
  )

  app.get(
    '/:period_id/instansi/:instansi_id/gate',
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
      const view = await gateView(app.db, request.principal, instansi_id, period_id)
      return { ...view, values: (await loadGateValues(app.db, instansi_id, period_id)).view as never }
    },
  )

  app.put(
    '/:period_id/instansi/:instansi_id/gate',
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
    async (request) =>
      recordInstansiGate(requestContext(request), {
        periodId: request.params.period_id,
        instansiId: request.params.instansi_id,
        body: request.body,
      }),
  )

  app.get(
    '/:period_id/instansi/:instansi_id/eligibility',
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
      return gateView(app.db, request.principal, request.params.instansi_id, request.params.period_id)
    },
  )

  app.get(
    '/:period_id/instansi/:instansi_id/package',
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
    '/:period_id/instansi/:instansi_id/package',
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
    async (request) =>
      updateProposalPackage(requestContext(request), {
        periodId: request.params.period_id,
        instansiId: request.params.instansi_id,
        body: request.body,
      }),
  )

  app.get(
    '/:period_id/units/:unit_id/requirements',
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
    '/:period_id/units/:unit_id/requirements',
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
    '/:period_id/proposals',
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
    async (request) =>
      renderAll(
        await proposeUnits(requestContext(request), { periodId: request.params.period_id, body: request.body }),
        request.t,
      ),
  )

  app.get(
    '/:period_id/proposals',
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
}

/** Under /v1/declarations: one declaration's proposal check, its proposal and the national outcome. */
export const proposalDeclarationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id/proposal-check',
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
      return renderAll(await checkOne(app.db, declaration), request.t)
    },
  )

  app.get(
    '/:id/proposal',
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

  /** One outcome record (the command locks, records, audits and emits the move). */
  const outcome = <B>(
    path: string,
    summary: string,
    description: string,
    operationId: string,
    body: unknown,
    command: (ctx: CommandContext, input: { declarationId: string; body: B }) => Promise<S.ProposalView>,
  ) =>
    app.post(
      `/:id/proposal/${path}`,
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
        command(requestContext(request), {
          declarationId: (request.params as { id: string }).id,
          body: request.body as B,
        }),
    )

  outcome<S.AdministrativeSelectionBody>(
    'administrative-selection',
    'Record the TPN’s administrative selection (each item sesuai / tidak sesuai)',
    'While proposed; a new record replaces the earlier one (and its sanggah). lulus when every item is sesuai; lulus_dengan_catatan (passed on condition of resubmitting the named items, each one found tidak_sesuai: 422 resubmit_item_invalid otherwise); else tidak_lulus.',
    'recordAdministrativeSelection',
    S.AdministrativeSelectionBody,
    recordAdministrativeSelection,
  )
  outcome<S.SanggahBody>(
    'sanggah',
    'Record a sanggah (appeal) against a failed administrative selection, and its result',
    '409 sanggah_not_applicable when the selection was passed. result diterima passes the selection.',
    'recordSanggah',
    S.SanggahBody,
    recordSanggah,
  )
  outcome<S.EvaluationBody>(
    'evaluation',
    'Record the TPN evaluation (proposed → evaluated), from the unit’s tpn stage scores',
    'Needs the administrative selection passed (409 administrative_selection_not_passed) and the tpn stage submitted or approved (409 tpn_stage_missing); its total and predicate are kept.',
    'recordEvaluation',
    S.EvaluationBody,
    recordEvaluation,
  )
  outcome<S.DecisionBody>(
    'decision',
    'Record the designation (SK Menteri number and date) or not_designated with reasons',
    'designated after the evaluation; not_designated after the evaluation or a failed administrative selection (with no pending sanggah). 409 outcome_out_of_order otherwise.',
    'recordDecision',
    S.DecisionBody,
    recordDecision,
  )
  outcome<S.RevocationBody>(
    'revocation',
    'Record the revocation of a designation (designated → revoked): its basis, the TPN’s recommendation and the decision',
    'PermenPANRB 90/2021 Lampiran III BAB IV C (p. 63-64): after a TPI report, or a TPN periodic field check finding maladministrasi, the TPN recommends in writing and the Menteri revokes; revoked_on is the decision’s date, from which the unit cannot be proposed for two years (422 revocation_before_recommendation when it precedes the recommendation).',
    'recordRevocation',
    S.RevocationBody,
    recordRevocation,
  )

  app.post(
    '/:id/proposal/tpn-steps',
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
}

/** Under /v1/units: a unit's predicate history. */
export const proposalUnitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id/predicate-history',
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
