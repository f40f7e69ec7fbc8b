import { createHash } from 'node:crypto'
import { and, asc, eq, gt, type SQL } from 'drizzle-orm'
import type { Db, Queryable } from '../../db/connection.js'
import { PG_FOREIGN_KEY_VIOLATION, PG_RESTRICT_VIOLATION, PG_UNIQUE_VIOLATION, pgError } from '../../lib/db-errors.js'
import { decodeCursor, finishPage } from '../../lib/pagination.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { appendAudit, canonicalJson, systemActor } from '../audit/service.js'
import {
  applyNodeChanges,
  carryOverlay,
  indexTree,
  importMasterSoal,
  type NodeChangeInput,
  InstrumentValidationError,
  overlayFromDefinition,
  validateInstrument,
  type InstrumentDefinition,
  type InstrumentNode,
  type PredicateRule,
  type ValidationIssue,
} from './domain/index.js'
import type { InstrumentNodeView, InstrumentSummary } from './schemas.js'
import { loadSeedInstrument } from './seed/index.js'
import { instrumentVersions, type InstrumentStatus, type InstrumentVersionRow } from './tables.js'
import { assertReturned } from '../../lib/returned.js'
import { msg } from '../../lib/i18n.js'

export const definitionDigest = (def: InstrumentDefinition): string =>
  createHash('sha256').update(canonicalJson(def)).digest('hex')

const maxTotalOf = (def: InstrumentDefinition): number =>
  def.nodes.filter((n) => n.parentCode === null).reduce((sum, n) => sum + (n.bobot ?? 0), 0)

export function summaryOf(row: InstrumentVersionRow): InstrumentSummary {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    year: row.year,
    status: row.status,
    source: row.source,
    cloned_from_id: row.clonedFromId,
    digest: row.digest,
    question_count: row.definition.nodes.filter((n) => n.level === 'question').length,
    max_total: maxTotalOf(row.definition),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    published_at: row.publishedAt?.toISOString() ?? null,
    retired_at: row.retiredAt?.toISOString() ?? null,
    version: row.version,
  }
}

export function nodeView(node: InstrumentNode): InstrumentNodeView {
  const view: InstrumentNodeView = {
    code: node.code,
    parent_code: node.parentCode,
    level: node.level,
    name: node.name,
    order: node.order,
    bobot: node.bobot,
  }
  if (node.answerType !== undefined) view.answer_type = node.answerType
  if (node.options !== undefined) view.options = node.options
  if (node.kriteriaNilai !== undefined) view.kriteria_nilai = node.kriteriaNilai
  if (node.evidenceGuidance !== undefined) view.evidence_guidance = node.evidenceGuidance
  if (node.formula !== undefined) view.formula = node.formula
  if (node.scored !== undefined) view.scored = node.scored
  if (node.external) {
    view.external = {
      ...(node.external.portalrbSoalId !== undefined ? { portalrb_soal_id: node.external.portalrbSoalId } : {}),
      ...(node.external.excelSheet !== undefined ? { excel_sheet: node.external.excelSheet } : {}),
      ...(node.external.excelRow !== undefined ? { excel_row: node.external.excelRow } : {}),
      ...(node.external.excelColumns !== undefined ? { excel_columns: node.external.excelColumns } : {}),
    }
  }
  return view
}

export function versionView(row: InstrumentVersionRow) {
  return {
    ...summaryOf(row),
    predicate_rules: row.definition.predicateRules,
    nodes: indexTree(row.definition).ordered.map(nodeView),
  }
}

/** Where a problem in a definition points in the request: a prefix, or a mapping of the definition pointer. */
export type PointerMap = string | ((pointer: string) => string)
const mapPointer = (map: PointerMap, pointer: string): string =>
  typeof map === 'string' ? `${map}${pointer}` : map(pointer)

/** Validation issues as a 422 listing each, pointers prefixed (or mapped) to where the input came from. */
export function invalidInstrument(issues: ValidationIssue[], prefix: PointerMap): ProblemError {
  const shown = issues.slice(0, 200)
  return new ProblemError(
    422,
    'instrument_invalid',
    msg('instruments:instrument_invalid', {
      count: issues.length,
      issues: shown
        .slice(0, 3)
        .map((i) => i.message)
        .join('; '),
      more: issues.length > 3 ? '; …' : '',
    }),
    {
      errors: shown.map((i) => ({ pointer: mapPointer(prefix, i.pointer), rule: i.code, message: i.message })),
      ...(issues.length > shown.length ? { errors_omitted: issues.length - shown.length } : {}),
    },
  )
}

function assertValid(def: InstrumentDefinition, prefix: PointerMap): void {
  const issues = validateInstrument(def)
  if (issues.length > 0) throw invalidInstrument(issues, prefix)
}

export async function loadVersion(
  db: Queryable,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<InstrumentVersionRow> {
  const query = db.select().from(instrumentVersions).where(eq(instrumentVersions.id, id))
  const [row] = opts.forUpdate ? await query.for('update') : await query
  if (!row) throw notFound('instrument', id)
  return row
}

export function assertDraft(row: InstrumentVersionRow): void {
  if (row.status !== 'draft') {
    throw new ProblemError(
      409,
      'instrument_not_draft',
      msg('instruments:instrument_not_draft', { code: row.code, status: row.status }),
      {
        status_now: row.status,
      },
    )
  }
}

// The pointer names where the code came from in the request (`/query/code`, `/body/code`), as every other
// error pointer does; it was a bare `/code`, which is in no request part.
const codeTaken = (code: string, pointer: string) =>
  new ProblemError(409, 'instrument_code_taken', msg('instruments:instrument_code_taken', { code }), {
    errors: [{ pointer, rule: 'instrument_code_taken', message: msg('instruments:field.instrument_code_taken') }],
  })

export async function insertVersion(
  tx: Queryable,
  input: {
    definition: InstrumentDefinition
    source: 'seed' | 'import' | 'clone'
    status?: InstrumentStatus
    clonedFromId?: string | null
    codePointer?: string
  },
): Promise<InstrumentVersionRow> {
  const codePointer = input.codePointer ?? '/code'
  const [existing] = await tx
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, input.definition.code))
  if (existing) throw codeTaken(input.definition.code, codePointer)
  const published = input.status === 'published'
  try {
    const [row] = await tx
      .insert(instrumentVersions)
      .values({
        code: input.definition.code,
        name: input.definition.name,
        year: input.definition.year,
        status: input.status ?? 'draft',
        definition: input.definition,
        digest: definitionDigest(input.definition),
        source: input.source,
        clonedFromId: input.clonedFromId ?? null,
        publishedAt: published ? new Date() : null,
      })
      .returning()
    assertReturned(row, 'insert')
    return row
  } catch (error) {
    if (pgError(error)?.code === PG_UNIQUE_VIOLATION) throw codeTaken(input.definition.code, codePointer)
    throw error
  }
}

/**
 * The master soal as a definition; with `overlayFrom`, that version's ratio questions are added to the
 * tree and its formulas, flags and predicate rules carried over (carryOverlay).
 *
 * The ratio questions must go in through importMasterSoal's overlay (overlayFromDefinition): the real
 * master soal's Reform sub-areas hold only Jumlah inputs, so without them it is refused
 * (no_scored_questions); carrying formulas by code onto the imported nodes alone would not add them.
 * Problems in what the other version lends are pointed at `/query/overlay_from/…`.
 */
export function importDefinition(
  document: unknown,
  opts: { code?: string; name?: string; overlayFrom?: InstrumentDefinition },
): InstrumentDefinition {
  let def: InstrumentDefinition
  try {
    // code, name and predicate rules are not lent here: code and name come from the query or the
    // master soal's tahun, and the rules are filtered to the imported nodes by carryOverlay.
    def = importMasterSoal(
      document,
      opts.overlayFrom ? { questions: overlayFromDefinition(opts.overlayFrom).questions ?? [] } : undefined,
    )
  } catch (error) {
    if (error instanceof InstrumentValidationError) {
      throw invalidInstrument(
        error.issues.map((i) => ({
          ...i,
          pointer: `${i.document === 'overlay' ? '/query/overlay_from' : '/body'}${i.pointer}`,
        })),
        '',
      )
    }
    throw error
  }
  if (opts.overlayFrom) def = carryOverlay(def, opts.overlayFrom)
  if (opts.code) def = { ...def, code: opts.code }
  if (opts.name) def = { ...def, name: opts.name }
  assertValid(def, '/body')
  return def
}

export async function saveDefinition(
  tx: Queryable,
  row: InstrumentVersionRow,
  def: InstrumentDefinition,
  prefix: PointerMap,
): Promise<InstrumentVersionRow> {
  assertValid(def, prefix)
  const [updated] = await tx
    .update(instrumentVersions)
    .set({
      definition: def,
      name: def.name,
      digest: definitionDigest(def),
      updatedAt: new Date(),
      version: row.version + 1,
    })
    .where(eq(instrumentVersions.id, row.id))
    .returning()
  assertReturned(updated, 'update')
  return updated
}

/** applyNodeChanges, refusing the whole request (422) when any change cannot be applied. */
export function applyNodeChangesOr422(def: InstrumentDefinition, changes: NodeChangeInput[]): InstrumentDefinition {
  const outcome = applyNodeChanges(def, changes)
  if ('errors' in outcome) {
    const { errors } = outcome
    throw new ProblemError(
      422,
      'instrument_change_invalid',
      msg('instruments:instrument_change_invalid', { problems: errors.map((e) => e.message).join('; ') }),
      { errors },
    )
  }
  return outcome.definition
}

export function replacePredicateRules(def: InstrumentDefinition, rules: PredicateRule[]): InstrumentDefinition {
  return { ...def, predicateRules: rules }
}

export async function setStatus(
  tx: Queryable,
  row: InstrumentVersionRow,
  to: 'published' | 'retired',
): Promise<InstrumentVersionRow> {
  const allowed: Record<InstrumentStatus, InstrumentStatus[]> = {
    draft: ['published'],
    published: ['retired'],
    retired: [],
  }
  if (row.status === to) return row
  if (!allowed[row.status].includes(to)) {
    throw new ProblemError(
      409,
      'invalid_status_transition',
      msg('instruments:invalid_status_transition', { code: row.code, status: row.status, to }),
      {
        allowed: allowed[row.status],
      },
    )
  }
  if (to === 'published') {
    assertValid(row.definition, '/definition')
    for (const predicate of ['WBK', 'WBBM'] as const) {
      if (!row.definition.predicateRules.some((r) => r.predicate === predicate)) {
        throw new ProblemError(
          422,
          'predicate_rules_missing',
          msg('instruments:predicate_rules_missing', { code: row.code, predicate }),
          {
            errors: [
              {
                pointer: '/predicate_rules',
                rule: 'predicate_rules_missing',
                message: msg('instruments:field.predicate_rules_missing', { predicate }),
              },
            ],
          },
        )
      }
    }
  }
  const now = new Date()
  const [updated] = await tx
    .update(instrumentVersions)
    .set({
      status: to,
      updatedAt: now,
      version: row.version + 1,
      ...(to === 'published' ? { publishedAt: now } : { retiredAt: now }),
    })
    .where(eq(instrumentVersions.id, row.id))
    .returning()
  assertReturned(updated, 'update')
  return updated
}

export async function deleteVersion(tx: Queryable, row: InstrumentVersionRow): Promise<void> {
  if (row.status === 'published') {
    throw new ProblemError(409, 'instrument_not_draft', msg('instruments:instrument_not_draft_2', { code: row.code }), {
      status_now: row.status,
    })
  }
  try {
    await tx.delete(instrumentVersions).where(eq(instrumentVersions.id, row.id))
  } catch (error) {
    const code = pgError(error)?.code
    if (code === PG_RESTRICT_VIOLATION || code === PG_FOREIGN_KEY_VIOLATION) {
      throw new ProblemError(409, 'instrument_in_use', msg('instruments:instrument_in_use', { code: row.code }))
    }
    throw error
  }
}

export async function listVersions(
  db: Queryable,
  query: { status?: InstrumentStatus; year?: number; cursor?: string },
  limit: number,
) {
  const conditions: (SQL | undefined)[] = []
  if (query.status) conditions.push(eq(instrumentVersions.status, query.status))
  if (query.year) conditions.push(eq(instrumentVersions.year, query.year))
  if (query.cursor) conditions.push(gt(instrumentVersions.code, decodeCursor(query.cursor, 'code').id))
  const rows = await db
    .select()
    .from(instrumentVersions)
    .where(and(...conditions))
    .orderBy(asc(instrumentVersions.code))
    .limit(limit + 1)
  const page = finishPage(rows, limit, 'code', (r) => ({ value: null, id: r.code }))
  return { items: page.items.map(summaryOf), next_cursor: page.next_cursor }
}

/**
 * Seeds the committed 2026 instrument, published, the first time the service starts on a
 * database. Replicas starting together race on the unique code: the loser does nothing.
 */
export async function seedInstruments(db: Db): Promise<'created' | 'present'> {
  const definition = loadSeedInstrument()
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(instrumentVersions)
      .values({
        code: definition.code,
        name: definition.name,
        year: definition.year,
        status: 'published',
        definition,
        digest: definitionDigest(definition),
        source: 'seed',
        publishedAt: new Date(),
      })
      .onConflictDoNothing({ target: instrumentVersions.code })
      .returning()
    const row = inserted[0]
    if (!row) return 'present'
    await appendAudit(tx, systemActor('seed'), {
      action: 'instrument.seeded',
      entityType: 'instrument',
      entityId: row.id,
      before: null,
      after: { code: row.code, status: row.status, digest: row.digest },
    })
    return 'created'
  })
}
