import t from 'tap'
import { AREA_CODES, areaOf, areaOfAreaNode, indexTree } from '../../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../../src/modules/instruments/seed/index.js'

t.test('every Pengungkit question of the seeded LKE belongs to one of the six areas; Hasil to none', async (t) => {
  const def = loadSeedInstrument()
  const index = indexTree(def)
  const areaNodes = def.nodes.filter((n) => n.level === 'area_perubahan')
  t.equal(areaNodes.length, 12, 'six areas under Pemenuhan and six under Reform')
  t.same(
    [...new Set(areaNodes.map((n) => areaOfAreaNode(n)))].sort(),
    [...AREA_CODES].sort(),
    'the twelve nodes name the six areas',
  )
  const counts = new Map<string | null, number>()
  for (const q of def.nodes.filter((n) => n.level === 'question')) {
    const area = areaOf(index, q)
    counts.set(area, (counts.get(area) ?? 0) + 1)
    const underHasil = index.byCode.get(q.parentCode ?? '') && /HASIL/i.test(rootOf(index, q).name)
    t.equal(area === null, Boolean(underHasil), `${q.code}: an area exactly when it is not under Hasil`)
  }
  for (const code of AREA_CODES) t.ok((counts.get(code) ?? 0) > 0, `${code} has questions`)
})

t.test('the area number is read from the node name only on area_perubahan nodes', async (t) => {
  t.equal(areaOfAreaNode({ level: 'area_perubahan', name: '5. PENGUATAN PENGAWASAN' }), 'penguatan_pengawasan')
  t.equal(areaOfAreaNode({ level: 'sub_area', name: '5. Something' }), null)
  t.equal(areaOfAreaNode({ level: 'area_perubahan', name: 'PENGUATAN PENGAWASAN' }), null)
  t.equal(areaOfAreaNode({ level: 'area_perubahan', name: '7. NOT AN AREA' }), null)
})

function rootOf(index: ReturnType<typeof indexTree>, node: { parentCode: string | null; name: string }) {
  let current = node
  while (current.parentCode) current = index.byCode.get(current.parentCode) ?? { parentCode: null, name: current.name }
  return current
}
