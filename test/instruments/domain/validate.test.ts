import t from 'tap'
import type { Test } from 'tap'
import {
  validateAnswers,
  validateInstrument,
  type InstrumentDefinition,
  type InstrumentNode,
  type ValidationIssue,
} from '../../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../../src/modules/instruments/seed/index.js'
import { patched, synthetic } from './synthetic.js'

const codes = (issues: ValidationIssue[]) => issues.map((i) => i.code)
const at = (def: InstrumentDefinition, code: string) => def.nodes.findIndex((n) => n.code === code)
const one = (t: Test, issues: ValidationIssue[], code: string, pointer: string, message?: RegExp) => {
  t.same(codes(issues), [code], `exactly one issue: ${code}`)
  t.equal(issues[0]?.pointer, pointer, `${code} points at ${pointer}`)
  if (message) t.match(issues[0]?.message, message)
}

t.test('valid definitions', async (t) => {
  t.same(validateInstrument(synthetic()), [])
  t.same(validateInstrument(loadSeedInstrument()), [], 'the seed is valid')
})

t.test('unknown answer type', async (t) => {
  const def = patched(synthetic(), 'q2', { answerType: 'pilihan' as never })
  one(
    t,
    validateInstrument(def),
    'unknown_answer_type',
    `/nodes/${at(def, 'q2')}/answerType`,
    /"pilihan" is not one of/,
  )
  const missing = patched(synthetic(), 'q2', { answerType: undefined })
  t.same(codes(validateInstrument(missing)), ['missing_answer_type'])
})

t.test('weights that do not sum', async (t) => {
  const def = patched(synthetic(), 'SA1', { bobot: 2.5 }) // A1 = 6 but SA1 + SA2 = 6.5
  one(
    t,
    validateInstrument(def),
    'weights_do_not_sum',
    `/nodes/${at(def, 'A1')}/bobot`,
    /A1 weighs 6 but its children weigh SA1 2\.5 \+ SA2 4 = 6\.5/,
  )
  const hasil = patched(synthetic(), 'q10', { bobot: 1.5 })
  one(
    t,
    validateInstrument(hasil),
    'weights_do_not_sum',
    `/nodes/${at(hasil, 'H1')}/bobot`,
    /its questions weigh q9 3 \+ q10 1\.5/,
  )
  const top = patched(synthetic(), 'SA3a', { bobot: 1 })
  one(t, validateInstrument(top), 'weights_do_not_sum', `/nodes/${at(top, 'SA3')}/bobot`) // a sub-area of sub-areas sums them
  // binary fractions: 0.25 + 0.5 + 1.25 + 2 + 0.75 + 0.25 = 5 within 1e-9
  const seed = loadSeedInstrument()
  t.same(validateInstrument(seed), [])
  const averaged = patched(synthetic(), 'q1', { bobot: null })
  t.same(validateInstrument(averaged), [], 'a sub-area does not sum its questions: it averages them')
})

t.test('duplicate codes and bad codes', async (t) => {
  const def = synthetic()
  def.nodes.push({ ...(def.nodes[at(def, 'q8')] as InstrumentNode), order: 2 })
  one(
    t,
    validateInstrument(def),
    'duplicate_code',
    `/nodes/${def.nodes.length - 1}/code`,
    /q8 is already used by \/nodes\/17/,
  )
  const bad = patched(synthetic(), 'q1', { code: '1-a' })
  t.ok(codes(validateInstrument(bad)).includes('invalid_code'))
})

t.test('formulas', async (t) => {
  const unknown = patched(synthetic(), 'r1', { formula: 'min(1, q6 / q55)' })
  one(
    t,
    validateInstrument(unknown),
    'formula_unknown_reference',
    `/nodes/${at(unknown, 'r1')}/formula`,
    /names q55, which does not exist/,
  )
  const syntax = patched(synthetic(), 'r1', { formula: 'min(1, q6 / )' })
  one(t, validateInstrument(syntax), 'formula_syntax', `/nodes/${at(syntax, 'r1')}/formula`, /at position 12/)
  const notSibling = patched(synthetic(), 'r1', { formula: 'min(1, q6 / q7)' })
  one(t, validateInstrument(notSibling), 'formula_reference_not_sibling', `/nodes/${at(notSibling, 'r1')}/formula`)
  const option = patched(synthetic(), 'r1', { formula: 'min(1, q6 / q4)' })
  one(
    t,
    validateInstrument(option),
    'formula_reference_not_input',
    `/nodes/${at(option, 'r1')}/formula`,
    /q4, which is not a numeric input/,
  )
  const self = patched(synthetic(), 'r1', { formula: 'min(1, r1)' })
  t.same(codes(validateInstrument(self)), ['formula_reference_not_input'], 'a formula cannot name itself')
  const requires = patched(synthetic(), 'r1', { formulaRequires: ['q66'] })
  one(t, validateInstrument(requires), 'formula_unknown_reference', `/nodes/${at(requires, 'r1')}/formulaRequires/0`)
  const onCount = patched(synthetic(), 'q5', { formula: 'q6' })
  t.ok(codes(validateInstrument(onCount)).includes('formula_answer_type'), 'only a percentage question has a formula')
})

t.test('tree structure', async (t) => {
  const orphan = patched(synthetic(), 'SA2', { parentCode: 'A9' })
  t.ok(codes(validateInstrument(orphan)).includes('parent_not_found'))
  t.equal(
    validateInstrument(orphan).find((i) => i.code === 'parent_not_found')?.pointer,
    `/nodes/${at(orphan, 'SA2')}/parentCode`,
  )
  const cycle = patched(patched(synthetic(), 'SA3', { parentCode: 'SA3b' }), 'SA3b', { parentCode: 'SA3' })
  t.ok(codes(validateInstrument(cycle)).includes('parent_cycle'))
  const root = patched(synthetic(), 'S1', { parentCode: null })
  t.ok(codes(validateInstrument(root)).includes('root_not_komponen'))
  const upside = patched(synthetic(), 'SA1', { level: 'komponen', parentCode: 'A1' })
  t.ok(codes(validateInstrument(upside)).includes('level_not_below_parent'))
  const underQuestion = patched(synthetic(), 'q2', { parentCode: 'q1' })
  t.ok(codes(validateInstrument(underQuestion)).includes('question_has_children'))
  const mixed = synthetic()
  mixed.nodes.push({
    code: 'qx',
    parentCode: 'A2',
    level: 'question',
    name: 'x',
    order: 9,
    bobot: null,
    answerType: 'abc',
    options: [
      { value: 'A', multiplier: 1 },
      { value: 'B', multiplier: 0.5 },
      { value: 'C', multiplier: 0 },
    ],
  })
  t.ok(codes(validateInstrument(mixed)).includes('mixed_children'))
  const empty = synthetic()
  empty.nodes.push({ code: 'E1', parentCode: null, level: 'komponen', name: 'empty', order: 3, bobot: 0 })
  t.same(codes(validateInstrument(empty)), ['empty_node'])
  const onlyInputs = synthetic()
  onlyInputs.nodes = onlyInputs.nodes.filter((n) => n.code !== 'r1' && n.code !== 'q4')
  t.same(
    codes(validateInstrument(onlyInputs)),
    ['no_scored_questions'],
    'a sub-area of Jumlah inputs without a ratio has nothing to score',
  )
  const noWeight = patched(synthetic(), 'A2', { bobot: null })
  t.ok(codes(validateInstrument(noWeight)).includes('invalid_weight'))
  const levelField = patched(synthetic(), 'SA1', { formula: '1' })
  t.ok(codes(validateInstrument(levelField)).includes('question_only_field'))
  t.same(codes(validateInstrument(patched(synthetic(), 'q9', { bobot: null }))), ['question_weights_mixed'])
  t.ok(codes(validateInstrument({ ...synthetic(), year: 1999 })).includes('invalid_definition'))
  t.ok(codes(validateInstrument(patched(synthetic(), 'q1', { level: 'bab' as never }))).includes('unknown_level'))
})

t.test('options', async (t) => {
  t.same(codes(validateInstrument(patched(synthetic(), 'q2', { options: undefined }))), ['options_missing'])
  t.same(
    codes(
      validateInstrument(
        patched(synthetic(), 'q2', {
          options: [
            { value: 'A', multiplier: 1 },
            { value: 'B', multiplier: 0.5 },
          ],
        }),
      ),
    ),
    ['options_mismatch'],
  )
  const overOne = patched(synthetic(), 'q2', {
    options: [
      { value: 'A', multiplier: 1.5 },
      { value: 'B', multiplier: 0.5 },
      { value: 'C', multiplier: 0 },
    ],
  })
  one(t, validateInstrument(overOne), 'invalid_multiplier', `/nodes/${at(overOne, 'q2')}/options/0/multiplier`)
  t.same(codes(validateInstrument(patched(synthetic(), 'q5', { options: [] }))), ['options_not_allowed'])
  t.same(codes(validateInstrument(patched(synthetic(), 'q5', { scored: true }))), ['unscorable_input'])
})

t.test('predicate rules', async (t) => {
  const def = synthetic()
  def.predicateRules = [
    {
      id: 'a',
      predicate: 'WBK',
      description: 'total',
      target: { kind: 'total' },
      measure: 'value',
      min: 10,
      source: 's',
      confidence: 'MEDIUM',
    },
    {
      id: 'a',
      predicate: 'WBK',
      description: 'dup',
      target: { kind: 'node', code: 'K1' },
      measure: 'value',
      min: 1,
      source: 's',
      confidence: 'MEDIUM',
    },
    {
      id: 'b',
      predicate: 'WBBM',
      description: 'x',
      target: { kind: 'node', code: 'NOPE' },
      measure: 'value',
      min: 1,
      source: 's',
      confidence: 'MEDIUM',
    },
    {
      id: 'c',
      predicate: 'WBBM',
      description: 'x',
      target: { kind: 'nodes', codes: ['A1', 'A2'] },
      measure: 'share_of_weight',
      min: 60,
      source: 's',
      confidence: 'MEDIUM',
    },
  ]
  const issues = validateInstrument(def)
  t.same(codes(issues), ['duplicate_rule_id', 'rule_unknown_target', 'invalid_rule'])
  t.same(
    issues.map((i) => i.pointer),
    ['/predicateRules/1/id', '/predicateRules/2/target/code', '/predicateRules/3/min'],
  )
})

t.test('validateAnswers', async (t) => {
  const def = synthetic()
  t.same(
    validateAnswers(def, { q1: 'Ya', q2: 'b', q3: null, q4: 'E', q5: 2, q6: 3, q7: 100, q8: 'C', q9: 4, q10: 'A' }),
    [],
    'valid, case-insensitive options, null allowed',
  )
  const issues = validateAnswers(def, {
    qq: 'A',
    SA1: 'A',
    r1: 50,
    q1: 'Yes',
    q2: 1,
    q5: 2.5,
    q6: -1,
    q7: 101,
    q9: 4.01,
    q10: 'F',
    'a/b': 1,
  })
  t.same(
    issues.map((i) => [i.pointer, i.code]),
    [
      ['/qq', 'unknown_question'],
      ['/SA1', 'not_a_question'],
      ['/r1', 'computed_question'],
      ['/q1', 'answer_not_allowed'],
      ['/q2', 'answer_wrong_type'],
      ['/q5', 'answer_out_of_range'],
      ['/q6', 'answer_out_of_range'],
      ['/q7', 'answer_out_of_range'],
      ['/q9', 'answer_out_of_range'],
      ['/q10', 'answer_not_allowed'],
      ['/a~1b', 'unknown_question'],
    ],
  )
  t.same(codes(validateAnswers(def, { q7: '50' })), ['answer_wrong_type'], 'numbers are numbers, not strings')
  t.same(codes(validateAnswers(def, { q7: Number.NaN })), ['answer_wrong_type'])
  const zero = validateAnswers(def, { q5: 0, q6: 2 })
  t.same(codes(zero), ['formula_division_by_zero'])
  t.equal(zero[0]?.pointer, '/q5', 'points at the zero input')
  t.match(zero[0]?.message, /#DIV\/0!/)
  t.same(validateAnswers(def, { q5: 0 }), [], 'incomplete inputs: the ratio is just not computed yet')
  const seed = loadSeedInstrument()
  t.same(
    validateAnswers(seed, { Q102: 0, Q103: 0, Q104: 0 }),
    [],
    'no violations in either year: the workbook guards 0/0 there',
  )
  t.same(
    codes(validateAnswers(seed, { Q102: 0, Q103: 2, Q104: 0 })),
    ['formula_division_by_zero'],
    '… but not (0 − 2) / 0',
  )
  t.same(codes(validateAnswers(seed, { Q113: 0, Q114: 0, Q115: 0, Q116: 0 })), ['formula_division_by_zero'])
  t.same(codes(validateAnswers(seed, { Q125: 4.5, Q1: 'A' })), ['answer_out_of_range', 'answer_not_allowed'])
})
