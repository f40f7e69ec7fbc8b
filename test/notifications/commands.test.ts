import { count, eq } from 'drizzle-orm'
import t from 'tap'
import { systemContext } from '../../src/lib/command.js'
import { ProblemError } from '../../src/lib/problem.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { unsubscribe, updateNoticePreferences } from '../../src/modules/notifications/commands.js'
import { unsubscribeToken } from '../../src/modules/notifications/rules.js'
import { ensurePreferences } from '../../src/modules/notifications/service.js'
import { noticePreferences } from '../../src/modules/notifications/tables.js'
import { commandContext } from '../helpers/commands.js'
import { createTestDatabase } from '../helpers/database.js'

/** Notice preference commands without HTTP: one audit record per change, none for a no-op. */
t.test('notice preference commands', async (t) => {
  const tdb = await createTestDatabase()
  t.teardown(() => tdb.destroy())
  const { db } = tdb.database
  const audits = async (action: string) =>
    (await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, action)))[0]?.n ?? 0

  const ctx = await commandContext(db, 'unit_operator', { requestId: 'req-prefs' })
  const me = ctx.principal.principalId!

  const defaults = await ensurePreferences(db, me)
  t.same(
    [defaults.language, defaults.delivery, defaults.mutedKinds],
    ['id', 'immediate', []],
    'Indonesian, immediate, every kind',
  )
  t.match(defaults.unsubscribeSecret, /^[0-9a-f]{64}$/, 'a secret of its own')

  const changed = await updateNoticePreferences(ctx, {
    principalId: me,
    patch: { language: 'en', delivery: 'digest', kinds: { 'stage.approved': false, 'window.opened': true } },
  })
  t.same([changed.language, changed.delivery, changed.mutedKinds], ['en', 'digest', ['stage.approved']])
  t.equal(changed.version, 2)
  t.equal(await audits('notice_preferences.updated'), 1)
  const [row] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'notice_preferences.updated'))
  t.equal(row?.requestId, 'req-prefs', 'the audit names the request')

  const same = await updateNoticePreferences(ctx, {
    principalId: me,
    patch: { delivery: 'digest', kinds: { 'stage.approved': false } },
  })
  t.equal(same.version, 2, 'nothing changed')
  t.equal(await audits('notice_preferences.updated'), 1, 'and nothing recorded')

  const link = systemContext(db, 'unsubscribe link')
  const token = unsubscribeToken(changed.unsubscribeSecret, me, 'window.closing')
  t.same(await unsubscribe(link, { token }), { kind: 'window.closing' })
  const [after] = await db.select().from(noticePreferences).where(eq(noticePreferences.principalId, me))
  t.same(after?.mutedKinds, ['stage.approved', 'window.closing'])
  t.equal(await audits('notice_preferences.unsubscribed'), 1)
  t.same(await unsubscribe(link, { token }), { kind: 'window.closing' }, 'the link followed twice')
  t.equal(await audits('notice_preferences.unsubscribed'), 1, 'records nothing the second time')

  const all = unsubscribeToken(changed.unsubscribeSecret, me, '*')
  await unsubscribe(link, { token: all })
  const [none] = await db.select().from(noticePreferences).where(eq(noticePreferences.principalId, me))
  t.equal(none?.mutedKinds.length, 9, 'every kind')
  t.equal(await audits('notice_preferences.unsubscribed_all'), 1)

  const refused = { constructor: ProblemError, status: 404, code: 'unsubscribe_token_invalid' }
  await t.rejects(
    unsubscribe(link, { token: unsubscribeToken('another secret', me, 'stage.returned') }),
    refused,
    'a forged signature',
  )
  await t.rejects(unsubscribe(link, { token: 'not-a-token' }), refused, 'a malformed token')
  const stranger = '7c0e4f51-1b0a-4d8e-9d43-5d9e6f0b7a21'
  await t.rejects(
    unsubscribe(link, { token: unsubscribeToken('x', stranger, 'stage.returned') }),
    refused,
    'nobody: the same answer',
  )
  const other = await commandContext(db, 'evaluator')
  await t.rejects(
    unsubscribe(link, { token: unsubscribeToken('x', other.principal.principalId!, 'stage.returned') }),
    refused,
    'a person who never had a mail (no secret yet): the same answer',
  )
})
