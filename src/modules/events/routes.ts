import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ProblemError, problemResponses } from '../../lib/problem.js'
import { parseCursor } from './rules.js'
import * as S from './schemas.js'
import type { Config } from '../../config.js'
import { CursorExpiredError, readFeed } from './service.js'
import { READERS } from '../../lib/policy.js'
import { msg } from '../../lib/i18n.js'

export interface EventRoutesOptions {
  config: Pick<Config, 'EVENTS_RETENTION_DAYS'>
}

const eventRoutes: FastifyPluginAsyncTypebox<EventRoutesOptions> = async (app, { config }) => {
  const retentionDays = config.EVENTS_RETENTION_DAYS
  app.get(
    '/',
    {
      schema: {
        tags: ['events'],
        summary: 'The change feed: domain events after a cursor, oldest first',
        description:
          'Answer changes, stage starts and moves (submitted, returned, approved), declaration changes and new assessments, each written in the same transaction as the change. Limited to your units (unit operators do not see a TPI stage’s draft). Poll with after=<next_cursor>: events appear in commit order, so a cursor never skips one that commits late. Events older than EVENTS_RETENTION_DAYS are purged: a cursor older than the purge is answered 410 cursor_expired (with oldest_cursor); reload the dashboards, then poll from oldest_cursor or from a fresh after=0.',
        operationId: 'listEvents',
        querystring: S.FeedQuery,
        response: { 200: S.FeedPage, ...problemResponses(400, 401, 403, 410) },
      },
      config: READERS,
    },
    async (request) => {
      const after = parseCursor(request.query.after)
      if (after === null) {
        throw new ProblemError(400, 'invalid_cursor', msg('events:invalid_cursor'), {
          errors: [{ pointer: '/query/after', rule: 'cursor', message: msg('events:field.cursor') }],
        })
      }
      try {
        return await readFeed(app.db, request.principal, {
          after,
          limit: request.query.limit ?? 100,
          types: request.query.type,
        })
      } catch (err) {
        if (!(err instanceof CursorExpiredError)) throw err
        throw new ProblemError(
          410,
          'cursor_expired',
          msg('events:cursor_expired', { purgedThrough: err.purgedThrough, retentionDays, after: err.after }),
          {
            oldest_cursor: String(err.purgedThrough),
            errors: [
              {
                pointer: '/query/after',
                rule: 'retained',
                message: msg('events:field.retained', { purgedThrough: err.purgedThrough }),
              },
            ],
          },
        )
      }
    },
  )
}

export default eventRoutes
