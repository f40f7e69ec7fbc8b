import type { Tx } from '../../db/connection.js'
import type { CommandContext } from '../../lib/command.js'
import { lockWritableStage } from '../assessments/commands.js'
import { writeAnswers } from '../assessments/service.js'

/**
 * The one place the survey writes into the LKE: one answer of the unit's self stage, inside the
 * survey command's transaction, through the assessments' own stage-write preamble
 * (lockWritableStage: scope, lock, writer, window, definition) and answer write (re-scoring, the
 * no-op rule).
 */
export async function writeSelfStageAnswer(
  tx: Tx,
  ctx: CommandContext,
  assessmentId: string,
  answer: { question_code: string; value: number; note: string },
) {
  const { assessment, unit, stage, def } = await lockWritableStage(tx, ctx, { assessmentId, stage: 'self' })
  const result = await writeAnswers(
    tx,
    { principal: ctx.principal, stage, def, unitPath: unit.path, assessment },
    [answer],
    (_i, f) => (f === 'question_code' ? '/body/kind' : `/body/${f}`),
  )
  return { assessment, ...result }
}
