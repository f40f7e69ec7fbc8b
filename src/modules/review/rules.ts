/**
 * The TPI's per-area review as plain data and functions (no Fastify, no database): what an area
 * holds, what a write asks of it, and whether the write changes anything.
 */
import { AREA_CODES, type AreaCode } from '../instruments/domain/areas.js'
import type { StageKind } from '../assessments/rules.js'

/** Only a TPI stage is reviewed per area (the Tim Penilai Internal's conclusions feed its LHE). */
export const isReviewedStage = (kind: StageKind): boolean => kind === 'tpi'

export const MAX_CONCLUSION = 10_000
export const MAX_RECOMMENDATION = 2_000
export const MAX_RECOMMENDATIONS = 50

/** What an area of the review holds (what a write can change). */
export interface AreaContent {
  conclusion: string | null
  recommendations: string[]
}

/** What a write asks of one area: a field left out keeps the stored one. */
export interface AreaWrite {
  area: AreaCode
  conclusion?: string | null | undefined
  recommendations?: string[] | undefined
}

export interface AreaChange {
  area: AreaCode
  from: AreaContent | null
  to: AreaContent
}

/** An empty text is no text; surrounding blanks are not content. */
export const textOf = (text: string | null | undefined): string | null => {
  const trimmed = text?.trim() ?? ''
  return trimmed === '' ? null : trimmed
}

/** Recommendations as stored: each trimmed, blank ones dropped, in the order given. */
export const recommendationsOf = (list: readonly string[] | undefined): string[] =>
  (list ?? []).map((r) => r.trim()).filter((r) => r !== '')

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** What a write does to one area: null when it changes nothing, else the area before and after. */
export function areaChange(stored: AreaContent | undefined, write: AreaWrite): AreaChange | null {
  const from = stored ? { conclusion: stored.conclusion, recommendations: [...stored.recommendations] } : null
  const base = from ?? { conclusion: null, recommendations: [] }
  const to: AreaContent = {
    conclusion: write.conclusion === undefined ? base.conclusion : textOf(write.conclusion),
    recommendations:
      write.recommendations === undefined ? base.recommendations : recommendationsOf(write.recommendations),
  }
  if (base.conclusion === to.conclusion && sameList(base.recommendations, to.recommendations)) return null
  return { area: write.area, from, to }
}

export interface AreaWriteError {
  index: number
  field: 'area' | 'conclusion' | `recommendations/${number}`
  rule: 'duplicate_area' | 'maxLength'
}

/** What is wrong with a write's areas beyond its schema (a repeated area; texts too long once trimmed). */
export function checkAreaWrites(writes: readonly AreaWrite[]): AreaWriteError[] {
  const errors: AreaWriteError[] = []
  const seen = new Set<AreaCode>()
  writes.forEach((w, index) => {
    if (seen.has(w.area)) errors.push({ index, field: 'area', rule: 'duplicate_area' })
    seen.add(w.area)
    if ((textOf(w.conclusion)?.length ?? 0) > MAX_CONCLUSION)
      errors.push({ index, field: 'conclusion', rule: 'maxLength' })
    ;(w.recommendations ?? []).forEach((r, j) => {
      if (r.trim().length > MAX_RECOMMENDATION) errors.push({ index, field: `recommendations/${j}`, rule: 'maxLength' })
    })
  })
  return errors
}

/** The areas in the regulation's order. */
export const inAreaOrder = <T extends { area: AreaCode }>(items: T[]): T[] =>
  [...items].sort((a, b) => AREA_CODES.indexOf(a.area) - AREA_CODES.indexOf(b.area))
