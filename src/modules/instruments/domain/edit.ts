import type { InstrumentDefinition, InstrumentNode } from './types.js'

/**
 * Edits of a definition as pure functions: carrying an overlay onto an import, applying node
 * changes, and pointing validation problems back at the change that caused them.
 */

/**
 * The data a master soal lacks (ratio formulas, "scored" flags, predicate rules), carried from
 * an existing version onto an import by node code.
 */
export function carryOverlay(target: InstrumentDefinition, from: InstrumentDefinition): InstrumentDefinition {
  const source = new Map(from.nodes.map((n) => [n.code, n]))
  return {
    ...target,
    nodes: target.nodes.map((node) => {
      const donor = source.get(node.code)
      if (!donor || donor.level !== node.level) return node
      return {
        ...node,
        ...(donor.formula !== undefined ? { formula: donor.formula } : {}),
        ...(donor.scored !== undefined ? { scored: donor.scored } : {}),
        ...(donor.evidenceGuidance !== undefined && node.evidenceGuidance === undefined
          ? { evidenceGuidance: donor.evidenceGuidance }
          : {}),
      }
    }),
    // A rule is kept when every node it targets (one node, or each of a list) is in the import.
    predicateRules: from.predicateRules.filter((r) => {
      const codes = r.target.kind === 'total' ? [] : r.target.kind === 'node' ? [r.target.code] : r.target.codes
      return codes.every((code) => target.nodes.some((n) => n.code === code))
    }),
  }
}

export interface NodeChangeInput {
  code: string
  name?: string
  bobot?: number | null
  order?: number
  kriteria_nilai?: string
  evidence_guidance?: string
  formula?: string | null
  options?: { value: string; label?: string; multiplier: number }[]
}

const CHANGE_FIELDS: Record<string, keyof NodeChangeInput> = {
  name: 'name',
  bobot: 'bobot',
  order: 'order',
  kriteriaNilai: 'kriteria_nilai',
  evidenceGuidance: 'evidence_guidance',
  formula: 'formula',
  options: 'options',
}

/**
 * Pointers for problems found in a definition after PATCH …/nodes: a problem in a field the request
 * changed points at that change (`/body/changes/2/formula`); any other (e.g. the parent whose children's
 * weights no longer sum) points into the stored definition (`/definition/nodes/12/bobot`).
 */
export function changePointers(def: InstrumentDefinition, changes: NodeChangeInput[]): (pointer: string) => string {
  return (pointer) => {
    const [, nodes, index, field, ...rest] = pointer.split('/')
    const code = nodes === 'nodes' && index !== undefined ? def.nodes[Number(index)]?.code : undefined
    const bodyField = field !== undefined ? CHANGE_FIELDS[field] : undefined
    const k = changes.findIndex((c) => c.code === code)
    const change = changes[k]
    if (change && bodyField && change[bodyField] !== undefined)
      return ['/body/changes', String(k), bodyField, ...rest].join('/')
    return `/definition${pointer}`
  }
}

export interface NodeChangeError {
  pointer: string
  rule: string
  message: string
}

/** Applies node edits to a copy of the definition; unknown codes and question-only fields on other levels are errors. */
export function applyNodeChanges(
  def: InstrumentDefinition,
  changes: NodeChangeInput[],
): { definition: InstrumentDefinition } | { errors: NodeChangeError[] } {
  const index = new Map(def.nodes.map((n, i) => [n.code, i]))
  const nodes = [...def.nodes]
  const errors: NodeChangeError[] = []
  const seen = new Set<string>()
  changes.forEach((change, i) => {
    const at = index.get(change.code)
    if (seen.has(change.code))
      errors.push({
        pointer: `/body/changes/${i}/code`,
        rule: 'duplicate_change',
        message: `${change.code} is changed twice in one request`,
      })
    seen.add(change.code)
    if (at === undefined) {
      errors.push({
        pointer: `/body/changes/${i}/code`,
        rule: 'node_not_found',
        message: `no node with code ${change.code}`,
      })
      return
    }
    const node = { ...(nodes[at] as InstrumentNode) }
    const questionOnly = (['kriteria_nilai', 'evidence_guidance', 'formula', 'options'] as const).filter(
      (f) => change[f] !== undefined,
    )
    if (node.level !== 'question' && questionOnly.length > 0) {
      errors.push({
        pointer: `/body/changes/${i}/${questionOnly[0]}`,
        rule: 'question_only_field',
        message: `${questionOnly[0]} applies to questions only; ${change.code} is a ${node.level}`,
      })
      return
    }
    if (change.name !== undefined) node.name = change.name
    if (change.bobot !== undefined) node.bobot = change.bobot
    if (change.order !== undefined) node.order = change.order
    if (change.kriteria_nilai !== undefined) node.kriteriaNilai = change.kriteria_nilai
    if (change.evidence_guidance !== undefined) node.evidenceGuidance = change.evidence_guidance
    if (change.formula === null) delete node.formula
    else if (change.formula !== undefined) node.formula = change.formula
    if (change.options !== undefined) node.options = change.options
    nodes[at] = node
  })
  return errors.length > 0 ? { errors } : { definition: { ...def, nodes } }
}
