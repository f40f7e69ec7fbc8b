import t from 'tap'
import {
  contentDisposition,
  contentMatchesMediaType,
  contentPath,
  isHttpUrl,
  resolveMediaType,
} from '../../src/modules/evidence/rules.js'

t.test('media types: allow-list, aliases, octet-stream by extension', async (t) => {
  t.equal(resolveMediaType('application/pdf', 'a.pdf'), 'application/pdf')
  t.equal(resolveMediaType('Application/PDF; charset=binary', 'a'), 'application/pdf')
  t.equal(resolveMediaType('image/jpg', 'a.jpg'), 'image/jpeg')
  t.equal(resolveMediaType('application/x-zip-compressed', 'a.zip'), 'application/zip')
  t.equal(
    resolveMediaType('application/octet-stream', 'Laporan.XLSX'),
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  )
  t.equal(resolveMediaType('application/octet-stream', 'setup.exe'), null)
  t.equal(
    resolveMediaType('text/html', 'a.pdf'),
    null,
    'a declared type that is not allowed is not rescued by the name',
  )
  t.equal(resolveMediaType('application/x-msdownload', 'a.exe'), null)
  t.equal(resolveMediaType('image/svg+xml', 'a.svg'), null)
})

t.test('content sniffing', async (t) => {
  t.ok(contentMatchesMediaType(Buffer.from('%PDF-1.4 ...'), 'application/pdf'))
  t.notOk(contentMatchesMediaType(Buffer.from('MZ\x90\x00'), 'application/pdf'))
  t.ok(contentMatchesMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'))
  t.ok(contentMatchesMediaType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'image/png'))
  t.ok(
    contentMatchesMediaType(
      Buffer.from('PK\x03\x04....'),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ),
  )
  t.notOk(contentMatchesMediaType(Buffer.from('%PDF-'), 'application/zip'))
  t.ok(contentMatchesMediaType(Buffer.from('no,nama\n1,Budi\n'), 'text/csv'))
  t.notOk(contentMatchesMediaType(Buffer.from([0x41, 0x00, 0x42]), 'text/csv'))
})

t.test('urls, paths, disposition', async (t) => {
  t.ok(isHttpUrl('https://drive.example.go.id/a.pdf'))
  t.ok(isHttpUrl('http://intranet.example/x'))
  t.notOk(isHttpUrl('javascript:alert(1)'))
  t.notOk(isHttpUrl('file:///etc/passwd'))
  t.notOk(isHttpUrl('not a url'))
  const sha = 'ab'.padEnd(64, '0')
  t.equal(contentPath(sha), `ab/${sha}`)
  t.equal(
    contentDisposition('SK Tim "ZI".pdf', 'x'),
    `attachment; filename="SK Tim _ZI_.pdf"; filename*=UTF-8''SK%20Tim%20%22ZI%22.pdf`,
  )
  t.match(contentDisposition('Piagam é.pdf', 'x'), /filename="Piagam _\.pdf"; filename\*=UTF-8''Piagam%20%C3%A9\.pdf/)
  t.match(contentDisposition('../../etc/passwd', 'x'), /filename="\.\._\.\._etc_passwd"/)
  t.match(contentDisposition(null, 'evidence-1'), /filename="evidence-1"/)
})
