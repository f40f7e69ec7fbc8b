-- The live definition of the survey's guards: the functions and triggers as they run today.
-- Checked against the migrated database by test/foundation/live-sql.test.ts; change them here and
-- put the change in a new migration with `npm run sql:migration` (docs/contributing.md).

-- A published questionnaire does not change and is never removed: responses keep their meaning.
CREATE OR REPLACE FUNCTION survey_questionnaires_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'survey questionnaire % is published: % refused', OLD.code, TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "survey_questionnaires_published_frozen" ON "survey_questionnaires";
--> statement-breakpoint
CREATE TRIGGER survey_questionnaires_published_frozen BEFORE UPDATE OR DELETE ON survey_questionnaires
  FOR EACH ROW EXECUTE FUNCTION survey_questionnaires_refuse_change();
--> statement-breakpoint
-- A response never changes and is never removed; voiding it once (reason, who, when) is the only update.
CREATE OR REPLACE FUNCTION survey_responses_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL
     AND (NEW.id, NEW.campaign_id, NEW.channel, NEW.service_type, NEW.age_band, NEW.education, NEW.answers,
          NEW.invitation_id, NEW.import_id, NEW.import_row, NEW.submitted_at)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.campaign_id, OLD.channel, OLD.service_type, OLD.age_band, OLD.education, OLD.answers,
          OLD.invitation_id, OLD.import_id, OLD.import_row, OLD.submitted_at) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'survey_responses are immutable (only a void is recorded): % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "survey_responses_immutable" ON "survey_responses";
--> statement-breakpoint
CREATE TRIGGER survey_responses_immutable BEFORE UPDATE OR DELETE ON survey_responses
  FOR EACH ROW EXECUTE FUNCTION survey_responses_refuse_change();
