import t from 'tap'
import {
  allowedTransitions,
  checkDocuments,
  checkTarget,
  checkTransition,
  isEditable,
  TRANSITIONS,
} from '../../src/modules/declarations/rules.js'
import { DECLARATION_STATUSES } from '../../src/modules/declarations/rules.js'

t.test('the lifecycle', async (t) => {
  t.equal(checkTransition('declared', 'building', 'admin'), null, 'declared → building is a plain move')
  const path = ['building', 'proposed', 'evaluated', 'designated', 'revoked'] as const
  for (let i = 0; i + 1 < path.length; i++) {
    t.equal(
      checkTransition(path[i]!, path[i + 1]!, 'admin', { recorded: true }),
      null,
      `${path[i]} → ${path[i + 1]} with its record`,
    )
    t.match(
      checkTransition(path[i]!, path[i + 1]!, 'admin'),
      { status: 409, code: 'record_required' },
      `${path[i]} → ${path[i + 1]} needs its record`,
    )
  }
  t.equal(checkTransition('evaluated', 'not_designated', 'admin', { recorded: true }), null)
  t.equal(
    checkTransition('proposed', 'not_designated', 'admin', { recorded: true }),
    null,
    'a failed administrative selection ends there',
  )
  t.same(TRANSITIONS.not_designated, [], 'not_designated is final')
  t.same(TRANSITIONS.revoked, [], 'revoked is final')
  for (const from of DECLARATION_STATUSES) {
    for (const to of DECLARATION_STATUSES) {
      const v = checkTransition(from, to, 'admin')
      if (TRANSITIONS[from].includes(to)) continue
      t.equal(v?.code, 'invalid_transition', `${from} → ${to} refused`)
      t.equal(v?.status, 409)
      t.same(v?.allowed, TRANSITIONS[from], `${from} → ${to} names the allowed next states`)
    }
  }
})

t.test('who may move', async (t) => {
  t.same(allowedTransitions('declared', 'unit_operator'), ['building'])
  t.same(allowedTransitions('building', 'unit_operator'), [], 'the instansi (admin) proposes, not the unit')
  t.same(allowedTransitions('building', 'admin'), [], 'proposing goes through the proposals endpoint')
  t.match(checkTransition('building', 'proposed', 'unit_operator'), { status: 403, code: 'transition_forbidden' })
  t.match(
    checkTransition('building', 'proposed', 'unit_operator', { recorded: true }),
    { status: 403, code: 'transition_forbidden' },
    'nor with a record',
  )
  t.same(allowedTransitions('proposed', 'unit_operator'), [])
  t.same(allowedTransitions('evaluated', 'admin'), [], 'designation needs its record')
  for (const role of ['evaluator', 'viewer', 'integration'] as const)
    t.same(allowedTransitions('declared', role), [], role)
  t.match(checkTransition('proposed', 'evaluated', 'unit_operator'), {
    status: 403,
    code: 'transition_forbidden',
    allowed: [],
  })
  t.match(
    checkTransition('declared', 'proposed', 'unit_operator'),
    { status: 409, code: 'invalid_transition', allowed: ['building'] },
    'skipping a step is invalid for anyone',
  )
})

t.test('WBBM requires WBK; documents need a source; editable statuses', async (t) => {
  t.equal(checkTarget('WBK', []), null)
  t.match(checkTarget('WBBM', []), { status: 422, code: 'wbbm_requires_wbk', pointer: '/body/target' })
  t.equal(checkTarget('WBBM', ['WBK']), null)
  t.equal(checkTarget('WBBM', ['WBBM']), null, 'a WBBM holder may aim at WBBM again')
  t.equal(
    checkDocuments([
      { kind: 'sk_tim', url: 'https://x.example/sk.pdf' },
      { kind: 'other', evidence_id: 'e' },
    ]),
    null,
  )
  t.match(checkDocuments([{ kind: 'sk_tim', url: 'https://x' }, { kind: 'pakta_integritas' }]), {
    code: 'document_source_missing',
    pointer: '/body/documents/1',
  })
  t.ok(isEditable('declared') && isEditable('building'))
  t.notOk(isEditable('proposed') || isEditable('designated'))
})
