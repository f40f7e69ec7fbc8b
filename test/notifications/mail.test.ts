import { eq } from 'drizzle-orm'
import t from 'tap'
import { systemContext } from '../../src/lib/command.js'
import { moveStage, openAssessment } from '../../src/modules/assessments/commands.js'
import { actions } from '../../src/modules/actions/tables.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { noticeAttempts, notices } from '../../src/modules/notifications/tables.js'
import { NotifyWorker, smtpTransport } from '../../src/modules/notifications/worker.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer } from '../helpers/auth.js'
import { createPerson } from '../helpers/people.js'
import { insertPeriod } from '../helpers/periods.js'
import { startSmtp } from '../helpers/smtp.js'
import { insertSmallTree, insertUnit } from '../helpers/units.js'

const DAY = 86_400_000
const BASE = 'https://zi.example.go.id'

// One world, told in order: a stage submitted and returned (with the notes), no mail twice, an
// unsubscribe link, the daily digest, and SMTP down then back. The worker runs on a clock the
// test moves (never sleeping), against a real SMTP server on loopback.
t.test('notices by e-mail, end to end', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000' })
  const { app } = ctx
  const db = app.db
  const smtp = await startSmtp()
  t.teardown(() => smtp.stop())

  const tree = await insertSmallTree(ctx)
  const [seeded] = await db
    .select({ id: instrumentVersions.id, definition: instrumentVersions.definition })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  const questionCode = (seeded!.definition as { nodes: { level: string; code: string }[] }).nodes.find(
    (n) => n.level === 'question',
  )!.code
  // windows open since 10 days and for 30 more: no "opened" or "closing" notices in this story
  const wide = {
    opens_at: new Date(Date.now() - 10 * DAY).toISOString(),
    closes_at: new Date(Date.now() + 30 * DAY).toISOString(),
  }
  const period = await insertPeriod(ctx, {
    instrumentVersionId: seeded!.id,
    windows: { self_assessment: wide, tpi_verification: wide, revision: wide },
  })

  const tpi = await createPerson(db, {
    name: 'Inspektur Pembantu',
    email: 'tpi@inspektorat.example.go.id',
    role: 'evaluator',
    unitId: tree.opdA.id,
  })
  const opA1 = await createPerson(db, {
    name: 'Operator Puskesmas Satu',
    email: 'op1@dinkes.example.go.id',
    role: 'unit_operator',
    unitId: tree.a1.id,
  })
  const opOpd = await createPerson(db, {
    name: 'Operator Dinas Kesehatan',
    email: 'dinkes@example.go.id',
    role: 'unit_operator',
    unitId: tree.opdA.id,
  })
  const noMail = await createPerson(db, {
    name: 'Operator tanpa surel',
    email: null,
    role: 'unit_operator',
    unitId: tree.a1.id,
  })
  const admin = await createPerson(db, { name: 'Bagian Organisasi', email: 'ortala@example.go.id', role: 'admin' })
  // an operator of the other OPD hears nothing of this one
  const opB1 = await createPerson(db, {
    name: 'Operator SMP',
    email: 'smp1@example.go.id',
    role: 'unit_operator',
    unitId: tree.b1.id,
  })

  let clock = new Date()
  const worker = new NotifyWorker({
    db,
    log: app.log,
    transport: smtpTransport({
      SMTP_URL: smtp.url,
      SMTP_HOST: undefined,
      SMTP_PORT: 587,
      SMTP_SECURE: false,
      SMTP_USER: undefined,
      SMTP_PASSWORD: undefined,
    }),
    from: 'ZI Tracker <no-reply@example.go.id>',
    baseUrl: BASE,
    pollMs: 1000,
    maxAttempts: 5,
    retryBaseMs: 60_000,
    digestHour: 7,
    now: () => clock,
  })
  t.teardown(() => worker.stop())

  const sys = systemContext(db, 'test')
  const a1 = await openAssessment(sys, { period_id: period.id, unit_id: tree.a1.id })
  const a2 = await openAssessment(sys, { period_id: period.id, unit_id: tree.a2.id })
  const move = (assessmentId: string, to: 'submitted' | 'returned' | 'approved', extra: Record<string, unknown> = {}) =>
    moveStage(sys, { assessmentId, stage: 'self', to, ...extra })

  // The TPI reads English.
  const en = await app.inject({
    method: 'PATCH',
    url: '/v1/notifications/preferences',
    headers: bearer(tpi.token),
    payload: { language: 'en' },
  })
  t.equal(en.statusCode, 200, en.body)
  t.equal(en.json().language, 'en')
  t.equal(en.json().email, tpi.email)
  t.equal(en.json().kinds['stage.returned'], true)

  await t.test('a submitted self-assessment mails the TPI in scope, in their language', async (t) => {
    await move(a1.id, 'submitted')
    const round = await worker.tick()
    t.equal(round.mails, 1)
    const [mail] = smtp.to(tpi.email!)
    t.ok(mail, 'the TPI got a mail')
    t.match(mail!.subject, /was submitted for review/)
    t.match(mail!.text, `${BASE}/v1/assessments/${a1.id}`, 'with the link to the object')
    t.equal(smtp.to(opA1.email!).length, 0, 'the unit is not told of its own submission')
  })

  const reason = 'Lengkapi data dukung pada area manajemen perubahan.'
  await t.test('a returned stage mails the unit with the reason and the comments', async (t) => {
    await move(a1.id, 'returned', {
      reason,
      comments: [{ question_code: questionCode, body: 'Unggah SK tim kerja yang ditandatangani.' }],
    })
    const round = await worker.tick()
    t.equal(round.mails, 2, 'the unit’s operator and the OPD’s')
    for (const who of [opA1, opOpd]) {
      const [mail] = smtp.to(who.email!)
      t.ok(mail, `${who.email} got it`)
      t.match(mail!.subject, /Penilaian mandiri .* dikembalikan untuk perbaikan/, 'in Indonesian (the default)')
      t.match(mail!.text, reason)
      t.match(mail!.text, `- ${questionCode}: Unggah SK tim kerja yang ditandatangani.`)
      t.match(mail!.text, /Catatan per pertanyaan:/)
      t.match(mail!.headers.get('list-unsubscribe'), new RegExp(`^<${BASE}/v1/notifications/unsubscribe\\?token=`))
    }
    t.equal(smtp.to(opB1.email!).length, 0, 'another OPD’s operator hears nothing')
    const [skipped] = await db.select().from(notices).where(eq(notices.recipientId, noMail.id))
    t.equal(skipped?.status, 'skipped', 'a person without an address is skipped, visibly')
    t.equal(skipped?.lastError, 'the person has no e-mail address')

    const again = await worker.tick()
    t.equal(again.mails, 0, 'no mail for the same event twice')
    t.equal(again.notices, 0)
  })

  await t.test('unsubscribe: that kind is no longer mailed, the others still are', async (t) => {
    const link = smtp.to(opA1.email!)[0]!.headers.get('list-unsubscribe')!.slice(1, -1)
    const path = link.slice(BASE.length)
    const bad = await app.inject({ method: 'GET', url: `${path.slice(0, -3)}abc` })
    t.equal(bad.statusCode, 404)
    t.equal(bad.json().code, 'unsubscribe_token_invalid')
    const other = await app.inject({ method: 'GET', url: '/v1/notifications/unsubscribe?token=bm9ib2R5.abc' })
    t.equal(other.statusCode, 404, 'a made-up token: the same answer')
    t.equal(other.json().code, 'unsubscribe_token_invalid')

    const res = await app.inject({ method: 'GET', url: path, headers: { 'accept-language': 'id' } })
    t.equal(res.statusCode, 200, res.body)
    t.same(
      Object.keys(res.json()).sort(),
      ['kind', 'message', 'unsubscribed'],
      'it tells what was unsubscribed, nothing else',
    )
    t.equal(res.json().kind, 'stage.returned')
    t.match(res.json().message, /tidak akan lagi menerima/)
    // one-click (RFC 8058), as a mail program sends it: the same result, nothing more written
    const oneClick = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    })
    t.equal(oneClick.statusCode, 200, oneClick.body)

    const before = smtp.to(opA1.email!).length
    await move(a1.id, 'submitted')
    await move(a1.id, 'returned', { reason: 'Masih kurang.' })
    await worker.tick()
    t.equal(smtp.to(opA1.email!).length, before, 'no more returns mailed to who unsubscribed')
    t.equal(smtp.to(opOpd.email!).length, 2, 'the OPD operator still gets them')
    await move(a1.id, 'submitted')
    await move(a1.id, 'approved')
    await worker.tick()
    const last = smtp.to(opA1.email!).at(-1)!
    t.equal(smtp.to(opA1.email!).length, before + 1)
    t.match(last.subject, /telah disetujui/, 'an approval is still mailed')

    const prefs = await app.inject({ method: 'GET', url: '/v1/notifications/preferences', headers: bearer(opA1.token) })
    t.equal(prefs.json().kinds['stage.returned'], false)
    t.equal(prefs.json().kinds['stage.approved'], true)
  })

  await t.test('the daily digest: several notices, one mail at the digest hour', async (t) => {
    const set = await app.inject({
      method: 'PATCH',
      url: '/v1/notifications/preferences',
      headers: bearer(opOpd.token),
      payload: { delivery: 'digest' },
    })
    t.equal(set.statusCode, 200, set.body)
    const before = smtp.to(opOpd.email!).length
    // 05:00 in Jakarta today
    const day = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10)
    clock = new Date(`${day}T05:00:00+07:00`)
    await move(a2.id, 'submitted')
    await move(a2.id, 'returned', { reason: 'Perbaiki jawaban pembangunan.' })
    await move(a2.id, 'submitted')
    await move(a2.id, 'approved')
    await worker.tick()
    t.equal(smtp.to(opOpd.email!).length, before, 'nothing before the digest hour')
    clock = new Date(`${day}T06:59:59+07:00`)
    await worker.tick()
    t.equal(smtp.to(opOpd.email!).length, before, 'still nothing a second before it')
    clock = new Date(`${day}T07:00:00+07:00`)
    const round = await worker.tick()
    t.equal(round.mails, 1)
    const mails = smtp.to(opOpd.email!).slice(before)
    t.equal(mails.length, 1, 'one mail')
    t.match(mails[0]!.subject, 'Ringkasan harian: 2 pemberitahuan')
    t.match(mails[0]!.text, /dikembalikan untuk perbaikan[\s\S]*Perbaiki jawaban pembangunan\.[\s\S]*telah disetujui/)
    t.match(mails[0]!.text, /Berhenti menerima semua pemberitahuan/)
    clock = new Date(`${day}T07:05:00+07:00`)
    t.equal((await worker.tick()).mails, 0, 'sent once')
  })

  await t.test('SMTP down: the attempt is recorded with the error and retried when it is back', async (t) => {
    await smtp.stop()
    const a3unit = await insertUnit(ctx, { kind: 'unit', parent: tree.opdA, name: 'Puskesmas Tiga' })
    const a3 = await openAssessment(sys, { period_id: period.id, unit_id: a3unit.id })
    await move(a3.id, 'submitted')
    const down = await worker.tick()
    t.equal(down.mails, 0)
    const list = await app.inject({
      method: 'GET',
      url: `/v1/notifications?recipient_id=${tpi.id}&status=pending`,
      headers: bearer(admin.token),
    })
    t.equal(list.statusCode, 200, list.body)
    const [pending] = list.json().items
    t.ok(pending, 'the notice waits')
    t.equal(pending.attempts, 1)
    t.match(pending.last_error, /ECONNREFUSED|connect/i, 'with why')
    t.equal(pending.log.length, 1)
    t.ok(Date.parse(pending.next_attempt_at) > clock.getTime(), 'retried later')

    await smtp.restart()
    t.equal((await worker.tick()).mails, 0, 'not before its backoff ends')
    clock = new Date(clock.getTime() + 2 * 60_000)
    const back = await worker.tick()
    t.equal(back.mails, 1, 'sent once SMTP is back')
    const [row] = await db.select().from(notices).where(eq(notices.id, pending.id))
    t.equal(row?.status, 'sent')
    const attempts = await db.select().from(noticeAttempts).where(eq(noticeAttempts.noticeId, pending.id))
    t.same(
      attempts.map((a) => [a.attempt, a.error === null]),
      [
        [1, false],
        [2, true],
      ],
      'both attempts are kept',
    )
    t.match(smtp.to(tpi.email!).at(-1)!.text, 'Puskesmas Tiga')

    const sent = await app.inject({
      method: 'GET',
      url: '/v1/notifications?status=sent&kind=stage.submitted',
      headers: bearer(admin.token),
    })
    t.ok(
      sent
        .json()
        .items.every((n: { status: string; kind: string }) => n.status === 'sent' && n.kind === 'stage.submitted'),
    )
    const forbidden = await app.inject({ method: 'GET', url: '/v1/notifications', headers: bearer(tpi.token) })
    t.equal(forbidden.statusCode, 403, 'the admin’s view')
  })
  await t.test('an action of the rencana aksi past its target date mails its PIC and the unit, once', async (t) => {
    const yesterday = new Date(clock.getTime() + 7 * 3_600_000 - DAY).toISOString().slice(0, 10)
    const [action] = await db
      .insert(actions)
      .values({
        unitId: tree.a1.id,
        periodId: period.id,
        area: 'manajemen_perubahan',
        title: 'Sosialisasi pembangunan ZI kepada seluruh pegawai',
        picName: opA1.email!,
        picPrincipalId: opA1.id,
        targetDate: yesterday,
        createdByName: 'test',
      })
      .returning()
    const before = smtp.to(opA1.email!).length
    await worker.tick()
    const mails = smtp.to(opA1.email!).slice(before)
    t.equal(mails.length, 1, 'the PIC (also the unit’s operator) gets one mail')
    t.match(mails[0]!.subject, 'Rencana aksi Puskesmas Satu melewati target: Sosialisasi pembangunan ZI')
    t.match(mails[0]!.text, `melewati target ${yesterday}`)
    t.match(mails[0]!.text, 'Manajemen Perubahan')
    t.match(mails[0]!.text, `${BASE}/v1/actions/${action!.id}`)
    const rows = await db.select().from(notices).where(eq(notices.kind, 'action.overdue'))
    t.same(
      rows.map((r) => [r.recipientId, r.digest]).sort(),
      [
        [opA1.id, false],
        [opOpd.id, true],
        [noMail.id, false],
      ].sort(),
      'the OPD operator gets it in the digest',
    )
    await worker.tick()
    t.equal(smtp.to(opA1.email!).length, before + 1, 'once')
  })
  await t.test('the unsubscribe link is rate-limited per address', async (t) => {
    const statuses: number[] = []
    for (let i = 0; i < 30; i++)
      statuses.push(
        (await app.inject({ method: 'GET', url: `/v1/notifications/unsubscribe?token=bm9ib2R5.x${i}` })).statusCode,
      )
    t.ok(statuses.includes(429), 'refused within 30 tries (4 were spent above)')
    const limited = await app.inject({
      method: 'GET',
      url: '/v1/notifications/unsubscribe?token=bm9ib2R5.abc',
      headers: { 'accept-language': 'id' },
    })
    t.equal(limited.statusCode, 429)
    t.equal(limited.json().code, 'rate_limited')
    t.match(limited.json().detail, /Terlalu banyak permintaan berhenti berlangganan/)
    t.ok(Number(limited.headers['retry-after']) > 0, 'with Retry-After')
  })
})
