import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isDatabaseUnavailable, pgError } from '../../lib/db-errors.js'
import { type Message, msg, negotiateLanguage, renderAll, type Translator } from '../../lib/i18n.js'
import { ruleMessage } from '../../lib/validation-message.js'
import { FieldError, Problem, PROBLEM_CONTENT_TYPE, ProblemError, problemType, titleKey } from '../../lib/problem.js'

function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail: Message | string,
  extra: Record<string, unknown> = {},
) {
  const t = translatorOf(request)
  const body: Problem = {
    type: problemType(code),
    title: t({ key: titleKey(status) }),
    status,
    detail: t(detail),
    code,
    instance: request.url.split('?')[0] ?? request.url,
    request_id: request.id,
    ...(renderAll(extra, t) as Record<string, unknown>),
  }
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .header('content-language', t.language)
    .header('vary', 'Accept-Language')
    .send(body)
}

// A request that failed before the i18n hook ran (routing errors) still gets a translator.
function translatorOf(request: FastifyRequest): Translator {
  if (request.t) return request.t
  const header = request.headers['accept-language']
  const { messages } = request.server
  return messages.translator(
    negotiateLanguage(typeof header === 'string' ? header : undefined, messages.defaultLanguage),
  )
}

/**
 * Errors Fastify raises before routing (a malformed percent-encoding in the path, a path
 * parameter longer than maxParamLength): no hook runs for them, so they are answered here as
 * problem+json with the essential security headers instead of Fastify's plain JSON; under the
 * PortalRB base path, as the guide's `{ error, code, message }` body (422 INVALID_REQUEST).
 */
export function frameworkErrorHandler(portalrbBase = '/portalrb') {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const [status, code, detail] =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? [414, 'uri_too_long', msg('http:uri_too_long')]
        : error.code === 'FST_ERR_BAD_URL'
          ? [400, 'bad_url', msg('http:bad_url')]
          : [400, 'bad_request', msg('http:bad_request')]
    reply
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
      .header('x-request-id', request.id)
    const path = request.url.split('?')[0] ?? ''
    if (path === portalrbBase || path.startsWith(`${portalrbBase}/`)) {
      void reply
        .code(422)
        .type('application/json; charset=utf-8')
        .send({
          error: true,
          code: 'INVALID_REQUEST',
          message: `Data request tidak valid: ${request.server.messages.translator('id')(detail)}`,
        })
      return
    }
    void sendProblem(request, reply, status, code, detail)
  }
}

/** Turns Fastify/ajv validation output into field errors with JSON pointers. */
function fieldErrors(error: FastifyError): (Omit<FieldError, 'message'> & { message: Message })[] {
  // Fastify names the query part "querystring"; pointers use the shorter "query" everywhere.
  const part = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body')
  return (error.validation ?? []).map((v) => {
    const params = (v.params ?? {}) as Record<string, unknown>
    let pointer = `/${part}${v.instancePath ?? ''}`
    if (v.keyword === 'required' && typeof params.missingProperty === 'string') {
      pointer += `/${params.missingProperty}`
    } else if (v.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      pointer += `/${params.additionalProperty}`
    }
    // ajv's own texts are English: the message is the catalogue's for the keyword and its params.
    return { pointer, rule: v.keyword, message: ruleMessage(v.keyword, params) }
  })
}

/**
 * One error handler for the whole API: problem+json with a stable code; 5xx details are
 * logged, never sent. Routes with their own error contract (PortalRB) set their own handler.
 */
export default fp(
  async (app) => {
    app.addSchema(FieldError)
    app.addSchema(Problem)

    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        request,
        reply,
        404,
        'route_not_found',
        msg('http:route_not_found', { method: request.method, path: request.url.split('?')[0] }),
      ),
    )

    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof ProblemError) {
        reply.headers(error.headers)
        return sendProblem(request, reply, error.status, error.code, error.detail, error.extra)
      }
      if (error.validation) {
        const errors = fieldErrors(error)
        const summary = errors.map((e) => msg('validation:item', { pointer: e.pointer, message: e.message }))
        return sendProblem(request, reply, 400, 'validation_failed', msg('validation:summary', { summary }), {
          errors,
        })
      }
      switch (pgError(error)?.code ?? error.code) {
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          return sendProblem(request, reply, 413, 'payload_too_large', msg('http:payload_too_large'))
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
          // The route's own list (upload routes declare multipart/form-data), else JSON.
          const accepted = request.routeOptions.schema?.consumes ?? ['application/json']
          const sent = (request.headers['content-type'] ?? 'none').slice(0, 100)
          return sendProblem(
            request,
            reply,
            415,
            'unsupported_media_type',
            msg('http:unsupported_media_type', { accepted: accepted.join(' | '), sent: JSON.stringify(sent) }),
            { accepted },
          )
        }
        case 'FST_ERR_CTP_EMPTY_JSON_BODY':
          return sendProblem(request, reply, 400, 'empty_body', msg('http:empty_body'))
        case 'FST_ERR_CTP_INVALID_JSON_BODY':
        case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
          return sendProblem(request, reply, 400, 'malformed_body', msg('http:malformed_body'))
        // PostgreSQL: serialisation failure / deadlock mean "try again", not a server fault.
        case '40001':
        case '40P01':
          return sendProblem(request, reply, 409, 'write_conflict', msg('http:write_conflict'))
        case '22P02':
        case '22007':
        case '22008':
          return sendProblem(request, reply, 400, 'invalid_value', msg('http:invalid_value'))
        // A NUL character (or one the database encoding lacks) in a text value; a number out of range.
        case '22021':
        case '22P05':
        case '22003':
          return sendProblem(request, reply, 400, 'invalid_value', msg('http:value_not_storable'))
      }
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, 'database unavailable')
        reply.header('retry-after', '5')
        return sendProblem(request, reply, 503, 'database_unavailable', msg('http:database_unavailable'))
      }
      const status = error.statusCode ?? 500
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed')
        return sendProblem(request, reply, status, 'internal_error', msg('http:internal_error'))
      }
      if (status === 429) {
        return sendProblem(request, reply, 429, 'rate_limited', error.message)
      }
      return sendProblem(request, reply, status, error.code ? error.code.toLowerCase() : 'bad_request', error.message)
    })
  },
  { name: 'errors' },
)
