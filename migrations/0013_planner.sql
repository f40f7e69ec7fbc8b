-- The improvement planner's answer per stage: how many answer changes (at the default cost of one
-- per question) the stage needs to meet WBK / WBBM; 0 when it already does, NULL when no change of
-- the answers a unit controls can reach it. plan_checked is false on rows written before this
-- migration, which the service fills in at start-up (dashboards: backfillPlanCounts).
ALTER TABLE "stage_metrics" ADD COLUMN "wbk_changes" integer;
--> statement-breakpoint
ALTER TABLE "stage_metrics" ADD COLUMN "wbbm_changes" integer;
--> statement-breakpoint
ALTER TABLE "stage_metrics" ADD COLUMN "plan_checked" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
CREATE INDEX "stage_metrics_wbk_changes_idx" ON "stage_metrics" USING btree ("period_id","kind","predicate","wbk_changes","wbk_short","stage_id");
--> statement-breakpoint
CREATE INDEX "stage_metrics_wbbm_changes_idx" ON "stage_metrics" USING btree ("period_id","kind","predicate","wbbm_changes","wbbm_short","stage_id");
--> statement-breakpoint
CREATE INDEX "stage_metrics_plan_unchecked_idx" ON "stage_metrics" USING btree ("stage_id") WHERE NOT "plan_checked";
