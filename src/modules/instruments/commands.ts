import type { Static } from 'typebox'
import type { Tx } from '../../db/connection.js'
import { audit, type CommandContext } from '../../lib/command.js'
import { changePointers, type InstrumentDefinition } from './domain/index.js'
import type * as S from './schemas.js'
import {
  applyNodeChangesOr422,
  assertDraft,
  deleteVersion,
  importDefinition,
  insertVersion,
  loadVersion,
  nodeView,
  replacePredicateRules,
  saveDefinition,
  setStatus,
  summaryOf,
  type PointerMap,
} from './service.js'
import type { InstrumentVersionRow } from './tables.js'

/** What an instrument's audit rows carry: the summary, never the whole tree. */
const audited = (row: InstrumentVersionRow) => ({ ...summaryOf(row) })

/** Loads a version for writing (row lock). */
const lockVersion = (tx: Tx, id: string) => loadVersion(tx, id, { forUpdate: true })

/**
 * One edit of a draft version: the row locked, 409 unless a draft, the edited definition
 * validated whole (problems pointed at by `pointers`) and saved, the audit record written.
 */
function editDraft(
  ctx: CommandContext,
  id: string,
  edit: (current: InstrumentVersionRow) => { definition: InstrumentDefinition; pointers: PointerMap },
  record: (
    current: InstrumentVersionRow,
    updated: InstrumentVersionRow,
  ) => { action: string; before: unknown; after: unknown },
): Promise<InstrumentVersionRow> {
  return ctx.db.transaction(async (tx) => {
    const current = await lockVersion(tx, id)
    assertDraft(current)
    const { definition, pointers } = edit(current)
    const updated = await saveDefinition(tx, current, definition, pointers)
    await audit(tx, ctx, { entityType: 'instrument', entityId: current.id, ...record(current, updated) })
    return updated
  })
}

/**
 * Imports a PortalRB master soal document as a new draft (ratio formulas and predicate rules
 * carried from `overlay_from` when given); audited `instrument.imported`.
 */
export async function importInstrument(
  ctx: CommandContext,
  input: { document: Static<typeof S.MasterSoalDocument> } & Static<typeof S.ImportQuery>,
): Promise<InstrumentVersionRow> {
  return ctx.db.transaction(async (tx) => {
    const overlayFrom = input.overlay_from ? (await loadVersion(tx, input.overlay_from)).definition : undefined
    const definition = importDefinition(input.document, { code: input.code, name: input.name, overlayFrom })
    const created = await insertVersion(tx, {
      definition,
      source: 'import',
      codePointer: input.code ? '/query/code' : '/body/tahun',
    })
    await audit(tx, ctx, {
      action: 'instrument.imported',
      entityType: 'instrument',
      entityId: created.id,
      before: null,
      after: audited(created),
    })
    return created
  })
}

/** Renames a draft; audited `instrument.updated`. */
export function updateInstrument(
  ctx: CommandContext,
  input: { id: string } & Static<typeof S.PatchInstrumentBody>,
): Promise<InstrumentVersionRow> {
  return editDraft(
    ctx,
    input.id,
    (current) => ({
      definition: { ...current.definition, ...(input.name ? { name: input.name } : {}) },
      pointers: '/body',
    }),
    (current, updated) => ({ action: 'instrument.updated', before: audited(current), after: audited(updated) }),
  )
}

/** Edits nodes of a draft, all together then validated whole; audited `instrument.nodes_updated`. */
export function updateInstrumentNodes(
  ctx: CommandContext,
  input: { id: string } & Static<typeof S.PatchNodesBody>,
): Promise<InstrumentVersionRow> {
  const { changes } = input
  return editDraft(
    ctx,
    input.id,
    (current) => {
      const definition = applyNodeChangesOr422(current.definition, changes)
      return { definition, pointers: changePointers(definition, changes) }
    },
    (current, updated) => ({
      action: 'instrument.nodes_updated',
      before: {
        ...audited(current),
        nodes: changes.map((c) => nodeView(current.definition.nodes.find((n) => n.code === c.code)!)),
      },
      after: { ...audited(updated), changes },
    }),
  )
}

/** Replaces a draft's WBK/WBBM predicate rules; audited `instrument.predicate_rules_replaced`. */
export function putInstrumentPredicateRules(
  ctx: CommandContext,
  input: { id: string } & Static<typeof S.PredicateRulesBody>,
): Promise<InstrumentVersionRow> {
  // The definition's /predicateRules/… is the body's /rules/… (the prefix '/body' alone gave /body/predicateRules/…).
  const toBody = (p: string) =>
    p.startsWith('/predicateRules') ? `/body/rules${p.slice('/predicateRules'.length)}` : `/definition${p}`
  return editDraft(
    ctx,
    input.id,
    (current) => ({ definition: replacePredicateRules(current.definition, input.rules), pointers: toBody }),
    (current, updated) => ({
      action: 'instrument.predicate_rules_replaced',
      before: { ...audited(current), predicate_rules: current.definition.predicateRules },
      after: { ...audited(updated), predicate_rules: updated.definition.predicateRules },
    }),
  )
}

/** Clones a version into a new draft (the way to correct a published one); audited `instrument.cloned`. */
export async function cloneInstrument(
  ctx: CommandContext,
  input: { id: string } & Static<typeof S.CloneBody>,
): Promise<InstrumentVersionRow> {
  return ctx.db.transaction(async (tx) => {
    const source = await loadVersion(tx, input.id)
    const definition: InstrumentDefinition = {
      ...source.definition,
      code: input.code,
      name: input.name ?? source.definition.name,
    }
    const created = await insertVersion(tx, {
      definition,
      source: 'clone',
      clonedFromId: source.id,
      codePointer: '/body/code',
    })
    await audit(tx, ctx, {
      action: 'instrument.cloned',
      entityType: 'instrument',
      entityId: created.id,
      before: null,
      after: { ...audited(created), cloned_from: source.code },
    })
    return created
  })
}

/**
 * Publishes a draft or retires a published version; audited `instrument.published` /
 * `instrument.retired`. Asking for the status it already has changes nothing and leaves no trace.
 */
export async function setInstrumentStatus(
  ctx: CommandContext,
  input: { id: string; to: 'published' | 'retired' },
): Promise<InstrumentVersionRow> {
  return ctx.db.transaction(async (tx) => {
    const current = await lockVersion(tx, input.id)
    const updated = await setStatus(tx, current, input.to)
    if (updated !== current) {
      await audit(tx, ctx, {
        action: `instrument.${input.to}`,
        entityType: 'instrument',
        entityId: current.id,
        before: audited(current),
        after: audited(updated),
      })
    }
    return updated
  })
}

/** Deletes a draft or retired version nothing uses; audited `instrument.deleted`. */
export async function deleteInstrument(ctx: CommandContext, input: { id: string }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const current = await lockVersion(tx, input.id)
    await deleteVersion(tx, current)
    await audit(tx, ctx, {
      action: 'instrument.deleted',
      entityType: 'instrument',
      entityId: current.id,
      before: audited(current),
      after: null,
    })
  })
}
