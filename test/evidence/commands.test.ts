import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import { systemContext, type CommandContext } from '../../src/lib/command.js'
import { ProblemError } from '../../src/lib/problem.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { createPrincipalWithToken } from '../../src/modules/auth/commands.js'
import { authenticate } from '../../src/modules/auth/service.js'
import {
  carryEvidenceItem,
  createEvidenceFile,
  createEvidenceLink,
  deleteEvidence,
} from '../../src/modules/evidence/commands.js'
import { FsEvidenceStore } from '../../src/modules/evidence/storage.js'
import { evidence } from '../../src/modules/evidence/tables.js'
import type { TestContext } from '../helpers/app.js'
import { createTestDatabase } from '../helpers/database.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

/** The evidence metadata commands without HTTP, as a unit operator limited to one unit. */
t.test('evidence commands', async (t) => {
  const testDb = await createTestDatabase()
  const dir = mkdtempSync(join(tmpdir(), 'zi-evidence-commands-'))
  t.teardown(async () => {
    await testDb.destroy()
    rmSync(dir, { recursive: true, force: true })
  })
  const db = testDb.database.db
  const helperCtx = { app: { db } } as unknown as Pick<TestContext, 'app'>
  const tree = await insertSmallTree(helperCtx)
  const [mine, theirs] = [tree.a1, tree.b1]
  const operator = await createPrincipalWithToken(systemContext(db, 'evidence test'), {
    name: 'Operator',
    kind: 'user',
    role: 'unit_operator',
    unitId: mine.id,
  })
  const principal = await authenticate(db, operator.token)
  if (typeof principal === 'string') throw new Error(principal)
  const ctx: CommandContext = {
    db,
    principal,
    actor: {
      principalId: principal.principalId,
      name: principal.name,
      role: principal.role,
      requestId: null,
      ip: null,
    },
    requestId: null,
  }
  const store = new FsEvidenceStore(dir)
  const problem = (status: number, code: string) => ({ constructor: ProblemError, status, code })
  const actions = async (id: string) =>
    (await db.select().from(auditEvents).where(eq(auditEvents.entityId, id)).orderBy(asc(auditEvents.id))).map((a) => [
      a.action,
      a.actorName,
    ])

  t.test('a link, in scope; refused out of scope and for a non-http URL', async (t) => {
    const link = await createEvidenceLink(ctx, { unit_id: mine.id, title: ' SK Tim ', url: 'https://example.org/sk' })
    t.match(link, { kind: 'link', title: 'SK Tim', uploadedById: principal.principalId, uploadedByName: 'Operator' })
    t.same(await actions(link.id), [['evidence.created', 'Operator']])
    await t.rejects(
      createEvidenceLink(ctx, { unit_id: theirs.id, title: 'x', url: 'https://example.org' }),
      problem(422, 'unit_not_found'),
    )
    await t.rejects(
      createEvidenceLink(ctx, { unit_id: mine.id, title: 'x', url: 'ftp://example.org' }),
      problem(400, 'validation_failed'),
    )
  })

  t.test('a file: committed to the store with its row, never for a refused one', async (t) => {
    const receive = () => store.receive(Readable.from([Buffer.from('%PDF-1.4 bukti\n')]))
    const refused = await receive()
    await t.rejects(
      createEvidenceFile(ctx, {
        fields: { unit_id: theirs.id },
        file: { upload: refused, fileName: 'sk.pdf', declaredType: 'application/pdf' },
        store,
      }),
      problem(422, 'unit_not_found'),
    )
    t.notOk(await store.exists(refused.sha256), 'nothing stored for a refused item')
    await store.discard(refused)

    const upload = await receive()
    const row = await createEvidenceFile(ctx, {
      fields: { unit_id: mine.id },
      file: { upload, fileName: 'sk.pdf', declaredType: 'application/pdf' },
      store,
    })
    await store.discard(upload)
    t.match(row, { kind: 'file', title: 'sk.pdf', sha256: upload.sha256, sizeBytes: upload.size })
    t.ok(await store.exists(upload.sha256))
  })

  t.test('carry into a later period once; delete', async (t) => {
    const before = await insertPeriod(helperCtx, { year: 2025 })
    const later = await insertPeriod(helperCtx, { year: 2026 })
    const item = await createEvidenceLink(ctx, {
      unit_id: mine.id,
      period_id: before.id,
      title: 'Renstra',
      url: 'https://example.org/renstra',
    })
    const carried = await carryEvidenceItem(ctx, { id: item.id, period_id: later.id })
    t.match(carried, { carriedFromId: item.id, periodId: later.id, title: 'Renstra' })
    await t.rejects(
      carryEvidenceItem(ctx, { id: item.id, period_id: later.id }),
      problem(409, 'evidence_already_carried'),
    )
    t.same(await actions(carried.id), [['evidence.carried', 'Operator']])
    await deleteEvidence(ctx, { id: carried.id })
    t.same(await db.select().from(evidence).where(eq(evidence.id, carried.id)), [])
    t.same(await actions(carried.id), [
      ['evidence.carried', 'Operator'],
      ['evidence.deleted', 'Operator'],
    ])
    await t.rejects(deleteEvidence(ctx, { id: carried.id }), problem(404, 'evidence_not_found'))
  })
})
