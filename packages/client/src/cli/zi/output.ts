/** Plain-text output for `zi`: tab-separated data for scripts, padded tables for people. */

/** One TSV line; tabs and line breaks inside a cell become spaces. */
export const tsvLine = (cells: (string | number | boolean | null | undefined)[]): string =>
  cells.map((c) => (c === null || c === undefined ? '' : String(c)).replace(/[\t\r\n]+/g, ' ')).join('\t')

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: string[], rows: (string | number | null | undefined)[][]): string {
  const all = [
    header,
    ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c).replace(/[\t\r\n]+/g, ' ')))),
  ]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  return all
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

export const fmtNumber = (n: number | null | undefined, digits = 2): string =>
  n === null || n === undefined ? '' : n.toFixed(digits)
