-- The TPI's review of a stage (issue 28): a recommendation beside the note on each answer (only a
-- tpi stage carries one; the commands refuse it elsewhere), and per area perubahan a conclusion and
-- a list of recommendations, versioned as one review per stage (src/modules/review/tables.ts).
ALTER TABLE "answers" ADD COLUMN "recommendation" text;
--> statement-breakpoint
CREATE TABLE "stage_reviews" (
	"stage_id" uuid PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"updated_by_name" text NOT NULL,
	CONSTRAINT "stage_reviews_stage_id_assessment_stages_id_fk" FOREIGN KEY ("stage_id") REFERENCES "assessment_stages"("id") ON DELETE cascade,
	CONSTRAINT "stage_reviews_updated_by_principals_id_fk" FOREIGN KEY ("updated_by") REFERENCES "principals"("id") ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE "stage_area_reviews" (
	"stage_id" uuid NOT NULL,
	"area" text NOT NULL,
	"conclusion" text,
	"recommendations" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"updated_by_name" text NOT NULL,
	CONSTRAINT "stage_area_reviews_stage_id_area_pk" PRIMARY KEY("stage_id","area"),
	CONSTRAINT "stage_area_reviews_stage_id_stage_reviews_stage_id_fk" FOREIGN KEY ("stage_id") REFERENCES "stage_reviews"("stage_id") ON DELETE cascade,
	CONSTRAINT "stage_area_reviews_updated_by_principals_id_fk" FOREIGN KEY ("updated_by") REFERENCES "principals"("id") ON DELETE set null,
	CONSTRAINT "stage_area_reviews_area_check" CHECK ("stage_area_reviews"."area" IN ('manajemen_perubahan', 'penataan_tatalaksana', 'penataan_sdm', 'penguatan_akuntabilitas', 'penguatan_pengawasan', 'pelayanan_publik'))
);
