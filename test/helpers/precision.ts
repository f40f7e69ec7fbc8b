import { roundTo } from '../../src/lib/precision.js'

/** An engine figure as a response carries it (src/lib/precision.ts, docs/scoring.md). */
export const asScore = (x: number): number => roundTo(x, 2)
export const asShare = (x: number): number => roundTo(x, 4)
export const asPercent = (x: number): number => roundTo(x, 2)

/** An eligibility result as served: each rule's required and actual to four decimals. */
export function asServedEligibility<E extends { rules: { required: number; actual: number }[] }>(e: E): E {
  return {
    ...e,
    rules: e.rules.map((r) => ({ ...r, required: roundTo(r.required, 4), actual: roundTo(r.actual, 4) })),
  }
}

/**
 * Every number in `body` with its path, that carries more decimals than `decimals`: float noise
 * such as 1.6749999999999972 shows up here; integers and short decimals do not.
 */
export function noisyNumbers(body: unknown, decimals = 4, path = ''): string[] {
  if (typeof body === 'number')
    return Number.isInteger(body) || body === roundTo(body, decimals) ? [] : [`${path}: ${body}`]
  if (Array.isArray(body)) return body.flatMap((item, i) => noisyNumbers(item, decimals, `${path}/${i}`))
  if (body && typeof body === 'object')
    return Object.entries(body).flatMap(([k, v]) => noisyNumbers(v, decimals, `${path}/${k}`))
  return []
}
