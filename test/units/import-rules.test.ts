import t from 'tap'
import { checkHeader, checkRows, planImport, type RegisteredUnit } from '../../src/modules/units/import-rules.js'
import { readRegistryFile } from '../../src/modules/units/registry-file.js'

/** The registry import's pure parts: the file's rows, their checks, the plan. */

const rows = (...lines: string[][]) =>
  lines.map(([code, name, kind, parent], i) => ({
    line: i + 2,
    cells: { kode: code ?? '', nama: name ?? '', jenis: kind ?? '', kode_induk: parent ?? '' },
  }))

t.test('the header names known columns, the required ones included', async (t) => {
  t.same(checkHeader(['kode', 'nama', 'jenis', 'kode_induk', 'afirmasi', 'id_portalrb']), [])
  t.same(checkHeader(['code', 'name', 'kind', 'parent_code']), [], 'English names too')
  t.same(
    checkHeader(['kode', 'nama', 'kode', 'warna']).map((e) => [e.column, e.rule]),
    [
      ['kode', 'duplicate_column'],
      ['warna', 'unknown_column'],
      ['kind', 'required'],
      ['parent_code', 'required'],
    ],
  )
})

t.test('rows: a parent chain going round in a circle is named on each of its rows', async (t) => {
  const { errors } = checkRows(
    rows(['P', 'Pemda', 'instansi', ''], ['A', 'Unit A', 'unit', 'B'], ['B', 'Unit B', 'unit', 'A']),
  )
  t.same(
    errors.map((e) => [e.line, e.rule]),
    [
      [3, 'parent_cycle'],
      [4, 'parent_cycle'],
    ],
  )
  const two = checkRows(rows(['P', 'Pemda', 'instansi', ''], ['Q', 'Pemda lain', 'instansi', '']))
  t.same(
    two.errors.map((e) => [e.line, e.rule]),
    [[3, 'one_instansi']],
  )
  const none = checkRows(rows(['A', 'Dinas', 'opd', 'P']))
  t.same(
    none.errors.map((e) => e.rule),
    ['instansi_required', 'parent_not_in_file'],
    'no instansi row, and a parent not in the file',
  )
})

t.test('the plan: parents first; a move ordered so no cycle appears on the way; missing deepest first', async (t) => {
  const reg = (id: string, code: string, kind: RegisteredUnit['kind'], parentId: string | null, path: string) => ({
    id,
    code,
    name: code,
    kind,
    parentId,
    path,
    afirmasi: false,
    instansiKind: null,
    externalIds: {},
    archived: false,
  })
  // registered: P / A / B / C; the file swaps A and B (B under P, A under B) and drops C
  const registered = [
    reg('p', 'P', 'instansi', null, '/p/'),
    reg('a', 'A', 'opd', 'p', '/p/a/'),
    reg('b', 'B', 'unit', 'a', '/p/a/b/'),
    reg('c', 'C', 'unit', 'b', '/p/a/b/c/'),
    reg('d', 'D', 'opd', 'p', '/p/d/'),
  ]
  const { rows: checked } = checkRows(
    rows(['P', 'P', 'instansi', ''], ['A', 'A', 'opd', 'P'], ['B', 'B', 'unit', 'D'], ['D', 'D', 'opd', 'P']),
  )
  const plan = planImport(checked, registered)
  t.same(plan.errors, [])
  t.same(
    plan.rows.map((p) => [p.row.code, p.action]),
    [
      ['P', 'unchanged'],
      ['A', 'unchanged'],
      ['D', 'unchanged'],
      ['B', 'moved'],
    ],
  )
  t.same(
    plan.missing.map((u) => u.code),
    ['C'],
  )
  const kindChanged = planImport(checkRows(rows(['P', 'P', 'instansi', ''], ['A', 'A', 'unit', 'P'])).rows, registered)
  t.match(kindChanged.errors, [{ line: 3, rule: 'kind_changed' }])
})

t.test('the file: CSV with line numbers across quoted line breaks, semicolons, the bounds', async (t) => {
  const csv = await readRegistryFile(
    Buffer.from('\uFEFFkode;nama;jenis;kode_induk\r\nP;"Pemda\nKota";instansi;\r\nA;Dinas;opd;P\r\n'),
  )
  t.match(csv, {
    ok: true,
    header: ['kode', 'nama', 'jenis', 'kode_induk'],
    rows: [
      { line: 2, cells: { kode: 'P', nama: 'Pemda\nKota' } },
      { line: 4, cells: { kode: 'A' } },
    ],
  })
  t.match(await readRegistryFile(Buffer.from('kode,nama\n"unclosed\n')), {
    ok: false,
    code: 'registry_file_unreadable',
  })
  t.match(await readRegistryFile(Buffer.from('kode,nama\nA,B,C\n')), {
    ok: false,
    code: 'registry_file_unreadable',
    line: 2,
  })
  t.match(await readRegistryFile(Buffer.from(`kode\n${'x'.repeat(1001)}\n`)), {
    ok: false,
    code: 'registry_file_too_large',
  })
})
