import fp from 'fastify-plugin'
import cors from '@fastify/cors'

export interface CorsOptions {
  /** CORS_ORIGINS: comma-separated exact origins (`https://dashboard.example.go.id`); empty = CORS off. */
  origins: string | undefined
}

/** The configured origins: trimmed, without a trailing slash, empty entries dropped. */
export function parseCorsOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter((o) => o !== '')
}

/** Headers a browser client may send, and response headers it may read. */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'if-match',
  'if-none-match',
  'idempotency-key',
  'x-request-id',
]
const EXPOSED_HEADERS = [
  'etag',
  'location',
  'link',
  'retry-after',
  'x-request-id',
  'idempotent-replayed',
  'content-disposition',
]

/**
 * Cross-origin access for browser dashboards, closed by default: with CORS_ORIGINS empty the
 * plugin is not even registered, so no response carries an Access-Control-* header and a
 * preflight (OPTIONS) answers 404. With origins configured, a request whose Origin is exactly
 * one of them gets it reflected (with `Vary: Origin`); any other origin gets no CORS header
 * and its preflight 404. Tokens travel in the Authorization header, never in cookies, so
 * credentials mode stays off.
 */
export default fp<CorsOptions>(
  async (app, options) => {
    const allowed = new Set(parseCorsOrigins(options.origins))
    if (allowed.size === 0) return
    await app.register(cors, {
      // A function (not the array) so that a refused origin gets no CORS header at all and its
      // preflight falls through to the 404 handler instead of a 204.
      origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ALLOWED_HEADERS,
      exposedHeaders: EXPOSED_HEADERS,
      credentials: false,
      maxAge: 600,
      // An OPTIONS request with Origin but no Access-Control-Request-Method is answered like a
      // preflight rather than with a text/plain 400 (every error body stays problem+json).
      strictPreflight: false,
      hook: 'onRequest',
    })
  },
  { name: 'cors' },
)
