import t from 'tap'
import { Type } from 'typebox'
import { Measure, Percent, PRECISION, roundBySchema, roundTo, Score, Share } from '../../src/lib/precision.js'

t.test('roundTo: as a spreadsheet shows the number, half away from zero, on decimal digits', async (t) => {
  t.equal(roundTo(1.6749999999999972, 2), 1.68, 'float noise first goes to 15 significant digits (1.675)')
  t.equal(roundTo(2.3622047244094486, 2), 2.36)
  t.equal(roundTo(1.005, 2), 1.01, 'not the binary 1.00499…')
  t.equal(roundTo(0.375, 2), 0.38)
  t.equal(roundTo(-0.375, 2), -0.38, 'half away from zero below zero too')
  t.equal(roundTo(-0.001, 2), 0, 'never -0')
  t.ok(Object.is(roundTo(-0.001, 2), 0))
  t.equal(roundTo(0.6666666666666666, 4), 0.6667)
  t.equal(roundTo(74.99999999999999, 2), 75)
  t.equal(roundTo(1e-7, 4), 0, 'exponent notation in')
  t.equal(roundTo(12345678.125, 2), 12345678.13)
  t.equal(roundTo(100, 2), 100)
  t.ok(Number.isNaN(roundTo(Number.NaN, 2)))
  const off: string[] = []
  for (let i = 0; i < 5000; i++) {
    const x = (Math.random() - 0.5) * 200
    const r = roundTo(x, 2)
    if (Math.abs(r - x) > 0.005 + 1e-12 || r !== Number(r.toFixed(2))) off.push(`${x} → ${r}`)
  }
  t.same(off, [], 'random values: within half a unit, at most two decimals')
})

t.test('roundBySchema: marked numbers only, through refs, unions, arrays and records', async (t) => {
  const shared: Record<string, Record<string, unknown>> = {
    Rule: Type.Object({ required: Measure(), actual: Measure() }, { $id: 'Rule' }) as never,
  }
  const schema = Type.Object({
    total: Score(),
    pct: Type.Union([Percent(), Type.Null()]),
    share: Share(),
    raw: Type.Number(),
    rules: Type.Array(Type.Ref('Rule')),
    by_code: Type.Record(Type.String(), Score()),
    label: Type.Union([Type.String(), Score()]),
  })
  t.equal((Score() as unknown as Record<string, unknown>)[PRECISION], 2)
  const out = roundBySchema(
    {
      total: 1.6749999999999972,
      pct: 2.3622047244094486,
      share: 0.59999999,
      raw: 0.1 + 0.2,
      rules: [{ required: 0.6, actual: 0.5833333333333334 }],
      by_code: { A: 0.125 },
      label: 3.14567,
    },
    schema as never,
    (id) => shared[id],
  )
  t.same(out, {
    total: 1.68,
    pct: 2.36,
    share: 0.6,
    raw: 0.1 + 0.2,
    rules: [{ required: 0.6, actual: 0.5833 }],
    by_code: { A: 0.13 },
    label: 3.15,
  })
  t.same(
    roundBySchema({ pct: null, label: 'x' }, schema as never, () => undefined),
    { pct: null, label: 'x' },
  )
})
