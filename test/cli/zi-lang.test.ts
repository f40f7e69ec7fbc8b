import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cliHome, startTpiStage, zi } from '../helpers/zi-cli.js'

/**
 * `zi` in Indonesian and English: the language from --lang, ZI_LANG or the locale (Indonesian
 * when none says), the same language asked of the server (Accept-Language), and machine output
 * (JSON, TSV data, exit codes) the same in both.
 */
const INDONESIAN = { ZI_LANG: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'id_ID.UTF-8' }

t.test('zi: help and usage errors in either language', async (t) => {
  const home = cliHome()
  const plain = await zi(['--help'], { ...home, ZI_LANG: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8' })
  t.equal(plain.code, 0)
  t.match(plain.stdout, /^Cara pakai: zi <perintah> \[opsi\]/, 'no language anywhere: Indonesian')
  t.match(plain.stdout, /pencanangan massal/)
  t.match(plain.stdout, /Kode keluar: 0 berhasil/)
  const locale = await zi(['--help'], { ...home, ZI_LANG: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'en_US.UTF-8' })
  t.match(locale.stdout, /^Usage: zi <command> \[options\]/, 'an English locale: English')
  const flag = await zi(['--lang', 'en', '--help'], INDONESIAN)
  t.match(flag.stdout, /^Usage: zi <command>/, '--lang en wins over the locale')
  const env = await zi(['--help'], { ...INDONESIAN, ZI_LANG: 'en' })
  t.match(env.stdout, /^Usage: zi <command>/, 'ZI_LANG wins over the locale')
  const after = await zi(['whoami', '--help', '--lang=id'], { ZI_LANG: 'en' })
  t.match(after.stdout, /^Cara pakai/, '--lang anywhere on the line, and it wins over ZI_LANG')

  const badId = await zi(['score', 'nope', 'self'], { ...home, ...INDONESIAN })
  t.equal(badId.code, 1)
  t.equal(
    badId.stderr,
    'zi score: <id-penilaian> harus berupa UUID, bukan "nope"\n(zi --help untuk cara pakai)\n',
    'a usage error in Indonesian',
  )
  const badIdEn = await zi(['score', 'nope', 'self', '--lang', 'en'], home)
  t.equal(badIdEn.stderr, 'zi score: <assessment-id> must be a UUID, not "nope"\n(zi --help for usage)\n')
  const option = await zi(['units', '--colour'], { ...home, ...INDONESIAN })
  t.equal(option.code, 1)
  t.match(option.stderr, /^zi units: opsi tidak dikenal --colour/)
  const unknown = await zi(['frobnicate'], { ...home, ...INDONESIAN })
  t.match(unknown.stderr, /^zi: perintah tidak dikenal "frobnicate"\n\nCara pakai/)
  const notLoggedIn = await zi(['units'], { ...home, ...INDONESIAN })
  t.equal(notLoggedIn.code, 3)
  t.match(notLoggedIn.stderr, /^belum masuk: jalankan `zi login/)

  const wrong = await zi(['--lang', 'fr', 'units'], home)
  t.equal(wrong.code, 1, 'a language zi does not speak is a usage error')
  t.match(wrong.stderr, /--lang \(or ZI_LANG\) must be id or en, not --lang=fr/)
  const wrongId = await zi(['units', '--lang=fr'], { ...home, ...INDONESIAN })
  t.equal(
    wrongId.stderr,
    'zi: --lang (atau ZI_LANG) harus id atau en, bukan --lang=fr\n',
    "told in the locale's language",
  )
})

t.test('zi: Accept-Language goes to the server in the language of the run', async (t) => {
  const seen: (string | undefined)[] = []
  const server = createServer((req, res) => {
    seen.push(req.headers['accept-language'])
    res.writeHead(404, { 'content-type': 'application/problem+json' })
    res.end(
      JSON.stringify({
        type: 'about:blank',
        title: 'Tidak Ditemukan',
        status: 404,
        detail: 'penilaian tidak ditemukan',
        code: 'assessment_not_found',
      }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const env = {
    ...cliHome(),
    ZI_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ZI_TOKEN: `zit_00000000_${'z'.repeat(43)}`,
  }
  const id = await zi(['score', '00000000-0000-4000-8000-000000000000', 'self'], { ...env, ...INDONESIAN })
  t.equal(id.code, 4, 'the exit code does not change with the language')
  t.equal(id.stderr, 'kesalahan: 404 assessment_not_found: penilaian tidak ditemukan\n')
  const en = await zi(['score', '00000000-0000-4000-8000-000000000000', 'self', '--lang', 'en'], env)
  t.equal(en.code, 4)
  t.match(en.stderr, /^error: 404 assessment_not_found:/)
  t.same(seen, ['id', 'en'], 'Accept-Language: id, then en')

  const unreachable = await zi(['whoami'], { ...env, ...INDONESIAN, ZI_URL: 'http://127.0.0.1:9' })
  t.equal(unreachable.code, 6)
  t.match(unreachable.stderr, /^kesalahan: tidak dapat menghubungi http:\/\/127\.0\.0\.1:9: /)
})

t.test('zi against a server, in Indonesian: the same data, messages for people translated', async (t) => {
  const { id, env } = await startTpiStage(t)
  const idEnv = { ...env, ...INDONESIAN }

  t.test('units, assessments and pull: TSV/CSV data identical, the summary line translated', async (t) => {
    const [inId, inEn] = [await zi(['assessments'], idEnv), await zi(['assessments'], env)]
    t.equal(inId.code, 0, inId.stderr)
    t.equal(inId.stdout, inEn.stdout, 'the TSV is the same in both languages')
    t.match(inId.stdout, /^id\tperiod_id\tunit_id\tunit_name\tstages\n/, 'its header names too')
    t.equal(inId.stderr, '1 penilaian\n')
    t.equal(inEn.stderr, '1 assessment\n')
    const pulled = await zi(['answers', 'pull', id, 'tpi'], idEnv)
    t.equal(pulled.stdout, (await zi(['answers', 'pull', id, 'tpi'], env)).stdout, 'the CSV is the same')
    t.match(pulled.stderr, /^3 jawaban tahap tpi \(draft, versi \d+, total \d+\.\d\d\)/)
  })

  t.test('score: the tables for people in Indonesian, --json the same', async (t) => {
    const res = await zi(['score', id, 'tpi'], idEnv)
    t.equal(res.code, 0, res.stderr)
    t.match(res.stdout, /^total\s+\d+\.\d\d dari \d+\.\d\d$/m)
    t.match(res.stdout, /^memenuhi syarat\s+\S+$/m)
    t.match(res.stdout, /^aturan\s+untuk\s+hasil\s+capaian\s+syarat\s+uraian$/m)
    t.match(res.stdout, /\s(LULUS|GAGAL)\s/)
    t.match(res.stdout, /^komponen\s+tingkat\s+nilai\s+maks\s+nama$/m)
    const [jsonId, jsonEn] = [
      await zi(['score', id, 'tpi', '--json'], idEnv),
      await zi(['score', id, 'tpi', '--json'], env),
    ]
    t.equal(jsonId.stdout, jsonEn.stdout, 'JSON does not change with the language')
  })

  t.test('push: a bad file and a dry run in Indonesian', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'zi-lang-'))
    const bad = join(dir, 'bad.csv')
    writeFileSync(bad, 'question_code,nilai\nQ1,Ya\n')
    const refused = await zi(['answers', 'push', id, 'tpi', bad], idEnv)
    t.equal(refused.code, 2, 'the same exit code as in English')
    t.match(refused.stderr, /^kesalahan: .*bad\.csv: berkas tidak valid \(2 masalah\); tidak ada yang dikirim\n/)
    t.match(refused.stderr, /^letak\s+isian\s+masalah$/m, 'the table headers')
    t.match(refused.stderr, /^baris 1\s+nilai\s+kolom tidak dikenal; kolom yang ada: question_code, value/m)
    t.match(refused.stderr, /^baris 1\s+value\s+kolom tidak ada$/m)

    const good = join(dir, 'good.csv')
    writeFileSync(good, 'question_code,value\nQ1,Tidak\n')
    const dry = await zi(['answers', 'push', id, 'tpi', good, '--dry-run'], idEnv)
    t.equal(dry.code, 0, dry.stderr)
    t.match(dry.stdout, /^pertanyaan\s+isian\s+dari\s+menjadi\nQ1\s+value\s+Ya\s+Tidak$/m)
    t.match(dry.stderr, /^uji coba: 1 jawaban tahap tpi akan berubah, 0 tidak berubah; tidak ada yang ditulis/)
  })

  t.test('path: the plan in Indonesian', async (t) => {
    const res = await zi(['path', id, 'tpi'], idEnv)
    t.equal(res.code, 0, res.stderr)
    t.match(res.stdout, /^(sudah memenuhi WBK|\d+ pertanyaan lagi menuju WBK|WBK tidak terjangkau)/)
  })
})
