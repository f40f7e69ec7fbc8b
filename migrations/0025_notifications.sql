-- Notices by e-mail (src/modules/notifications/tables.ts): preferences, the notice outbox, its attempts,
-- and the change-feed cursor the notice worker reads from (it starts after the events already there).
CREATE TABLE "notice_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notice_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"error" text,
	"message_id" text
);
--> statement-breakpoint
CREATE TABLE "notice_cursor" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"last_event_id" bigint NOT NULL,
	CONSTRAINT "notice_cursor_one_row" CHECK ("notice_cursor"."id")
);
--> statement-breakpoint
CREATE TABLE "notice_preferences" (
	"principal_id" uuid PRIMARY KEY NOT NULL,
	"language" text DEFAULT 'id' NOT NULL,
	"delivery" text DEFAULT 'immediate' NOT NULL,
	"muted_kinds" text[] DEFAULT '{}'::text[] NOT NULL,
	"unsubscribe_secret" text DEFAULT replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '') NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"recipient_id" uuid NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"occasion" text NOT NULL,
	"event_id" bigint,
	"unit_id" uuid,
	"period_id" uuid,
	"params" jsonb NOT NULL,
	"link" text,
	"digest" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notice_attempts" ADD CONSTRAINT "notice_attempts_notice_id_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."notices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_preferences" ADD CONSTRAINT "notice_preferences_principal_id_principals_id_fk" FOREIGN KEY ("principal_id") REFERENCES "public"."principals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_recipient_id_principals_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."principals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notice_attempts_notice_idx" ON "notice_attempts" USING btree ("notice_id","attempt");--> statement-breakpoint
CREATE UNIQUE INDEX "notices_once_key" ON "notices" USING btree ("kind","subject_type","subject_id","recipient_id","occasion");--> statement-breakpoint
CREATE INDEX "notices_due_idx" ON "notices" USING btree ("recipient_id","next_attempt_at") WHERE "notices"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "notices_created_idx" ON "notices" USING btree ("created_at","id");--> statement-breakpoint
INSERT INTO "notice_cursor" ("id", "last_event_id") SELECT true, coalesce(max("id"), 0) FROM "events";
