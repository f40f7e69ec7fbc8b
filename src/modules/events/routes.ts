import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ProblemError, problemResponses } from '../../lib/problem.js'
import { parseCursor } from './rules.js'
import * as S from './schemas.js'
import { readFeed } from './service.js'

const READERS = { policy: { roles: ['admin', 'evaluator', 'unit_operator', 'viewer', 'integration'] as const } }

const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['events'],
        summary: 'The change feed: domain events after a cursor, oldest first',
        description:
          'Answer changes, stage starts and moves (submitted, returned, approved), declaration changes and new assessments, each written in the same transaction as the change. Limited to your units (unit operators do not see a TPI stage’s draft). Poll with after=<next_cursor>: events appear in commit order, so a cursor never skips one that commits late.',
        operationId: 'listEvents',
        querystring: S.FeedQuery,
        response: { 200: S.FeedPage, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request) => {
      const after = parseCursor(request.query.after)
      if (after === null) {
        throw new ProblemError(400, 'invalid_cursor', 'after must be a next_cursor returned by this API.', { errors: [{ pointer: '/query/after', rule: 'cursor', message: 'not a cursor' }] })
      }
      return readFeed(app.db, request.principal, { after, limit: request.query.limit ?? 100, types: request.query.type })
    },
  )
}

export default eventRoutes
