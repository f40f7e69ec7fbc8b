import fc from 'fast-check'
import t from 'tap'
import {
  FormulaEvaluationError,
  FormulaSyntaxError,
  evaluateFormula,
  parseFormula,
  referencedCodes,
} from '../../../src/modules/instruments/domain/index.js'

const run = (src: string, values: Record<string, number | null> = {}) => evaluateFormula(parseFormula(src), values)

t.test('arithmetic, precedence, functions', async (t) => {
  t.equal(run('1 + 2 * 3'), 7)
  t.equal(run('(1 + 2) * 3'), 9)
  t.equal(run('10 - 4 - 3'), 3, 'left associative')
  t.equal(run('12 / 3 / 2'), 2, 'left associative')
  t.equal(run('-2 * -3'), 6)
  t.equal(run('+4 - -1'), 5)
  t.equal(run('0.25 + 0.75'), 1)
  t.equal(run('min(1, Q2 / Q1)', { Q1: 7, Q2: 7 }), 1)
  t.equal(run('min(1, Q2 / Q1)', { Q1: 3, Q2: 5 }), 1, 'capped like IF(K130/K129>1,1,K130/K129)')
  t.equal(run('min(1, Q2 / Q1)', { Q1: 7, Q2: 1 }), 1 / 7, 'the same double as the workbook')
  t.equal(run('max(0, (a - b) / a)', { a: 1, b: 5 }), 0, 'floored like IF(x<0,0,x)')
  t.equal(run('MIN(3, 2, 5)'), 2, 'function names in any case')
  t.equal(run('max(3)'), 3)
  t.equal(run('R36.a + x_1', { 'R36.a': 1, x_1: 2 }), 3, 'codes with dots and underscores')
})

t.test('comparisons and logic', async (t) => {
  t.equal(run('1 = 1'), 1)
  t.equal(run('1 <> 1'), 0)
  t.equal(run('2 < 3') + run('3 <= 3') + run('4 > 3') + run('3 >= 4'), 3)
  t.equal(run('and(1, 2 = 2)'), 1)
  t.equal(run('and(1, 0)'), 0)
  t.equal(run('or(0, 0)'), 0)
  t.equal(run('or(0, 3)'), 1)
  t.equal(run('not(0)'), 1)
  t.equal(run('if(1 > 0, 10, 20)'), 10)
  t.equal(run('if(0, 10, 20)'), 20)
  const discipline = 'if(and(p = 0, n = 0), 1, max(0, (p - n) / p))'
  t.equal(run(discipline, { p: 0, n: 0 }), 1, 'the workbook: IF(AND(K155=0,K156=0),1,…); the division is not evaluated')
  t.equal(run(discipline, { p: 4, n: 1 }), 0.75)
  t.equal(run(discipline, { p: 1, n: 3 }), 0)
  t.throws(() => run(discipline, { p: 0, n: 2 }), FormulaEvaluationError, '(0 - 2) / 0: #DIV/0! in the workbook too')
})

t.test('evaluation errors', async (t) => {
  const div = t.throws(
    () => run('Q1 / Q2', { Q1: 1, Q2: 0 }),
    FormulaEvaluationError,
  ) as unknown as FormulaEvaluationError
  t.equal(div.reason, 'division_by_zero')
  const missing = t.throws(() => run('Q1 + Q2', { Q1: 1 }), FormulaEvaluationError) as unknown as FormulaEvaluationError
  t.equal(missing.reason, 'missing_value')
  t.equal(missing.code, 'Q2')
  t.throws(() => run('Q1 + 1', { Q1: null }), FormulaEvaluationError, 'null is missing')
  t.equal(evaluateFormula(parseFormula('a * 2'), new Map([['a', 4]])), 8, 'a Map of values works too')
  t.equal(run('toString', { toString: 1 }), 1, 'own properties only: no prototype lookups')
  t.throws(() => run('constructor'), FormulaEvaluationError)
})

t.test('syntax errors carry a position', async (t) => {
  const cases: [string, number, RegExp][] = [
    ['1 +', 3, /expected a number/],
    ['(1 + 2', 6, /expected "\)"/],
    ['1 + 2)', 5, /unexpected "\)"/],
    ['Q1 $ 2', 3, /unexpected character "\$"/],
    ['pow(2, 3)', 0, /unknown function "pow"/],
    ['if(1, 2)', 0, /if\(\) takes 3 arguments/],
    ['min()', 0, /min\(\) takes at least 1/],
    ['1 < 2 < 3', 6, /cannot be chained/],
    ['2.', 2, /digit must follow/],
    ['2abc', 1, /after a number/],
    ['', 0, /found the end/],
    ['.5', 0, /unexpected character "\."/],
    ['min(1 2)', 6, /expected "," or "\)"/],
  ]
  for (const [src, position, message] of cases) {
    const error = t.throws(
      () => parseFormula(src),
      FormulaSyntaxError,
      JSON.stringify(src),
    ) as unknown as FormulaSyntaxError
    t.equal(error.position, position, `${JSON.stringify(src)}: position`)
    t.match(error.message, message, `${JSON.stringify(src)}: message`)
  }
  t.throws(() => parseFormula('1+'.repeat(600) + '1'), /at most 1000 characters/)
  t.throws(() => parseFormula('('.repeat(100) + '1' + ')'.repeat(100)), /nested more than 64 deep/)
  t.throws(() => parseFormula('-'.repeat(100) + '1'), /nested more than 64 deep/)
})

t.test('referencedCodes', async (t) => {
  t.same(
    referencedCodes(parseFormula('min(1, Q116 / (Q113 + Q114 + Q115)) + Q113')),
    ['Q116', 'Q113', 'Q114', 'Q115'],
    'each once, first appearance',
  )
  t.same(referencedCodes(parseFormula('if(1, 2, 3)')), [])
})

t.test('property: formulas compute what JavaScript computes for the same expression', async (t) => {
  type Expr = { src: string; value: number | 'div0' }
  const vars = { a: 3, b: 0, c: 2.5, d: 7 }
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    fc.integer({ min: 0, max: 20 }).map((n) => ({ src: String(n), value: n })),
    fc.constantFrom(...Object.entries(vars)).map(([k, v]) => ({ src: k, value: v })),
  )
  const combine = (op: '+' | '-' | '*' | '/', x: Expr, y: Expr): Expr => {
    const src = `(${x.src} ${op} ${y.src})`
    if (x.value === 'div0' || y.value === 'div0') return { src, value: 'div0' }
    if (op === '/' && y.value === 0) return { src, value: 'div0' }
    const value =
      op === '+'
        ? x.value + y.value
        : op === '-'
          ? x.value - y.value
          : op === '*'
            ? x.value * y.value
            : x.value / y.value
    return { src, value }
  }
  const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc
        .tuple(fc.constantFrom('+', '-', '*', '/') as fc.Arbitrary<'+' | '-' | '*' | '/'>, tie('expr'), tie('expr'))
        .map(([op, x, y]) => combine(op, x, y)),
      fc.tuple(tie('expr'), tie('expr')).map(
        ([x, y]): Expr => ({
          src: `min(${x.src}, ${y.src})`,
          value: x.value === 'div0' || y.value === 'div0' ? 'div0' : Math.min(x.value, y.value),
        }),
      ),
    ),
  }))
  fc.assert(
    fc.property(expr, (e) => {
      const ast = parseFormula(e.src)
      if (e.value === 'div0') {
        try {
          evaluateFormula(ast, vars)
          return false
        } catch (error) {
          return error instanceof FormulaEvaluationError && error.reason === 'division_by_zero'
        }
      }
      return Object.is(evaluateFormula(ast, vars), e.value) || evaluateFormula(ast, vars) === e.value
    }),
    { numRuns: 300, seed: 20260609 },
  )
  t.pass('300 random expressions')
})

t.test('property: parsing never throws anything but FormulaSyntaxError', async (t) => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom(...'Q1 2.(),+-*/<>=minaxfdort_'.split('')), maxLength: 40 }),
      (src) => {
        try {
          parseFormula(src)
          return true
        } catch (error) {
          return error instanceof FormulaSyntaxError && error.position >= 0 && error.position <= src.length
        }
      },
    ),
    { numRuns: 500, seed: 7 },
  )
  t.pass('500 random strings')
})
