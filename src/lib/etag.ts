import { ProblemError } from './problem.js'
import { msg } from './i18n.js'

/** The ETag of a row that carries a version counter. */
export const versionEtag = (row: { version: number }): string => `"${row.version}"`

/** Whether an If-Match / If-None-Match header names `etag`: a list, weak comparison, `*` matches. */
export const etagMatches = (header: string, etag: string): boolean =>
  header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag)

/** If-None-Match hits: the header was sent and names `etag`. */
export const ifNoneMatchHits = (header: string | undefined, etag: string): boolean =>
  header !== undefined && etagMatches(header, etag)

/**
 * 412 unless the If-Match header (when sent) names the row's current version. `what` names the
 * resource in the message ("unit", "period"…).
 */
export function checkIfMatch(header: string | undefined, row: { version: number }, what: string): void {
  if (header !== undefined && !etagMatches(header, versionEtag(row))) {
    throw new ProblemError(
      412,
      'precondition_failed',
      msg('http:precondition_failed', { what, version: row.version }),
      {
        current_version: row.version,
      },
    )
  }
}
