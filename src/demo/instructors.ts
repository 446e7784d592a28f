import type { AppContext } from '../http/context.js';
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { insertUnidentified } from '../features/persons/index.js';
import { orgPlace } from '../features/orgs/index.js';
import type { InstructorSource } from '../domain/instructors/instructors.js';
import { personName } from './ledger.js';
import { seededRandom } from '../domain/random.js';
import { DEMO } from './jurisdiction.js';
import { asCityEditor, daysBefore } from './steps.js';
import { DEMO_INSTRUCTOR } from './instructor-login.js';

const SOURCES: InstructorSource[] = ['station', 'station', 'bureau', 'retired', 'association', 'volunteer'];
const VISITS = [
  '走访了解党员分布和经营情况，宣讲"小个专"党建政策',
  '指导落实联络员，建立党员信息台账',
  '指导开展亮身份、亮职责、亮承诺活动',
  '了解从业人员中入党积极分子情况',
];

/**
 * Once the demo's organizations are registered: an instructor or two at each station with a
 * guidance post, assigned to some of its entities that have no organization yet (so the demo's
 * work coverage rises above its organization coverage), with a few guidance records.
 */
export async function registerDemoInstructors(ctx: AppContext): Promise<number> {
  const rnd = seededRandom(DEMO.seed + 6);
  return asCityEditor(ctx, async ({ db, audit, editorId }) => {
    const posts = await db
      .selectFrom('bureau_unit')
      .select('jurisdiction_code')
      .where('kind', '=', 'guidance_post')
      .where('status', '=', 'active')
      .orderBy('jurisdiction_code')
      .execute();
    let made = 0;
    for (const { jurisdiction_code: station } of posts) {
      const place = await orgPlace(db, station);
      for (let k = rnd.int(1, 2); k > 0; k--) {
        const [personId] = await insertUnidentified(db, ctx.keys, [
          { name: personName(rnd), phone: `139${String(rnd.int(0, 99_999_999)).padStart(8, '0')}` },
        ]);
        const { id } = await db
          .insertInto('instructor')
          .values({ person_id: personId, source: rnd.pick(SOURCES), ...place })
          .returning('id')
          .executeTakeFirstOrThrow();
        const targets = await db
          .selectFrom('entity_coverage as c')
          .innerJoin('entity as e', 'e.id', 'c.entity_id')
          .select(['e.id', 'e.scope_key', 'e.name'])
          .where('e.station_code', '=', station)
          .where('c.operating', '=', true)
          .where('c.work', '=', false)
          .orderBy('e.id')
          .offset(rnd.int(0, 20))
          .limit(rnd.int(3, 12))
          .execute();
        if (!targets.length) continue;
        const startOn = `2026-0${rnd.int(1, 9)}-${String(rnd.int(1, 28)).padStart(2, '0')}`;
        await db
          .insertInto('instructor_assignment')
          .values(
            targets.map((t) => ({
              instructor_id: id,
              target: 'entity' as const,
              entity_id: t.id,
              start_on: startOn,
              scope_key: t.scope_key,
            })),
          )
          .execute();
        await db
          .insertInto('guidance_record')
          .values(
            targets.slice(0, 3).map((t, i) => ({
              instructor_id: id,
              entity_id: t.id,
              on_date: `2026-${String(rnd.int(10, 11))}-${String(rnd.int(1, 20)).padStart(2, '0')}`,
              kind: 'visit' as const,
              content: rnd.pick(VISITS),
              follow_up: i === 0 ? '协助确定联络员' : null,
              scope_key: t.scope_key,
              target_name: t.name,
              created_by: editorId,
            })),
          )
          .execute();
        made++;
      }
    }
    const assigned = await assignDemoInstructor(db, editorId);
    audit({
      action: 'instructor.create',
      objectType: 'instructor',
      detail: { demo: true, instructors: made, demoInstructorEntities: assigned },
    });
    return made;
  });
}

/**
 * Once the ledger is in: the demo instructor's round — a few operating entities of its station
 * with no party work yet, and one organization there — and two visits already logged, so the
 * instructor's pages are not empty. Returns how many entities it was assigned.
 */
async function assignDemoInstructor(db: Transaction<DB>, editorId: number): Promise<number> {
  const me = await db
    .selectFrom('app_user as u')
    .innerJoin('instructor as i', 'i.id', 'u.bound_instructor_id')
    .select(['i.id', 'i.station_code'])
    .where('u.username', '=', DEMO_INSTRUCTOR.username)
    .executeTakeFirst();
  if (!me?.station_code) return 0;
  const entities = await db
    .selectFrom('entity_coverage as c')
    .innerJoin('entity as e', 'e.id', 'c.entity_id')
    .select(['e.id', 'e.scope_key', 'e.name'])
    .where('e.station_code', '=', me.station_code)
    .where('c.operating', '=', true)
    .where('c.work', '=', false)
    .orderBy('e.id')
    .limit(6)
    .execute();
  const org = await db
    .selectFrom('party_org')
    .select(['id', 'scope_key'])
    .where('station_code', '=', me.station_code)
    .orderBy('id')
    .executeTakeFirst();
  const startOn = daysBefore(90);
  const rows = [
    ...entities.map((t) => ({ target: 'entity' as const, entity_id: t.id, scope_key: t.scope_key })),
    ...(org ? [{ target: 'org' as const, org_id: org.id, scope_key: org.scope_key }] : []),
  ];
  if (!rows.length) return 0;
  await db
    .insertInto('instructor_assignment')
    .values(rows.map((r) => ({ ...r, instructor_id: me.id, start_on: startOn })))
    .execute();
  if (entities.length)
    await db
      .insertInto('guidance_record')
      .values(
        entities.slice(0, 2).map((t, i) => ({
          instructor_id: me.id,
          entity_id: t.id,
          on_date: daysBefore(30 - i * 14),
          kind: 'visit' as const,
          content: VISITS[i],
          follow_up: i === 1 ? '下次走访确认联络员人选' : null,
          scope_key: t.scope_key,
          target_name: t.name,
          created_by: editorId,
        })),
      )
      .execute();
  return entities.length;
}
