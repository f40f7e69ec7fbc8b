CREATE TABLE "feed_retention" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"purged_through" bigint NOT NULL,
	"purged_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feed_retention_one_row" CHECK ("feed_retention"."id")
);
--> statement-breakpoint
CREATE INDEX "events_occurred_at_idx" ON "events" USING btree ("occurred_at");