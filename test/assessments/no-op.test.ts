import t, { type Test } from 'tap'
import { subscribeEverything, traces } from '../helpers/trace.js'
import { setup } from '../helpers/workbook.js'

/**
 * A write that changes nothing leaves no trace (no answer or stage version moves, no audit record,
 * no event, no webhook delivery), says what it left alone, and a dry run shows the diff without
 * writing. The workbook import: identity.test.ts; `zi answers push`: test/cli/zi-answers.test.ts.
 */
t.test('answer writes that change nothing, and dry runs', async (t) => {
  const s = await setup(t, { WEBHOOK_WORKER: 'false' })
  const { app, tree, admin } = s
  await subscribeEverything(app)
  const a1 = await s.open(tree.a1.id)
  const items = [
    { question_code: 'Q1', value: 'Ya', note: 'SK Tim 2026' },
    { question_code: 'Q2', value: 'B', note: null },
    { question_code: 'Q3', value: 'Ya' },
  ]
  const first = await s.batch(a1, 'self', items)
  t.equal(first.changed, 3)
  t.same(first.unchanged, [])
  t.equal(first.dry_run, false)
  t.same(
    first.diff.find((d: { question_code: string }) => d.question_code === 'Q1'),
    { question_code: 'Q1', from: null, to: { value: 'Ya', note: 'SK Tim 2026', evidence_ids: [] } },
    'a new answer: from null',
  )
  const stored = await s.answersOf(a1, 'self')
  t.equal(stored.answers.find((a) => a.question_code === 'Q2')!.note, null, 'a null note stays null')
  const before = { answers: stored, traces: await traces(app, admin) }
  t.ok(before.traces.webhook_deliveries > 0, 'the first write queued webhook deliveries')

  const post = (answers: unknown[], query = '') =>
    app.inject({
      method: 'POST',
      url: `${a1}/stages/self/answers/batch${query}`,
      headers: admin,
      payload: { answers },
    })
  const unchangedSince = async (t: Test, what: string) => {
    t.same(await s.answersOf(a1, 'self'), before.answers, `${what}: every answer and the stage as they were`)
    t.same(await traces(app, admin), before.traces, `${what}: no audit record, event or webhook delivery`)
  }

  t.test('the same batch again: nothing written, all unchanged', async (t) => {
    const res = await post(items)
    t.equal(res.statusCode, 200, res.body)
    const body = res.json()
    t.equal(body.changed, 0)
    t.same(body.unchanged, ['Q1', 'Q2', 'Q3'])
    t.same(body.answers, [])
    t.same(body.diff, [])
    t.equal(body.stage.version, before.answers.stage.version)
    await unchangedSince(t, 'same batch')
  })

  t.test('"" and null notes are the same; a left-out note or evidence keeps the stored one', async (t) => {
    const res = await post([
      { question_code: 'Q1', value: 'Ya' },
      { question_code: 'Q2', value: 'B', note: '' },
      { question_code: 'Q3', value: 'Ya', note: null, evidence_ids: [] },
    ])
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.json().changed, 0)
    await unchangedSince(t, 'equivalent batch')
  })

  t.test('a pulled file pushed back as it is, versions and all', async (t) => {
    const pulled = before.answers.answers.map((a) => ({
      question_code: a.question_code,
      value: a.value,
      note: a.note,
      evidence_ids: a.evidence_ids,
      expected_version: a.version,
    }))
    const res = await post(pulled)
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.json().changed, 0)
    await unchangedSince(t, 'pulled file')
  })

  t.test('an unchanged item is not version-checked (it writes nothing)', async (t) => {
    const res = await post([{ question_code: 'Q1', value: 'Ya', expected_version: 99 }])
    t.equal(res.statusCode, 200, res.body)
    const changing = await post([{ question_code: 'Q1', value: 'Tidak', expected_version: 99 }])
    t.equal(changing.statusCode, 412, 'a changing one still is')
    t.equal(changing.json().code, 'precondition_failed')
    await unchangedSince(t, 'refused and unchanged')
  })

  t.test('PUT of the same answer: 200, nothing written', async (t) => {
    const q1 = before.answers.answers.find((a) => a.question_code === 'Q1')!
    const res = await app.inject({
      method: 'PUT',
      url: `${a1}/stages/self/answers/Q1`,
      headers: { ...admin, 'if-match': `"${q1.version}"` },
      payload: { value: 'Ya', note: 'SK Tim 2026' },
    })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.json().version, q1.version)
    t.equal(res.headers.etag, `"${q1.version}"`)
    const blank = await app.inject({
      method: 'PUT',
      url: `${a1}/stages/self/answers/Q4`,
      headers: admin,
      payload: { value: null, note: '' },
    })
    t.equal(blank.statusCode, 200, 'nothing stored and nothing to store')
    t.equal(blank.json().version, 0, 'no answer exists')
    await unchangedSince(t, 'PUT')
  })

  t.test('dry run: the diff, from what to what, and nothing written', async (t) => {
    const res = await post(
      [
        { question_code: 'Q1', value: 'Tidak' },
        { question_code: 'Q2', value: 'B', note: 'baru' },
        { question_code: 'Q3', value: 'Ya' },
        { question_code: 'Q4', value: 'C' },
      ],
      '?dry_run=true',
    )
    t.equal(res.statusCode, 200, res.body)
    const body = res.json()
    t.equal(body.dry_run, true)
    t.equal(body.changed, 3)
    t.same(body.unchanged, ['Q3'])
    t.same(body.answers, [], 'nothing written')
    t.same(body.diff, [
      {
        question_code: 'Q1',
        from: { value: 'Ya', note: 'SK Tim 2026', evidence_ids: [] },
        to: { value: 'Tidak', note: 'SK Tim 2026', evidence_ids: [] },
      },
      {
        question_code: 'Q2',
        from: { value: 'B', note: null, evidence_ids: [] },
        to: { value: 'B', note: 'baru', evidence_ids: [] },
      },
      { question_code: 'Q4', from: null, to: { value: 'C', note: null, evidence_ids: [] } },
    ])
    const invalid = await post([{ question_code: 'Q1', value: 'Mungkin' }], '?dry_run=true')
    t.equal(invalid.statusCode, 422, 'a dry run makes every check')
    await unchangedSince(t, 'dry run')
  })

  t.test('a batch that changes one answer writes only that one', async (t) => {
    const res = await post([...items.slice(0, 2), { question_code: 'Q3', value: 'Tidak' }])
    t.equal(res.statusCode, 200, res.body)
    const body = res.json()
    t.equal(body.changed, 1)
    t.same(body.unchanged, ['Q1', 'Q2'])
    t.same(
      body.answers.map((a: { question_code: string }) => a.question_code),
      ['Q3'],
    )
    const after = await s.answersOf(a1, 'self')
    const versionOf = (x: typeof after, code: string) => x.answers.find((a) => a.question_code === code)!.version
    t.equal(versionOf(after, 'Q1'), versionOf(before.answers, 'Q1'), 'Q1 keeps its version')
    t.equal(versionOf(after, 'Q3'), versionOf(before.answers, 'Q3') + 1)
    t.equal(after.stage.version, before.answers.stage.version + 1)
    const now = await traces(app, admin)
    t.equal(now.audit_checked, before.traces.audit_checked + 1, 'one audit record')
    t.equal(now.events.length, before.traces.events.length + 1, 'one event')
  })
})
