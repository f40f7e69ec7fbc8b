import t from 'tap'
import { createZiClient } from '../../packages/client/src/index.js'
import { createToken } from '../helpers/auth.js'
import { startTpiStage, zi } from '../helpers/zi-cli.js'

/** `zi proposal-check`: every proposal check with its reason, exit 2 while one fails. */
t.test('zi proposal-check', async (t) => {
  const { ctx, tree, id, env } = await startTpiStage(t)
  const admin = createZiClient({ baseUrl: ctx.url, token: await createToken(ctx, 'admin') })
  const a = await admin.GET('/v1/assessments/{id}', { params: { path: { id } } })
  if (!a.data) throw new Error(JSON.stringify(a.error))
  const period = a.data.period_id
  const decl = await admin.POST('/v1/declarations', {
    params: { header: {} },
    body: { unit_id: tree.a1.id, period_id: period, target: 'WBK', declared_on: '2025-01-20' },
  })
  if (!decl.data) throw new Error(JSON.stringify(decl.error))

  const before = await zi(['proposal-check', decl.data.id], env)
  t.equal(before.code, 2, before.stderr)
  t.match(before.stdout, /^unit_core_service\s+FAIL\s+not recorded: the unit is a core service unit/m)
  t.match(before.stdout, /^unit_building_one_year\s+PASS\s+building toward WBK since 2025-01-20/m)
  t.match(before.stderr, /not ready: \d+ failing checks \(.*unit_core_service.*\)/)

  const put = await admin.PUT('/v1/periods/{period_id}/units/{unit_id}/requirements', {
    params: { path: { period_id: period, unit_id: tree.a1.id } },
    body: {
      core_service: { value: true, justification: 'layanan utama' },
      public_perception_impact: { value: true, justification: 'banyak warga dilayani' },
      tlhp_percent: { value: 100 },
      lhkpn_percent: { value: 100 },
      lhkasn_percent: { value: 90 },
      sakip_predicate: { value: 'B' },
    },
  })
  if (!put.data) throw new Error(JSON.stringify(put.error))
  const after = await zi(['proposal-check', decl.data.id], env)
  t.equal(after.code, 2)
  t.match(after.stdout, /^unit_core_service\s+PASS/m)
  t.match(after.stdout, /^unit_lhkpn_lhkasn\s+FAIL\s+LHKPN and LHKASN must be 100%: LHKASN 90%/m)
  const json = await zi(['proposal-check', decl.data.id, '--json'], env)
  t.match(JSON.parse(json.stdout), { declaration_id: decl.data.id, ready: false })
  t.equal((await zi(['proposal-check', 'nope'], env)).code, 1, 'a UUID is required')
})
