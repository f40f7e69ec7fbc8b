import t from 'tap'
import {
  checkKindUnderParent,
  checkNoCycle,
  checkValidity,
  childPath,
  depthOf,
  mergeExternalIds,
} from '../../src/modules/units/rules.js'

t.test('kind under parent', async (t) => {
  t.equal(checkKindUnderParent('instansi', null), null)
  t.equal(checkKindUnderParent('opd', 'instansi'), null)
  t.equal(checkKindUnderParent('unit', 'opd'), null)
  t.equal(checkKindUnderParent('unit', 'unit'), null, 'a sekolah may sit under a UPT')
  for (const [kind, parent] of [
    ['instansi', 'instansi'],
    ['opd', 'unit'],
    ['opd', 'opd'],
    ['opd', null],
    ['unit', 'instansi'],
    ['unit', null],
  ] as const) {
    t.equal(checkKindUnderParent(kind, parent)?.code, 'kind_parent_mismatch', `${kind} under ${parent}`)
  }
})

t.test('validity and cycles', async (t) => {
  t.equal(checkValidity('2025-01-01', '2025-01-01'), null, 'a one-day window is fine')
  t.equal(checkValidity(null, '2020-01-01'), null)
  t.equal(checkValidity('2025-01-02', '2025-01-01')?.code, 'invalid_validity')
  t.equal(checkNoCycle('/a/b/', '/a/'), null)
  t.equal(checkNoCycle('/a/b/', '/a/c/'), null)
  t.equal(checkNoCycle('/a/b/', '/a/b/')?.code, 'parent_cycle')
  t.equal(checkNoCycle('/a/b/', '/a/b/c/')?.code, 'parent_cycle')
  t.equal(checkNoCycle('/a/b/', '/a/bb/'), null, 'a sibling whose id shares a prefix is not a descendant')
})

t.test('paths and external ids', async (t) => {
  t.equal(childPath(null, 'r'), '/r/')
  t.equal(childPath('/r/', 'o'), '/r/o/')
  t.equal(depthOf('/r/'), 0)
  t.equal(depthOf('/r/o/u/'), 2)
  t.same(mergeExternalIds({ portalrb: '1', sipd: '2' }, { portalrb: null, sakip: '3' }), { sipd: '2', sakip: '3' })
})
