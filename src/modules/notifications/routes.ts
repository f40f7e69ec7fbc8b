import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext, systemContext } from '../../lib/command.js'
import { msg } from '../../lib/i18n.js'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { ADMIN, READERS } from '../../lib/policy.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError, problemResponses } from '../../lib/problem.js'
import { principals } from '../auth/tables.js'
import { eq } from 'drizzle-orm'
import { unsubscribe, updateNoticePreferences } from './commands.js'
import { ALL_KINDS, NOTICE_KINDS } from './rules.js'
import * as S from './schemas.js'
import { listNotices, readPreferences } from './service.js'
import type { NoticePreferencesRow } from './tables.js'

export interface NotificationRoutesOptions {
  /** SMTP configured: notices are made and mailed */
  enabled: boolean
  digestHour: number
  /** unsubscribe requests one address may make per window */
  unsubscribeMax?: number
  unsubscribeWindowMs?: number
}

const TAGS = ['notifications']
const PUBLIC = { policy: { public: true as const } }

/**
 * Notices by e-mail: a person's own preferences, the public unsubscribe link, and the admin's
 * view of every notice with its attempts (docs/notifications.md).
 */
const notificationRoutes: FastifyPluginAsyncTypebox<NotificationRoutesOptions> = async (app, options) => {
  const person = (p: Principal): string => {
    if (p.principalId === null)
      throw new ProblemError(403, 'not_a_person', msg('notifications:no_person', { name: p.name }))
    return p.principalId
  }
  const view = async (
    row: Pick<NoticePreferencesRow, 'principalId' | 'language' | 'delivery' | 'mutedKinds'>,
  ): Promise<S.PreferencesView> => {
    const [p] = await app.db
      .select({ email: principals.email })
      .from(principals)
      .where(eq(principals.id, row.principalId))
    return {
      principal_id: row.principalId,
      email: p?.email ?? null,
      language: row.language,
      delivery: row.delivery,
      digest_hour: options.digestHour,
      kinds: Object.fromEntries(
        NOTICE_KINDS.map((k) => [k, !row.mutedKinds.includes(k)]),
      ) as S.PreferencesView['kinds'],
      notices_enabled: options.enabled,
    }
  }

  app.get(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'Every notice, newest first, with its attempts (filter by status, kind, recipient)',
        description:
          'What was mailed to whom and when, what is waiting (a retry, the digest hour) and why a mail failed or was skipped.',
        operationId: 'listNotices',
        querystring: S.NoticeListQuery,
        response: { 200: S.NoticePage, ...problemResponses(400, 401, 403) },
      },
      config: ADMIN,
    },
    async (request, reply) =>
      sendPage(
        request,
        reply,
        await listNotices(app.db, { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
      ),
  )

  app.get(
    '/preferences',
    {
      schema: {
        tags: TAGS,
        summary: 'My notice preferences: language, immediate or daily digest, the kinds I receive',
        operationId: 'getNoticePreferences',
        response: { 200: S.PreferencesView, ...problemResponses(401, 403) },
      },
      config: READERS,
    },
    async (request) => view(await readPreferences(app.db, person(request.principal))),
  )

  app.patch(
    '/preferences',
    {
      schema: {
        tags: TAGS,
        summary: 'Change my notice preferences (only the fields sent)',
        description: 'The e-mail address is set by an admin: PATCH /v1/principals/{id}.',
        operationId: 'updateNoticePreferences',
        body: S.PreferencesPatch,
        response: { 200: S.PreferencesView, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request) =>
      view(
        await updateNoticePreferences(requestContext(request), {
          principalId: person(request.principal),
          patch: request.body,
        }),
      ),
  )

  // The link in every mail: public, answers the same 404 for any bad token, and is rate-limited
  // per address on top of the per-address limit every request already spends.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1024 },
    (_r, _b, done) => done(null, {}),
  )
  const limiter = app.createRateLimit({
    max: options.unsubscribeMax ?? 30,
    timeWindow: options.unsubscribeWindowMs ?? 15 * 60_000,
    keyGenerator: (request) => `unsubscribe:${request.ip}`,
  })
  const limited = async (request: Parameters<typeof limiter>[0], reply: { header(n: string, v: string): unknown }) => {
    const result = await limiter(request)
    if (result.isAllowed || !result.isExceeded) return
    const wait = Math.max(1, result.ttlInSeconds)
    reply.header('retry-after', String(wait))
    throw new ProblemError(
      429,
      'rate_limited',
      msg('notifications:rate_limited', { wait }),
      {},
      { 'retry-after': String(wait) },
    )
  }
  const unsubscribeSchema = (method: 'GET' | 'POST') => ({
    tags: TAGS,
    summary:
      method === 'GET'
        ? 'Unsubscribe from one kind of notice (the link in each mail)'
        : 'One-click unsubscribe (RFC 8058, sent by mail programs from the List-Unsubscribe header)',
    description:
      'No token needed: the link carries a signed token naming the person and the kind (or * for every kind). It answers only what was unsubscribed; any bad token is 404 unsubscribe_token_invalid.',
    operationId: method === 'GET' ? 'unsubscribeNotices' : 'unsubscribeNoticesOneClick',
    querystring: S.UnsubscribeQuery,
    response: { 200: S.UnsubscribeResult, ...problemResponses(400, 404, 429) },
  })
  const handle = async (request: { query: { token: string }; t: (m: ReturnType<typeof msg>) => string }) => {
    const { kind } = await unsubscribe(systemContext(app.db, 'unsubscribe link'), { token: request.query.token })
    const message =
      kind === ALL_KINDS
        ? request.t(msg('notifications:unsubscribed_all'))
        : request.t(msg('notifications:unsubscribed', { kind: msg(`notifications:kinds.${kind.replace('.', '_')}`) }))
    return { unsubscribed: true as const, kind, message }
  }
  app.get('/unsubscribe', { schema: unsubscribeSchema('GET'), config: PUBLIC, onRequest: limited }, async (request) =>
    handle(request),
  )
  app.post('/unsubscribe', { schema: unsubscribeSchema('POST'), config: PUBLIC, onRequest: limited }, async (request) =>
    handle(request),
  )
}

export default notificationRoutes
