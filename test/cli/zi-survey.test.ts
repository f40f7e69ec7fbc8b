import t from 'tap'
import { bearer, createToken } from '../helpers/auth.js'
import { hoursFromNow, insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'
import { cliHome, startServer, zi } from '../helpers/zi-cli.js'

/** `zi survey results` and `zi survey progress`: the campaign's summary and CSV, the period's progress, as the API gives them. */
t.test('zi survey', async (t) => {
  const ctx = await startServer(t)
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const period = await insertPeriod(ctx)
  const token = await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id] })
  const created = await app.inject({
    method: 'POST',
    url: '/v1/survey/campaigns',
    headers: bearer(await createToken(ctx, 'admin')),
    payload: {
      unit_id: tree.a1.id,
      period_id: period.id,
      name: 'Survei CLI',
      service_types: ['Rawat jalan'],
      opens_at: hoursFromNow(-1),
      closes_at: hoursFromNow(24),
      kinds: ['ipak'],
    },
  })
  const campaign = created.json()
  const path = new URL(campaign.public_url).pathname
  for (const [i, last] of [
    [1, '4'],
    [2, '3'],
  ] as const) {
    const res = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `ipak.IPAK-1=4&ipak.IPAK-2=4&ipak.IPAK-3=4&ipak.IPAK-4=4&ipak.IPAK-5=${last}&service_type=Rawat+jalan`,
      remoteAddress: `10.2.0.${i}`,
    })
    t.equal(res.statusCode, 201)
  }
  const env = { ...cliHome(), ZI_URL: ctx.url, ZI_TOKEN: token }

  const res = await zi(['survey', 'results', campaign.id], env)
  t.equal(res.code, 0, res.stderr)
  t.match(res.stdout, /^respondents\t2 of at least 30$/m)
  t.match(res.stdout, /^final\tno: 2 respondents/m)
  // IPAK-5 (percaloan) 3.5; index (4 + 4 + 4 + 4 + 3.5) / 5 = 3.90
  t.match(res.stdout, /Q125 = 3\.90/)
  t.match(res.stdout, /^percaloan\s+3\.50$/m)
  const csv = await zi(['survey', 'results', campaign.id, '--csv'], env)
  t.equal(csv.code, 0, csv.stderr)
  t.match(csv.stdout, /^ipak,index,IPAK,,.*,2,3\.900000,3\.90\r$/m)
  const json = await zi(['survey', 'results', campaign.id, '--json'], env)
  t.equal(JSON.parse(json.stdout).ipak.index_rounded, 3.9)
  const progress = await zi(['survey', 'progress', period.id], env)
  t.equal(progress.code, 0, progress.stderr)
  t.match(progress.stdout, /Puskesmas Satu\s+Survei CLI\s+open\s+2\s+30/)
  const other = await zi(['survey', 'results', campaign.id], {
    ...env,
    ZI_TOKEN: await createToken(ctx, 'evaluator', { unitIds: [tree.opdB.id] }),
  })
  t.equal(other.code, 4, 'another OPD’s evaluator does not see it')
  const bad = await zi(['survey', 'results', 'nope'], env)
  t.equal(bad.code, 1)
})
