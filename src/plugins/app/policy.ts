import fp from 'fastify-plugin'
import '../../lib/policy.js'

/**
 * Every route must say who may call it (`config.policy`); a route without one is a start-up
 * error. The roles are also written into the route's OpenAPI description and `x-roles`.
 * Registered before any route, without encapsulation, so its onRoute hook sees them all.
 */
export default fp(
  async (app) => {
    app.addHook('onRoute', (route) => {
      const isDocs = route.url === '/docs' || route.url.startsWith('/docs/')
      // @fastify/cors answers preflights in its hook; its catch-all OPTIONS route only 404s the rest.
      const isCorsPreflight = route.method === 'OPTIONS' && route.url === '*'
      if (isDocs || isCorsPreflight) {
        route.config = { ...(route.config ?? {}), policy: { public: true } }
        return
      }
      const policy = route.config?.policy
      if (!policy) {
        throw new Error(`route ${route.method} ${route.url} declares no policy (config.policy)`)
      }
      // onRoute runs again for the HEAD twin of a GET with the same schema object: add once.
      if (route.schema && !route.schema.hide && !(route.schema as Record<string, unknown>)['x-roles']) {
        const who = 'public' in policy ? 'Public: no token needed.' : `Roles: ${policy.roles.join(', ')}.`
        route.schema.description = route.schema.description ? `${route.schema.description}\n\n${who}` : who
        ;(route.schema as Record<string, unknown>)['x-roles'] = 'public' in policy ? [] : [...policy.roles]
      }
    })
  },
  { name: 'route-policy' },
)
