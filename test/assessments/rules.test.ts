import t from 'tap'
import {
  STAGE_TRANSITIONS,
  canRead,
  canWrite,
  checkStageStart,
  checkTransition,
  diffAnswers,
  isWritable,
  windowFor,
} from '../../src/modules/assessments/rules.js'

t.test('stage status machine', async (t) => {
  t.same(checkTransition('self', 'draft', 'submitted', 'unit_operator'), { ok: true, allowed: ['submitted'] })
  t.equal(checkTransition('self', 'submitted', 'returned', 'evaluator').ok, true, 'the TPI returns a self-assessment')
  t.equal(checkTransition('self', 'returned', 'submitted', 'unit_operator').ok, true)
  t.equal(checkTransition('self', 'submitted', 'approved', 'evaluator').ok, true)
  const locked = checkTransition('self', 'approved', 'submitted', 'admin')
  t.equal(locked.code, 'invalid_transition', 'an approved stage is locked')
  t.same(locked.allowed, [])
  const skip = checkTransition('self', 'draft', 'approved', 'evaluator')
  t.equal(skip.code, 'invalid_transition')
  t.same(skip.allowed, ['submitted'], 'the refusal names what is allowed')
  t.equal(
    checkTransition('self', 'draft', 'submitted', 'evaluator').code,
    'forbidden_transition',
    'an evaluator does not submit the unit’s self-assessment',
  )
  t.equal(
    checkTransition('self', 'submitted', 'approved', 'unit_operator').code,
    'forbidden_transition',
    'a unit does not approve itself',
  )
  t.equal(checkTransition('tpi', 'draft', 'submitted', 'evaluator').ok, true)
  t.equal(
    checkTransition('tpi', 'submitted', 'approved', 'evaluator').code,
    'forbidden_transition',
    'the TPI result is approved by the Bagian Organisasi',
  )
  for (const [from, tos] of Object.entries(STAGE_TRANSITIONS))
    for (const to of tos) t.not(from, to, `${from} → ${to} is a real change`)
})

t.test('who writes, when, and under which window', async (t) => {
  t.ok(isWritable('draft'))
  t.ok(isWritable('returned'))
  t.notOk(isWritable('submitted'))
  t.notOk(isWritable('approved'))
  t.ok(canWrite('self', 'unit_operator'))
  t.notOk(canWrite('self', 'evaluator'))
  t.ok(canWrite('tpi', 'evaluator'))
  t.notOk(canWrite('tpi', 'unit_operator'))
  t.notOk(canWrite('self', 'viewer'))
  t.equal(windowFor('self', 'draft'), 'self_assessment')
  t.equal(windowFor('self', 'returned'), 'revision', 'a returned stage is revised in the revision window')
  t.equal(windowFor('tpi', 'draft'), 'tpi_verification')
  t.notOk(canRead('tpi', 'draft', 'unit_operator'), 'the unit does not see the TPI draft')
  t.ok(canRead('tpi', 'submitted', 'unit_operator'))
  t.ok(canRead('tpi', 'draft', 'evaluator'))
})

t.test('answer diff', async (t) => {
  const changes = diffAnswers(
    [
      { questionCode: 'q1', value: 'Ya', note: null },
      { questionCode: 'q2', value: 'A', note: 'ok' },
      { questionCode: 'q3', value: 50, note: null },
    ],
    [
      { questionCode: 'q1', value: 'Ya', note: null },
      { questionCode: 'q2', value: 'B', note: 'ok' },
      { questionCode: 'q4', value: 'C', note: null },
      { questionCode: 'q3', value: 50, note: 'checked' },
    ],
  )
  t.same(
    changes.map((c) => [c.question_code, c.from, c.to]),
    [
      ['q2', 'A', 'B'],
      ['q3', 50, 50],
      ['q4', null, 'C'],
    ],
    'changed values and notes, added answers; unchanged ones are left out',
  )
})

t.test('starting a stage: writers, once, after its prerequisite, copying only what is allowed', async (t) => {
  const self = { kind: 'self' as const, status: 'submitted' as const }
  t.equal(checkStageStart({ kind: 'tpi', copy_from: 'self' }, 'evaluator', [self]), null)
  t.equal(checkStageStart({ kind: 'tpi' }, 'unit_operator', [self])?.code, 'forbidden_stage_role')
  t.equal(checkStageStart({ kind: 'tpi' }, 'evaluator', [self, { kind: 'tpi', status: 'draft' }])?.code, 'stage_exists')
  const early = checkStageStart({ kind: 'tpi' }, 'evaluator', [{ kind: 'self', status: 'draft' }])
  t.match(early, { status: 409, code: 'stage_prerequisite', requires: ['self'] })
  t.match(checkStageStart({ kind: 'tpi', copy_from: 'tpn' }, 'admin', [self]), {
    status: 422,
    code: 'copy_not_allowed',
    allowed: ['self'],
  })
  const tpi = { kind: 'tpi' as const, status: 'draft' as const }
  t.match(
    checkStageStart({ kind: 'tpn', copy_from: 'self' }, 'admin', [
      { kind: 'self', status: 'returned' },
      { kind: 'tpi', status: 'approved' },
    ]),
    {
      status: 409,
      code: 'stage_prerequisite',
    },
    'a copy source must be submitted or approved',
  )
  t.equal(checkStageStart({ kind: 'sanggah' }, 'unit_operator', [self, tpi])?.code, 'stage_prerequisite')
})
