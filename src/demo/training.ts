import type { AppContext } from '../http/context.js';
import { addMonths } from '../domain/orgs/rules.js';
import { TRAINING_WINDOW_MONTHS } from '../domain/recognition/training.js';
import { seededRandom } from '../domain/random.js';
import { DEMO } from './jurisdiction.js';
import { asCityEditor, daysAgoThisYear, daysBefore, later, thisYear } from './steps.js';

type Class = { id: number; county: string | null; ends_on: string };
export type TrainingCounts = { classes: number; trainees: number; completed: number };

/**
 * Step 2: this year's city class and one class per county, all ended, with secretaries as
 * trainees: nearly every secretary a class could reach within 12 months of taking office
 * (the county's class if it can, else the city's), most attending and completing; and some
 * whose window had closed, trained late (they do not count as trained in time).
 */
export async function registerDemoTraining(ctx: AppContext): Promise<TrainingCounts> {
  const rnd = seededRandom(DEMO.seed + 8);
  const year = thisYear();
  return asCityEditor(ctx, async ({ db, audit }) => {
    const city = await db
      .selectFrom('jurisdiction')
      .select(['code', 'name', 'scope_key'])
      .where('code', '=', DEMO.cityCode)
      .executeTakeFirstOrThrow();
    const counties = await db
      .selectFrom('jurisdiction')
      .select(['code', 'name', 'scope_key'])
      .where('code', 'in', DEMO.countyCodes)
      .orderBy('code')
      .execute();
    const held = [
      {
        name: `${year}年度全市"小个专"党组织书记示范培训班`,
        level: 'city' as const,
        node: city,
        county: null,
        back: rnd.int(30, 60),
        place: `${city.name}市场监管局培训中心`,
      },
      ...counties.map((c) => ({
        name: `${year}年度${c.name}"小个专"党组织书记培训班`,
        level: 'county' as const,
        node: c,
        county: c.code,
        back: rnd.int(15, 280),
        place: `${c.name}党群服务中心`,
      })),
    ];
    const classes: Class[] = [];
    for (const h of held) {
      const endsOn = daysAgoThisYear(h.back);
      const startsOn = later(daysBefore(rnd.int(1, 2), endsOn), `${year}-01-01`);
      const { id } = await db
        .insertInto('training_class')
        .values({
          name: h.name,
          level: h.level,
          starts_on: startsOn,
          ends_on: endsOn,
          place: h.place,
          jurisdiction_code: h.node.code,
          scope_key: h.node.scope_key,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      classes.push({ id, county: h.county, ends_on: endsOn });
    }
    const secretaries = await db
      .selectFrom('party_org_officer as f')
      .innerJoin('party_org as o', 'o.id', 'f.org_id')
      .select(['f.id', 'f.term_start', 'f.scope_key', 'o.county_code'])
      .where('f.role', '=', 'secretary')
      .where('o.body', '=', 'party')
      .orderBy('f.id')
      .execute();
    const rows: { class_id: number; officer_id: number; attended: boolean; completed: boolean; scope_key: string }[] =
      [];
    let j = 0;
    for (const [k, f] of secretaries.entries()) {
      const reach = (c: Class) =>
        (c.county === null || c.county === f.county_code) &&
        c.ends_on >= f.term_start &&
        c.ends_on <= addMonths(f.term_start, TRAINING_WINDOW_MONTHS);
      const inTime =
        classes.filter((c) => c.county !== null && reach(c))[0] ?? classes.find((c) => c.county === null && reach(c));
      if (inTime && k % 20 !== 19) {
        const attended = j % 15 !== 7;
        rows.push({
          class_id: inTime.id,
          officer_id: f.id,
          attended,
          completed: attended && j % 25 !== 12,
          scope_key: f.scope_key,
        });
        j++;
      } else if (!inTime && k % 3 === 0 && f.term_start <= classes[0].ends_on) {
        rows.push({
          class_id: classes[0].id,
          officer_id: f.id,
          attended: true,
          completed: true,
          scope_key: f.scope_key,
        });
      }
    }
    if (rows.length) await db.insertInto('training_trainee').values(rows).execute();
    const n = { classes: classes.length, trainees: rows.length, completed: rows.filter((r) => r.completed).length };
    audit({ action: 'training.create', objectType: 'training_class', detail: { demo: true, ...n } });
    return n;
  });
}
