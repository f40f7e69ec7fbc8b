import { randomBytes } from 'node:crypto'
import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import { systemContext } from '../../src/lib/command.js'
import { ProblemError } from '../../src/lib/problem.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import {
  createWebhook,
  deleteWebhook,
  rotateWebhookSecret,
  updateWebhook,
} from '../../src/modules/webhooks/commands.js'
import type { WebhookSettings } from '../../src/modules/webhooks/service.js'
import { webhookSubscriptions } from '../../src/modules/webhooks/tables.js'
import { createTestDatabase } from '../helpers/database.js'

/** The subscription commands without HTTP (delivery has its own end-to-end test). */
t.test('webhook commands', async (t) => {
  const testDb = await createTestDatabase()
  t.teardown(() => testDb.destroy())
  const db = testDb.database.db
  const ctx = systemContext(db, 'webhook test')
  const settings: WebhookSettings = { key: randomBytes(32), allowHosts: new Set(['127.0.0.1']) }
  const problem = (status: number, code: string) => ({ constructor: ProblemError, status, code })
  const actions = async (id: string) =>
    (await db.select().from(auditEvents).where(eq(auditEvents.entityId, id)).orderBy(asc(auditEvents.id))).map(
      (a) => a.action,
    )

  await t.rejects(
    createWebhook(ctx, { subscription: { url: 'http://127.0.0.1:9/x' }, settings: { ...settings, key: undefined } }),
    problem(503, 'webhooks_not_configured'),
  )
  await t.rejects(
    createWebhook(ctx, { subscription: { url: 'https://10.0.0.1/x' }, settings }),
    problem(422, 'webhook_url_refused'),
  )
  t.same(await db.select().from(webhookSubscriptions), [], 'refused: nothing written')

  const { row, secret } = await createWebhook(ctx, {
    subscription: { url: 'http://127.0.0.1:9/hook', event_types: ['stage.submitted', 'stage.submitted'] },
    settings,
  })
  t.match(secret, /^whsec_/)
  t.same(row.eventTypes, ['stage.submitted'])
  t.equal(row.createdBy, null, 'the system is no principal')

  await t.rejects(
    updateWebhook(ctx, { id: row.id, patch: { active: false }, ifMatch: '"2"', settings }),
    problem(412, 'precondition_failed'),
  )
  const paused = await updateWebhook(ctx, { id: row.id, patch: { active: false }, ifMatch: '"1"', settings })
  t.match(paused, { active: false, version: 2 })

  const rotated = await rotateWebhookSecret(ctx, { id: row.id, settings })
  t.not(rotated.secret, secret)
  t.equal(rotated.row.version, 3)

  await t.rejects(deleteWebhook(ctx, { id: row.id, ifMatch: '"2"' }), problem(412, 'precondition_failed'))
  await deleteWebhook(ctx, { id: row.id, ifMatch: '"3"' })
  await t.rejects(deleteWebhook(ctx, { id: row.id }), problem(404, 'webhook_not_found'))
  t.same(await actions(row.id), ['webhook.created', 'webhook.updated', 'webhook.secret_rotated', 'webhook.deleted'])
})
