import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'

/**
 * Security headers on every response (set in onRequest, so errors and 404s carry them too).
 * The API serves JSON and files, never pages: the Content-Security-Policy forbids everything
 * (`default-src 'none'`), so a response opened in a browser can run nothing, load nothing and
 * cannot be framed. The one exception is the interactive documentation under /docs: the
 * swagger-ui plugin replaces the policy on its own routes with the one its assets need
 * (`staticCSP` in swagger.ts).
 *
 * Also: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`,
 * `Strict-Transport-Security` (effective when served over HTTPS, e.g. behind the load balancer),
 * `Cross-Origin-Opener-Policy` / `Cross-Origin-Resource-Policy: same-origin` (CORS-mode fetches
 * from allowed origins are unaffected), `X-Permitted-Cross-Domain-Policies: none`.
 */
export default fp(
  async (app) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'none'"],
          frameAncestors: ["'none'"],
          sandbox: [],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      hsts: { maxAge: 31_536_000, includeSubDomains: true },
      crossOriginEmbedderPolicy: false,
    })
  },
  { name: 'helmet' },
)
