CREATE TABLE "instrument_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"year" integer NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"definition" jsonb NOT NULL,
	"digest" text NOT NULL,
	"source" text NOT NULL,
	"cloned_from_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "instrument_versions" ADD CONSTRAINT "instrument_versions_cloned_from_id_instrument_versions_id_fk" FOREIGN KEY ("cloned_from_id") REFERENCES "public"."instrument_versions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "instrument_versions_code_key" ON "instrument_versions" USING btree ("code");--> statement-breakpoint
CREATE INDEX "instrument_versions_year_idx" ON "instrument_versions" USING btree ("year","code");--> statement-breakpoint
CREATE INDEX "instrument_versions_clone_idx" ON "instrument_versions" USING btree ("cloned_from_id");--> statement-breakpoint
-- A published or retired instrument is immutable: only its status may move on (published → retired).
CREATE FUNCTION instrument_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' AND (NEW.definition IS DISTINCT FROM OLD.definition OR NEW.code IS DISTINCT FROM OLD.code OR NEW.year IS DISTINCT FROM OLD.year) THEN
    RAISE EXCEPTION 'instrument version % is %, its content cannot change', OLD.code, OLD.status USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER instrument_versions_guard BEFORE UPDATE ON instrument_versions FOR EACH ROW EXECUTE FUNCTION instrument_versions_guard();
