-- The live definition of the token-cache notifications: the functions and triggers as they run today.
-- Checked against the migrated database by test/foundation/live-sql.test.ts; change them here and
-- put the change in a new migration with `npm run sql:migration` (docs/contributing.md).

-- Every replica caches verified tokens; these notifications (sent at commit) tell them to forget
-- what a change made stale: 't:<token id>', 'p:<principal id>', or '*' for everything.
CREATE OR REPLACE FUNCTION "zi_auth_notify_token"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('zi_auth', 't:' || OLD.id::text);
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "api_tokens_auth_notify" ON "api_tokens";
--> statement-breakpoint
CREATE TRIGGER "api_tokens_auth_notify" AFTER UPDATE OF "revoked_at", "expires_at", "role", "principal_id", "prefix", "hash" OR DELETE ON "api_tokens"
  FOR EACH ROW EXECUTE FUNCTION "zi_auth_notify_token"();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "zi_auth_notify_principal"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('zi_auth', 'p:' || OLD.id::text); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "principals_auth_notify" ON "principals";
--> statement-breakpoint
CREATE TRIGGER "principals_auth_notify" AFTER UPDATE OF "disabled_at", "name" OR DELETE ON "principals"
  FOR EACH ROW EXECUTE FUNCTION "zi_auth_notify_principal"();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "zi_auth_notify_grant"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('zi_auth', 'p:' || OLD.principal_id::text); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('zi_auth', 'p:' || NEW.principal_id::text); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "role_grants_auth_notify" ON "role_grants";
--> statement-breakpoint
CREATE TRIGGER "role_grants_auth_notify" AFTER INSERT OR UPDATE OR DELETE ON "role_grants"
  FOR EACH ROW EXECUTE FUNCTION "zi_auth_notify_grant"();
--> statement-breakpoint
-- A unit moved in the tree changes the paths a cached scope covers.
CREATE OR REPLACE FUNCTION "zi_auth_notify_all"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('zi_auth', '*');
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "units_auth_notify" ON "units";
--> statement-breakpoint
CREATE TRIGGER "units_auth_notify" AFTER UPDATE OF "path" ON "units"
  FOR EACH STATEMENT EXECUTE FUNCTION "zi_auth_notify_all"();
