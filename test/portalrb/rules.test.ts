import t from 'tap'
import type { InstrumentNode } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import {
  buktiDukungOf,
  crosswalk,
  currentProposalPeriod,
  etagOf,
  formatAnswer,
  formatNumber,
  ifNoneMatchHits,
  kategoriOf,
  noteOf,
  portalrbIdOf,
  toGuideError,
} from '../../src/modules/portalrb/rules.js'
import { readMasterSoal } from './contract-schemas.js'

const question = (answerType: InstrumentNode['answerType'], options?: string[]): InstrumentNode => ({
  code: 'Q',
  parentCode: 'N',
  level: 'question',
  name: 'q',
  order: 1,
  bobot: null,
  answerType,
  ...(options
    ? { options: options.map((value, i) => ({ value, multiplier: 1 - i / Math.max(1, options.length - 1) })) }
    : {}),
})

t.test('answers are written as the guide expects, per answer type', async (t) => {
  const yaTidak = question('ya_tidak', ['Ya', 'Tidak'])
  t.equal(formatAnswer(yaTidak, 'Ya'), 'Ya')
  t.equal(formatAnswer(yaTidak, 'ya'), 'Ya', 'stored in another case: the master soal’s spelling')
  t.equal(formatAnswer(yaTidak, 'TIDAK'), 'Tidak')
  t.equal(formatAnswer(question('abc', ['A', 'B', 'C']), 'b'), 'B')
  t.equal(formatAnswer(question('abcd', ['A', 'B', 'C', 'D']), 'D'), 'D')
  t.equal(formatAnswer(question('abcde', ['A', 'B', 'C', 'D', 'E']), ' e '), 'E', 'surrounding spaces do not matter')
  t.equal(formatAnswer(question('count'), 12), '12', 'Jumlah: a whole number')
  t.equal(formatAnswer(question('count'), 0), '0')
  t.equal(formatAnswer(question('percentage'), 85.5), '85.5', 'percentages 0–100 with a decimal point')
  t.equal(formatAnswer(question('percentage'), 100), '100')
  t.equal(formatAnswer(question('survey_index'), 3.67), '3.67', 'survey index 0–4')
  t.equal(formatAnswer(question('survey_index'), 4), '4')
  t.equal(formatAnswer(question('rupiah'), 1500000), '1500000', 'no thousands separator')
  t.equal(formatAnswer(question('rupiah'), 1e21), '1000000000000000000000', 'never an exponent')
  t.equal(formatAnswer(question('percentage'), 0.000001), '0.000001')
  t.equal(formatNumber(-0), '0')
  t.equal(formatAnswer(yaTidak, null), null, 'not answered: null')
  t.equal(formatAnswer(yaTidak, undefined), null, 'no answer row: null')
  t.equal(formatAnswer(yaTidak, '  '), null, 'a blank text: null')
})

t.test('notes and evidence', async (t) => {
  t.equal(noteOf('Sudah'), 'Sudah')
  t.equal(noteOf(''), null)
  t.equal(noteOf('  '), null)
  t.equal(noteOf(null), null)
  t.equal(buktiDukungOf([]), null)
  t.equal(
    buktiDukungOf(['https://a.example/x']),
    'https://a.example/x',
    'one link: the URL alone, like the guide’s example',
  )
  t.equal(
    buktiDukungOf(['https://a.example/x', 'https://b.example/y']),
    'https://a.example/x\nhttps://b.example/y',
    'several: one per line',
  )
})

t.test('ids and kategori', async (t) => {
  t.equal(portalrbIdOf({ code: '1.02.01', externalIds: {} }), '1.02.01', 'the code without a PortalRB id')
  t.equal(
    portalrbIdOf({ code: '1.02.01', externalIds: { sipd: '9' } }),
    '1.02.01',
    'other systems’ ids are not PortalRB’s',
  )
  t.equal(portalrbIdOf({ code: '1.02.01', externalIds: { portalrb: 'UNIT-7' } }), 'UNIT-7', 'the PortalRB id when set')
  t.equal(portalrbIdOf({ code: '1.02.01', externalIds: { portalrb: '' } }), '1.02.01', 'an empty one does not count')
  t.equal(kategoriOf('WBK', false), 'WBK')
  t.equal(kategoriOf('WBK', true), 'WBK-AFIRMASI')
  t.equal(kategoriOf('WBBM', false), 'WBBM')
  t.equal(kategoriOf('WBBM', true), 'WBBM', 'the WBBM list says WBBM; afirmasi carries the attribute')
})

t.test('the current proposal period', async (t) => {
  const now = new Date('2026-06-15T00:00:00Z')
  const w = (opens: string, closes: string, reopenedUntil?: string) => ({
    proposal: { opens_at: opens, closes_at: closes, ...(reopenedUntil ? { reopened_until: reopenedUntil } : {}) },
  })
  const p = (id: string, year: number, windows: object) => ({ id, code: id, year, windows })
  t.equal(currentProposalPeriod([], now), null, 'no period')
  t.equal(currentProposalPeriod([p('A', 2026, {})], now), null, 'no proposal window scheduled')
  t.equal(
    currentProposalPeriod([p('A', 2026, w('2026-07-01T00:00:00Z', '2026-08-01T00:00:00Z'))], now),
    null,
    'not open yet',
  )
  t.equal(
    currentProposalPeriod([p('A', 2026, w('2026-06-15T00:00:00Z', '2026-08-01T00:00:00Z'))], now)?.id,
    'A',
    'open from opens_at inclusive',
  )
  t.equal(
    currentProposalPeriod([p('A', 2026, w('2026-05-01T00:00:00Z', '2026-06-15T00:00:00Z'))], now),
    null,
    'closed at closes_at',
  )
  t.equal(
    currentProposalPeriod(
      [p('A', 2026, w('2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z', '2026-06-20T00:00:00Z'))],
      now,
    )?.id,
    'A',
    'a reopened window counts',
  )
  const open = w('2026-06-01T00:00:00Z', '2026-07-01T00:00:00Z')
  const later = w('2026-06-10T00:00:00Z', '2026-07-01T00:00:00Z')
  t.equal(
    currentProposalPeriod([p('OLD', 2025, later), p('NEW', 2026, open)], now)?.id,
    'NEW',
    'several open: the latest year',
  )
  t.equal(
    currentProposalPeriod([p('EARLY', 2026, open), p('LATE', 2026, later)], now)?.id,
    'LATE',
    'same year: the window opened last',
  )
  t.equal(
    currentProposalPeriod([p('B', 2026, open), p('A', 2026, open)], now)?.id,
    'A',
    'then the code, so every replica agrees',
  )
})

t.test('the crosswalk of the bundled instrument is the master soal', async (t) => {
  const entries = crosswalk(loadSeedInstrument())
  const master = readMasterSoal()
  t.same(
    entries.map((e) => e.soalId),
    [...master.soals.keys()].sort((a, b) => a - b),
    'every master soal id, once, in ascending order; the overlay’s computed ratios have none',
  )
  const def = { ...loadSeedInstrument(), nodes: [] as InstrumentNode[] }
  def.nodes = [
    { ...question('ya_tidak', ['Ya', 'Tidak']), code: 'X1', external: { portalrbSoalId: '205' } },
    { ...question('ya_tidak', ['Ya', 'Tidak']), code: 'X2', external: { portalrbSoalId: 'abc' } },
    { ...question('ya_tidak', ['Ya', 'Tidak']), code: 'X3' },
    { ...question('ya_tidak', ['Ya', 'Tidak']), code: 'X4', external: { portalrbSoalId: 7 } },
  ]
  t.same(
    crosswalk(def).map((e) => [e.soalId, e.question.code]),
    [
      [7, 'X4'],
      [205, 'X1'],
    ],
    'numeric strings count; ids that are not integers and questions without one are left out',
  )
})

t.test('ETags and If-None-Match', async (t) => {
  t.equal(etagOf('{"a":1}'), etagOf('{"a":1}'), 'equal bytes, equal tags')
  t.not(etagOf('{"a":1}'), etagOf('{"a":2}'))
  const tag = etagOf('x')
  t.ok(ifNoneMatchHits(tag, tag))
  t.ok(ifNoneMatchHits(`W/${tag}`, tag), 'weak comparison')
  t.ok(ifNoneMatchHits(`"other", ${tag}`, tag), 'one of a list')
  t.ok(ifNoneMatchHits('*', tag))
  t.notOk(ifNoneMatchHits('"other"', tag))
  t.notOk(ifNoneMatchHits(undefined, tag))
})

t.test('errors raised outside the module become the guide’s body', async (t) => {
  const base = { message: 'x', requestId: 'req-1' }
  t.same(toGuideError({ ...base, status: 401, problemCode: 'unauthenticated' }).body.code, 'UNAUTHORIZED')
  t.same(toGuideError({ ...base, status: 401, problemCode: 'token_revoked' }).body.code, 'TOKEN_REVOKED')
  t.same(toGuideError({ ...base, status: 401 }).body.code, 'UNAUTHORIZED')
  t.match(toGuideError({ ...base, status: 403, problemCode: 'forbidden_role' }), {
    status: 403,
    body: { error: true, code: 'FORBIDDEN', message: /integration/ },
  })
  const limited = toGuideError({ ...base, status: 429, retryAfterSeconds: 42 })
  t.equal(limited.status, 429)
  t.equal(limited.body.code, 'RATE_LIMITED')
  t.match(limited.body.message, /42 detik/)
  const invalid = toGuideError({
    ...base,
    status: 400,
    validation: [{ pointer: '/params/evidence_id', message: 'must match format "uuid"' }],
  })
  t.same(invalid.status, 422, 'schema validation: 422, the guide’s "Data request tidak valid"')
  t.match(invalid.body, { code: 'INVALID_REQUEST', message: /\/params\/evidence_id/ })
  t.equal(
    toGuideError({ ...base, status: 415 }).status,
    422,
    'other client errors: 422 too (the guide has no other 4xx)',
  )
  const crash = toGuideError({ ...base, status: 500, message: 'TypeError: boom' })
  t.match(crash, { status: 500, body: { error: true, code: 'INTERNAL_ERROR' } })
  t.notMatch(crash.body.message, /boom/, 'the cause is not sent')
  t.match(crash.body.message, /req-1/, 'the request id is')
  t.equal(toGuideError({ ...base, status: 503 }).status, 500, '5xx are all the guide’s 500')
})
