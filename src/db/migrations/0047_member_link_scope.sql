-- The roster's list finds a station's members two ways (membersInScope): by the member's own
-- scope key (member_scope_idx) and by a link to an entity in scope. member_link had no index on
-- its scope key, so the second way read every link of the nation: at a station of a 5M-entity
-- province 706,296 links scanned for 577, 230 ms per count and again per page (issue 18). With
-- member_id in the index the union reads it alone.
CREATE INDEX member_link_scope_idx ON member_link (scope_key, member_id);
