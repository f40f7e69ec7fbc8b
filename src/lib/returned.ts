/**
 * For `const [row] = await tx.insert(...).returning()`: a statement that must return a row and
 * did not is a bug (or a lost row lock), never a client error.
 */
export function assertReturned<T>(row: T | undefined, statement: string): asserts row is T {
  if (row === undefined) throw new Error(`${statement} returned nothing`)
}
