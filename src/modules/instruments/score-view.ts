import type { Static } from 'typebox'
import { ProblemError } from '../../lib/problem.js'
import {
  evaluateEligibility,
  scoreInstrument,
  validateAnswers,
  type AnswerValue,
  type InstrumentDefinition,
  type ScoreResult,
} from './domain/index.js'
import type { ScoreView } from './schemas.js'
import { msg } from '../../lib/i18n.js'

export type ScoreResponse = Static<typeof ScoreView>

/** 422 listing every answer that is not valid for its question (unknown code, value outside its type). */
export function assertAnswersValid(
  def: InstrumentDefinition,
  answers: Record<string, AnswerValue>,
  pointerPrefix: string,
): void {
  const issues = validateAnswers(def, answers)
  if (issues.length > 0) {
    throw new ProblemError(
      422,
      'answers_invalid',
      msg('instruments:answers_invalid', {
        count: issues.length,
        issues: issues
          .slice(0, 3)
          .map((i) => i.message)
          .join('; '),
        more: issues.length > 3 ? '; …' : '',
      }),
      {
        errors: issues.map((i) => ({ pointer: `${pointerPrefix}${i.pointer}`, rule: i.code, message: i.message })),
      },
    )
  }
}

/** The API's view of a score: totals per komponen/sub-komponen, eligibility, and optionally the full explanation. */
export function scoreView(def: InstrumentDefinition, result: ScoreResult, explain: boolean): ScoreResponse {
  const names = new Map(def.nodes.map((n) => [n.code, n.name]))
  const view: ScoreResponse = {
    total: result.total,
    max_total: result.maxTotal,
    components: result.nodes
      .filter((n) => n.level === 'komponen' || n.level === 'sub_komponen')
      .map((n) => ({
        code: n.code,
        name: names.get(n.code) ?? n.code,
        level: n.level,
        value: n.value,
        max: n.max ?? 0,
      })),
    unanswered: result.unanswered,
    eligibility: evaluateEligibility(def, result),
  }
  if (explain) {
    view.explanation = {
      nodes: result.nodes.map((n) => ({
        code: n.code,
        level: n.level,
        value: n.value,
        max: n.max,
        combine: n.combine,
        children: n.children,
        text: n.explanation,
      })),
      questions: result.questions.map((q) => ({
        code: q.code,
        answer: q.answer,
        answered: q.answered,
        multiplier: q.multiplier,
        value: q.value,
        ...(q.explanation ? { text: q.explanation } : {}),
      })),
    }
  }
  return view
}

export function scoreAnswerSet(
  def: InstrumentDefinition,
  answers: Record<string, AnswerValue>,
  opts: { explain: boolean; pointerPrefix: string },
): ScoreResponse {
  assertAnswersValid(def, answers, opts.pointerPrefix)
  return scoreView(def, scoreInstrument(def, answers, { explain: opts.explain }), opts.explain)
}
