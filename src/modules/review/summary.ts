/**
 * The TPI's review of a stage as other modules read it (the LHE report): per area perubahan the
 * conclusion and recommendations, and per question the note (catatan) and recommendation
 * (rekomendasi). Read-only; no scope checks (the caller has already loaded the stage in scope).
 */
import { and, asc, eq, isNotNull, or } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { notFound } from '../../lib/problem.js'
import { answers, assessmentStages, assessments } from '../assessments/tables.js'
import { loadDefinition } from '../instruments/cache.js'
import { AREA_CODES, type AreaCode, areaOf } from '../instruments/domain/areas.js'
import { indexTree } from '../instruments/domain/index.js'
import { stageAreaReviews, stageReviews } from './tables.js'

export interface AreaReview {
  area: AreaCode
  conclusion: string | null
  recommendations: string[]
  updatedAt: string | null
  updatedBy: string | null
}

export interface QuestionReview {
  questionCode: string
  area: AreaCode | null
  /** the TPI's catatan (the answer's note) */
  note: string | null
  recommendation: string | null
}

export interface StageReview {
  stageId: string
  /** the six areas in AREA_CODES order, empty ones included */
  areas: AreaReview[]
  /** only questions with a note or a recommendation, in the instrument's order */
  questions: QuestionReview[]
}

/** A stage's review: every area (empty ones too) and the questions with a note or recommendation. */
export async function stageReview(db: Queryable, stageId: string): Promise<StageReview> {
  const [stage] = await db
    .select({ id: assessmentStages.id, instrumentVersionId: assessments.instrumentVersionId })
    .from(assessmentStages)
    .innerJoin(assessments, eq(assessments.id, assessmentStages.assessmentId))
    .where(eq(assessmentStages.id, stageId))
  if (!stage) throw notFound('stage', stageId)
  const [areaRows, answerRows, def] = await Promise.all([
    db
      .select()
      .from(stageAreaReviews)
      .innerJoin(stageReviews, eq(stageReviews.stageId, stageAreaReviews.stageId))
      .where(eq(stageAreaReviews.stageId, stageId)),
    db
      .select({ code: answers.questionCode, note: answers.note, recommendation: answers.recommendation })
      .from(answers)
      .where(and(eq(answers.stageId, stageId), or(isNotNull(answers.note), isNotNull(answers.recommendation))))
      .orderBy(asc(answers.questionCode)),
    loadDefinition(db, stage.instrumentVersionId),
  ])
  const byArea = new Map(areaRows.map((r) => [r.stage_area_reviews.area, r.stage_area_reviews]))
  const areas = AREA_CODES.map((area): AreaReview => {
    const row = byArea.get(area)
    return {
      area,
      conclusion: row?.conclusion ?? null,
      recommendations: row?.recommendations ?? [],
      updatedAt: row ? row.updatedAt.toISOString() : null,
      updatedBy: row ? row.updatedByName : null,
    }
  })
  const index = indexTree(def)
  const position = new Map(index.ordered.map((node, i) => [node.code, i]))
  const rank = (code: string) => position.get(code) ?? Number.MAX_SAFE_INTEGER
  const questions = answerRows
    .filter((r) => (r.note ?? '').trim() !== '' || (r.recommendation ?? '').trim() !== '')
    .sort((a, b) => rank(a.code) - rank(b.code) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((r): QuestionReview => {
      const node = index.byCode.get(r.code)
      return {
        questionCode: r.code,
        area: node ? areaOf(index, node) : null,
        note: r.note,
        recommendation: r.recommendation,
      }
    })
  return { stageId, areas, questions }
}
