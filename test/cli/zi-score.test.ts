import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createToken } from '../helpers/auth.js'
import { startTpiStage, zi } from '../helpers/zi-cli.js'

/**
 * `zi score`: the total, each WBK/WBBM rule passed or failed, and the explanation, as the API
 * computes them; and what other roles and scopes get (exit 3 and 4).
 */
t.test('zi score, roles and scope', async (t) => {
  const { ctx, tree, id, evaluator, env } = await startTpiStage(t)

  t.test('score: total, WBK/WBBM rules passed or failed, and the explanation', async (t) => {
    const api = await evaluator.GET('/v1/assessments/{id}/stages/{stage}/score', {
      params: { path: { id, stage: 'tpi' }, query: { explain: true } },
    })
    if (!api.data) throw new Error(JSON.stringify(api.error))
    const s = api.data
    const res = await zi(['score', id, 'tpi', '--explain'], env)
    t.equal(res.code, 0, res.stderr)
    t.match(res.stdout, new RegExp(`^total\\s+${s.total.toFixed(2)} of ${s.max_total.toFixed(2)}$`, 'm'))
    t.match(res.stdout, new RegExp(`^eligible for\\s+${s.eligibility.predicate}$`, 'm'))
    t.ok(s.eligibility.rules.length > 0, 'the instrument has predicate rules')
    for (const r of s.eligibility.rules) {
      t.match(
        res.stdout,
        new RegExp(
          `^${r.rule}\\s+${r.predicate}\\s+${r.passed ? 'PASS' : 'FAIL'}\\s+${r.actual.toFixed(2)}\\s+${r.required.toFixed(2)}`,
          'm',
        ),
        `rule ${r.rule}`,
      )
    }
    t.match(res.stdout, /^Q1\s+Ya\s/m, 'the explanation lists each question')
    const json = await zi(['score', id, 'tpi', '--json'], env)
    t.equal(json.code, 0)
    const { explanation: _explanation, ...plain } = s
    t.same(JSON.parse(json.stdout), plain, 'the API response as it is')
  })

  t.test('roles and scope: a viewer may not push (3); another OPD’s evaluator does not see it (4)', async (t) => {
    const file = join(mkdtempSync(join(tmpdir(), 'zi-score-')), 'answers.csv')
    writeFileSync(file, 'question_code,value\nQ1,Tidak\n')
    const viewer = await zi(['answers', 'push', id, 'tpi', file, '--idempotency-key', 'viewer-try'], {
      ...env,
      ZI_TOKEN: await createToken(ctx, 'viewer'),
    })
    t.equal(viewer.code, 3, viewer.stderr)
    t.match(viewer.stderr, /403 forbidden_role/)
    const other = await zi(['answers', 'pull', id, 'tpi'], {
      ...env,
      ZI_TOKEN: await createToken(ctx, 'evaluator', { unitIds: [tree.opdB.id] }),
    })
    t.equal(other.code, 4, other.stderr)
  })

  t.test('a stage not started yet: 4', async (t) => {
    const res = await zi(['score', id, 'tpn'], env)
    t.equal(res.code, 4)
    t.match(res.stderr, /404 stage_not_found/)
  })

  t.test('the bin shim (tsx on the source) runs the same CLI', async (t) => {
    const res = await zi(['score', id, 'tpi', '--json'], env, { entry: ['packages/client/bin/zi.js'] })
    t.equal(res.code, 0, res.stderr)
    t.ok(typeof JSON.parse(res.stdout).total === 'number')
  })
})
