/**
 * A small hand-made instrument for the domain tests, every combine rule and answer type in it:
 *
 *   K1 komponen 10
 *     S1 sub_komponen 10
 *       A1 area 6
 *         SA1 sub_area 2   q1 ya_tidak, q2 abc, q3 abcd                         AVERAGE × 2
 *         SA2 sub_area 4   q4 abcde, q5 count, q6 count, r1 = min(1, q6 / q5)   AVERAGE × 4 (q5, q6 inputs)
 *       A2 area 4
 *         SA3 sub_area 4   = SA3a + SA3b (a sub-area of sub-areas)
 *           SA3a 1.5       q7 percentage (answered 0–100)
 *           SA3b 2.5       q8 abc
 *   K2 komponen 5
 *     H1 sub_komponen 5    q9 survey_index (weight 3), q10 abcde (weight 2)     weighted sum
 */
import type {
  AnswerOption,
  InstrumentDefinition,
  InstrumentNode,
  OptionAnswerType,
} from '../../../src/modules/instruments/domain/index.js'

export const OPTIONS: Record<OptionAnswerType, AnswerOption[]> = {
  ya_tidak: [
    { value: 'Ya', multiplier: 1 },
    { value: 'Tidak', multiplier: 0 },
  ],
  abc: [
    { value: 'A', multiplier: 1 },
    { value: 'B', multiplier: 0.5 },
    { value: 'C', multiplier: 0 },
  ],
  abcd: [
    { value: 'A', multiplier: 1 },
    { value: 'B', multiplier: 0.67 },
    { value: 'C', multiplier: 0.33 },
    { value: 'D', multiplier: 0 },
  ],
  abcde: [
    { value: 'A', multiplier: 1 },
    { value: 'B', multiplier: 0.75 },
    { value: 'C', multiplier: 0.5 },
    { value: 'D', multiplier: 0.25 },
    { value: 'E', multiplier: 0 },
  ],
}

const node = (
  code: string,
  parentCode: string | null,
  level: InstrumentNode['level'],
  bobot: number,
  order: number,
): InstrumentNode => ({
  code,
  parentCode,
  level,
  name: `node ${code}`,
  order,
  bobot,
})
const q = (code: string, parentCode: string, order: number, extra: Partial<InstrumentNode>): InstrumentNode => ({
  code,
  parentCode,
  level: 'question',
  name: `question ${code}`,
  order,
  bobot: null,
  ...extra,
})
const opt = (t: OptionAnswerType): Partial<InstrumentNode> => ({ answerType: t, options: structuredClone(OPTIONS[t]) })

export function synthetic(): InstrumentDefinition {
  return {
    code: 'MINI-1',
    name: 'Mini instrument',
    year: 2026,
    nodes: [
      node('K1', null, 'komponen', 10, 1),
      node('S1', 'K1', 'sub_komponen', 10, 1),
      node('A1', 'S1', 'area_perubahan', 6, 1),
      node('SA1', 'A1', 'sub_area', 2, 1),
      q('q1', 'SA1', 1, opt('ya_tidak')),
      q('q2', 'SA1', 2, opt('abc')),
      q('q3', 'SA1', 3, opt('abcd')),
      node('SA2', 'A1', 'sub_area', 4, 2),
      q('q4', 'SA2', 1, opt('abcde')),
      q('r1', 'SA2', 2, { answerType: 'percentage', formula: 'min(1, q6 / q5)' }),
      q('q5', 'SA2', 3, { answerType: 'count' }),
      q('q6', 'SA2', 4, { answerType: 'count' }),
      node('A2', 'S1', 'area_perubahan', 4, 2),
      node('SA3', 'A2', 'sub_area', 4, 1),
      node('SA3a', 'SA3', 'sub_area', 1.5, 1),
      q('q7', 'SA3a', 1, { answerType: 'percentage' }),
      node('SA3b', 'SA3', 'sub_area', 2.5, 2),
      q('q8', 'SA3b', 1, opt('abc')),
      node('K2', null, 'komponen', 5, 2),
      node('H1', 'K2', 'sub_komponen', 5, 1),
      q('q9', 'H1', 1, { answerType: 'survey_index', bobot: 3 }),
      q('q10', 'H1', 2, { ...opt('abcde'), bobot: 2 }),
    ],
    predicateRules: [],
  }
}

/** A copy of `def` with `code`'s node changed by `patch`. */
export function patched(def: InstrumentDefinition, code: string, patch: Partial<InstrumentNode>): InstrumentDefinition {
  return { ...def, nodes: def.nodes.map((n) => (n.code === code ? { ...n, ...patch } : n)) }
}
