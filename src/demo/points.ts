import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AppContext } from '../http/context.js';
import { criteriaProblem, reviewProblem, type PointKind, type PointLevel } from '../domain/recognition/points.js';
import { codeList } from '../features/dictionaries/index.js';
import { personName } from './ledger.js';
import { seededRandom, type Random } from '../domain/random.js';
import { DEMO } from './jurisdiction.js';
import { asCityEditor, daysBefore, thisYear, today } from './steps.js';

type Subject = { type: 'entity' | 'org' | 'zone'; id: number; name: string; scope_key: string };
type Plan = { kind: PointKind; level: PointLevel; subject: Subject | undefined; designatedOn: string };
const EVIDENCE = [
  '党组织活动记录、党员名册、年度工作总结',
  '组织生活会记录、"三亮"活动照片、经营荣誉证书',
  '党建阵地照片、主题党日活动台账',
];

/** Subjects in one county (or the whole city): organizations with a secretary, entities with members, zones with entities. */
async function subjects(
  db: Transaction<DB>,
  under: string,
): Promise<{ org: Subject[]; entity: Subject[]; zone: Subject[] }> {
  const org = await db
    .selectFrom('party_org as o')
    .select(['o.id', 'o.name', 'o.scope_key'])
    .where('o.status', '=', 'established')
    .where('o.scope_key', 'like', `${under}%`)
    .where((w) => w.exists(w.selectFrom('party_org_officer as f').select('f.id').whereRef('f.org_id', '=', 'o.id')))
    .orderBy('o.id')
    .limit(5)
    .execute();
  const entity = await db
    .selectFrom('entity as e')
    .innerJoin('entity_coverage as c', 'c.entity_id', 'e.id')
    .select(['e.id', 'e.name', 'e.scope_key'])
    .where('e.status', '=', 'active')
    .where('c.with_members', '=', true)
    .where('e.scope_key', 'like', `${under}%`)
    .orderBy('e.id')
    .limit(5)
    .execute();
  const zone = await db
    .selectFrom('zone as z')
    .select(['z.id', 'z.name', 'z.scope_key'])
    .where('z.scope_key', 'like', `${under}%`)
    .where((w) => w.exists(w.selectFrom('entity_zone as ez').select('ez.zone_id').whereRef('ez.zone_id', '=', 'z.id')))
    .orderBy('z.kind')
    .orderBy('z.id')
    .limit(5)
    .execute();
  const as = (type: Subject['type']) => (r: { id: number; name: string; scope_key: string }) => ({ type, ...r });
  return { org: org.map(as('org')), entity: entity.map(as('entity')), zone: zone.map(as('zone')) };
}

/** A checklist the rules accept: some contact conditions, or (demonstration) all of them and some of its own. */
function criteria(rnd: Random, kind: PointKind, lists: { contact: string[]; demo: string[] }): string[] {
  const some = (xs: string[], min: number) => xs.filter((_, i) => i < min || rnd.chance(0.6));
  return kind === 'demo' ? [...lists.contact, ...some(lists.demo, 1)] : some(lists.contact, 2);
}

/**
 * Step 3: a handful of contact and demonstration points: at city level a demonstration point on
 * an organization, a contact point on a zone (named two years ago and reviewed last year) and one
 * on an entity; at county level one contact point per county, on an organization, entity or zone.
 */
export async function registerDemoPoints(ctx: AppContext): Promise<{ points: number; reviews: number }> {
  const rnd = seededRandom(DEMO.seed + 9);
  const year = thisYear();
  return asCityEditor(ctx, async ({ db, audit, editorId }) => {
    const [contact, demo] = await Promise.all([
      codeList(db, 'contact_point_criterion'),
      codeList(db, 'demo_point_criterion'),
    ]);
    const lists = { contact: [...contact.keys()], demo: [...demo.keys()] };
    const city = await subjects(db, DEMO.cityCode.slice(0, 4));
    const plans: Plan[] = [
      {
        kind: 'demo',
        level: 'city',
        subject: city.org[0],
        designatedOn: `${year - 1}-0${rnd.int(3, 9)}-${String(rnd.int(1, 28)).padStart(2, '0')}`,
      },
      {
        kind: 'contact',
        level: 'city',
        subject: city.zone[0],
        designatedOn: `${year - 2}-0${rnd.int(3, 9)}-${String(rnd.int(1, 28)).padStart(2, '0')}`,
      },
      { kind: 'contact', level: 'city', subject: city.entity[0], designatedOn: daysBefore(rnd.int(20, 200)) },
    ];
    for (const [i, county] of DEMO.countyCodes.entries()) {
      const own = await subjects(db, county);
      const pool = [own.org, own.entity, own.zone][i % 3].filter(
        (s) => !plans.some((p) => p.subject?.type === s.type && p.subject.id === s.id),
      );
      plans.push({ kind: 'contact', level: 'county', subject: pool[0], designatedOn: daysBefore(rnd.int(20, 400)) });
    }
    let points = 0;
    let reviews = 0;
    for (const p of plans) {
      if (!p.subject) continue;
      const checked = criteria(rnd, p.kind, lists);
      const problem = criteriaProblem(p.kind, checked, lists);
      if (problem) throw new Error(problem.reason);
      const s = p.subject;
      const { id } = await db
        .insertInto('recognition_point')
        .values({
          kind: p.kind,
          level: p.level,
          subject_type: s.type,
          entity_id: s.type === 'entity' ? s.id : null,
          org_id: s.type === 'org' ? s.id : null,
          zone_id: s.type === 'zone' ? s.id : null,
          subject_name: s.name,
          designated_on: p.designatedOn,
          responsible_name: personName(rnd),
          responsible_user_id: p.level === 'city' ? editorId : null,
          criteria: checked,
          evidence: rnd.pick(EVIDENCE),
          scope_key: s.scope_key,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      points++;
      if (Number(p.designatedOn.slice(0, 4)) === year - 2) {
        const review = { year: year - 1, outcome: 'keep' as const };
        if (reviewProblem({ status: 'active', designatedOn: p.designatedOn, reviewedYears: [] }, review, today()))
          continue;
        await db
          .insertInto('point_review')
          .values({
            point_id: id,
            ...review,
            reason: null,
            reviewed_on: `${year - 1}-12-${String(rnd.int(10, 28))}`,
            reviewer_id: editorId,
            scope_key: s.scope_key,
          })
          .execute();
        reviews++;
      }
    }
    audit({ action: 'point.create', objectType: 'recognition_point', detail: { demo: true, points, reviews } });
    return { points, reviews };
  });
}
