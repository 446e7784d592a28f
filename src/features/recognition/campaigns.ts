import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { badRequest, forbidden, notFound } from '../../http/errors.js';
import { containing, pageFrom, underOrAbove } from '../../http/paging.js';
import { sendXlsx } from '../../http/xlsx.js';
import { areaNode, childOf, childrenOf, today } from './shared.js';
import { expectWritten } from '../../db/writes.js';
import { schemaOf } from '../../http/contract.js';
import { CAMPAIGN_THEME_LABEL } from '../../domain/recognition/campaigns.js';
import {
  addCampaignOrg, campaignFilters, campaignStats, cancelCampaign, createCampaign, getCampaign, listCampaigns, recordActivity, removeCampaignOrg, updateCampaign,
} from './contract.js';
import { actorOf, closeDeployed, deployCampaign } from '../worktasks/index.js';

type Tx = Transaction<DB>;
const tags = ['学习教育'];

type Filters = { under?: string; theme?: string; year?: number; q?: string };

/** Campaigns the caller sees: those run in its subtree and those run above it (the RLS policy), with what its subtree put in. */
function campaignList(db: Tx, scopeKey: string) {
  return db.selectFrom('campaign as c').innerJoin('jurisdiction as j', 'j.code', 'c.jurisdiction_code')
    .select(['c.id', 'c.name', 'c.theme', 'c.starts_on', 'c.ends_on', 'c.description', 'c.jurisdiction_code', 'c.scope_key', 'c.cancelled_at', 'c.cancel_reason', 'j.name as organizer'])
    .select(sql<boolean>`starts_with(c.scope_key, ${scopeKey})`.as('mine'))
    .select(sql<number>`(SELECT count(*)::int FROM campaign_org co WHERE co.campaign_id = c.id)`.as('orgs'))
    .select(sql<number>`(SELECT coalesce(sum(co.members), 0)::int FROM campaign_org co WHERE co.campaign_id = c.id)`.as('members'))
    .select(sql<number>`(SELECT count(*)::int FROM campaign_activity a WHERE a.campaign_id = c.id)`.as('activities'))
    .select(sql<number>`(SELECT coalesce(sum(a.participants), 0)::int FROM campaign_activity a WHERE a.campaign_id = c.id)`.as('participants'));
}

async function filtered(db: Tx, scopeKey: string, f: Filters) {
  let q = campaignList(db, scopeKey);
  // Under a node: campaigns run there or below, and those above it that reach it.
  if (f.under) {
    q = q.where(await underOrAbove(db, 'c.scope_key', f.under));
  }
  if (f.theme) q = q.where('c.theme', '=', f.theme as 'other');
  if (f.year) q = q.where(sql<boolean>`extract(year FROM c.starts_on) <= ${f.year} AND extract(year FROM c.ends_on) >= ${f.year}`);
  if (f.q) q = q.where('c.name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<ReturnType<typeof campaignList>['execute']>>[number];
const toItem = (c: Row) => ({
  id: c.id, name: c.name, theme: c.theme, themeLabel: CAMPAIGN_THEME_LABEL[c.theme], startsOn: c.starts_on, endsOn: c.ends_on, description: c.description,
  organizer: c.organizer, jurisdictionCode: c.jurisdiction_code, mine: c.mine, cancelled: c.cancelled_at !== null, cancelReason: c.cancel_reason, orgs: c.orgs, members: c.members, activities: c.activities, participants: c.participants,
});

async function loadCampaign(db: Tx, id: number) {
  const c = await db.selectFrom('campaign').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('学习教育活动');
  return c;
}

/** Changing the campaign itself is for its organizer's subtree; those below only take part. */
function mustOwn(c: { scope_key: string }, scopeKey: string) {
  if (!c.scope_key.startsWith(scopeKey)) throw forbidden('上级部署的学习教育活动只能由上级修改；本级可登记参加的组织和开展的活动');
}

/** A party organization in the caller's scope that lies within the campaign's reach. */
async function reachableOrg(db: Tx, campaign: { scope_key: string }, orgId: number) {
  const org = await db.selectFrom('party_org').select(['id', 'name', 'scope_key', 'body']).where('id', '=', orgId).executeTakeFirst();
  if (!org) throw notFound('党组织');
  if (!org.scope_key.startsWith(campaign.scope_key)) throw badRequest('该组织不在活动部署的辖区内', [{ field: 'orgId', message: '请选择活动辖区内的组织' }]);
  return org;
}

/** Education campaigns (学习教育): period, participating organizations and members, activities. */
export async function campaignRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listCampaigns.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listCampaigns, tags), querystring: listCampaigns.query, response: { 200: listCampaigns.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await filtered(db, req.user!.scopeKey, req.query);
        return pageFrom(q, req.query, (q) => q.orderBy('c.starts_on', 'desc').orderBy('c.id', 'desc'), toItem);
      }),
  });

  r.get('/campaigns/export', {
    config: { access: 'data.read' },
    schema: { tags, summary: '导出学习教育活动及活动记录（xlsx，导出留痕）', querystring: z.strictObject(campaignFilters) },
    handler: async (req, reply) => {
      const { rows, activities } = await req.scoped(async ({ db, audit }) => {
        const rows = (await (await filtered(db, req.user!.scopeKey, req.query)).orderBy('c.starts_on', 'desc').limit(10_000).execute()).map(toItem);
        const ids = rows.map((c) => c.id);
        const activities = ids.length ? await db.selectFrom('campaign_activity as a').innerJoin('campaign as c', 'c.id', 'a.campaign_id').leftJoin('party_org as o', 'o.id', 'a.org_id')
          .select(['c.name as campaign', 'a.held_on', 'a.title', 'o.name as org', 'a.participants', 'a.note']).where('a.campaign_id', 'in', ids).orderBy('a.held_on').limit(100_000).execute() : [];
        audit({ action: 'campaign.export', objectType: 'campaign', detail: { filters: req.query, rows: rows.length, activities: activities.length } });
        return { rows, activities };
      });
      return sendXlsx(reply, `学习教育活动-${today()}.xlsx`, '学习教育活动', [
        { header: '名称', width: 30, value: (c) => c.name },
        { header: '类别', width: 14, value: (c) => c.themeLabel },
        { header: '开始日期', width: 12, value: (c) => c.startsOn },
        { header: '结束日期', width: 12, value: (c) => c.endsOn },
        { header: '部署单位', width: 16, value: (c) => c.organizer },
        { header: '参加组织数', width: 10, value: (c) => c.orgs },
        { header: '参加党员数', width: 10, value: (c) => c.members },
        { header: '开展活动次数', width: 12, value: (c) => c.activities },
        { header: '参加人次', width: 10, value: (c) => c.participants },
      ], rows, [{ name: '活动记录', headers: ['学习教育活动', '日期', '活动名称', '组织', '参加人数', '备注'], rows: activities.map((a) => [a.campaign, a.held_on, a.title, a.org, a.participants, a.note]) }]);
    },
  });

  r.get(campaignStats.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(campaignStats, tags), querystring: campaignStats.query, response: { 200: campaignStats.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await areaNode(db, req.query.under ?? req.user!.jurisdictionCode);
        const { campaignId, year: y } = req.query;
        const pick = (alias: string) => sql`${campaignId ? sql`AND ${sql.ref(`${alias}.campaign_id`)} = ${campaignId}` : sql``}
          ${y ? sql`AND EXISTS (SELECT 1 FROM campaign c WHERE c.id = ${sql.ref(`${alias}.campaign_id`)} AND extract(year FROM c.starts_on) <= ${y} AND extract(year FROM c.ends_on) >= ${y})` : sql``}`;
        const { rows } = await sql<{ child: string | null; campaigns: number; orgs: number; members: number; activities: number; participants: number }>`
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
        const of = (row: (typeof rows)[number] | undefined) => (row ? { campaigns: row.campaigns, orgs: row.orgs, members: row.members, activities: row.activities, participants: row.participants } : zero);
        // Campaigns are distinct across children, so the total is counted once more over the whole subtree.
        const total = rows.reduce((a, x) => ({ ...a, orgs: a.orgs + x.orgs, members: a.members + x.members, activities: a.activities + x.activities, participants: a.participants + x.participants }), zero);
        const { rows: [distinct] } = await sql<{ n: number }>`SELECT count(DISTINCT x.campaign_id)::int AS n FROM (
            SELECT co.campaign_id FROM campaign_org co WHERE starts_with(co.scope_key, ${node.scope_key}) ${pick('co')}
            UNION SELECT a.campaign_id FROM campaign_activity a WHERE starts_with(a.scope_key, ${node.scope_key}) ${pick('a')}) x`.execute(db);
        return {
          node: { code: node.code, name: node.name, level: node.level },
          total: { ...total, campaigns: distinct.n },
          children: (await childrenOf(db, node)).map((c) => ({ ...c, ...of(rows.find((x) => x.child === c.code)) })),
          own: of(rows.find((x) => x.child === null)),
        };
      }),
  });

  r.post(createCampaign.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createCampaign, tags), body: createCampaign.body, response: { 201: createCampaign.response } },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.endsOn < b.startsOn) throw badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);
      const id = await req.scoped(async (s) => {
        const { db, audit } = s;
        const node = await db.selectFrom('jurisdiction').select(['code', 'scope_key']).where('code', '=', b.jurisdictionCode ?? req.user!.jurisdictionCode).executeTakeFirst();
        if (!node) throw notFound('部署单位');
        const row = await db.insertInto('campaign').values({ name: b.name, theme: b.theme, starts_on: b.startsOn, ends_on: b.endsOn, description: b.description ?? null, jurisdiction_code: node.code, scope_key: node.scope_key })
          .returning('id').executeTakeFirstOrThrow();
        audit({ action: 'campaign.create', objectType: 'campaign', objectId: row.id, detail: { name: b.name, theme: b.theme, startsOn: b.startsOn, endsOn: b.endsOn } });
        // The campaign reaches the nodes below its deploying node as a task (the campaign is its body).
        await deployCampaign(s, actorOf(req.user!), Number(row.id), new Date());
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getCampaign.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getCampaign, tags), params: getCampaign.params, response: { 200: getCampaign.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const c = await campaignList(db, req.user!.scopeKey).where('c.id', '=', req.params.id).executeTakeFirst();
        if (!c) throw notFound('学习教育活动');
        const orgs = await db.selectFrom('campaign_org as co').innerJoin('party_org as o', 'o.id', 'co.org_id').select(['o.id', 'o.name', 'co.members']).where('co.campaign_id', '=', c.id).orderBy('o.name').execute();
        const activities = await db.selectFrom('campaign_activity as a').leftJoin('party_org as o', 'o.id', 'a.org_id')
          .select(['a.id', 'a.held_on', 'a.title', 'a.participants', 'a.note', 'a.org_id', 'o.name as org']).where('a.campaign_id', '=', c.id).orderBy('a.held_on', 'desc').execute();
        return {
          ...toItem(c),
          orgList: orgs.map((o) => ({ id: o.id, name: o.name, members: o.members })),
          activityList: activities.map((a) => ({ id: a.id, heldOn: a.held_on, title: a.title, participants: a.participants, note: a.note, orgId: a.org_id, org: a.org })),
        };
      }),
  });

  r.patch(updateCampaign.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(updateCampaign, tags), params: updateCampaign.params, body: updateCampaign.body, response: { 200: updateCampaign.response } },
    handler: (req) =>
      req.scoped(async (s) => {
        const { db, audit } = s;
        const b = req.body;
        const c = await loadCampaign(db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        if (c.cancelled_at) throw badRequest('学习教育活动已取消，不能修改');
        const after = { name: b.name ?? c.name, theme: b.theme ?? c.theme, starts_on: b.startsOn ?? c.starts_on, ends_on: b.endsOn ?? c.ends_on, description: b.description === undefined ? c.description : b.description };
        if (after.ends_on < after.starts_on) throw badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);
        expectWritten(await db.updateTable('campaign').set({ ...after, updated_at: new Date() }).where('id', '=', c.id).executeTakeFirst(), '学习教育活动', { action: 'campaign.update', objectType: 'campaign', objectId: c.id });
        audit({ action: 'campaign.update', objectType: 'campaign', objectId: c.id, detail: { before: { name: c.name, startsOn: c.starts_on, endsOn: c.ends_on }, after: { name: after.name, startsOn: after.starts_on, endsOn: after.ends_on } } });
        await deployCampaign(s, actorOf(req.user!), c.id, new Date());
        return { id: c.id };
      }),
  });

  r.post(cancelCampaign.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(cancelCampaign, tags), params: cancelCampaign.params, body: cancelCampaign.body, response: { 204: cancelCampaign.response } },
    handler: async (req, reply) => {
      await req.scoped(async (s) => {
        const c = await loadCampaign(s.db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        if (c.cancelled_at) return;
        const now = new Date();
        await s.db.updateTable('campaign').set({ cancelled_at: now, cancel_reason: req.body.reason, updated_at: now }).where('id', '=', c.id).execute();
        await closeDeployed(s, actorOf(req.user!), 'campaign', c.jurisdiction_code, String(c.id), `学习教育活动已取消：${req.body.reason}`, now);
        s.audit({ action: 'campaign.cancel', objectType: 'campaign', objectId: c.id, detail: { reason: req.body.reason } });
      });
      return reply.code(204).send(null);
    },
  });

  r.post(addCampaignOrg.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(addCampaignOrg, tags), params: addCampaignOrg.params, body: addCampaignOrg.body },
    handler: async (req, reply) => {
      const b = req.body;
      await req.scoped(async ({ db, audit }) => {
        const c = await loadCampaign(db, req.params.id);
        const org = await reachableOrg(db, c, b.orgId);
        // Enter once: the roster already knows how many members the organization holds.
        const members = b.members ?? (await db.selectFrom('party_org_member').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', org.id).executeTakeFirstOrThrow()).n;
        await db.insertInto('campaign_org').values({ campaign_id: c.id, org_id: org.id, members, scope_key: org.scope_key })
          .onConflict((oc) => oc.columns(['campaign_id', 'org_id']).doUpdateSet({ members })).execute();
        audit({ action: 'campaign.org_add', objectType: 'campaign', objectId: c.id, detail: { orgId: org.id, members } });
      });
      return reply.code(204).send();
    },
  });

  r.delete(removeCampaignOrg.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(removeCampaignOrg, tags), params: removeCampaignOrg.params },
    handler: async (req, reply) => {
      await req.scoped(async ({ db, audit }) => {
        const c = await loadCampaign(db, req.params.id);
        const gone = await db.deleteFrom('campaign_org').where('campaign_id', '=', c.id).where('org_id', '=', req.params.key).executeTakeFirst();
        if (!Number(gone.numDeletedRows)) throw notFound('参加该活动的党组织');
        audit({ action: 'campaign.org_remove', objectType: 'campaign', objectId: c.id, detail: { orgId: req.params.key } });
      });
      return reply.code(204).send();
    },
  });

  r.post(recordActivity.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(recordActivity, tags), params: recordActivity.params, body: recordActivity.body, response: { 201: recordActivity.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const c = await loadCampaign(db, req.params.id);
        if (b.heldOn < c.starts_on || b.heldOn > c.ends_on) throw badRequest(`活动日期应在 ${c.starts_on} 至 ${c.ends_on} 之间`, [{ field: 'heldOn', message: '活动日期不在学习教育期间内' }]);
        const org = b.orgId ? await reachableOrg(db, c, b.orgId) : null;
        // An activity belongs to its organization's area, else to the caller's own, where the campaign reaches.
        const scopeKey = org?.scope_key ?? (req.user!.scopeKey.startsWith(c.scope_key) ? req.user!.scopeKey : c.scope_key);
        const row = await db.insertInto('campaign_activity').values({ campaign_id: c.id, org_id: org?.id ?? null, held_on: b.heldOn, title: b.title, participants: b.participants, note: b.note ?? null, scope_key: scopeKey })
          .returning('id').executeTakeFirstOrThrow();
        audit({ action: 'campaign.activity_add', objectType: 'campaign', objectId: c.id, detail: { activityId: row.id, heldOn: b.heldOn, participants: b.participants } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });
}
