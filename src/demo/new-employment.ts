import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { PlatformBusiness } from '../db/schema-platforms.js';
import type { AppContext } from '../http/context.js';
import type { Keys } from '../crypto/keys.js';
import { approverProblem, cardProblem, type NodeLevel } from '../domain/platforms/orgs.js';
import { monthEnds } from '../domain/platforms/riders.js';
import { assignmentRefusal } from '../domain/instructors/instructors.js';
import { criteriaProblem } from '../domain/recognition/points.js';
import { insertUnidentified } from '../features/persons/index.js';
import { orgPlace } from '../features/orgs/index.js';
import { linkUnits } from '../features/platforms/index.js';
import { codeList } from '../features/dictionaries/index.js';
import { personName } from './ledger.js';
import { seededRandom, type Random } from '../domain/random.js';
import { DEMO } from './jurisdiction.js';
import { asCityEditor, daysBefore, later, thisYear, today } from './steps.js';

type Tx = Transaction<DB>;
type Node = { code: string; name: string; scope_key: string };
type Platform = { id: number; name: string; short: string; business: PlatformBusiness; scope_key: string };
type Station = {
  id: number;
  platformId: number;
  county: string;
  scope_key: string;
  openedOn: string;
  closedOn: string | null;
};
type Branch = { id: number; scope_key: string; stations: Station[] };

/** Fictitious platforms, registered by the city: three that deliver (with stations) and one ride-hailing (partner firms only). */
const PLATFORMS: { name: string; short: string; business: PlatformBusiness; headquarters: string; firm: string }[] = [
  { name: '飞鸽外卖', short: '飞鸽', business: 'food_delivery', headquarters: '上海市', firm: '配送服务' },
  { name: '迅达快递', short: '迅达', business: 'express', headquarters: '杭州市', firm: '快递服务' },
  { name: '邻里同城送', short: '邻里', business: 'same_city', headquarters: '南京市', firm: '同城配送' },
  { name: '畅行出行', short: '畅行', business: 'ride_hailing', headquarters: '北京市', firm: '汽车服务' },
];
/** Riders a station of each business starts from. */
const BASE: Partial<Record<PlatformBusiness, [number, number]>> = {
  food_delivery: [25, 70],
  express: [8, 25],
  same_city: [6, 18],
};
const street = (s: string) => s.replace(/(街道|镇|乡)$/, '');
const phone = (rnd: Random) =>
  `1${rnd.pick(['3', '5', '7', '8', '9'])}${String(rnd.int(0, 999_999_999)).padStart(9, '0')}`;

async function registerPlatforms(db: Tx, city: Node): Promise<Platform[]> {
  const out: Platform[] = [];
  for (const p of PLATFORMS) {
    const { id } = await db
      .insertInto('platform')
      .values({
        name: p.name,
        business: p.business,
        headquarters: p.headquarters,
        note: '演示数据：虚构平台',
        jurisdiction_code: city.code,
        scope_key: city.scope_key,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    out.push({ id, name: p.name, short: p.short, business: p.business, scope_key: city.scope_key });
  }
  return out;
}

/** One partner firm per platform and district: a demo enterprise of a fitting trade where there is one. */
async function registerPartners(
  db: Tx,
  platforms: Platform[],
  counties: Node[],
  rnd: Random,
): Promise<Map<string, number>> {
  const partners = new Map<string, number>();
  for (const c of counties) {
    const pool = await db
      .selectFrom('entity')
      .select(['id', 'name'])
      .where('kind', '=', 'enterprise')
      .where('status', '=', 'active')
      .where('county_code', '=', c.code)
      .where((w) => w.or(['物流', '电子商务', '信息技术', '商贸'].map((t) => w('name', 'like', `%${t}有限公司`))))
      .orderBy(sql`name LIKE '%物流%'`, 'desc')
      .orderBy('id')
      .limit(20)
      .execute();
    for (const p of platforms) {
      const e = pool.length ? pool.splice(rnd.int(0, Math.min(3, pool.length - 1)), 1)[0] : null;
      const spec = PLATFORMS.find((x) => x.name === p.name)!;
      const { id } = await db
        .insertInto('platform_partner')
        .values({
          platform_id: p.id,
          name: e?.name ?? `南京${p.short}${c.name.slice(0, 2)}${spec.firm}有限公司`,
          entity_id: e?.id ?? null,
          contact_name: personName(rnd),
          ...(await orgPlace(db, c.code)),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      partners.set(`${p.id}:${c.code}`, id);
    }
  }
  return partners;
}

/** Which platforms keep a station at the k-th market-regulation station: food delivery at each, express at every third, same-city at every fourth. */
const presentAt = (k: number, b: PlatformBusiness) =>
  b === 'food_delivery' ? true : b === 'express' ? k % 3 === 0 : b === 'same_city' ? k % 4 === 1 : false;

/** Delivery stations across the demo's market-regulation stations; a few opened this year, the last same-city one closed lately. */
async function registerStations(
  db: Tx,
  platforms: Platform[],
  counties: Node[],
  partners: Map<string, number>,
  rnd: Random,
): Promise<Station[]> {
  const places = await db
    .selectFrom('jurisdiction')
    .select(['code', 'parent_code', 'served_areas'])
    .where('level', '=', 'station')
    .where(
      'parent_code',
      'in',
      counties.map((c) => c.code),
    )
    .orderBy('code')
    .execute();
  const out: Station[] = [];
  for (const [k, place] of places.entries()) {
    const county = counties.find((c) => c.code === place.parent_code)!;
    for (const [i, p] of platforms.entries()) {
      if (!presentAt(k, p.business)) continue;
      const areas = place.served_areas ?? [];
      const area = areas[i % Math.max(1, areas.length)] ?? county.name;
      const openedOn = rnd.chance(0.2) ? daysBefore(rnd.int(90, 300)) : daysBefore(rnd.int(400, 1800));
      const { id, scope_key } = await db
        .insertInto('delivery_station')
        .values({
          platform_id: p.id,
          partner_id: partners.get(`${p.id}:${county.code}`) ?? null,
          name: `${p.short}${street(area)}站`,
          address: `${county.name}${area}${rnd.int(1, 300)}号`,
          opened_on: openedOn,
          ...(await orgPlace(db, place.code)),
        })
        .returning(['id', 'scope_key'])
        .executeTakeFirstOrThrow();
      out.push({ id, platformId: p.id, county: county.code, scope_key, openedOn, closedOn: null });
    }
  }
  const last = out.filter((s) => platforms.find((p) => p.id === s.platformId)?.business === 'same_city').at(-1);
  if (last) {
    last.closedOn = daysBefore(rnd.int(20, 50));
    await db
      .updateTable('delivery_station')
      .set({ status: 'closed', closed_on: last.closedOn, note: '合作商调整，站点撤并' })
      .where('id', '=', last.id)
      .execute();
  }
  return out;
}

/** A count at each month end of the last 12 months while the station was open: slow growth, a dip at the Spring Festival, some noise. */
async function registerRiderCounts(
  db: Tx,
  stations: Station[],
  platforms: Platform[],
  editorId: number,
  rnd: Random,
): Promise<number> {
  const dates = monthEnds(12, today());
  let n = 0;
  for (const s of stations) {
    const [lo, hi] = BASE[platforms.find((p) => p.id === s.platformId)!.business] ?? [5, 10];
    const base = rnd.int(lo, hi);
    const rows = dates
      .map((d, i) => ({
        d,
        riders: Math.max(
          1,
          Math.round(
            base *
              (0.8 + (0.25 * i) / 11) *
              (['01', '02'].includes(d.slice(5, 7)) ? 0.85 : 1) *
              (0.95 + rnd.next() * 0.1),
          ),
        ),
      }))
      .filter(({ d }) => d >= s.openedOn && (!s.closedOn || d < s.closedOn));
    if (!rows.length) continue;
    await db
      .insertInto('rider_count')
      .values(
        rows.map(({ d, riders }) => ({
          delivery_station_id: s.id,
          as_of: d,
          riders,
          recorded_by: editorId,
          scope_key: s.scope_key,
        })),
      )
      .execute();
    n += rows.length;
  }
  return n;
}

/** The city's rider industry committee, serving the food delivery and same-city platforms. */
async function registerCommittee(db: Tx, city: Node, platforms: Platform[], rnd: Random): Promise<number> {
  const { id } = await db
    .insertInto('party_org')
    .values({
      name: `${city.name}网约配送员行业党委`,
      kind: 'committee',
      setup_mode: 'industry',
      sector: 'riders',
      county_code: city.code,
      station_code: null,
      scope_key: city.scope_key,
      status: 'established',
      founded_on: daysBefore(rnd.int(600, 800)),
      note: '市局"小个专"党委指导成立',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await linkUnits(
    db,
    id,
    platforms.filter((p) => p.business === 'food_delivery' || p.business === 'same_city').map((p) => p.id),
    [],
  );
  return id;
}

/** Mobile-member branches approved by the committee (the rule the route applies), each serving one platform's open stations in a district. */
async function registerBranches(
  db: Tx,
  committeeId: number,
  counties: Node[],
  platforms: Platform[],
  stations: Station[],
  rnd: Random,
): Promise<Branch[]> {
  const { rows } = await sql<{
    level: NodeLevel;
    status: 'established';
  }>`SELECT level, status FROM xgz_rider_committees() WHERE id = ${committeeId}`.execute(db);
  const problem = approverProblem({ level: rows[0].level, status: rows[0].status, isCommittee: true });
  if (problem) throw new Error(problem);
  const plan: [Node, Platform][] = [
    [counties[0], platforms[0]],
    [counties[1], platforms[0]],
    [counties[3] ?? counties[2], platforms[1]],
  ];
  const out: Branch[] = [];
  for (const [county, platform] of plan) {
    const served = stations.filter((s) => s.county === county.code && s.platformId === platform.id && !s.closedOn);
    if (!served.length) continue;
    const ago = rnd.int(200, 500);
    const approvedOn = daysBefore(ago);
    const { id, scope_key } = await db
      .insertInto('party_org')
      .values({
        name: `${county.name}${platform.short}骑手流动党员党支部`,
        kind: 'branch',
        setup_mode: 'mobile',
        sector: 'riders',
        approved_by_org_id: committeeId,
        approved_on: approvedOn,
        status: 'established',
        founded_on: daysBefore(ago - rnd.int(3, 20)),
        ...(await orgPlace(db, county.code)),
      })
      .returning(['id', 'scope_key'])
      .executeTakeFirstOrThrow();
    await linkUnits(
      db,
      id,
      [],
      served.map((s) => s.id),
    );
    out.push({ id, scope_key, stations: served });
  }
  return out;
}

/**
 * Party-member riders: mobile members of the roster first (then members no organization holds),
 * at the branches' stations, each with a mobile-member card registered there (the first two
 * expiring within 30 days). Activists are recorded by name and phone only, at other stations.
 */
async function registerRiders(
  db: Tx,
  keys: Keys,
  branches: Branch[],
  stations: Station[],
  rnd: Random,
): Promise<{ members: number; activists: number; cards: number; expiring: number }> {
  const members = await db
    .selectFrom('member as m')
    .select(['m.id', 'm.person_id', 'm.org_relation'])
    .where((w) =>
      w.not(w.exists(w.selectFrom('party_org_member as om').select('om.id').whereRef('om.member_id', '=', 'm.id'))),
    )
    .orderBy(sql`m.member_status = 'mobile'`, 'desc')
    .orderBy('m.id')
    .limit(6)
    .execute();
  const n = { members: 0, activists: 0, cards: 0, expiring: 0 };
  for (const [k, m] of members.entries()) {
    const branch = branches[k % branches.length];
    if (!branch) break;
    const s = branch.stations[rnd.int(0, branch.stations.length - 1)];
    await db
      .insertInto('rider_person')
      .values({
        delivery_station_id: s.id,
        person_id: m.person_id,
        role: 'member',
        member_id: m.id,
        since: later(s.openedOn, daysBefore(rnd.int(60, 400))),
        scope_key: s.scope_key,
      })
      .execute();
    n.members++;
    // A card runs a year; the first two were issued a year ago and expire within the reminder window.
    const expiresOn = k < 2 ? daysBefore(-rnd.int(3, 25)) : daysBefore(-rnd.int(35, 265));
    const issuedOn = daysBefore(365, expiresOn);
    const problem = cardProblem({ issuedOn, expiresOn }, today());
    if (problem) throw new Error(problem.message);
    await db
      .insertInto('mobile_card')
      .values({
        member_id: m.id,
        org_id: branch.id,
        card_no: `LD${thisYear()}${String(k + 1).padStart(4, '0')}`,
        issued_by: m.org_relation ?? '流出地党组织',
        issued_on: issuedOn,
        expires_on: expiresOn,
        scope_key: branch.scope_key,
      })
      .execute();
    n.cards++;
    if (k < 2) n.expiring++;
  }
  const open = stations.filter((s) => !s.closedOn);
  const names = Array.from({ length: 5 }, () => ({ name: personName(rnd), phone: phone(rnd) }));
  const ids = await insertUnidentified(db, keys, names);
  for (const personId of ids) {
    const s = open[rnd.int(0, open.length - 1)];
    await db
      .insertInto('rider_person')
      .values({
        delivery_station_id: s.id,
        person_id: personId,
        role: 'activist',
        since: later(s.openedOn, daysBefore(rnd.int(30, 300))),
        scope_key: s.scope_key,
      })
      .execute();
    n.activists++;
  }
  return n;
}

/**
 * Demo instructors dispatched to the express platform and to a few stations no organization
 * serves, an instructor of the same district where there is one (the domain's refusal applies).
 */
async function assignInstructors(
  db: Tx,
  platforms: Platform[],
  stations: Station[],
  branches: Branch[],
  rnd: Random,
): Promise<number> {
  const instructors = await db
    .selectFrom('instructor')
    .select(['id', 'county_code', 'status'])
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
  if (!instructors.length) return 0;
  const served = new Set(branches.flatMap((b) => b.stations.map((s) => s.id)));
  const loose = stations.filter((s) => !s.closedOn && !served.has(s.id));
  const targets = [
    ...platforms
      .filter((p) => p.business === 'express')
      .map((p) => ({
        platform_id: p.id,
        delivery_station_id: null,
        county: null as string | null,
        scope_key: p.scope_key,
      })),
    ...loose
      .filter((_, i) => i % 3 === 0)
      .slice(0, 4)
      .map((s) => ({ platform_id: null, delivery_station_id: s.id, county: s.county, scope_key: s.scope_key })),
  ];
  let n = 0;
  for (const t of targets) {
    const near = instructors.filter((i) => i.county_code === t.county);
    const who = (near.length ? near : instructors)[rnd.int(0, (near.length ? near : instructors).length - 1)];
    const startOn = daysBefore(rnd.int(20, 200));
    const refusal = assignmentRefusal({ instructorStatus: who.status, startOn, today: today() });
    if (refusal) throw new Error(refusal.message);
    await db
      .insertInto('instructor_assignment')
      .values({
        instructor_id: who.id,
        target: t.platform_id ? 'platform' : 'delivery_station',
        platform_id: t.platform_id,
        delivery_station_id: t.delivery_station_id,
        start_on: startOn,
        scope_key: t.scope_key,
      })
      .execute();
    n++;
  }
  return n;
}

/** A city contact point (外卖平台党建联系点) on the food delivery platform, with a checklist the rules accept. */
async function designatePoint(db: Tx, platform: Platform, editorId: number, rnd: Random): Promise<number> {
  const lists = {
    contact: [...(await codeList(db, 'contact_point_criterion')).keys()],
    demo: [...(await codeList(db, 'demo_point_criterion')).keys()],
  };
  const checked = lists.contact.filter((_, i) => i < 2 || rnd.chance(0.6));
  const problem = criteriaProblem('contact', checked, lists);
  if (problem) throw new Error(problem.reason);
  await db
    .insertInto('recognition_point')
    .values({
      kind: 'contact',
      level: 'city',
      subject_type: 'platform',
      platform_id: platform.id,
      entity_id: null,
      org_id: null,
      zone_id: null,
      subject_name: platform.name,
      designated_on: daysBefore(rnd.int(60, 200)),
      responsible_name: personName(rnd),
      responsible_user_id: editorId,
      criteria: checked,
      evidence: '行业党委联系平台记录、骑手驿站阵地照片、党员骑手亮身份活动台账',
      scope_key: platform.scope_key,
    })
    .execute();
  return 1;
}

export type NewEmploymentCounts = {
  platforms: number;
  partners: number;
  stations: number;
  riderCounts: number;
  memberRiders: number;
  activists: number;
  committees: number;
  mobileBranches: number;
  cards: number;
  cardsExpiring: number;
  assignments: number;
  points: number;
};

/**
 * Step 8: the new employment groups (新业态新就业群体): four platforms registered by the city,
 * a partner firm of each per district, delivery stations across the demo's stations with their
 * riders counted at each month end of the last year, the city's rider industry committee and
 * mobile-member branches it approved (with cards, two expiring), party-member and activist
 * riders, instructors at a platform and some stations, and a platform contact point.
 */
export async function registerDemoNewEmployment(ctx: AppContext): Promise<NewEmploymentCounts> {
  const rnd = seededRandom(DEMO.seed + 13);
  return asCityEditor(ctx, async ({ db, audit, editorId }) => {
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
    const platforms = await registerPlatforms(db, city);
    const partners = await registerPartners(db, platforms, counties, rnd);
    const stations = await registerStations(db, platforms, counties, partners, rnd);
    const riderCounts = await registerRiderCounts(db, stations, platforms, editorId, rnd);
    const committee = await registerCommittee(db, city, platforms, rnd);
    const branches = await registerBranches(db, committee, counties, platforms, stations, rnd);
    const riders = await registerRiders(db, ctx.keys, branches, stations, rnd);
    const n: NewEmploymentCounts = {
      platforms: platforms.length,
      partners: partners.size,
      stations: stations.filter((s) => !s.closedOn).length,
      riderCounts,
      memberRiders: riders.members,
      activists: riders.activists,
      committees: 1,
      mobileBranches: branches.length,
      cards: riders.cards,
      cardsExpiring: riders.expiring,
      assignments: await assignInstructors(db, platforms, stations, branches, rnd),
      points: await designatePoint(db, platforms[0], editorId, rnd),
    };
    audit({ action: 'platform.create', objectType: 'platform', detail: { demo: true, ...n } });
    return n;
  });
}
