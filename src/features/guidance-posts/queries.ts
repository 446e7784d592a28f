import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { SOURCE_LABEL, INSTRUCTOR_STATUS_LABEL } from '../../domain/instructors/instructors.js';
import { notFound } from '../../http/errors.js';
import { ZONE_KIND_LABEL } from '../../domain/orgs/grouping.js';
import { ROLES, type Role } from '../../domain/auth/roles.js';
import { tallyUnder, withRates } from '../coverage/index.js';

const ZONE_KIND: Record<string, string> = ZONE_KIND_LABEL;

/**
 * A station's guidance post (党建工作指导站) on one page: the post, the staff, the instructors based
 * there and the entities and zones they serve, with the station's coverage.
 */
export async function guidancePost(db: Transaction<DB>, code: string) {
  const station = await db
    .selectFrom('jurisdiction as j')
    .innerJoin('jurisdiction as c', 'c.code', 'j.parent_code')
    .select(['j.code', 'j.name', 'j.scope_key', 'c.name as county_name'])
    .where('j.code', '=', code)
    .where('j.level', '=', 'station')
    .executeTakeFirst();
  if (!station) throw notFound('基层所');
  const post = await db
    .selectFrom('bureau_unit')
    .select(['id', 'name', 'founded_on', 'leader_name', 'staff_count', 'note'])
    .where('jurisdiction_code', '=', station.code)
    .where('kind', '=', 'guidance_post')
    .where('status', '=', 'active')
    .executeTakeFirst();
  const staff = await db
    .selectFrom('app_user')
    .select(['id', 'display_name', 'roles', 'disabled'])
    .where('jurisdiction_code', '=', station.code)
    .orderBy('display_name')
    .execute();
  const instructors = await db
    .selectFrom('instructor as i')
    .innerJoin('person as p', 'p.id', 'i.person_id')
    .select(['i.id', 'p.name', 'i.source', 'i.status', 'i.workplace'])
    .select(
      sql<number>`(SELECT count(*)::int FROM instructor_assignment a WHERE a.instructor_id = i.id AND a.end_on IS NULL)`.as(
        'assignments',
      ),
    )
    .where('i.station_code', '=', station.code)
    .orderBy('i.status')
    .orderBy('p.name')
    .execute();
  const zones = await db
    .selectFrom('zone as z')
    .select(['z.id', 'z.name', 'z.kind'])
    .select(
      sql<number>`(SELECT count(*)::int FROM entity_zone ez JOIN entity e ON e.id = ez.entity_id WHERE ez.zone_id = z.id AND e.station_code = ${station.code} AND e.status = 'active')`.as(
        'entities',
      ),
    )
    .select(
      sql<boolean>`EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.zone_id = z.id AND a.end_on IS NULL)`.as(
        'instructor',
      ),
    )
    .where(
      sql<boolean>`EXISTS (SELECT 1 FROM entity_zone ez JOIN entity e ON e.id = ez.entity_id WHERE ez.zone_id = z.id AND e.station_code = ${station.code})`,
    )
    .orderBy('z.kind')
    .orderBy('z.name')
    .execute();
  const { reached } = await db
    .selectFrom('instructor_reach as r')
    .innerJoin('entity as e', 'e.id', 'r.entity_id')
    .select(sql<number>`count(DISTINCT r.entity_id)::int`.as('reached'))
    .where('e.station_code', '=', station.code)
    .where('e.status', '=', 'active')
    .executeTakeFirstOrThrow();
  return {
    station: { code: station.code, name: station.name, countyName: station.county_name },
    post: post
      ? {
          id: post.id,
          name: post.name,
          foundedOn: post.founded_on,
          leaderName: post.leader_name,
          staffCount: post.staff_count,
          note: post.note,
        }
      : null,
    staff: staff.map((u) => ({
      id: u.id,
      name: u.display_name,
      roles: u.roles.map((x) => ROLES[x as Role] ?? x),
      active: !u.disabled,
    })),
    instructors: instructors.map((i) => ({
      id: i.id,
      name: i.name,
      sourceLabel: SOURCE_LABEL[i.source],
      status: i.status,
      statusLabel: INSTRUCTOR_STATUS_LABEL[i.status],
      workplace: i.workplace,
      assignments: i.assignments,
    })),
    zones: zones.map((z) => ({
      id: z.id,
      name: z.name,
      kind: z.kind,
      kindLabel: ZONE_KIND[z.kind] ?? z.kind,
      entities: z.entities,
      instructor: z.instructor,
    })),
    coverage: { ...withRates(await tallyUnder(db, station.scope_key)), reachedByInstructors: reached },
  };
}
