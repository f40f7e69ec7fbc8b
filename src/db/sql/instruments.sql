-- The live definition of the instruments' guard: the functions and triggers as they run today.
-- Checked against the migrated database by test/foundation/live-sql.test.ts; change them here and
-- put the change in a new migration with `npm run sql:migration` (docs/contributing.md).

-- A published or retired instrument is immutable: only its status may move on (published → retired).
CREATE OR REPLACE FUNCTION instrument_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' AND (NEW.definition IS DISTINCT FROM OLD.definition OR NEW.code IS DISTINCT FROM OLD.code OR NEW.year IS DISTINCT FROM OLD.year) THEN
    RAISE EXCEPTION 'instrument version % is %, its content cannot change', OLD.code, OLD.status USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "instrument_versions_guard" ON "instrument_versions";
--> statement-breakpoint
CREATE TRIGGER instrument_versions_guard BEFORE UPDATE ON instrument_versions FOR EACH ROW EXECUTE FUNCTION instrument_versions_guard();
