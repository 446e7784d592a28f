import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AppContext } from '../http/context.js';
import {
  honourTransition,
  type AwardLevel,
  type HonourAction,
  type HonourState,
} from '../domain/recognition/honours.js';
import { nominatedSubject, type Nomination } from '../features/recognition/index.js';
import { seededRandom, type Random } from '../domain/random.js';
import { DEMO } from './jurisdiction.js';
import { asCityEditor, daysAgoThisYear, daysBefore, thisYear, today } from './steps.js';

type Tx = Transaction<DB>;
type Planned = { kind: string; state: HonourState; level?: AwardLevel; lastYear?: boolean };

/** A dozen honours of every kind, in every state but flagged (the demo has no violations). */
const PLAN: Planned[] = [
  { kind: 'star_operator', state: 'awarded', level: 'city', lastYear: true },
  { kind: 'honest_enterprise', state: 'awarded', level: 'county' },
  { kind: 'model_post', state: 'awarded', level: 'city' },
  { kind: 'honest_market', state: 'awarded', level: 'province', lastYear: true },
  { kind: 'star_operator', state: 'awarded', level: 'county' },
  { kind: 'honest_enterprise', state: 'approved' },
  { kind: 'star_operator', state: 'approved' },
  { kind: 'model_post', state: 'nominated' },
  { kind: 'honest_enterprise', state: 'nominated' },
  { kind: 'star_operator', state: 'nominated' },
  { kind: 'honest_market', state: 'rejected' },
  { kind: 'star_operator', state: 'revoked', level: 'county', lastYear: true },
];
const PATH: Record<HonourState, HonourAction[]> = {
  nominated: [],
  approved: ['approve'],
  rejected: ['reject'],
  awarded: ['approve', 'award'],
  revoked: ['approve', 'award', 'revoke'],
};
const NOTES = [
  '诚信经营，热心公益，群众口碑好',
  '带头亮身份、作承诺，带动周边经营户规范经营',
  '党建引领经营发展成效明显',
];

/** Candidate nominations per kind, in a fixed order: members with their entities, enterprises with members, markets. */
async function pools(db: Tx): Promise<Record<string, Nomination[]>> {
  const pairs = await db
    .selectFrom('member as m')
    .innerJoin('entity_person as ep', 'ep.person_id', 'm.person_id')
    .innerJoin('entity as e', 'e.id', 'ep.entity_id')
    .select(['m.id as member_id', 'e.id as entity_id', 'e.kind'])
    .where('e.status', '=', 'active')
    .orderBy('e.id')
    .execute();
  const enterprises = await db
    .selectFrom('entity as e')
    .innerJoin('entity_coverage as c', 'c.entity_id', 'e.id')
    .select('e.id')
    .where('e.status', '=', 'active')
    .where('e.kind', '=', 'enterprise')
    .where('c.with_members', '=', true)
    .orderBy('e.id')
    .execute();
  const markets = await db.selectFrom('zone').select('id').where('kind', '=', 'market').orderBy('id').execute();
  return {
    star_operator: pairs
      .filter((p) => p.kind === 'individual')
      .map((p) => ({ kind: 'star_operator', entityId: p.entity_id, memberId: p.member_id })),
    model_post: pairs
      .filter((p) => p.kind !== 'individual')
      .map((p) => ({ kind: 'model_post', entityId: p.entity_id, memberId: p.member_id })),
    honest_enterprise: enterprises.map((e) => ({ kind: 'honest_enterprise', entityId: e.id })),
    honest_market: markets.map((z) => ({ kind: 'honest_market', zoneId: z.id })),
  };
}

/** Takes the honour through its path with the domain's transitions, dating each move as a clerk would have. */
async function advance(db: Tx, id: number, p: Planned, rnd: Random, nominatedOn: string): Promise<void> {
  let state: HonourState = 'nominated';
  const year = thisYear() - (p.lastYear ? 1 : 0);
  const awardedOn = p.lastYear
    ? `${year}-${String(rnd.int(6, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`
    : daysAgoThisYear(rnd.int(5, 60));
  for (const action of PATH[p.state]) {
    const reason = {
      approve: '材料齐全，符合评选条件',
      reject: '近三年内有消费投诉未妥善处理，暂不符合条件',
      revoke: '获评后被列入经营异常名录，经复核撤销荣誉',
      award: undefined,
      clear_flag: undefined,
    }[action];
    const t = honourTransition({ state, flagged: false }, action, {
      reason,
      level: p.level ?? null,
      year,
      today: today(),
    });
    if (!t.ok) throw new Error(t.reason);
    state = t.to;
    await db
      .updateTable('honour')
      .set({
        state,
        updated_at: new Date(),
        ...(action === 'approve' || action === 'reject' ? { review_note: reason ?? null } : {}),
        ...(action === 'award'
          ? { level: p.level!, year, awarded_on: awardedOn < nominatedOn ? nominatedOn : awardedOn }
          : {}),
        ...(action === 'revoke' ? { revoked_on: daysAgoThisYear(rnd.int(3, 30)), revoke_reason: reason! } : {}),
      })
      .where('id', '=', id)
      .execute();
  }
}

/** Step 4: a dozen honours (党员明星经营户, 党员示范岗, 诚信企业, 诚信示范市场) nominated, approved, awarded, one rejected, one revoked. */
export async function registerDemoHonours(ctx: AppContext): Promise<Record<HonourState, number>> {
  const rnd = seededRandom(DEMO.seed + 10);
  return asCityEditor(ctx, async ({ db, audit }) => {
    const byKind = await pools(db);
    const n: Record<HonourState, number> = { nominated: 0, approved: 0, rejected: 0, awarded: 0, revoked: 0 };
    for (const p of PLAN) {
      const pool = byKind[p.kind].length ? byKind[p.kind] : byKind.honest_enterprise;
      const nomination = pool.splice(rnd.int(0, Math.min(3, pool.length - 1)), 1)[0];
      if (!nomination) continue;
      const s = await nominatedSubject(db, nomination);
      const nominatedOn = p.lastYear
        ? `${thisYear() - 1}-0${rnd.int(3, 5)}-${String(rnd.int(1, 28)).padStart(2, '0')}`
        : daysBefore(rnd.int(70, 120));
      const { id } = await db
        .insertInto('honour')
        .values({
          kind: nomination.kind,
          entity_id: s.entity_id,
          zone_id: s.zone_id,
          member_id: s.member_id,
          subject_name: s.name,
          nominated_on: nominatedOn,
          nomination_note: rnd.pick(NOTES),
          scope_key: s.scope_key,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await advance(db, id, p, rnd, nominatedOn);
      n[p.state]++;
    }
    audit({
      action: 'honour.nominate',
      objectType: 'honour',
      detail: { demo: true, honours: Object.values(n).reduce((a, b) => a + b, 0), ...n },
    });
    return n;
  });
}
