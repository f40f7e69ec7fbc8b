import { readFileSync } from 'node:fs'
import { templateBytes } from '../../src/modules/workbook/template.js'
import t from 'tap'
import { english } from '../helpers/english.js'
import { IsolatedWork, WorkLimitError } from '../../src/lib/isolated-work.js'
import { ProblemError } from '../../src/lib/problem.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { parseWorkbookUpload } from '../../src/modules/workbook/parse.js'
import { WORKBOOK_BOUNDS, checkWorkbookStructure, countTags } from '../../src/modules/workbook/structure.js'
import { plainWorkbook, zipOf } from '../helpers/workbook.js'

const LKE_SHEETS = ['LKE', 'LKE ZI', 'Jawaban']
const OFFICIAL = readFileSync('/work/shared/reference/lke-zi-form.xlsx')
const workbookXml = (names: string[]) =>
  Buffer.from(
    `<workbook xmlns:r="r"><sheets>${names.map((n, i) => `<sheet name="${n.replace(/&/g, '&amp;')}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
  )

t.test('structure: the real form passes; each bound is named when passed', async (t) => {
  t.same(checkWorkbookStructure(OFFICIAL, LKE_SHEETS), { ok: true, sheets: ['Utama', 'Ctt Eval', 'LKE ZI'] })
  t.match(english(checkWorkbookStructure(plainWorkbook('Data & Co', 10), LKE_SHEETS)), {
    ok: false,
    reason: 'not_lke',
    sheets: ['Data & Co'],
  })
  t.match(english(checkWorkbookStructure(Buffer.from('not a zip'), LKE_SHEETS)), { ok: false, reason: 'not_xlsx' })
  t.match(english(checkWorkbookStructure(zipOf([{ name: 'a.txt', data: Buffer.from('x') }]), LKE_SHEETS)), {
    ok: false,
    reason: 'not_xlsx',
    message: /xl\/workbook.xml/,
  })
  const many = zipOf(Array.from({ length: 101 }, (_, i) => ({ name: `x${i}`, data: Buffer.from('') })))
  t.match(english(checkWorkbookStructure(many, LKE_SHEETS)), {
    reason: 'bound',
    bound: 'entries',
    limit: 100,
    actual: 101,
  })
  const sheets = zipOf([{ name: 'xl/workbook.xml', data: workbookXml(Array.from({ length: 21 }, (_, i) => `S${i}`)) }])
  t.match(english(checkWorkbookStructure(sheets, LKE_SHEETS)), { reason: 'bound', bound: 'sheets', actual: 21 })
  t.match(english(checkWorkbookStructure(plainWorkbook('LKE', 2001, 1), LKE_SHEETS)), {
    reason: 'bound',
    bound: 'rows_per_sheet',
    limit: 2000,
    message: /sheet "LKE" has more than 2000 rows/,
  })
  t.match(english(checkWorkbookStructure(plainWorkbook('LKE', 1001, 50), LKE_SHEETS)), {
    reason: 'bound',
    bound: 'cells',
    limit: 50_000,
  })
  const strings = Buffer.from(`<sst>${'<si><t>x</t></si>'.repeat(20_001)}</sst>`)
  const sst = zipOf([
    { name: 'xl/workbook.xml', data: workbookXml(['LKE']) },
    { name: 'xl/sharedStrings.xml', data: strings },
  ])
  t.match(english(checkWorkbookStructure(sst, LKE_SHEETS)), { reason: 'bound', bound: 'shared_strings', limit: 20_000 })
  const big = plainWorkbook('LKE', 1900, 26)
  t.ok(big.length < 1024 * 1024)
  t.match(
    english(checkWorkbookStructure(big, LKE_SHEETS, { ...WORKBOOK_BOUNDS, cells: 1e9, unpacked_bytes: 1024 * 1024 })),
    {
      reason: 'bound',
      bound: 'unpacked_bytes',
      message: /more than 1048576 bytes/,
    },
  )
  t.equal(countTags(Buffer.from('<c r="A1"/><col/><c>1</c><cx/><c\n/>'), 'c'), 3, '<c …> counted, <col> and <cx> not')
})

t.test('the gate: a bounded number at once, a bounded queue, then 503 with Retry-After', async (t) => {
  const work = new IsolatedWork({ concurrency: 1, queue: 1, timeoutMs: 2000, memoryMb: 64 })
  const first = await work.acquire()
  const second = work.acquire()
  t.same(work.load, { running: 1, waiting: 1 })
  const third = await work.acquire().catch((e: unknown) => e)
  t.ok(third instanceof ProblemError)
  t.match(third, { status: 503, code: 'uploads_busy', headers: { 'retry-after': '1' } }, 'queue full: 503 at once')
  first()
  const release = await second
  t.same(work.load, { running: 1, waiting: 0 }, 'the waiter got the slot')
  const late = await work.acquire().catch((e: unknown) => e)
  t.match(late, { status: 503, code: 'uploads_busy' }, 'no slot within half the deadline: 503')
  release()
  t.same(work.load, { running: 0, waiting: 0 })
})

t.test('a worker past its heap or its deadline fails alone; the process goes on', async (t) => {
  const hog = new URL('../fixtures/workers/hog.ts', import.meta.url)
  const work = new IsolatedWork({ concurrency: 2, queue: 0, timeoutMs: 30_000, memoryMb: 32 })
  await t.rejects(work.run(hog, { mode: 'allocate' }), new WorkLimitError('memory', 32))
  const quick = new IsolatedWork({ concurrency: 2, queue: 0, timeoutMs: 6000, memoryMb: 64 })
  await t.rejects(quick.run(hog, { mode: 'hang' }), new WorkLimitError('time', 3000))

  // A workbook within every bound (1,900 rows × 26 cells, 49,400 cells): read in the worker, refused for what it is.
  const def = loadSeedInstrument()
  const dense = plainWorkbook('LKE', 1900, 26)
  t.same(english(checkWorkbookStructure(dense, LKE_SHEETS)), { ok: true, sheets: ['LKE'] }, 'within every bound')
  // A worker stopped at its heap limit (as the hog above) is that import's 422, naming the bound.
  const exhausted = {
    run: async () => {
      throw new WorkLimitError('memory', 32)
    },
  } as unknown as IsolatedWork
  const refused = await parseWorkbookUpload(exhausted, dense, def, 'self').catch((e: unknown) => e)
  t.match(refused, { status: 422, code: 'workbook_too_large', extra: { bound: 'memory', limit: 32 } }, 'its heap: 422')
  t.match((refused as Error).message, /more than the 32 MB a workbook import may use \(IMPORT_WORKER_MEMORY_MB\)/)
  const enough = new IsolatedWork({ concurrency: 1, queue: 0, timeoutMs: 60_000, memoryMb: 128 })
  const read = await parseWorkbookUpload(enough, dense, def, 'self').catch((e: unknown) => e)
  t.match(
    read,
    { status: 422, code: 'not_an_lke_workbook' },
    'with the default heap it is read, and refused for what it is',
  )
  const form = await parseWorkbookUpload(enough, templateBytes(), def, 'self')
  t.equal(form.layout, 'official', 'the official form reads in a worker')
  t.ok(form.rows.length > 100, `${form.rows.length} rows`)
})
