import t from 'tap'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bearer, createToken } from '../helpers/auth.js'
import { traces } from '../helpers/trace.js'
import { startTpiStage, zi } from '../helpers/zi-cli.js'

/**
 * An evaluator's script against a running server: pull a TPI stage as CSV and JSON, push an
 * edited file as one batch, and safely again. (Refused files: zi-push-refused.test.ts.)
 */
t.test('zi answers pull/push', async (t) => {
  const { ctx, id, tpi, env } = await startTpiStage(t)
  const admin = bearer(await createToken(ctx, 'admin'))
  const dir = mkdtempSync(join(tmpdir(), 'zi-answers-'))
  const versionOf = (answers: { question_code: string; version: number }[], code: string) =>
    answers.find((a) => a.question_code === code)!.version

  let pulledCsv = ''
  t.test('pull as CSV: one row per answer, formulas defused, quoting as spreadsheets expect', async (t) => {
    const res = await zi(['answers', 'pull', id, 'tpi'], env)
    t.equal(res.code, 0, res.stderr)
    const { answers } = await tpi()
    t.equal(
      res.stdout,
      [
        'question_code,value,note,recommendation,evidence_ids,version',
        `Q1,Ya,"'=HYPERLINK(""http://evil.example"",""klik"")",,,${versionOf(answers, 'Q1')}`,
        `Q2,B,"SK Tim, ""terbaru""\nhal. 2",,,${versionOf(answers, 'Q2')}`,
        `Q88,3,,,,${versionOf(answers, 'Q88')}`,
        '',
      ].join('\n'),
    )
    t.match(res.stderr, /^3 answers of stage tpi \(draft, version \d+, total \d+\.\d\d\)/)
    pulledCsv = res.stdout
  })

  t.test('pull as JSON into a file', async (t) => {
    const out = join(dir, 'tpi.json')
    const res = await zi(['answers', 'pull', id, 'tpi', '--out', out], env)
    t.equal(res.code, 0, res.stderr)
    t.equal(res.stdout, '', 'the data went to the file')
    t.match(res.stderr, new RegExp(`wrote 3 answers of stage tpi .* to ${out}`))
    t.same(JSON.parse(readFileSync(out, 'utf8')), await tpi(), 'the API response as it is')
  })

  t.test('push a file just pulled, unedited: nothing written, no trace', async (t) => {
    const csv = join(dir, 'pulled.csv')
    writeFileSync(csv, pulledCsv)
    const before = { tpi: await tpi(), traces: await traces(ctx.app, admin) }
    for (const file of [csv, join(dir, 'tpi.json')]) {
      const res = await zi(['answers', 'push', id, 'tpi', file], env)
      t.equal(res.code, 0, res.stderr)
      t.match(
        res.stderr,
        /^nothing to write: every answer in the file is as stored \(3 unchanged\); stage tpi stays at version \d+/,
      )
    }
    t.same(await tpi(), before.tpi, 'every answer, note (null stays null) and version as they were')
    t.same(await traces(ctx.app, admin), before.traces, 'no audit record, event or webhook delivery')
  })

  t.test('push --dry-run: the diff, from what to what, and nothing written', async (t) => {
    const file = join(dir, 'dry.csv')
    writeFileSync(file, pulledCsv.replace(/^Q1,Ya,/m, 'Q1,Tidak,').replace(/^Q88,3,,/m, 'Q88,3,dicek,'))
    const before = { tpi: await tpi(), traces: await traces(ctx.app, admin) }
    const res = await zi(['answers', 'push', id, 'tpi', file, '--dry-run'], env)
    t.equal(res.code, 0, res.stderr)
    const lines = res.stdout.trimEnd().split('\n')
    t.match(lines[0], /^question\s+field\s+from\s+to$/)
    t.ok(
      lines.some((l) => /^Q1\s+value\s+Ya\s+Tidak$/.test(l)),
      res.stdout,
    )
    t.ok(
      lines.some((l) => /^Q88\s+note\s+dicek$/.test(l)),
      'a note from nothing',
    )
    t.match(res.stderr, /^dry run: 2 answers of stage tpi would change, 1 unchanged; nothing was written/)
    t.same(await tpi(), before.tpi, 'nothing written')
    t.same(await traces(ctx.app, admin), before.traces, 'no audit record or event')
    const json = await zi(['answers', 'push', id, 'tpi', file, '--dry-run', '--json'], env)
    t.equal(JSON.parse(json.stdout).diff.length, 2)
    const keyed = await zi(['answers', 'push', id, 'tpi', file, '--dry-run', '--idempotency-key', 'k'], env)
    t.equal(keyed.code, 1, 'a dry run takes no key')
  })

  t.test('push an edited CSV: one batch; the same run again replays instead of writing twice', async (t) => {
    const edited = pulledCsv
      .replace(/^Q1,Ya,/m, 'Q1,Tidak,')
      .replace(/^Q2,B,"SK Tim, ""terbaru""\nhal. 2",,/m, 'Q2,C,"Diverifikasi TPI",,')
      .concat('Q4,A,,,,\n')
    const file = join(dir, 'edited.csv')
    writeFileSync(file, edited)
    const res = await zi(['answers', 'push', id, 'tpi', file], env)
    t.equal(res.code, 0, res.stderr)
    t.match(
      res.stderr,
      /wrote 3 answers to stage tpi \(version (\d+), total \d+\.\d\d\), 1 unchanged; Idempotency-Key zi-push-[0-9a-f]{64}/,
    )
    const after = await tpi()
    const byCode = new Map(after.answers.map((a) => [a.question_code, a]))
    t.equal(byCode.get('Q1')?.value, 'Tidak')
    t.equal(byCode.get('Q1')?.note, '=HYPERLINK("http://evil.example","klik")', 'the guard quote is removed again')
    t.equal(byCode.get('Q2')?.note, 'Diverifikasi TPI')
    t.equal(byCode.get('Q88')?.value, 3, 'a number cell is sent as a number')
    t.equal(byCode.get('Q4')?.value, 'A')

    const again = await zi(['answers', 'push', id, 'tpi', file], env)
    t.equal(again.code, 0, again.stderr)
    t.match(again.stderr, /already pushed/)
    t.equal((await tpi()).stage.version, after.stage.version, 'nothing was written the second time')
  })
})
