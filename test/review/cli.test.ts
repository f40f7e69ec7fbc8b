import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { answersToCsv, parseAnswersCsv } from '../../packages/client/src/cli/zi/answers-file.js'
import { startTpiStage, zi } from '../helpers/zi-cli.js'

t.test('the answer file: a recommendation column for a tpi stage', async (t) => {
  const csv = answersToCsv(
    [
      { question_code: 'Q1', value: 'Ya', note: 'n', recommendation: '=SUM(A1)', evidence_ids: [], version: 2 },
      { question_code: 'Q2', value: 'B', note: null, evidence_ids: [], version: 1 },
    ],
    { recommendation: true },
  )
  t.equal(csv, "question_code,value,note,recommendation,evidence_ids,version\nQ1,Ya,n,'=SUM(A1),,2\nQ2,B,,,,1\n")
  t.same(
    parseAnswersCsv(csv).items.map((i) => [i.question_code, i.recommendation]),
    [
      ['Q1', '=SUM(A1)'],
      ['Q2', null],
    ],
    'read back: a formula-looking text unguarded, an empty cell clears',
  )
  t.notOk('recommendation' in parseAnswersCsv('question_code,value\nQ1,Ya\n').items[0]!, 'no column: kept')
})

t.test('zi answers pull/push carry the TPI’s recommendations', async (t) => {
  const { id, tpi, env } = await startTpiStage(t)
  const dir = mkdtempSync(join(tmpdir(), 'zi-review-'))
  const pulled = await zi(['answers', 'pull', id, 'tpi'], env)
  t.equal(pulled.code, 0, pulled.stderr)
  const [header, ...rows] = pulled.stdout.trimEnd().split('\n')
  t.equal(header, 'question_code,value,note,recommendation,evidence_ids,version')
  const q88 = rows.findIndex((r) => r.startsWith('Q88,'))
  rows[q88] = rows[q88]!.replace(/^Q88,3,,,/, 'Q88,3,,Hitung ulang jumlah pegawai,')
  const file = join(dir, 'tpi.csv')
  writeFileSync(file, `${[header, ...rows].join('\n')}\n`)
  const pushed = await zi(['answers', 'push', id, 'tpi', file], env)
  t.equal(pushed.code, 0, pushed.stderr)
  t.match(pushed.stderr, /^wrote 1 answer to stage tpi/)
  const after = await tpi()
  t.equal(
    (after.answers.find((a) => a.question_code === 'Q88') as { recommendation?: string }).recommendation,
    'Hitung ulang jumlah pegawai',
  )
  const repulled = await zi(['answers', 'pull', id, 'tpi'], env)
  t.match(repulled.stdout, /\nQ88,3,,Hitung ulang jumlah pegawai,,\d+\n/)
  const file2 = join(dir, 'again.csv')
  writeFileSync(file2, repulled.stdout)
  const again = await zi(['answers', 'push', id, 'tpi', file2], env)
  t.equal(again.code, 0, again.stderr)
  t.match(again.stderr, /^nothing to write/, 'the file as pulled changes nothing')
})
