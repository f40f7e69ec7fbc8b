import t from 'tap'
import fc from 'fast-check'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AnswerFileError,
  answersToCsv,
  csvValue,
  formatOf,
  locateErrors,
  parseAnswersCsv,
  parseAnswersJson,
  type PulledAnswer,
} from '../../packages/client/src/cli/zi/answers-file.js'
import { configFile, readConfig, resolveCredentials, writeConfig } from '../../packages/client/src/cli/zi/config.js'
import { CsvSyntaxError, parseCsv } from '../../packages/client/src/cli/zi/csv.js'
import { CliError, exitCodeForStatus } from '../../packages/client/src/cli/zi/exit.js'
import { useLanguage } from '../../packages/client/src/cli/zi/i18n.js'
import { pushKey } from '../../packages/client/src/cli/zi/main.js'

/** The pure parts of `zi`: CSV, answer files, exit codes, the config file (their messages in English). */
useLanguage('en')

const issuesOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    if (err instanceof AnswerFileError) return err.issues
    throw err
  }
  throw new Error('expected an AnswerFileError')
}

t.test('CSV as spreadsheets write it', async (t) => {
  t.same(parseCsv('\uFEFFa,b\r\n"x, ""y""","line1\nline2"\r\n\r\nlast,\n'), [
    { line: 1, cells: ['a', 'b'] },
    { line: 2, cells: ['x, "y"', 'line1\nline2'] },
    { line: 4, cells: [''] },
    { line: 5, cells: ['last', ''] },
  ])
  t.same(parseCsv('a,b'), [{ line: 1, cells: ['a', 'b'] }], 'no final line end')
  t.throws(() => parseCsv('a,"b\nc'), CsvSyntaxError, 'an unclosed quote')
  t.throws(() => parseCsv('a,b"c"\n'), /line 1: a quote/, 'a quote inside an unquoted cell')
  t.throws(() => parseCsv('a\n"b"c\n'), /line 2: text after a closing quote/)
})

const answer = fc.record({
  question_code: fc.stringMatching(/^Q[1-9][0-9]{0,3}$/),
  value: fc.oneof(
    fc.constantFrom('Ya', 'Tidak', 'A', 'B', 'C', 'D', 'E'),
    fc.integer({ min: 0, max: 1_000_000_000 }).map((n) => n / 100),
    fc.constant(null),
  ),
  note: fc.oneof(
    fc.string({ minLength: 1, unit: 'grapheme' }),
    fc.constantFrom("=cmd|' /C calc'!A0", '+1', '-x', '@SUM(A1)', "'quoted", ' padded ', 'a,"b"\r\nc'),
    fc.constant(null),
  ),
  evidence_ids: fc.array(fc.uuid(), { maxLength: 3 }),
  version: fc.nat({ max: 1000 }),
})

t.test('pull → CSV → push gives back what was pulled (property)', async (t) => {
  fc.assert(
    fc.property(fc.array(answer, { minLength: 1, maxLength: 20 }), (answers: PulledAnswer[]) => {
      const { items, origins } = parseAnswersCsv(answersToCsv(answers))
      if (items.length !== answers.length) return false
      let line = 2 // the header is line 1; a note with line breaks spans several
      return answers.every((a, i) => {
        const item = items[i]!
        const same =
          item.question_code === a.question_code &&
          item.value === a.value &&
          item.note === a.note &&
          JSON.stringify(item.evidence_ids) === JSON.stringify(a.evidence_ids) &&
          item.expected_version === a.version &&
          origins[i] === `line ${line}`
        line += 1 + (a.note?.split('\n').length ?? 1) - 1
        return same
      })
    }),
  )
  const csv = answersToCsv([
    { question_code: 'Q1', value: 'Ya', note: '=HYPERLINK("x")', evidence_ids: [], version: 2 },
  ])
  t.match(csv, /^Q1,Ya,"'=HYPERLINK\(""x""\)",,2$/m, 'a formula is defused with a leading quote')
})

t.test('CSV cells and columns', async (t) => {
  t.equal(csvValue('75'), 75)
  t.equal(csvValue(' 3.25 '), 3.25)
  t.equal(csvValue(''), null)
  t.equal(csvValue('Ya'), 'Ya')
  t.equal(csvValue('3,5'), '3,5', 'a decimal comma stays text, which the server refuses by row')
  t.equal(csvValue("'-5"), '-5', 'a guarded cell is text')

  const noOptional = parseAnswersCsv('value,question_code\nYa,Q1\n,Q2\n')
  t.same(
    noOptional.items,
    [
      { question_code: 'Q1', value: 'Ya' },
      { question_code: 'Q2', value: null },
    ],
    'absent columns leave notes and evidence alone',
  )
  const cleared = parseAnswersCsv('question_code,value,note,evidence_ids,expected_version\nQ1,Ya,,,\nQ2,B,x,a b;c,0\n')
  t.same(
    cleared.items,
    [
      { question_code: 'Q1', value: 'Ya', note: null, evidence_ids: [] },
      { question_code: 'Q2', value: 'B', note: 'x', evidence_ids: ['a', 'b', 'c'], expected_version: 0 },
    ],
    'empty cells clear; 0 means must not exist yet',
  )
  t.same(parseAnswersCsv('question_code,value,version\nQ1,Ya,4\n', { ignoreVersions: true }).items, [
    { question_code: 'Q1', value: 'Ya' },
  ])

  t.same(
    issuesOf(() => parseAnswersCsv('')),
    [{ where: 'line 1', field: '', message: 'the file is empty: expected a header row (question_code,value,…)' }],
  )
  t.same(
    issuesOf(() => parseAnswersCsv('question_code,value\n')).map((i) => i.message),
    ['no answers after the header row'],
  )
  t.same(
    issuesOf(() => parseAnswersCsv('question_code,notes,note,note\nQ1,a,b,c\n')).map((i) => [
      i.field,
      i.message.split(';')[0],
    ]),
    [
      ['notes', 'unknown column'],
      ['note', 'the column appears twice'],
      ['value', 'missing column'],
    ],
  )
  t.same(
    issuesOf(() => parseAnswersCsv('question_code,value,version\nQ1,Ya,1.5\nQ2,A\nQ3,B,2\n')).map(
      (i) => `${i.where} ${i.field}`,
    ),
    ['line 2 version', 'line 3 '],
  )
  t.same(
    issuesOf(() => parseAnswersCsv('question_code,value\nQ1,"Ya\n')).map((i) => i.where),
    ['line 2'],
  )
})

t.test('JSON answer files', async (t) => {
  const pulled = {
    stage: { id: 'x' },
    answers: [
      {
        question_code: 'Q1',
        value: 'Ya',
        note: null,
        evidence_ids: [],
        updated_at: 'now',
        updated_by: null,
        version: 3,
      },
    ],
  }
  t.same(parseAnswersJson(JSON.stringify(pulled)).items, [
    { question_code: 'Q1', value: 'Ya', note: null, evidence_ids: [], expected_version: 3 },
  ])
  t.same(parseAnswersJson(JSON.stringify(pulled), { ignoreVersions: true }).items, [
    { question_code: 'Q1', value: 'Ya', note: null, evidence_ids: [] },
  ])
  t.same(
    parseAnswersJson('[{"question_code":"Q2","value":1,"version":1,"expected_version":0,"extra":true}]').items,
    [{ question_code: 'Q2', value: 1, expected_version: 0, extra: true }],
    'unknown fields go to the server, which names them',
  )
  t.match(
    issuesOf(() => parseAnswersJson('{"answers":')),
    [{ where: 'file', message: /^not JSON/ }],
  )
  t.match(
    issuesOf(() => parseAnswersJson('{"items":[]}')),
    [{ message: /an array of answers/ }],
  )
  t.match(
    issuesOf(() => parseAnswersJson('[]')),
    [{ message: 'no answers' }],
  )
  t.match(
    issuesOf(() => parseAnswersJson('[{"question_code":"Q1","value":"Ya"}, 7]')),
    [{ where: 'answers[1]', message: 'an answer must be an object' }],
  )
})

t.test('server errors located in the file', async (t) => {
  const parsed = parseAnswersCsv('question_code,value,version\nQ1,Ya,\nQ2,D,4\n')
  t.same(
    locateErrors(
      [
        { pointer: '/body/answers/1/value', rule: 'invalid_option', message: 'A/B/C' },
        { pointer: '/body/answers/1/expected_version', rule: 'stale', message: 'now 5' },
        { pointer: '/params/id', rule: 'format', message: 'uuid' },
      ],
      parsed,
    ),
    [
      { where: 'line 3', question: 'Q2', field: 'value', rule: 'invalid_option', message: 'A/B/C' },
      { where: 'line 3', question: 'Q2', field: 'version', rule: 'stale', message: 'now 5' },
      { where: '/params/id', question: '', field: '', rule: 'format', message: 'uuid' },
    ],
  )
  t.equal(formatOf(undefined, 'x.JSON'), 'json')
  t.equal(formatOf(undefined, 'x.csv'), 'csv')
  t.equal(formatOf(undefined, 'x.txt'), undefined)
  t.equal(formatOf('csv', 'x.json'), 'csv', 'an explicit format wins')
  t.equal(formatOf('xlsx', 'x.csv'), undefined)
})

t.test('exit codes by status; the default idempotency key', async (t) => {
  t.same(
    [400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 500, 502, 503].map(exitCodeForStatus),
    [2, 3, 3, 4, 5, 5, 2, 2, 2, 5, 6, 6, 6, 6],
  )
  const body = { answers: [{ question_code: 'Q1', value: 'Ya' }] }
  t.equal(pushKey('a', 'tpi', body), pushKey('a', 'tpi', structuredClone(body)), 'the same push, the same key')
  t.not(pushKey('a', 'tpi', body), pushKey('a', 'self', body), 'another stage, another key')
  t.not(
    pushKey('a', 'tpi', body),
    pushKey('a', 'tpi', { answers: [{ question_code: 'Q1', value: 'Tidak' }] }),
    'another content, another key',
  )
  t.ok(pushKey('a', 'tpi', body).length <= 200, 'within the API’s key length')
})

t.test('the config file', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'zi-config-'))
  const env = { HOME: home }
  t.equal(configFile(env), join(home, '.config', 'zi', 'config.json'), '~/.config without XDG_CONFIG_HOME')
  t.equal(configFile({ HOME: home, XDG_CONFIG_HOME: '/etc/xdg-elsewhere' }), '/etc/xdg-elsewhere/zi/config.json')
  t.equal(
    configFile({ HOME: home, XDG_CONFIG_HOME: 'relative' }),
    join(home, '.config', 'zi', 'config.json'),
    'a relative XDG_CONFIG_HOME is ignored, as the spec says',
  )
  const warnings: string[] = []
  t.throws(() => resolveCredentials(env, (w) => warnings.push(w)), CliError)
  writeConfig(env, { url: 'http://zi.local', token: 'zit_a' })
  t.equal(statSync(configFile(env)).mode & 0o777, 0o600)
  t.same(
    resolveCredentials(env, (w) => warnings.push(w)),
    { url: 'http://zi.local', token: 'zit_a' },
  )
  t.same(
    resolveCredentials({ ...env, ZI_TOKEN: 'zit_b' }, (w) => warnings.push(w)),
    { url: 'http://zi.local', token: 'zit_b' },
    'the environment wins',
  )
  t.same(
    resolveCredentials({ ...env, ZI_URL: 'http://other', ZI_TOKEN: 'zit_c' }, (w) => warnings.push(w)),
    { url: 'http://other', token: 'zit_c' },
  )
  writeConfig(env, { url: 'http://zi.local', token: 'zit_d' })
  t.same(
    readConfig(env, (w) => warnings.push(w)),
    { url: 'http://zi.local', token: 'zit_d' },
    'login again replaces it',
  )
  t.same(warnings, [])
})
