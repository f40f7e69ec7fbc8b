import { createHash } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { and, eq, lt, or, sql } from 'drizzle-orm'
import { Type } from 'typebox'
import { principalRowId } from '../../lib/principal.js'
import { ProblemError } from '../../lib/problem.js'
import { canonicalJson } from '../audit/service.js'
import { idempotencyKeys } from './tables.js'
import { msg } from '../../lib/i18n.js'

/**
 * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) for routes that opt in with
 * `config: { idempotent: true }` (meant for POST and batch PUT).
 *
 * A request carrying `Idempotency-Key` (1–200 printable ASCII characters, else 400
 * `invalid_idempotency_key`) is keyed by principal + method + route template + key:
 * - first time: a 'pending' row is inserted (ON CONFLICT DO NOTHING: the row is the lock, shared
 *   by every replica), the handler runs, and the response (status, content-type, location,
 *   etag, body) is stored; a 5xx is not stored (the row is removed so the client can retry);
 * - same key and same request again: the stored response, with `Idempotent-Replayed: true`;
 * - same key, different request (params, query or body): 422 `idempotency_key_reused`;
 * - same key while the first is still running: 409 `idempotency_in_progress` (Retry-After: 1).
 * Keys expire after IDEMPOTENCY_TTL_HOURS; expired rows are purged lazily by later requests.
 * A pending row left by a crashed process is taken over after PENDING_TIMEOUT_SECONDS.
 *
 * JSON routes need nothing else. A multipart route cannot be fingerprinted before its handler
 * has read the stream: the hook only validates the key, and the handler calls
 * `idempotencyCheckpoint(request, reply, what)` once it knows what it received, before writing;
 * when that returns true the stored response was sent and the handler returns `reply`.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Accept the Idempotency-Key header on this route (see plugin.ts). */
    idempotent?: boolean
  }
  interface FastifyRequest {
    idempotency: IdempotencyState | null
  }
}

interface IdempotencyState {
  key: string
  ttlHours: number
  /** true once this request holds the pending row and must complete it */
  owned: boolean
  finished: boolean
}

export interface IdempotencyOptions {
  ttlHours: number
}

const KEY = /^[\x20-\x7E]{1,200}$/
const STORED_HEADERS = ['content-type', 'location', 'etag'] as const
export const PENDING_TIMEOUT_SECONDS = 300

/** The header, for route schemas (documentation; the plugin validates it). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'makes a retry safe: 1–200 printable characters, unique per intended operation; see README "Idempotency-Key"',
    }),
  ),
})

function identity(request: FastifyRequest, key: string) {
  return {
    principalId: principalRowId(request.principal),
    method: request.method,
    route: request.routeOptions.url ?? request.url.split('?')[0] ?? request.url,
    key,
  }
}

const whereKey = (id: ReturnType<typeof identity>) =>
  and(
    eq(idempotencyKeys.principalId, id.principalId),
    eq(idempotencyKeys.method, id.method),
    eq(idempotencyKeys.route, id.route),
    eq(idempotencyKeys.key, id.key),
  )

/** SHA-256 of what identifies the request: route params, query and the body (canonical JSON). */
export function requestFingerprint(request: FastifyRequest, body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ params: request.params ?? null, query: request.query ?? null, body: body ?? null }))
    .digest('hex')
}

/**
 * Takes the key's lock, or answers from the stored response. Returns true when a response was
 * sent (a replay): the caller must return `reply` without doing anything. Throws 409/422 as
 * documented above. A no-op (false) for requests without the header.
 */
export async function idempotencyCheckpoint(
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
): Promise<boolean> {
  const state = request.idempotency
  if (!state || state.owned) return false
  const db = request.server.db
  const ttlHours = state.ttlHours
  const id = identity(request, state.key)
  const fingerprint = requestFingerprint(request, body)
  for (let attempt = 0; attempt < 3; attempt++) {
    // Lazy purge: every expired key, and this key's pending row when its owner died.
    await db
      .delete(idempotencyKeys)
      .where(
        or(
          lt(idempotencyKeys.expiresAt, sql`now()`),
          and(
            whereKey(id),
            eq(idempotencyKeys.state, 'pending'),
            lt(idempotencyKeys.createdAt, sql`now() - make_interval(secs => ${PENDING_TIMEOUT_SECONDS})`),
          ),
        ),
      )
    const inserted = await db
      .insert(idempotencyKeys)
      .values({
        ...id,
        requestHash: fingerprint,
        state: 'pending',
        expiresAt: sql`now() + make_interval(hours => ${ttlHours})`,
      })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key })
    if (inserted.length > 0) {
      state.owned = true
      return false
    }
    const [row] = await db.select().from(idempotencyKeys).where(whereKey(id))
    if (!row) continue // completed with a 5xx or expired meanwhile: try to take it again
    if (row.requestHash !== fingerprint) {
      throw new ProblemError(422, 'idempotency_key_reused', msg('idempotency:idempotency_key_reused'), {
        errors: [
          {
            pointer: '/headers/idempotency-key',
            rule: 'idempotency_key_reused',
            message: msg('idempotency:field.idempotency_key_reused'),
          },
        ],
      })
    }
    if (row.state === 'pending') {
      throw new ProblemError(
        409,
        'idempotency_in_progress',
        msg('idempotency:idempotency_in_progress'),
        {},
        { 'retry-after': '1' },
      )
    }
    reply.code(row.responseStatus ?? 200)
    for (const [name, value] of Object.entries(row.responseHeaders ?? {})) reply.header(name, value)
    reply.header('idempotent-replayed', 'true')
    await reply.send(row.responseBody ?? '')
    return true
  }
  throw new ProblemError(
    409,
    'idempotency_in_progress',
    msg('idempotency:idempotency_in_progress_2'),
    {},
    { 'retry-after': '1' },
  )
}

/** How long a failed request keeps trying to free its key while the database is unreachable. */
const FREE_RETRY_MS = 2000
const FREE_ATTEMPTS = 60

export default fp<IdempotencyOptions>(
  async (app, options) => {
    app.decorateRequest('idempotency', null)

    // A request that failed (5xx) frees its key so the client may retry. When the database itself
    // is what failed (a restart), the delete fails too: keep trying until it is back, else every
    // retry would get 409 idempotency_in_progress until PENDING_TIMEOUT_SECONDS.
    const retries = new Set<NodeJS.Timeout>()
    const freeKey = async (request: FastifyRequest, id: ReturnType<typeof identity>, attempt = 0): Promise<void> => {
      try {
        await app.db.delete(idempotencyKeys).where(and(whereKey(id), eq(idempotencyKeys.state, 'pending')))
      } catch (err) {
        if (attempt + 1 >= FREE_ATTEMPTS) {
          request.log.error({ err }, 'could not free the Idempotency-Key of a failed request')
          return
        }
        const timer = setTimeout(() => {
          retries.delete(timer)
          void freeKey(request, id, attempt + 1)
        }, FREE_RETRY_MS)
        timer.unref()
        retries.add(timer)
      }
    }
    app.addHook('onClose', async () => {
      for (const timer of retries) clearTimeout(timer)
      retries.clear()
    })

    app.addHook('preHandler', async (request, reply) => {
      if (!request.routeOptions.config.idempotent) return
      const raw = request.headers['idempotency-key']
      if (raw === undefined) return
      const key = Array.isArray(raw) ? undefined : raw
      if (key === undefined || !KEY.test(key)) {
        throw new ProblemError(400, 'invalid_idempotency_key', msg('idempotency:invalid_idempotency_key'), {
          errors: [{ pointer: '/headers/idempotency-key', rule: 'pattern', message: msg('idempotency:field.pattern') }],
        })
      }
      request.idempotency = { key, ttlHours: options.ttlHours, owned: false, finished: false }
      // Multipart bodies are still unread: the handler calls idempotencyCheckpoint itself.
      if (/^multipart\//i.test(request.headers['content-type'] ?? '')) return
      if (await idempotencyCheckpoint(request, reply, request.body)) return reply
    })

    app.addHook('onSend', async (request, reply, payload) => {
      const state = request.idempotency
      if (!state?.owned || state.finished) return payload
      state.finished = true
      const id = identity(request, state.key)
      const status = reply.statusCode
      try {
        const storable =
          payload === null || payload === undefined || typeof payload === 'string' || Buffer.isBuffer(payload)
        if (status >= 500 || !storable) {
          await freeKey(request, id)
        } else {
          const headers: Record<string, string> = {}
          for (const name of STORED_HEADERS) {
            const value = reply.getHeader(name)
            if (value !== undefined) headers[name] = String(value)
          }
          const body = payload === null || payload === undefined ? '' : payload.toString()
          await app.db
            .update(idempotencyKeys)
            .set({ state: 'done', responseStatus: status, responseHeaders: headers, responseBody: body })
            .where(whereKey(id))
        }
      } catch (err) {
        request.log.error({ err }, 'could not record the idempotent response')
      }
      return payload
    })

    // Safety net: a request that ended without onSend completing its row must not hold the lock.
    app.addHook('onResponse', async (request) => {
      const state = request.idempotency
      if (!state?.owned || state.finished) return
      state.finished = true
      await freeKey(request, identity(request, state.key))
    })
  },
  { name: 'idempotency', dependencies: ['database', 'errors', 'auth'] },
)
