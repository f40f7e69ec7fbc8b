import fp from 'fastify-plugin'
import { hasPrecision, roundBySchema } from '../../lib/precision.js'

type Schema = Record<string, unknown>

/**
 * Rounds the numbers of a JSON answer that its response schema marks with a precision (Score,
 * Share, Percent, Measure in src/lib/precision.ts), as the answer is serialised: the one place
 * where people's numbers are rounded, never the arithmetic behind them.
 */
export default fp(
  async (app) => {
    const marked = new WeakMap<object, boolean>()
    const lookup = (id: string) => (app.getSchemas() as Record<string, Schema>)[id]
    app.addHook('preSerialization', async (request, reply, payload) => {
      if (payload === null || typeof payload !== 'object' || Buffer.isBuffer(payload)) return payload
      const responses = request.routeOptions.schema?.response as Record<string, Schema> | undefined
      const status = reply.statusCode
      const schema = responses?.[status] ?? responses?.[`${String(status)[0]}xx`]
      if (!schema) return payload
      let has = marked.get(schema)
      if (has === undefined) {
        has = hasPrecision(schema, lookup)
        marked.set(schema, has)
      }
      return has ? roundBySchema(payload, schema, lookup) : payload
    })
  },
  { name: 'precision' },
)
