import t from 'tap'
import {
  checkReopenUntil,
  checkWindow,
  describeClosed as closedMessage,
  reopened,
  windowState,
} from '../../src/modules/periods/rules.js'
import { english } from '../helpers/english.js'

const describeClosed = (...args: Parameters<typeof closedMessage>) => english(closedMessage(...args))

const at = (s: string) => new Date(s)
const period = {
  windows: {
    self_assessment: { opens_at: '2026-03-01T00:00:00.000Z', closes_at: '2026-04-01T00:00:00.000Z' },
    tpi_verification: {
      opens_at: '2026-04-01T00:00:00.000Z',
      closes_at: '2026-05-01T00:00:00.000Z',
      reopened_until: '2026-06-15T00:00:00.000Z',
    },
  },
}

t.test('windowState: upcoming, open (inclusive start, exclusive end), closed, not scheduled', async (t) => {
  t.match(windowState(period, 'self_assessment', at('2026-02-28T23:59:59Z')), {
    state: 'upcoming',
    open: false,
    opens_at: '2026-03-01T00:00:00.000Z',
  })
  t.match(windowState(period, 'self_assessment', at('2026-03-01T00:00:00Z')), { state: 'open', open: true })
  t.match(windowState(period, 'self_assessment', at('2026-03-31T23:59:59Z')), { state: 'open', open: true })
  t.match(windowState(period, 'self_assessment', at('2026-04-01T00:00:00Z')), {
    state: 'closed',
    open: false,
    closes_at: '2026-04-01T00:00:00.000Z',
  })
  t.match(windowState(period, 'revision', at('2026-04-01T00:00:00Z')), {
    state: 'not_scheduled',
    open: false,
    opens_at: null,
    closes_at: null,
  })
})

t.test('windowState: a reopen overrides a closed window until `until`', async (t) => {
  t.match(
    windowState(period, 'tpi_verification', at('2026-04-10T00:00:00Z')),
    { state: 'open', open: true },
    'the schedule wins while it is open',
  )
  t.match(windowState(period, 'tpi_verification', at('2026-06-01T00:00:00Z')), {
    state: 'reopened',
    open: true,
    reopened_until: '2026-06-15T00:00:00.000Z',
  })
  t.match(windowState(period, 'tpi_verification', at('2026-06-15T00:00:00Z')), { state: 'closed', open: false })
})

t.test('checkWindow and checkReopenUntil', async (t) => {
  t.equal(checkWindow('revision', { opens_at: '2026-01-01T00:00:00Z', closes_at: '2026-01-02T00:00:00Z' }), null)
  t.match(checkWindow('revision', { opens_at: '2026-01-02T00:00:00Z', closes_at: '2026-01-01T00:00:00Z' }), {
    code: 'invalid_window',
    pointer: '/body/windows/revision/closes_at',
    status: 422,
  })
  t.match(
    checkWindow('proposal', { opens_at: '2026-01-01T00:00:00Z', closes_at: '2026-01-01T00:00:00Z' }),
    { code: 'invalid_window' },
    'an empty window is refused',
  )
  t.match(
    checkWindow('proposal', { opens_at: '2026-01-01T07:00:00+07:00', closes_at: '2026-01-01T00:30:00Z' }),
    null,
    'offsets are compared as instants',
  )
  t.equal(checkReopenUntil('2026-05-02T00:00:00Z', at('2026-05-01T00:00:00Z')), null)
  t.match(checkReopenUntil('2026-04-30T00:00:00Z', at('2026-05-01T00:00:00Z')), {
    code: 'invalid_reopen',
    pointer: '/body/until',
  })
})

t.test('reopened keeps the schedule and records the override; describeClosed names the dates', async (t) => {
  const w = reopened(
    { opens_at: 'a', closes_at: 'b' },
    '2026-06-01T07:00:00+07:00',
    'banjir',
    'p1',
    at('2026-05-01T00:00:00Z'),
  )
  t.same(w, {
    opens_at: 'a',
    closes_at: 'b',
    reopened_until: '2026-06-01T00:00:00.000Z',
    reopen_reason: 'banjir',
    reopened_at: '2026-05-01T00:00:00.000Z',
    reopened_by: 'p1',
  })
  const closed = windowState(period, 'self_assessment', at('2026-05-01T00:00:00Z'))
  t.match(
    describeClosed('ZI-2026', closed),
    /closed: it was open from 2026-03-01T00:00:00.000Z to 2026-04-01T00:00:00.000Z/,
  )
  t.match(
    describeClosed('ZI-2026', windowState(period, 'self_assessment', at('2026-01-01T00:00:00Z'))),
    /not open yet: it opens at 2026-03-01/,
  )
  t.match(describeClosed('ZI-2026', windowState(period, 'revision', at('2026-01-01T00:00:00Z'))), /not scheduled/)
})
