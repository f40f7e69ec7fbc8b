-- Survei mandiri (IPAK, IPKP): questionnaires as versioned data, campaigns, invitations,
-- anonymous responses, and the survey indices applied to the LKE (src/modules/survey/tables.ts).
CREATE TABLE "survey_questionnaires" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"code" text NOT NULL,
	"title" text NOT NULL,
	"period_id" uuid,
	"based_on_id" uuid,
	"status" text DEFAULT 'draft' NOT NULL,
	"items" jsonb NOT NULL,
	"published_at" timestamp with time zone,
	"published_by_name" text,
	"created_by_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "survey_questionnaires_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "periods"("id") ON DELETE restrict,
	CONSTRAINT "survey_questionnaires_kind_check" CHECK ("kind" IN ('ipak', 'ipkp')),
	CONSTRAINT "survey_questionnaires_status_check" CHECK ("status" IN ('draft', 'published'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "survey_questionnaires_code_key" ON "survey_questionnaires" USING btree ("code");
--> statement-breakpoint
CREATE INDEX "survey_questionnaires_period_idx" ON "survey_questionnaires" USING btree ("period_id");
--> statement-breakpoint
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
CREATE TRIGGER survey_questionnaires_published_frozen BEFORE UPDATE OR DELETE ON survey_questionnaires
  FOR EACH ROW EXECUTE FUNCTION survey_questionnaires_refuse_change();
--> statement-breakpoint
CREATE TABLE "survey_campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"period_id" uuid NOT NULL,
	"name" text NOT NULL,
	"service_types" jsonb NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"ipak_questionnaire_id" uuid,
	"ipkp_questionnaire_id" uuid,
	"public_token" text NOT NULL,
	"requires_invitation" boolean DEFAULT false NOT NULL,
	"justification" text,
	"justified_by_name" text,
	"justified_at" timestamp with time zone,
	"created_by_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "survey_campaigns_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE restrict,
	CONSTRAINT "survey_campaigns_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "periods"("id") ON DELETE restrict,
	CONSTRAINT "survey_campaigns_ipak_fk" FOREIGN KEY ("ipak_questionnaire_id") REFERENCES "survey_questionnaires"("id") ON DELETE restrict,
	CONSTRAINT "survey_campaigns_ipkp_fk" FOREIGN KEY ("ipkp_questionnaire_id") REFERENCES "survey_questionnaires"("id") ON DELETE restrict,
	CONSTRAINT "survey_campaigns_window_check" CHECK ("closes_at" > "opens_at"),
	CONSTRAINT "survey_campaigns_questionnaire_check" CHECK ("ipak_questionnaire_id" is not null or "ipkp_questionnaire_id" is not null)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "survey_campaigns_token_key" ON "survey_campaigns" USING btree ("public_token");
--> statement-breakpoint
CREATE INDEX "survey_campaigns_unit_period_idx" ON "survey_campaigns" USING btree ("unit_id", "period_id");
--> statement-breakpoint
CREATE INDEX "survey_campaigns_period_idx" ON "survey_campaigns" USING btree ("period_id");
--> statement-breakpoint
CREATE TABLE "survey_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "survey_invitations_campaign_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "survey_campaigns"("id") ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX "survey_invitations_code_key" ON "survey_invitations" USING btree ("campaign_id", "code_hash");
--> statement-breakpoint
CREATE TABLE "survey_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"service_type" text,
	"age_band" text,
	"education" text,
	"answers" jsonb NOT NULL,
	"invitation_id" uuid,
	"import_id" uuid,
	"import_row" integer,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"voided_at" timestamp with time zone,
	"void_reason" text,
	"voided_by_name" text,
	CONSTRAINT "survey_responses_campaign_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "survey_campaigns"("id") ON DELETE restrict,
	CONSTRAINT "survey_responses_invitation_id_fk" FOREIGN KEY ("invitation_id") REFERENCES "survey_invitations"("id") ON DELETE restrict,
	CONSTRAINT "survey_responses_channel_check" CHECK ("channel" IN ('form', 'import')),
	CONSTRAINT "survey_responses_void_check" CHECK (("voided_at" IS NULL) = ("void_reason" IS NULL))
);
--> statement-breakpoint
CREATE INDEX "survey_responses_campaign_idx" ON "survey_responses" USING btree ("campaign_id", "submitted_at");
--> statement-breakpoint
CREATE UNIQUE INDEX "survey_responses_invitation_key" ON "survey_responses" USING btree ("invitation_id");
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
CREATE TRIGGER survey_responses_immutable BEFORE UPDATE OR DELETE ON survey_responses
  FOR EACH ROW EXECUTE FUNCTION survey_responses_refuse_change();
--> statement-breakpoint
CREATE TABLE "survey_lke_applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"assessment_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"question_code" text NOT NULL,
	"value" double precision NOT NULL,
	"respondents" integer NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	"applied_by_name" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "survey_lke_applications_campaign_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "survey_campaigns"("id") ON DELETE restrict,
	CONSTRAINT "survey_lke_applications_assessment_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "assessments"("id") ON DELETE restrict,
	CONSTRAINT "survey_lke_applications_kind_check" CHECK ("kind" IN ('ipak', 'ipkp'))
);
--> statement-breakpoint
CREATE INDEX "survey_lke_applications_assessment_idx" ON "survey_lke_applications" USING btree ("assessment_id", "kind", "applied_at");
