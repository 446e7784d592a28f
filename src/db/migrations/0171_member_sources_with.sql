-- A member's sources (roster, staff, self_report…) with more added, each once: the roster writer's,
-- the members' and the discovery writes' upserts computed it as a subquery in their ON CONFLICT
-- SET, which Citus refuses on a table in its metadata ("subqueries are not supported within INSERT
-- queries"), and it takes only IMMUTABLE functions there. Same value as the subquery it replaces.
CREATE FUNCTION xgz_sources_with(sources text[], added text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(DISTINCT s) FROM unnest(sources || added) s
$$;
