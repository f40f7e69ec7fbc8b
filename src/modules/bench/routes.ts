import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'drizzle-orm'
import { problemResponses } from '../../lib/problem.js'
import * as S from './schemas.js'
import { INTEGRATION } from '../../lib/policy.js'

/**
 * Ceilings for `npm run bench` (scripts/bench/run.ts): the cheapest requests the service can
 * answer, so every measured route is also reported as a share of them. Registered only when
 * BENCH_ROUTES=true (default false): they do not exist in a normal deployment. They take the
 * same path as every other route (auth with an `integration` token, rate limit, logging,
 * serialisation), so a route's ratio to them is the cost of its own work.
 */
const TAGS = ['bench']

const benchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/constant',
    {
      schema: {
        tags: TAGS,
        summary: 'Benchmark ceiling: answers a constant (only with BENCH_ROUTES=true)',
        operationId: 'benchConstant',
        response: { 200: S.CeilingView, ...problemResponses(401, 403, 429) },
      },
      config: INTEGRATION,
    },
    async () => ({ ok: true as const, source: 'constant' as const }),
  )

  app.get(
    '/select-1',
    {
      schema: {
        tags: TAGS,
        summary: 'Benchmark ceiling: runs SELECT 1 through the pool (only with BENCH_ROUTES=true)',
        operationId: 'benchSelectOne',
        response: { 200: S.CeilingView, ...problemResponses(401, 403, 429) },
      },
      config: INTEGRATION,
    },
    async () => {
      await app.db.execute(sql`select 1`)
      return { ok: true as const, source: 'database' as const }
    },
  )
}

export default benchRoutes
