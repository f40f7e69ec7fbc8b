/**
 * Corrections of the seeded instrument on an existing install (docs/scoring.md, "Corrections of the
 * seeded instrument"). A published instrument version never changes (migration 0003's trigger), and
 * what was decided on it stays as it was: stage snapshots (the score and verdict frozen at each
 * submit and approval), proposals' checks, the audit chain. When the bundled seed's predicate rules
 * differ from those of the seeded version a database holds (LKE-ZI-2026 shipped with
 * wbbm-bersih-akuntabel 18,25 and wbbm-capaian-kinerja 2,5; PermenPANRB 90/2021 p. 53 and Tabel 6
 * p. 58 say 19,50 and 3,75), the start-up step here:
 *
 *  1. publishes a corrected revision `<code>-R<n>`: the same question tree, the seed's rules,
 *     cloned_from the version it corrects, source `seed`;
 *  2. retires the version it corrects (no new period can choose it);
 *  3. moves the periods and assessments bound to it onto the revision (the answers stay: the tree
 *     is the same), audited per period;
 *  4. re-scores every stage of those assessments into stage_metrics (the dashboards' eligible and
 *     closest lists, the planner's counts, recomputed by the plan worker).
 *
 * Scores read afterwards (score, proposal check, workbook) use the revision. One transaction under
 * an advisory lock: replicas starting together do it once; a second start finds nothing to do.
 * It lives in its own module because it touches instruments, periods, assessments and dashboards,
 * which must not import one another in a cycle.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Db, Tx } from '../../db/connection.js'
import { appendAudit, canonicalJson, systemActor } from '../audit/service.js'
import { assessmentStages, assessments } from '../assessments/tables.js'
import { syncStageMetrics } from '../dashboards/service.js'
import { validateInstrument, type InstrumentDefinition } from '../instruments/domain/index.js'
import { loadSeedInstrument } from '../instruments/seed/index.js'
import { definitionDigest } from '../instruments/service.js'
import { instrumentVersions, type InstrumentVersionRow } from '../instruments/tables.js'
import { periods } from '../periods/tables.js'

/** pg_advisory_xact_lock key of this step ('ZIcorr'). */
const LOCK_KEY = 0x5a49636f7272

export interface CorrectionOutcome {
  /** the version corrected (now retired) */
  from: { id: string; code: string }
  /** the corrected revision */
  to: { id: string; code: string }
  /** the rules whose numbers (min, measure, target) changed, by id */
  changed_rules: { id: string; before: number | null; after: number | null }[]
  periods_moved: number
  assessments_moved: number
  stages_rescored: number
}

const rulesKey = (def: InstrumentDefinition): string => canonicalJson(def.predicateRules)

/**
 * Brings every period on a seeded version whose predicate rules are not the bundled seed's onto a
 * corrected revision (see the module comment). Returns what it did (nothing on a new install or an
 * install already corrected).
 */
export async function applySeedCorrections(
  db: Db,
  seed: InstrumentDefinition = loadSeedInstrument(),
): Promise<CorrectionOutcome | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`)
    // The seeded version and the seed-made revisions after it, oldest first.
    const chain = await seedChain(tx, seed.code)
    const latest = chain.at(-1)
    if (!latest || rulesKey(latest.definition) === rulesKey(seed)) return null
    if (latest.status === 'draft') return null

    const revision = `${seed.code}-R${chain.length}`
    const definition: InstrumentDefinition = {
      ...structuredClone(latest.definition),
      code: revision,
      name: `${seed.name} (revisi ${chain.length})`,
      predicateRules: structuredClone(seed.predicateRules),
    }
    const issues = validateInstrument(definition)
    if (issues.length > 0)
      throw new Error(
        `the seed's predicate rules do not fit ${latest.code}: ${issues
          .slice(0, 3)
          .map((i) => `${i.pointer} ${i.message}`)
          .join('; ')}`,
      )
    const actor = systemActor('seed')
    const [created] = await tx
      .insert(instrumentVersions)
      .values({
        code: revision,
        name: definition.name,
        year: latest.year,
        status: 'published',
        definition,
        digest: definitionDigest(definition),
        source: 'seed',
        clonedFromId: latest.id,
        publishedAt: sql`now()` as unknown as Date,
      })
      .returning()
    if (!created) throw new Error(`could not create ${revision}`)
    const changed = changedRules(latest.definition, definition)
    await appendAudit(tx, actor, {
      action: 'instrument.corrected',
      entityType: 'instrument',
      entityId: created.id,
      before: { id: latest.id, code: latest.code, digest: latest.digest },
      after: { code: created.code, status: created.status, digest: created.digest, changed_rules: changed },
    })
    for (const old of chain) {
      if (old.status !== 'published') continue
      await tx
        .update(instrumentVersions)
        .set({
          status: 'retired',
          retiredAt: sql`now()`,
          updatedAt: sql`now()`,
          version: sql`${instrumentVersions.version} + 1`,
        })
        .where(eq(instrumentVersions.id, old.id))
      await appendAudit(tx, actor, {
        action: 'instrument.retired',
        entityType: 'instrument',
        entityId: old.id,
        before: { status: 'published' },
        after: { status: 'retired', replaced_by: created.code },
      })
    }

    const oldIds = chain.map((c) => c.id)
    const moved = await tx
      .update(periods)
      .set({ instrumentVersionId: created.id, updatedAt: sql`now()`, version: sql`${periods.version} + 1` })
      .where(inArray(periods.instrumentVersionId, oldIds))
      .returning({ id: periods.id, code: periods.code })
    for (const p of moved) {
      await appendAudit(tx, actor, {
        action: 'period.instrument_corrected',
        entityType: 'period',
        entityId: p.id,
        before: { instrument: latest.code },
        after: { instrument: created.code, changed_rules: changed },
      })
    }
    const movedAssessments = await tx
      .update(assessments)
      .set({ instrumentVersionId: created.id, updatedAt: sql`now()` })
      .where(inArray(assessments.instrumentVersionId, oldIds))
      .returning({ id: assessments.id, periodId: assessments.periodId, unitId: assessments.unitId })

    let stages = 0
    const byId = new Map(movedAssessments.map((a) => [a.id, a]))
    const ids = [...byId.keys()]
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await tx
        .select()
        .from(assessmentStages)
        .where(inArray(assessmentStages.assessmentId, ids.slice(i, i + 500)))
        .orderBy(asc(assessmentStages.assessmentId), asc(assessmentStages.id))
      // self stages first, so a tpi stage finds its self row for the divergence
      rows.sort((a, b) => (a.kind === 'self' ? 0 : 1) - (b.kind === 'self' ? 0 : 1))
      for (const stage of rows) {
        const a = byId.get(stage.assessmentId)!
        await syncStageMetrics(tx, stage, {
          def: definition,
          assessment: { periodId: a.periodId, unitId: a.unitId, instrumentVersionId: created.id },
        })
        stages++
      }
    }
    return {
      from: { id: latest.id, code: latest.code },
      to: { id: created.id, code: created.code },
      changed_rules: changed,
      periods_moved: moved.length,
      assessments_moved: movedAssessments.length,
      stages_rescored: stages,
    }
  })
}

/** The seeded version of `code` and the seed-made revisions after it, oldest first. */
async function seedChain(tx: Tx, code: string): Promise<InstrumentVersionRow[]> {
  const [first] = await tx
    .select()
    .from(instrumentVersions)
    .where(and(eq(instrumentVersions.code, code), eq(instrumentVersions.source, 'seed')))
  if (!first) return []
  const chain = [first]
  for (;;) {
    const [next] = await tx
      .select()
      .from(instrumentVersions)
      .where(and(eq(instrumentVersions.clonedFromId, chain.at(-1)!.id), eq(instrumentVersions.source, 'seed')))
    if (!next) return chain
    chain.push(next)
  }
}

function changedRules(before: InstrumentDefinition, after: InstrumentDefinition) {
  const old = new Map(before.predicateRules.map((r) => [r.id, r]))
  const out: { id: string; before: number | null; after: number | null }[] = []
  for (const r of after.predicateRules) {
    const o = old.get(r.id)
    if (!o || o.min !== r.min || o.measure !== r.measure || canonicalJson(o.target) !== canonicalJson(r.target))
      out.push({ id: r.id, before: o?.min ?? null, after: r.min })
  }
  for (const o of before.predicateRules)
    if (!after.predicateRules.some((r) => r.id === o.id)) out.push({ id: o.id, before: o.min, after: null })
  return out
}
