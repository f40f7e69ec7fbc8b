/**
 * The change feed's vocabulary (plain data, no Fastify or database).
 *
 * | type | when | data |
 * |---|---|---|
 * | assessment.created | a unit's assessment opens (with its self stage) | assessment_id, stages |
 * | stage.started | a tpi / tpn / sanggah stage starts | assessment_id, stage_id, stage, status, version, total, copy_from |
 * | answer.changed | answers written (one, or a batch) or cleared | … stage fields, question_codes |
 * | stage.submitted / stage.returned / stage.approved | a stage moves | … stage fields, reason |
 * | stage.review_changed | the TPI's per-area conclusions or recommendations change (the review route, a workbook import) | … stage fields, review_version, areas, source? |
 * | declaration.created / declaration.updated | a declaration is made or edited | declaration_id, target, status, version |
 * | declaration.transitioned | a declaration moves along its lifecycle | … from, to, reason |
 * | survey.campaign_changed | a unit's survey campaign is created, changed or justified | campaign_id, action |
 * | survey.response_recorded | survey responses arrive (the public form, one; an import, many) | campaign_id, channel, count |
 * | survey.response_voided | a survey response is voided (with its reason) | campaign_id, response_id |
 | action.created | an action of a unit's rencana aksi is created (by hand, or from an improvement plan) | action_id, area, question_code, status, target_date, version, source |
 | action.updated | an action is edited (status, PIC, target date …; cancelling carries the reason) | … action fields, changed, from_status |
 | action.realisation_recorded | a month's realisation of an action is recorded or replaced | … action fields, month, progress_percent |
 | action.monitoring_noted | the TPI adds a monitoring note to an action | … action fields, note_id |
 */
export const EVENT_TYPES = [
  'assessment.created',
  'stage.started',
  'answer.changed',
  'stage.submitted',
  'stage.returned',
  'stage.approved',
  'stage.review_changed',
  'declaration.created',
  'declaration.updated',
  'declaration.transitioned',
  'survey.campaign_changed',
  'survey.response_recorded',
  'survey.response_voided',
  'action.created',
  'action.updated',
  'action.realisation_recorded',
  'action.monitoring_noted',
] as const
export type EventType = (typeof EVENT_TYPES)[number]

export const isEventType = (t: string): t is EventType => (EVENT_TYPES as readonly string[]).includes(t)

/** The feed cursor: the last event id served, as a decimal string. */
export function parseCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return 0
  if (!/^\d{1,18}$/.test(cursor)) return null
  return Number(cursor)
}
