-- A guidance record keeps the name of the entity or organization it was made for (ui10). An
-- instructor account reads only the entities its assignments in force reach (0140): once an
-- assignment ended, its older records showed an empty name. The name is written with the record
-- (as point_recommendation.subject_name is), so the instructor's own history stays readable
-- without widening what it may read of the entity. Existing records take the current name.
ALTER TABLE guidance_record ADD COLUMN target_name text;
UPDATE guidance_record g
   SET target_name = coalesce((SELECT e.name FROM entity e WHERE e.id = g.entity_id),
                              (SELECT o.name FROM party_org o WHERE o.id = g.org_id), '');
ALTER TABLE guidance_record ALTER COLUMN target_name SET NOT NULL;
