import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ProblemError, problemResponses } from '../../lib/problem.js'
import { msg } from '../../lib/i18n.js'

const HealthStatus = Type.Object({ status: Type.Literal('ok'), database: Type.Optional(Type.String()) })

/** Liveness (the process answers) and readiness (the database answers too). */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        operationId: 'getLiveness',
        security: [],
        response: { 200: HealthStatus },
      },
      config: { policy: { public: true } },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  )
  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers; 503 when it does not',
        operationId: 'getReadiness',
        security: [],
        response: { 200: HealthStatus, ...problemResponses(503) },
      },
      config: { policy: { public: true } },
      logLevel: 'warn',
    },
    async () => {
      try {
        await app.database.ping(2000)
      } catch (err) {
        app.log.warn({ err }, 'readiness: database unreachable')
        throw new ProblemError(
          503,
          'database_unavailable',
          msg('health:database_unavailable'),
          {},
          { 'retry-after': '5' },
        )
      }
      return { status: 'ok' as const, database: app.database.kind }
    },
  )
}
export default healthRoutes
