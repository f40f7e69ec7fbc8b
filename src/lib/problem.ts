import { Type, type Static } from 'typebox'
import { englishText, type Message, msg } from './i18n.js'

/** One failing input field: where (JSON pointer into the request part) and which rule. */
export const FieldError = Type.Object(
  {
    pointer: Type.String({ description: 'JSON pointer, prefixed by the request part: /body/name, /query/limit' }),
    rule: Type.String({ description: 'the rule that failed, e.g. required, maxLength, additionalProperties' }),
    message: Type.String(),
  },
  { $id: 'FieldError' },
)
export type FieldError = Static<typeof FieldError>

/** RFC 9457 problem details, with a stable machine-readable `code`. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI reference naming the problem type' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'stable error code for programs to switch on' }),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Ref('FieldError'))),
  },
  { $id: 'Problem', additionalProperties: true },
)
export type Problem = Static<typeof Problem> & Record<string, unknown>

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** The catalogue key of a status's title (common:status.*). */
export const titleKey = (status: number): string =>
  [400, 401, 403, 404, 405, 406, 409, 410, 412, 413, 414, 415, 422, 428, 429, 500, 503].includes(status)
    ? `common:status.${status}`
    : 'common:status.other'
export const problemType = (code: string): string => `urn:zi-tracker:problem:${code}`

/**
 * An error a handler throws to answer with problem+json. `extra` members are added to the
 * body (RFC 9457 extension members), e.g. `allowed` transitions or the failing `errors`.
 */
export class ProblemError extends Error {
  /** The detail people read: a catalogue message, rendered in the request's language. */
  readonly detail: Message | string
  constructor(
    readonly status: number,
    readonly code: string,
    detail: Message | string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    // The Error's message (logs, stack traces) is the English text; replies render `detail`.
    super(englishText(detail))
    this.detail = detail
    this.name = 'ProblemError'
  }
}

export const notFound = (what: string, id: string): ProblemError =>
  new ProblemError(404, `${what}_not_found`, msg('common:not_found', { what: { key: `common:things.${what}` }, id }))

/** Response schemas for the given error statuses, to spread into a route's `response`. */
export function problemResponses(...statuses: number[]): Record<number, ProblemResponse> {
  return Object.fromEntries(statuses.map((s) => [s, problemResponse(s)]))
}
type ProblemResponse = {
  description: string
  content: { 'application/problem+json': { schema: ReturnType<typeof Type.Ref> } }
}
const problemResponse = (status: number): ProblemResponse => ({
  description: STATUS_DESCRIPTIONS[status] ?? 'Error',
  content: { [PROBLEM_CONTENT_TYPE]: { schema: Type.Ref('Problem') } } as ProblemResponse['content'],
})

// OpenAPI response descriptions (English, for the document; replies carry the catalogue's titles).
const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}
