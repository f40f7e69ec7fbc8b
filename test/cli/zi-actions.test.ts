import { eq } from 'drizzle-orm'
import t from 'tap'
import { seedInstruments } from '../../src/modules/instruments/service.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'
import { cliHome, startServer, zi } from '../helpers/zi-cli.js'

/** `zi actions create|list|realise|from-plan`: the rencana aksi from the command line. */
const INDONESIAN = { ZI_LANG: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'id_ID.UTF-8' }

t.test('zi actions', async (t) => {
  const ctx = await startServer(t)
  const { app } = ctx
  await seedInstruments(app.db)
  const [lke] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  const tree = await insertSmallTree(ctx)
  const period = await insertPeriod(ctx, { instrumentVersionId: lke!.id })
  const token = await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] })
  const env = { ...cliHome(), ZI_URL: ctx.url, ZI_TOKEN: token }

  const created = await zi(
    [
      'actions',
      'create',
      '--unit',
      tree.a1.id,
      '--period',
      period.id,
      '--question',
      'Q1',
      '--title',
      'Menyusun SK Tim',
      '--pic',
      'Kasubbag Umum',
      '--due',
      '2021-03-31',
    ],
    env,
  )
  t.equal(created.code, 0, created.stderr)
  const id = created.stdout.trim()
  t.match(created.stderr, /created in Manajemen Perubahan, due 2021-03-31/)

  const realised = await zi(['actions', 'realise', id, '2021-02', '40', '--narrative', 'Draf disusun'], env)
  t.equal(realised.code, 0, realised.stderr)
  t.match(realised.stderr, /2021-02: 40% recorded \(status in_progress\)/)

  const listed = await zi(['actions', 'list', '--unit', tree.a1.id, '--overdue'], env)
  t.equal(listed.code, 0, listed.stderr)
  t.match(listed.stdout, /Menyusun SK Tim.*2021-03-31\s+in_progress\s+40%\s+OVERDUE/)
  t.match(listed.stderr, /1 action, 1 overdue/)

  const refused = await zi(['actions', 'realise', id, '2021-02', '140'], env)
  t.equal(refused.code, 1, 'a percent over 100 is a usage error')
  const viewer = await zi(['actions', 'list'], { ...env, ZI_TOKEN: await createToken(ctx, 'integration') })
  t.equal(viewer.code, 3, 'the integration token may not read action plans')

  const assessment = (
    await app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: bearer(await createToken(ctx, 'admin')),
      payload: { period_id: period.id, unit_id: tree.a1.id },
    })
  ).json()
  const plan = await zi(['actions', 'from-plan', assessment.id, '--due', '2021-06-30', '--pic', 'Tim ZI'], env)
  t.equal(plan.code, 0, plan.stderr)
  t.match(plan.stderr, /actions? proposed from \d+ plan steps? towards WBK/)
  const again = await zi(['actions', 'from-plan', assessment.id, '--due', '2021-06-30', '--pic', 'Tim ZI'], env)
  t.match(again.stderr, /^0 actions proposed/)

  t.test('in Indonesian: the lines for people translated, the data the same', async (t) => {
    const idEnv = { ...env, ...INDONESIAN }
    const help = await zi(['actions', 'list', '--help'], idEnv)
    t.match(help.stdout, /^ {2}actions list \[--unit <id>\].*\n\s+rencana aksi dalam cakupan Anda/m, 'its usage lines')
    t.match(help.stdout, /^ {2}actions realise <id-aksi> <YYYY-MM> <persen>/m)
    t.notMatch(help.stdout, /record a month's realisation/, 'no English left in the Indonesian help')
    const helpEn = await zi(['--help'], env)
    t.match(helpEn.stdout, /^ {2}actions realise <action-id> <YYYY-MM> <percent>.*\n\s+record a month's realisation/m)

    const made = await zi(
      [
        'actions',
        'create',
        '--unit',
        tree.a1.id,
        '--period',
        period.id,
        '--area',
        'penataan_sdm',
        '--title',
        'Menyusun pola mutasi',
        '--pic',
        'Kasubbag Kepegawaian',
        '--due',
        '2021-04-30',
      ],
      idEnv,
    )
    t.equal(made.code, 0, made.stderr)
    t.equal(made.stderr, 'dibuat pada area perubahan Penataan Sistem Manajemen SDM Aparatur, target waktu 2021-04-30\n')
    const recorded = await zi(['actions', 'realise', made.stdout.trim(), '2021-03', '25'], idEnv)
    t.equal(recorded.code, 0, recorded.stderr)
    t.equal(recorded.stderr, '2021-03: realisasi 25% dicatat (status in_progress)\n', 'the status is the server value')

    const listed = await zi(['actions', 'list', '--unit', tree.a1.id, '--overdue'], idEnv)
    t.equal(listed.code, 0, listed.stderr)
    t.match(
      listed.stdout,
      /^id\s+area perubahan\s+pertanyaan\s+judul\s+PIC\s+target waktu\s+status\s+realisasi\s+terlambat$/m,
      'the table headers',
    )
    t.match(listed.stdout, /Menyusun SK Tim.*2021-03-31\s+in_progress\s+40%\s+TERLAMBAT/)
    t.match(listed.stderr, /^(\d+) rencana aksi, \1 terlambat\n$/, 'the summary line (all of them overdue)')
    const [jsonId, jsonEn] = [
      await zi(['actions', 'list', '--unit', tree.a1.id, '--json', '--as-of', '2021-05-01'], idEnv),
      await zi(['actions', 'list', '--unit', tree.a1.id, '--json', '--as-of', '2021-05-01'], env),
    ]
    t.equal(jsonId.code, 0, jsonId.stderr)
    t.equal(jsonId.stdout, jsonEn.stdout, '--json does not change with the language')
    t.equal(jsonId.stderr, '', 'and --json prints no summary line')

    const proposed = await zi(['actions', 'from-plan', assessment.id, '--due', '2021-06-30', '--pic', 'Tim ZI'], idEnv)
    t.equal(proposed.code, 0, proposed.stderr)
    t.match(
      proposed.stderr,
      /^0 rencana aksi diusulkan dari \d+ langkah rencana perbaikan menuju WBK; \d+ sudah direncanakan/,
    )

    const percent = await zi(['actions', 'realise', made.stdout.trim(), '2021-03', '140'], idEnv)
    t.equal(percent.code, 1, 'the same exit code as in English')
    t.equal(
      percent.stderr,
      'zi actions realise: <persen> harus bilangan bulat 0-100, bukan "140"\n(zi --help untuk cara pakai)\n',
    )
    const month = await zi(['actions', 'realise', made.stdout.trim(), '2021-13', '10', '--lang', 'en'], idEnv)
    t.match(month.stderr, /^zi actions realise: <YYYY-MM> must be a month such as 2026-03, not "2021-13"\n/)
    const noArea = await zi(['actions', 'create', '--unit', tree.a1.id], idEnv)
    t.match(noArea.stderr, /^zi actions create: berikan --area atau --question\n/)
    const denied = await zi(['actions', 'list'], { ...idEnv, ZI_TOKEN: await createToken(ctx, 'integration') })
    t.equal(denied.code, 3, 'a refusal from the server keeps its exit code')
    t.match(denied.stderr, /^kesalahan: 403 /, 'and is told in Indonesian')
  })
})
