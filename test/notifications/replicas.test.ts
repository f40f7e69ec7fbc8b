import { eq } from 'drizzle-orm'
import t from 'tap'
import { buildApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { systemContext } from '../../src/lib/command.js'
import { openAssessment } from '../../src/modules/assessments/commands.js'
import { assessmentStages } from '../../src/modules/assessments/tables.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { notices } from '../../src/modules/notifications/tables.js'
import { createTestDatabase } from '../helpers/database.js'
import { createPerson } from '../helpers/people.js'
import { insertPeriod } from '../helpers/periods.js'
import { startSmtp } from '../helpers/smtp.js'
import { insertSmallTree } from '../helpers/units.js'

const DAY = 86_400_000

/** Noon in Jakarta, `days` Jakarta calendar days from today. */
const jakartaNoonIn = (days: number): string => {
  const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10)
  return new Date(Date.parse(`${today}T12:00:00+07:00`) + days * DAY).toISOString()
}

t.test(
  'a window closing in 3 days mails the operators of units with open stages once, with two replicas',
  async (t) => {
    const smtp = await startSmtp()
    const database = await createTestDatabase()
    const config = loadConfig({
      LOG_LEVEL: 'warn',
      SMTP_URL: smtp.url,
      SMTP_FROM: 'ZI Tracker <no-reply@example.go.id>',
      PUBLIC_BASE_URL: 'https://zi.example.go.id',
      NOTIFY_POLL_MS: '50',
      // the other workers are not this test's
      PLAN_WORKER: 'false',
      WEBHOOK_WORKER: 'false',
      EVENTS_PURGE_WORKER: 'false',
    })
    const apps: App[] = []
    t.teardown(async () => {
      for (const app of apps) await app.close()
      await database.destroy()
      await smtp.stop()
    })
    const replica = async () => {
      const app = await buildApp({ config, database: database.database, logger: false })
      apps.push(app)
      return app
    }
    const app = await replica()
    const ctx = { app }
    const db = app.db

    const tree = await insertSmallTree(ctx)
    const [seeded] = await db
      .select({ id: instrumentVersions.id })
      .from(instrumentVersions)
      .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
    // the self-assessment window opened 10 days ago and closes in 3 Jakarta days
    const period = await insertPeriod(ctx, {
      instrumentVersionId: seeded!.id,
      windows: {
        self_assessment: { opens_at: new Date(Date.now() - 10 * DAY).toISOString(), closes_at: jakartaNoonIn(3) },
      },
    })
    const sys = systemContext(db, 'test')
    await openAssessment(sys, { period_id: period.id, unit_id: tree.a1.id })
    const a2 = await openAssessment(sys, { period_id: period.id, unit_id: tree.a2.id })
    // Puskesmas Dua has submitted: nothing left to do in this window
    await db.update(assessmentStages).set({ status: 'submitted' }).where(eq(assessmentStages.assessmentId, a2.id))

    const opA1 = await createPerson(db, {
      name: 'Operator Puskesmas Satu',
      email: 'op1@example.go.id',
      role: 'unit_operator',
      unitId: tree.a1.id,
    })
    const opA2 = await createPerson(db, {
      name: 'Operator Puskesmas Dua',
      email: 'op2@example.go.id',
      role: 'unit_operator',
      unitId: tree.a2.id,
    })
    const opOpd = await createPerson(db, {
      name: 'Operator Dinas Kesehatan',
      email: 'dinkes@example.go.id',
      role: 'unit_operator',
      unitId: tree.opdA.id,
    })
    // a unit without an assessment, and a TPI member: not concerned by the units' self-assessment window
    const opB1 = await createPerson(db, {
      name: 'Operator SMP',
      email: 'smp@example.go.id',
      role: 'unit_operator',
      unitId: tree.b1.id,
    })
    const tpi = await createPerson(db, {
      name: 'TPI',
      email: 'tpi@example.go.id',
      role: 'evaluator',
      unitId: tree.opdA.id,
    })

    // two replicas on the same database, both workers ticking every 50 ms
    await app.ready()
    await (await replica()).ready()

    const deadline = Date.now() + 120_000
    for (;;) {
      const rows = await db.select({ status: notices.status }).from(notices).where(eq(notices.kind, 'window.closing'))
      if (rows.length === 2 && rows.every((r) => r.status === 'sent')) break
      if (Date.now() > deadline) throw new Error(`the reminders were not sent: ${JSON.stringify(rows)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    // let both replicas go round a few more times, then stop them before counting
    await new Promise((resolve) => setTimeout(resolve, 500))
    for (const a of apps.splice(0)) await a.close()

    t.same(
      smtp.received.map((m) => m.to).sort(),
      [opOpd.email, opA1.email].sort(),
      'one mail each, whichever replica sent it',
    )
    for (const who of [opA2, opB1, tpi])
      t.equal(smtp.to(who.email!).length, 0, `${who.email} has nothing to do in this window`)
    const mail = smtp.to(opA1.email!)[0]!
    t.match(mail.subject, /^\[ZI\] 3 hari lagi: jadwal penilaian mandiri \(LKE\) periode .* ditutup .* 12:00 WIB$/)
    t.match(mail.text, '- Puskesmas Satu')
    t.match(mail.text, `https://zi.example.go.id/v1/periods/${period.id}`)
    const opd = smtp.to(opOpd.email!)[0]!
    t.match(opd.text, '- Puskesmas Satu')
    t.notMatch(opd.text, 'Puskesmas Dua', 'only the units with a stage still open')
    const rows = await database.database.db.select().from(notices)
    t.same(
      rows.map((r) => [r.kind, r.occasion, r.status, r.attempts]),
      [
        ['window.closing', '3d', 'sent', 1],
        ['window.closing', '3d', 'sent', 1],
      ],
      'two notices, each sent at the first attempt',
    )
  },
)
