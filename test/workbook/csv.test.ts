import t from 'tap'
import type { Queryable } from '../../src/db/connection.js'
import type { Principal } from '../../src/lib/principal.js'
import { loadPeriod } from '../../src/modules/periods/service.js'
import { CSV_HEADERS, CSV_PAGE_SIZE, periodCsv } from '../../src/modules/workbook/service.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertUnit } from '../helpers/units.js'
import { goldenAnswers, parseCsv, setup } from '../helpers/workbook.js'
import { asScore } from '../helpers/precision.js'

const QUESTIONS = 135

t.test('GET /v1/periods/{id}/answers.csv', async (t) => {
  const s = await setup(t)
  const { app, tree, admin, period } = s
  const operatorA1 = bearer(await createToken(s.ctx, 'unit_operator', { unitIds: [tree.a1.id] }))
  const evaluatorA = bearer(await createToken(s.ctx, 'evaluator', { unitIds: [tree.opdA.id] }))
  const viewer = bearer(await createToken(s.ctx, 'viewer'))

  // a1: full answers with awkward notes, submitted, and a TPI draft; a2 and b1 partly answered
  const a1 = await s.open(tree.a1.id)
  const given = goldenAnswers('random-seed-2')
  const notes: Record<string, string> = {
    Q1: 'SK No. 5, tanggal 2 Januari',
    Q2: 'kata "Tim" dalam SK',
    Q3: 'baris satu\r\nbaris dua',
    Q4: '=HYPERLINK("http://evil.example")',
    Q5: '- belum ada',
  }
  await s.batch(
    a1,
    'self',
    Object.entries(given).map(([question_code, value]) => ({
      question_code,
      value,
      ...(notes[question_code] ? { note: notes[question_code] } : {}),
    })),
  )
  await s.transition(a1, 'self', 'submitted')
  await s.startStage(a1, 'tpi', 'self', evaluatorA)
  await s.batch(a1, 'tpi', [{ question_code: 'Q1', value: 'Tidak', note: 'TPI: SK belum ditandatangani' }], evaluatorA)
  const a2 = await s.open(tree.a2.id)
  await s.batch(a2, 'self', [
    { question_code: 'Q1', value: 'Ya' },
    { question_code: 'Q88', value: 4 },
  ])
  const b1 = await s.open(tree.b1.id)
  await s.batch(b1, 'self', [{ question_code: 'Q2', value: 'B' }])
  // more stages than one page, so the keyset walk turns pages
  for (let i = 0; i < CSV_PAGE_SIZE + 5; i++) {
    const unit = await insertUnit(s.ctx, {
      kind: 'unit',
      parent: tree.opdB,
      code: `X${String(i).padStart(2, '0')}`,
      name: `Sekolah ${i}`,
    })
    await s.open(unit.id)
  }
  const stagesTotal = 3 + 1 + CSV_PAGE_SIZE + 5

  const get = (headers = admin, query = '') =>
    app.inject({ method: 'GET', url: `/v1/periods/${period.id}/answers.csv${query}`, headers })
  const records = (body: string) => {
    const [header, ...rest] = parseCsv(body)
    return { header, rows: rest }
  }

  t.test('one record per unit × stage × question, in order, quoted by RFC 4180', async (t) => {
    const res = await get()
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
    t.equal(
      res.headers['content-disposition'],
      `attachment; filename="${period.code}_answers.csv"; filename*=UTF-8''${period.code}_answers.csv`,
    )
    const { header, rows } = records(res.body)
    t.same(header, CSV_HEADERS.answers)
    t.equal(rows.length, stagesTotal * QUESTIONS, `${stagesTotal} stages × ${QUESTIONS} questions`)
    t.ok(
      rows.every((r) => r.length === header!.length),
      'every record has every field',
    )
    const keys = new Set(rows.map((r) => `${r[3]}|${r[4]}|${r[7]}`))
    t.equal(keys.size, rows.length, 'no record twice (the keyset walk neither repeats nor skips)')
    const order = rows.map((r) => `${r[1]}|${r[3]}`)
    t.same(order, [...order].sort(), 'ordered by unit code, then assessment')
    const a1Self = rows.filter((r) => r[3] === a1.split('/').pop() && r[4] === 'self')
    t.equal(a1Self.length, QUESTIONS)
    const score = await s.score(a1, 'self', true)
    const converted = new Map(score.explanation!.questions.map((q) => [q.code, q.value]))
    for (const r of a1Self) {
      const [periodCode, unitCode, unitName, , , status, total, code, value, convertedValue, note] = r as string[]
      if (
        periodCode !== period.code ||
        unitCode !== tree.a1.code ||
        unitName !== tree.a1.name ||
        status !== 'submitted'
      )
        t.fail(`lead fields of ${code}: ${r.slice(0, 6).join(',')}`)
      // The CSV is data for a spreadsheet: unrounded, reading as the API's 2-decimal total.
      if (asScore(Number(total)) !== score.total) t.fail(`stage_total ${total} ≠ ${score.total}`)
      const want = given[code!]
      if (value !== (want === undefined ? '' : String(want))) t.fail(`${code}: value ${value}, answered ${want}`)
      const c = converted.get(code!)
      if ((convertedValue === '' ? null : asScore(Number(convertedValue))) !== (c ?? null))
        t.fail(`${code}: converted ${convertedValue}, API ${c}`)
      const n = notes[code!]
      const shown = n === undefined ? '' : /^[=+\-@]/.test(n) ? `'${n}` : n
      if (note !== shown) t.fail(`${code}: note ${JSON.stringify(note)}, stored ${JSON.stringify(n)}`)
    }
    t.pass('a1’s self-assessment: values, converted values, notes and total as the API has them')
    const note = (code: string) => a1Self.find((r) => r[7] === code)![10]
    t.equal(note('Q1'), notes.Q1, 'a comma survives')
    t.equal(note('Q2'), notes.Q2, 'quotes survive')
    t.equal(note('Q3'), notes.Q3, 'a line break survives')
    t.equal(note('Q4'), `'${notes.Q4}`, 'a formula is neutralised')
    t.equal(note('Q5'), `'${notes.Q5}`, 'a leading minus too')
    t.match(res.body, /"kata ""Tim"" dalam SK"/, 'quotes doubled inside a quoted field')
    t.ok(res.body.endsWith('\r\n'))
    const tpi = rows.filter((r) => r[3] === a1.split('/').pop() && r[4] === 'tpi')
    t.equal(tpi.length, QUESTIONS)
    t.equal(tpi.find((r) => r[7] === 'Q1')![8], 'Tidak')
    t.equal(asScore(Number(tpi[0]![6])), (await s.score(a1, 'tpi')).total)
    const empty = rows.filter((r) => r[1] === 'X00')
    t.equal(empty.length, QUESTIONS, 'a stage without answers still lists every question')
    t.ok(empty.every((r) => r[8] === '' && r[10] === '' && r[6] === '0'))
  })

  t.test('shape=totals: one record per unit × stage', async (t) => {
    const res = await get(admin, '?shape=totals')
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-disposition'], /_totals\.csv"/)
    const { header, rows } = records(res.body)
    t.same(header, CSV_HEADERS.totals)
    t.equal(rows.length, stagesTotal)
    const row = rows.find((r) => r[3] === a1.split('/').pop() && r[4] === 'self')!
    const score = await s.score(a1, 'self')
    t.equal(asScore(Number(row[6])), score.total)
    t.equal(row[7], '100')
    t.ok(['WBK', 'WBBM', 'none'].includes(row[8]!))
    t.equal(rows.find((r) => r[1] === 'X00')![9], '127', 'every answerable question unanswered')
  })

  t.test('scope and stage visibility', async (t) => {
    const mine = records((await get(operatorA1)).body).rows
    t.same(
      [...new Set(mine.map((r) => `${r[1]}|${r[4]}`))],
      [`${tree.a1.code}|self`],
      'a unit operator: its unit, and not the TPI’s draft',
    )
    const evaluator = records((await get(evaluatorA)).body).rows
    t.same(
      [...new Set(evaluator.map((r) => `${r[1]}|${r[4]}`))].sort(),
      [`${tree.a1.code}|self`, `${tree.a1.code}|tpi`, `${tree.a2.code}|self`].sort(),
      'an evaluator: its OPD’s units, TPI draft included',
    )
    t.equal(records((await get(viewer)).body).rows.length, stagesTotal * QUESTIONS, 'a viewer of the whole instansi')
    const outsider = bearer(await createToken(s.ctx, 'unit_operator', { unitIds: [tree.b2.id] }))
    const none = await get(outsider)
    t.equal(none.statusCode, 200)
    t.same(parseCsv(none.body), [CSV_HEADERS.answers], 'no assessment in scope: the header alone')
  })

  t.test('bad requests', async (t) => {
    const missing = await app.inject({
      method: 'GET',
      url: '/v1/periods/00000000-0000-4000-8000-000000000001/answers.csv',
      headers: admin,
    })
    t.equal(missing.statusCode, 404)
    t.equal(missing.json().code, 'period_not_found')
    const shape = await get(admin, '?shape=wide')
    t.equal(shape.statusCode, 400)
    t.equal(shape.json().errors[0].pointer, '/query/shape')
    t.equal((await app.inject({ method: 'GET', url: `/v1/periods/${period.id}/answers.csv` })).statusCode, 401)
  })

  t.test('read page by page as the client pulls (constant memory)', async (t) => {
    const row = await loadPeriod(app.db, period.id)
    const principal: Principal = {
      tokenId: 't',
      principalId: 'p',
      name: 'test',
      role: 'admin',
      scopeAll: true,
      scopePaths: [],
    }
    // warm the instrument cache so only the export's own queries are counted
    for await (const _chunk of periodCsv(app.db, principal, row, 'totals')) void _chunk
    let selects = 0
    const counted = new Proxy(app.db, {
      get(target, prop, receiver) {
        if (prop === 'select') selects++
        return Reflect.get(target, prop, receiver)
      },
    }) as Queryable
    const chunks = periodCsv(counted, principal, row, 'answers')
    t.equal((await chunks.next()).value, `${CSV_HEADERS.answers.join(',')}\r\n`, 'the header first, before any query')
    t.equal(selects, 0)
    const first = (await chunks.next()).value as string
    t.equal(parseCsv(first).length, QUESTIONS, 'then one stage (records, not lines: a note may hold a line break)')
    t.equal(selects, 2, 'after one stage: one page of stages and its answers read, not the whole period')
    let stages = 1
    for await (const _chunk of chunks) stages++
    t.equal(stages, stagesTotal)
    t.equal(selects, 2 * Math.ceil(stagesTotal / CSV_PAGE_SIZE), 'two queries per page')
  })
})
