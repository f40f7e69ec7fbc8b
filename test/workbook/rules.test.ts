import { deflateRawSync } from 'node:zlib'
import t from 'tap'
import {
  answerFromCell as readAnswerCell,
  cellFromAnswer,
  classifyRows,
  csvField,
  csvRecord,
  matchRows,
  neutraliseFormula,
  noteFromCell,
  safeFileStem,
  type SheetReader,
} from '../../src/modules/workbook/rules.js'
import type { InstrumentDefinition } from '../../src/modules/instruments/domain/index.js'
import { inspectZip, unzipEntry, zipEntries } from '../../src/lib/zip.js'
import { zipOf } from '../helpers/workbook.js'
import { english } from '../helpers/english.js'

const answerFromCell = (...args: Parameters<typeof readAnswerCell>) => english(readAnswerCell(...args))

t.test('answerFromCell: what a K cell holds, before the instrument’s rules', async (t) => {
  t.same(answerFromCell('ya_tidak', { kind: 'empty' }), { ok: true, value: null })
  t.same(answerFromCell('ya_tidak', { kind: 'text', text: '  Ya ' }), { ok: true, value: 'Ya' })
  t.same(answerFromCell('abc', { kind: 'text', text: '   ' }), { ok: true, value: null }, 'blank text is no answer')
  t.same(
    answerFromCell('abc', { kind: 'number', value: 1 }),
    { ok: true, value: 1 },
    'a number in an option cell is left to validateAnswers',
  )
  t.same(answerFromCell('count', { kind: 'number', value: 12 }), { ok: true, value: 12 })
  t.same(answerFromCell('survey_index', { kind: 'number', value: 3.67 }), { ok: true, value: 3.67 })
  t.same(
    answerFromCell('percentage', { kind: 'number', value: 0.75 }),
    { ok: true, value: 75 },
    'a % cell holds a fraction',
  )
  t.same(
    answerFromCell('percentage', { kind: 'number', value: 0.07 }),
    { ok: true, value: 7 },
    'without binary noise (0.07 × 100)',
  )
  const text = answerFromCell('count', { kind: 'text', text: '12' })
  t.equal(text.ok, false)
  t.match(text, { rule: 'answer_wrong_type', message: /text "12"/ })
  t.match(answerFromCell('abc', { kind: 'boolean', value: true }), {
    ok: false,
    rule: 'answer_wrong_type',
    message: /TRUE/,
  })
  t.match(answerFromCell('abc', { kind: 'date', value: new Date('2026-03-04T00:00:00Z') }), {
    ok: false,
    rule: 'answer_wrong_type',
    message: /date \(2026-03-04\)/,
  })
  t.match(answerFromCell('count', { kind: 'error', error: '#DIV/0!' }), {
    ok: false,
    rule: 'cell_error',
    message: /#DIV\/0!/,
  })
  t.same(
    answerFromCell('count', { kind: 'formula', formula: '3+4', result: { kind: 'number', value: 7 } }),
    { ok: true, value: 7 },
    'a typed formula counts by its value',
  )
  t.match(
    answerFromCell('count', { kind: 'formula', formula: '3+4', result: undefined }),
    { ok: false, rule: 'cell_error' },
    'a formula without a saved value',
  )
})

t.test('noteFromCell and cellFromAnswer', async (t) => {
  t.same(noteFromCell({ kind: 'empty' }), { ok: true, value: null })
  t.same(noteFromCell({ kind: 'text', text: '  baris satu\nbaris dua  ' }), {
    ok: true,
    value: 'baris satu\nbaris dua',
  })
  t.same(noteFromCell({ kind: 'number', value: 42 }), { ok: true, value: '42' })
  t.match(noteFromCell({ kind: 'text', text: 'x'.repeat(5001) }), { ok: false, rule: 'maxLength' })
  t.same(noteFromCell({ kind: 'text', text: 'x'.repeat(5000) }), { ok: true, value: 'x'.repeat(5000) })
  t.match(noteFromCell({ kind: 'error', error: '#REF!' }), { ok: false, rule: 'cell_error' })
  t.equal(cellFromAnswer('ya_tidak', 'Ya'), 'Ya')
  t.equal(cellFromAnswer('count', 0), 0)
  t.equal(cellFromAnswer('percentage', 75), 0.75)
  t.equal(cellFromAnswer('abc', null), null)
})

t.test('row classification and matching (a three-row toy workbook)', async (t) => {
  const cells: Record<string, { f?: string; v?: string | number }> = {
    H4: { v: 2 },
    L4: { f: '=AVERAGE(L5:L6)*H4' },
    J5: { v: 'Ya/Tidak' },
    L5: { f: '=IF(…)' },
    J6: { v: 'A/B/C' },
    L6: { f: '=IF(…)' },
    J7: { v: 'Jumlah' },
    K7: { f: '=K8+K9' },
    L7: { f: '=IF(…)' },
  }
  const sheet: SheetReader = {
    formula: (a) => cells[a]?.f ?? '',
    text: (a) => (cells[a]?.v === undefined ? '' : String(cells[a]?.v)),
    number: (a) => (typeof cells[a]?.v === 'number' ? (cells[a]?.v as number) : null),
    isEmpty: (a) => cells[a] === undefined,
  }
  const rows = classifyRows(sheet, 4, 7)
  t.same(rows, [
    { kind: 'node', row: 4, weight: 2 },
    { kind: 'question', row: 5, choices: 'Ya/Tidak', computed: false },
    { kind: 'question', row: 6, choices: 'A/B/C', computed: false },
    { kind: 'sum', row: 7 },
  ])
  const def = {
    code: 'TOY',
    name: 'toy',
    year: 2026,
    predicateRules: [],
    nodes: [
      { code: 'S', parentCode: null, level: 'sub_area', name: 's', order: 1, bobot: 2 },
      { code: 'A', parentCode: 'S', level: 'question', name: 'a', order: 1, bobot: null, answerType: 'ya_tidak' },
      { code: 'B', parentCode: 'S', level: 'question', name: 'b', order: 2, bobot: null, answerType: 'abc' },
    ],
  } as InstrumentDefinition
  t.same(matchRows(rows, def), {
    nodes: { S: 4 },
    questions: {
      A: { row: 5, choices: 'Ya/Tidak', answerType: 'ya_tidak', computed: false },
      B: { row: 6, choices: 'A/B/C', answerType: 'abc', computed: false },
    },
    sums: [7],
  })
  const swapped = structuredClone(def)
  swapped.nodes[1]!.answerType = 'abc'
  t.throws(() => matchRows(rows, swapped), /row 5 has J="Ya\/Tidak".*A is abc/)
  const heavier = structuredClone(def)
  heavier.nodes[0]!.bobot = 3
  t.throws(() => matchRows(rows, heavier), /row 4 weighs 2, S weighs 3/)
})

t.test('CSV fields (RFC 4180) and formula neutralising', async (t) => {
  t.equal(csvField('plain'), 'plain')
  t.equal(csvField('a,b'), '"a,b"')
  t.equal(csvField('say "ya"'), '"say ""ya"""')
  t.equal(csvField('line\nbreak'), '"line\nbreak"')
  t.equal(csvField('cr\rhere'), '"cr\rhere"')
  t.equal(csvField(null), '')
  t.equal(csvField(undefined), '')
  t.equal(csvField(0), '0')
  t.equal(csvField(0.1 + 0.2), '0.30000000000000004', 'numbers at full precision')
  t.equal(csvField(Number.NaN), '')
  for (const risky of ['=HYPERLINK("http://x")', '+1', '-1+2', '@SUM(A1)', '\tx'])
    t.equal(neutraliseFormula(risky), `'${risky}`, `${JSON.stringify(risky)} is neutralised`)
  t.equal(csvField('=1+1, then'), `"'=1+1, then"`, 'neutralised, then quoted')
  t.equal(csvField('Ya'), 'Ya')
  t.equal(csvRecord(['a', 1, null, 'b"c']), 'a,1,,"b""c"\r\n')
})

t.test('file names', async (t) => {
  t.equal(safeFileStem(['LKE-ZI', 'UPT/01 Bogor', 'ZI-2026', 'self']), 'LKE-ZI_UPT-01-Bogor_ZI-2026_self')
  t.equal(safeFileStem(['Dinas Pendidikan "Kota"', 'é']), 'Dinas-Pendidikan-Kota_e')
  t.equal(safeFileStem(['///']), '')
})

t.test('inspectZip: the guard before exceljs unpacks an upload', async (t) => {
  const limits = { maxEntries: 10, maxTotalBytes: 1024 * 1024 }
  const ok = inspectZip(
    zipOf([
      { name: 'a.xml', data: Buffer.from('<a/>') },
      { name: 'b.xml', data: Buffer.from('<b>hello</b>'), deflated: deflateRawSync(Buffer.from('<b>hello</b>')) },
    ]),
    limits,
  )
  t.same(ok, { ok: true, entries: ['a.xml', 'b.xml'], totalBytes: 16 })
  t.match(inspectZip(Buffer.from('%PDF-1.7 not a zip at all, just text'), limits), { ok: false, reason: 'not_zip' })
  t.match(inspectZip(Buffer.alloc(10), limits), { ok: false, reason: 'not_zip' })
  const zeros = Buffer.alloc(2 * 1024 * 1024)
  const bomb = zipOf([{ name: 'x.xml', data: zeros, deflated: deflateRawSync(zeros) }])
  t.ok(bomb.length < 10_000)
  t.match(inspectZip(bomb, limits), { ok: false, reason: 'too_large' }, 'a deflated entry larger than the limit')
  // a header that lies: says 10 bytes, inflates to 2 MiB
  const liar = Buffer.from(bomb)
  const central = liar.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
  liar.writeUInt32LE(10, central + 24)
  t.match(inspectZip(liar, limits), { ok: false, reason: 'too_large' }, 'the real size counts, not the declared one')
  const many = zipOf(Array.from({ length: 11 }, (_, i) => ({ name: `${i}.xml`, data: Buffer.from('x') })))
  t.match(inspectZip(many, limits), { ok: false, reason: 'too_many_entries' })
  const split = zipOf([
    { name: 'a', data: Buffer.alloc(600 * 1024) },
    { name: 'b', data: Buffer.alloc(600 * 1024) },
  ])
  t.match(inspectZip(split, limits), { ok: false, reason: 'too_large' }, 'the limit is on all entries together')
  const cut = zipOf([{ name: 'a.xml', data: Buffer.from('<a/>') }]).subarray(0, 40)
  t.match(inspectZip(cut, limits), { ok: false, reason: 'not_zip' })
  const dir = zipEntries(
    zipOf([{ name: 'b.xml', data: Buffer.from('<b/>'), deflated: deflateRawSync(Buffer.from('<b/>')) }]),
  )
  t.ok(dir.ok)
  if (dir.ok) t.equal(unzipEntry(dir.entries[0]!, 100).toString(), '<b/>')
})
