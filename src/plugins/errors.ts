import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { FieldError, Problem, PROBLEM_CONTENT_TYPE, ProblemError, problemType, titleFor } from '../lib/problem.js'

interface DatabaseError {
  code?: string
  constraint?: string
  detail?: string
}

function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
) {
  const body: Problem = {
    type: problemType(code),
    title: titleFor(status),
    status,
    detail,
    code,
    instance: request.url.split('?')[0] ?? request.url,
    request_id: request.id,
    ...extra,
  }
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body)
}

/** Turns Fastify/ajv validation output into field errors with JSON pointers. */
function fieldErrors(error: FastifyError): FieldError[] {
  const part = error.validationContext ?? 'body'
  return (error.validation ?? []).map((v) => {
    const params = (v.params ?? {}) as Record<string, unknown>
    let pointer = `/${part}${v.instancePath ?? ''}`
    if (v.keyword === 'required' && typeof params.missingProperty === 'string') {
      pointer += `/${params.missingProperty}`
    } else if (v.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      pointer += `/${params.additionalProperty}`
    }
    const message =
      v.keyword === 'additionalProperties' ? 'is not a known field' : v.message ?? 'is not valid'
    return { pointer, rule: v.keyword, message }
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
      sendProblem(request, reply, 404, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`),
    )

    app.setErrorHandler((error: FastifyError & DatabaseError, request, reply) => {
      if (error instanceof ProblemError) {
        reply.headers(error.headers)
        return sendProblem(request, reply, error.status, error.code, error.message, error.extra)
      }
      if (error.validation) {
        const errors = fieldErrors(error)
        const summary = errors.map((e) => `${e.pointer} ${e.message}`).join('; ')
        return sendProblem(request, reply, 400, 'validation_failed', `The request is not valid: ${summary}.`, { errors })
      }
      switch (error.code) {
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          return sendProblem(request, reply, 413, 'payload_too_large', 'The request body is larger than this route accepts.')
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
          return sendProblem(request, reply, 415, 'unsupported_media_type', error.message)
        case 'FST_ERR_CTP_EMPTY_JSON_BODY':
          return sendProblem(request, reply, 400, 'empty_body', 'The request has a JSON content type but no body.')
        case 'FST_ERR_CTP_INVALID_JSON_BODY':
        case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
          return sendProblem(request, reply, 400, 'malformed_body', 'The request body is not valid JSON.')
        // PostgreSQL: serialisation failure / deadlock mean "try again", not a server fault.
        case '40001':
        case '40P01':
          return sendProblem(request, reply, 409, 'write_conflict', 'A concurrent write won; retry the request.')
        case '22P02':
        case '22007':
        case '22008':
          return sendProblem(request, reply, 400, 'invalid_value', 'A value in the request has the wrong format.')
      }
      const status = error.statusCode ?? 500
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed')
        return sendProblem(request, reply, status, 'internal_error', 'The server could not complete the request. Quote the request_id when reporting it.')
      }
      if (status === 429) {
        return sendProblem(request, reply, 429, 'rate_limited', error.message)
      }
      return sendProblem(request, reply, status, error.code ? error.code.toLowerCase() : 'bad_request', error.message)
    })
  },
  { name: 'errors' },
)
