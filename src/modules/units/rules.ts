import type { RuleViolation } from '../../lib/rule-violation.js'
import type { InstansiKind, UnitKind } from './tables.js'
import { msg } from '../../lib/i18n.js'

/**
 * Registry rules as plain functions (no database): each returns the failing rule's code and a
 * message, or null when the rule holds. The service loads the rows and throws the 4xx.
 */

/** Which kinds may sit under which: instansi is the root, OPDs hang off it, unit kerja off an OPD or another unit kerja (e.g. a sekolah under a UPT). */
const ALLOWED_PARENT: Record<UnitKind, readonly (UnitKind | null)[]> = {
  instansi: [null],
  opd: ['instansi'],
  unit: ['opd', 'unit'],
}

export function checkKindUnderParent(kind: UnitKind, parentKind: UnitKind | null): RuleViolation | null {
  if (ALLOWED_PARENT[kind].includes(parentKind)) return null
  const expected = ALLOWED_PARENT[kind].map((k) => k ?? '—').join(' / ')
  return {
    status: 422,
    code: 'kind_parent_mismatch',
    pointer: '/body/parent_id',
    message: msg('units:rules.kind_parent_mismatch', {
      kind,
      expected,
      parentKind: parentKind ?? msg('units:rules.no_parent'),
    }),
  }
}

/** A validity window must not end before it starts (open ends are allowed). */
export function checkValidity(validFrom: string | null, validTo: string | null): RuleViolation | null {
  if (validFrom && validTo && validTo < validFrom) {
    return {
      status: 422,
      code: 'invalid_validity',
      pointer: '/body/valid_to',
      message: msg('units:rules.invalid_validity', { validTo, validFrom }),
    }
  }
  return null
}

/**
 * Moving a unit under `newParentPath` makes a cycle when the new parent is the unit itself or
 * one of its descendants, i.e. when the parent's path starts with the unit's own path.
 */
export function checkNoCycle(unitPath: string, newParentPath: string): RuleViolation | null {
  if (newParentPath.startsWith(unitPath)) {
    return {
      status: 422,
      code: 'parent_cycle',
      pointer: '/body/parent_id',
      message: msg('units:rules.parent_cycle'),
    }
  }
  return null
}

/** The path of a unit under a parent: the parent's path plus its own id. */
export const childPath = (parentPath: string | null, id: string): string => `${parentPath ?? '/'}${id}/`

/** 0 for the root, 1 for an OPD, … ("/a/b/" has depth 1). */
export const depthOf = (path: string): number => path.split('/').length - 3

/** JSON merge patch of a flat string map: null removes a key. */
export function mergeExternalIds(
  current: Record<string, string>,
  patch: Record<string, string | null>,
): Record<string, string> {
  const next: Record<string, string> = { ...current }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key]
    else next[key] = value
  }
  return next
}

/** The instansi kind (K/L or Pemda) belongs to the instansi only. */
export function checkInstansiKind(kind: UnitKind, instansiKind: InstansiKind | null | undefined): RuleViolation | null {
  if (instansiKind && kind !== 'instansi') {
    return {
      status: 422,
      code: 'instansi_kind_not_applicable',
      pointer: '/body/instansi_kind',
      message: msg('units:rules.instansi_kind_not_applicable', { kind }),
    }
  }
  return null
}
