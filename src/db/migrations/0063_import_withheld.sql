-- Values of accepted rows that were read and not stored (a masked 身份证号 or phone, a roster's
-- fixed line), counted by column: the finished job says so, as it names the footer it skipped.
ALTER TABLE import_job ADD COLUMN withheld text;
