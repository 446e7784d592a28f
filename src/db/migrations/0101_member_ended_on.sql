-- When a member's membership ended (已转出, 停止党籍, 去世): the date a roster's 转出日期 or a
-- 名册中已不存在 case's conclusion gave (null: not known, or the member is on the roll). The
-- member's history (trigger) keeps it with the status.
ALTER TABLE member ADD COLUMN ended_on date;

-- A roster import's rows that recorded a member held here as 已转出 (a 转出日期, or 党籍状态 已转出):
-- counted for its summary; null for other kinds.
ALTER TABLE import_job ADD COLUMN members_left integer;
