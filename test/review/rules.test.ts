import t from 'tap'
import { answerWriteDiff, carriesRecommendations } from '../../src/modules/assessments/rules.js'
import { areaChange, checkAreaWrites, inAreaOrder, recommendationsOf, textOf } from '../../src/modules/review/rules.js'
import { oneLine, recommendationLines } from '../../src/modules/workbook/review-cells.js'

t.test('areaChange: null when nothing changes; fields left out are kept', async (t) => {
  t.equal(areaChange(undefined, { area: 'penataan_sdm', conclusion: '  ', recommendations: [' '] }), null)
  const stored = { conclusion: 'Ada', recommendations: ['A', 'B'] }
  t.equal(areaChange(stored, { area: 'penataan_sdm', conclusion: ' Ada ' }), null, 'trimmed alike')
  t.same(areaChange(stored, { area: 'penataan_sdm', recommendations: ['B', 'A'] }), {
    area: 'penataan_sdm',
    from: stored,
    to: { conclusion: 'Ada', recommendations: ['B', 'A'] },
  })
  t.same(areaChange(stored, { area: 'penataan_sdm', conclusion: null })?.to, {
    conclusion: null,
    recommendations: ['A', 'B'],
  })
  t.equal(textOf(''), null)
  t.same(recommendationsOf([' a ', '', 'b']), ['a', 'b'])
})

t.test('checkAreaWrites: a repeated area, texts too long', async (t) => {
  t.same(
    checkAreaWrites([
      { area: 'penataan_sdm' },
      { area: 'penataan_sdm', conclusion: 'x'.repeat(10_001), recommendations: ['ok', 'y'.repeat(2001)] },
    ]),
    [
      { index: 1, field: 'area', rule: 'duplicate_area' },
      { index: 1, field: 'conclusion', rule: 'maxLength' },
      { index: 1, field: 'recommendations/1', rule: 'maxLength' },
    ],
  )
  t.same(
    inAreaOrder([{ area: 'pelayanan_publik' }, { area: 'manajemen_perubahan' }]).map((a) => a.area),
    ['manajemen_perubahan', 'pelayanan_publik'],
  )
})

t.test('answerWriteDiff with recommendations (a tpi stage)', async (t) => {
  t.equal(carriesRecommendations('tpi'), true)
  t.equal(carriesRecommendations('self'), false)
  const stored = { value: 'Ya', note: 'n', recommendation: 'r', evidence_ids: [] }
  t.equal(answerWriteDiff('Q1', stored, { value: 'Ya' }, { recommendations: true }), null, 'left out: kept')
  t.equal(answerWriteDiff('Q1', stored, { value: 'Ya', recommendation: 'r' }, { recommendations: true }), null)
  t.same(answerWriteDiff('Q1', stored, { value: 'Ya', recommendation: '' }, { recommendations: true })?.to, {
    value: 'Ya',
    note: 'n',
    recommendation: null,
    evidence_ids: [],
  })
  t.same(
    answerWriteDiff('Q1', undefined, { value: null, recommendation: 'baru' }, { recommendations: true }),
    { question_code: 'Q1', from: null, to: { value: null, note: null, recommendation: 'baru', evidence_ids: [] } },
    'a recommendation alone is content',
  )
  t.same(
    answerWriteDiff('Q1', { value: 'Ya', note: null, evidence_ids: [] }, { value: 'Tidak' })?.to,
    { value: 'Tidak', note: null, evidence_ids: [] },
    'other stages: no recommendation field',
  )
})

t.test('workbook lines: one recommendation per line', async (t) => {
  t.equal(oneLine(' a\r\n  b \n'), 'a b')
  t.same(recommendationLines('a\n\n  b  \r\nc\r'), ['a', 'b', 'c'])
})
