-- Rencana aksi: actions per unit, period and area perubahan, their monthly realisation and the
-- TPI's monitoring notes (src/modules/actions/tables.ts).
CREATE TABLE "action_monitoring_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"action_id" uuid NOT NULL,
	"note" text NOT NULL,
	"author_principal_id" uuid,
	"author_name" text NOT NULL,
	"author_role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "action_realisations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"action_id" uuid NOT NULL,
	"month" text NOT NULL,
	"progress_percent" integer NOT NULL,
	"narrative" text,
	"evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"recorded_by_id" uuid,
	"recorded_by_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "action_realisations_progress_check" CHECK ("action_realisations"."progress_percent" between 0 and 100),
	CONSTRAINT "action_realisations_month_check" CHECK ("action_realisations"."month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
--> statement-breakpoint
CREATE TABLE "actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"period_id" uuid NOT NULL,
	"area" text NOT NULL,
	"question_code" text,
	"title" text NOT NULL,
	"description" text,
	"pic_name" text NOT NULL,
	"pic_principal_id" uuid,
	"target_date" date NOT NULL,
	"expected_output" text,
	"status" text DEFAULT 'planned' NOT NULL,
	"cancel_reason" text,
	"source" text DEFAULT 'manual' NOT NULL,
	"plan_target" text,
	"proposed_answer" text,
	"created_by_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "actions_cancel_reason_check" CHECK (("actions"."status" = 'cancelled') = ("actions"."cancel_reason" is not null)),
	CONSTRAINT "actions_status_check" CHECK ("actions"."status" in ('planned', 'in_progress', 'done', 'cancelled')),
	CONSTRAINT "actions_source_check" CHECK ("actions"."source" in ('manual', 'plan')),
	CONSTRAINT "actions_area_check" CHECK ("actions"."area" in ('manajemen_perubahan', 'penataan_tatalaksana', 'penataan_sdm', 'penguatan_akuntabilitas', 'penguatan_pengawasan', 'pelayanan_publik'))
);
--> statement-breakpoint
ALTER TABLE "action_monitoring_notes" ADD CONSTRAINT "action_monitoring_notes_action_id_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "action_monitoring_notes" ADD CONSTRAINT "action_monitoring_notes_author_principal_id_principals_id_fk" FOREIGN KEY ("author_principal_id") REFERENCES "public"."principals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "action_realisations" ADD CONSTRAINT "action_realisations_action_id_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "action_realisations" ADD CONSTRAINT "action_realisations_recorded_by_id_principals_id_fk" FOREIGN KEY ("recorded_by_id") REFERENCES "public"."principals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_pic_principal_id_principals_id_fk" FOREIGN KEY ("pic_principal_id") REFERENCES "public"."principals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "action_monitoring_notes_action_idx" ON "action_monitoring_notes" USING btree ("action_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "action_realisations_action_month_key" ON "action_realisations" USING btree ("action_id","month");--> statement-breakpoint
CREATE INDEX "actions_unit_period_idx" ON "actions" USING btree ("unit_id","period_id","area","target_date");--> statement-breakpoint
CREATE INDEX "actions_period_status_idx" ON "actions" USING btree ("period_id","status","target_date");--> statement-breakpoint
CREATE INDEX "actions_open_target_idx" ON "actions" USING btree ("target_date") WHERE "actions"."status" in ('planned', 'in_progress');
