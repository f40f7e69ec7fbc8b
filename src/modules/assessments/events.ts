import { roundTo } from '../../lib/precision.js'
import type { EventType } from '../events/rules.js'
import type { EventInput } from '../events/service.js'
import { canRead, type StageKind, type StageStatus } from './rules.js'

interface StageLike {
  id: string
  kind: StageKind
  status: StageStatus
  version: number
  total: number | null
}

/** An event about a stage (started, answers changed, submitted/returned/approved). */
export function stageEvent(
  type: EventType,
  assessment: { id: string; periodId: string; unitId: string },
  stage: StageLike,
  extra: Record<string, unknown> = {},
  requestId?: string,
): EventInput {
  return {
    type,
    unitId: assessment.unitId,
    periodId: assessment.periodId,
    assessmentId: assessment.id,
    subject: { type: 'assessment_stage', id: stage.id },
    data: {
      assessment_id: assessment.id,
      stage_id: stage.id,
      stage: stage.kind,
      status: stage.status,
      version: stage.version,
      // Read by people (webhook receivers, feed readers): the score as responses carry it (docs/scoring.md).
      total: stage.total === null ? null : roundTo(stage.total, 2),
      ...extra,
    },
    restricted: !canRead(stage.kind, stage.status, 'unit_operator'),
    requestId: requestId ?? null,
  }
}
