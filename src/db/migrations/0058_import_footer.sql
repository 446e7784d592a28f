-- Real extracts: the rows under a table's last data row that read as its footer (合计, 共 N 条,
-- 制表人：…, 填报日期：…) are not imported and not refused; the job says which rows they were.
ALTER TABLE import_job ADD COLUMN footer text;
