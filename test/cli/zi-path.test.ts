import t from 'tap'
import { startTpiStage, zi } from '../helpers/zi-cli.js'

/** `zi path`: the stage's plan as a table, as the API computes it; bad options (1) and a missing stage (4). */
t.test('zi path', async (t) => {
  const { id, evaluator, env } = await startTpiStage(t)

  t.test('the plan as a table: headline, failing rules, one row per step', async (t) => {
    const api = await evaluator.GET('/v1/assessments/{id}/stages/{stage}/plan', {
      params: { path: { id, stage: 'tpi' }, query: { target: 'WBK' } },
    })
    if (!api.data) throw new Error(JSON.stringify(api.error))
    const p = api.data.plan
    t.ok(p.steps.length > 0, 'a nearly blank stage needs changes')
    const res = await zi(['path', id, 'tpi'], env)
    t.equal(res.code, 0, res.stderr)
    const head = p.reachable ? `${p.changes} questions from WBK` : 'WBK is out of reach'
    t.match(res.stdout.split('\n')[0], head)
    for (const f of p.failing)
      t.match(
        res.stdout,
        new RegExp(`^${f.rule}\\s+${f.actual.toFixed(3)}\\s+${f.required.toFixed(3)}`, 'm'),
        `failing rule ${f.rule}`,
      )
    for (const s of p.steps) {
      const current = s.current === null ? '\\(blank\\)' : String(s.current)
      t.match(
        res.stdout,
        new RegExp(
          `^${s.order}\\s+${s.code}(\\s+\\(→ \\w+\\))?\\s+${current}\\s+${String(s.proposed)}\\s+[+-]${Math.abs(s.points).toFixed(2)}`,
          'm',
        ),
        `step ${s.order}`,
      )
    }
    const guided = await zi(['path', id, 'tpi', '--guidance'], env)
    t.match(guided.stdout, /evidence \(data dukung\)/)
    t.match(guided.stdout, /Data dukung menunjukkan/)
    const json = await zi(['path', id, 'tpi', '--json', '--target', 'wbbm'], env)
    t.equal(json.code, 0, json.stderr)
    const wbbm = await evaluator.GET('/v1/assessments/{id}/stages/{stage}/plan', {
      params: { path: { id, stage: 'tpi' }, query: { target: 'WBBM' } },
    })
    t.same(JSON.parse(json.stdout), wbbm.data, 'the API response as it is')
  })

  t.test('--max-changes caps the plan; --fixed holds a question', async (t) => {
    const res = await zi(['path', id, 'tpi', '--max-changes', '1', '--json'], env)
    t.equal(res.code, 0, res.stderr)
    const capped = JSON.parse(res.stdout).plan
    t.equal(capped.changes, 1)
    t.equal(capped.unreachable_reason, 'max_changes')
    const table = await zi(['path', id, 'tpi', '--max-changes', '1'], env)
    t.match(table.stdout, /^WBK is out of reach within --max-changes/)
    const held = JSON.parse(
      (await zi(['path', id, 'tpi', '--json', '--fixed', 'Q3', '--fixed', 'Q4'], env)).stdout,
    ).plan
    t.same(held.fixed, ['Q3', 'Q4'])
    t.notOk(held.steps.some((s: { code: string }) => s.code === 'Q3' || s.code === 'Q4'))
  })

  t.test('bad options: 1; unknown question: 2; a stage not started: 4', async (t) => {
    const target = await zi(['path', id, 'tpi', '--target', 'gold'], env)
    t.equal(target.code, 1)
    t.match(target.stderr, /--target must be WBK or WBBM/)
    t.equal((await zi(['path', id, 'tpi', '--max-changes', 'many'], env)).code, 1)
    const unknown = await zi(['path', id, 'tpi', '--fixed', 'Q999'], env)
    t.equal(unknown.code, 2, unknown.stderr)
    t.match(unknown.stderr, /422 plan_invalid_option/)
    const missing = await zi(['path', id, 'tpn'], env)
    t.equal(missing.code, 4)
    t.match(missing.stderr, /404 stage_not_found/)
  })
})
