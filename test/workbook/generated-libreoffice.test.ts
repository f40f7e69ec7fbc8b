/**
 * The generated workbook, recalculated by LibreOffice headless, shows what the API computes, for
 * LKE-ZI-2026 and for a version that differs from it (weights swapped, a question added and one
 * removed, a ratio formula changed, predicate rules changed): the total, every node's and every
 * answered question's Nilai, every predicate rule's value and pass, and the predicate, to 1e-9.
 *
 * One soffice run converts every exported file (a fresh profile: its defaults, as a Pemda's copy of
 * LibreOffice). Needs LibreOffice Calc (`libreoffice-calc-nogui`); not skipped without it.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type ExcelJS from 'exceljs'
import t from 'tap'
import {
  validateInstrument,
  type AnswerValue,
  type InstrumentDefinition,
} from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import {
  COLUMNS,
  GENERATED_SHEET,
  PREDICATE_OF_SHEET,
  PREDICATE_SHEET,
  generatedLayout,
} from '../../src/modules/workbook/generated.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertUnit } from '../helpers/units.js'
import { asScore } from '../helpers/precision.js'
import { goldenAnswers, insertDefinition, loadXlsx, setup, variantDefinition } from '../helpers/workbook.js'

const run = promisify(execFile)
// The API answers scores to 2 decimals and rules' measures to 4 (docs/scoring.md): a cell LibreOffice
// computed must read as the API's figure, and a rule's figure lie within half a step of it.
const HALF_MEASURE_STEP = 0.00005 + 1e-9

function valueIn(ws: ExcelJS.Worksheet, address: string): unknown {
  const cell = ws.getCell(address)
  return cell.type === 6 ? cell.result : cell.value
}
const numberIn = (ws: ExcelJS.Worksheet, address: string): number | null => {
  const v = valueIn(ws, address)
  return typeof v === 'number' ? v : null
}

t.setTimeout(600_000)

t.test(
  'LibreOffice recalculating the generated workbook gives the API’s score and verdict, for 2026 and a changed version',
  async (t) => {
    const soffice = await run('soffice', ['--version']).catch((error: Error) => {
      throw new Error(
        `LibreOffice is needed for this test (Debian: apt-get install libreoffice-calc-nogui): ${error.message}`,
      )
    })
    t.match(soffice.stdout, /LibreOffice/)

    const s = await setup(t)
    const variant = variantDefinition('LKE-VARIAN-TEST')
    t.same(validateInstrument(variant), [], 'the variant is a valid version')
    const variantId = await insertDefinition(s.ctx, variant)
    const variantPeriod = await insertPeriod(s.ctx, { instrumentVersionId: variantId })
    const seed = loadSeedInstrument()

    const cases: { name: string; def: InstrumentDefinition; periodId: string; answers: Record<string, AnswerValue> }[] =
      []
    for (const name of [
      'all-best',
      'all-worst',
      'random-seed-1',
      'partial-seed-4',
      'ratio-inputs-blank',
      'pemda-sample',
      'all-unanswered',
    ]) {
      cases.push({ name: `2026-${name}`, def: seed, periodId: s.period.id, answers: goldenAnswers(name) })
    }
    const inVariant = new Set(variant.nodes.filter((n) => n.level === 'question' && !n.formula).map((n) => n.code))
    for (const [name, extra] of [
      ['all-best', 'A'],
      ['random-seed-2', 'B'],
      ['partial-seed-5', 'C'],
      ['second-options', null],
    ] as const) {
      const answers: Record<string, AnswerValue> = Object.fromEntries(
        Object.entries(goldenAnswers(name)).filter(([code]) => inVariant.has(code)),
      )
      if (extra) answers.QX1 = extra
      cases.push({ name: `variant-${name}`, def: variant, periodId: variantPeriod.id, answers })
    }

    const dir = mkdtempSync(join(tmpdir(), 'zi-lke-gen-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const exported: { name: string; def: InstrumentDefinition; url: string }[] = []
    for (const c of cases) {
      const unit = await insertUnit(s.ctx, { kind: 'unit', parent: s.tree.opdA, name: `Unit ${c.name}` })
      const url = await s.open(unit.id, c.periodId)
      const items = Object.entries(c.answers).map(([question_code, value]) => ({ question_code, value }))
      if (items.length) await s.batch(url, 'self', items)
      const res = await s.exportXlsx(url, 'self', s.admin, null)
      t.equal(res.statusCode, 200, `${c.name} exported (the default layout)`)
      writeFileSync(join(dir, `${c.name}.xlsx`), res.rawPayload)
      exported.push({ name: c.name, def: c.def, url })
    }
    const outDir = join(dir, 'recalculated')
    await run(
      'soffice',
      [
        `-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`,
        '--headless',
        '--norestore',
        '--nologo',
        '--convert-to',
        'xlsx',
        '--outdir',
        outDir,
        ...exported.map((e) => join(dir, `${e.name}.xlsx`)),
      ],
      { timeout: 300_000, maxBuffer: 8 * 1024 * 1024 },
    )

    for (const e of exported) {
      t.test(e.name, async (t) => {
        const layout = generatedLayout(e.def)
        const api = (
          await s.app.inject({ method: 'GET', url: `${e.url}/stages/self/score?explain=true`, headers: s.admin })
        ).json() as {
          total: number
          eligibility: { predicate: string; rules: { rule: string; actual: number; passed: boolean }[] }
          explanation: { nodes: { code: string; value: number }[]; questions: { code: string; value: number | null }[] }
        }
        const wb = await loadXlsx(readFileSync(join(outDir, `${e.name}.xlsx`)))
        const ws = wb.getWorksheet(GENERATED_SHEET)!
        const total = numberIn(ws, `${COLUMNS.value}${layout.totalRow}`)
        t.ok(total !== null && asScore(total) === api.total, `total ${total} reads as the API's ${api.total}`)
        const rowOf = new Map(layout.rows.map((r) => [r.node.code, r.row]))
        let nodes = 0
        for (const n of api.explanation.nodes) {
          const v = numberIn(ws, `${COLUMNS.value}${rowOf.get(n.code)}`)
          if (v === null || asScore(v) !== n.value) t.fail(`${n.code}: workbook ${v}, API ${n.value}`)
          nodes++
        }
        t.equal(nodes, layout.rows.filter((r) => r.node.level !== 'question').length, `every node (${nodes}) agrees`)
        let questions = 0
        for (const q of api.explanation.questions) {
          const v = valueIn(ws, `${COLUMNS.value}${rowOf.get(q.code)}`)
          if (q.value === null) {
            if (typeof v === 'number') t.fail(`${q.code}: the workbook has ${v}, the API no value`)
            continue
          }
          if (typeof v !== 'number' || asScore(v) !== q.value)
            t.fail(`${q.code}: workbook ${String(v)}, API ${q.value}`)
          questions++
        }
        t.ok(questions > 0 || e.name.endsWith('all-unanswered'), `${questions} question values agree`)
        const ps = wb.getWorksheet(PREDICATE_SHEET)!
        t.equal(layout.predicates.length, api.eligibility.rules.length)
        for (const p of layout.predicates) {
          const rule = api.eligibility.rules.find((r) => r.rule === p.rule.id)!
          const actual = numberIn(ps, `G${p.row}`)
          if (
            actual === null ||
            Math.abs(actual - (p.rule.measure === 'value' ? rule.actual : rule.actual * p.weight)) >
              HALF_MEASURE_STEP * (p.rule.measure === 'value' ? 1 : p.weight)
          )
            t.fail(`${p.rule.id}: workbook ${actual}, API ${rule.actual}`)
          const share = numberIn(ps, `I${p.row}`)
          if (share === null || Math.abs(share - rule.actual) > HALF_MEASURE_STEP)
            t.fail(`${p.rule.id}: capaian ${share}, API ${rule.actual}`)
          t.equal(
            valueIn(ps, `J${p.row}`),
            rule.passed ? 'Ya' : 'Tidak',
            `${p.rule.id} ${rule.passed ? 'passes' : 'fails'} in both`,
          )
        }
        t.equal(
          PREDICATE_OF_SHEET[String(valueIn(ps, `C${layout.verdictRows.predicate}`))],
          api.eligibility.predicate,
          `predicate ${api.eligibility.predicate}`,
        )
      })
    }
  },
)
