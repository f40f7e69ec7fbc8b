-- The live definition of the stage snapshots' guard: the functions and triggers as they run today.
-- Checked against the migrated database by test/foundation/live-sql.test.ts; change them here and
-- put the change in a new migration with `npm run sql:migration` (docs/contributing.md).

-- A snapshot is the record of what was submitted or approved: never rewritten, never removed.
CREATE OR REPLACE FUNCTION stage_snapshots_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stage_snapshots is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "stage_snapshots_no_update" ON "stage_snapshots";
--> statement-breakpoint
CREATE TRIGGER stage_snapshots_no_update BEFORE UPDATE OR DELETE ON "stage_snapshots"
  FOR EACH ROW EXECUTE FUNCTION stage_snapshots_immutable();
