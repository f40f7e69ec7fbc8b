import { Type } from 'typebox'

/** What the ceiling routes answer: the smallest useful JSON body. */
export const CeilingView = Type.Object(
  {
    ok: Type.Literal(true),
    source: Type.Union([Type.Literal('constant'), Type.Literal('database')]),
  },
  { additionalProperties: false },
)
