-- The live definition of the dashboard counters (dashboard_counters): the functions and triggers as they run today.
-- Checked against the migrated database by test/foundation/live-sql.test.ts; change them here and
-- put the change in a new migration with `npm run sql:migration` (docs/contributing.md).

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

-- The scopes a unit's figures are added to: its strict ancestors (from its path) and the nil uuid.
CREATE OR REPLACE FUNCTION dashboard_scopes(p_path text) RETURNS uuid[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_append(
    coalesce((parts[1:greatest(cardinality(parts) - 1, 0)])::uuid[], '{}'::uuid[]),
    '00000000-0000-0000-0000-000000000000'::uuid)
  FROM (SELECT string_to_array(trim(both '/' from p_path), '/') AS parts) p
$$;
--> statement-breakpoint
-- new − old, keeping only metrics that changed.
CREATE OR REPLACE FUNCTION dashboard_delta(p_new jsonb, p_old jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
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
-- lock as the audit chain (WRITE_LOCK, src/db/locks.ts), which every mutation takes
-- before it commits anyway: only its holder ever locks a counter row, so the rows shared by many
-- units (an OPD, the instansi, the global row) are never waited for in a cycle, and nothing waits
-- longer than it already did. Rows are upserted in (scope, metric) order.
CREATE OR REPLACE FUNCTION dashboard_apply(p_period uuid, p_scopes uuid[], p_kind text, p_delta jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_delta IS NULL OR p_delta = '{}'::jsonb OR coalesce(cardinality(p_scopes), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock({{WRITE_LOCK}});
  INSERT INTO dashboard_counters AS c (period_id, scope_id, kind, metric, count, sum)
  SELECT p_period, s.scope_id, p_kind, d.key, (d.value->>0)::bigint, (d.value->>1)::numeric
  FROM unnest(p_scopes) AS s(scope_id) CROSS JOIN jsonb_each(p_delta) AS d
  ORDER BY s.scope_id, d.key
  ON CONFLICT (period_id, scope_id, kind, metric)
  DO UPDATE SET count = c.count + excluded.count, sum = c.sum + excluded.sum;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION dashboard_decl_contribution(p_target text, p_status text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(p_target || ':' || p_status, jsonb_build_array(1, 0))
$$;
--> statement-breakpoint
-- The proposal funnel: a proposal row contributes one count per step it reached, under kind 'proposal'; the steps
-- "declared" and "building" come from the declarations' own counters (kind 'decl'). The rule for
-- passing the administrative selection is passedAdministrative in src/modules/proposals/rules.ts:
-- a recorded selection that passed, or a sanggah that was accepted ("diterima").
CREATE OR REPLACE FUNCTION dashboard_proposal_contribution(p proposals) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(step, jsonb_build_array(1, 0)), '{}'::jsonb)
  FROM (VALUES
    ('proposed', true),
    ('passed_administrative_selection', jsonb_typeof(p.administrative_selection) = 'object'
      AND (coalesce((p.administrative_selection->>'passed')::boolean, false) OR p.sanggah->>'result' = 'diterima')),
    ('evaluated', jsonb_typeof(p.evaluation) = 'object'),
    ('designated', p.decision->>'decision' = 'designated'),
    ('not_designated', p.decision->>'decision' = 'not_designated'),
    ('revoked', jsonb_typeof(p.revocation) = 'object')
  ) AS s(step, reached)
  WHERE reached
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stage_metrics_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP TRIGGER IF EXISTS "stage_metrics_rollup" ON "stage_metrics";
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER stage_metrics_rollup AFTER INSERT OR UPDATE OR DELETE ON "stage_metrics"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stage_metrics_rollup();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION declarations_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP TRIGGER IF EXISTS "declarations_rollup" ON "declarations";
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER declarations_rollup AFTER INSERT OR UPDATE OR DELETE ON "declarations"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION declarations_rollup();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION proposals_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p text;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.period_id = OLD.period_id AND NEW.unit_id = OLD.unit_id THEN
    SELECT path INTO p FROM units WHERE id = NEW.unit_id;
    PERFORM dashboard_apply(NEW.period_id, dashboard_scopes(p), 'proposal',
      dashboard_delta(dashboard_proposal_contribution(NEW), dashboard_proposal_contribution(OLD)));
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT path INTO p FROM units WHERE id = OLD.unit_id;
    PERFORM dashboard_apply(OLD.period_id, dashboard_scopes(p), 'proposal', dashboard_delta(NULL, dashboard_proposal_contribution(OLD)));
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    SELECT path INTO p FROM units WHERE id = NEW.unit_id;
    PERFORM dashboard_apply(NEW.period_id, dashboard_scopes(p), 'proposal', dashboard_delta(dashboard_proposal_contribution(NEW), NULL));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "proposals_rollup" ON "proposals";
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER proposals_rollup AFTER INSERT OR UPDATE OR DELETE ON "proposals"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION proposals_rollup();
--> statement-breakpoint
-- A unit moved to another parent takes its stages', declarations' and proposals' contributions along.
CREATE OR REPLACE FUNCTION units_rollup_move() RETURNS trigger LANGUAGE plpgsql AS $$
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
  FOR r IN SELECT period_id, dashboard_proposal_contribution(pr) AS c FROM proposals pr WHERE unit_id = NEW.id LOOP
    PERFORM dashboard_apply(r.period_id, gone, 'proposal', dashboard_delta(NULL, r.c));
    PERFORM dashboard_apply(r.period_id, came, 'proposal', dashboard_delta(r.c, NULL));
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "units_rollup_move" ON "units";
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER units_rollup_move AFTER UPDATE OF path ON "units"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION units_rollup_move();
--> statement-breakpoint
-- Recomputes every counter from stage_metrics and declarations in one pass (set-based). The
-- triggers keep the counters exact; this is for repairs after manual data changes and for bulk
-- loads: `SELECT dashboard_rebuild();`
CREATE OR REPLACE FUNCTION dashboard_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock({{WRITE_LOCK}});
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
    UNION ALL
    SELECT pr.period_id, s.scope_id, 'proposal', c.key, 1, 0
    FROM proposals pr
    JOIN units u ON u.id = pr.unit_id
    CROSS JOIN LATERAL unnest(dashboard_scopes(u.path)) AS s(scope_id)
    CROSS JOIN LATERAL jsonb_each(dashboard_proposal_contribution(pr)) AS c
  ) x
  GROUP BY period_id, scope_id, kind, metric;
END;
$$;
