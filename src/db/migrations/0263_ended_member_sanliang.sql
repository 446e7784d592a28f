-- Round 19 (loop19): a member the roster says died (去世) or whose membership stopped (停止党籍) no
-- longer shows a party member's identity (三亮). Their records in force are withdrawn and the
-- plaques on them revoked, on the day the fact reached the ledger and with the reason, whatever
-- path changed the status (a roster, a case concluded): left as they were, the public plaque page
-- said 牌匾有效 · 共产党员经营户 for someone no longer a member, and the dashboard counted them among
-- the 三亮党员 and the valid plaques. A later roster putting the member back on the roll (the entry
-- was a mistake) brings back the records and plaques ended so, and no other (one withdrawn or
-- revoked by hand stays so). 已转出 changes nothing: the member is still a party member, whose
-- relation is held elsewhere. The tallies and the change feed follow through the tables' own triggers.

CREATE FUNCTION xgz_ended_member_sanliang() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  today date := current_date;
  ended text[] := ARRAY['deceased', 'stopped'];
  reasons text[] := ARRAY['党员已去世', '党员已停止党籍'];
  why text;
BEGIN
  IF NEW.member_status = ANY (ended) AND NOT OLD.member_status = ANY (ended) THEN
    why := reasons[array_position(ended, NEW.member_status)];
    UPDATE sanliang_plaque p SET state = 'revoked', revoked_on = today, revoke_reason = why
    FROM sanliang s WHERE s.id = p.record_id AND s.member_id = NEW.id AND s.status = 'active' AND p.state = 'valid';
    UPDATE sanliang SET status = 'withdrawn', withdrawn_on = today, withdraw_reason = why, updated_at = now()
    WHERE member_id = NEW.id AND status = 'active';
  ELSIF OLD.member_status = ANY (ended) AND NOT NEW.member_status = ANY (ended) THEN
    UPDATE sanliang s SET status = 'active', withdrawn_on = NULL, withdraw_reason = NULL, updated_at = now()
    WHERE s.member_id = NEW.id AND s.status = 'withdrawn' AND s.withdraw_reason = ANY (reasons)
      AND NOT EXISTS (SELECT 1 FROM sanliang x WHERE x.member_id = s.member_id AND x.entity_id = s.entity_id AND x.kind = s.kind AND x.status = 'active');
    UPDATE sanliang_plaque p SET state = 'valid', revoked_on = NULL, revoke_reason = NULL
    FROM sanliang s WHERE s.id = p.record_id AND s.member_id = NEW.id AND s.status = 'active'
      AND p.state = 'revoked' AND p.revoke_reason = ANY (reasons)
      AND NOT EXISTS (SELECT 1 FROM sanliang_plaque v WHERE v.record_id = p.record_id AND v.state = 'valid');
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION xgz_ended_member_sanliang() FROM PUBLIC;

CREATE TRIGGER member_ended_sanliang AFTER UPDATE OF member_status ON member FOR EACH ROW
  WHEN (OLD.member_status IS DISTINCT FROM NEW.member_status) EXECUTE FUNCTION xgz_ended_member_sanliang();
