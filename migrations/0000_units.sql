CREATE TABLE "units" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"instansi_id" uuid NOT NULL,
	"parent_id" uuid,
	"path" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"afirmasi" boolean DEFAULT false NOT NULL,
	"valid_from" date,
	"valid_to" date,
	"predecessor_id" uuid,
	"external_ids" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_parent_id_units_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_predecessor_id_units_id_fk" FOREIGN KEY ("predecessor_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "units_instansi_code_key" ON "units" USING btree ("instansi_id","code");--> statement-breakpoint
CREATE INDEX "units_parent_idx" ON "units" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "units_path_idx" ON "units" USING btree ("path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "units_updated_idx" ON "units" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "units_name_idx" ON "units" USING btree ("name","id");--> statement-breakpoint
CREATE INDEX "units_predecessor_idx" ON "units" USING btree ("predecessor_id");