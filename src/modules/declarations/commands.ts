import type { Tx } from '../../db/connection.js'
import { audit, event, type CommandContext } from '../../lib/command.js'
import { checkIfMatch } from '../../lib/etag.js'
import { declarationEvent } from '../events/service.js'
import type { CreateDeclarationBody, PatchDeclarationBody, TransitionBody } from './schemas.js'
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
