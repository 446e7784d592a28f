-- Zones hang on the county (a market or a building spans stations), so a station's staff did not
-- see the zones their own entities are in: no zone on the entity page, no joint proposals by
-- building or market. A zone is also readable through an entity in scope that lies in it.
CREATE POLICY zone_via_entity ON zone FOR SELECT USING (EXISTS (SELECT 1 FROM entity_zone ez WHERE ez.zone_id = zone.id AND xgz_in_scope(ez.scope_key)));
