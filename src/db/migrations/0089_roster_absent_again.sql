-- A member whose 名册中已不存在 case was concluded 已转出, 停止党籍 or 去世, and whom a later roster
-- put back on the roll, gets a new case when a full roster lacks them again: only a case still
-- pending (open, contacted) or decided 仍在册 (dismissed, standing until reopened) stands in the way.
DROP INDEX discovery_case_absent_uq;
CREATE UNIQUE INDEX discovery_case_absent_uq ON discovery_case (member_id)
  WHERE kind = 'roster_absent' AND state IN ('open', 'contacted', 'dismissed');
