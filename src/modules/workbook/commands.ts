import { eq } from 'drizzle-orm'
import { audit, type CommandContext } from '../../lib/command.js'
import { writeStageAnswers, type StageAnswersResult } from '../assessments/commands.js'
import type { StageKind } from '../assessments/rules.js'
import { stageAnswers } from '../assessments/service.js'
import { toEvidenceView } from '../evidence/service.js'
import { periods } from '../periods/tables.js'
import { identityMismatch, identityProblem, type IdentityField, type WorkbookIdentity } from './identity.js'
import { applyEvidencePlan, cellsInvalid, planEvidence, type ReadResult } from './imports.js'
import { cellPointer } from './service.js'
import type { AreaCode } from '../instruments/domain/areas.js'
import { recordReviewChange } from '../review/commands.js'
import type { AreaChange } from '../review/rules.js'
import { writeAreaReviews } from '../review/service.js'

/** who may add evidence items, as the evidence routes' writers */
const EVIDENCE_CREATORS: readonly string[] = ['admin', 'unit_operator']

export interface ImportWorkbookInput {
  assessmentId: string
  stage: StageKind
  /** the file as received, for the audit record */
  file: { name: string; bytes: number }
  /** the file as read (parsed before the transaction: see imports.ts readUpload) */
  read: ReadResult
  /** the stage's ETag of the export (If-Match): 412 when the stage changed since */
  ifMatch?: string | undefined
  dryRun?: boolean
  /** import a file whose unit, period or stage is another's (recorded in the audit record) */
  identityOverride?: boolean
}

export interface ImportWorkbookResult extends StageAnswersResult {
  /** a tpi stage's per-area review as the file carried it: the areas changed (in a dry run: that would change); null when the file has none */
  review: { changed: AreaCode[]; diff: AreaChange[] } | null
  /** link evidence items created (in a dry run: that would be created) */
  evidenceCreated: number
  /** the file's identity, where it differs from the target, and whether the override was used */
  identity: { file: WorkbookIdentity; mismatch: IdentityField[]; override: boolean } | null
}

/**
 * Imports a read workbook into a stage through writeStageAnswers (the same checks, no-op rule,
 * dry run, audit and event as the batch route). Inside the transaction: the file's unit, period
 * and stage against the target (409 workbook_identity_mismatch unless overridden), the evidence
 * cells matched against the unit's items (a cell matching nothing refuses the whole import), new
 * link items created (not in a dry run: their URLs show in the diff), then every row as an item:
 * only those whose value, note or evidence differ are written.
 */
export async function importStageWorkbook(
  ctx: CommandContext,
  input: ImportWorkbookInput,
): Promise<ImportWorkbookResult> {
  const { rows, layout } = input.read
  let evidenceCreated = 0
  let identity: ImportWorkbookResult['identity'] = null
  let review: ImportWorkbookResult['review'] = null
  const result = await writeStageAnswers(ctx, {
    assessmentId: input.assessmentId,
    stage: input.stage,
    ifMatch: input.ifMatch,
    dryRun: input.dryRun ?? false,
    action: 'answers.workbook_imported',
    eventData: { source: 'workbook' },
    prepare: async (tx, target, dryRun) => {
      const claimed = input.read.identity
      if (claimed) {
        const [period] = await tx
          .select({ code: periods.code })
          .from(periods)
          .where(eq(periods.id, target.assessment.periodId))
        const want = {
          unit_code: target.unit.code,
          period_code: period?.code ?? '',
          stage: target.stage.kind,
          assessment_id: target.assessment.id,
        }
        const mismatch = identityMismatch(claimed, want)
        if (mismatch.length > 0 && !input.identityOverride) throw identityProblem(claimed, want, mismatch)
        identity = { file: claimed, mismatch, override: mismatch.length > 0 }
      }
      const { plan, errors } = await planEvidence(
        tx,
        target.unit,
        target.assessment.periodId,
        rows,
        EVIDENCE_CREATORS.includes(ctx.principal.role),
      )
      if (errors.length > 0) throw cellsInvalid(errors)
      if (input.read.areas && target.stage.kind === 'tpi') {
        // the per-area review in the same transaction: all or nothing with the answers
        const areas = input.read.areas
        const outcome = await writeAreaReviews(
          tx,
          { principal: ctx.principal, stage: target.stage },
          areas.map((a) => ({ area: a.area, conclusion: a.conclusion, recommendations: a.recommendations })),
          {
            dryRun,
            pointerOf: (i, field) =>
              cellPointer(
                areas[i]!.sheet,
                field === 'conclusion' ? areas[i]!.conclusionCell : areas[i]!.recommendationsCell,
              ),
          },
        )
        if (!dryRun)
          await recordReviewChange(tx, ctx, target, outcome, {
            eventData: { source: 'workbook' },
            audit: { file: { name: input.file.name, bytes: input.file.bytes, layout } },
          })
        review = { changed: outcome.changes.map((c) => c.area), diff: outcome.changes }
      }
      const stored = await stageAnswers(tx, target.stage.id)
      let byQuestion: Map<string, string[]>
      if (dryRun) {
        // what would be created shows by its URL
        byQuestion = new Map([...plan.byQuestion].map(([k, v]) => [k, [...v]]))
        for (const c of plan.create)
          for (const code of c.codes) byQuestion.set(code, [...(byQuestion.get(code) ?? []), c.url])
        evidenceCreated = plan.create.length
      } else {
        const applied = await applyEvidencePlan(
          tx,
          ctx.principal,
          target.unit.id,
          target.assessment.periodId,
          plan,
          (created) =>
            audit(tx, ctx, {
              action: 'evidence.created',
              entityType: 'evidence',
              entityId: created.id,
              before: null,
              after: toEvidenceView(created),
            }),
        )
        byQuestion = applied.byQuestion
        evidenceCreated = applied.created
      }
      const items = rows.map((r) => {
        const ids = byQuestion.get(r.question_code)
        return {
          question_code: r.question_code,
          value: r.value,
          ...(r.keepNote ? {} : { note: r.note }),
          ...(r.recommendation !== undefined ? { recommendation: r.recommendation } : {}),
          ...(ids !== undefined ? { evidence_ids: ids } : {}),
        }
      })
      return {
        items,
        stored,
        ...(dryRun ? { pendingEvidence: new Set(plan.create.map((c) => c.url)) } : {}),
        pointerOf: (i, field) => {
          const r = rows[i]!
          return cellPointer(
            r.sheet,
            field === 'note'
              ? r.noteCell
              : field === 'recommendation'
                ? (r.recommendationCell ?? r.cell)
                : field.startsWith('evidence_ids')
                  ? (r.evidence?.cell ?? r.cell)
                  : r.cell,
          )
        },
        audit: {
          file: { name: input.file.name, bytes: input.file.bytes, layout },
          ...(identity ? { identity } : {}),
        },
      }
    },
  })
  return { ...result, evidenceCreated, identity, review }
}
