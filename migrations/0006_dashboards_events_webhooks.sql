CREATE TABLE "dashboard_counters" (
	"period_id" uuid NOT NULL,
	"scope_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"metric" text NOT NULL,
	"count" bigint NOT NULL,
	"sum" numeric NOT NULL,
	CONSTRAINT "dashboard_counters_pkey" PRIMARY KEY("period_id","scope_id","kind","metric")
);
--> statement-breakpoint
CREATE TABLE "stage_metrics" (
	"stage_id" uuid PRIMARY KEY NOT NULL,
	"assessment_id" uuid NOT NULL,
	"period_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"stage_version" integer NOT NULL,
	"question_count" integer NOT NULL,
	"answered_count" integer NOT NULL,
	"total" double precision NOT NULL,
	"max_total" double precision NOT NULL,
	"values" jsonb NOT NULL,
	"multipliers" jsonb NOT NULL,
	"predicate" text NOT NULL,
	"wbk_short" double precision NOT NULL,
	"wbbm_short" double precision NOT NULL,
	"lacking" jsonb NOT NULL,
	"divergence" double precision,
	"divergence_abs" double precision,
	"contributions" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"type" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"unit_id" uuid,
	"period_id" uuid,
	"assessment_id" uuid,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"restricted" boolean DEFAULT false NOT NULL,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscription_id" uuid NOT NULL,
	"event_id" bigint NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_status_code" integer,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_delivery_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"delivery_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"status_code" integer,
	"error" text,
	"response_excerpt" text
);
--> statement-breakpoint
CREATE TABLE "webhook_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"url" text NOT NULL,
	"description" text,
	"event_types" text[] DEFAULT '{}'::text[] NOT NULL,
	"unit_id" uuid,
	"secret_ciphertext" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dashboard_counters" ADD CONSTRAINT "dashboard_counters_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_metrics" ADD CONSTRAINT "stage_metrics_stage_id_assessment_stages_id_fk" FOREIGN KEY ("stage_id") REFERENCES "public"."assessment_stages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_metrics" ADD CONSTRAINT "stage_metrics_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_metrics" ADD CONSTRAINT "stage_metrics_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_metrics" ADD CONSTRAINT "stage_metrics_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_webhook_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."webhook_subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_delivery_attempts" ADD CONSTRAINT "webhook_delivery_attempts_delivery_id_webhook_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."webhook_deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_created_by_principals_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."principals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stage_metrics_assessment_idx" ON "stage_metrics" USING btree ("assessment_id","kind");--> statement-breakpoint
CREATE INDEX "stage_metrics_unit_idx" ON "stage_metrics" USING btree ("unit_id","kind");--> statement-breakpoint
CREATE INDEX "stage_metrics_wbk_idx" ON "stage_metrics" USING btree ("period_id","kind","predicate","wbk_short","stage_id");--> statement-breakpoint
CREATE INDEX "stage_metrics_wbbm_idx" ON "stage_metrics" USING btree ("period_id","kind","predicate","wbbm_short","stage_id");--> statement-breakpoint
CREATE INDEX "stage_metrics_divergence_idx" ON "stage_metrics" USING btree ("period_id","kind","divergence_abs","stage_id");--> statement-breakpoint
CREATE INDEX "events_unit_idx" ON "events" USING btree ("unit_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_subscription_event_key" ON "webhook_deliveries" USING btree ("subscription_id","event_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("next_attempt_at","id") WHERE "webhook_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_event_idx" ON "webhook_deliveries" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "webhook_delivery_attempts_delivery_idx" ON "webhook_delivery_attempts" USING btree ("delivery_id","attempt");--> statement-breakpoint
CREATE INDEX "webhook_subscriptions_created_idx" ON "webhook_subscriptions" USING btree ("created_at","id");--> statement-breakpoint
-- Dashboard roll-ups. A stage_metrics row carries its `contributions` (metric → [count, sum]);
-- these triggers add the difference between a row's old and new contributions into
-- dashboard_counters for every strict ancestor of the unit and for the nil uuid ("every unit"),
-- so a period summary reads a bounded number of counter rows whatever the number of units or
-- answers. Declarations contribute "<target>:<status>" under kind 'decl'. A unit moved to another
-- parent takes its contributions from its old ancestors to its new ones.
--
-- The triggers are deferred to commit: a transaction's counter updates then come after every
-- other lock it takes (like its audit event, under the same advisory lock), so counter rows
-- shared by many units never take part in a lock cycle, and a row changed several times in one
-- transaction applies each change's difference in turn.
--
-- The scopes a unit's figures are added to: its strict ancestors (from its path) and the nil uuid.
CREATE FUNCTION dashboard_scopes(p_path text) RETURNS uuid[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_append(
    coalesce((parts[1:greatest(cardinality(parts) - 1, 0)])::uuid[], '{}'::uuid[]),
    '00000000-0000-0000-0000-000000000000'::uuid)
  FROM (SELECT string_to_array(trim(both '/' from p_path), '/') AS parts) p
$$;
--> statement-breakpoint
-- new − old, keeping only metrics that changed.
CREATE FUNCTION dashboard_delta(p_new jsonb, p_old jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(nc - oc, ns - os)), '{}'::jsonb)
  FROM (
    SELECT coalesce(n.key, o.key) AS k,
      coalesce((n.value->>0)::bigint, 0) AS nc, coalesce((o.value->>0)::bigint, 0) AS oc,
      coalesce((n.value->>1)::numeric, 0) AS ns, coalesce((o.value->>1)::numeric, 0) AS os
    FROM jsonb_each(coalesce(p_new, '{}'::jsonb)) n FULL JOIN jsonb_each(coalesce(p_old, '{}'::jsonb)) o ON n.key = o.key
  ) x
  WHERE nc <> oc OR ns <> os
$$;
--> statement-breakpoint
-- Adds a delta to the counters of the given scopes. Takes the same transaction-scoped advisory
-- lock as the audit chain (727_2022, src/modules/audit/service.ts), which every mutation takes
-- before it commits anyway: only its holder ever locks a counter row, so the rows shared by many
-- units (an OPD, the instansi, the global row) are never waited for in a cycle, and nothing waits
-- longer than it already did. Rows are upserted in (scope, metric) order.
CREATE FUNCTION dashboard_apply(p_period uuid, p_scopes uuid[], p_kind text, p_delta jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_delta IS NULL OR p_delta = '{}'::jsonb OR coalesce(cardinality(p_scopes), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(7272022);
  INSERT INTO dashboard_counters AS c (period_id, scope_id, kind, metric, count, sum)
  SELECT p_period, s.scope_id, p_kind, d.key, (d.value->>0)::bigint, (d.value->>1)::numeric
  FROM unnest(p_scopes) AS s(scope_id) CROSS JOIN jsonb_each(p_delta) AS d
  ORDER BY s.scope_id, d.key
  ON CONFLICT (period_id, scope_id, kind, metric)
  DO UPDATE SET count = c.count + excluded.count, sum = c.sum + excluded.sum;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION dashboard_decl_contribution(p_target text, p_status text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(p_target || ':' || p_status, jsonb_build_array(1, 0))
$$;
--> statement-breakpoint
CREATE FUNCTION stage_metrics_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p text;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.period_id = OLD.period_id AND NEW.unit_id = OLD.unit_id AND NEW.kind = OLD.kind THEN
    SELECT path INTO p FROM units WHERE id = NEW.unit_id;
    PERFORM dashboard_apply(NEW.period_id, dashboard_scopes(p), NEW.kind, dashboard_delta(NEW.contributions, OLD.contributions));
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT path INTO p FROM units WHERE id = OLD.unit_id;
    PERFORM dashboard_apply(OLD.period_id, dashboard_scopes(p), OLD.kind, dashboard_delta(NULL, OLD.contributions));
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    SELECT path INTO p FROM units WHERE id = NEW.unit_id;
    PERFORM dashboard_apply(NEW.period_id, dashboard_scopes(p), NEW.kind, dashboard_delta(NEW.contributions, NULL));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER stage_metrics_rollup AFTER INSERT OR UPDATE OR DELETE ON "stage_metrics"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stage_metrics_rollup();
--> statement-breakpoint
CREATE FUNCTION declarations_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p text;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.period_id = OLD.period_id AND NEW.unit_id = OLD.unit_id THEN
    SELECT path INTO p FROM units WHERE id = NEW.unit_id;
    PERFORM dashboard_apply(NEW.period_id, dashboard_scopes(p), 'decl',
      dashboard_delta(dashboard_decl_contribution(NEW.target, NEW.status), dashboard_decl_contribution(OLD.target, OLD.status)));
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT path INTO p FROM units WHERE id = OLD.unit_id;
    PERFORM dashboard_apply(OLD.period_id, dashboard_scopes(p), 'decl', dashboard_delta(NULL, dashboard_decl_contribution(OLD.target, OLD.status)));
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    SELECT path INTO p FROM units WHERE id = NEW.unit_id;
    PERFORM dashboard_apply(NEW.period_id, dashboard_scopes(p), 'decl', dashboard_decl_contribution(NEW.target, NEW.status));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER declarations_rollup AFTER INSERT OR UPDATE OR DELETE ON "declarations"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION declarations_rollup();
--> statement-breakpoint
CREATE FUNCTION units_rollup_move() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  gone uuid[];
  came uuid[];
  r record;
BEGIN
  gone := ARRAY(SELECT unnest(dashboard_scopes(OLD.path)) EXCEPT SELECT unnest(dashboard_scopes(NEW.path)));
  came := ARRAY(SELECT unnest(dashboard_scopes(NEW.path)) EXCEPT SELECT unnest(dashboard_scopes(OLD.path)));
  FOR r IN SELECT period_id, kind, contributions FROM stage_metrics WHERE unit_id = NEW.id LOOP
    PERFORM dashboard_apply(r.period_id, gone, r.kind, dashboard_delta(NULL, r.contributions));
    PERFORM dashboard_apply(r.period_id, came, r.kind, dashboard_delta(r.contributions, NULL));
  END LOOP;
  FOR r IN SELECT period_id, target, status FROM declarations WHERE unit_id = NEW.id LOOP
    PERFORM dashboard_apply(r.period_id, gone, 'decl', dashboard_delta(NULL, dashboard_decl_contribution(r.target, r.status)));
    PERFORM dashboard_apply(r.period_id, came, 'decl', dashboard_decl_contribution(r.target, r.status));
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER units_rollup_move AFTER UPDATE OF path ON "units"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION units_rollup_move();
--> statement-breakpoint
-- Recomputes every counter from stage_metrics and declarations in one pass (set-based). The
-- triggers keep the counters exact; this is for repairs after manual data changes and for bulk
-- loads: `SELECT dashboard_rebuild();`
CREATE FUNCTION dashboard_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7272022);
  DELETE FROM dashboard_counters;
  INSERT INTO dashboard_counters (period_id, scope_id, kind, metric, count, sum)
  SELECT period_id, scope_id, kind, metric, sum(count), sum(sum)
  FROM (
    SELECT sm.period_id, s.scope_id, sm.kind::text AS kind, c.key AS metric, (c.value->>0)::bigint AS count, (c.value->>1)::numeric AS sum
    FROM stage_metrics sm
    JOIN units u ON u.id = sm.unit_id
    CROSS JOIN LATERAL unnest(dashboard_scopes(u.path)) AS s(scope_id)
    CROSS JOIN LATERAL jsonb_each(sm.contributions) AS c
    UNION ALL
    SELECT d.period_id, s.scope_id, 'decl', d.target || ':' || d.status, 1, 0
    FROM declarations d
    JOIN units u ON u.id = d.unit_id
    CROSS JOIN LATERAL unnest(dashboard_scopes(u.path)) AS s(scope_id)
  ) x
  GROUP BY period_id, scope_id, kind, metric;
END;
$$;
--> statement-breakpoint
-- Declarations made before this migration (stage rows are filled in at start-up by the app, which scores them).
SELECT dashboard_rebuild();
