import pino from 'pino'
import type { FastifyServerOptions } from 'fastify'

const SECRET_KEYS = [
  'password',
  'token',
  'secret',
  'authorization',
  'cookie',
  'api_key',
  'apiKey',
  'access_token',
  'refresh_token',
  'bootstrap_admin_token',
]

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

/** Drizzle puts a failed query's bound values in the error ("params: …" and `.params`): values may be secrets. */
const stripParams = (text: unknown): unknown =>
  typeof text === 'string' ? text.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, '\nparams: [redacted]') : text

/** pino's error serializer, without the bound values of a failed query (at any depth of `cause`). */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>
  out.message = stripParams(out.message)
  out.stack = stripParams(out.stack)
  if ('params' in out) out.params = '[redacted]'
  if (out.cause !== undefined && depth < 4) out.cause = serializeError((err as { cause?: unknown }).cause, depth + 1)
  return out
}

/** A URL without token-shaped segments and with the values of secret-named query parameters (`?access_token=…`) replaced: clients do send them. */
export const redactUrl = (url: string): string =>
  url
    .replace(/zit_[0-9a-f]{8}_[A-Za-z0-9_-]{43}/g, 'zit_[redacted]')
    .replace(/([?&][^=&#]*(?:token|secret|password|passwd|api[_-]?key|auth|signature)[^=&#]*=)[^&#]*/gi, '$1[redacted]')

/** Pretty (pino-pretty) only when asked, or on a terminal outside production; JSON otherwise and whenever a stream is given. */
export function usePretty(format: 'auto' | 'json' | 'pretty', isTty: boolean, nodeEnv: string | undefined): boolean {
  if (format !== 'auto') return format === 'pretty'
  return isTty && nodeEnv !== 'production'
}

export function loggerOptions(
  level: string,
  stream?: NodeJS.WritableStream,
  format: 'auto' | 'json' | 'pretty' = 'json',
): FastifyServerOptions['logger'] {
  const pretty = !stream && usePretty(format, Boolean(process.stdout.isTTY), process.env.NODE_ENV)
  return {
    level,
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(stream ? { stream } : {}),
    serializers: {
      err: serializeError,
      req: (req: { method: string; url: string; headers: Record<string, unknown>; ip?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
        headers: req.headers,
        ip: req.ip,
      }),
    },
  } as FastifyServerOptions['logger']
}
