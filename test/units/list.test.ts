import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertSmallTree, insertUnit } from '../helpers/units.js'

interface UnitItem {
  id: string
  name: string
  code: string
  updated_at: string
  kind: string
  archived_at: string | null
}

t.test('listing units', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const admin = bearer(await createToken(ctx, 'admin'))
  const tree = await insertSmallTree(ctx)
  // Many units with clashing names, so ties on the sort key are broken by id.
  for (let i = 0; i < 40; i++) await insertUnit(ctx, { kind: 'unit', parent: tree.opdA, name: `Sekolah ${i % 7}` })

  async function walk(query: string, limit: number, during?: (page: number) => Promise<void>): Promise<UnitItem[]> {
    const seen: UnitItem[] = []
    let url = `/v1/units?limit=${limit}${query}`
    for (let page = 0; page < 100; page++) {
      const res = await app.inject({ method: 'GET', url, headers: admin })
      if (res.statusCode !== 200) throw new Error(res.body)
      const body = res.json() as { items: UnitItem[]; next_cursor: string | null }
      seen.push(...body.items)
      if (!body.next_cursor) {
        t.notOk(res.headers.link, 'no Link header on the last page')
        return seen
      }
      const link = res.headers.link as string
      t.match(link, /^<\/v1\/units\?.*cursor=.*>; rel="next"$/)
      url = link.slice(1, link.indexOf('>'))
      await during?.(page)
    }
    throw new Error('pagination did not end')
  }

  t.test('every sort walks all rows once, in order', async (t) => {
    const total = 47
    for (const sort of ['name', '-name', 'code', '-code', 'updated_at', '-updated_at', 'created_at', '-created_at']) {
      const rows = await walk(`&sort=${sort}`, 6)
      t.equal(rows.length, total, `${sort}: all rows`)
      t.equal(new Set(rows.map((r) => r.id)).size, total, `${sort}: no duplicates`)
      const key = sort.replace('-', '') as keyof UnitItem
      const values = rows.map((r) => r[key] as string)
      const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      if (sort.startsWith('-')) sorted.reverse()
      // Compare as PostgreSQL orders text: only check monotonicity for ASCII keys (codes, times).
      if (key !== 'name') t.same(values, sorted, `${sort}: ordered`)
    }
  })

  t.test('no duplicates or gaps while rows are inserted between pages', async (t) => {
    const before = await walk('&sort=name', 500)
    const inserted: string[] = []
    const rows = await walk('&sort=name', 5, async (page) => {
      // New rows land before and after the cursor position; the walk must still see each old row once.
      const early = await insertUnit(ctx, { kind: 'unit', parent: tree.opdB, name: `AAA inserted ${page}` })
      const late = await insertUnit(ctx, { kind: 'unit', parent: tree.opdB, name: `ZZZ inserted ${page}` })
      inserted.push(early.id, late.id)
    })
    const ids = rows.map((r) => r.id)
    t.equal(new Set(ids).size, ids.length, 'no row twice')
    for (const row of before) t.ok(ids.includes(row.id), `existing row ${row.name} seen`)
    t.ok(inserted.filter((id) => ids.includes(id)).length > 0, 'rows inserted after the cursor are picked up')
  })

  t.test('filters', async (t) => {
    const opds = (await app.inject({ method: 'GET', url: '/v1/units?kind=opd', headers: admin })).json().items
    t.same(opds.map((u: UnitItem) => u.id).sort(), [tree.opdA.id, tree.opdB.id].sort())
    const children = (
      await app.inject({ method: 'GET', url: `/v1/units?parent_id=${tree.opdB.id}&q=smp`, headers: admin })
    ).json().items
    t.same(
      children.map((u: UnitItem) => u.name).sort(),
      ['SMP Negeri 1', 'SMP Negeri 2'],
      'q is case-insensitive on name',
    )
    const byCode = (
      await app.inject({ method: 'GET', url: `/v1/units?q=${encodeURIComponent(tree.a1.code)}`, headers: admin })
    ).json().items
    t.same(
      byCode.map((u: UnitItem) => u.id),
      [tree.a1.id],
      'q matches codes',
    )
    const wildcard = (await app.inject({ method: 'GET', url: '/v1/units?q=%25', headers: admin })).json().items
    t.same(wildcard, [], 'a % in q is a literal, not a wildcard')

    await app.inject({ method: 'POST', url: `/v1/units/${tree.b2.id}/archive`, headers: admin })
    const archived = (await app.inject({ method: 'GET', url: '/v1/units?active=false', headers: admin })).json().items
    t.same(
      archived.map((u: UnitItem) => u.id),
      [tree.b2.id],
    )
    const active = (
      await app.inject({ method: 'GET', url: `/v1/units?active=true&parent_id=${tree.opdB.id}&q=smp`, headers: admin })
    ).json().items
    t.same(
      active.map((u: UnitItem) => u.id),
      [tree.b1.id],
    )

    const mark = new Date().toISOString()
    await app.inject({ method: 'PATCH', url: `/v1/units/${tree.a2.id}`, headers: admin, payload: { afirmasi: true } })
    const changed = (
      await app.inject({
        method: 'GET',
        url: `/v1/units?sort=updated_at&updated_since=${encodeURIComponent(mark)}`,
        headers: admin,
      })
    ).json().items
    t.same(
      changed.map((u: UnitItem) => u.id),
      [tree.a2.id],
      'updated_since returns what changed since',
    )
    const afirmasi = (await app.inject({ method: 'GET', url: '/v1/units?afirmasi=true', headers: admin })).json().items
    t.same(
      afirmasi.map((u: UnitItem) => u.id),
      [tree.a2.id],
    )
  })

  t.test('bad list queries are 400 naming the parameter', async (t) => {
    const limit = await app.inject({ method: 'GET', url: '/v1/units?limit=501', headers: admin })
    t.equal(limit.statusCode, 400)
    t.equal(limit.json().errors[0].pointer, '/query/limit')
    const sort = await app.inject({ method: 'GET', url: '/v1/units?sort=path', headers: admin })
    t.equal(sort.statusCode, 400)
    t.equal(sort.json().errors[0].pointer, '/query/sort')
    const unknown = await app.inject({ method: 'GET', url: '/v1/units?level=2', headers: admin })
    t.equal(unknown.statusCode, 400)
    const first = await app.inject({ method: 'GET', url: '/v1/units?limit=2&sort=name', headers: admin })
    const replay = await app.inject({
      method: 'GET',
      url: `/v1/units?limit=2&sort=code&cursor=${first.json().next_cursor}`,
      headers: admin,
    })
    t.equal(replay.statusCode, 400)
    t.equal(replay.json().code, 'invalid_cursor', 'a cursor is bound to its sort')
    const junk = await app.inject({ method: 'GET', url: '/v1/units?cursor=bm90LWpzb24', headers: admin })
    t.equal(junk.json().code, 'invalid_cursor')
    const since = await app.inject({ method: 'GET', url: '/v1/units?updated_since=yesterday', headers: admin })
    t.equal(since.statusCode, 400)
  })
})
