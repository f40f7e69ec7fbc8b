import { and, desc, eq, inArray, or, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import type { Principal } from '../../lib/principal.js'
import { evidence } from '../evidence/tables.js'
import { insertEvidence } from '../evidence/service.js'
import { units } from '../units/tables.js'
import { linkTitle, type EvidenceToken } from './evidence-cells.js'
import type { CellError, ImportedRow } from './read.js'

// The parse side (reading a workbook into rows) is in read.ts; re-exported for existing callers.
export {
  WORKBOOK_LAYOUTS,
  assertLkeStructure,
  cellsInvalid,
  detectLayout,
  lkeSheetNames,
  officialEvidence,
  officialFits,
  portalrbSheet,
  readGenerated,
  readPortalrb,
  readUpload,
  workbookBoundProblem,
  type ReadResult,
  type WorkbookLayout,
} from './read.js'
import { type Message, msg } from '../../lib/i18n.js'

// ---------------------------------------------------------------------------------------------
// Evidence

export interface EvidencePlan {
  /** question code → the evidence ids its answer gets (only answers whose evidence cell was filled) */
  byQuestion: Map<string, string[]>
  /** link items to create, by URL, with the questions that get them */
  create: { url: string; codes: string[] }[]
}

/**
 * Matches the evidence cells against the unit's items (the unit's own and its parents', as answers may
 * use them): an item's own download link → that item; a URL → the unit's link item with that URL, else a
 * new link item; a file name → the unit's file item of that name (the assessment's period first, then
 * the newest). What matches nothing is a cell error.
 */
export async function planEvidence(
  db: Queryable,
  unit: { id: string; path: string },
  periodId: string,
  rows: ImportedRow[],
  /** whether the importer may add evidence items (as POST /v1/evidence/links allows: admins and unit operators) */
  canCreate: boolean,
): Promise<{ plan: EvidencePlan; errors: CellError[] }> {
  const withEvidence = rows.filter((r) => r.evidence)
  const tokens = withEvidence.flatMap((r) => r.evidence!.tokens)
  const ids = [...new Set(tokens.flatMap((t) => (t.kind === 'item' ? [t.id] : [])))]
  const urls = [...new Set(tokens.flatMap((t) => (t.kind === 'link' ? [t.url] : [])))]
  const names = [...new Set(tokens.flatMap((t) => (t.kind === 'file' ? [t.name.toLowerCase()] : [])))]
  const plan: EvidencePlan = { byQuestion: new Map(), create: [] }
  if (withEvidence.length === 0) return { plan, errors: [] }
  const conditions = [
    ...(ids.length ? [inArray(evidence.id, ids)] : []),
    ...(urls.length ? [and(eq(evidence.kind, 'link'), inArray(evidence.url, urls))] : []),
    ...(names.length ? [and(eq(evidence.kind, 'file'), inArray(sql`lower(${evidence.fileName})`, names))] : []),
  ]
  const found = conditions.length
    ? await db
        .select({
          id: evidence.id,
          kind: evidence.kind,
          url: evidence.url,
          fileName: evidence.fileName,
          periodId: evidence.periodId,
        })
        .from(evidence)
        .innerJoin(units, eq(units.id, evidence.unitId))
        // the unit's own items and its parents' (a path is a prefix of the unit's)
        .where(and(sql`left(${unit.path}, length(${units.path})) = ${units.path}`, or(...conditions)))
        .orderBy(desc(evidence.createdAt), desc(evidence.id))
    : []
  const byId = new Map(found.map((f) => [f.id, f]))
  const linkOf = new Map<string, string>()
  const fileOf = new Map<string, string>()
  for (const f of [...found].sort((a, b) => Number(b.periodId === periodId) - Number(a.periodId === periodId))) {
    if (f.kind === 'link' && f.url && !linkOf.has(f.url)) linkOf.set(f.url, f.id)
    if (f.kind === 'file' && f.fileName && !fileOf.has(f.fileName.toLowerCase()))
      fileOf.set(f.fileName.toLowerCase(), f.id)
  }
  const errors: CellError[] = []
  const creating = new Map<string, string[]>()
  for (const r of withEvidence) {
    const { sheet, cell, tokens } = r.evidence!
    const chosen: string[] = []
    const bad = (t: EvidenceToken, rule: string, message: Message | string) =>
      errors.push({
        sheet,
        cell,
        value: t.text,
        rule,
        message: msg('workbook:field.rule_2', { sheet, cell, message }),
        question_code: r.question_code,
      })
    for (const t of tokens) {
      if (t.kind === 'item') {
        if (byId.has(t.id)) chosen.push(t.id)
        else bad(t, 'evidence_not_found', msg('workbook:evidence.evidence_not_found', { id: t.id }))
      } else if (t.kind === 'link') {
        const id = linkOf.get(t.url)
        if (id) chosen.push(id)
        else if (!canCreate) bad(t, 'evidence_not_allowed', msg('workbook:evidence.evidence_not_allowed'))
        else creating.set(t.url, [...new Set([...(creating.get(t.url) ?? []), r.question_code])])
      } else if (t.kind === 'file') {
        const id = fileOf.get(t.name.toLowerCase())
        if (id) chosen.push(id)
        else bad(t, 'evidence_not_found', msg('workbook:evidence.evidence_not_found_2', { name: t.name }))
      }
    }
    plan.byQuestion.set(r.question_code, [...new Set(chosen)])
  }
  plan.create = [...creating].map(([url, codes]) => ({ url, codes }))
  return { plan, errors }
}

/** Creates the planned link items (in the caller's transaction) and returns each question's final evidence ids. */
export async function applyEvidencePlan(
  tx: Queryable,
  principal: Principal,
  unitId: string,
  periodId: string,
  plan: EvidencePlan,
  audit: (created: typeof evidence.$inferSelect) => Promise<void>,
): Promise<{ byQuestion: Map<string, string[]>; created: number }> {
  const byQuestion = new Map([...plan.byQuestion].map(([k, v]) => [k, [...v]]))
  for (const c of plan.create) {
    const row = await insertEvidence(tx, principal, {
      unitId,
      periodId,
      kind: 'link',
      title: linkTitle(c.url),
      url: c.url,
    })
    await audit(row)
    for (const code of c.codes) byQuestion.set(code, [...new Set([...(byQuestion.get(code) ?? []), row.id])])
  }
  return { byQuestion, created: plan.create.length }
}
