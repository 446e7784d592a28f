-- The work loop, as the play-testing round left it.
--
-- 1. The issuer reviews each reply: it accepts it (采纳) or returns it. A reply not yet reviewed is
--    a 待办 of the issuing unit (a county that passed the city's task down to its stations must see
--    that a station answered before it answers the city), and it leaves the list once accepted or
--    returned. An accepted reply stands: it is not returned afterwards.
ALTER TABLE deployment_target ADD COLUMN accepted_at timestamptz;
ALTER TABLE deployment_target ADD COLUMN accepted_by bigint REFERENCES app_user(id);
ALTER TABLE deployment_target ADD COLUMN accepted_by_name text;
ALTER TABLE deployment_target ADD CONSTRAINT deployment_target_accepted_check CHECK (accepted_at IS NULL OR state = 'replied');
CREATE INDEX deployment_target_review_idx ON deployment_target (deployment_id) WHERE state = 'replied' AND accepted_at IS NULL;
ALTER TABLE deployment_event DROP CONSTRAINT deployment_event_action_check;
ALTER TABLE deployment_event ADD CONSTRAINT deployment_event_action_check
  CHECK (action IN ('receive','reply','return','remind','overdue','pass_down','update','close','accept'));

-- 2. A station opens the task its county passed down from (and the ones above that, up the same
--    chain), read-only with its files: the deployment itself, never its other targets, replies or
--    board (those rows keep their own scope). The chain is followed by the deployment the part was
--    passed down from, kept on the part (the node below cannot read the parent's target row).
ALTER TABLE deployment ADD COLUMN parent_deployment_id bigint REFERENCES deployment(id);
UPDATE deployment c SET parent_deployment_id = t.deployment_id
  FROM deployment_target t WHERE t.id = c.parent_target_id AND c.parent_deployment_id IS NULL;
ALTER TABLE deployment ADD CONSTRAINT deployment_parent_deployment_check
  CHECK ((parent_target_id IS NULL) = (parent_deployment_id IS NULL));
CREATE INDEX deployment_parent_deployment_idx ON deployment (parent_deployment_id) WHERE parent_deployment_id IS NOT NULL;

-- Whether a deployment is an ancestor of one that reaches the caller's subtree: yes or no only.
-- SECURITY DEFINER because the parts passed down between (the county's own) are not the caller's rows.
CREATE FUNCTION xgz_deployment_in_chain(ref bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH RECURSIVE down(id) AS (
    SELECT c.id FROM deployment c WHERE c.parent_deployment_id = ref
    UNION
    SELECT c.id FROM deployment c JOIN down ON c.parent_deployment_id = down.id
  )
  SELECT EXISTS (SELECT 1 FROM down JOIN deployment_target t ON t.deployment_id = down.id WHERE xgz_in_scope(t.scope_key))
$$;
REVOKE ALL ON FUNCTION xgz_deployment_in_chain(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_deployment_in_chain(bigint) TO xgz_app;
ALTER POLICY deployment_read ON deployment
  USING (xgz_in_scope(scope_key) OR xgz_deployment_reaches(id) OR xgz_deployment_in_chain(id));
