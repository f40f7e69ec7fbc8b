import { inArray } from 'drizzle-orm'
import type { Tx } from '../../db/connection.js'
import { audit, event, type CommandContext } from '../../lib/command.js'
import { checkIfMatch } from '../../lib/etag.js'
import { ProblemError, type FieldError } from '../../lib/problem.js'
import { isUnitInScope } from '../auth/scope.js'
import { declarationEvent } from '../events/service.js'
import { checkPeriodExists } from '../evidence/service.js'
import { units } from '../units/tables.js'
import type {
  CreateDeclarationBody,
  DeclareManyBody,
  DeclareManyVerdict,
  PatchDeclarationBody,
  TransitionBody,
} from './schemas.js'
import {
  applyTransition,
  insertDeclaration,
  loadHistory,
  loadVisibleDeclaration,
  patchDeclaration,
  toDeclarationView,
} from './service.js'
import type { DeclarationRow, DeclarationTransitionRow } from './tables.js'

/**
 * The pencanangan's writes. Each exported command owns its transaction; the `…Step` functions are
 * the same write inside a caller's transaction (mass pencanangan runs one per unit in a single
 * transaction), so a declaration made in bulk leaves the audit record and the event a single call
 * leaves.
 */

/** A declaration with its history (oldest first), as the create and transition answers show it. */
export interface DeclarationWithHistory {
  declaration: DeclarationRow
  history: DeclarationTransitionRow[]
}

export interface DeclarationTarget {
  id: string
  ifMatch?: string | undefined
}

export async function createDeclarationStep(
  tx: Tx,
  ctx: CommandContext,
  input: CreateDeclarationBody,
): Promise<DeclarationRow> {
  const created = await insertDeclaration(tx, ctx.principal, input)
  await audit(tx, ctx, {
    action: 'declaration.created',
    entityType: 'declaration',
    entityId: created.id,
    before: null,
    after: toDeclarationView(created, ctx.principal),
  })
  await event(tx, ctx, declarationEvent('declaration.created', created, {}))
  return created
}

export const createDeclaration = (ctx: CommandContext, input: CreateDeclarationBody): Promise<DeclarationWithHistory> =>
  ctx.db.transaction(async (tx) => {
    const declaration = await createDeclarationStep(tx, ctx, input)
    return { declaration, history: await loadHistory(tx, declaration.id) }
  })

/** Changes target, date, documents or notes while the declaration is declared or building. */
export const updateDeclaration = (
  ctx: CommandContext,
  target: DeclarationTarget,
  patch: PatchDeclarationBody,
): Promise<DeclarationRow> =>
  ctx.db.transaction(async (tx) => {
    const { declaration } = await loadVisibleDeclaration(tx, ctx.principal, target.id, { forUpdate: true })
    checkIfMatch(target.ifMatch, declaration, 'declaration')
    const updated = await patchDeclaration(tx, declaration, patch)
    await audit(tx, ctx, {
      action: 'declaration.updated',
      entityType: 'declaration',
      entityId: declaration.id,
      before: toDeclarationView(declaration, ctx.principal),
      after: toDeclarationView(updated, ctx.principal),
    })
    await event(tx, ctx, declarationEvent('declaration.updated', updated, {}))
    return updated
  })

/** A plain move along the lifecycle (declared → building); the reason goes into the history. */
export async function transitionDeclarationStep(
  tx: Tx,
  ctx: CommandContext,
  target: DeclarationTarget,
  input: TransitionBody,
): Promise<DeclarationRow> {
  const { declaration } = await loadVisibleDeclaration(tx, ctx.principal, target.id, { forUpdate: true })
  checkIfMatch(target.ifMatch, declaration, 'declaration')
  const moved = await applyTransition(tx, ctx.principal, declaration, input)
  await audit(tx, ctx, {
    action: 'declaration.transitioned',
    entityType: 'declaration',
    entityId: declaration.id,
    before: toDeclarationView(declaration, ctx.principal),
    after: { ...toDeclarationView(moved, ctx.principal), reason: input.reason },
  })
  await event(
    tx,
    ctx,
    declarationEvent('declaration.transitioned', moved, {
      from: declaration.status,
      to: moved.status,
      reason: input.reason,
    }),
  )
  return moved
}

export const transitionDeclaration = (
  ctx: CommandContext,
  target: DeclarationTarget,
  input: TransitionBody,
): Promise<DeclarationWithHistory> =>
  ctx.db.transaction(async (tx) => {
    const declaration = await transitionDeclarationStep(tx, ctx, target, input)
    return { declaration, history: await loadHistory(tx, declaration.id) }
  })

// --- Mass pencanangan ----------------------------------------------------------------------------

export interface DeclareManyOutcome {
  dryRun: boolean
  /** every unit's verdict, in the request's order */
  verdicts: DeclareManyVerdict[]
  /** true when nothing was written because a unit was refused */
  refused: boolean
}

/** A unit's problem, its pointers moved to where the batch request says it (/body/units/<i>/…). */
function unitProblem(error: ProblemError, index: number, sharedDocuments: number): DeclareManyVerdict['problem'] {
  const at = (pointer: string): string => {
    const doc = /^\/body\/documents\/(\d+)(.*)$/.exec(pointer)
    if (doc) {
      const j = Number(doc[1])
      return j < sharedDocuments
        ? `/body/documents/${j}${doc[2]}`
        : `/body/units/${index}/documents/${j - sharedDocuments}${doc[2]}`
    }
    if (pointer === '/body/period_id' || pointer === '/body/declared_on') return pointer
    return pointer.replace(/^\/body\//, `/body/units/${index}/`)
  }
  const errors = Array.isArray(error.extra.errors) ? (error.extra.errors as FieldError[]) : []
  return {
    status: error.status,
    code: error.code,
    detail: error.message,
    errors: errors.map((e) => ({ ...e, pointer: at(e.pointer) })),
  }
}

class Rollback extends Error {
  constructor(readonly verdicts: DeclareManyVerdict[]) {
    super('rollback')
  }
}

/**
 * Mass pencanangan: many units of one period declared in one transaction, each through the same
 * step as POST /v1/declarations (its checks, its audit record, its event), all or nothing. Each
 * unit runs in a savepoint so that every refusal is found, not only the first; a dry run (or any
 * refusal) rolls the whole transaction back and answers the verdicts.
 */
export async function declareMany(ctx: CommandContext, input: DeclareManyBody): Promise<DeclareManyOutcome> {
  const shared = input.documents ?? []
  const ids = [...new Set(input.units.map((u) => u.unit_id))]
  const known = new Map(
    (
      await ctx.db
        .select({ id: units.id, code: units.code, name: units.name, path: units.path })
        .from(units)
        .where(inArray(units.id, ids))
    )
      .filter((u) => isUnitInScope(ctx.principal, u.path))
      .map((u) => [u.id, u]),
  )
  try {
    const verdicts = await ctx.db.transaction(async (tx) => {
      await checkPeriodExists(tx, input.period_id)
      const out: DeclareManyVerdict[] = []
      for (const [index, u] of input.units.entries()) {
        const unit = known.get(u.unit_id)
        const base = { index, unit_id: u.unit_id, code: unit?.code ?? null, name: unit?.name ?? null, target: u.target }
        try {
          const row = await tx.transaction((step) =>
            createDeclarationStep(step, ctx, {
              unit_id: u.unit_id,
              period_id: input.period_id,
              target: u.target,
              declared_on: input.declared_on,
              documents: [...shared, ...(u.documents ?? [])],
              ...((u.notes ?? input.notes) !== undefined ? { notes: u.notes ?? input.notes } : {}),
            }),
          )
          out.push({ ...base, verdict: 'ok', declaration_id: input.dry_run ? null : row.id, problem: null })
        } catch (error) {
          if (!(error instanceof ProblemError)) throw error
          out.push({
            ...base,
            verdict: 'refused',
            declaration_id: null,
            problem: unitProblem(error, index, shared.length),
          })
        }
      }
      if (input.dry_run || out.some((v) => v.verdict === 'refused')) throw new Rollback(out)
      return out
    })
    return { dryRun: false, verdicts, refused: false }
  } catch (error) {
    if (!(error instanceof Rollback)) throw error
    return {
      dryRun: input.dry_run ?? false,
      verdicts: error.verdicts,
      refused: error.verdicts.some((v) => v.verdict === 'refused'),
    }
  }
}
