-- PermenPANRB 90/2021 Lampiran II Tabel 5 (p. 46-47), "Tingkat unit kerja/satuan kerja": what the
-- admin records per unit and period (core service unit, impact on public perception, TLHP, LHKPN,
-- LHKASN, the unit's SAKIP predicate from the internal evaluation), each with optional evidence and
-- who recorded it when. The proposal checks read them (src/modules/proposals/rules.ts).
CREATE TABLE "unit_requirements" (
	"unit_id" uuid NOT NULL,
	"period_id" uuid NOT NULL,
	"requirement" text NOT NULL,
	"value" jsonb NOT NULL,
	"justification" text,
	"evidence_id" uuid,
	"recorded_by_id" uuid,
	"recorded_by_name" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "unit_requirements_pk" PRIMARY KEY("unit_id","period_id","requirement")
);
--> statement-breakpoint
ALTER TABLE "unit_requirements" ADD CONSTRAINT "unit_requirements_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_requirements" ADD CONSTRAINT "unit_requirements_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_requirements" ADD CONSTRAINT "unit_requirements_evidence_id_evidence_id_fk" FOREIGN KEY ("evidence_id") REFERENCES "public"."evidence"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_requirements" ADD CONSTRAINT "unit_requirements_recorded_by_id_principals_id_fk" FOREIGN KEY ("recorded_by_id") REFERENCES "public"."principals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "unit_requirements_period_idx" ON "unit_requirements" USING btree ("period_id");--> statement-breakpoint
CREATE INDEX "unit_requirements_evidence_idx" ON "unit_requirements" USING btree ("evidence_id");--> statement-breakpoint
-- P90 Tabel 6 (p. 58): WBBM needs Menuju WBK held; PortalRB's "2 tahun WBK" stays as its own rule.
-- P90 Lampiran III BAB IV C (p. 63-64): no WBK proposal until 2 years after a revocation decision.
ALTER TABLE "proposal_rules" ADD COLUMN "wbbm_requires_wbk" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "proposal_rules" ADD COLUMN "revocation_ban_years" integer DEFAULT 2 NOT NULL;--> statement-breakpoint
-- The TPN's steps after the administrative selection (desk evaluation, field evaluation, survey,
-- clearance, panel, LHE), each with its date and note; recorded when known, never required.
ALTER TABLE "proposals" ADD COLUMN "tpn_steps" jsonb DEFAULT '[]'::jsonb NOT NULL;
