-- The sheets a job reads together (a roster exported one sheet per 党支部, every data sheet with
-- the same header): their names in order, NULL when it reads one sheet or a CSV. The row numbers
-- such a job keeps (import_rejection.row_no, import_change.row_no, import_key.row_no) are then
-- references: the sheet's place in this array (from 0) × 2^21 + the row as Excel shows it
-- (src/domain/ledger/sheets.ts), so they stay distinct and in file order; readers show them as
-- 工作表"第二党支部"第 3 行.
ALTER TABLE import_job ADD COLUMN sheets text[];
