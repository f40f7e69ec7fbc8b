import type { Tx } from '../../db/connection.js'
import type { Principal } from '../../lib/principal.js'
import { windowFor } from '../assessments/rules.js'
import { assertCanWriteStage, loadAssessment, loadDefinition, loadStage, writeAnswers } from '../assessments/service.js'
import { assertWindowOpen } from '../periods/service.js'

/**
 * The one place the survey writes into the LKE: one answer of the unit's self stage, through the
 * assessments' own answer-write path (its writers, its window, its checks and re-scoring). When
 * the assessments' writes become commands, repoint this function and nothing else.
 */
export async function writeSelfStageAnswer(
  tx: Tx,
  principal: Principal,
  assessmentId: string,
  answer: { question_code: string; value: number; note: string },
) {
  const { assessment, unit } = await loadAssessment(tx, principal, assessmentId)
  const stage = await loadStage(tx, assessment.id, 'self', { forUpdate: true })
  assertCanWriteStage(principal, stage)
  await assertWindowOpen(tx, assessment.periodId, windowFor(stage.kind, stage.status))
  const def = await loadDefinition(tx, assessment.instrumentVersionId)
  const result = await writeAnswers(
    tx,
    { principal, stage, def, unitPath: unit.path, assessment },
    [answer],
    (_i, f) => (f === 'question_code' ? '/body/kind' : `/body/${f}`),
  )
  return { assessment, ...result }
}
