-- Who raised a case is kept on the case (raised_by, with created_at): a first discovery run at
-- the issue's scale raises half a million cases, and writing a "raised" event beside each took a
-- quarter of the time it spent writing them. case_event keeps the moves that follow.
ALTER TABLE discovery_case ADD COLUMN raised_by bigint;
UPDATE discovery_case d SET raised_by = ev.actor_id FROM case_event ev WHERE ev.case_id = d.id AND ev.action = 'raised';
DELETE FROM case_event WHERE action = 'raised';
