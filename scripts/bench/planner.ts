/**
 * `npm run bench:planner`: the improvement planner on the seeded LKE-ZI-2026, in process.
 * Answer sets: the worked example (a unit at about 71 points, docs/examples/unit-71.json) and
 * 200 random sets drawn like the property tests (better options more often, some blanks), each planned
 * for WBK and WBBM. Prints the median, p95 and max time per plan (ms) after a warm-up.
 * Usage: npm run bench:planner [-- --runs 200 --json <file>]
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import {
  planImprovement,
  sealDefinition,
  validateAnswers,
  type AnswerValue,
  type PlanTarget,
} from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, json: { type: 'string' } } })
const runs = Number(values.runs)
const def = sealDefinition(loadSeedInstrument())
const example = (
  JSON.parse(readFileSync(new URL('../../docs/examples/unit-71.json', import.meta.url), 'utf8')) as {
    answers: Record<string, AnswerValue>
  }
).answers

let state = 20261201
const rand = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648
function randomSet(): Record<string, AnswerValue> {
  const out: Record<string, AnswerValue> = {}
  for (const q of def.nodes) {
    if (q.level !== 'question' || q.formula) continue
    if (rand() < 0.05) continue
    if (q.options)
      out[q.code] = (
        q.options[rand() < 0.75 ? Math.floor(rand() * 2) : Math.floor(rand() * q.options.length)] as { value: string }
      ).value
    else if (q.answerType === 'survey_index') out[q.code] = Math.round((2.5 + rand() * 1.5) * 100) / 100
    else if (q.answerType === 'count') out[q.code] = 1 + Math.floor(rand() * 12)
  }
  return out
}
const sets: Record<string, AnswerValue>[] = []
while (sets.length < runs) {
  const s = randomSet()
  if (validateAnswers(def, s).length === 0) sets.push(s)
}

/** wall time, and the CPU time this process spent (on a shared, overloaded machine the second is the plan's own cost) */
const cpu: number[] = []
const time = (answers: Record<string, AnswerValue>, target: PlanTarget): number => {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  planImprovement(def, answers, target)
  const wall = performance.now() - t0
  const c = process.cpuUsage(c0)
  cpu.push((c.user + c.system) / 1000)
  return wall
}
for (let i = 0; i < 20; i++) time(sets[i % sets.length] as Record<string, AnswerValue>, i % 2 ? 'WBK' : 'WBBM')

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number
  return { n: s.length, median: at(0.5), p95: at(0.95), max: s[s.length - 1] as number }
}
const result: Record<string, ReturnType<typeof stats>> = {}
const cpuResult: Record<string, ReturnType<typeof stats>> = {}
const measure = (name: string, f: () => number[]) => {
  cpu.length = 0
  result[name] = stats(f())
  cpuResult[name] = stats(cpu)
}
for (const target of ['WBK', 'WBBM'] as const) {
  measure(`example-71 ${target}`, () => Array.from({ length: 50 }, () => time(example, target)))
  measure(`random ${target}`, () => sets.map((s) => time(s, target)))
}
const plan = planImprovement(def, example, 'WBK')
console.log(
  `worked example: ${plan.before.total.toFixed(2)} points, ${plan.changes} changes to WBK (${plan.algorithm}, verified ${plan.verified})`,
)
console.log('scenario              n   wall: median   p95     max  |  cpu: median   p95     max  (ms)')
for (const [k, v] of Object.entries(result)) {
  const c = cpuResult[k] as ReturnType<typeof stats>
  const f = (x: number) => x.toFixed(2).padStart(7)
  console.log(
    `${k.padEnd(20)} ${String(v.n).padStart(4)}  ${f(v.median)} ${f(v.p95)} ${f(v.max)}  |  ${f(c.median)} ${f(c.p95)} ${f(c.max)}`,
  )
}
if (values.json)
  writeFileSync(
    values.json,
    `${JSON.stringify({ node: process.version, runs, loadavg: (await import('node:os')).loadavg(), wall: result, cpu: cpuResult }, null, 2)}\n`,
  )
