import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';

type Tx = Transaction<DB>;

/**
 * An instructor account's own work (issue 13): its record, its assignments in force, the entities
 * they reach and its latest guidance records. Row-level security already narrows assignments and
 * guidance records to the bound instructor (0031); the id narrows them again here.
 */
export async function myWork(db: Tx, instructorId: number) {
  const me = await db.selectFrom('instructor as i').innerJoin('person as p', 'p.id', 'i.person_id')
    .select(['i.id', 'p.name', 'i.status', 'i.scope_key']).where('i.id', '=', instructorId).executeTakeFirst();
  if (!me) return null;
  const assignments = await sql<{ id: number; target: string; name: string | null; start_on: string }>`
    SELECT a.id, a.target, coalesce(e.name, z.name, o.name, p.name, s.name) AS name, a.start_on::text AS start_on
    FROM instructor_assignment a
    LEFT JOIN entity e ON e.id = a.entity_id LEFT JOIN zone z ON z.id = a.zone_id LEFT JOIN party_org o ON o.id = a.org_id
    LEFT JOIN platform p ON p.id = a.platform_id LEFT JOIN delivery_station s ON s.id = a.delivery_station_id
    WHERE a.instructor_id = ${instructorId} AND a.end_on IS NULL ORDER BY a.start_on DESC, a.id`.execute(db);
  const entities = await sql<{ id: number; name: string; uscc: string | null }>`
    SELECT e.id, e.name, e.uscc FROM entity e
    WHERE e.id IN (SELECT r.entity_id FROM instructor_reach r JOIN instructor_assignment a ON a.id = r.assignment_id WHERE a.instructor_id = ${instructorId})
    ORDER BY e.name, e.id LIMIT 500`.execute(db);
  const guidance = await sql<{ id: number; on_date: string; kind: string; content: string; entity_name: string | null; org_name: string | null }>`
    SELECT g.id, g.on_date::text AS on_date, g.kind, g.content, e.name AS entity_name, o.name AS org_name
    FROM guidance_record g LEFT JOIN entity e ON e.id = g.entity_id LEFT JOIN party_org o ON o.id = g.org_id
    WHERE g.instructor_id = ${instructorId} ORDER BY g.on_date DESC, g.id DESC LIMIT 50`.execute(db);
  return { me, assignments: assignments.rows, entities: entities.rows, guidance: guidance.rows };
}
