import { eq } from 'drizzle-orm'
import t from 'tap'
import { seedInstruments } from '../../src/modules/instruments/service.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'
import { cliHome, startServer, zi } from '../helpers/zi-cli.js'

/** `zi actions create|list|realise|from-plan`: the rencana aksi from the command line. */
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
})
