import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/lib/paths.js'
import { docBlocks, docFiles, docScript, runDocExamples } from '../helpers/doc-examples.js'

// One server and database per documentation file, each running every example it holds.
t.setTimeout(45 * 60_000) // a shared, loaded machine: each file starts a server and a database

// The examples pick ids out of answers with jq (.ci/run installs it).
t.before(() => {
  execFileSync('jq', ['--version'])
})

t.test('block markers: sh runs, sh no-run and other languages do not, expect-error is read', async (t) => {
  const md = [
    '```sh',
    'curl -s "$ZI/health/live"',
    '```',
    '```sh no-run',
    'npm start',
    '```',
    '```sh expect-error',
    'curl -s "$ZI/v1/nothing"',
    '```',
    '```text',
    'output',
    '```',
  ].join('\n')
  const blocks = docBlocks(md)
  t.same(
    blocks.map((b) => [b.line, b.run, b.expectError]),
    [
      [1, true, false],
      [4, false, false],
      [7, true, true],
      [10, false, false],
    ],
  )
  const script = docScript('x.md', blocks)
  t.notMatch(script, /npm start/, 'a no-run block is left out')
  t.match(script, /--fail-with-body/, 'curl fails on an HTTP error by default')
})

t.test('README.md, docs/*.md and docs/id/*.md: every runnable example runs against a started server', async (t) => {
  const files = docFiles()
  t.ok(files.includes('README.md'))
  t.ok(files.includes('docs/id/README.md'), 'the Indonesian pages (docs/id/) are run too')
  const runnable = files.filter((file) => docBlocks(readFileSync(join(projectRoot(), file), 'utf8')).some((b) => b.run))
  t.ok(runnable.length >= 7, `the README and the topic pages with examples are found (${runnable.join(', ')})`)
  for (const file of runnable) {
    await t.test(file, async (t) => {
      const run = await runDocExamples(file)
      t.equal(run.code, 0, `${file}: every example ran (last block ${run.lastBlock ?? 'none'})`, {
        stderr: run.stderr.slice(-4000),
        stdout: run.stdout.slice(-2000),
      })
    })
  }
})

t.test('an HTTP error fails its block, unless the block expects the error', async (t) => {
  const failing = await runDocExamples(
    'failing.md',
    '```sh\ncurl -s "$ZI/v1/units" -H "Authorization: Bearer nope"\n```\n',
  )
  t.equal(failing.code, 22, 'curl --fail-with-body exits 22 on the 401')
  t.equal(failing.lastBlock, 'failing.md:1')
  t.match(failing.stdout, /"status":401/, 'the problem+json body is still shown')
  const expected = await runDocExamples(
    'expected.md',
    '```sh expect-error\ncurl -s "$ZI/v1/units" -H "Authorization: Bearer nope"\n```\n',
  )
  t.equal(expected.code, 0)
  const unset = await runDocExamples('unset.md', '```sh\ncurl -s "$ZI/v1/units/$NOT_SET"\n```\n')
  t.not(unset.code, 0, 'a variable no block set fails the run (set -u)')
})
