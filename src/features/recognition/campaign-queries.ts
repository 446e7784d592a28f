import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { campaignFilters } from './contract.js';
import type { DB } from '../../db/schema.js';
import type { Node } from '../../db/subtree.js';
import { CAMPAIGN_THEME_LABEL } from '../../domain/recognition/campaigns.js';
import { badRequest, notFound } from '../../http/errors.js';
import { containing, pageFrom, underOrAbove } from '../../http/paging.js';
import { childOf, childrenOf } from './shared.js';
import { exportReadRows, exportable } from '../../http/export-route.js';

/** The education campaigns' reads: the list and its export, the participation by area, one campaign, an organization it reaches. */

type Tx = Transaction<DB>;

type Filters = z.output<z.ZodObject<typeof campaignFilters>>;

/** Campaigns the caller sees: those run in its subtree and those run above it (the RLS policy), with what its subtree put in. */
function campaignList(db: Tx, scopeKey: string) {
  return db
    .selectFrom('campaign as c')
    .innerJoin('jurisdiction as j', 'j.code', 'c.jurisdiction_code')
    .select([
      'c.id',
      'c.name',
      'c.theme',
      'c.starts_on',
      'c.ends_on',
      'c.description',
      'c.jurisdiction_code',
      'c.scope_key',
      'c.cancelled_at',
      'c.cancel_reason',
      'j.name as organizer',
    ])
    .select(sql<boolean>`starts_with(c.scope_key, ${scopeKey})`.as('mine'))
    .select(sql<number>`(SELECT count(*)::int FROM campaign_org co WHERE co.campaign_id = c.id)`.as('orgs'))
    .select(
      sql<number>`(SELECT coalesce(sum(co.members), 0)::int FROM campaign_org co WHERE co.campaign_id = c.id)`.as(
        'members',
      ),
    )
    .select(sql<number>`(SELECT count(*)::int FROM campaign_activity a WHERE a.campaign_id = c.id)`.as('activities'))
    .select(
      sql<number>`(SELECT coalesce(sum(a.participants), 0)::int FROM campaign_activity a WHERE a.campaign_id = c.id)`.as(
        'participants',
      ),
    );
}

/** The campaigns matching the list's filters (shared by the list and its export). */
async function filtered(db: Tx, scopeKey: string, f: Filters) {
  let q = campaignList(db, scopeKey);
  // Under a node: campaigns run there or below, and those above it that reach it.
  if (f.under) {
    q = q.where(await underOrAbove(db, 'c.scope_key', f.under));
  }
  if (f.theme) q = q.where('c.theme', '=', f.theme);
  if (f.year)
    q = q.where(
      sql<boolean>`extract(year FROM c.starts_on) <= ${f.year} AND extract(year FROM c.ends_on) >= ${f.year}`,
    );
  if (f.q) q = q.where('c.name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<ReturnType<typeof campaignList>['execute']>>[number];
const toItem = (c: Row) => ({
  id: c.id,
  name: c.name,
  theme: c.theme,
  themeLabel: CAMPAIGN_THEME_LABEL[c.theme],
  startsOn: c.starts_on,
  endsOn: c.ends_on,
  description: c.description,
  organizer: c.organizer,
  jurisdictionCode: c.jurisdiction_code,
  mine: c.mine,
  cancelled: c.cancelled_at !== null,
  cancelReason: c.cancel_reason,
  orgs: c.orgs,
  members: c.members,
  activities: c.activities,
  participants: c.participants,
});

/** One page of the campaigns, the latest first. */
export async function campaignsPage(db: Tx, scopeKey: string, f: Filters & { page: number; pageSize: number }) {
  return pageFrom(
    await filtered(db, scopeKey, f),
    f,
    (q) => q.orderBy('c.starts_on', 'desc').orderBy('c.id', 'desc'),
    toItem,
  );
}

/** The campaigns of the export (XGZ_EXPORT_MAX_ROWS at most, the latest first) and their activities. */
export async function campaignsForExport(db: Tx, scopeKey: string, f: Filters) {
  const rows = (
    await (
      await filtered(db, scopeKey, f)
    )
      .orderBy('c.starts_on', 'desc')
      .limit(exportReadRows())
      .execute()
      .then(exportable)
  ).map(toItem);
  const ids = rows.map((c) => c.id);
  const activities = ids.length
    ? await db
        .selectFrom('campaign_activity as a')
        .innerJoin('campaign as c', 'c.id', 'a.campaign_id')
        .leftJoin('party_org as o', 'o.id', 'a.org_id')
        .select(['c.name as campaign', 'a.held_on', 'a.title', 'o.name as org', 'a.participants', 'a.note'])
        .where('a.campaign_id', 'in', ids)
        .orderBy('a.held_on')
        .limit(exportReadRows())
        .execute()
        .then(exportable)
    : [];
  return { rows, activities };
}

/** Participation under the node (organizations, members, activities, participants), in all, by child node and on the node itself; for one campaign or year if given. */
export async function campaignStatsUnder(db: Tx, node: Node, f: { campaignId?: number; year?: number }) {
  const { campaignId, year: y } = f;
  const pick = (
    alias: string,
  ) => sql`${campaignId ? sql`AND ${sql.ref(`${alias}.campaign_id`)} = ${campaignId}` : sql``}
    ${y ? sql`AND EXISTS (SELECT 1 FROM campaign c WHERE c.id = ${sql.ref(`${alias}.campaign_id`)} AND extract(year FROM c.starts_on) <= ${y} AND extract(year FROM c.ends_on) >= ${y})` : sql``}`;
  const { rows } = await sql<{
    child: string | null;
    campaigns: number;
    orgs: number;
    members: number;
    activities: number;
    participants: number;
  }>`
    SELECT x.child, count(DISTINCT x.campaign_id)::int AS campaigns, count(DISTINCT x.org_id) FILTER (WHERE x.t = 'o')::int AS orgs,
      coalesce(sum(x.members) FILTER (WHERE x.t = 'o'), 0)::int AS members, count(*) FILTER (WHERE x.t = 'a')::int AS activities,
      coalesce(sum(x.participants) FILTER (WHERE x.t = 'a'), 0)::int AS participants
    FROM (
      SELECT 'o' AS t, co.campaign_id, co.org_id, co.members, 0 AS participants, ${childOf(node, sql.ref('co.scope_key'))} AS child
      FROM campaign_org co WHERE starts_with(co.scope_key, ${node.scope_key}) ${pick('co')}
      UNION ALL
      SELECT 'a', a.campaign_id, a.org_id, 0, a.participants, ${childOf(node, sql.ref('a.scope_key'))}
      FROM campaign_activity a WHERE starts_with(a.scope_key, ${node.scope_key}) ${pick('a')}
    ) x GROUP BY x.child`.execute(db);
  const zero = { campaigns: 0, orgs: 0, members: 0, activities: 0, participants: 0 };
  const of = (row: (typeof rows)[number] | undefined) =>
    row
      ? {
          campaigns: row.campaigns,
          orgs: row.orgs,
          members: row.members,
          activities: row.activities,
          participants: row.participants,
        }
      : zero;
  // Campaigns are distinct across children, so the total is counted once more over the whole subtree.
  const total = rows.reduce(
    (a, x) => ({
      ...a,
      orgs: a.orgs + x.orgs,
      members: a.members + x.members,
      activities: a.activities + x.activities,
      participants: a.participants + x.participants,
    }),
    zero,
  );
  const {
    rows: [distinct],
  } = await sql<{ n: number }>`SELECT count(DISTINCT x.campaign_id)::int AS n FROM (
      SELECT co.campaign_id FROM campaign_org co WHERE starts_with(co.scope_key, ${node.scope_key}) ${pick('co')}
      UNION SELECT a.campaign_id FROM campaign_activity a WHERE starts_with(a.scope_key, ${node.scope_key}) ${pick('a')}) x`.execute(
    db,
  );
  return {
    node: { code: node.code, name: node.name, level: node.level },
    total: { ...total, campaigns: distinct.n },
    children: (await childrenOf(db, node)).map((c) => ({ ...c, ...of(rows.find((x) => x.child === c.code)) })),
    own: of(rows.find((x) => x.child === null)),
  };
}

/** One campaign with the organizations taking part and the activities (those the caller's scope sees). */
export async function campaignDetail(db: Tx, scopeKey: string, id: number) {
  const c = await campaignList(db, scopeKey).where('c.id', '=', id).executeTakeFirst();
  if (!c) throw notFound('学习教育活动');
  const orgs = await db
    .selectFrom('campaign_org as co')
    .innerJoin('party_org as o', 'o.id', 'co.org_id')
    .select(['o.id', 'o.name', 'co.members'])
    .where('co.campaign_id', '=', c.id)
    .orderBy('o.name')
    .execute();
  const activities = await db
    .selectFrom('campaign_activity as a')
    .leftJoin('party_org as o', 'o.id', 'a.org_id')
    .select(['a.id', 'a.held_on', 'a.title', 'a.participants', 'a.note', 'a.org_id', 'o.name as org'])
    .where('a.campaign_id', '=', c.id)
    .orderBy('a.held_on', 'desc')
    .execute();
  return {
    ...toItem(c),
    orgList: orgs.map((o) => ({ id: o.id, name: o.name, members: o.members })),
    activityList: activities.map((a) => ({
      id: a.id,
      heldOn: a.held_on,
      title: a.title,
      participants: a.participants,
      note: a.note,
      orgId: a.org_id,
      org: a.org,
    })),
  };
}

/** The campaign row, or 404. */
export async function loadCampaign(db: Tx, id: number) {
  const c = await db.selectFrom('campaign').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('学习教育活动');
  return c;
}
export type CampaignRecord = Awaited<ReturnType<typeof loadCampaign>>;

/** A party organization in the caller's scope that lies within the campaign's reach. */
export async function reachableOrg(db: Tx, campaign: { scope_key: string }, orgId: number) {
  const org = await db
    .selectFrom('party_org')
    .select(['id', 'name', 'scope_key', 'body'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!org) throw notFound('党组织');
  if (!org.scope_key.startsWith(campaign.scope_key))
    throw badRequest('该组织不在活动部署的辖区内', [{ field: 'orgId', message: '请选择活动辖区内的组织' }]);
  return org;
}
