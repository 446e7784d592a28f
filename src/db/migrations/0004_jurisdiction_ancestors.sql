-- A user also reads the nodes above their own (names for breadcrumbs and for the county an
-- entity of their station belongs to); siblings and their subtrees stay hidden.
DROP POLICY jurisdiction_read ON jurisdiction;
CREATE POLICY jurisdiction_read ON jurisdiction FOR SELECT USING (xgz_in_scope(scope_key) OR starts_with(xgz_scope(), scope_key));
