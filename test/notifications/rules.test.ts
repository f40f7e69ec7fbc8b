import t from 'tap'
import {
  ALL_KINDS,
  NOTICE_KINDS,
  closingOccasion,
  isFreshlyOpened,
  jakartaDay,
  jakartaDaysBetween,
  jakartaTime,
  muteKind,
  nextDigestAt,
  noticeKindOf,
  readUnsubscribeToken,
  stageAudience,
  unsubscribeToken,
  verifyUnsubscribe,
  windowAudience,
} from '../../src/modules/notifications/rules.js'

const at = (iso: string) => new Date(iso)

t.test('Jakarta days: the calendar day is WIB (UTC+7), not UTC', async (t) => {
  t.equal(jakartaDay(at('2026-05-30T16:59:00Z')), '2026-05-30', '23:59 WIB is still the 30th')
  t.equal(jakartaDay(at('2026-05-30T17:00:00Z')), '2026-05-31', '00:00 WIB is the 31st')
  t.equal(jakartaDaysBetween(at('2026-05-28T17:30:00Z'), at('2026-05-31T16:59:00Z')), 2, 'the 29th to the 31st')
  t.equal(jakartaTime(at('2026-05-31T16:59:00Z')), '2026-05-31 23:59 WIB')
})

t.test('closing reminders: 7, 3 and 1 days before the closing day in Jakarta', async (t) => {
  // the proposal window closes 31 May 23:59 WIB
  const closes = at('2026-05-31T16:59:00Z')
  const on = (day: string, time = '09:00') => closingOccasion(new Date(`${day}T${time}:00+07:00`), closes)
  t.equal(on('2026-05-23'), null, '8 days before: nothing yet')
  t.equal(on('2026-05-24'), '7d', '7 days before')
  t.equal(on('2026-05-24', '00:00'), '7d', 'from midnight WIB')
  t.equal(on('2026-05-23', '23:59'), null, 'the last minute of the 8th day before: nothing yet')
  t.equal(on('2026-05-26'), '7d', '5 days before: still the 7-day reminder (sent once by its key)')
  t.equal(on('2026-05-28'), '3d', '3 days before')
  t.equal(on('2026-05-29'), '3d')
  t.equal(on('2026-05-30'), '1d', '1 day before')
  t.equal(on('2026-05-31', '20:00'), '1d', 'on the closing day, before it closes: the 1-day reminder if it was missed')
  t.equal(closingOccasion(closes, closes), null, 'closed: nothing')
  // a reminder missed while the worker was down is replaced by the next one, not sent late
  t.equal(on('2026-05-29', '07:00'), '3d')
})

t.test('opened: only a window that opened in the last two days', async (t) => {
  const opens = at('2026-01-02T00:00:00Z')
  const closes = at('2026-03-01T00:00:00Z')
  t.equal(isFreshlyOpened(at('2026-01-01T23:59:00Z'), opens, closes), false, 'not open yet')
  t.equal(isFreshlyOpened(at('2026-01-02T00:00:00Z'), opens, closes), true)
  t.equal(isFreshlyOpened(at('2026-01-03T23:59:00Z'), opens, closes), true)
  t.equal(
    isFreshlyOpened(at('2026-01-04T00:00:00Z'), opens, closes),
    false,
    'a worker started later does not announce old windows',
  )
})

t.test('the digest hour, in Jakarta', async (t) => {
  t.equal(
    nextDigestAt(at('2026-05-10T22:00:00Z'), 7).toISOString(),
    '2026-05-11T00:00:00.000Z',
    '05:00 WIB → 07:00 WIB the same day',
  )
  t.equal(
    nextDigestAt(at('2026-05-11T00:00:00Z'), 7).toISOString(),
    '2026-05-12T00:00:00.000Z',
    'at 07:00 WIB → tomorrow',
  )
  t.equal(nextDigestAt(at('2026-05-11T03:00:00Z'), 7).toISOString(), '2026-05-12T00:00:00.000Z', '10:00 WIB → tomorrow')
  t.equal(nextDigestAt(at('2026-05-11T03:00:00Z'), 18).toISOString(), '2026-05-11T11:00:00.000Z', '18:00 WIB today')
})

t.test('who gets what', async (t) => {
  t.equal(stageAudience('self', 'submitted'), 'evaluator', 'a submitted self-assessment goes to the TPI')
  t.equal(stageAudience('self', 'returned'), 'unit_operator', 'a returned self-assessment goes to the unit')
  t.equal(stageAudience('self', 'approved'), 'unit_operator')
  t.equal(stageAudience('tpi', 'submitted'), 'admin', 'the TPI stage is reviewed by the admins')
  t.equal(stageAudience('tpi', 'returned'), 'evaluator', 'a returned TPI stage goes back to the TPI')
  t.equal(stageAudience('sanggah', 'approved'), 'unit_operator')

  t.equal(windowAudience('self_assessment', 'self', 'draft'), 'unit_operator', 'a draft self stage: the unit')
  t.equal(windowAudience('self_assessment', 'self', 'submitted'), null, 'submitted: nothing left to do')
  t.equal(
    windowAudience('self_assessment', 'self', 'returned'),
    null,
    'a returned stage is written in the revision window',
  )
  t.equal(windowAudience('revision', 'self', 'returned'), 'unit_operator')
  t.equal(windowAudience('tpi_verification', 'tpi', 'draft'), 'evaluator', 'a draft TPI stage: the TPI')
  t.equal(windowAudience('tpi_verification', 'tpn', 'draft'), 'admin')
  t.equal(windowAudience('revision', 'sanggah', 'draft'), 'unit_operator')
  t.equal(windowAudience('tpi_verification', 'self', 'draft'), null)
})

t.test('notice kinds of the change feed', async (t) => {
  t.equal(noticeKindOf('stage.returned', {}), 'stage.returned')
  t.equal(noticeKindOf('answer.changed', {}), null, 'most events make no notice')
  const moved = (from: string, to: string, reason: string) =>
    noticeKindOf('declaration.transitioned', { from, to, reason })
  t.equal(moved('building', 'proposed', 'proposed'), 'proposal.made')
  t.equal(moved('proposed', 'not_designated', 'proposal.administrative_selection_recorded'), 'proposal.refused')
  t.equal(
    moved('proposed', 'evaluated', 'proposal.evaluation_recorded'),
    null,
    'the evaluation is a step, not an outcome',
  )
  t.equal(moved('evaluated', 'designated', 'proposal.decision_recorded'), 'proposal.outcome')
  t.equal(moved('evaluated', 'not_designated', 'proposal.decision_recorded'), 'proposal.outcome')
  t.equal(moved('designated', 'revoked', 'proposal.revocation_recorded'), 'proposal.outcome')
  t.equal(moved('declared', 'building', 'mulai pembangunan'), null)
})

t.test('unsubscribe tokens: signed with the person’s secret, naming one kind', async (t) => {
  const id = '2b1f0c1e-8a51-4bb7-9f3e-2a4b0d1c9e77'
  const token = unsubscribeToken('secret-a', id, 'stage.returned')
  t.same(readUnsubscribeToken(token), { principalId: id, kind: 'stage.returned', payload: token.split('.')[0] })
  t.equal(verifyUnsubscribe('secret-a', token), true)
  t.equal(verifyUnsubscribe('secret-b', token), false, 'another secret')
  const [payload, signature] = token.split('.') as [string, string]
  const forged = `${Buffer.from(`${id} window.closing`).toString('base64url')}.${signature}`
  t.equal(verifyUnsubscribe('secret-a', forged), false, 'another kind under the same signature')
  t.equal(verifyUnsubscribe('secret-a', `${payload}.${signature.slice(1)}`), false, 'a cut signature')
  t.equal(readUnsubscribeToken('nonsense'), null)
  t.equal(readUnsubscribeToken(`${Buffer.from(`${id} no.such`).toString('base64url')}.x`), null, 'an unknown kind')
  t.ok(readUnsubscribeToken(unsubscribeToken('s', id, ALL_KINDS)), 'every kind at once')
})

t.test('muting', async (t) => {
  t.same(muteKind([], 'stage.approved'), ['stage.approved'])
  t.same(muteKind(['stage.approved'], 'stage.approved'), ['stage.approved'], 'twice is once')
  t.same(muteKind(['stage.approved'], ALL_KINDS), [...NOTICE_KINDS].sort())
})
