import { createHash } from 'node:crypto'
import { and, asc, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm'
import { queryRows, type Queryable } from '../../db/connection.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { isUnitInScope, unitScopeCondition } from '../auth/scope.js'
import { assessments } from '../assessments/tables.js'
import { units } from '../units/tables.js'
import {
  BUNDLED_SETS,
  KINDS,
  KIND_TITLE,
  LKE_QUESTION,
  MIN_RESPONDENTS,
  composition,
  computeIndex,
  finality,
  type Kind,
  type Questionnaires,
} from './rules.js'
import {
  surveyCampaigns,
  surveyLkeApplications,
  surveyQuestionnaires,
  surveyResponses,
  type CampaignRow,
  type QuestionnaireRow,
  type ResponseRow,
} from './tables.js'
import { msg } from '../../lib/i18n.js'

/** The bundled IPAK and IPKP sets, published, once (a second call, or another replica, adds nothing). */
export async function seedQuestionnaires(db: Queryable): Promise<void> {
  await db
    .insert(surveyQuestionnaires)
    .values(
      BUNDLED_SETS.map((s) => ({
        kind: s.kind,
        code: s.code,
        title: s.title,
        items: s.items,
        status: 'published' as const,
        publishedAt: new Date(0),
        publishedByName: 'zi-tracker',
        createdByName: 'zi-tracker',
      })),
    )
    .onConflictDoNothing({ target: surveyQuestionnaires.code })
}

export function questionnaireView(q: QuestionnaireRow) {
  return {
    id: q.id,
    kind: q.kind,
    code: q.code,
    title: q.title,
    period_id: q.periodId,
    based_on_id: q.basedOnId,
    status: q.status,
    items: q.items,
    published_at: q.publishedAt?.toISOString() ?? null,
    published_by: q.publishedByName,
    created_by: q.createdByName,
    created_at: q.createdAt.toISOString(),
    updated_at: q.updatedAt.toISOString(),
    version: q.version,
  }
}

export async function listQuestionnaires(db: Queryable, filter: { kind?: Kind; period_id?: string }) {
  const rows = await db
    .select()
    .from(surveyQuestionnaires)
    .where(
      and(
        filter.kind ? eq(surveyQuestionnaires.kind, filter.kind) : undefined,
        filter.period_id
          ? or(eq(surveyQuestionnaires.periodId, filter.period_id), isNull(surveyQuestionnaires.periodId))
          : undefined,
      ),
    )
    .orderBy(asc(surveyQuestionnaires.kind), asc(surveyQuestionnaires.createdAt), asc(surveyQuestionnaires.code))
  return rows.map(questionnaireView)
}

export async function loadQuestionnaire(db: Queryable, id: string, forUpdate = false): Promise<QuestionnaireRow> {
  const query = db.select().from(surveyQuestionnaires).where(eq(surveyQuestionnaires.id, id))
  const [row] = forUpdate ? await query.for('update') : await query
  if (!row) throw notFound('questionnaire', id)
  return row
}

export interface LoadedCampaign {
  campaign: CampaignRow
  unit: { id: string; path: string; name: string; code: string }
}

/** The campaign if its unit is in the caller's scope; 404 otherwise (existence is private). */
export async function loadCampaign(
  db: Queryable,
  principal: Principal,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<LoadedCampaign> {
  const query = db
    .select({ campaign: surveyCampaigns, unit: { id: units.id, path: units.path, name: units.name, code: units.code } })
    .from(surveyCampaigns)
    .innerJoin(units, eq(units.id, surveyCampaigns.unitId))
    .where(eq(surveyCampaigns.id, id))
  const [row] = opts.forUpdate ? await query.for('update', { of: surveyCampaigns }) : await query
  if (!row || !isUnitInScope(principal, row.unit.path)) throw notFound('campaign', id)
  return row
}

/** The campaign behind a public token, with its unit's name (all the public side may know). */
export async function campaignByToken(db: Queryable, token: string, forShare = false) {
  const query = db
    .select({ campaign: surveyCampaigns, unitName: units.name })
    .from(surveyCampaigns)
    .innerJoin(units, eq(units.id, surveyCampaigns.unitId))
    .where(eq(surveyCampaigns.publicToken, token))
  const [row] = forShare ? await query.for('share', { of: surveyCampaigns }) : await query
  return row ?? null
}

/** The campaign's questionnaires' items, by kind. */
export async function campaignSets(db: Queryable, c: CampaignRow): Promise<Record<Kind, QuestionnaireRow | null>> {
  const ids = [c.ipakQuestionnaireId, c.ipkpQuestionnaireId].filter((x): x is string => x !== null)
  const rows = ids.length
    ? await db.select().from(surveyQuestionnaires).where(inArray(surveyQuestionnaires.id, ids))
    : []
  const byId = new Map(rows.map((r) => [r.id, r]))
  return {
    ipak: c.ipakQuestionnaireId ? (byId.get(c.ipakQuestionnaireId) ?? null) : null,
    ipkp: c.ipkpQuestionnaireId ? (byId.get(c.ipkpQuestionnaireId) ?? null) : null,
  }
}

export const itemsOf = (sets: Record<Kind, QuestionnaireRow | null>): Questionnaires => ({
  ...(sets.ipak ? { ipak: sets.ipak.items } : {}),
  ...(sets.ipkp ? { ipkp: sets.ipkp.items } : {}),
})

export type WindowState = 'scheduled' | 'open' | 'closed'
export const windowState = (c: CampaignRow, now = new Date()): WindowState =>
  now < c.opensAt ? 'scheduled' : now >= c.closesAt ? 'closed' : 'open'

export function campaignView(c: CampaignRow, unitName: string, publicBaseUrl: string) {
  return {
    id: c.id,
    unit_id: c.unitId,
    unit_name: unitName,
    period_id: c.periodId,
    name: c.name,
    service_types: c.serviceTypes,
    opens_at: c.opensAt.toISOString(),
    closes_at: c.closesAt.toISOString(),
    state: windowState(c),
    ipak_questionnaire_id: c.ipakQuestionnaireId,
    ipkp_questionnaire_id: c.ipkpQuestionnaireId,
    requires_invitation: c.requiresInvitation,
    public_url: publicUrl(publicBaseUrl, c.publicToken),
    justification: c.justification,
    justified_by: c.justifiedByName,
    justified_at: c.justifiedAt?.toISOString() ?? null,
    created_by: c.createdByName,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
    version: c.version,
  }
}

/** The public prefix of the respondents' form (src/app.ts registers it there). */
export const PUBLIC_PREFIX = '/s'
export const publicUrl = (base: string, token: string): string => `${base.replace(/\/$/, '')}${PUBLIC_PREFIX}/${token}`

export async function listCampaigns(
  db: Queryable,
  principal: Principal,
  filter: { period_id?: string; unit_id?: string },
  publicBaseUrl: string,
) {
  const rows = await db
    .select({ campaign: surveyCampaigns, unitName: units.name })
    .from(surveyCampaigns)
    .innerJoin(units, eq(units.id, surveyCampaigns.unitId))
    .where(
      and(
        unitScopeCondition(principal, units.path),
        filter.period_id ? eq(surveyCampaigns.periodId, filter.period_id) : undefined,
        filter.unit_id ? eq(surveyCampaigns.unitId, filter.unit_id) : undefined,
      ),
    )
    .orderBy(asc(units.name), asc(surveyCampaigns.createdAt))
    .limit(1000)
  return rows.map((r) => campaignView(r.campaign, r.unitName, publicBaseUrl))
}

/** The code of an invitation as stored: a hash bound to its campaign (the code itself is shown once). */
export const invitationHash = (campaignId: string, code: string): string =>
  createHash('sha256').update(`${campaignId}:${code.trim().toUpperCase()}`).digest('hex')

export function responseView(r: ResponseRow) {
  return {
    id: r.id,
    campaign_id: r.campaignId,
    channel: r.channel,
    service_type: r.serviceType,
    age_band: r.ageBand,
    education: r.education,
    answers: r.answers,
    import_id: r.importId,
    import_row: r.importRow,
    submitted_at: r.submittedAt.toISOString(),
    voided_at: r.voidedAt?.toISOString() ?? null,
    void_reason: r.voidReason,
    voided_by: r.voidedByName,
  }
}

/** A page of the campaign's responses, oldest first (keyset on submitted_at, id). */
export async function listResponses(db: Queryable, campaignId: string, limit: number, cursor?: string) {
  let after: { t: string; id: string } | null = null
  if (cursor) {
    try {
      const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; id?: unknown }
      if (typeof parsed.t !== 'string' || typeof parsed.id !== 'string' || !/^[0-9a-f-]{36}$/.test(parsed.id))
        throw new Error('shape')
      if (Number.isNaN(Date.parse(parsed.t))) throw new Error('time')
      after = { t: parsed.t, id: parsed.id }
    } catch {
      throw new ProblemError(400, 'invalid_cursor', msg('survey:invalid_cursor'), {
        errors: [{ pointer: '/query/cursor', rule: 'cursor', message: msg('survey:field.cursor') }],
      })
    }
  }
  const rows = await db
    .select()
    .from(surveyResponses)
    .where(
      and(
        eq(surveyResponses.campaignId, campaignId),
        after
          ? or(
              gt(surveyResponses.submittedAt, new Date(after.t)),
              and(eq(surveyResponses.submittedAt, new Date(after.t)), gt(surveyResponses.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(asc(surveyResponses.submittedAt), asc(surveyResponses.id))
    .limit(limit + 1)
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map(responseView),
    next_cursor:
      rows.length > limit && last
        ? Buffer.from(JSON.stringify({ t: last.submittedAt.toISOString(), id: last.id })).toString('base64url')
        : null,
  }
}

/**
 * The campaign's results as they stand now: respondents (voided ones left out), their composition
 * by service type, whether the count is final, and each questionnaire's index.
 */
export async function campaignResults(db: Queryable, loaded: LoadedCampaign) {
  const { campaign } = loaded
  const sets = await campaignSets(db, campaign)
  const rows = await db
    .select({
      answers: surveyResponses.answers,
      serviceType: surveyResponses.serviceType,
      voidedAt: surveyResponses.voidedAt,
      submittedAt: surveyResponses.submittedAt,
    })
    .from(surveyResponses)
    .where(eq(surveyResponses.campaignId, campaign.id))
  const valid = rows.filter((r) => r.voidedAt === null)
  const lastResponse = valid.reduce<Date | null>((m, r) => (m === null || r.submittedAt > m ? r.submittedAt : m), null)
  const fin = finality(valid.length, campaign.justification)
  const indexOf = (kind: Kind) => {
    const set = sets[kind]
    if (!set) return null
    const result = computeIndex(
      set.items,
      valid.map((r) => r.answers[kind] ?? {}),
    )
    return {
      kind,
      title: KIND_TITLE[kind],
      questionnaire: { id: set.id, code: set.code, title: set.title },
      lke_question: LKE_QUESTION[kind],
      ...result,
      items: result.items.map((i) => ({ ...i, text: set.items.find((s) => s.code === i.code)?.text ?? '' })),
    }
  }
  const indices = { ipak: indexOf('ipak'), ipkp: indexOf('ipkp') }
  return {
    campaign_id: campaign.id,
    campaign_name: campaign.name,
    unit_id: loaded.unit.id,
    unit_name: loaded.unit.name,
    period_id: campaign.periodId,
    computed_at: new Date().toISOString(),
    last_response_at: lastResponse?.toISOString() ?? null,
    respondents: valid.length,
    voided: rows.length - valid.length,
    minimum: MIN_RESPONDENTS,
    ...fin,
    justification: campaign.justification,
    composition: composition(
      campaign.serviceTypes,
      valid.map((r) => r.serviceType),
    ),
    ipak: indices.ipak,
    ipkp: indices.ipkp,
  }
}
export type CampaignResults = Awaited<ReturnType<typeof campaignResults>>

/**
 * What the surveys propose for Q125 (IPAK) and Q127 (IPKP) of an assessment's self stage: the
 * newest campaign of the unit and period asking that questionnaire, its index now, what was
 * applied last (with its provenance) and whether the index has moved since.
 */
export async function lkeProposals(db: Queryable, principal: Principal, assessmentId: string) {
  const [a] = await db
    .select({ assessment: assessments, unitPath: units.path })
    .from(assessments)
    .innerJoin(units, eq(units.id, assessments.unitId))
    .where(eq(assessments.id, assessmentId))
  if (!a || !isUnitInScope(principal, a.unitPath)) throw notFound('assessment', assessmentId)
  const campaigns = await db
    .select({ campaign: surveyCampaigns, unit: { id: units.id, path: units.path, name: units.name, code: units.code } })
    .from(surveyCampaigns)
    .innerJoin(units, eq(units.id, surveyCampaigns.unitId))
    .where(and(eq(surveyCampaigns.unitId, a.assessment.unitId), eq(surveyCampaigns.periodId, a.assessment.periodId)))
    .orderBy(desc(surveyCampaigns.createdAt))
  const applications = await db
    .select()
    .from(surveyLkeApplications)
    .where(eq(surveyLkeApplications.assessmentId, assessmentId))
    .orderBy(desc(surveyLkeApplications.appliedAt))
  const currentRows = await queryRows<{ question_code: string; value: unknown }>(
    db,
    sql`select a.question_code, a.value from answers a join assessment_stages s on s.id = a.stage_id
         where s.assessment_id = ${assessmentId}::uuid and s.kind = 'self' and a.question_code in ('Q125', 'Q127')`,
  )
  const answerOf = new Map(currentRows.map((r) => [r.question_code, r.value]))
  const proposals = []
  for (const kind of KINDS) {
    const question = LKE_QUESTION[kind]
    const chosen = campaigns.find((c) =>
      kind === 'ipak' ? c.campaign.ipakQuestionnaireId : c.campaign.ipkpQuestionnaireId,
    )
    const applied = applications.find((x) => x.kind === kind) ?? null
    const answer = answerOf.get(question)
    const answerValue = typeof answer === 'number' ? answer : answer == null ? null : Number(answer)
    if (!chosen) {
      proposals.push({
        kind,
        question_code: question,
        campaign: null,
        value: null,
        index: null,
        respondents: 0,
        final: false,
        reason: 'no survey campaign of this unit and period asks this questionnaire',
        computed_at: null,
        last_response_at: null,
        current_answer: answerValue,
        applied: applied ? applicationView(applied) : null,
        changed_since_applied: false,
      })
      continue
    }
    const results = await campaignResults(db, chosen)
    const idx = results[kind]
    const value = idx?.index_rounded ?? null
    proposals.push({
      kind,
      question_code: question,
      campaign: { id: chosen.campaign.id, name: chosen.campaign.name },
      value,
      index: idx?.index ?? null,
      respondents: results.respondents,
      final: results.final && value !== null,
      reason: results.reason,
      computed_at: results.computed_at,
      last_response_at: results.last_response_at,
      current_answer: answerValue,
      applied: applied ? applicationView(applied) : null,
      changed_since_applied:
        applied !== null && (applied.value !== value || applied.respondents !== results.respondents),
    })
  }
  return { assessment_id: assessmentId, proposals }
}

export const applicationView = (x: typeof surveyLkeApplications.$inferSelect) => ({
  campaign_id: x.campaignId,
  question_code: x.questionCode,
  value: x.value,
  respondents: x.respondents,
  computed_at: x.computedAt.toISOString(),
  applied_by: x.appliedByName,
  applied_at: x.appliedAt.toISOString(),
})

/**
 * Each unit's survey progress in a period: the units with an assessment or a campaign in the
 * period (in the caller's scope), respondents so far against the 30 the regulation asks.
 */
export async function periodProgress(db: Queryable, principal: Principal, periodId: string) {
  const scope = unitScopeCondition(principal, sql`u.path`)
  const list = await queryRows<{
    unit_id: string
    unit_name: string
    campaign_id: string | null
    campaign_name: string | null
    opens_at: Date | string | null
    closes_at: Date | string | null
    justified: boolean | null
    respondents: number | null
  }>(
    db,
    sql`with unit_ids as (
          select unit_id from assessments where period_id = ${periodId}::uuid
          union select unit_id from survey_campaigns where period_id = ${periodId}::uuid
        )
        select u.id as unit_id, u.name as unit_name, c.id as campaign_id, c.name as campaign_name,
               c.opens_at, c.closes_at, c.justification is not null as justified,
               (select count(*) from survey_responses r where r.campaign_id = c.id and r.voided_at is null)::int as respondents
          from unit_ids x
          join units u on u.id = x.unit_id
          left join survey_campaigns c on c.unit_id = u.id and c.period_id = ${periodId}::uuid
         where ${scope ?? sql`true`}
         order by u.name, u.id, c.created_at`,
  )
  const now = new Date()
  return {
    period_id: periodId,
    minimum: MIN_RESPONDENTS,
    units: list.map((r) => {
      const respondents = Number(r.respondents ?? 0)
      const opens = r.opens_at ? new Date(r.opens_at) : null
      const closes = r.closes_at ? new Date(r.closes_at) : null
      return {
        unit_id: r.unit_id,
        unit_name: r.unit_name,
        campaign_id: r.campaign_id,
        campaign_name: r.campaign_name,
        state: (!opens || !closes
          ? null
          : now < opens
            ? 'scheduled'
            : now >= closes
              ? 'closed'
              : 'open') as WindowState | null,
        respondents,
        minimum: MIN_RESPONDENTS,
        percent_of_minimum: Math.min(100, Math.round((respondents / MIN_RESPONDENTS) * 100)),
        reached: respondents >= MIN_RESPONDENTS,
        justified: Boolean(r.justified),
      }
    }),
  }
}
