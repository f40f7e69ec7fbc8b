/**
 * The /v1/instruments routes through app.inject: the seeded LKE-ZI-2026, import of the real PortalRB master
 * soal (the verbatim copy in src/modules/instruments/seed/), refused imports and edits, clone → edit →
 * publish → retire, diff, delete, what-if scoring against the domain engine and a golden fixture, roles
 * and the audit trail.
 */
import { existsSync, readFileSync } from 'node:fs'
import { asc, eq } from 'drizzle-orm'
import t from 'tap'
import { auditEvents } from '../../src/modules/audit/tables.js'
import {
  evaluateEligibility,
  overlayFromDefinition,
  scoreInstrument,
  type AnswerValue,
  type InstrumentDefinition,
} from '../../src/modules/instruments/domain/index.js'
import {
  loadSeedInstrument,
  loadSeedMasterSoal,
  SEED_MASTER_SOAL_FILE,
  seedFilePath,
} from '../../src/modules/instruments/seed/index.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { asScore, asServedEligibility, asShare, noisyNumbers } from '../helpers/precision.js'

interface Soal {
  id: number
  teks_pertanyaan: string
  kriteria_nilai: string
  jenis_jawaban: string
  bobot_maksimal: number
  skema_penilaian: { key: string; label: string; multiplier: number }[]
  [field: string]: unknown
}
interface MasterNode {
  id: number
  nama: string
  level: string
  bobot_maksimal: number
  order_index: number
  children: MasterNode[]
  soals: Soal[]
}
interface MasterSoal {
  tahun: number
  total_soal?: number
  generated_at?: string
  data: MasterNode[]
}
interface Problem {
  code: string
  status: number
  errors?: { pointer: string; rule: string; message: string }[]
  allowed?: string[]
  status_now?: string
}
interface Golden {
  case: string
  answers: Record<string, AnswerValue>
  expected: { total: number | null }
}

const PROBLEM = 'application/problem+json; charset=utf-8'
const MISSING = '00000000-0000-4000-8000-000000000000'
/** A fresh copy of the master soal PortalRB serves, as committed beside the seed. */
const masterSoal = (): MasterSoal => structuredClone(loadSeedMasterSoal()) as MasterSoal
const golden = (name: string): Golden =>
  JSON.parse(readFileSync(new URL(`../fixtures/golden/${name}.json`, import.meta.url), 'utf8')) as Golden
const seedDef: InstrumentDefinition = loadSeedInstrument()

const sharedMasterSoal = new URL('../../../shared/reference/portalrb-master-soal-lke-zi-2026.json', import.meta.url)
t.test(
  'the seed directory holds the verbatim PortalRB master soal',
  { skip: existsSync(sharedMasterSoal) ? false : '../shared/reference is not beside the project' },
  async (t) => {
    t.equal(readFileSync(seedFilePath(SEED_MASTER_SOAL_FILE), 'utf8'), readFileSync(sharedMasterSoal, 'utf8'))
  },
)

t.test('instruments', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const admin = bearer(await createToken(ctx, 'admin'))
  const viewer = bearer(await createToken(ctx, 'viewer'))
  const evaluator = bearer(await createToken(ctx, 'evaluator'))
  const operator = bearer(await createToken(ctx, 'unit_operator'))
  const integration = bearer(await createToken(ctx, 'integration'))

  const get = (url: string, headers = admin) => app.inject({ method: 'GET', url: `/v1/instruments${url}`, headers })
  const post = (url: string, payload?: unknown, headers = admin) =>
    app.inject({
      method: 'POST',
      url: `/v1/instruments${url}`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
  const patch = (url: string, payload: unknown, headers = admin) =>
    app.inject({ method: 'PATCH', url: `/v1/instruments${url}`, headers, payload: payload as Record<string, unknown> })
  const put = (url: string, payload: unknown, headers = admin) =>
    app.inject({ method: 'PUT', url: `/v1/instruments${url}`, headers, payload: payload as Record<string, unknown> })
  const del = (url: string, headers = admin) => app.inject({ method: 'DELETE', url: `/v1/instruments${url}`, headers })
  const versionCount = async () => (await app.db.select({ id: instrumentVersions.id }).from(instrumentVersions)).length
  const trail = async (entityId: string) =>
    (
      await app.db.select().from(auditEvents).where(eq(auditEvents.entityId, entityId)).orderBy(asc(auditEvents.id))
    ).map((e) => e.action)
  const clone = async (from: string, code: string) => {
    const res = await post(`/${from}/clone`, { code })
    if (res.statusCode !== 201) throw new Error(`clone failed: ${res.body}`)
    return res.json() as { id: string; code: string; predicate_rules: unknown[] }
  }

  const list = await get('')
  const seedId: string = list.json().items[0].id

  t.test('the seeded LKE-ZI-2026 is listed, published, on first start', async (t) => {
    t.equal(list.statusCode, 200)
    t.equal(list.json().items.length, 1)
    t.match(list.json().items[0], {
      code: 'LKE-ZI-2026',
      year: 2026,
      status: 'published',
      source: 'seed',
      cloned_from_id: null,
      question_count: 135,
      max_total: 100,
      retired_at: null,
      version: 1,
    })
    t.ok(list.json().items[0].published_at, 'published_at is set')
    t.equal(list.json().next_cursor, null)
    t.same(
      (await get('?status=published')).json().items.map((i: { id: string }) => i.id),
      [seedId],
    )
    t.same((await get('?status=draft')).json().items, [])
    t.same(
      (await get('?year=2026')).json().items.map((i: { id: string }) => i.id),
      [seedId],
    )
    t.same((await get('?year=2025')).json().items, [])
    t.equal((await get('?status=archived')).statusCode, 400, 'an unknown status is refused')
    const [seeded] = await app.db.select().from(auditEvents).where(eq(auditEvents.entityId, seedId))
    t.match(
      seeded,
      { action: 'instrument.seeded', entityType: 'instrument', actorPrincipalId: null },
      'the seed is in the audit trail, by the system',
    )
  })

  t.test('read the whole tree and one node; 404 for unknown ids and nodes', async (t) => {
    const res = await get(`/${seedId}`)
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.match(res.headers.etag, /^"[0-9a-f]{64}-1"$/, 'the digest is the ETag')
    t.equal(body.nodes.length, seedDef.nodes.length)
    t.same(
      body.nodes.map((n: { code: string }) => n.code),
      seedDef.nodes.map((n) => n.code),
      'the whole tree, depth first in order',
    )
    t.equal(body.nodes.filter((n: { level: string }) => n.level === 'question').length, 135)
    t.match(body.nodes[0], { code: 'N1', parent_code: null, level: 'komponen', bobot: 60 })
    t.match(
      body.nodes.find((n: { code: string }) => n.code === 'Q1'),
      {
        parent_code: 'N4',
        level: 'question',
        answer_type: 'ya_tidak',
        bobot: null,
        options: [
          { value: 'Ya', multiplier: 1 },
          { value: 'Tidak', multiplier: 0 },
        ],
        external: { portalrb_soal_id: 1 },
      },
    )
    t.same(
      body.predicate_rules.map((r: { id: string }) => r.id),
      seedDef.predicateRules.map((r) => r.id),
      'the predicate rules, every target kind included',
    )
    t.same(body.predicate_rules.find((r: { id: string }) => r.id === 'wbk-area-1').target, {
      kind: 'nodes',
      codes: ['N3', 'N35'],
    })

    const node = await get(`/${seedId}/nodes/N36`)
    t.equal(node.statusCode, 200)
    t.match(node.json().node, { code: 'N36', level: 'sub_area', bobot: 2 })
    t.same(
      node.json().ancestors.map((n: { code: string }) => n.code),
      ['N1', 'N34', 'N35'],
      'from the komponen down',
    )
    t.same(
      node.json().children.map((n: { code: string }) => n.code),
      ['R36a', 'Q88', 'Q89', 'R36b', 'Q90', 'Q91'],
      'ratio questions among their inputs, by order',
    )
    t.match(node.json().children[0], { answer_type: 'percentage', formula: 'min(1, Q89 / Q88)' })
    const leaf = await get(`/${seedId}/nodes/Q1`)
    t.same(leaf.json().children, [])

    const noNode = await get(`/${seedId}/nodes/Q9999`)
    t.equal(noNode.statusCode, 404)
    t.equal(noNode.headers['content-type'], PROBLEM)
    t.equal(noNode.json().code, 'node_not_found')
    const noVersion = await get(`/${MISSING}`)
    t.equal(noVersion.statusCode, 404)
    t.equal(noVersion.json().code, 'instrument_not_found')
    t.equal((await get(`/${MISSING}/nodes/N1`)).json().code, 'instrument_not_found')
    const badId = await get('/not-a-uuid')
    t.equal(badId.statusCode, 400)
    t.equal(badId.json().errors[0].pointer, '/params/id')
  })

  let importedId = ''
  t.test(
    'import the real master soal: without an overlay it cannot score its Reform inputs; with overlay_from it is a draft',
    async (t) => {
      const before = await versionCount()
      const bare = await post('/import?code=LKE-ZI-2026-BARE', masterSoal())
      t.equal(bare.statusCode, 422)
      t.equal(bare.headers['content-type'], PROBLEM)
      t.equal(bare.json().code, 'instrument_invalid')
      t.match(
        bare.json().errors,
        [{ pointer: '/body/data/0/children/1/children/0/children/0', rule: 'no_scored_questions' }],
        'N36 holds only Jumlah inputs',
      )
      t.equal(await versionCount(), before, 'nothing created')

      const res = await post(
        `/import?code=LKE-ZI-2026-IMP&name=${encodeURIComponent('LKE ZI 2026 (impor)')}&overlay_from=${seedId}`,
        masterSoal(),
      )
      t.equal(res.statusCode, 201, res.body)
      const body = res.json()
      importedId = body.id
      t.equal(res.headers.location, `/v1/instruments/${body.id}`)
      t.match(body, {
        code: 'LKE-ZI-2026-IMP',
        name: 'LKE ZI 2026 (impor)',
        year: 2026,
        status: 'draft',
        source: 'import',
        cloned_from_id: null,
        question_count: 135,
        max_total: 100,
        published_at: null,
        version: 1,
      })
      t.same(
        body.predicate_rules,
        (await get(`/${seedId}`)).json().predicate_rules,
        "the overlay version's predicate rules are carried, every one",
      )
      const diff = await get(`/diff?from=${seedId}&to=${body.id}`)
      t.same(
        diff.json(),
        {
          from: { id: seedId, code: 'LKE-ZI-2026' },
          to: { id: body.id, code: 'LKE-ZI-2026-IMP' },
          added: [],
          removed: [],
          reweighted: [],
          reworded: [],
          moved: [],
        },
        'the same tree as the seed, ratio questions included',
      )
      t.equal(await versionCount(), before + 1)
      t.same(await trail(body.id), ['instrument.imported'])

      const again = await post(`/import?overlay_from=${seedId}`, masterSoal())
      t.equal(again.statusCode, 409, 'without code the version is LKE-ZI-<tahun>, the seed’s')
      t.equal(again.json().code, 'instrument_code_taken')
      t.equal(again.json().errors[0].pointer, '/body/tahun')
      const taken = await post(`/import?code=LKE-ZI-2026-IMP&overlay_from=${seedId}`, masterSoal())
      t.equal(taken.statusCode, 409)
      t.same(taken.json().errors, [
        { pointer: '/query/code', rule: 'instrument_code_taken', message: 'must be unique' },
      ])
      const noOverlay = await post(`/import?code=X&overlay_from=${MISSING}`, masterSoal())
      t.equal(noOverlay.statusCode, 404)
      t.equal(noOverlay.json().code, 'instrument_not_found')
      t.equal(await versionCount(), before + 1, 'refused imports created nothing')
    },
  )

  t.test('bad imports are refused naming the field, and create nothing', async (t) => {
    const before = await versionCount()
    const auditBefore = (await app.db.select({ id: auditEvents.id }).from(auditEvents)).length
    const overlay = overlayFromDefinition(seedDef)
    const r36a = (overlay.questions ?? []).findIndex((q) => q.code === 'R36a')
    t.ok(r36a >= 0)

    const cases: [string, (doc: MasterSoal) => void, string, string][] = [
      [
        'unknown answer type',
        (doc) => {
          ;(doc.data[0]!.children[0]!.children[0]!.children[0]!.soals[1] as Soal).jenis_jawaban = 'SKALA_LIKERT'
        },
        '/body/data/0/children/0/children/0/children/0/soals/1/jenis_jawaban',
        'unknown_answer_type',
      ],
      [
        'sub-area weights that do not sum to their area',
        (doc) => {
          doc.data[0]!.children[0]!.children[0]!.children[0]!.bobot_maksimal = 0.75 // N4 0.5 → 0.75: N3 (4) = 4.25
        },
        '/body/data/0/children/0/children/0/bobot_maksimal',
        'weights_do_not_sum',
      ],
      [
        'Hasil question weights that do not sum to their sub-komponen',
        (doc) => {
          ;(doc.data[1]!.children[0]!.soals[0] as Soal).bobot_maksimal = 18 // Q125 17.5 → 18: N61 (22.5) = 23
        },
        '/body/data/1/children/0/bobot_maksimal',
        'weights_do_not_sum',
      ],
      [
        'duplicate question codes',
        (doc) => {
          const soals = doc.data[0]!.children[0]!.children[0]!.children[0]!.soals
          ;(soals[1] as Soal).id = (soals[0] as Soal).id // Q2 becomes a second Q1
        },
        '/body/data/0/children/0/children/0/children/0/soals/1/id',
        'duplicate_code',
      ],
      [
        'duplicate node codes',
        (doc) => {
          doc.data[0]!.children[0]!.children[0]!.children[1]!.id = 4 // N5 becomes a second N4
        },
        '/body/data/0/children/0/children/0/children/1/id',
        'duplicate_code',
      ],
      [
        'a ratio formula (carried by overlay_from) naming a question the master soal no longer has',
        (doc) => {
          ;(doc.data[0]!.children[1]!.children[0]!.children[0]!.soals[1] as Soal).id = 9089 // Q89, R36a's numerator
        },
        `/query/overlay_from/questions/${r36a}/formula`,
        'formula_unknown_reference',
      ],
    ]
    for (const [label, mutate, pointer, rule] of cases) {
      const doc = masterSoal()
      mutate(doc)
      const res = await post(`/import?code=BAD-1&overlay_from=${seedId}`, doc)
      t.equal(res.statusCode, 422, label)
      t.equal(res.headers['content-type'], PROBLEM, `${label}: problem+json`)
      t.equal(res.json().code, 'instrument_invalid', label)
      const errors = (res.json() as Problem).errors ?? []
      t.ok(
        errors.some((e) => e.pointer === pointer && e.rule === rule),
        `${label}: ${rule} at ${pointer} (${JSON.stringify(errors)})`,
      )
      if (!label.startsWith('duplicate node')) t.equal(errors.length, 1, `${label}: that problem only`)
    }

    const schema: [string, unknown, string][] = [
      ['no data', { tahun: 2026 }, '/body/data'],
      ['unknown top-level field', { ...masterSoal(), versi: 2 }, '/body/versi'],
      [
        'a soal without jenis_jawaban',
        (() => {
          const doc = masterSoal()
          delete (doc.data[0]!.children[0]!.children[0]!.children[0]!.soals[0] as Partial<Soal>).jenis_jawaban
          return doc
        })(),
        '/body/data/0/children/0/children/0/children/0/soals/0/jenis_jawaban',
      ],
      ['tahun not a year', { ...masterSoal(), tahun: 'dua ribu dua puluh enam' }, '/body/tahun'],
      ['tahun out of range', { ...masterSoal(), tahun: 1999 }, '/body/tahun'],
    ]
    for (const [label, payload, pointer] of schema) {
      const res = await post(`/import?code=BAD-2&overlay_from=${seedId}`, payload)
      t.equal(res.statusCode, 400, label)
      t.equal(res.json().code, 'validation_failed', label)
      t.ok(
        (res.json() as Problem).errors?.some((e) => e.pointer === pointer),
        `${label}: names ${pointer} (${JSON.stringify(res.json().errors)})`,
      )
    }
    const badQuery = await post('/import?code=has%20space&overlay_from=nope', masterSoal())
    t.equal(badQuery.statusCode, 400)
    t.ok(
      (badQuery.json() as Problem).errors?.some(
        (e) => e.pointer === '/query/code' || e.pointer === '/query/overlay_from',
      ),
    )

    t.equal(await versionCount(), before, 'no version was created by a refused import')
    t.equal((await app.db.select({ id: auditEvents.id }).from(auditEvents)).length, auditBefore, 'nor any audit event')
  })

  t.test('a published version does not change: 409 instrument_not_draft', async (t) => {
    const before = (await get(`/${seedId}`)).json()
    const attempts = [
      ['rename', await patch(`/${seedId}`, { name: 'Renamed' })],
      ['edit nodes', await patch(`/${seedId}/nodes`, { changes: [{ code: 'Q1', name: 'Changed' }] })],
      ['replace predicate rules', await put(`/${seedId}/predicate-rules`, { rules: [] })],
    ] as const
    for (const [label, res] of attempts) {
      t.equal(res.statusCode, 409, label)
      t.match(res.json(), { code: 'instrument_not_draft', status_now: 'published' }, label)
    }
    const after = (await get(`/${seedId}`)).json()
    t.same(after, before, 'unchanged')
    t.same(await trail(seedId), ['instrument.seeded'], 'refused edits are not audited')
  })

  t.test('clone the published version into a draft', async (t) => {
    const res = await post(`/${seedId}/clone`, { code: 'LKE-ZI-2026-REV1', name: 'LKE ZI 2026 revisi 1' })
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.equal(res.headers.location, `/v1/instruments/${body.id}`)
    t.match(body, {
      code: 'LKE-ZI-2026-REV1',
      name: 'LKE ZI 2026 revisi 1',
      status: 'draft',
      source: 'clone',
      cloned_from_id: seedId,
      question_count: 135,
      version: 1,
      published_at: null,
    })
    const seed = (await get(`/${seedId}`)).json()
    t.same(body.nodes, seed.nodes, 'the same tree')
    t.same(body.predicate_rules, seed.predicate_rules, 'the same rules')
    t.same(await trail(body.id), ['instrument.cloned'])
    const [event] = await app.db.select().from(auditEvents).where(eq(auditEvents.entityId, body.id))
    t.match(event?.after, { code: 'LKE-ZI-2026-REV1', cloned_from: 'LKE-ZI-2026' })

    const taken = await post(`/${seedId}/clone`, { code: 'LKE-ZI-2026-REV1' })
    t.equal(taken.statusCode, 409)
    t.same(taken.json().errors, [{ pointer: '/body/code', rule: 'instrument_code_taken', message: 'must be unique' }])
    t.equal((await post(`/${MISSING}/clone`, { code: 'X' })).statusCode, 404)
    t.equal((await post(`/${seedId}/clone`, { code: 'X', extra: 1 })).statusCode, 400)
    t.equal((await post(`/${seedId}/clone`, {})).statusCode, 400)
  })

  t.test('edit a draft: rename, node changes all or nothing, pointers into the request', async (t) => {
    const draft = await clone(seedId, 'LKE-ZI-2026-EDIT')
    const renamed = await patch(`/${draft.id}`, { name: 'Nama baru' })
    t.equal(renamed.statusCode, 200)
    t.match(renamed.json(), { name: 'Nama baru', version: 2 })
    t.equal((await patch(`/${draft.id}`, {})).statusCode, 400, 'an empty patch is refused')

    const index = seedDef.nodes.findIndex((n) => n.code === 'R36a')
    const missing = await patch(`/${draft.id}/nodes`, { changes: [{ code: 'R36a', formula: 'min(1, Q9999 / Q88)' }] })
    t.equal(missing.statusCode, 422)
    t.equal(missing.json().code, 'instrument_invalid')
    t.same(
      missing.json().errors.map((e: { pointer: string; rule: string }) => [e.pointer, e.rule]),
      [['/body/changes/0/formula', 'formula_unknown_reference']],
      'the formula naming a missing question',
    )
    t.ok(index >= 0)

    const syntax = await patch(`/${draft.id}/nodes`, {
      changes: [
        { code: 'Q1', name: 'ok' },
        { code: 'R36a', formula: 'min(1, Q89 / )' },
      ],
    })
    t.match(syntax.json(), {
      code: 'instrument_invalid',
      errors: [{ pointer: '/body/changes/1/formula', rule: 'formula_syntax' }],
    })

    const sums = await patch(`/${draft.id}/nodes`, { changes: [{ code: 'N4', bobot: 1 }] })
    t.equal(sums.statusCode, 422)
    t.match(
      sums.json().errors,
      [
        {
          pointer: `/definition/nodes/${seedDef.nodes.findIndex((n) => n.code === 'N3')}/bobot`,
          rule: 'weights_do_not_sum',
        },
      ],
      'the parent whose children no longer sum',
    )

    const badOptions = await patch(`/${draft.id}/nodes`, {
      changes: [
        {
          code: 'Q1',
          options: [
            { value: 'Ya', multiplier: 1 },
            { value: 'Mungkin', multiplier: 0 },
          ],
        },
      ],
    })
    t.match(badOptions.json(), {
      code: 'instrument_invalid',
      errors: [{ pointer: '/body/changes/0/options', rule: 'options_mismatch' }],
    })

    const unknown = await patch(`/${draft.id}/nodes`, {
      changes: [
        { code: 'Q9999', name: 'x' },
        { code: 'N4', formula: 'Q1' },
        { code: 'Q1', name: 'a' },
        { code: 'Q1', name: 'b' },
      ],
    })
    t.equal(unknown.statusCode, 422)
    t.equal(unknown.json().code, 'instrument_change_invalid')
    t.same(
      unknown.json().errors.map((e: { pointer: string; rule: string }) => [e.pointer, e.rule]),
      [
        ['/body/changes/0/code', 'node_not_found'],
        ['/body/changes/1/formula', 'question_only_field'],
        ['/body/changes/3/code', 'duplicate_change'],
      ],
    )
    const schemaBad = await patch(`/${draft.id}/nodes`, { changes: [{ code: 'Q1', multiplier: 2 }] })
    t.equal(schemaBad.statusCode, 400)
    t.equal((await patch(`/${draft.id}/nodes`, { changes: [] })).statusCode, 400)

    const unchanged = (await get(`/${draft.id}`)).json()
    t.equal(unchanged.version, 2, 'no refused change was stored')
    t.same(unchanged.nodes, (await get(`/${seedId}`)).json().nodes)

    const ok = await patch(`/${draft.id}/nodes`, {
      changes: [
        { code: 'R36a', formula: 'min(1, Q89 / Q88 * 2)', kriteria_nilai: 'Satu perubahan per dua agen sudah 100%.' },
        { code: 'Q1', evidence_guidance: 'SK Tim Kerja ZI' },
      ],
    })
    t.equal(ok.statusCode, 200, ok.body)
    t.equal(ok.json().version, 3)
    t.match(
      ok.json().nodes.find((n: { code: string }) => n.code === 'R36a'),
      { formula: 'min(1, Q89 / Q88 * 2)', kriteria_nilai: 'Satu perubahan per dua agen sudah 100%.' },
    )
    t.not(ok.json().digest, renamed.json().digest, 'a new digest for the new content')
    const scored = await post(`/${draft.id}/score`, { answers: { Q88: 4, Q89: 1 } })
    t.equal(scored.json().explanation, undefined)
    const explained = await post(`/${draft.id}/score?explain=true`, { answers: { Q88: 4, Q89: 1 } })
    t.match(
      explained.json().explanation.questions.find((q: { code: string }) => q.code === 'R36a'),
      { multiplier: 0.5, text: /min\(1, Q89 \/ Q88 \* 2\)/ },
      'the draft scores with its edited formula',
    )
    t.same(await trail(draft.id), ['instrument.cloned', 'instrument.updated', 'instrument.nodes_updated'])
    const [, , nodesEvent] = await app.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.entityId, draft.id))
      .orderBy(asc(auditEvents.id))
    t.match(
      nodesEvent?.before,
      { nodes: [{ code: 'R36a', formula: 'min(1, Q89 / Q88)' }, { code: 'Q1' }] },
      'the audit keeps the nodes as they were',
    )
    t.match(nodesEvent?.after, { changes: [{ code: 'R36a', formula: 'min(1, Q89 / Q88 * 2)' }, { code: 'Q1' }] })
  })

  t.test('publish needs predicate rules; then retire; invalid transitions list what is allowed', async (t) => {
    const draft = await clone(seedId, 'LKE-ZI-2026-PUB')
    const seedRules = (await get(`/${seedId}`)).json().predicate_rules as { predicate: string }[]

    const cleared = await put(`/${draft.id}/predicate-rules`, { rules: [] })
    t.equal(cleared.statusCode, 200)
    t.same(cleared.json().predicate_rules, [])
    const none = await post(`/${draft.id}/publish`)
    t.equal(none.statusCode, 422)
    t.match(none.json(), {
      code: 'predicate_rules_missing',
      errors: [{ pointer: '/predicate_rules', rule: 'predicate_rules_missing', message: 'no WBK rule' }],
    })

    await put(`/${draft.id}/predicate-rules`, { rules: seedRules.filter((r) => r.predicate === 'WBK') })
    const wbkOnly = await post(`/${draft.id}/publish`)
    t.equal(wbkOnly.statusCode, 422)
    t.match(wbkOnly.json().errors, [{ message: 'no WBBM rule' }])

    const badTarget = await put(`/${draft.id}/predicate-rules`, {
      rules: [
        {
          id: 'x',
          predicate: 'WBK',
          description: 'x',
          target: { kind: 'node', code: 'N999' },
          measure: 'value',
          min: 1,
          source: 's',
          confidence: 'LOW',
        },
      ],
    })
    t.equal(badTarget.statusCode, 422)
    t.match(badTarget.json(), {
      code: 'instrument_invalid',
      errors: [{ pointer: '/body/rules/0/target/code', rule: 'rule_unknown_target' }],
    })
    const badShare = await put(`/${draft.id}/predicate-rules`, {
      rules: [
        {
          id: 'x',
          predicate: 'WBK',
          description: 'x',
          target: { kind: 'nodes', codes: ['N3', 'N35'] },
          measure: 'share_of_weight',
          min: 60,
          source: 's',
          confidence: 'LOW',
        },
      ],
    })
    t.match(
      badShare.json(),
      { code: 'instrument_invalid', errors: [{ pointer: '/body/rules/0/min', rule: 'invalid_rule' }] },
      'a share of weight is a fraction',
    )
    t.equal((await put(`/${draft.id}/predicate-rules`, { rules: [{ id: 'x' }] })).statusCode, 400)

    const restored = await put(`/${draft.id}/predicate-rules`, { rules: seedRules })
    t.equal(restored.statusCode, 200)
    t.same(
      restored.json().predicate_rules,
      seedRules,
      'the rules read from a version can be put back as they are (node sets included)',
    )

    const retireDraft = await post(`/${draft.id}/retire`)
    t.equal(retireDraft.statusCode, 409)
    t.match(retireDraft.json(), { code: 'invalid_status_transition', allowed: ['published'] })

    const published = await post(`/${draft.id}/publish`)
    t.equal(published.statusCode, 200, published.body)
    t.match(published.json(), { status: 'published', retired_at: null })
    t.ok(published.json().published_at)
    const twice = await post(`/${draft.id}/publish`)
    t.equal(twice.statusCode, 200, 'publishing twice is a no-op')
    t.equal(twice.json().version, published.json().version)
    t.equal(
      (await patch(`/${draft.id}/nodes`, { changes: [{ code: 'Q1', name: 'x' }] })).json().code,
      'instrument_not_draft',
    )
    t.equal((await get(`?status=published`)).json().items.length, 2)

    const retired = await post(`/${draft.id}/retire`)
    t.equal(retired.statusCode, 200)
    t.match(retired.json(), { status: 'retired' })
    t.ok(retired.json().retired_at)
    t.equal((await post(`/${draft.id}/retire`)).json().version, retired.json().version, 'retiring twice is a no-op')
    const republish = await post(`/${draft.id}/publish`)
    t.equal(republish.statusCode, 409)
    t.match(republish.json(), { code: 'invalid_status_transition', allowed: [] })
    t.equal((await put(`/${draft.id}/predicate-rules`, { rules: seedRules })).json().code, 'instrument_not_draft')
    t.same(
      (await get('?status=retired')).json().items.map((i: { id: string }) => i.id),
      [draft.id],
    )
    t.equal((await post(`/${MISSING}/publish`)).statusCode, 404)

    t.same(
      await trail(draft.id),
      [
        'instrument.cloned',
        'instrument.predicate_rules_replaced',
        'instrument.predicate_rules_replaced',
        'instrument.predicate_rules_replaced',
        'instrument.published',
        'instrument.retired',
      ],
      'every change audited once; refused and no-op requests are not',
    )
    const api = await app.inject({
      method: 'GET',
      url: `/v1/audit/events?entity_type=instrument&entity_id=${draft.id}`,
      headers: admin,
    })
    t.equal(api.statusCode, 200)
    t.match(api.json().items.at(-1), {
      action: 'instrument.retired',
      entity_type: 'instrument',
      before: { status: 'published' },
      after: { status: 'retired' },
      actor: { role: 'admin' },
    })
    t.match(api.json().items[1], {
      action: 'instrument.predicate_rules_replaced',
      before: { predicate_rules: seedRules },
      after: { predicate_rules: [] },
    })
  })

  t.test('diff: re-weighted and re-worded nodes (clone), added and removed ones (import)', async (t) => {
    const draft = await clone(seedId, 'LKE-ZI-2026-DIFF')
    // N3 (4) = N4 0.5 + N5 1 + N6 1 + N7 1.5: move 0.25 from N5 to N4, the sum stays 4
    const edited = await patch(`/${draft.id}/nodes`, {
      changes: [
        { code: 'N4', bobot: 0.75 },
        { code: 'N5', bobot: 0.75 },
        { code: 'Q1', name: 'Telah dibentuk tim kerja ZI?' },
      ],
    })
    t.equal(edited.statusCode, 200, edited.body)
    const q1 = seedDef.nodes.find((n) => n.code === 'Q1')
    const diff = await get(`/diff?from=${seedId}&to=${draft.id}`)
    t.equal(diff.statusCode, 200)
    t.same(diff.json(), {
      from: { id: seedId, code: 'LKE-ZI-2026' },
      to: { id: draft.id, code: 'LKE-ZI-2026-DIFF' },
      added: [],
      removed: [],
      reweighted: [
        { code: 'N4', from: 0.5, to: 0.75 },
        { code: 'N5', from: 1, to: 0.75 },
      ],
      reworded: [{ code: 'Q1', field: 'name', from: q1?.name, to: 'Telah dibentuk tim kerja ZI?' }],
      moved: [],
    })

    const doc = masterSoal()
    const n4 = doc.data[0]!.children[0]!.children[0]!.children[0]!
    const n5 = doc.data[0]!.children[0]!.children[0]!.children[1]!
    const removed = n4.soals.pop() as Soal // Q2, the last of N4
    n5.soals.push({
      ...structuredClone(n5.soals[0] as Soal),
      id: 9001,
      teks_pertanyaan: 'Pertanyaan baru',
      jenis_jawaban: 'ABCD',
      skema_penilaian: [
        { key: 'A', label: 'a', multiplier: 1 },
        { key: 'B', label: 'b', multiplier: 0.67 },
        { key: 'C', label: 'c', multiplier: 0.33 },
        { key: 'D', label: 'd', multiplier: 0 },
      ],
    })
    const next = await post(`/import?code=LKE-ZI-2027-DRAFT&overlay_from=${seedId}`, doc)
    t.equal(next.statusCode, 201, next.body)
    const d2 = (await get(`/diff?from=${seedId}&to=${next.json().id}`)).json()
    t.same([d2.added, d2.removed, d2.reweighted, d2.reworded, d2.moved], [['Q9001'], [`Q${removed.id}`], [], [], []])
    const back = (await get(`/diff?from=${next.json().id}&to=${seedId}`)).json()
    t.same([back.added, back.removed], [[`Q${removed.id}`], ['Q9001']], 'the other way round')

    t.equal((await get(`/diff?from=${seedId}&to=${MISSING}`)).statusCode, 404)
    t.equal((await get(`/diff?from=${seedId}`)).statusCode, 400)
  })

  t.test('delete: a draft (204), not a published version, not one in use', async (t) => {
    const draft = await clone(seedId, 'LKE-ZI-2026-DEL')
    const gone = await del(`/${draft.id}`)
    t.equal(gone.statusCode, 204)
    t.equal(gone.body, '')
    t.equal((await get(`/${draft.id}`)).statusCode, 404)
    t.same(await trail(draft.id), ['instrument.cloned', 'instrument.deleted'])

    const published = await del(`/${seedId}`)
    t.equal(published.statusCode, 409)
    t.match(published.json(), { code: 'instrument_not_draft', status_now: 'published' })

    const parent = await clone(seedId, 'LKE-ZI-2026-PARENT')
    const child = await clone(parent.id, 'LKE-ZI-2026-CHILD')
    const cloned = await del(`/${parent.id}`)
    t.equal(cloned.statusCode, 409)
    t.equal(cloned.json().code, 'instrument_in_use', 'a clone refers to it')
    t.equal((await get(`/${parent.id}`)).statusCode, 200, 'still there')

    // a retired version a period still uses
    const old = await clone(seedId, 'LKE-ZI-2026-OLD')
    t.equal((await post(`/${old.id}/publish`)).statusCode, 200)
    await insertPeriod(ctx, { instrumentVersionId: old.id })
    t.equal((await post(`/${old.id}/retire`)).statusCode, 200)
    const used = await del(`/${old.id}`)
    t.equal(used.statusCode, 409)
    t.equal(used.json().code, 'instrument_in_use', 'a period refers to it')

    t.equal((await del(`/${child.id}`)).statusCode, 204)
    t.equal((await del(`/${parent.id}`)).statusCode, 204, 'once its clone is gone')
    t.equal((await del(`/${MISSING}`)).statusCode, 404)
    t.same(await trail(parent.id), ['instrument.cloned', 'instrument.deleted'], 'the refused delete is not audited')

    const retired = await clone(seedId, 'LKE-ZI-2026-RET')
    await post(`/${retired.id}/publish`)
    await post(`/${retired.id}/retire`)
    t.equal((await del(`/${retired.id}`)).statusCode, 204, 'a retired version nothing uses can go')
  })

  t.test('score: the domain engine through the API, with explanation and eligibility', async (t) => {
    const best = golden('all-best')
    const res = await post(`/${seedId}/score`, { answers: best.answers })
    t.equal(res.statusCode, 200, res.body)
    const body = res.json()
    const expected = scoreInstrument(seedDef, best.answers)
    t.equal(body.total, asScore(expected.total), 'the total is the engine’s, as the workbook shows it (2 decimals)')
    t.same(noisyNumbers(body), [], 'no float noise')
    t.equal(body.total, asScore(best.expected.total as number), `and the workbook's (${best.expected.total})`)
    t.equal(body.max_total, 100)
    t.same(body.unanswered, [])
    t.same(
      body.components,
      expected.nodes
        .filter((n) => n.level === 'komponen' || n.level === 'sub_komponen')
        .map((n) => ({
          code: n.code,
          name: seedDef.nodes.find((x) => x.code === n.code)?.name,
          level: n.level,
          value: asScore(n.value),
          max: n.max === null ? null : asScore(n.max),
        })),
    )
    t.same(body.eligibility, asServedEligibility(evaluateEligibility(seedDef, expected)))
    t.equal(body.eligibility.predicate, 'WBBM', 'every answer at its best reaches WBBM')
    t.ok(
      body.eligibility.rules.length > 0 &&
        body.eligibility.rules.every((r: { passed: boolean; source: string }) => r.passed && r.source),
    )
    t.equal(body.explanation, undefined, 'no explanation unless asked')

    const partial = golden('partial-seed-4')
    const explained = await post(`/${seedId}/score?explain=true`, { answers: partial.answers })
    t.equal(explained.statusCode, 200)
    const e = explained.json()
    const domain = scoreInstrument(seedDef, partial.answers)
    t.equal(e.total, asScore(domain.total))
    t.same(noisyNumbers(e), [], 'no float noise in the explanation either')
    t.ok(e.total === asScore(partial.expected.total as number), 'the workbook’s total for a partial answer set')
    t.same(e.unanswered, domain.unanswered)
    t.ok(e.unanswered.length > 0)
    t.same(e.eligibility, asServedEligibility(evaluateEligibility(seedDef, domain)))
    t.equal(e.explanation.questions.length, 135, 'every question explained')
    t.equal(e.explanation.nodes.length, domain.nodes.length)
    for (const q of domain.questions) {
      const view = e.explanation.questions.find((x: { code: string }) => x.code === q.code)
      t.same(
        {
          answer: view.answer,
          answered: view.answered,
          multiplier: view.multiplier,
          value: view.value,
          text: view.text,
        },
        {
          answer: q.answer,
          answered: q.answered,
          multiplier: q.multiplier === null ? null : asShare(q.multiplier),
          value: q.value === null ? null : asScore(q.value),
          text: q.explanation,
        },
        `${q.code} explained as the engine does`,
      )
    }
    t.match(
      e.explanation.nodes.find((n: { code: string }) => n.code === 'N4'),
      { combine: 'average_times_weight', max: 0.5, text: /AVERAGE\(/ },
    )
    t.match(
      e.explanation.nodes.find((n: { code: string }) => n.code === 'N61'),
      { combine: 'weighted_sum' },
    )

    const hand = await post(`/${seedId}/score?explain=true`, { answers: { Q1: 'ya', Q2: 'B', Q88: 4, Q89: 2 } })
    t.equal(hand.statusCode, 200)
    t.match(
      hand.json().explanation.nodes.find((n: { code: string }) => n.code === 'N4'),
      { value: 0.38, text: /AVERAGE\(1, 0\.5\) × 0\.5 = 0\.375/ },
    )
    t.match(
      hand.json().explanation.questions.find((q: { code: string }) => q.code === 'R36a'),
      { answered: true, multiplier: 0.5, value: 0.5, text: /min\(1, Q89 \/ Q88\) with Q89=2, Q88=4 = 0\.5/ },
    )
    t.equal(hand.json().eligibility.predicate, 'none')
    t.ok(
      hand
        .json()
        .eligibility.rules.some(
          (r: { rule: string; passed: boolean; required: number }) =>
            r.rule === 'wbk-total' && !r.passed && r.required === 75,
        ),
    )

    const invalid = await post(`/${seedId}/score`, {
      answers: { Q1: 'Mungkin', Q9999: 'A', R36a: 50, Q125: 5, Q127: 3.456, N4: 'A', Q88: 2.5, Q2: 1 },
    })
    t.equal(invalid.statusCode, 422)
    t.equal(invalid.headers['content-type'], PROBLEM)
    t.equal(invalid.json().code, 'answers_invalid')
    t.same(
      (invalid.json() as Problem).errors?.map((e) => [e.pointer, e.rule]).sort(),
      [
        ['/body/answers/N4', 'not_a_question'],
        ['/body/answers/Q1', 'answer_not_allowed'],
        ['/body/answers/Q125', 'answer_out_of_range'],
        ['/body/answers/Q127', 'answer_precision'],
        ['/body/answers/Q2', 'answer_wrong_type'],
        ['/body/answers/Q88', 'answer_out_of_range'],
        ['/body/answers/Q9999', 'unknown_question'],
        ['/body/answers/R36a', 'computed_question'],
      ],
      'each invalid answer, with its pointer',
    )
    const zero = await post(`/${seedId}/score`, { answers: golden('division-by-zero').answers })
    t.equal(zero.statusCode, 422)
    t.match(
      zero.json(),
      { code: 'answers_invalid', errors: [{ rule: 'formula_division_by_zero' }] },
      'the set the workbook cannot score',
    )

    t.equal((await post(`/${seedId}/score`, { answers: ['A'] })).statusCode, 400)
    t.equal((await post(`/${seedId}/score`, { answers: { Q1: { v: 'Ya' } } })).statusCode, 400)
    t.equal((await post(`/${seedId}/score`, {})).statusCode, 400)
    t.equal((await post(`/${seedId}/score?explain=maybe`, { answers: {} })).statusCode, 400)
    t.equal((await post(`/${MISSING}/score`, { answers: {} })).statusCode, 404)
    const empty = await post(`/${seedId}/score`, { answers: {} })
    t.match(empty.json(), { total: 0, eligibility: { predicate: 'none' } })
    t.equal(empty.json().unanswered.length, 127)
    t.same(await trail(seedId), ['instrument.seeded'], 'scoring stores nothing')

    const draftScore = await post(`/${importedId}/score`, { answers: best.answers })
    t.equal(draftScore.json().total, body.total, 'a draft scores too (what-if on a version being prepared)')
  })

  t.test('roles: reads for every role, scoring for people, writes for admins', async (t) => {
    const before = await versionCount()
    for (const [name, headers] of [
      ['viewer', viewer],
      ['evaluator', evaluator],
      ['unit_operator', operator],
      ['integration', integration],
    ] as const) {
      t.equal((await get('', headers)).statusCode, 200, `${name} lists`)
      t.equal((await get(`/${seedId}`, headers)).statusCode, 200, `${name} reads`)
      t.equal((await get(`/${seedId}/nodes/N1`, headers)).statusCode, 200, `${name} reads a node`)
      t.equal((await get(`/diff?from=${seedId}&to=${importedId}`, headers)).statusCode, 200, `${name} diffs`)
      const writes = [
        await post(`/import?code=ROLE-${name}&overlay_from=${seedId}`, masterSoal(), headers),
        await post(`/${seedId}/clone`, { code: `ROLE-${name}` }, headers),
        await patch(`/${importedId}`, { name: 'x' }, headers),
        await patch(`/${importedId}/nodes`, { changes: [{ code: 'Q1', name: 'x' }] }, headers),
        await put(`/${importedId}/predicate-rules`, { rules: [] }, headers),
        await post(`/${importedId}/publish`, undefined, headers),
        await post(`/${seedId}/retire`, undefined, headers),
        await del(`/${importedId}`, headers),
      ]
      for (const res of writes) {
        t.equal(res.statusCode, 403, `${name}: a write is refused`)
        t.equal(res.json().code, 'forbidden_role')
      }
    }
    for (const [name, headers] of [
      ['viewer', viewer],
      ['evaluator', evaluator],
      ['unit_operator', operator],
    ] as const) {
      t.equal((await post(`/${seedId}/score`, { answers: { Q1: 'Ya' } }, headers)).statusCode, 200, `${name} scores`)
    }
    const machine = await post(`/${seedId}/score`, { answers: {} }, integration)
    t.equal(machine.statusCode, 403, 'integration clients read the instrument but do not score')
    const anonymous = await app.inject({ method: 'GET', url: '/v1/instruments' })
    t.equal(anonymous.statusCode, 401)
    t.equal((await app.inject({ method: 'POST', url: `/v1/instruments/${seedId}/publish` })).statusCode, 401)
    t.equal(await versionCount(), before, 'no refused write changed anything')
    t.equal((await get(`/${importedId}`)).json().version, 1)
    t.equal((await get(`/${seedId}`)).json().status, 'published')
  })

  t.test('lists page by code with a cursor', async (t) => {
    const all = (await get('?limit=500')).json().items.map((i: { code: string }) => i.code)
    t.same(all, [...all].sort(), 'ordered by code')
    const walked: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res = await get(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      t.equal(res.statusCode, 200)
      walked.push(...res.json().items.map((i: { code: string }) => i.code))
      cursor = res.json().next_cursor
      if (cursor) t.match(res.headers.link, /rel="next"/)
      pages++
    } while (cursor && pages < 50)
    t.same(walked, all, 'every version once, in order')
    t.ok(pages > 1)
    t.equal((await get('?cursor=bm9wZQ')).statusCode, 400, 'a forged cursor is refused')
  })
})
