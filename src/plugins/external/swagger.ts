import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

/** OpenAPI 3.1 document from the route schemas, the interactive docs at /docs and /openapi.json. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'zi-tracker API',
          version: '1.0.0',
          description:
            'Zona Integritas (WBK/WBBM) programme API for Indonesian local governments: unit registry, ' +
            'LKE instruments and scoring, declarations, assessments and the PortalRB integration. ' +
            'Errors are application/problem+json (RFC 9457) with a stable `code`.',
          license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        },
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token: zit_<prefix>_<secret>' },
          },
        },
        security: [{ bearerAuth: [] }],
      },
      // Name shared components after their $id instead of def-0, def-1.
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    })
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      // The plugin's policy also says upgrade-insecure-requests: a browser opening /docs over plain
      // http on a LAN address (a Pemda's intranet server) would then ask for its assets over https
      // and show a blank page. TLS is the load balancer's concern (HSTS is sent); drop it here.
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    })
    app.get(
      '/openapi.json',
      { schema: { hide: true }, config: { policy: { public: true } } },
      async () => app.swagger(),
    )
  },
  { name: 'swagger' },
)
