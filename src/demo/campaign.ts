import { sql } from 'kysely';
import type { AppContext } from '../http/context.js';
import { seededRandom } from '../domain/random.js';
import { DEMO } from './jurisdiction.js';
import { asCityEditor, daysAgoThisYear, daysBefore, thisYear, today } from './steps.js';

const ACTIVITIES = [
  '专题读书班：学习党的创新理论',
  '主题党日：重温入党誓词',
  '"亮身份、作承诺"经营户座谈会',
  '专题党课：诚信经营与党员先锋作用',
  '观看警示教育片并交流研讨',
  '走访困难党员、流动党员',
];

/**
 * Step 5: this year's 主题教育 campaign deployed by the city: most organizations with registered
 * members take part (with those members, as the route counts them), and a few activities, of
 * organizations and of the city itself, held since it began.
 */
export async function registerDemoCampaign(ctx: AppContext): Promise<{ orgs: number; activities: number }> {
  const rnd = seededRandom(DEMO.seed + 11);
  const year = thisYear();
  return asCityEditor(ctx, async ({ db, audit }) => {
    const city = await db
      .selectFrom('jurisdiction')
      .select(['code', 'name', 'scope_key'])
      .where('code', '=', DEMO.cityCode)
      .executeTakeFirstOrThrow();
    const startsOn = daysAgoThisYear(rnd.int(200, 260));
    const { id } = await db
      .insertInto('campaign')
      .values({
        name: `${year}年全市"小个专"党组织主题教育`,
        theme: 'theme_education',
        starts_on: startsOn,
        ends_on: `${year}-12-31`,
        description: '以学铸魂、以学增智、以学正风、以学促干，推动党建工作与个体私营经济发展深度融合',
        jurisdiction_code: city.code,
        scope_key: city.scope_key,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const orgs = (
      await db
        .selectFrom('party_org as o')
        .select([
          'o.id',
          'o.scope_key',
          sql<number>`(SELECT count(*)::int FROM party_org_member m WHERE m.org_id = o.id)`.as('members'),
        ])
        .where('o.body', '=', 'party')
        .where('o.status', '=', 'established')
        .where('o.scope_key', 'like', `${city.scope_key}%`)
        .orderBy('o.id')
        .execute()
    ).filter((o) => o.members > 0 && !rnd.chance(0.25));
    if (orgs.length)
      await db
        .insertInto('campaign_org')
        .values(orgs.map((o) => ({ campaign_id: id, org_id: o.id, members: o.members, scope_key: o.scope_key })))
        .execute();
    const span = Math.max(0, Math.round((Date.parse(today()) - Date.parse(startsOn)) / 86_400_000));
    const activities = [null, ...orgs.slice(0, 5)].map((o, i) => ({
      campaign_id: id,
      org_id: o?.id ?? null,
      held_on: daysBefore(rnd.int(0, span)),
      title: ACTIVITIES[i % ACTIVITIES.length],
      participants: o ? Math.max(1, o.members + rnd.int(0, 3)) : rnd.int(40, 80),
      note: o ? null : '市局组织各县（区）"小个专"党组织书记参加',
      scope_key: o?.scope_key ?? city.scope_key,
    }));
    await db.insertInto('campaign_activity').values(activities).execute();
    const n = { orgs: orgs.length, activities: activities.length };
    audit({ action: 'campaign.create', objectType: 'campaign', objectId: id, detail: { demo: true, ...n } });
    return n;
  });
}
