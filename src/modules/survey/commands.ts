import { randomBytes, randomInt, randomUUID } from 'node:crypto'
import { and, eq, isNull, sql } from 'drizzle-orm'
import { audit, event, type CommandContext } from '../../lib/command.js'
import type { Tx } from '../../db/connection.js'
import { PG_UNIQUE_VIOLATION, pgError } from '../../lib/db-errors.js'
import { checkIfMatch } from '../../lib/etag.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { assertReturned } from '../../lib/returned.js'
import { isUnitInScope } from '../auth/scope.js'
import { assessments } from '../assessments/tables.js'
import { answerView } from '../assessments/service.js'
import { stageEvent } from '../assessments/events.js'
import { periods } from '../periods/tables.js'
import { units } from '../units/tables.js'
import { writeSelfStageAnswer } from './lke.js'
import {
  KINDS,
  LKE_QUESTION,
  checkItems,
  checkSubmission,
  planImport,
  type FieldProblem,
  type Kind,
  type RowProblem,
  type SurveyItem,
} from './rules.js'
import {
  campaignByToken,
  campaignResults,
  campaignSets,
  invitationHash,
  itemsOf,
  loadCampaign,
  loadQuestionnaire,
  questionnaireView,
  responseView,
  windowState,
} from './service.js'
import {
  surveyCampaigns,
  surveyInvitations,
  surveyLkeApplications,
  surveyQuestionnaires,
  surveyResponses,
  type CampaignRow,
} from './tables.js'
import { type Message, msg } from '../../lib/i18n.js'

const invalid = (pointer: string, rule: string, message: Message | string): ProblemError =>
  new ProblemError(422, rule, message, { errors: [{ pointer, rule, message }] })

// ---------------------------------------------------------------------------------------------
// Questionnaires (admin)

/** A new draft for a period, starting from a published set's items (the regulation lets the questions follow the survey's needs). */
export async function adaptQuestionnaire(
  ctx: CommandContext,
  input: { based_on_id: string; period_id: string; code: string; title?: string },
) {
  return ctx.db.transaction(async (tx) => {
    const base = await loadQuestionnaire(tx, input.based_on_id).catch(() => {
      throw invalid('/body/based_on_id', 'questionnaire_not_found', `No questionnaire with id ${input.based_on_id}.`)
    })
    const [period] = await tx.select({ id: periods.id }).from(periods).where(eq(periods.id, input.period_id))
    if (!period) throw invalid('/body/period_id', 'period_not_found', `No period with id ${input.period_id}.`)
    let row: typeof surveyQuestionnaires.$inferSelect | undefined
    try {
      ;[row] = await tx
        .insert(surveyQuestionnaires)
        .values({
          kind: base.kind,
          code: input.code,
          title: input.title ?? base.title,
          periodId: period.id,
          basedOnId: base.id,
          items: base.items,
          createdByName: ctx.actor.name,
        })
        .returning()
    } catch (error) {
      if (pgError(error)?.code === PG_UNIQUE_VIOLATION)
        throw new ProblemError(
          409,
          'questionnaire_code_taken',
          msg('survey:questionnaire_code_taken', { code: input.code }),
          {
            errors: [{ pointer: '/body/code', rule: 'unique', message: msg('survey:field.unique') }],
          },
        )
      throw error
    }
    assertReturned(row, 'insert')
    await audit(tx, ctx, {
      action: 'survey.questionnaire_created',
      entityType: 'survey_questionnaire',
      entityId: row.id,
      before: null,
      after: questionnaireView(row),
    })
    return row
  })
}

/** Edits a draft (title, items); a published set is refused (409), and so is a stale If-Match. */
export async function updateQuestionnaire(
  ctx: CommandContext,
  id: string,
  input: { title?: string; items?: SurveyItem[] },
  ifMatch: string | undefined,
) {
  return ctx.db.transaction(async (tx) => {
    const before = await loadQuestionnaire(tx, id, true)
    if (before.status === 'published')
      throw new ProblemError(
        409,
        'questionnaire_published',
        msg('survey:questionnaire_published', { code: before.code }),
      )
    checkIfMatch(ifMatch, before, 'questionnaire')
    if (input.items) {
      const problems = checkItems(input.items)
      if (problems.length > 0)
        throw new ProblemError(422, 'items_invalid', msg('survey:items_invalid', { problemsCount: problems.length }), {
          errors: problems.map((p) => ({
            pointer: `/body/items/${p.index}/${p.field}`,
            rule: 'items',
            message: p.message,
          })),
        })
    }
    const changes = {
      ...(input.title !== undefined && input.title !== before.title ? { title: input.title } : {}),
      ...(input.items !== undefined && JSON.stringify(input.items) !== JSON.stringify(before.items)
        ? { items: input.items }
        : {}),
    }
    if (Object.keys(changes).length === 0) return before
    const [row] = await tx
      .update(surveyQuestionnaires)
      .set({ ...changes, updatedAt: sql`now()`, version: sql`${surveyQuestionnaires.version} + 1` })
      .where(eq(surveyQuestionnaires.id, id))
      .returning()
    assertReturned(row, 'update')
    await audit(tx, ctx, {
      action: 'survey.questionnaire_updated',
      entityType: 'survey_questionnaire',
      entityId: id,
      before: questionnaireView(before),
      after: questionnaireView(row),
    })
    return row
  })
}

export async function publishQuestionnaire(ctx: CommandContext, id: string) {
  return ctx.db.transaction(async (tx) => {
    const before = await loadQuestionnaire(tx, id, true)
    if (before.status === 'published')
      throw new ProblemError(
        409,
        'questionnaire_published',
        msg('survey:questionnaire_published_2', { code: before.code }),
      )
    const [row] = await tx
      .update(surveyQuestionnaires)
      .set({
        status: 'published',
        publishedAt: sql`now()`,
        publishedByName: ctx.actor.name,
        updatedAt: sql`now()`,
        version: sql`${surveyQuestionnaires.version} + 1`,
      })
      .where(eq(surveyQuestionnaires.id, id))
      .returning()
    assertReturned(row, 'update')
    await audit(tx, ctx, {
      action: 'survey.questionnaire_published',
      entityType: 'survey_questionnaire',
      entityId: id,
      before: { status: before.status },
      after: { status: row.status, published_at: row.publishedAt?.toISOString() },
    })
    return row
  })
}

// ---------------------------------------------------------------------------------------------
// Campaigns (the unit's operator or the admin)

export interface CampaignInput {
  unit_id: string
  period_id: string
  name: string
  service_types: string[]
  opens_at: string
  closes_at: string
  kinds?: Kind[]
  ipak_questionnaire_id?: string
  ipkp_questionnaire_id?: string
  requires_invitation?: boolean
}

/** The published set a campaign asks for `kind`: the one named, else the period's newest published one, else the bundled one. */
async function chooseQuestionnaire(tx: Tx, kind: Kind, periodId: string, id: string | undefined): Promise<string> {
  const pointer = `/body/${kind}_questionnaire_id`
  if (id) {
    const [q] = await tx.select().from(surveyQuestionnaires).where(eq(surveyQuestionnaires.id, id))
    if (!q || q.kind !== kind)
      throw invalid(pointer, 'questionnaire_not_found', `No ${kind} questionnaire with id ${id}.`)
    if (q.status !== 'published')
      throw invalid(pointer, 'questionnaire_not_published', `Questionnaire ${q.code} is a draft: publish it first.`)
    if (q.periodId !== null && q.periodId !== periodId)
      throw invalid(pointer, 'questionnaire_other_period', `Questionnaire ${q.code} was adapted for another period.`)
    return q.id
  }
  const [q] = await tx
    .select({ id: surveyQuestionnaires.id })
    .from(surveyQuestionnaires)
    .where(
      and(
        eq(surveyQuestionnaires.kind, kind),
        eq(surveyQuestionnaires.status, 'published'),
        sql`(${surveyQuestionnaires.periodId} = ${periodId}::uuid or ${surveyQuestionnaires.periodId} is null)`,
      ),
    )
    .orderBy(sql`${surveyQuestionnaires.periodId} is null`, sql`${surveyQuestionnaires.publishedAt} desc`)
    .limit(1)
  if (!q) throw invalid(pointer, 'questionnaire_not_found', `No published ${kind} questionnaire.`)
  return q.id
}

function checkWindow(opensAt: string, closesAt: string): { opens: Date; closes: Date } {
  const opens = new Date(opensAt)
  const closes = new Date(closesAt)
  if (!(closes > opens)) throw invalid('/body/closes_at', 'window_order', 'closes_at must be after opens_at.')
  return { opens, closes }
}

function checkServiceTypes(types: string[]): string[] {
  const trimmed = types.map((s) => s.trim())
  const seen = new Set<string>()
  trimmed.forEach((s, i) => {
    if (!s) throw invalid(`/body/service_types/${i}`, 'minLength', 'a service type has a name')
    if (seen.has(s.toLowerCase()))
      throw invalid(`/body/service_types/${i}`, 'uniqueItems', `service type "${s}" is listed twice`)
    seen.add(s.toLowerCase())
  })
  return trimmed
}

const campaignAudit = (c: CampaignRow) => ({
  id: c.id,
  unit_id: c.unitId,
  period_id: c.periodId,
  name: c.name,
  service_types: c.serviceTypes,
  opens_at: c.opensAt.toISOString(),
  closes_at: c.closesAt.toISOString(),
  ipak_questionnaire_id: c.ipakQuestionnaireId,
  ipkp_questionnaire_id: c.ipkpQuestionnaireId,
  requires_invitation: c.requiresInvitation,
  justification: c.justification,
})

const campaignEvent = (c: CampaignRow, action: string) => ({
  type: 'survey.campaign_changed' as const,
  unitId: c.unitId,
  periodId: c.periodId,
  subject: { type: 'survey_campaign', id: c.id },
  data: { campaign_id: c.id, action, version: c.version },
})

/** A campaign as a command leaves it, with its unit's name (the reply names the unit). */
export interface CampaignResult {
  campaign: CampaignRow
  unitName: string
}

export async function createCampaign(ctx: CommandContext, input: CampaignInput): Promise<CampaignResult> {
  return ctx.db.transaction(async (tx) => {
    const [unit] = await tx.select().from(units).where(eq(units.id, input.unit_id))
    if (!unit || !isUnitInScope(ctx.principal, unit.path))
      throw invalid('/body/unit_id', 'unit_not_found', `No unit with id ${input.unit_id} in your scope.`)
    if (unit.archivedAt) throw invalid('/body/unit_id', 'unit_archived', `Unit ${unit.code} is archived.`)
    if (unit.kind === 'instansi')
      throw invalid(
        '/body/unit_id',
        'unit_kind_not_assessable',
        'The instansi itself is not assessed: a survey is run by an OPD or a unit kerja that serves people.',
      )
    const [period] = await tx.select({ id: periods.id }).from(periods).where(eq(periods.id, input.period_id))
    if (!period) throw invalid('/body/period_id', 'period_not_found', `No period with id ${input.period_id}.`)
    const { opens, closes } = checkWindow(input.opens_at, input.closes_at)
    const serviceTypes = checkServiceTypes(input.service_types)
    const kinds = new Set(input.kinds ?? KINDS)
    const ipak = kinds.has('ipak')
      ? await chooseQuestionnaire(tx, 'ipak', period.id, input.ipak_questionnaire_id)
      : null
    const ipkp = kinds.has('ipkp')
      ? await chooseQuestionnaire(tx, 'ipkp', period.id, input.ipkp_questionnaire_id)
      : null
    const [row] = await tx
      .insert(surveyCampaigns)
      .values({
        unitId: unit.id,
        periodId: period.id,
        name: input.name.trim(),
        serviceTypes,
        opensAt: opens,
        closesAt: closes,
        ipakQuestionnaireId: ipak,
        ipkpQuestionnaireId: ipkp,
        // 24 random bytes: the link cannot be guessed, and says nothing of the unit or the campaign.
        publicToken: randomBytes(24).toString('base64url'),
        requiresInvitation: input.requires_invitation ?? false,
        createdByName: ctx.actor.name,
      })
      .returning()
    assertReturned(row, 'insert')
    await audit(tx, ctx, {
      action: 'survey.campaign_created',
      entityType: 'survey_campaign',
      entityId: row.id,
      before: null,
      after: campaignAudit(row),
    })
    await event(tx, ctx, campaignEvent(row, 'created'))
    return { campaign: row, unitName: unit.name }
  })
}

/** Changes a campaign's name, window or service types (a service type respondents named stays). */
export async function updateCampaign(
  ctx: CommandContext,
  id: string,
  input: { name?: string; opens_at?: string; closes_at?: string; service_types?: string[] },
  ifMatch: string | undefined,
): Promise<CampaignResult> {
  return ctx.db.transaction(async (tx) => {
    const { campaign: before, unit } = await loadCampaign(tx, ctx.principal, id, { forUpdate: true })
    checkIfMatch(ifMatch, before, 'campaign')
    const { opens, closes } = checkWindow(
      input.opens_at ?? before.opensAt.toISOString(),
      input.closes_at ?? before.closesAt.toISOString(),
    )
    let serviceTypes = before.serviceTypes
    if (input.service_types) {
      serviceTypes = checkServiceTypes(input.service_types)
      const named = await tx
        .selectDistinct({ s: surveyResponses.serviceType })
        .from(surveyResponses)
        .where(eq(surveyResponses.campaignId, id))
      const dropped = named.map((n) => n.s).filter((s): s is string => s !== null && !serviceTypes.includes(s))
      if (dropped.length > 0)
        throw invalid(
          '/body/service_types',
          'service_type_in_use',
          `Respondents named ${dropped.map((d) => `"${d}"`).join(', ')}: keep it in the list.`,
        )
    }
    const changes = {
      ...(input.name !== undefined && input.name.trim() !== before.name ? { name: input.name.trim() } : {}),
      ...(opens.getTime() !== before.opensAt.getTime() ? { opensAt: opens } : {}),
      ...(closes.getTime() !== before.closesAt.getTime() ? { closesAt: closes } : {}),
      ...(JSON.stringify(serviceTypes) !== JSON.stringify(before.serviceTypes) ? { serviceTypes } : {}),
    }
    if (Object.keys(changes).length === 0) return { campaign: before, unitName: unit.name }
    const [row] = await tx
      .update(surveyCampaigns)
      .set({ ...changes, updatedAt: sql`now()`, version: sql`${surveyCampaigns.version} + 1` })
      .where(eq(surveyCampaigns.id, id))
      .returning()
    assertReturned(row, 'update')
    await audit(tx, ctx, {
      action: 'survey.campaign_updated',
      entityType: 'survey_campaign',
      entityId: id,
      before: campaignAudit(before),
      after: campaignAudit(row),
    })
    await event(tx, ctx, campaignEvent(row, 'updated'))
    return { campaign: row, unitName: unit.name }
  })
}

/** Records why fewer than 30 respondents are enough (huruf d: the unit serves fewer); null withdraws it. */
export async function recordJustification(
  ctx: CommandContext,
  id: string,
  justification: string | null,
): Promise<CampaignResult> {
  return ctx.db.transaction(async (tx) => {
    const { campaign: before, unit } = await loadCampaign(tx, ctx.principal, id, { forUpdate: true })
    const text = justification?.trim() || null
    if (text === before.justification) return { campaign: before, unitName: unit.name }
    const [row] = await tx
      .update(surveyCampaigns)
      .set({
        justification: text,
        justifiedByName: text ? ctx.actor.name : null,
        justifiedAt: text ? sql`now()` : null,
        updatedAt: sql`now()`,
        version: sql`${surveyCampaigns.version} + 1`,
      })
      .where(eq(surveyCampaigns.id, id))
      .returning()
    assertReturned(row, 'update')
    await audit(tx, ctx, {
      action: text ? 'survey.justification_recorded' : 'survey.justification_withdrawn',
      entityType: 'survey_campaign',
      entityId: id,
      before: { justification: before.justification },
      after: { justification: row.justification },
    })
    await event(tx, ctx, campaignEvent(row, text ? 'justified' : 'justification_withdrawn'))
    return { campaign: row, unitName: unit.name }
  })
}

// Unambiguous letters and digits (no 0/O, 1/I/L): codes are read off paper.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
const newCode = (): string => Array.from({ length: 10 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('')

/** Makes `count` invitation codes: shown once here, stored only as hashes. */
export async function createInvitations(ctx: CommandContext, id: string, count: number) {
  return ctx.db.transaction(async (tx) => {
    const { campaign } = await loadCampaign(tx, ctx.principal, id, { forUpdate: true })
    if (!campaign.requiresInvitation)
      throw new ProblemError(409, 'invitations_not_required', msg('survey:invitations_not_required'))
    const codes = Array.from({ length: count }, newCode)
    await tx.insert(surveyInvitations).values(codes.map((c) => ({ campaignId: id, codeHash: invitationHash(id, c) })))
    await audit(tx, ctx, {
      action: 'survey.invitations_created',
      entityType: 'survey_campaign',
      entityId: id,
      before: null,
      after: { count },
    })
    return { campaign, codes }
  })
}

// ---------------------------------------------------------------------------------------------
// Responses

/** Why the public form refuses a submission: the page shows it in Bahasa Indonesia. */
export class SubmissionRefused extends ProblemError {
  constructor(
    status: number,
    code: string,
    detail: Message | string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(status, code, detail, {
      errors: problems.map((p) => ({ pointer: `/body/${p.field}`, rule: code, message: p.message })),
    })
  }
}

/**
 * A respondent's answers through the public link. Anonymous: the audit names no one and keeps no
 * address. Refused when the campaign is not open, when an answer is missing or off the scale,
 * and, for a campaign with invitations, when the code is unknown or already used.
 */
export async function submitResponse(ctx: CommandContext, token: string, fields: Record<string, string>) {
  return ctx.db.transaction(async (tx) => {
    const found = await campaignByToken(tx, token, true)
    if (!found) throw new SubmissionRefused(404, 'survey_not_found', msg('survey:form.not_found'))
    const { campaign } = found
    const state = windowState(campaign)
    if (state !== 'open')
      throw new SubmissionRefused(
        409,
        'survey_closed',
        state === 'scheduled' ? msg('survey:form.not_open') : msg('survey:form.closed'),
      )
    const sets = itemsOf(await campaignSets(tx, campaign))
    const checked = checkSubmission(sets, campaign.serviceTypes, fields, { invitation: campaign.requiresInvitation })
    if (!checked.ok) throw new SubmissionRefused(422, 'response_invalid', msg('survey:form.invalid'), checked.problems)
    const { submission } = checked
    let invitationId: string | null = null
    if (submission.invitationCode !== null) {
      const [inv] = await tx
        .select()
        .from(surveyInvitations)
        .where(
          and(
            eq(surveyInvitations.campaignId, campaign.id),
            eq(surveyInvitations.codeHash, invitationHash(campaign.id, submission.invitationCode)),
          ),
        )
        .for('update')
      if (!inv)
        throw new SubmissionRefused(422, 'invitation_unknown', msg('survey:form.invitation_unknown'), [
          { field: 'kode', message: msg('survey:field.rule') },
        ])
      if (inv.usedAt)
        throw new SubmissionRefused(409, 'invitation_used', msg('survey:form.invitation_used'), [
          { field: 'kode', message: msg('survey:field.rule_2') },
        ])
      await tx.update(surveyInvitations).set({ usedAt: sql`now()` }).where(eq(surveyInvitations.id, inv.id))
      invitationId = inv.id
    }
    const [row] = await tx
      .insert(surveyResponses)
      .values({
        campaignId: campaign.id,
        channel: 'form',
        serviceType: submission.serviceType,
        ageBand: submission.ageBand,
        education: submission.education,
        answers: submission.answers,
        invitationId,
      })
      .returning()
    assertReturned(row, 'insert')
    await audit(tx, ctx, {
      action: 'survey.response_submitted',
      entityType: 'survey_response',
      entityId: row.id,
      before: null,
      after: { campaign_id: campaign.id, channel: 'form', invitation: invitationId !== null },
    })
    await event(tx, ctx, {
      type: 'survey.response_recorded',
      unitId: campaign.unitId,
      periodId: campaign.periodId,
      subject: { type: 'survey_campaign', id: campaign.id },
      data: { campaign_id: campaign.id, channel: 'form', count: 1 },
    })
    return { campaign, unitName: found.unitName, response: row }
  })
}

export interface ImportOutcome {
  import_id: string | null
  dry_run: boolean
  imported: number
  blank_rows: number
  ignored_columns: string[]
}

/** The table held problems: each bad row and cell, and nothing was stored. */
export class ImportRefused extends ProblemError {
  constructor(readonly rows: RowProblem[]) {
    super(422, 'import_rows_invalid', msg('survey:import_rows_invalid', { count: rows.length }), {
      rows,
      errors: rows.map((r) => ({
        pointer: `/body/file/row/${r.row}`,
        rule: r.rule,
        message: r.column
          ? msg('survey:field.row_column', { row: r.row, column: r.column, message: r.message })
          : msg('survey:field.row', { row: r.row, message: r.message }),
      })),
    })
  }
}

/**
 * Responses collected elsewhere (a Google Form's CSV or XLSX, already read into a table): every
 * row checked, every bad one named; all or nothing. The campaign's window does not apply (the
 * answers were given earlier); anonymous like the form (name or e-mail columns are never read).
 */
export async function importResponses(
  ctx: CommandContext,
  id: string,
  input: { table: string[][]; scale: number; dryRun: boolean; fileName: string | null },
): Promise<ImportOutcome> {
  return ctx.db.transaction(async (tx) => {
    const { campaign } = await loadCampaign(tx, ctx.principal, id, { forUpdate: true })
    if (campaign.requiresInvitation) throw new ProblemError(409, 'import_not_allowed', msg('survey:import_not_allowed'))
    const sets = itemsOf(await campaignSets(tx, campaign))
    const plan = planImport(input.table, sets, campaign.serviceTypes, input.scale)
    if (plan.problems.length > 0) throw new ImportRefused(plan.problems)
    if (plan.responses.length === 0)
      throw new ImportRefused([
        { row: 2, column: null, value: null, rule: 'no_rows', message: msg('survey:field.no_rows') },
      ])
    const base = {
      dry_run: input.dryRun,
      imported: plan.responses.length,
      blank_rows: plan.blank_rows,
      ignored_columns: plan.ignored_columns,
    }
    if (input.dryRun) return { import_id: null, ...base }
    const importId = randomUUID()
    await tx.insert(surveyResponses).values(
      plan.responses.map((r) => ({
        campaignId: id,
        channel: 'import' as const,
        serviceType: r.serviceType,
        ageBand: r.ageBand,
        education: r.education,
        answers: r.answers,
        importId,
        importRow: r.row,
      })),
    )
    await audit(tx, ctx, {
      action: 'survey.responses_imported',
      entityType: 'survey_campaign',
      entityId: id,
      before: null,
      after: {
        import_id: importId,
        file_name: input.fileName,
        scale: input.scale,
        imported: plan.responses.length,
        ignored_columns: plan.ignored_columns,
      },
    })
    await event(tx, ctx, {
      type: 'survey.response_recorded',
      unitId: campaign.unitId,
      periodId: campaign.periodId,
      subject: { type: 'survey_campaign', id },
      data: { campaign_id: id, channel: 'import', count: plan.responses.length, import_id: importId },
    })
    return { import_id: importId, ...base }
  })
}

/** Voids a response (it stays, out of the index) with the reason; a response is voided once and never deleted. */
export async function voidResponse(ctx: CommandContext, responseId: string, reason: string) {
  return ctx.db.transaction(async (tx) => {
    const [found] = await tx.select().from(surveyResponses).where(eq(surveyResponses.id, responseId)).for('update')
    if (!found) throw notFound('response', responseId)
    const { campaign } = await loadCampaign(tx, ctx.principal, found.campaignId).catch(() => {
      throw notFound('response', responseId)
    })
    if (found.voidedAt)
      throw new ProblemError(
        409,
        'response_already_voided',
        msg('survey:response_already_voided', { voidedAt: found.voidedAt.toISOString(), voidReason: found.voidReason }),
      )
    const [row] = await tx
      .update(surveyResponses)
      .set({ voidedAt: sql`now()`, voidReason: reason.trim(), voidedByName: ctx.actor.name })
      .where(and(eq(surveyResponses.id, responseId), isNull(surveyResponses.voidedAt)))
      .returning()
    assertReturned(row, 'update')
    await audit(tx, ctx, {
      action: 'survey.response_voided',
      entityType: 'survey_response',
      entityId: responseId,
      before: { voided_at: null },
      after: { voided_at: row.voidedAt?.toISOString(), reason: row.voidReason, campaign_id: campaign.id },
    })
    await event(tx, ctx, {
      type: 'survey.response_voided',
      unitId: campaign.unitId,
      periodId: campaign.periodId,
      subject: { type: 'survey_response', id: responseId },
      data: { campaign_id: campaign.id, response_id: responseId },
    })
    return responseView(row)
  })
}

// ---------------------------------------------------------------------------------------------
// Into the LKE

const decimalId = (x: number): string => x.toFixed(2).replace('.', ',')

/**
 * The unit applies the campaign's index to Q125 (IPAK) or Q127 (IPKP) of its self stage, through
 * the assessments' answer path (lke.ts), with the provenance in the answer's note (which PortalRB
 * carries) and in survey_lke_applications. Refused while the index is not final (fewer than 30
 * respondents and no justification).
 */
export async function applyToLke(ctx: CommandContext, campaignId: string, kind: Kind) {
  return ctx.db.transaction(async (tx) => {
    const loaded = await loadCampaign(tx, ctx.principal, campaignId, { forUpdate: true })
    const { campaign } = loaded
    const [assessment] = await tx
      .select({ id: assessments.id })
      .from(assessments)
      .where(and(eq(assessments.unitId, campaign.unitId), eq(assessments.periodId, campaign.periodId)))
    if (!assessment) throw new ProblemError(409, 'assessment_not_found', msg('survey:assessment_not_found'))
    const results = await campaignResults(tx, loaded)
    const idx = results[kind]
    if (!idx)
      throw invalid(
        '/body/kind',
        'questionnaire_not_in_campaign',
        `The campaign does not ask the ${kind} questionnaire.`,
      )
    if (!results.final || idx.index_rounded === null)
      throw new ProblemError(409, 'survey_not_final', msg('survey:survey_not_final', { reason: results.reason }), {
        respondents: results.respondents,
        minimum: results.minimum,
      })
    const question = LKE_QUESTION[kind]
    const note =
      `Survei mandiri "${campaign.name}" (${kind.toUpperCase()}): indeks ${decimalId(idx.index_rounded)} dari ` +
      `${results.respondents} responden; dihitung ${results.computed_at}; kampanye ${campaign.id}` +
      (results.justification ? `; responden < 30 dengan justifikasi: ${results.justification}` : '')
    const written = await writeSelfStageAnswer(tx, ctx, assessment.id, {
      question_code: question,
      value: idx.index_rounded,
      note: note.slice(0, 2000),
    })
    const [application] = await tx
      .insert(surveyLkeApplications)
      .values({
        campaignId,
        assessmentId: assessment.id,
        kind,
        questionCode: question,
        value: idx.index_rounded,
        respondents: results.respondents,
        computedAt: new Date(results.computed_at),
        appliedByName: ctx.actor.name,
      })
      .returning()
    assertReturned(application, 'insert')
    const after = written.written[0]!
    const before = written.before[0]
    await audit(tx, ctx, {
      action: 'survey.lke_applied',
      entityType: 'answer',
      entityId: after.row.id,
      before: before ? answerView(before) : null,
      after: {
        ...answerView(after),
        stage_id: written.stage.id,
        campaign_id: campaignId,
        respondents: results.respondents,
      },
    })
    await event(
      tx,
      ctx,
      stageEvent('answer.changed', written.assessment, written.stage, { question_codes: [question] }),
    )
    return { application, answer: answerView(after), results }
  })
}
