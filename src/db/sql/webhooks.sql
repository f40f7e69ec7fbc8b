-- The live definition of the webhook outbox: the functions and triggers as they run today.
-- Checked against the migrated database by test/foundation/live-sql.test.ts; change them here and
-- put the change in a new migration with `npm run sql:migration` (docs/contributing.md).

-- The transactional outbox: every event queues one delivery per active subscription whose filters
-- (event types, unit subtree) match, in the statement that inserts the event, so a delivery
-- exists exactly when its event commits. The feed (src/modules/events) knows nothing of webhooks;
-- the delivery worker (src/modules/webhooks/worker.ts) sends what is queued here.
CREATE OR REPLACE FUNCTION events_queue_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_deliveries (subscription_id, event_id)
  SELECT s.id, NEW.id FROM webhook_subscriptions s
  WHERE s.active
    AND (cardinality(s.event_types) = 0 OR NEW.type = ANY(s.event_types))
    AND (s.unit_id IS NULL OR EXISTS (
      SELECT 1 FROM units su JOIN units eu ON eu.id = NEW.unit_id
      WHERE su.id = s.unit_id AND eu.path LIKE su.path || '%'))
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "events_queue_deliveries" ON "events";
--> statement-breakpoint
CREATE TRIGGER "events_queue_deliveries" AFTER INSERT ON "events"
  FOR EACH ROW EXECUTE FUNCTION events_queue_deliveries();
