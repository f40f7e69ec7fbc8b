import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { versionEtag } from '../../lib/etag.js'
import { Type } from 'typebox'
import type { Config } from '../../config.js'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { problemResponses } from '../../lib/problem.js'
import { requestContext } from '../../lib/command.js'
import { createWebhook, deleteWebhook, rotateWebhookSecret, updateWebhook } from './commands.js'
import { parseAllowHosts, parseSecretKey } from './rules.js'
import * as S from './schemas.js'
import { listDeliveries, listSubscriptions, loadSubscription, toWebhookView, type WebhookSettings } from './service.js'
import { ADMIN } from '../../lib/policy.js'

const TAGS = ['webhooks']

export interface WebhookRoutesOptions {
  config: Config
}

/**
 * Webhook subscriptions (admin). The delivery worker starts in src/workers (WEBHOOK_WORKER).
 */
const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, { config }) => {
  const settings: WebhookSettings = {
    key: config.WEBHOOK_SECRET_KEY ? parseSecretKey(config.WEBHOOK_SECRET_KEY) : undefined,
    allowHosts: parseAllowHosts(config.WEBHOOK_ALLOW_HOSTS),
  }

  app.post(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'Subscribe a URL to events',
        description:
          'The answer carries the signing secret (whsec_…) once; it is stored encrypted with WEBHOOK_SECRET_KEY (503 webhooks_not_configured without it). The URL must be https and resolve to public addresses only (422 webhook_url_refused: https_required, address_not_public, unresolvable, credentials_not_allowed); the check is made again before every delivery.',
        operationId: 'createWebhook',
        body: S.CreateWebhookBody,
        response: { 201: S.WebhookWithSecret, ...problemResponses(400, 401, 403, 422, 503) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const { row, secret } = await createWebhook(requestContext(request), { subscription: request.body, settings })
      return reply
        .code(201)
        .header('location', `/v1/webhooks/${row.id}`)
        .header('etag', versionEtag(row))
        .send({ ...toWebhookView(row), secret })
    },
  )

  app.get(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'List webhook subscriptions',
        operationId: 'listWebhooks',
        querystring: S.WebhookListQuery,
        response: { 200: S.WebhookPage, ...problemResponses(400, 401, 403) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      return sendPage(
        request,
        reply,
        await listSubscriptions(app.db, request.query.limit ?? DEFAULT_LIMIT, request.query.cursor),
      )
    },
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read a webhook subscription',
        operationId: 'getWebhook',
        params: S.WebhookParams,
        response: { 200: S.WebhookView, ...problemResponses(400, 401, 403, 404) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const row = await loadSubscription(app.db, request.params.id)
      return reply.header('etag', versionEtag(row)).send(toWebhookView(row))
    },
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change a subscription: URL, filters, pause (active=false)',
        description: 'A new URL is checked like at creation. Send If-Match to refuse lost updates (412).',
        operationId: 'updateWebhook',
        params: S.WebhookParams,
        headers: S.IfMatchHeaders,
        body: S.PatchWebhookBody,
        response: { 200: S.WebhookView, ...problemResponses(400, 401, 403, 404, 412, 422) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const row = await updateWebhook(requestContext(request), {
        id: request.params.id,
        patch: request.body,
        ifMatch: request.headers['if-match'],
        settings,
      })
      return reply.header('etag', versionEtag(row)).send(toWebhookView(row))
    },
  )

  app.delete(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a subscription and its delivery log',
        operationId: 'deleteWebhook',
        params: S.WebhookParams,
        headers: S.IfMatchHeaders,
        response: { 204: Type.Null({ description: 'deleted' }), ...problemResponses(400, 401, 403, 404, 412) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      await deleteWebhook(requestContext(request), { id: request.params.id, ifMatch: request.headers['if-match'] })
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/:id/secret',
    {
      schema: {
        tags: TAGS,
        summary: 'Replace the signing secret (the new one is shown once)',
        description: 'Deliveries from now on are signed with the new secret, retries of earlier ones included.',
        operationId: 'rotateWebhookSecret',
        params: S.WebhookParams,
        response: { 200: S.WebhookWithSecret, ...problemResponses(400, 401, 403, 404, 503) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const { row, secret } = await rotateWebhookSecret(requestContext(request), { id: request.params.id, settings })
      return reply.header('etag', versionEtag(row)).send({ ...toWebhookView(row), secret })
    },
  )

  app.get(
    '/:id/deliveries',
    {
      schema: {
        tags: TAGS,
        summary: 'The delivery log of a subscription: each event, its status and every attempt',
        operationId: 'listWebhookDeliveries',
        params: S.WebhookParams,
        querystring: S.DeliveryListQuery,
        response: { 200: S.DeliveryPage, ...problemResponses(400, 401, 403, 404) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      await loadSubscription(app.db, request.params.id)
      return sendPage(
        request,
        reply,
        await listDeliveries(app.db, request.params.id, {
          limit: request.query.limit ?? DEFAULT_LIMIT,
          cursor: request.query.cursor,
          status: request.query.status,
        }),
      )
    },
  )
}

export default webhookRoutes
