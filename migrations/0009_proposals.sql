ALTER TABLE "units" ADD COLUMN "instansi_kind" text;
--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_instansi_kind_check" CHECK ("instansi_kind" IS NULL OR ("kind" = 'instansi' AND "instansi_kind" IN ('kementerian_lembaga', 'provinsi', 'kabupaten', 'kota')));
--> statement-breakpoint
CREATE TABLE "proposal_rules" (
	"period_id" uuid PRIMARY KEY NOT NULL,
	"gate_rules" jsonb NOT NULL,
	"afirmasi_instansi_kinds" jsonb NOT NULL,
	"wbbm_min_wbk_years" integer NOT NULL,
	"updated_by_name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "proposal_rules_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "periods"("id") ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE "instansi_gate_values" (
	"instansi_id" uuid NOT NULL,
	"period_id" uuid NOT NULL,
	"indicator" text NOT NULL,
	"value" jsonb NOT NULL,
	"evidence_id" uuid,
	"recorded_by_id" uuid,
	"recorded_by_name" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "instansi_gate_values_pk" PRIMARY KEY ("instansi_id", "period_id", "indicator"),
	CONSTRAINT "instansi_gate_values_instansi_id_units_id_fk" FOREIGN KEY ("instansi_id") REFERENCES "units"("id") ON DELETE restrict,
	CONSTRAINT "instansi_gate_values_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "periods"("id") ON DELETE restrict,
	CONSTRAINT "instansi_gate_values_evidence_id_evidence_id_fk" FOREIGN KEY ("evidence_id") REFERENCES "evidence"("id") ON DELETE restrict,
	CONSTRAINT "instansi_gate_values_recorded_by_id_principals_id_fk" FOREIGN KEY ("recorded_by_id") REFERENCES "principals"("id") ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX "instansi_gate_values_period_idx" ON "instansi_gate_values" USING btree ("period_id");
--> statement-breakpoint
CREATE TABLE "proposal_packages" (
	"instansi_id" uuid NOT NULL,
	"period_id" uuid NOT NULL,
	"surat_usulan_evidence_id" uuid,
	"sptjm_evidence_id" uuid,
	"tlhp_evidence_id" uuid,
	"survei_mandiri_evidence_id" uuid,
	"pic_name" text,
	"pic_email" text,
	"pic_phone" text,
	"updated_by_name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "proposal_packages_pk" PRIMARY KEY ("instansi_id", "period_id"),
	CONSTRAINT "proposal_packages_instansi_id_units_id_fk" FOREIGN KEY ("instansi_id") REFERENCES "units"("id") ON DELETE restrict,
	CONSTRAINT "proposal_packages_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "periods"("id") ON DELETE restrict,
	CONSTRAINT "proposal_packages_surat_usulan_fk" FOREIGN KEY ("surat_usulan_evidence_id") REFERENCES "evidence"("id") ON DELETE restrict,
	CONSTRAINT "proposal_packages_sptjm_fk" FOREIGN KEY ("sptjm_evidence_id") REFERENCES "evidence"("id") ON DELETE restrict,
	CONSTRAINT "proposal_packages_tlhp_fk" FOREIGN KEY ("tlhp_evidence_id") REFERENCES "evidence"("id") ON DELETE restrict,
	CONSTRAINT "proposal_packages_survei_mandiri_fk" FOREIGN KEY ("survei_mandiri_evidence_id") REFERENCES "evidence"("id") ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE "proposals" (
	"declaration_id" uuid PRIMARY KEY NOT NULL,
	"period_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"instansi_id" uuid NOT NULL,
	"target" text NOT NULL,
	"route" text NOT NULL,
	"checks" jsonb NOT NULL,
	"tpi_total" double precision,
	"proposed_by_id" uuid,
	"proposed_by_name" text NOT NULL,
	"proposed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"administrative_selection" jsonb,
	"sanggah" jsonb,
	"evaluation" jsonb,
	"decision" jsonb,
	"revocation" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "proposals_declaration_id_declarations_id_fk" FOREIGN KEY ("declaration_id") REFERENCES "declarations"("id") ON DELETE restrict,
	CONSTRAINT "proposals_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "periods"("id") ON DELETE restrict,
	CONSTRAINT "proposals_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE restrict,
	CONSTRAINT "proposals_proposed_by_id_principals_id_fk" FOREIGN KEY ("proposed_by_id") REFERENCES "principals"("id") ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX "proposals_period_idx" ON "proposals" USING btree ("period_id", "target");
--> statement-breakpoint
CREATE INDEX "proposals_unit_idx" ON "proposals" USING btree ("unit_id");
