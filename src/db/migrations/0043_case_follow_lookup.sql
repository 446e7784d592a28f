-- The cases-follow hook (features/discovery/follow.ts) reads the unresolved cases of an import
-- batch's entities one entity at a time. With the entity alone in the index, the planner ANDed
-- discovery_case_scope_idx (the row-security scope range, which it cannot estimate and takes for
-- selective) into every lookup: a scan of the whole scope's cases per entity. With the scope key
-- in the same index, each lookup is one index range (bench/README.md, import).
CREATE INDEX discovery_case_entity_scope_idx ON discovery_case (entity_id, scope_key) WHERE state <> 'resolved';
DROP INDEX discovery_case_entity_idx;
