/**
 * Ratio formulas: a small expression language, parsed into an AST and interpreted (never `eval`).
 *
 * Grammar (whitespace is free between tokens):
 *
 *   expression  := comparison
 *   comparison  := additive [ ( "=" | "<>" | "<" | "<=" | ">" | ">=" ) additive ]
 *   additive    := term { ( "+" | "-" ) term }
 *   term        := unary { ( "*" | "/" ) unary }
 *   unary       := ( "-" | "+" ) unary | primary
 *   primary     := number | code | function "(" [ expression { "," expression } ] ")" | "(" expression ")"
 *   number      := digit { digit } [ "." digit { digit } ]          (no exponent, no leading ".")
 *   code        := letter-or-_ { letter | digit | "_" | "." }        (a question code, e.g. Q88, R36a)
 *   function    := min | max | if | and | or | not                  (a name followed by "(", any case)
 *
 * Semantics, chosen to read like the workbook's cells:
 * - numbers are IEEE doubles, evaluated left to right like Excel (so results match it to the last bit
 *   for + - * / on the same operands);
 * - comparisons give 1 (true) or 0 (false); `if(c, a, b)` is `a` when c ≠ 0, else `b`, and only
 *   evaluates the branch it takes (so `if(Q102 = 0, 1, x / Q102)` never divides by zero);
 *   `and(…)`/`or(…)` take ≥ 1 arguments and give 1/0; `not(x)` gives 1 when x = 0;
 *   `min(…)`/`max(…)` take ≥ 1 arguments;
 * - division by zero is an error (FormulaEvaluationError 'division_by_zero'), as in the workbook,
 *   which has no IFERROR: `K130/K129` with K129 = 0 shows #DIV/0!, and the error spreads to the total;
 * - a code whose value is missing is an error ('missing_value'); scoring checks the inputs first.
 *
 * Limits: 1000 characters, nesting 64 deep.
 */

export type Ast =
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'ref'; code: string; pos: number }
  | { kind: 'unary'; op: '-' | '+'; arg: Ast; pos: number }
  | { kind: 'binary'; op: BinaryOp; left: Ast; right: Ast; pos: number }
  | { kind: 'call'; fn: FunctionName; args: Ast[]; pos: number }

export type BinaryOp = '+' | '-' | '*' | '/' | '=' | '<>' | '<' | '<=' | '>' | '>='
export const FORMULA_FUNCTIONS = ['min', 'max', 'if', 'and', 'or', 'not'] as const
export type FunctionName = (typeof FORMULA_FUNCTIONS)[number]

const ARITY: Record<FunctionName, { min: number; max: number }> = {
  min: { min: 1, max: Infinity },
  max: { min: 1, max: Infinity },
  if: { min: 3, max: 3 },
  and: { min: 1, max: Infinity },
  or: { min: 1, max: Infinity },
  not: { min: 1, max: 1 },
}

export const MAX_FORMULA_LENGTH = 1000
const MAX_DEPTH = 64

/** A formula that does not parse; `position` is the 0-based character offset of the problem. */
export class FormulaSyntaxError extends Error {
  readonly position: number
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`)
    this.name = 'FormulaSyntaxError'
    this.position = position
  }
}

export class FormulaEvaluationError extends Error {
  readonly reason: 'division_by_zero' | 'missing_value' | 'not_finite'
  readonly code?: string
  constructor(reason: 'division_by_zero' | 'missing_value' | 'not_finite', message: string, code?: string) {
    super(message)
    this.name = 'FormulaEvaluationError'
    this.reason = reason
    if (code !== undefined) this.code = code
  }
}

type Token =
  | { t: 'num'; v: number; pos: number }
  | { t: 'id'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'end'; pos: number }

function tokenize(src: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i] as string
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      continue
    }
    if (c >= '0' && c <= '9') {
      const start = i
      while (i < src.length && /[0-9]/.test(src[i] as string)) i++
      if (src[i] === '.') {
        i++
        if (!/[0-9]/.test(src[i] ?? '')) throw new FormulaSyntaxError('a digit must follow the decimal point', i)
        while (i < src.length && /[0-9]/.test(src[i] as string)) i++
      }
      if (/[A-Za-z_]/.test(src[i] ?? '')) throw new FormulaSyntaxError(`unexpected "${src[i]}" after a number`, i)
      tokens.push({ t: 'num', v: Number(src.slice(start, i)), pos: start })
      continue
    }
    if (/[A-Za-z_]/.test(c)) {
      const start = i
      while (i < src.length && /[A-Za-z0-9_.]/.test(src[i] as string)) i++
      tokens.push({ t: 'id', v: src.slice(start, i), pos: start })
      continue
    }
    const two = src.slice(i, i + 2)
    if (two === '<=' || two === '>=' || two === '<>') {
      tokens.push({ t: 'op', v: two, pos: i })
      i += 2
      continue
    }
    if ('+-*/(),=<>'.includes(c)) {
      tokens.push({ t: 'op', v: c, pos: i })
      i++
      continue
    }
    throw new FormulaSyntaxError(`unexpected character "${c}"`, i)
  }
  tokens.push({ t: 'end', pos: src.length })
  return tokens
}

/** Parses a formula; throws FormulaSyntaxError (with the position) when it is not in the grammar. */
/**
 * Parsed formulas by their text: an instrument's few dozen formulas are parsed once, not on every
 * score. The trees are never changed after parsing; bounded so that drafts being edited cannot
 * grow it without end. Syntax errors are not kept (they are thrown each time).
 */
const parsed = new Map<string, Ast>()
const MAX_PARSED = 2000

export function parseFormula(src: string): Ast {
  const known = typeof src === 'string' ? parsed.get(src) : undefined
  if (known) return known
  const ast = parseFormulaText(src)
  if (parsed.size >= MAX_PARSED) parsed.clear()
  parsed.set(src, ast)
  return ast
}

function parseFormulaText(src: string): Ast {
  if (typeof src !== 'string') throw new FormulaSyntaxError('a formula must be a string', 0)
  if (src.length > MAX_FORMULA_LENGTH)
    throw new FormulaSyntaxError(`a formula may have at most ${MAX_FORMULA_LENGTH} characters`, MAX_FORMULA_LENGTH)
  const tokens = tokenize(src)
  let k = 0
  const peek = (): Token => tokens[k] as Token
  const next = (): Token => tokens[k++] as Token
  const isOp = (tok: Token, v: string): boolean => tok.t === 'op' && tok.v === v
  const describe = (tok: Token): string =>
    tok.t === 'end' ? 'the end of the formula' : `"${tok.t === 'num' ? String(tok.v) : tok.v}"`
  let depth = 0
  const enter = (pos: number) => {
    if (++depth > MAX_DEPTH) throw new FormulaSyntaxError(`nested more than ${MAX_DEPTH} deep`, pos)
  }

  const expression = (): Ast => comparison()
  const comparison = (): Ast => {
    const left = additive()
    const tok = peek()
    if (tok.t === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(tok.v)) {
      next()
      const right = additive()
      const after = peek()
      if (after.t === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(after.v)) {
        throw new FormulaSyntaxError('comparisons cannot be chained; use and(…)', after.pos)
      }
      return { kind: 'binary', op: tok.v as BinaryOp, left, right, pos: tok.pos }
    }
    return left
  }
  const additive = (): Ast => {
    let left = term()
    for (;;) {
      const tok = peek()
      if (!(isOp(tok, '+') || isOp(tok, '-'))) return left
      next()
      left = { kind: 'binary', op: (tok as { v: string }).v as BinaryOp, left, right: term(), pos: tok.pos }
    }
  }
  const term = (): Ast => {
    let left = unary()
    for (;;) {
      const tok = peek()
      if (!(isOp(tok, '*') || isOp(tok, '/'))) return left
      next()
      left = { kind: 'binary', op: (tok as { v: string }).v as BinaryOp, left, right: unary(), pos: tok.pos }
    }
  }
  const unary = (): Ast => {
    const tok = peek()
    if (isOp(tok, '-') || isOp(tok, '+')) {
      next()
      enter(tok.pos)
      const arg = unary()
      depth--
      return { kind: 'unary', op: (tok as { v: string }).v as '-' | '+', arg, pos: tok.pos }
    }
    return primary()
  }
  const primary = (): Ast => {
    const tok = next()
    if (tok.t === 'num') return { kind: 'number', value: tok.v, pos: tok.pos }
    if (tok.t === 'id') {
      if (isOp(peek(), '(')) {
        const fn = tok.v.toLowerCase()
        if (!(FORMULA_FUNCTIONS as readonly string[]).includes(fn)) {
          throw new FormulaSyntaxError(`unknown function "${tok.v}" (known: ${FORMULA_FUNCTIONS.join(', ')})`, tok.pos)
        }
        next()
        enter(tok.pos)
        const args: Ast[] = []
        if (!isOp(peek(), ')')) {
          for (;;) {
            args.push(expression())
            if (isOp(peek(), ',')) {
              next()
              continue
            }
            break
          }
        }
        const close = next()
        if (!isOp(close, ')'))
          throw new FormulaSyntaxError(`expected "," or ")" but found ${describe(close)}`, close.pos)
        depth--
        const arity = ARITY[fn as FunctionName]
        if (args.length < arity.min || args.length > arity.max) {
          const want = arity.max === arity.min ? `${arity.min}` : `at least ${arity.min}`
          throw new FormulaSyntaxError(
            `${fn}() takes ${want} argument${arity.min === 1 && arity.max === 1 ? '' : 's'}, not ${args.length}`,
            tok.pos,
          )
        }
        return { kind: 'call', fn: fn as FunctionName, args, pos: tok.pos }
      }
      return { kind: 'ref', code: tok.v, pos: tok.pos }
    }
    if (isOp(tok, '(')) {
      enter(tok.pos)
      const inner = expression()
      const close = next()
      if (!isOp(close, ')')) throw new FormulaSyntaxError(`expected ")" but found ${describe(close)}`, close.pos)
      depth--
      return inner
    }
    throw new FormulaSyntaxError(
      `expected a number, a question code, a function or "(" but found ${describe(tok)}`,
      tok.pos,
    )
  }

  const ast = expression()
  const rest = peek()
  if (rest.t !== 'end') throw new FormulaSyntaxError(`unexpected ${describe(rest)}`, rest.pos)
  return ast
}

/** The question codes a formula names, each once, in order of first appearance. */
export function referencedCodes(ast: Ast): string[] {
  const seen = new Set<string>()
  const walk = (node: Ast): void => {
    switch (node.kind) {
      case 'ref':
        seen.add(node.code)
        return
      case 'number':
        return
      case 'unary':
        walk(node.arg)
        return
      case 'binary':
        walk(node.left)
        walk(node.right)
        return
      case 'call':
        node.args.forEach(walk)
        return
    }
  }
  walk(ast)
  return [...seen]
}

export type FormulaValues =
  | Readonly<Record<string, number | null | undefined>>
  | ReadonlyMap<string, number | null | undefined>

/** Evaluates a parsed formula; throws FormulaEvaluationError on division by zero or a missing value. */
export function evaluateFormula(ast: Ast, values: FormulaValues): number {
  const lookup = (code: string): number | null | undefined =>
    values instanceof Map
      ? values.get(code)
      : Object.hasOwn(values, code)
        ? (values as Record<string, number | null | undefined>)[code]
        : undefined
  const ev = (node: Ast): number => {
    switch (node.kind) {
      case 'number':
        return node.value
      case 'ref': {
        const v = lookup(node.code)
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new FormulaEvaluationError('missing_value', `${node.code} has no value`, node.code)
        return v
      }
      case 'unary':
        return node.op === '-' ? -ev(node.arg) : ev(node.arg)
      case 'binary': {
        const a = ev(node.left)
        const b = ev(node.right)
        switch (node.op) {
          case '+':
            return a + b
          case '-':
            return a - b
          case '*':
            return a * b
          case '/':
            if (b === 0)
              throw new FormulaEvaluationError('division_by_zero', 'division by zero (the workbook shows #DIV/0!)')
            return a / b
          case '=':
            return a === b ? 1 : 0
          case '<>':
            return a !== b ? 1 : 0
          case '<':
            return a < b ? 1 : 0
          case '<=':
            return a <= b ? 1 : 0
          case '>':
            return a > b ? 1 : 0
          case '>=':
            return a >= b ? 1 : 0
        }
        throw new Error('unreachable')
      }
      case 'call': {
        switch (node.fn) {
          case 'if':
            return ev(node.args[0] as Ast) !== 0 ? ev(node.args[1] as Ast) : ev(node.args[2] as Ast)
          case 'min':
            return Math.min(...node.args.map(ev))
          case 'max':
            return Math.max(...node.args.map(ev))
          case 'and':
            return node.args.map(ev).every((x) => x !== 0) ? 1 : 0
          case 'or':
            return node.args.map(ev).some((x) => x !== 0) ? 1 : 0
          case 'not':
            return ev(node.args[0] as Ast) === 0 ? 1 : 0
        }
      }
    }
    throw new Error('unreachable')
  }
  const result = ev(ast)
  if (!Number.isFinite(result)) throw new FormulaEvaluationError('not_finite', 'the result is not a finite number')
  return result
}
