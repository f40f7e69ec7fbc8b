#!/usr/bin/python3
"""Step 2 of the golden fixtures (see README.md here): fill the official LKE ZI workbook with each answer
set, let LibreOffice recalculate it, read the values back, write test/fixtures/golden/<case>.json.

    /usr/bin/python3 scripts/golden/recalc.py /tmp/golden-input.json ../shared/reference/lke-zi-form.xlsx test/fixtures/golden

Needs Debian's libreoffice-calc and python3-uno (system python3). It starts its own headless soffice
on a private pipe and profile, and stops it at the end.

The workbook is never written: a temporary copy without sheet protection is loaded (see unprotected_copy)
and never stored. Before anything is filled, three cells of this Pemda copy are corrected in memory:
  K185  typed 12; becomes =IF(OR(K186="",K187="",K188=""),"Blm Diisi",K186+K187+K188), the sum of the
        three counts below it, like K178 for LHKPN (shared/README)
  L175  =AVERAGE(L176:L179)*H175 mixes a weighted sub-area value with a raw ratio and leaves out the LHKASN
        block; becomes =SUM(L176,L183): the master soal's two weight-1 sub-areas that add up (shared/README)
  J8    "Ya" instead of "Ya/Tidak" (the Pilihan Jawaban of Q1): the conversion cell then shows "-" and the
        answer never counts; becomes "Ya/Tidak" like every other Ya/Tidak row (found while mapping the rows)
Then the rows are matched to the instrument's nodes in order: the workbook lists the LKE depth first like
the instrument (sub-area rows with a weight in H and SUM/AVERAGE in L, question rows with a Pilihan Jawaban
in J), so the n-th row of a kind is the n-th node of that kind; every pair is checked (weights equal,
answer type equal), and the script stops on the first mismatch.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile

import uno
from com.sun.star.beans import PropertyValue

J_OF_TYPE = {
    'ya_tidak': 'Ya/Tidak',
    'abc': 'A/B/C',
    'abcd': 'A/B/C/D',
    'abcde': 'A/B/C/D/E',
    'count': 'Jumlah',
    'survey_index': 'Nilai (0-4)',
    'percentage': '%',
}
ERRORS = {532: '#DIV/0!', 519: '#VALUE!', 502: 'Err:502', 503: '#NUM!', 504: 'Err:504', 522: 'Err:522', 523: 'Err:523'}
CORRECTIONS = [
    ('J8', 'string', 'Ya/Tidak'),
    ('K185', 'formula', '=IF(OR(K186="";K187="";K188="");"Blm Diisi";K186+K187+K188)'),
    ('L175', 'formula', '=SUM(L176;L183)'),
]


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def start_office(profile_dir):
    pipe = 'zi_golden_%d' % os.getpid()
    proc = subprocess.Popen(
        ['soffice', '--headless', '--invisible', '--nologo', '--norestore', '--nodefault',
         '-env:UserInstallation=file://' + profile_dir,
         '--accept=pipe,name=%s;urp;StarOffice.ComponentContext' % pipe],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext('com.sun.star.bridge.UnoUrlResolver', local)
    for _ in range(120):
        try:
            ctx = resolver.resolve('uno:pipe,name=%s;urp;StarOffice.ComponentContext' % pipe)
            desktop = ctx.ServiceManager.createInstanceWithContext('com.sun.star.frame.Desktop', ctx)
            return proc, desktop
        except Exception:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit('soffice did not start')


def cell_text(cell):
    return cell.getString()


def classify_rows(sheet):
    """The workbook's rows in order: ('node', row, H) or ('question', row, J, computed) — see the docstring."""
    rows = []
    for r in range(4, 207):
        h = sheet.getCellRangeByName('H%d' % r)
        l = sheet.getCellRangeByName('L%d' % r)
        j = ' '.join(sheet.getCellRangeByName('J%d' % r).getString().split())
        k = sheet.getCellRangeByName('K%d' % r)
        lf = l.getFormula()
        has_h = h.getType().value != 'EMPTY'
        if has_h and (lf.startswith('=SUM(') or lf.startswith('=AVERAGE(') or lf in ('=L198', '=L206')):
            rows.append(('node', r, h.getValue()))
        elif j and lf:
            k_formula = k.getFormula().startswith('=')
            if k_formula and j == 'Jumlah':
                continue  # K178 / K185: the sum of the counts below, not a question
            rows.append(('question', r, j, k_formula))
    return rows


def build_map(sheet, nodes):
    rows = classify_rows(sheet)
    if len(rows) != len(nodes):
        raise SystemExit('workbook has %d node/question rows, the instrument %d nodes' % (len(rows), len(nodes)))
    mapping = {}
    for row, node in zip(rows, nodes):
        if node['level'] == 'question':
            if row[0] != 'question':
                raise SystemExit('row %d is a %s, %s is a question' % (row[1], row[0], node['code']))
            want = J_OF_TYPE.get(node['answerType'])
            if row[2] != want or row[3] != node['computed']:
                raise SystemExit('row %d has J=%r computed=%s; %s is %s computed=%s' % (row[1], row[2], row[3], node['code'], node['answerType'], node['computed']))
        else:
            if row[0] != 'node':
                raise SystemExit('row %d is a question, %s is a %s' % (row[1], node['code'], node['level']))
            if abs(row[2] - node['bobot']) > 1e-12:
                raise SystemExit('row %d weighs %s, %s weighs %s' % (row[1], row[2], node['code'], node['bobot']))
        mapping[node['code']] = row[1]
    return mapping


def read_value(cell):
    err = cell.getError()
    if err:
        return None, ERRORS.get(err, 'Err:%d' % err)
    if cell.getType().value == 'FORMULA':
        if cell.FormulaResultType2 == 2:  # com.sun.star.sheet.FormulaResult.STRING (via FormulaResultType2: VALUE=1, STRING=2)
            return None, None
    return cell.getValue(), None


def unprotected_copy(workbook_path, directory):
    """A copy of the workbook without the sheets' protection (a <sheetProtection> element with a password
    hash): through UNO a protected sheet takes a new answer but silently refuses to clear one. Protection
    has no effect on formulas or values; the shared file itself is never written."""
    target = os.path.join(directory, 'lke-zi-form.unprotected.xlsx')
    with zipfile.ZipFile(workbook_path) as src, zipfile.ZipFile(target, 'w', zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith('xl/worksheets/sheet') and item.filename.endswith('.xml'):
                data = re.sub(rb'<sheetProtection[^>]*/>', b'', data)
            dst.writestr(item, data)
    return target


def main():
    input_path, workbook_path, out_dir = sys.argv[1:4]
    spec = json.load(open(input_path))
    nodes = spec['nodes']
    profile = tempfile.mkdtemp(prefix='zi-golden-lo-')
    proc, desktop = start_office(profile)
    try:
        url = uno.systemPathToFileUrl(unprotected_copy(workbook_path, tempfile.mkdtemp(prefix='zi-golden-')))
        doc = desktop.loadComponentFromURL(url, '_blank', 0, (prop('Hidden', True),))
        sheet = doc.Sheets.getByName('LKE ZI')
        if sheet.isProtected():
            raise SystemExit('sheet LKE ZI is still protected')
        for ref, kind, value in CORRECTIONS:
            cell = sheet.getCellRangeByName(ref)
            if kind == 'string':
                cell.setString(value)
            else:
                cell.setFormula(value)  # UNO's formula grammar separates arguments with ';'
        mapping = build_map(sheet, nodes)
        for n in nodes:
            print('%-6s row %3d  %s' % (n['code'], mapping[n['code']], n['name'][:70]), file=sys.stderr)

        # the Pemda's own answers, as typed in the copy (before anything is filled)
        own = {}
        for n in nodes:
            if n['level'] == 'question' and not n['computed']:
                cell = sheet.getCellRangeByName('K%d' % mapping[n['code']])
                t = cell.getType().value
                own[n['code']] = None if t == 'EMPTY' else (cell.getString() if t == 'TEXT' else cell.getValue())
        cases = spec['cases'] + [{
            'name': 'pemda-sample',
            'how': 'the answers typed in the Pemda copy of the workbook itself (its K column), after the three corrections',
            'answers': own,
        }]

        os.makedirs(out_dir, exist_ok=True)
        for case in cases:
            answers = case['answers']
            for code, value in answers.items():
                cell = sheet.getCellRangeByName('K%d' % mapping[code])
                cell.clearContents(1 | 2 | 4 | 16)
                if value is None:
                    continue
                if isinstance(value, str):
                    cell.setString(value)
                else:
                    cell.setValue(value)
            doc.calculateAll()
            expected = {'total': None, 'nodes': {}, 'questions': {}}
            errors = {}
            total, err = read_value(sheet.getCellRangeByName('L208'))
            expected['total'] = total
            if err:
                errors['total'] = err
            for n in nodes:
                value, err = read_value(sheet.getCellRangeByName('L%d' % mapping[n['code']]))
                bucket = expected['questions'] if n['level'] == 'question' else expected['nodes']
                bucket[n['code']] = value
                if err:
                    errors[n['code']] = err
            fixture = {
                'case': case['name'],
                'instrument': spec['instrument'],
                'answers': answers,
                'expected': expected,
                'workbookErrors': errors,
                'how': case['how'] + '. Expected values: LibreOffice %s recalculating shared/reference/lke-zi-form.xlsx '
                       '(sheet LKE ZI, cells J8, K185 and L175 corrected as scripts/golden/recalc.py says): total = L208, '
                       'nodes = column L of each komponen/sub-komponen/area/sub-area row, questions = column L of each question row '
                       '(null where the workbook shows text: inputs and blanks); workbookErrors lists cells showing an error instead.' % office_version(),
            }
            path = os.path.join(out_dir, case['name'] + '.json')
            with open(path, 'w') as f:
                json.dump(fixture, f, ensure_ascii=False, indent=1)
                f.write('\n')
            print('%-22s total %s %s' % (case['name'], total, ('errors: %d' % len(errors)) if errors else ''), file=sys.stderr)
        doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=20)
        except Exception:
            proc.kill()


def office_version():
    try:
        return subprocess.run(['soffice', '--version'], capture_output=True, text=True, timeout=60).stdout.split('\n')[0].strip()
    except Exception:
        return 'LibreOffice'


if __name__ == '__main__':
    main()
