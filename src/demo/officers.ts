import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AppContext } from '../http/context.js';
import type { RuleSettings } from '../domain/settings/settings.js';
import { addMonths, termEnd } from '../domain/orgs/rules.js';
import { findingsOf, refuseOn } from '../features/orgs/index.js';
import { seededRandom, type Random } from '../domain/random.js';
import { DEMO } from './jurisdiction.js';
import { asCityEditor, daysBefore, later, today } from './steps.js';

type Candidate = { id: number; person_id: number; membership: string | null; join_date: string | null };

/**
 * Members of an organization's covered entities whose org relation no organization holds yet:
 * found by discovery (member_link) or the very person in a role there (the owner on the roster),
 * full members first.
 */
async function candidates(db: Transaction<DB>, orgId: number): Promise<Candidate[]> {
  const viaRole = db
    .selectFrom('party_org_entity as pe')
    .innerJoin('entity_person as ep', 'ep.entity_id', 'pe.entity_id')
    .innerJoin('member as m', 'm.person_id', 'ep.person_id')
    .select(['m.id', 'm.person_id', 'm.membership', 'm.join_date'])
    .where('pe.org_id', '=', orgId);
  const viaLink = db
    .selectFrom('party_org_entity as pe')
    .innerJoin('member_link as l', 'l.entity_id', 'pe.entity_id')
    .innerJoin('member as m', 'm.id', 'l.member_id')
    .select(['m.id', 'm.person_id', 'm.membership', 'm.join_date'])
    .where('pe.org_id', '=', orgId);
  const rows = await viaRole.union(viaLink).execute();
  const held = new Set(
    (
      await db
        .selectFrom('party_org_member')
        .select('member_id')
        .where('member_id', 'in', rows.length ? rows.map((r) => r.id) : [0])
        .execute()
    ).map((r) => r.member_id),
  );
  return rows
    .filter((r) => !held.has(r.id))
    .sort((a, b) => Number(b.membership === 'full') - Number(a.membership === 'full') || a.id - b.id);
}

/**
 * When the k-th secretary took office: every sixth one's term ends within the reminder window
 * (换届提醒), a few took office two years ago, one in twelve a few weeks ago (not trained yet),
 * the rest within the last year (the training classes of this year can reach them).
 */
function termStartFor(k: number, rnd: Random, s: RuleSettings): string {
  const slot = k % 12;
  if (slot === 0 || slot === 6)
    return addMonths(daysBefore(-rnd.int(10, Math.max(11, s.termReminderMonths * 30 - 10))), -12 * s.branchTermYears);
  if (slot === 1) return daysBefore(rnd.int(400, 900));
  if (slot === 2) return daysBefore(rnd.int(10, 40));
  return daysBefore(rnd.int(45, 330));
}

export type OfficerCounts = { orgs: number; members: number; secretaries: number; dueSoon: number };

/**
 * Step 1: for every established organization with a member to be found (without a discovery run,
 * the owners on the roster by ID number: a little over half of them), their org relations (up to
 * three members of their entities) and a secretary from among them, with the term the rules give
 * (start + the branch term), checked by the same rule findings as the route.
 */
export async function registerDemoOfficers(ctx: AppContext): Promise<OfficerCounts> {
  const rules = await ctx.settings.get('rules');
  const rnd = seededRandom(DEMO.seed + 7);
  const soon = addMonths(today(), rules.termReminderMonths);
  return asCityEditor(ctx, async ({ db, audit }) => {
    const orgs = await db
      .selectFrom('party_org')
      .select(['id', 'kind', 'setup_mode', 'scope_key', 'founded_on'])
      .where('body', '=', 'party')
      .where('status', '=', 'established')
      .orderBy('id')
      .execute();
    const n: OfficerCounts = { orgs: 0, members: 0, secretaries: 0, dueSoon: 0 };
    for (const org of orgs) {
      const picked = (await candidates(db, org.id)).slice(0, rnd.int(1, 3));
      if (!picked.length) continue;
      const joinedOn = org.founded_on;
      await db
        .insertInto('party_org_member')
        .values(
          picked.map((m) => ({
            org_id: org.id,
            person_id: m.person_id,
            member_id: m.id,
            joined_on: joinedOn,
            scope_key: org.scope_key,
          })),
        )
        .execute();
      const start = later(
        termStartFor(n.secretaries, rnd, rules),
        later(org.founded_on ?? '', picked[0].join_date ?? ''),
      );
      const end = termEnd(start, rules);
      await db
        .insertInto('party_org_officer')
        .values({
          org_id: org.id,
          person_id: picked[0].person_id,
          role: 'secretary',
          term_start: start,
          term_end: end,
          scope_key: org.scope_key,
        })
        .execute();
      refuseOn(await findingsOf(db, org, rules));
      n.orgs++;
      n.members += picked.length;
      n.secretaries++;
      if (end <= soon) n.dueSoon++;
    }
    audit({ action: 'org.officer_add', objectType: 'party_org', detail: { demo: true, ...n } });
    return n;
  });
}
