import { Type } from 'typebox'

/** A string that is one of `values`, typed as their union (JSON Schema `enum`). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}
