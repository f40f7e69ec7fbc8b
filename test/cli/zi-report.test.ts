import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createZiClient } from '../../packages/client/src/index.js'
import { createToken } from '../helpers/auth.js'
import { startTpiStage, zi } from '../helpers/zi-cli.js'

/** `zi report`: the LHE internal written as a PDF (or its data as JSON), the surat usulan and SPTJM. */
const INDONESIAN = { ZI_LANG: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'id_ID.UTF-8' }

t.test('zi report lhe, surat-usulan, sptjm', async (t) => {
  const { ctx, tree, id, env } = await startTpiStage(t)
  const dir = mkdtempSync(join(tmpdir(), 'zi-report-'))
  const file = join(dir, 'lhe.pdf')
  const lhe = await zi(['report', 'lhe', id, '--out', file], env)
  t.equal(lhe.code, 0, lhe.stderr)
  t.match(lhe.stderr, `wrote the LHE internal (PDF) to ${file}`)
  t.equal(readFileSync(file).subarray(0, 5).toString(), '%PDF-')
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
  t.match(text, 'LAPORAN HASIL EVALUASI INTERNAL')
  t.match(text, tree.a1.name)
  t.match(text, 'BELUM MEMENUHI SYARAT UNTUK DIUSULKAN', 'three answers are far from WBK')

  const json = await zi(['report', 'lhe', id, '--json'], env)
  t.equal(json.code, 0, json.stderr)
  t.match(JSON.parse(json.stdout), { kind: 'lhe', unit: { id: tree.a1.id }, target: 'WBK', target_from: 'default' })
  t.match(json.stderr, 'belum memenuhi syarat untuk diusulkan (WBK)')
  t.equal((await zi(['report', 'lhe', 'nope'], env)).code, 1, 'a UUID is required')

  const admin = createZiClient({ baseUrl: ctx.url, token: await createToken(ctx, 'admin') })
  const a = await admin.GET('/v1/assessments/{id}', { params: { path: { id } } })
  if (!a.data) throw new Error(JSON.stringify(a.error))
  const period = a.data.period_id
  const none = await zi(['report', 'surat-usulan', period, tree.instansi.id, '--json'], env)
  t.equal(none.code, 5, 'no unit building yet: 409')
  t.match(none.stderr, 'no_units_to_propose')
  const decl = await admin.POST('/v1/declarations', {
    params: { header: {} },
    body: { unit_id: tree.a1.id, period_id: period, target: 'WBK', declared_on: '2025-01-20' },
  })
  if (!decl.data) throw new Error(JSON.stringify(decl.error))
  const letters = await zi(
    ['report', 'sptjm', period, tree.instansi.id, '--declaration', decl.data.id, '--out', join(dir, 's.pdf')],
    env,
  )
  t.equal(letters.code, 0, letters.stderr)
  const sptjm = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 's.pdf'), '-'], { encoding: 'utf8' })
  t.match(sptjm.replace(/\s+/g, ' '), `Kepala ${tree.a1.name}`)

  t.test('in Indonesian: the lines for people translated, the files and data the same', async (t) => {
    const idEnv = { ...env, ...INDONESIAN }
    const help = await zi(['report', 'lhe', '--help'], idEnv)
    t.match(
      help.stdout,
      /^ {2}report lhe <id-penilaian> \[--out <berkas\.pdf>\] \[--json\]\n\s+Laporan Hasil Evaluasi/m,
    )
    t.match(help.stdout, /^ {2}report surat-usulan\|sptjm <id-periode> <id-instansi>/m, 'its usage lines')
    t.notMatch(help.stdout, /the instansi's draft surat usulan/, 'no English left in the Indonesian help')
    t.match((await zi(['--help'], env)).stdout, /^ {2}report lhe <assessment-id>.*\n\s+the TPI's Laporan/m)

    const pdf = join(dir, 'lhe-id.pdf')
    const lheId = await zi(['report', 'lhe', id, '--out', pdf], idEnv)
    t.equal(lheId.code, 0, lheId.stderr)
    t.equal(lheId.stderr, `LHE internal (PDF) ditulis ke ${pdf}\n`)
    t.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-')
    const data = join(dir, 'lhe-id.json')
    const lheJson = await zi(['report', 'lhe', id, '--json', '--out', data], idEnv)
    t.equal(lheJson.code, 0, lheJson.stderr)
    t.match(lheJson.stderr, `data LHE ditulis ke ${data}\n`)
    t.match(JSON.parse(readFileSync(data, 'utf8')), { kind: 'lhe', unit: { id: tree.a1.id }, target: 'WBK' })

    const usulan = await zi(
      ['report', 'surat-usulan', period, tree.instansi.id, '--declaration', decl.data!.id, '--json'],
      idEnv,
    )
    t.equal(usulan.code, 0, usulan.stderr)
    t.equal(usulan.stderr, `1 unit kerja: ${tree.a1.name}\n`)
    const sptjmId = await zi(
      ['report', 'sptjm', period, tree.instansi.id, '--declaration', decl.data!.id, '--out', join(dir, 's-id.pdf')],
      idEnv,
    )
    t.equal(sptjmId.code, 0, sptjmId.stderr)
    t.equal(sptjmId.stderr, `SPTJM (PDF) ditulis ke ${join(dir, 's-id.pdf')}\n`)

    const badId = await zi(['report', 'sptjm', period, 'nope'], idEnv)
    t.equal(badId.code, 1, 'the same exit code as in English')
    t.equal(
      badId.stderr,
      'zi report sptjm: <id-instansi> harus berupa UUID, bukan "nope"\n(zi --help untuk cara pakai)\n',
    )
    const unwritable = join(dir, 'no-such-dir', 'x.pdf')
    const cannot = await zi(['report', 'lhe', id, '--out', unwritable], idEnv)
    t.equal(cannot.code, 1)
    t.match(cannot.stderr, `zi report lhe: tidak dapat menulis ${unwritable}: `)
    const none = await zi(['report', 'surat-usulan', period, tree.a1.id, '--json'], idEnv)
    t.not(none.code, 0, 'a refusal from the server')
    t.match(none.stderr, /^kesalahan: \d{3} /, 'is told in Indonesian')
  })
})
