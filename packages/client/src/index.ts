/**
 * The typed zi-tracker client: openapi-fetch over the types openapi-typescript generated from
 * openapi/openapi.json (./openapi.ts, `npm run client:generate`). Paths, parameters,
 * bodies and responses are checked by the compiler:
 *
 *   const zi = createZiClient({ baseUrl: 'https://zi.example.go.id', token: process.env.ZI_TOKEN })
 *   const { data, error, response } = await zi.GET('/v1/assessments/{id}/stages/{stage}/score', {
 *     params: { path: { id, stage: 'tpi' }, query: { explain: true } },
 *   })
 *
 * `data` is set on 2xx, `error` (an RFC 9457 problem, see `isProblem`) otherwise. This module is
 * what the package exports (`import { createZiClient } from '@zi-tracker/client'`); it imports nothing
 * from the server.
 */
import createClient, { type Client } from 'openapi-fetch'
import type { components, operations, paths } from './openapi.js'

export type { components, operations, paths }
export type Schemas = components['schemas']
export type Problem = Schemas['Problem']
export type FieldError = Schemas['FieldError']
export type ZiClient = Client<paths>

export interface ZiClientOptions {
  /** The server's root URL, e.g. `https://zi.example.go.id` (the paths begin with `/v1`). */
  baseUrl: string
  /** An API token (`zit_…`), sent as `Authorization: Bearer …`. */
  token?: string
  /** Extra headers on every request (e.g. `user-agent`). */
  headers?: Record<string, string>
  /**
   * The language people read, sent as `Accept-Language` on every request (e.g. `id` or `en`):
   * problem titles and details come back in it. Default: none sent (the server's default,
   * Indonesian unless it is configured otherwise).
   */
  language?: string
  /**
   * Retries of a request that is safe to repeat (GET/HEAD, or any request carrying an
   * `Idempotency-Key`) after a network error or a 429/502/503/504 (or a 409 with `Retry-After`,
   * i.e. `idempotency_in_progress`). Waits `Retry-After` when given, else 0.5 s, 1 s, 2 s, …
   * Default 0.
   */
  retries?: number
  /** The longest wait between two attempts, in ms (default 30 000). */
  maxRetryDelayMs?: number
  /** Abort each attempt after this many ms (default: no limit). */
  timeoutMs?: number
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: (input: Request) => Promise<Response>
}

/** The URL up to the path, without a trailing slash; throws a TypeError naming a bad URL. */
export function normaliseBaseUrl(baseUrl: string): string {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new TypeError(`not a URL: ${JSON.stringify(baseUrl)} (expected e.g. https://zi.example.go.id)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${baseUrl}`)
  if (url.search || url.hash) throw new TypeError(`the base URL takes no query or fragment: ${baseUrl}`)
  return url.href.replace(/\/+$/, '')
}

export function createZiClient(options: ZiClientOptions): ZiClient {
  const headers: Record<string, string> = { ...options.headers }
  if (options.language) headers['accept-language'] = options.language
  if (options.token) headers.authorization = `Bearer ${options.token}`
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request))
  return createClient<paths>({
    baseUrl: normaliseBaseUrl(options.baseUrl),
    headers,
    fetch: resilientFetch(baseFetch, {
      retries: options.retries ?? 0,
      maxDelayMs: options.maxRetryDelayMs ?? 30_000,
      timeoutMs: options.timeoutMs,
    }),
  })
}

/** An RFC 9457 problem body as the API sends it (`code` is stable; switch on it). */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.status === 'number' && typeof v.code === 'string' && typeof v.title === 'string'
}

const RETRY_STATUSES = new Set([429, 502, 503, 504])

const safeToRepeat = (request: Request): boolean =>
  request.method === 'GET' || request.method === 'HEAD' || request.headers.has('idempotency-key')

/** Seconds or an HTTP date, as ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

function resilientFetch(
  base: (request: Request) => Promise<Response>,
  opts: { retries: number; maxDelayMs: number; timeoutMs: number | undefined },
): (request: Request) => Promise<Response> {
  const attempt = (request: Request): Promise<Response> =>
    base(opts.timeoutMs === undefined ? request : new Request(request, { signal: AbortSignal.timeout(opts.timeoutMs) }))
  return async (request) => {
    const retries = safeToRepeat(request) ? Math.max(0, opts.retries) : 0
    for (let n = 0; ; n++) {
      const last = n >= retries
      // Every attempt but the last sends a copy, so the body is still there for the next one.
      const sent = last ? request : request.clone()
      let wait: number
      try {
        const response = await attempt(sent)
        const retryable =
          RETRY_STATUSES.has(response.status) || (response.status === 409 && response.headers.has('retry-after'))
        if (last || !retryable) return response
        wait = retryAfterMs(response.headers.get('retry-after')) ?? 500 * 2 ** n
        await response.body?.cancel()
      } catch (err) {
        if (last) throw err
        wait = 500 * 2 ** n
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, opts.maxDelayMs)))
    }
  }
}
