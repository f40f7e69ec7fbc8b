import type { Tx } from '../../db/connection.js'
import { audit, event, type CommandContext } from '../../lib/command.js'
import { lockWritableStage } from '../assessments/commands.js'
import { stageEvent } from '../assessments/events.js'
import type { StageKind } from '../assessments/rules.js'
import type { AssessmentRow, StageRow } from '../assessments/service.js'
import type { AreaWrite } from './rules.js'
import { loadAssessment } from '../assessments/service.js'
import {
  assertReviewedStage,
  reviewVersion,
  reviewView,
  writeAreaReviews,
  type AreaWriteOutcome,
  type ReviewView,
} from './service.js'

export interface PutStageReviewInput {
  assessmentId: string
  stage: StageKind
  /** the areas to write; areas left out keep what they hold, and so do fields left out */
  areas: AreaWrite[]
  /** the review's ETag the caller read ("<version>", "0" before the first write): 412 when it changed since */
  ifMatch?: string | undefined
  /** check everything and return the diff, write nothing */
  dryRun?: boolean
}

export interface StageReviewResult {
  view: ReviewView
  outcome: AreaWriteOutcome
  dryRun: boolean
}

/**
 * The audit record and the event of a change to a stage's per-area review (the review route and
 * the workbook import): `stage.review_updated` in the audit chain, `stage.review_changed` in the
 * feed (restricted, like the stage's answers, while a tpi stage is a draft).
 */
export async function recordReviewChange(
  tx: Tx,
  ctx: CommandContext,
  target: { assessment: AssessmentRow; stage: StageRow },
  outcome: AreaWriteOutcome,
  extra: { eventData?: Record<string, unknown>; audit?: Record<string, unknown> } = {},
): Promise<void> {
  if (outcome.changes.length === 0) return
  const version = reviewVersion(outcome.review)
  await audit(tx, ctx, {
    action: 'stage.review_updated',
    entityType: 'assessment_stage',
    entityId: target.stage.id,
    before: outcome.changes.map((c) => ({ area: c.area, ...(c.from ?? { conclusion: null, recommendations: [] }) })),
    after: { ...extra.audit, review_version: version, areas: outcome.changes.map((c) => ({ area: c.area, ...c.to })) },
  })
  await event(
    tx,
    ctx,
    stageEvent('stage.review_changed', target.assessment, target.stage, {
      review_version: version,
      areas: outcome.changes.map((c) => c.area),
      ...extra.eventData,
    }),
  )
}

/**
 * Writes the TPI's conclusion and recommendations of areas of a tpi stage (PUT …/stages/tpi/review):
 * the stage's writers (evaluators, admins) while it is a draft or returned and its window is open,
 * as its answers. Areas that change nothing are not written; when none changes there is no trace
 * (no version moves, no audit record, no event).
 */
export async function putStageReview(ctx: CommandContext, input: PutStageReviewInput): Promise<StageReviewResult> {
  const dryRun = input.dryRun ?? false
  return ctx.db.transaction(async (tx) => {
    // Scope first (404 out of scope), then the stage's kind (422), then who may write it and when.
    await loadAssessment(tx, ctx.principal, input.assessmentId)
    assertReviewedStage(input.stage)
    const target = await lockWritableStage(tx, ctx, { assessmentId: input.assessmentId, stage: input.stage })
    const outcome = await writeAreaReviews(tx, { principal: ctx.principal, stage: target.stage }, input.areas, {
      ifMatch: input.ifMatch,
      dryRun,
    })
    if (!dryRun) await recordReviewChange(tx, ctx, target, outcome)
    return { view: await reviewView(tx, target.stage), outcome, dryRun }
  })
}
