/**
 * Differences between two versions, node by node, matched by code (codes are stable across versions:
 * imported nodes carry PortalRB's ids). Each list is sorted by code.
 * - added / removed: codes only in b / only in a;
 * - reweighted: `bobot` changed;
 * - moved: `parentCode` changed (from/to are the parent codes);
 * - reworded: any other changed field, one entry per field: name, level, order, answerType, options,
 *   kriteriaNilai, evidenceGuidance, formula, formulaRequires, scored, external (compared as JSON).
 * Predicate rules, code, name and year of the versions are not compared.
 */
import type { InstrumentDefinition, InstrumentDiff, InstrumentNode } from './types.js'

const COMPARED = [
  'name',
  'level',
  'order',
  'answerType',
  'options',
  'kriteriaNilai',
  'evidenceGuidance',
  'formula',
  'formulaRequires',
  'scored',
  'external',
] as const

/** JSON with object keys sorted, so that key order does not count as a change. */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined'
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  )
}

const byCodeOf = (def: InstrumentDefinition): Map<string, InstrumentNode> => {
  const map = new Map<string, InstrumentNode>()
  for (const n of def.nodes) if (!map.has(n.code)) map.set(n.code, n)
  return map
}
const sortCodes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export function diffInstruments(a: InstrumentDefinition, b: InstrumentDefinition): InstrumentDiff {
  const left = byCodeOf(a)
  const right = byCodeOf(b)
  const diff: InstrumentDiff = { added: [], removed: [], reweighted: [], reworded: [], moved: [] }
  for (const code of [...right.keys()].sort(sortCodes)) if (!left.has(code)) diff.added.push(code)
  for (const code of [...left.keys()].sort(sortCodes)) {
    const x = left.get(code) as InstrumentNode
    const y = right.get(code)
    if (!y) {
      diff.removed.push(code)
      continue
    }
    if ((x.bobot ?? null) !== (y.bobot ?? null))
      diff.reweighted.push({ code, from: x.bobot ?? null, to: y.bobot ?? null })
    if ((x.parentCode ?? null) !== (y.parentCode ?? null))
      diff.moved.push({ code, from: x.parentCode ?? null, to: y.parentCode ?? null })
    for (const field of COMPARED) {
      if (canonical(x[field]) !== canonical(y[field]))
        diff.reworded.push({ code, field, from: x[field] ?? null, to: y[field] ?? null })
    }
  }
  return diff
}
