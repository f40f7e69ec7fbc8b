CREATE TABLE "periods" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"year" integer NOT NULL,
	"instrument_version_id" uuid NOT NULL,
	"windows" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "declaration_transitions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"declaration_id" uuid NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"reason" text NOT NULL,
	"actor_principal_id" uuid,
	"actor_name" text NOT NULL,
	"actor_role" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "declarations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"period_id" uuid NOT NULL,
	"target" text NOT NULL,
	"status" text DEFAULT 'declared' NOT NULL,
	"declared_on" date NOT NULL,
	"documents" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"notes" text,
	"predicate" text,
	"designated_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"period_id" uuid,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"url" text,
	"file_name" text,
	"media_type" text,
	"size_bytes" bigint,
	"sha256" text,
	"effective_date" date,
	"carried_from_id" uuid,
	"uploaded_by_id" uuid,
	"uploaded_by_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"principal_id" uuid NOT NULL,
	"method" text NOT NULL,
	"route" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"response_status" integer,
	"response_headers" jsonb,
	"response_body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_principal_id_method_route_key_pk" PRIMARY KEY("principal_id","method","route","key")
);
--> statement-breakpoint
ALTER TABLE "periods" ADD CONSTRAINT "periods_instrument_version_id_instrument_versions_id_fk" FOREIGN KEY ("instrument_version_id") REFERENCES "public"."instrument_versions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "declaration_transitions" ADD CONSTRAINT "declaration_transitions_declaration_id_declarations_id_fk" FOREIGN KEY ("declaration_id") REFERENCES "public"."declarations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "declaration_transitions" ADD CONSTRAINT "declaration_transitions_actor_principal_id_principals_id_fk" FOREIGN KEY ("actor_principal_id") REFERENCES "public"."principals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "declarations" ADD CONSTRAINT "declarations_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "declarations" ADD CONSTRAINT "declarations_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence" ADD CONSTRAINT "evidence_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence" ADD CONSTRAINT "evidence_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence" ADD CONSTRAINT "evidence_carried_from_id_evidence_id_fk" FOREIGN KEY ("carried_from_id") REFERENCES "public"."evidence"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence" ADD CONSTRAINT "evidence_uploaded_by_id_principals_id_fk" FOREIGN KEY ("uploaded_by_id") REFERENCES "public"."principals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "periods_code_key" ON "periods" USING btree ("code");--> statement-breakpoint
CREATE INDEX "periods_year_idx" ON "periods" USING btree ("year","id");--> statement-breakpoint
CREATE INDEX "periods_updated_idx" ON "periods" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "periods_instrument_idx" ON "periods" USING btree ("instrument_version_id");--> statement-breakpoint
CREATE INDEX "declaration_transitions_declaration_idx" ON "declaration_transitions" USING btree ("declaration_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "declarations_unit_period_key" ON "declarations" USING btree ("unit_id","period_id");--> statement-breakpoint
CREATE INDEX "declarations_period_target_status_idx" ON "declarations" USING btree ("period_id","target","status");--> statement-breakpoint
CREATE INDEX "declarations_unit_status_idx" ON "declarations" USING btree ("unit_id","status");--> statement-breakpoint
CREATE INDEX "declarations_updated_idx" ON "declarations" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "evidence_unit_idx" ON "evidence" USING btree ("unit_id","created_at","id");--> statement-breakpoint
CREATE INDEX "evidence_period_idx" ON "evidence" USING btree ("period_id");--> statement-breakpoint
CREATE INDEX "evidence_created_idx" ON "evidence" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "evidence_sha256_idx" ON "evidence" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "evidence_carried_from_idx" ON "evidence" USING btree ("carried_from_id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_idx" ON "idempotency_keys" USING btree ("expires_at");