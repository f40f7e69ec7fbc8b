import {
  boolean,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'
import { jsonb } from '../../db/jsonb.js'
import { principals } from '../auth/tables.js'
import { TARGETS } from '../declarations/rules.js'
import { declarations } from '../declarations/tables.js'
import { evidence } from '../evidence/tables.js'
import { periods } from '../periods/tables.js'
import { units, type InstansiKind } from '../units/tables.js'
import type {
  AdministrativeSelection,
  Decision,
  Evaluation,
  GateIndicator,
  GateRule,
  ProposalCheck,
  Revocation,
  Sanggah,
  TpnStep,
  UnitRequirement,
} from './rules.js'

export const PROPOSAL_ROUTES = ['regular', 'afirmasi'] as const
export type ProposalRoute = (typeof PROPOSAL_ROUTES)[number]

/**
 * The proposal rules of a period, when the admin changed them: the instansi gate, which instansi
 * kinds may use the afirmasi route, and how long a WBK must be held before WBBM. A period
 * without a row uses the defaults (rules.ts DEFAULT_PROPOSAL_RULES).
 */
export const proposalRules = pgTable('proposal_rules', {
  periodId: uuid('period_id')
    .primaryKey()
    .references(() => periods.id, { onDelete: 'restrict' }),
  gateRules: jsonb('gate_rules').$type<GateRule[]>().notNull(),
  afirmasiInstansiKinds: jsonb('afirmasi_instansi_kinds').$type<InstansiKind[]>().notNull(),
  wbbmMinWbkYears: integer('wbbm_min_wbk_years').notNull(),
  /** P90 Tabel 6 (p. 58): WBBM needs Menuju WBK held (migration 0015) */
  wbbmRequiresWbk: boolean('wbbm_requires_wbk').notNull().default(true),
  /** P90 Lampiran III BAB IV C (p. 63-64): years after a revocation decision before a new WBK proposal (migration 0015) */
  revocationBanYears: integer('revocation_ban_years').notNull().default(2),
  updatedByName: text('updated_by_name').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
})
export type ProposalRulesRow = typeof proposalRules.$inferSelect

/** One gate indicator of an instansi in a period (Opini BPK, SPIP, SAKIP, Indeks RB), with who recorded it. */
export const instansiGateValues = pgTable(
  'instansi_gate_values',
  {
    instansiId: uuid('instansi_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    periodId: uuid('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'restrict' }),
    indicator: text('indicator').$type<GateIndicator>().notNull(),
    /** 'WTP'… for opini_bpk, a number for the others */
    value: jsonb('value').$type<string | number>().notNull(),
    evidenceId: uuid('evidence_id').references(() => evidence.id, { onDelete: 'restrict' }),
    recordedById: uuid('recorded_by_id').references(() => principals.id, { onDelete: 'set null' }),
    recordedByName: text('recorded_by_name').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'instansi_gate_values_pk', columns: [t.instansiId, t.periodId, t.indicator] }),
    index('instansi_gate_values_period_idx').on(t.periodId),
  ],
)
export type GateValueRow = typeof instansiGateValues.$inferSelect

/** The instansi's proposal package for a period: documents as its evidence items, and the PIC. */
export const proposalPackages = pgTable(
  'proposal_packages',
  {
    instansiId: uuid('instansi_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    periodId: uuid('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'restrict' }),
    suratUsulanEvidenceId: uuid('surat_usulan_evidence_id').references(() => evidence.id, { onDelete: 'restrict' }),
    sptjmEvidenceId: uuid('sptjm_evidence_id').references(() => evidence.id, { onDelete: 'restrict' }),
    tlhpEvidenceId: uuid('tlhp_evidence_id').references(() => evidence.id, { onDelete: 'restrict' }),
    surveiMandiriEvidenceId: uuid('survei_mandiri_evidence_id').references(() => evidence.id, { onDelete: 'restrict' }),
    picName: text('pic_name'),
    picEmail: text('pic_email'),
    picPhone: text('pic_phone'),
    updatedByName: text('updated_by_name').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [primaryKey({ name: 'proposal_packages_pk', columns: [t.instansiId, t.periodId] })],
)
export type PackageRow = typeof proposalPackages.$inferSelect

/**
 * A unit proposed to KemenPANRB (one per declaration, written only when every proposal check
 * passed), then what the TPN decided: administrative selection, sanggah, evaluation, the
 * designation or not, and a revocation.
 */
export const proposals = pgTable(
  'proposals',
  {
    declarationId: uuid('declaration_id')
      .primaryKey()
      .references(() => declarations.id, { onDelete: 'restrict' }),
    periodId: uuid('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'restrict' }),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    instansiId: uuid('instansi_id').notNull(),
    target: text('target', { enum: TARGETS }).notNull(),
    route: text('route', { enum: PROPOSAL_ROUTES }).notNull(),
    /** every check as it stood when the unit was proposed */
    checks: jsonb('checks').$type<ProposalCheck[]>().notNull(),
    tpiTotal: doublePrecision('tpi_total'),
    proposedById: uuid('proposed_by_id').references(() => principals.id, { onDelete: 'set null' }),
    proposedByName: text('proposed_by_name').notNull(),
    proposedAt: timestamp('proposed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    administrativeSelection: jsonb('administrative_selection').$type<AdministrativeSelection | null>(),
    sanggah: jsonb('sanggah').$type<Sanggah | null>(),
    evaluation: jsonb('evaluation').$type<Evaluation | null>(),
    decision: jsonb('decision').$type<Decision | null>(),
    revocation: jsonb('revocation').$type<Revocation | null>(),
    /** the TPN's steps after the administrative selection, as recorded (migration 0015) */
    tpnSteps: jsonb('tpn_steps').$type<TpnStep[]>().notNull().default([]),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('proposals_period_idx').on(t.periodId, t.target), index('proposals_unit_idx').on(t.unitId)],
)
export type ProposalRow = typeof proposals.$inferSelect

/**
 * A unit-level requirement of PermenPANRB 90/2021 Tabel 5 (p. 46-47) for a unit in a period, as the
 * admin recorded it, with optional evidence and who recorded it when (migration 0015).
 */
export const unitRequirements = pgTable(
  'unit_requirements',
  {
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    periodId: uuid('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'restrict' }),
    requirement: text('requirement').$type<UnitRequirement>().notNull(),
    /** true/false for the yes/no ones, a percentage 0-100, or a SAKIP grade (AA … D) */
    value: jsonb('value').$type<boolean | number | string>().notNull(),
    justification: text('justification'),
    evidenceId: uuid('evidence_id').references(() => evidence.id, { onDelete: 'restrict' }),
    recordedById: uuid('recorded_by_id').references(() => principals.id, { onDelete: 'set null' }),
    recordedByName: text('recorded_by_name').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'unit_requirements_pk', columns: [t.unitId, t.periodId, t.requirement] }),
    index('unit_requirements_period_idx').on(t.periodId),
    index('unit_requirements_evidence_idx').on(t.evidenceId),
  ],
)
export type UnitRequirementRow = typeof unitRequirements.$inferSelect
