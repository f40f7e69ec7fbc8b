-- The proposal funnel in dashboard_counters, so the period summary reads it like the other
-- figures (a bounded number of counter rows) instead of grouping every declaration of the period.
-- A proposal row contributes one count per step it reached, under kind 'proposal'; the steps
-- "declared" and "building" come from the declarations' own counters (kind 'decl'). The rule for
-- passing the administrative selection is passedAdministrative in src/modules/proposals/rules.ts:
-- a recorded selection that passed, or a sanggah that was accepted ("diterima").
CREATE FUNCTION dashboard_proposal_contribution(p proposals) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
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
CREATE FUNCTION proposals_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE CONSTRAINT TRIGGER proposals_rollup AFTER INSERT OR UPDATE OR DELETE ON "proposals"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION proposals_rollup();
--> statement-breakpoint
-- A unit moved to another parent takes its proposals' contributions along too.
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
CREATE OR REPLACE FUNCTION dashboard_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
-- Proposals made before this migration.
SELECT dashboard_rebuild();
