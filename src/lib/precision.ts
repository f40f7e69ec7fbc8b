import { Type } from 'typebox'

/**
 * How many decimals people read of a number in a response. The arithmetic keeps every bit (the
 * engine matches the workbook to 1e-9); only the answer is rounded, once, as it is serialised
 * (src/plugins/app/precision.ts), following this mark on the response schema. docs/scoring.md.
 */
export const PRECISION = 'x-precision'

/** Points of score (a node's value, a total, a weight, a shortfall in points): the workbook's 0.00. */
export const Score = (options: { description?: string } = {}) => Type.Number({ ...options, [PRECISION]: 2 })
/** A share 0–1 (a multiplier, a share of a weight): the workbook's 0.00 % (four decimals as a fraction). */
export const Share = (options: { description?: string } = {}) => Type.Number({ ...options, [PRECISION]: 4 })
/** A percentage 0–100 (answered_pct, …): two decimals. */
export const Percent = (options: { description?: string } = {}) => Type.Number({ ...options, [PRECISION]: 2 })
/**
 * A rule's required or actual, in the rule's measure: points or a share, so four decimals (a share
 * of 0.6 and a total of 75 both read exactly).
 */
export const Measure = (options: { description?: string } = {}) => Type.Number({ ...options, [PRECISION]: 4 })

/**
 * `x` rounded half away from zero to `decimals`, as a spreadsheet displays it: first to 15
 * significant digits (1.6749999999999972 is 1.675, as Excel shows it), then on the decimal digits,
 * never on the binary value (1.005 → 1.01). Never -0.
 */
export function roundTo(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return x
  const [mantissa, exponent = '0'] = String(Math.abs(Number(x.toPrecision(15)))).split('e')
  const scaled = Math.round(Number(`${mantissa}e${Number(exponent) + decimals}`))
  const [m, e = '0'] = String(scaled).split('e')
  const rounded = Number(`${m}e${Number(e) - decimals}`)
  return rounded === 0 ? 0 : Math.sign(x) * rounded
}

type Schema = Record<string, unknown>
type Lookup = (id: string) => Schema | undefined

const deref = (schema: Schema | undefined, lookup: Lookup): Schema | undefined => {
  let s = schema
  for (let depth = 0; s && typeof s.$ref === 'string' && depth < 10; depth++) s = lookup(s.$ref as string)
  return s
}

/** Whether anything in `schema` (following $refs) carries a precision mark. */
export function hasPrecision(schema: unknown, lookup: Lookup, seen = new Set<unknown>()): boolean {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return false
  seen.add(schema)
  const s = schema as Schema
  if (typeof s[PRECISION] === 'number') return true
  if (typeof s.$ref === 'string') return hasPrecision(lookup(s.$ref), lookup, seen)
  return Object.values(s).some((child) =>
    Array.isArray(child)
      ? child.some((c) => hasPrecision(c, lookup, seen))
      : typeof child === 'object' && hasPrecision(child, lookup, seen),
  )
}

const jsonType = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value

const matches = (schema: Schema, value: unknown): boolean => {
  const type = schema.type
  const actual = jsonType(value)
  const accepts = (t: unknown) => t === actual || (t === 'integer' && actual === 'number')
  if (type === undefined) return schema.anyOf !== undefined || schema.oneOf !== undefined || schema.$ref !== undefined
  return Array.isArray(type) ? type.some(accepts) : accepts(type)
}

/** A copy of `value` with every number marked in `schema` rounded to its precision. */
export function roundBySchema(value: unknown, schema: Schema | undefined, lookup: Lookup): unknown {
  const s = deref(schema, lookup)
  if (!s || value === null || value === undefined) return value
  if (typeof value === 'number') {
    const decimals = s[PRECISION]
    if (typeof decimals === 'number') return roundTo(value, decimals)
  }
  const union = (s.anyOf ?? s.oneOf) as Schema[] | undefined
  if (union) {
    const branch = union.map((b) => deref(b, lookup)).find((b) => b && matches(b, value))
    return branch ? roundBySchema(value, branch, lookup) : value
  }
  if (Array.isArray(value)) {
    const items = s.items as Schema | undefined
    return items ? value.map((item) => roundBySchema(item, items, lookup)) : value
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    const properties = (s.properties ?? {}) as Record<string, Schema>
    const patterns = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>)
    const additional = typeof s.additionalProperties === 'object' ? (s.additionalProperties as Schema) : undefined
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const sub = properties[key] ?? patterns.find(([pattern]) => new RegExp(pattern).test(key))?.[1] ?? additional
      out[key] = sub ? roundBySchema(child, sub, lookup) : child
    }
    return out
  }
  return value
}
