-- An instansi's code is unique among instansi (codes of OPDs and unit kerja stay unique within their instansi).
CREATE UNIQUE INDEX IF NOT EXISTS "units_instansi_root_code_key" ON "units" USING btree ("code") WHERE "units"."kind" = 'instansi';
