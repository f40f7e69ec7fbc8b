import t from 'tap'
import ExcelJS from 'exceljs'
import { count, eq, like } from 'drizzle-orm'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { units } from '../../src/modules/units/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { multipartBody } from '../helpers/multipart.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** The SOTK list of a Pemda: the instansi, 40 OPDs, 4 unit kerja under each (201 rows, 200 units under the instansi). */
function sotk(edit: (rows: string[][]) => void = () => {}): string[][] {
  const rows = [['kode', 'nama', 'jenis', 'kode induk', 'afirmasi', 'jenis_instansi', 'id_portalrb']]
  rows.push(['KOTA-PKL', 'Pemerintah Kota Pekalongan', 'instansi', '', '', 'kota', 'PR-1'])
  for (let o = 1; o <= 40; o++) {
    const opd = `OPD-${String(o).padStart(2, '0')}`
    rows.push([opd, `Dinas ${o}`, 'opd', 'KOTA-PKL', o === 7 ? 'ya' : '', '', `PR-${o + 100}`])
    for (let u = 1; u <= 4; u++) rows.push([`${opd}.${u}`, `Bidang ${u} Dinas ${o}`, 'unit kerja', opd, '', '', ''])
  }
  edit(rows)
  return rows
}

async function xlsx(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('SOTK')
  for (const r of rows) ws.addRow(r)
  return Buffer.from(await wb.xlsx.writeBuffer())
}

const csv = (rows: string[][], sep = ','): Buffer =>
  Buffer.from(
    `${rows.map((r) => r.map((c) => (/[",;\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(sep)).join('\r\n')}\r\n`,
  )

t.test('registry import', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const admin = bearer(await createToken(ctx, 'admin'))
  const post = (content: Buffer, type: string, fields: Record<string, string> = {}, headers = admin) => {
    const form = multipartBody(fields, { name: type === XLSX ? 'sotk.xlsx' : 'sotk.csv', type, content })
    return app.inject({
      method: 'POST',
      url: '/v1/units/import',
      headers: { ...headers, ...form.headers },
      payload: form.payload,
    })
  }
  const unitCount = async () => Number((await app.db.select({ n: count() }).from(units))[0]?.n)
  const auditCount = async () => Number((await app.db.select({ n: count() }).from(auditEvents))[0]?.n)

  t.test('a dry run of the 200-unit spreadsheet shows every row as new and writes nothing', async (t) => {
    const audited = await auditCount()
    const res = await post(await xlsx(sotk()), XLSX, { dry_run: 'true' })
    t.equal(res.statusCode, 200, res.statusCode === 200 ? 'ok' : res.body)
    const body = res.json()
    t.match(
      { dry_run: body.dry_run, instansi: body.instansi, summary: body.summary },
      {
        dry_run: true,
        instansi: { id: null, code: 'KOTA-PKL' },
        summary: { rows: 201, new: 201, moved: 0, changed: 0, unchanged: 0, missing: 0 },
      },
    )
    t.equal(body.rows[0].code, 'KOTA-PKL', 'parents first')
    t.equal(await unitCount(), 0)
    t.equal(await auditCount(), audited)
  })

  let instansiId = ''
  t.test('the import registers the instansi, 40 OPDs and 160 unit kerja with one audit record each', async (t) => {
    const res = await post(await xlsx(sotk()), XLSX)
    t.equal(res.statusCode, 200, res.statusCode === 200 ? 'ok' : res.body)
    const body = res.json()
    t.match(body.summary, { rows: 201, new: 201 })
    instansiId = body.instansi.id
    t.equal(await unitCount(), 201)
    const created = await app.db.select().from(auditEvents).where(eq(auditEvents.action, 'unit.created'))
    t.equal(created.length, 201)
    const [pemda] = await app.db.select().from(units).where(eq(units.code, 'KOTA-PKL'))
    t.match(pemda, { id: instansiId, kind: 'instansi', instansiKind: 'kota', externalIds: { portalrb: 'PR-1' } })
    const [opd7] = await app.db.select().from(units).where(eq(units.code, 'OPD-07'))
    t.match(opd7, { afirmasi: true, parentId: instansiId, externalIds: { portalrb: 'PR-107' } })
    const under7 = await app.db
      .select()
      .from(units)
      .where(like(units.path, `${opd7?.path}%`))
    t.equal(under7.length, 5, 'the OPD and its four unit kerja')
  })

  t.test('the same file again (as CSV this time) changes nothing and leaves no trace', async (t) => {
    const before = await auditCount()
    const [was] = await app.db.select().from(units).where(eq(units.code, 'OPD-12.3'))
    const res = await post(csv(sotk()), 'text/csv')
    t.equal(res.statusCode, 200, res.statusCode === 200 ? 'ok' : res.body)
    t.match(res.json().summary, { rows: 201, new: 0, moved: 0, changed: 0, unchanged: 201, missing: 0 })
    t.equal(await auditCount(), before)
    const [now] = await app.db.select().from(units).where(eq(units.code, 'OPD-12.3'))
    t.same(now, was)
  })

  t.test('a changed parent moves the unit (with its subtree); a renamed one changes', async (t) => {
    // a sub-unit under OPD-03.1, so the move carries a subtree
    const rows = sotk((r) => {
      r.push(['OPD-03.1.1', 'Seksi A', 'unit', 'OPD-03.1', '', '', ''])
    })
    t.equal((await post(csv(rows), 'text/csv')).statusCode, 200)
    const before = await auditCount()
    const moved = sotk((r) => {
      r.push(['OPD-03.1.1', 'Seksi A', 'unit', 'OPD-03.1', '', '', ''])
      const row = r.find((x) => x[0] === 'OPD-03.1') as string[]
      row[3] = 'OPD-05'
      const renamed = r.find((x) => x[0] === 'OPD-09') as string[]
      renamed[1] = 'Dinas Kesehatan'
    })
    const preview = await post(csv(moved, ';'), 'text/csv', { dry_run: 'true' })
    t.equal(preview.statusCode, 200, preview.statusCode === 200 ? 'ok' : preview.body)
    const body = preview.json()
    t.match(body.summary, { moved: 1, changed: 1, unchanged: 200 })
    t.match(
      body.rows.find((r: { code: string }) => r.code === 'OPD-03.1'),
      { action: 'moved', changes: [{ field: 'parent', from: 'OPD-03', to: 'OPD-05' }] },
    )
    t.equal(await auditCount(), before, 'the preview wrote nothing')

    const res = await post(csv(moved, ';'), 'text/csv')
    t.equal(res.statusCode, 200, res.statusCode === 200 ? 'ok' : res.body)
    t.equal(await auditCount(), before + 2, 'one unit.updated per unit written')
    const [opd5] = await app.db.select().from(units).where(eq(units.code, 'OPD-05'))
    const [unit] = await app.db.select().from(units).where(eq(units.code, 'OPD-03.1'))
    const [sub] = await app.db.select().from(units).where(eq(units.code, 'OPD-03.1.1'))
    t.equal(unit?.parentId, opd5?.id)
    t.ok(sub?.path.startsWith(unit?.path ?? '-'), 'the subtree moved along')
    t.equal((await post(csv(moved, ';'), 'text/csv')).json().summary.unchanged, 202, 'again: no change')
  })

  t.test('units the file leaves out are missing; archive_missing archives them, deepest first', async (t) => {
    const without = sotk().filter((r) => !r[0]?.startsWith('OPD-40'))
    without.push(['OPD-03.1.1', 'Seksi A', 'unit', 'OPD-03.1', '', '', ''])
    ;(without.find((x) => x[0] === 'OPD-03.1') as string[])[3] = 'OPD-05'
    ;(without.find((x) => x[0] === 'OPD-09') as string[])[1] = 'Dinas Kesehatan'
    const report = await post(csv(without), 'text/csv')
    t.match(report.json().summary, { missing: 5, archived: 0, unchanged: 197 })
    const res = await post(csv(without), 'text/csv', { archive_missing: 'true' })
    t.equal(res.statusCode, 200, res.statusCode === 200 ? 'ok' : res.body)
    t.match(res.json().summary, { missing: 5, archived: 5 })
    t.equal(res.json().missing[4].code, 'OPD-40', 'the OPD after its unit kerja')
    const back = await post(
      csv(sotk((r) => r.push(['OPD-03.1.1', 'Seksi A', 'unit', 'OPD-05', '', '', '']))),
      'text/csv',
      {
        dry_run: 'true',
      },
    )
    t.match(back.json().summary, { restored: 5 })
  })

  t.test('bad rows refuse the whole file, each named with its line', async (t) => {
    const before = { units: await unitCount(), audit: await auditCount() }
    const rows = sotk((r) => {
      r.push(['NEW-1', 'Dinas Baru', 'opd', 'KOTA-PKL', '', '', ''])
      r.push(['NEW-2', 'Bidang X', 'unit', 'NOPE', '', '', ''])
      r.push(['NEW-3', '', 'seksi', 'NEW-1', 'mungkin', '', ''])
      r.push(['OPD-01', 'Dinas 1 lagi', 'opd', 'KOTA-PKL', '', '', ''])
    })
    const res = await post(csv(rows), 'text/csv')
    t.equal(res.statusCode, 422)
    const body = res.json()
    t.equal(body.code, 'registry_rows_invalid')
    t.same(
      body.rows.map((r: { line: number; rule: string }) => `${r.line}:${r.rule}`),
      ['204:parent_not_in_file', '205:required', '205:enum', '205:enum', '206:duplicate_code'],
    )
    t.match(body.errors[0], { pointer: '/body/file/204/kode_induk', rule: 'parent_not_in_file' })
    t.same({ units: await unitCount(), audit: await auditCount() }, before, 'nothing written')

    const kindChanged = await post(csv(sotk((r) => ((r[2] as string[])[2] = 'unit'))), 'text/csv')
    t.equal(kindChanged.statusCode, 422)
    t.match(kindChanged.json().rows, [{ line: 3 }])

    const header = await post(Buffer.from('kode,nama,jenis,induk\nX,Y,opd,Z\n'), 'text/csv')
    t.match(header.json(), {
      code: 'registry_rows_invalid',
      rows: [{ line: 1, column: 'induk', rule: 'unknown_column' }],
    })
    const latin1 = await post(Buffer.from([0x6b, 0x6f, 0x64, 0x65, 0xe9, 0x0a]), 'text/csv')
    t.match(latin1.json(), { code: 'registry_file_unreadable' })
    const bomb = await post(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)]), XLSX)
    t.match(bomb.json(), { code: 'registry_file_unreadable' })
  })

  t.test('the bounds: rows and bytes', async (t) => {
    const many = [
      ['kode', 'nama', 'jenis', 'kode_induk'],
      ['I', 'I', 'instansi', ''],
    ]
    for (let i = 0; i < 5001; i++) many.push([`U${i}`, 'x', 'opd', 'I'])
    const res = await post(csv(many), 'text/csv')
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'registry_file_too_large')
    const big = await post(Buffer.alloc(2 * 1024 * 1024 + 1, 0x41), 'text/csv')
    t.equal(big.statusCode, 413)
    t.equal(big.json().code, 'file_too_large')
  })

  t.test('only an admin imports', async (t) => {
    const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [instansiId] }))
    const res = await post(csv(sotk()), 'text/csv', {}, operator)
    t.equal(res.statusCode, 403)
  })
})
