import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden } from '../../http/errors.js';
import { sendXlsx } from '../../http/xlsx.js';
import { areaNode, endsBeforeStart, today } from './shared.js';
import { schemaOf } from '../../http/contract.js';
import {
  addCampaignOrg,
  campaignFilters,
  campaignStats,
  cancelCampaign,
  createCampaign,
  getCampaign,
  listCampaigns,
  recordActivity,
  removeCampaignOrg,
  updateCampaign,
} from './contract.js';
import { actorOf, closeDeployed, deployCampaign } from '../worktasks/index.js';
import {
  campaignDetail,
  campaignStatsUnder,
  campaignsForExport,
  campaignsPage,
  loadCampaign,
} from './campaign-queries.js';
import {
  addCampaign,
  addCampaignActivity,
  changeCampaign,
  dropCampaignOrg,
  enterCampaignOrg,
  markCampaignCancelled,
} from './campaign-writes.js';

const tags = ['学习教育'];

/** Changing the campaign itself is for its organizer's subtree; those below only take part. */
function mustOwn(c: { scope_key: string }, scopeKey: string) {
  if (!c.scope_key.startsWith(scopeKey))
    throw forbidden('上级部署的学习教育活动只能由上级修改；本级可登记参加的组织和开展的活动');
}

/** Education campaigns (学习教育): period, participating organizations and members, activities. */
export async function campaignRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listCampaigns.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listCampaigns, tags),
      querystring: listCampaigns.query,
      response: { 200: listCampaigns.response },
    },
    handler: (req) => req.scoped(({ db }) => campaignsPage(db, req.user!.scopeKey, req.query)),
  });

  r.get('/campaigns/export', {
    config: { access: 'data.read' },
    schema: {
      tags,
      summary: '导出学习教育活动及活动记录（xlsx，导出留痕）',
      querystring: z.strictObject(campaignFilters),
    },
    handler: async (req, reply) => {
      const { rows, activities } = await req.scoped(async ({ db, audit }) => {
        const found = await campaignsForExport(db, req.user!.scopeKey, req.query);
        audit({
          action: 'campaign.export',
          objectType: 'campaign',
          detail: { filters: req.query, rows: found.rows.length, activities: found.activities.length },
        });
        return found;
      });
      return sendXlsx(
        reply,
        `学习教育活动-${today()}.xlsx`,
        '学习教育活动',
        [
          { header: '名称', width: 30, value: (c) => c.name },
          { header: '类别', width: 14, value: (c) => c.themeLabel },
          { header: '开始日期', width: 12, value: (c) => c.startsOn },
          { header: '结束日期', width: 12, value: (c) => c.endsOn },
          { header: '部署单位', width: 16, value: (c) => c.organizer },
          { header: '参加组织数', width: 10, value: (c) => c.orgs },
          { header: '参加党员数', width: 10, value: (c) => c.members },
          { header: '开展活动次数', width: 12, value: (c) => c.activities },
          { header: '参加人次', width: 10, value: (c) => c.participants },
        ],
        rows,
        [
          {
            name: '活动记录',
            headers: ['学习教育活动', '日期', '活动名称', '组织', '参加人数', '备注'],
            rows: activities.map((a) => [a.campaign, a.held_on, a.title, a.org, a.participants, a.note]),
          },
        ],
      );
    },
  });

  r.get(campaignStats.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(campaignStats, tags),
      querystring: campaignStats.query,
      response: { 200: campaignStats.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await areaNode(db, req.query.under ?? req.user!.jurisdictionCode);
        return campaignStatsUnder(db, node, req.query);
      }),
  });

  r.post(createCampaign.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(createCampaign, tags),
      body: createCampaign.body,
      response: { 201: createCampaign.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.endsOn < b.startsOn) throw endsBeforeStart();
      const id = await req.scoped(async (s) => {
        const id = await addCampaign(s.db, b.jurisdictionCode ?? req.user!.jurisdictionCode, b);
        s.audit({
          action: 'campaign.create',
          objectType: 'campaign',
          objectId: id,
          detail: { name: b.name, theme: b.theme, startsOn: b.startsOn, endsOn: b.endsOn },
        });
        // The campaign reaches the nodes below its deploying node as a task (the campaign is its body).
        await deployCampaign(s, actorOf(req.user!), Number(id), new Date());
        return id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getCampaign.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getCampaign, tags), params: getCampaign.params, response: { 200: getCampaign.response } },
    handler: (req) => req.scoped(({ db }) => campaignDetail(db, req.user!.scopeKey, req.params.id)),
  });

  r.patch(updateCampaign.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateCampaign, tags),
      params: updateCampaign.params,
      body: updateCampaign.body,
      response: { 200: updateCampaign.response },
    },
    handler: (req) =>
      req.scoped(async (s) => {
        const c = await loadCampaign(s.db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        const after = await changeCampaign(s.db, c, req.body);
        s.audit({
          action: 'campaign.update',
          objectType: 'campaign',
          objectId: c.id,
          detail: {
            before: { name: c.name, startsOn: c.starts_on, endsOn: c.ends_on },
            after: { name: after.name, startsOn: after.starts_on, endsOn: after.ends_on },
          },
        });
        await deployCampaign(s, actorOf(req.user!), c.id, new Date());
        return { id: c.id };
      }),
  });

  r.post(cancelCampaign.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(cancelCampaign, tags),
      params: cancelCampaign.params,
      body: cancelCampaign.body,
      response: { 204: cancelCampaign.response },
    },
    handler: async (req, reply) => {
      await req.scoped(async (s) => {
        const c = await loadCampaign(s.db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        if (c.cancelled_at) return;
        const now = new Date();
        await markCampaignCancelled(s.db, c.id, req.body.reason, now);
        await closeDeployed(
          s,
          actorOf(req.user!),
          'campaign',
          c.jurisdiction_code,
          String(c.id),
          `学习教育活动已取消：${req.body.reason}`,
          now,
        );
        s.audit({
          action: 'campaign.cancel',
          objectType: 'campaign',
          objectId: c.id,
          detail: { reason: req.body.reason },
        });
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
        const { org, members } = await enterCampaignOrg(db, c, b);
        audit({
          action: 'campaign.org_add',
          objectType: 'campaign',
          objectId: c.id,
          detail: { orgId: org.id, members },
        });
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
        await dropCampaignOrg(db, c.id, req.params.key);
        audit({
          action: 'campaign.org_remove',
          objectType: 'campaign',
          objectId: c.id,
          detail: { orgId: req.params.key },
        });
      });
      return reply.code(204).send();
    },
  });

  r.post(recordActivity.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(recordActivity, tags),
      params: recordActivity.params,
      body: recordActivity.body,
      response: { 201: recordActivity.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const c = await loadCampaign(db, req.params.id);
        const id = await addCampaignActivity(db, c, b, req.user!.scopeKey);
        audit({
          action: 'campaign.activity_add',
          objectType: 'campaign',
          objectId: c.id,
          detail: { activityId: id, heldOn: b.heldOn, participants: b.participants },
        });
        return id;
      });
      return reply.code(201).send({ id });
    },
  });
}
