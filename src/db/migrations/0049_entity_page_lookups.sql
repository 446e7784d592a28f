-- The entity page (entities/records.ts) lists every appeal and discovery case that names one
-- entity, for whoever opens it. appeal_case had no index on entity_id, and discovery_case only a
-- partial one (cases not resolved), so above a station both were read through the caller's whole
-- scope: at a province of the 1M-entity province bench 35 ms (appeals) and 92 ms (cases) for an
-- entity with none, growing with the province (issue 18). The partial index on discovery_case is
-- made whole: the follow step's lookups (state <> 'resolved') read it as well, with a filter.
CREATE INDEX appeal_case_entity_idx ON appeal_case (entity_id) WHERE entity_id IS NOT NULL;
DROP INDEX discovery_case_entity_scope_idx;
CREATE INDEX discovery_case_entity_scope_idx ON discovery_case (entity_id, scope_key);
