import { asc, eq, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { etagMatches, versionEtag } from '../../lib/etag.js'
import { msg } from '../../lib/i18n.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError } from '../../lib/problem.js'
import { assertReturned } from '../../lib/returned.js'
import type { StageKind } from '../assessments/rules.js'
import { assertCanReadStage, loadAssessment, loadStage, stageView, type StageRow } from '../assessments/service.js'
import { AREA_CODES, AREA_NAMES, type AreaCode } from '../instruments/domain/areas.js'
import { areaChange, checkAreaWrites, inAreaOrder, isReviewedStage, type AreaChange, type AreaWrite } from './rules.js'
import { stageReview } from './summary.js'
import { stageAreaReviews, stageReviews } from './tables.js'

export type ReviewRow = typeof stageReviews.$inferSelect
export type AreaReviewRow = typeof stageAreaReviews.$inferSelect

/** A stage's review header (null before the first write) and its areas, optionally locked for a write. */
export async function loadReview(
  db: Queryable,
  stageId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<{ review: ReviewRow | null; areas: AreaReviewRow[] }> {
  const query = db.select().from(stageReviews).where(eq(stageReviews.stageId, stageId))
  const [review] = opts.forUpdate ? await query.for('update') : await query
  if (!review) return { review: null, areas: [] }
  const areas = await db
    .select()
    .from(stageAreaReviews)
    .where(eq(stageAreaReviews.stageId, stageId))
    .orderBy(asc(stageAreaReviews.area))
  return { review, areas }
}

/** The review's version (its ETag): 0 before the first write. */
export const reviewVersion = (review: ReviewRow | null): number => review?.version ?? 0

export function areaView(area: AreaCode, row: AreaReviewRow | undefined) {
  return {
    area,
    name: AREA_NAMES[area],
    conclusion: row?.conclusion ?? null,
    recommendations: row?.recommendations ?? [],
    version: row?.version ?? 0,
    updated_at: row ? row.updatedAt.toISOString() : null,
    updated_by: row ? row.updatedByName : null,
  }
}

/** The review as the API answers it: all six areas (empty ones too) and the questions' notes and recommendations. */
export async function reviewView(db: Queryable, stage: StageRow) {
  const { review, areas } = await loadReview(db, stage.id)
  const summary = await stageReview(db, stage.id)
  const byArea = new Map(areas.map((a) => [a.area, a]))
  return {
    stage: stageView(stage),
    version: reviewVersion(review),
    updated_at: review ? review.updatedAt.toISOString() : null,
    updated_by: review ? review.updatedByName : null,
    areas: AREA_CODES.map((area) => areaView(area, byArea.get(area))),
    questions: summary.questions.map((q) => ({
      question_code: q.questionCode,
      area: q.area,
      note: q.note,
      recommendation: q.recommendation,
    })),
  }
}

export type ReviewView = Awaited<ReturnType<typeof reviewView>>

export interface AreaWriteOutcome {
  /** the review after the write (as it was when nothing changed or in a dry run) */
  review: ReviewRow | null
  /** each area the write changes (would change, in a dry run), from what to what */
  changes: AreaChange[]
}

/**
 * Writes areas of a locked, writable stage's review: only the areas that change are written,
 * each area's version and the review's version move once; when none changes nothing is written
 * (no version moves). The review's If-Match (when sent) must name its version (0 before the first
 * write): 412 otherwise. The caller holds the transaction and has checked who writes the stage.
 */
export async function writeAreaReviews(
  tx: Queryable,
  ctx: { principal: Principal; stage: StageRow },
  writes: readonly AreaWrite[],
  opts: { ifMatch?: string | undefined; dryRun?: boolean; pointerOf?: (i: number, field: string) => string } = {},
): Promise<AreaWriteOutcome> {
  const pointerOf = opts.pointerOf ?? ((i: number, field: string) => `/body/areas/${i}/${field}`)
  const problems = checkAreaWrites(writes)
  if (problems.length > 0)
    throw new ProblemError(422, 'review_invalid', msg('review:invalid', { count: problems.length }), {
      errors: problems.map((p) => ({
        pointer: pointerOf(p.index, p.field),
        rule: p.rule,
        message: msg(`review:rule.${p.rule}`),
      })),
    })
  const { review, areas } = await loadReview(tx, ctx.stage.id, { forUpdate: true })
  const version = reviewVersion(review)
  if (opts.ifMatch !== undefined && !etagMatches(opts.ifMatch, versionEtag({ version })))
    throw new ProblemError(412, 'precondition_failed', msg('review:stale', { version }), { current_version: version })
  const byArea = new Map(areas.map((a) => [a.area, a]))
  const changes = writes.flatMap((w) => areaChange(byArea.get(w.area), w) ?? [])
  if (opts.dryRun || changes.length === 0) return { review, changes: inAreaOrder(changes) }
  const who = { updatedBy: ctx.principal.principalId, updatedByName: ctx.principal.name }
  const [header] = await tx
    .insert(stageReviews)
    .values({ stageId: ctx.stage.id, ...who })
    .onConflictDoUpdate({
      target: stageReviews.stageId,
      set: { ...who, updatedAt: sql`now()`, version: sql`${stageReviews.version} + 1` },
    })
    .returning()
  assertReturned(header, 'insert')
  await tx
    .insert(stageAreaReviews)
    .values(changes.map((c) => ({ stageId: ctx.stage.id, area: c.area, ...c.to, ...who })))
    .onConflictDoUpdate({
      target: [stageAreaReviews.stageId, stageAreaReviews.area],
      set: {
        conclusion: sql`excluded.conclusion`,
        recommendations: sql`excluded.recommendations`,
        updatedBy: sql`excluded.updated_by`,
        updatedByName: sql`excluded.updated_by_name`,
        updatedAt: sql`now()`,
        version: sql`${stageAreaReviews.version} + 1`,
      },
    })
  return { review: header, changes: inAreaOrder(changes) }
}

/** 422 for a stage that is not reviewed per area (only tpi is). */
export function assertReviewedStage(kind: StageKind): void {
  if (!isReviewedStage(kind))
    throw new ProblemError(422, 'review_not_for_stage', msg('review:not_for_stage', { stage: kind }), {
      errors: [{ pointer: '/params/stage', rule: 'review_not_for_stage', message: msg('review:only_tpi') }],
    })
}

/** The review of an assessment's stage as the caller may read it (scope 404; a unit operator does not see a tpi draft). */
export async function readReview(db: Queryable, principal: Principal, assessmentId: string, kind: StageKind) {
  // Scope first: an assessment out of the caller's scope is 404 whatever stage is asked for.
  const { assessment } = await loadAssessment(db, principal, assessmentId)
  assertReviewedStage(kind)
  const stage = await loadStage(db, assessment.id, kind)
  assertCanReadStage(principal, stage)
  return reviewView(db, stage)
}
