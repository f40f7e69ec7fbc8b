import { Type, type Static } from 'typebox'
import { ProblemError } from './problem.js'
import { msg } from './i18n.js'

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 500

/** Query members every list accepts. */
export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_LIMIT,
      default: DEFAULT_LIMIT,
      description: `page size (max ${MAX_LIMIT})`,
    }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'opaque cursor from next_cursor' })),
}

export const PageMeta = {
  next_cursor: Type.Union([Type.String(), Type.Null()], {
    description: 'pass as cursor for the next page; null on the last page',
  }),
}

/**
 * A keyset position: the sort key of the last row and its id. Encoded as base64url JSON and
 * bound to the sort it was made for, so a cursor cannot be replayed against another order.
 */
export interface CursorPosition {
  sort: string
  value: string | number | null
  id: string
}

const CursorShape = Type.Object({
  sort: Type.String(),
  value: Type.Union([Type.String(), Type.Number(), Type.Null()]),
  id: Type.String({ maxLength: 64 }),
})

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sort, position.value, position.id])).toString('base64url')
}

export function decodeCursor(cursor: string, expectedSort: string): CursorPosition {
  const invalid = (why: string) =>
    new ProblemError(400, 'invalid_cursor', msg('http:invalid_cursor_2', { why }), {
      errors: [{ pointer: '/query/cursor', rule: 'cursor', message: why }],
    })
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw invalid('not a cursor issued by this API')
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid('not a cursor issued by this API')
  const position = { sort: parsed[0], value: parsed[1], id: parsed[2] } as Static<typeof CursorShape>
  if (
    typeof position.sort !== 'string' ||
    typeof position.id !== 'string' ||
    position.id.length > 64 ||
    !(position.value === null || typeof position.value === 'string' || typeof position.value === 'number')
  ) {
    throw invalid('not a cursor issued by this API')
  }
  if (position.sort !== expectedSort) throw invalid(`it was made for sort=${position.sort}, not sort=${expectedSort}`)
  return position
}

/**
 * Cuts a fetched page (the query asked for limit + 1 rows) and computes the next cursor.
 */
export function finishPage<T>(
  rows: T[],
  limit: number,
  sort: string,
  positionOf: (row: T) => { value: string | number | null; id: string },
): { items: T[]; next_cursor: string | null } {
  const hasMore = rows.length > limit
  const items = hasMore ? rows.slice(0, limit) : rows
  const last = items[items.length - 1]
  return {
    items,
    next_cursor: hasMore && last ? encodeCursor({ sort, ...positionOf(last) }) : null,
  }
}

/** The RFC 8288 Link header for the next page, keeping the request's other query members. */
export function nextLink(requestUrl: string, nextCursor: string | null): string | undefined {
  if (!nextCursor) return undefined
  const url = new URL(requestUrl, 'http://placeholder')
  url.searchParams.set('cursor', nextCursor)
  return `<${url.pathname}${url.search}>; rel="next"`
}

/** Sets the Link header for the next page (when there is one) and hands the page back to send. */
export function sendPage<P extends { next_cursor: string | null }>(
  request: { url: string },
  reply: { header(name: string, value: string): unknown },
  page: P,
): P {
  const link = nextLink(request.url, page.next_cursor)
  if (link) reply.header('link', link)
  return page
}
