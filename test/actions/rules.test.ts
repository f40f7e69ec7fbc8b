import t from 'tap'
import { isOverdue, jakartaDate, statusRule, tallyArea, type ActionLike } from '../../src/modules/actions/rules.js'

t.test('jakartaDate: the calendar date in Asia/Jakarta (UTC+7, no daylight saving)', async (t) => {
  t.equal(jakartaDate(new Date('2026-04-30T16:59:59Z')), '2026-04-30')
  t.equal(jakartaDate(new Date('2026-04-30T17:00:00Z')), '2026-05-01')
  t.equal(jakartaDate(new Date('2026-12-31T17:00:00Z')), '2027-01-01')
})

t.test('isOverdue: target date before today and still open', async (t) => {
  t.equal(isOverdue({ status: 'planned', targetDate: '2026-04-30' }, '2026-05-01'), true)
  t.equal(isOverdue({ status: 'in_progress', targetDate: '2026-04-30' }, '2026-05-01'), true)
  t.equal(isOverdue({ status: 'planned', targetDate: '2026-04-30' }, '2026-04-30'), false, 'due today is not late')
  t.equal(isOverdue({ status: 'done', targetDate: '2026-04-30' }, '2026-05-01'), false)
  t.equal(isOverdue({ status: 'cancelled', targetDate: '2026-04-30' }, '2026-05-01'), false)
})

t.test('statusRule: cancelling needs a reason, a reason needs cancelling', async (t) => {
  t.same(statusRule('cancelled', 'digabung'), { ok: true })
  t.same(statusRule('cancelled', '  '), { ok: false, rule: 'cancel_reason_required' })
  t.same(statusRule('cancelled', null), { ok: false, rule: 'cancel_reason_required' })
  t.same(statusRule('done', 'x'), { ok: false, rule: 'cancel_reason_without_cancel' })
  t.same(statusRule('done', null), { ok: true })
})

t.test('tallyArea: counts and the mean latest progress of the actions not cancelled', async (t) => {
  const actions: ActionLike[] = [
    { area: 'penataan_sdm', status: 'done', targetDate: '2026-01-31', latestProgress: 100 },
    { area: 'penataan_sdm', status: 'in_progress', targetDate: '2026-02-28', latestProgress: 30 },
    { area: 'penataan_sdm', status: 'planned', targetDate: '2026-06-30', latestProgress: null },
    { area: 'penataan_sdm', status: 'cancelled', targetDate: '2026-01-31', latestProgress: 90 },
    { area: 'pelayanan_publik', status: 'planned', targetDate: '2026-01-31', latestProgress: 10 },
  ]
  t.same(tallyArea('penataan_sdm', actions, '2026-03-01'), {
    area: 'penataan_sdm',
    total: 4,
    done: 1,
    overdue: 1,
    cancelled: 1,
    progressPercent: 130 / 3,
  })
  t.same(tallyArea('penguatan_pengawasan', actions, '2026-03-01'), {
    area: 'penguatan_pengawasan',
    total: 0,
    done: 0,
    overdue: 0,
    cancelled: 0,
    progressPercent: null,
  })
})
