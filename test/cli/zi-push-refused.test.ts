import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTpiStage, zi } from '../helpers/zi-cli.js'

/**
 * `zi answers push` refusing a file: exit 2 with the bad rows named (by the server's 422/400, or
 * before sending for a malformed file), exit 5 for answers changed since the file was pulled;
 * nothing written either way.
 */
t.test('zi answers push: refused files', async (t) => {
  const { id, tpi, env } = await startTpiStage(t)
  const dir = mkdtempSync(join(tmpdir(), 'zi-refused-'))

  t.test('a file the server refuses: exit 2, the bad rows named, nothing written', async (t) => {
    const before = (await tpi()).stage.version
    const file = join(dir, 'bad.csv')
    writeFileSync(file, 'question_code,value,note\nQ1,Ya,ok\nQ2,D,\nQ9999,Ya,\nQ88,-1,\n')
    const res = await zi(['answers', 'push', id, 'tpi', file], env)
    t.equal(res.code, 2, res.stderr)
    t.match(res.stderr, /422 answers_invalid/)
    t.match(res.stderr, /line 3\s+Q2\s+value/)
    t.match(res.stderr, /line 4\s+Q9999\s+question_code\s+unknown_question/)
    t.match(res.stderr, /line 5\s+Q88\s+value/)
    t.notMatch(res.stderr, /line 2\s/, 'the good row is not blamed')
    t.match(res.stderr, /nothing was written/)
    t.equal((await tpi()).stage.version, before, 'the stage did not change')

    // Mistakes in the file itself are found before anything is sent.
    writeFileSync(file, 'question_code,value,version\nQ1,Ya,abc\nQ2,A,1,extra\n')
    const local = await zi(['answers', 'push', id, 'tpi', file], env)
    t.equal(local.code, 2)
    t.match(local.stderr, /line 2\s+version\s+"abc" is not a whole number/)
    t.match(local.stderr, /line 3\s+4 cells, but the header has 3/)
    const json = join(dir, 'bad.json')
    writeFileSync(json, '{"answers": [{"question_code": "Q1", "value": "Ya", "score": 4}]}')
    const unknownField = await zi(['answers', 'push', id, 'tpi', json], env)
    t.equal(unknownField.code, 2, unknownField.stderr)
    t.match(unknownField.stderr, /answers\[0\]\s+Q1/)
    t.match(unknownField.stderr, /score/)
  })

  t.test('a file pulled before someone else changed the answers: exit 5, nothing written', async (t) => {
    // As pulled before the unit's Q1 changed: its version one behind.
    const pulled = await tpi()
    const before = pulled.stage.version
    const q1 = pulled.answers.find((a) => a.question_code === 'Q1')!
    const file = join(dir, 'stale.csv')
    writeFileSync(file, `question_code,value,version\nQ1,Tidak,${q1.version - 1}\nQ4,A,0\n`)
    const res = await zi(['answers', 'push', id, 'tpi', file], env)
    t.equal(res.code, 5, res.stderr)
    t.match(res.stderr, /412 precondition_failed/)
    t.match(res.stderr, /line 2\s+Q1\s+version\s+stale/)
    t.match(res.stderr, /pull again/)
    t.equal((await tpi()).stage.version, before)
    // The same file as JSON, with versions ignored on purpose, overwrites.
    const json = join(dir, 'stale.json')
    writeFileSync(
      json,
      JSON.stringify({
        answers: [
          { question_code: 'Q1', value: 'Tidak', version: q1.version - 1 },
          { question_code: 'Q4', value: 'A', version: 0 },
        ],
      }),
    )
    const forced = await zi(['answers', 'push', id, 'tpi', json, '--ignore-versions', '--json'], env)
    t.equal(forced.code, 0, forced.stderr)
    t.same(
      JSON.parse(forced.stdout).answers.map((a: { question_code: string; value: unknown }) => [
        a.question_code,
        a.value,
      ]),
      [
        ['Q1', 'Tidak'],
        ['Q4', 'A'],
      ],
    )
  })
})
