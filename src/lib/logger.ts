import type { FastifyServerOptions } from 'fastify'

const SECRET_KEYS = ['password', 'token', 'secret', 'authorization', 'cookie', 'api_key', 'apiKey', 'access_token', 'refresh_token', 'bootstrap_admin_token']

/**
 * Redaction paths: the auth and cookie headers, and any field named like a secret at the
 * top level or up to three levels deep in a logged object.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
]

export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(stream ? { stream } : {}),
    serializers: {
      req: (req: { method: string; url: string; headers: Record<string, unknown>; ip?: string }) => ({
        method: req.method,
        url: req.url,
        headers: req.headers,
        ip: req.ip,
      }),
    },
  } as FastifyServerOptions['logger']
}
