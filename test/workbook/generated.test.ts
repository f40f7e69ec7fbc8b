import t from 'tap'
import { parseFormula } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { parseEvidenceCell } from '../../src/modules/workbook/evidence-cells.js'
import {
  FIRST_ROW,
  generatedLayout,
  optionsText,
  translateFormula,
  verdictFormulas,
} from '../../src/modules/workbook/generated.js'

const cellOf = (code: string) => `H${code.replace(/\D/g, '')}`

t.test('translateFormula: the grammar as spreadsheet formulas', async (t) => {
  const cases: [string, string][] = [
    ['min(1, Q89 / Q88)', 'MIN(1,(H89/H88))'],
    ['max(0, (Q102 - Q103) / Q102)', 'MAX(0,((H102-H103)/H102))'],
    ['if(and(Q102 = 0, Q103 = 0), 1, 0.5)', 'IF(IF(AND(IF(H102=0,1,0)<>0,IF(H103=0,1,0)<>0),1,0)<>0,1,0.5)'],
    ['or(Q1 >= 2, not(Q2 <> 3))', 'IF(OR(IF(H1>=2,1,0)<>0,IF(IF(H2<>3,1,0)=0,1,0)<>0),1,0)'],
    ['-Q5 + 2 * Q6', '((-H5)+(2*H6))'],
    ['Q1 < Q2', 'IF(H1<H2,1,0)'],
    ['Q1 <= 0.25', 'IF(H1<=0.25,1,0)'],
  ]
  for (const [src, want] of cases) t.equal(translateFormula(parseFormula(src), cellOf), want, src)
})

t.test('the layout of LKE-ZI-2026: every node in order, formulas per combine rule, the predicate rules', async (t) => {
  const def = loadSeedInstrument()
  const layout = generatedLayout(def)
  t.equal(layout.rows.length, def.nodes.length, 'one row per node')
  t.equal(layout.rows[0]!.row, FIRST_ROW)
  t.equal(layout.maxTotal, 100)
  const byCode = new Map(layout.rows.map((r) => [r.node.code, r]))
  const r = (code: string) => byCode.get(code)!.row
  t.equal(
    byCode.get('Q1')!.conversionFormula,
    `IF(H${r('Q1')}="","Blm Diisi",IF(H${r('Q1')}="Ya",1,IF(H${r('Q1')}="Tidak",0,"Tidak valid")))`,
  )
  t.equal(
    byCode.get('Q125')!.conversionFormula,
    `IF(H${r('Q125')}="","Blm Diisi",IF(ISNUMBER(H${r('Q125')}),H${r('Q125')}/4,"Tidak valid"))`,
    'a survey index ÷ 4',
  )
  t.equal(
    byCode.get('Q125')!.valueFormula,
    `IF(ISNUMBER(I${r('Q125')}),I${r('Q125')}*D${r('Q125')},I${r('Q125')})`,
    'Hasil: × its own weight',
  )
  t.equal(byCode.get('N61')!.valueFormula, `SUM(J${r('Q125')},J${r('Q126')})`, 'weighted_sum')
  t.notOk(byCode.get('Q88')!.valueFormula, 'a count input has no Nilai')
  t.match(
    byCode.get('R46')!.answerFormula!,
    new RegExp(
      `^IF\\(AND\\(ISNUMBER\\(H${r('Q102')}\\),ISNUMBER\\(H${r('Q103')}\\),ISNUMBER\\(H${r('Q104')}\\)\\),MIN\\(1,MAX\\(0,`,
    ),
    'formulaRequires inputs must be numbers too',
  )
  t.equal(byCode.get('N1')!.valueFormula!.startsWith('SUM('), true)
  t.equal(optionsText(def.nodes.find((n) => n.code === 'R36a')!), 'dihitung: min(1, Q89 / Q88)')
  t.equal(layout.predicates.length, def.predicateRules.length)
  const area1 = layout.predicates.find((p) => p.rule.id === 'wbk-area-1')!
  t.equal(area1.actualFormula, `SUM('LKE'!J${r('N3')},'LKE'!J${r('N35')})`)
  t.equal(area1.shareFormula, `IF(H${area1.row}>0,G${area1.row}/H${area1.row},0)`)
  t.equal(area1.passFormula, `IF(I${area1.row}>=F${area1.row}-1E-9,"Ya","Tidak")`)
  const v = verdictFormulas(layout)
  t.match(v.predicate, /"WBBM".*"WBK".*"Tidak ada"/)
})

t.test('parseEvidenceCell: links, own download links, file names, refusals', async (t) => {
  const id = '0b7c3d4e-1111-4222-8333-444455556666'
  t.same(parseEvidenceCell(''), [])
  t.same(
    parseEvidenceCell(
      `https://a.example/x.pdf  http://b.example/y\n\n  Laporan Q1 2026.pdf \r\nhttps://zi.example.go.id/v1/evidence/${id}/content`,
    ),
    [
      { kind: 'link', url: 'https://a.example/x.pdf', text: 'https://a.example/x.pdf' },
      { kind: 'link', url: 'http://b.example/y', text: 'http://b.example/y' },
      { kind: 'file', name: 'Laporan Q1 2026.pdf', text: 'Laporan Q1 2026.pdf' },
      { kind: 'item', id, text: `https://zi.example.go.id/v1/evidence/${id}/content` },
    ],
  )
  for (const bad of ['ftp://example.org/x', 'javascript:alert(1)', 'http://', 'file:///etc/passwd']) {
    t.equal(parseEvidenceCell(bad)[0]!.kind, 'invalid', bad)
  }
  t.equal(parseEvidenceCell('x'.repeat(2001))[0]!.kind, 'invalid', 'too long')
})
