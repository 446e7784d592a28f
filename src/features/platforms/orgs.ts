import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { ORG_STATUS_LABEL } from '../../domain/orgs/rules.js';
import { CARD_STATE_LABEL, COMMITTEE_LEVELS, LEVEL_LABEL, approverProblem, cardProblem, cardState, expiringBy, type CardState, type NodeLevel } from '../../domain/platforms/orgs.js';
import { Problem, badRequest, notFound } from '../../http/errors.js';
import { containing, idParam, pageFrom, pageOf, pageQuery, underNode } from '../../http/paging.js';
import { sendXlsx, type Column } from '../../http/xlsx.js';
import { loadOrg, orgPlace } from '../orgs/queries.js';
import { nodeInScope } from '../jurisdictions/subtree.js';
import { date, loadPlatform, loadStation, today, underQuery } from './queries.js';

type Tx = Transaction<DB>;
const TAGS = ['新业态新就业群体'];
const TYPE_LABEL = { committee: '网约配送员行业党委', mobile: '流动党员党支部' } as const;

// ── Rider industry committees and mobile-member branches (party_org, sector 'riders') ────
const orgFilters = {
  under: underQuery,
  type: z.enum(['committee', 'mobile']).optional(),
  status: z.enum(['preparing', 'established', 'dissolved']).optional(),
  q: z.string().trim().max(40).optional(),
};
type OrgFilters = { under?: string; type?: string; status?: string; q?: string };

const orgItem = z.object({
  id: z.number(), name: z.string(), type: z.string(), typeLabel: z.string(), level: z.string(), levelLabel: z.string(), placeName: z.string(),
  status: z.string(), statusLabel: z.string(), foundedOn: z.string().nullable(), approverName: z.string().nullable(), approvedOn: z.string().nullable(),
  memberCount: z.number(), units: z.number(), cardsExpiring: z.number(),
});

function orgList(db: Tx) {
  return db.selectFrom('party_org as o').innerJoin('jurisdiction as j', (j) => j.on(sql<boolean>`j.code = coalesce(o.station_code, o.county_code)`))
    .select(['o.id', 'o.name', 'o.setup_mode', 'o.status', 'o.founded_on', 'o.approved_on', 'j.level', 'j.name as place_name'])
    // The approver may sit above the caller's subtree: its name comes through the function that reads those committees.
    .select(sql<string | null>`(SELECT c.name FROM xgz_rider_committees() c WHERE c.id = o.approved_by_org_id)`.as('approver_name'))
    .select(sql<number>`(SELECT count(*)::int FROM party_org_member pm WHERE pm.org_id = o.id)`.as('member_count'))
    .select(sql<number>`(SELECT count(*)::int FROM party_org_unit u WHERE u.org_id = o.id)`.as('units'))
    .select(sql<number>`(SELECT count(*)::int FROM mobile_card mc WHERE mc.org_id = o.id AND mc.returned_on IS NULL AND mc.expires_on BETWEEN ${today()}::date AND ${expiringBy(today())}::date)`.as('cards_expiring'))
    .where('o.sector', '=', 'riders');
}

async function orgsFiltered(db: Tx, f: OrgFilters) {
  let q = orgList(db);
  if (f.under) q = q.where(await underNode(db, 'o.scope_key', f.under));
  if (f.type === 'committee') q = q.where('o.kind', '=', 'committee').where('o.setup_mode', '=', 'industry');
  if (f.type === 'mobile') q = q.where('o.setup_mode', '=', 'mobile');
  if (f.status) q = q.where('o.status', '=', f.status as 'established');
  if (f.q) q = q.where('o.name', 'like', containing(f.q));
  return q;
}

type OrgRow = Awaited<ReturnType<ReturnType<typeof orgList>['execute']>>[number];
const toOrg = (o: OrgRow) => {
  const type = o.setup_mode === 'mobile' ? 'mobile' : 'committee';
  return {
    id: o.id, name: o.name, type, typeLabel: TYPE_LABEL[type], level: o.level, levelLabel: LEVEL_LABEL[o.level as NodeLevel], placeName: o.place_name,
    status: o.status, statusLabel: ORG_STATUS_LABEL[o.status], foundedOn: o.founded_on, approverName: o.approver_name, approvedOn: o.approved_on,
    memberCount: o.member_count, units: o.units, cardsExpiring: o.cards_expiring,
  };
};

const ORG_COLUMNS: Column<ReturnType<typeof toOrg>>[] = [
  { header: '名称', width: 30, value: (o) => o.name },
  { header: '类型', width: 18, value: (o) => o.typeLabel },
  { header: '层级', width: 8, value: (o) => o.levelLabel },
  { header: '所在辖区', width: 16, value: (o) => o.placeName },
  { header: '状态', width: 8, value: (o) => o.statusLabel },
  { header: '成立日期', width: 12, value: (o) => o.foundedOn },
  { header: '批准党委', width: 24, value: (o) => o.approverName },
  { header: '批准日期', width: 12, value: (o) => o.approvedOn },
  { header: '登记党员数', width: 10, value: (o) => o.memberCount },
  { header: '联系平台/站点数', width: 14, value: (o) => o.units },
  { header: '即将到期活动证', width: 14, value: (o) => o.cardsExpiring },
];

const founding = { status: z.enum(['preparing', 'established']).default('established'), foundedOn: date.optional(), note: z.string().trim().max(500).optional() };
const needFounded = (b: { status: string; foundedOn?: string }) => {
  if (b.status === 'established' && !b.foundedOn) throw badRequest('已建组织须填写成立日期', [{ field: 'foundedOn', message: '请填写成立日期' }]);
  if (b.foundedOn && b.foundedOn > today()) throw badRequest('成立日期不能晚于今天', [{ field: 'foundedOn', message: '成立日期不能晚于今天' }]);
};

/** Links an organization to platforms or stations the caller reads; the link takes the unit's scope key. */
async function linkUnits(db: Tx, orgId: number, platformIds: number[], stationIds: number[]) {
  for (const id of platformIds) {
    const p = await loadPlatform(db, id);
    await db.insertInto('party_org_unit').values({ org_id: orgId, platform_id: p.id, scope_key: p.scope_key }).execute();
  }
  for (const id of stationIds) {
    const s = await loadStation(db, id);
    await db.insertInto('party_org_unit').values({ org_id: orgId, delivery_station_id: s.id, scope_key: s.scope_key }).execute();
  }
}

// ── Mobile-member cards ──────────────────────────────────────────────────────────────────
const cardFilters = {
  under: underQuery,
  state: z.enum(['valid', 'expiring', 'expired', 'returned']).optional(),
  orgId: z.coerce.number().int().positive().optional(),
  q: z.string().trim().max(20).optional(),
};
type CardFilters = { under?: string; state?: string; orgId?: number; q?: string };

const cardItem = z.object({
  id: z.number(), memberId: z.number(), memberName: z.string(), orgId: z.number(), orgName: z.string(), cardNo: z.string(), issuedBy: z.string(),
  issuedOn: z.string(), expiresOn: z.string(), returnedOn: z.string().nullable(), state: z.string(), stateLabel: z.string(),
});

function cardList(db: Tx) {
  return db.selectFrom('mobile_card as c').innerJoin('member as m', 'm.id', 'c.member_id').innerJoin('person as p', 'p.id', 'm.person_id').innerJoin('party_org as o', 'o.id', 'c.org_id')
    .select(['c.id', 'c.member_id', 'p.name as member_name', 'c.org_id', 'o.name as org_name', 'c.card_no', 'c.issued_by', 'c.issued_on', 'c.expires_on', 'c.returned_on']);
}

/** The states of src/domain/platforms/orgs.ts cardState, as SQL conditions on today's date. */
function cardStateSql(state: CardState) {
  const now = today();
  const soon = expiringBy(now);
  switch (state) {
    case 'returned': return sql<boolean>`c.returned_on IS NOT NULL`;
    case 'expired': return sql<boolean>`c.returned_on IS NULL AND c.expires_on < ${now}::date`;
    case 'expiring': return sql<boolean>`c.returned_on IS NULL AND c.expires_on BETWEEN ${now}::date AND ${soon}::date`;
    case 'valid': return sql<boolean>`c.returned_on IS NULL AND c.expires_on > ${soon}::date`;
  }
}

async function cardsFiltered(db: Tx, f: CardFilters) {
  let q = cardList(db);
  if (f.under) q = q.where(await underNode(db, 'c.scope_key', f.under));
  if (f.state) q = q.where(cardStateSql(f.state as CardState));
  if (f.orgId) q = q.where('c.org_id', '=', f.orgId);
  if (f.q) q = q.where('p.name', 'like', containing(f.q));
  return q;
}

type CardRow = Awaited<ReturnType<ReturnType<typeof cardList>['execute']>>[number];
const toCard = (c: CardRow) => {
  const state = cardState({ expiresOn: c.expires_on, returnedOn: c.returned_on }, today());
  return {
    id: c.id, memberId: c.member_id, memberName: c.member_name, orgId: c.org_id, orgName: c.org_name, cardNo: c.card_no, issuedBy: c.issued_by,
    issuedOn: c.issued_on, expiresOn: c.expires_on, returnedOn: c.returned_on, state, stateLabel: CARD_STATE_LABEL[state],
  };
};

const CARD_COLUMNS: Column<ReturnType<typeof toCard>>[] = [
  { header: '党员', width: 10, value: (c) => c.memberName },
  { header: '流动党员党支部', width: 28, value: (c) => c.orgName },
  { header: '活动证编号', width: 18, value: (c) => c.cardNo },
  { header: '发证党组织', width: 28, value: (c) => c.issuedBy },
  { header: '发证日期', width: 12, value: (c) => c.issuedOn },
  { header: '有效期至', width: 12, value: (c) => c.expiresOn },
  { header: '交回日期', width: 12, value: (c) => c.returnedOn },
  { header: '状态', width: 10, value: (c) => c.stateLabel },
];

/** Rider industry committees, mobile-member branches (with their approval), the units they serve, and mobile-member cards. */
export async function newEmploymentOrgRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/new-employment/orgs', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '网约配送员行业党委与流动党员党支部', querystring: z.strictObject({ ...pageQuery, ...orgFilters }), response: { 200: pageOf(orgItem) } },
    handler: (req) => req.scoped(async ({ db }) => pageFrom(await orgsFiltered(db, req.query), req.query, (q) => q.orderBy('o.scope_key').orderBy('o.name'), toOrg)),
  });

  r.get('/new-employment/orgs/export', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '导出行业党委与流动党员党支部（xlsx，导出留痕）', querystring: z.strictObject(orgFilters) },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await orgsFiltered(db, req.query)).orderBy('o.scope_key').orderBy('o.name').limit(100_000).execute();
        audit({ action: 'rider_org.export', objectType: 'party_org', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toOrg);
      });
      return sendXlsx(reply, `行业党委与流动党员党支部-${today()}.xlsx`, '组织', ORG_COLUMNS, rows);
    },
  });

  r.get('/new-employment/approvers', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '可批准流动党员党支部的行业党委（本级、下级及上级的已建县级以上行业党委）' },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const { rows } = await sql<{ id: number; name: string; level: string; status: 'established' }>`SELECT id, name, level, status FROM xgz_rider_committees() ORDER BY scope_key, name`.execute(db);
        return { items: rows.filter((c) => !approverProblem({ level: c.level as NodeLevel, status: c.status, isCommittee: true })).map((c) => ({ id: c.id, name: c.name, level: c.level, levelLabel: LEVEL_LABEL[c.level as NodeLevel] })) };
      }),
  });

  r.post('/new-employment/committees', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '成立网约配送员行业党委（省、市、县三级）',
      body: z.strictObject({ name: z.string().trim().min(2, '名称至少 2 个字').max(60), jurisdictionCode: z.string().regex(/^\d{6}$/, '请选择省、市或县（区）').optional(), ...founding }),
    },
    handler: async (req, reply) => {
      const b = req.body;
      needFounded(b);
      const id = await req.scoped(async ({ db, audit }) => {
        const node = await nodeInScope(db, req.user!, b.jurisdictionCode);
        if (!(COMMITTEE_LEVELS as readonly string[]).includes(node.level)) throw badRequest('行业党委设在省、市、县（区）三级', [{ field: 'jurisdictionCode', message: '请选择省、市或县（区）' }]);
        // A committee above the county has no county: county_code holds the node it hangs on (see migration 0017).
        const row = await db.insertInto('party_org').values({
          name: b.name, kind: 'committee', setup_mode: 'industry', sector: 'riders', county_code: node.code, station_code: null, scope_key: node.scope_key,
          status: b.status, founded_on: b.foundedOn ?? null, note: b.note ?? null,
        }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'rider_org.committee_create', objectType: 'party_org', objectId: row.id, detail: { name: b.name, level: node.level, jurisdiction: node.code } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.post('/new-employment/mobile-branches', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '成立流动党员党支部（须经县级以上党委批准），可同时关联平台和配送站点',
      body: z.strictObject({
        name: z.string().trim().min(2, '名称至少 2 个字').max(60),
        placeCode: z.string().regex(/^\d{6,9}$/, '请选择所在县（区）或基层所'),
        approvedByOrgId: z.number().int().positive('请选择批准的党委'),
        approvedOn: date,
        platformIds: z.array(z.number().int().positive()).max(50).default([]),
        deliveryStationIds: z.array(z.number().int().positive()).max(200).default([]),
        ...founding,
      }),
    },
    handler: async (req, reply) => {
      const b = req.body;
      needFounded(b);
      const id = await req.scoped(async ({ db, audit }) => {
        const { rows } = await sql<{ id: number; level: NodeLevel; status: 'established' }>`SELECT id, level, status FROM xgz_rider_committees() WHERE id = ${b.approvedByOrgId}`.execute(db);
        if (!rows[0]) throw notFound('批准的行业党委');
        const problem = approverProblem({ level: rows[0].level, status: rows[0].status, isCommittee: true });
        if (problem) throw new Problem(422, '不符合党组织设置规定', problem, [{ field: 'approvedByOrgId', message: problem }]);
        if (b.approvedOn > today()) throw badRequest('批准日期不能晚于今天', [{ field: 'approvedOn', message: '批准日期不能晚于今天' }]);
        if (b.foundedOn && b.foundedOn < b.approvedOn) throw badRequest('成立日期不能早于批准日期', [{ field: 'foundedOn', message: '成立日期不能早于批准日期' }]);
        const place = await orgPlace(db, b.placeCode);
        const row = await db.insertInto('party_org').values({
          name: b.name, kind: 'branch', setup_mode: 'mobile', sector: 'riders', approved_by_org_id: b.approvedByOrgId, approved_on: b.approvedOn,
          status: b.status, founded_on: b.foundedOn ?? null, note: b.note ?? null, ...place,
        }).returning('id').executeTakeFirstOrThrow();
        await linkUnits(db, row.id, b.platformIds, b.deliveryStationIds);
        audit({ action: 'rider_org.mobile_create', objectType: 'party_org', objectId: row.id, detail: { name: b.name, approvedBy: b.approvedByOrgId, approvedOn: b.approvedOn, platforms: b.platformIds, stations: b.deliveryStationIds } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.post('/new-employment/orgs/:id/units', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '党组织联系（覆盖）平台企业或配送站点：计入本行业组织覆盖',
      params: idParam,
      body: z.strictObject({ platformId: z.number().int().positive().optional(), deliveryStationId: z.number().int().positive().optional() })
        .refine((b) => !!b.platformId !== !!b.deliveryStationId, { message: '请选择一个平台企业或一个配送站点', path: ['platformId'] }),
    },
    handler: async (req, reply) => {
      const b = req.body;
      await req.scoped(async ({ db, audit }) => {
        const org = await loadOrg(db, req.params.id);
        await linkUnits(db, org.id, b.platformId ? [b.platformId] : [], b.deliveryStationId ? [b.deliveryStationId] : []);
        audit({ action: 'rider_org.unit_add', objectType: 'party_org', objectId: org.id, detail: b });
      });
      return reply.code(204).send();
    },
  });

  r.delete('/new-employment/orgs/:id/units/:key', {
    config: { access: 'data.write' },
    schema: { tags: TAGS, summary: '取消党组织与平台企业或配送站点的联系', params: z.strictObject({ id: z.coerce.number().int().positive(), key: z.coerce.number().int().positive() }) },
    handler: async (req, reply) => {
      await req.scoped(async ({ db, audit }) => {
        const org = await loadOrg(db, req.params.id);
        const gone = await db.deleteFrom('party_org_unit').where('org_id', '=', org.id).where('id', '=', req.params.key).returning(['platform_id', 'delivery_station_id']).executeTakeFirst();
        if (!gone) throw notFound('联系记录');
        audit({ action: 'rider_org.unit_remove', objectType: 'party_org', objectId: org.id, detail: { linkId: req.params.key, platformId: gone.platform_id, deliveryStationId: gone.delivery_station_id } });
      });
      return reply.code(204).send();
    },
  });

  r.get('/new-employment/cards', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '流动党员活动证（可筛选即将到期）', querystring: z.strictObject({ ...pageQuery, ...cardFilters }), response: { 200: pageOf(cardItem) } },
    handler: (req) => req.scoped(async ({ db }) => pageFrom(await cardsFiltered(db, req.query), req.query, (q) => q.orderBy('c.expires_on').orderBy('c.id'), toCard)),
  });

  r.get('/new-employment/cards/export', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '导出流动党员活动证（xlsx，导出留痕）', querystring: z.strictObject(cardFilters) },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await cardsFiltered(db, req.query)).orderBy('c.expires_on').orderBy('c.id').limit(100_000).execute();
        audit({ action: 'mobile_card.export', objectType: 'mobile_card', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toCard);
      });
      return sendXlsx(reply, `流动党员活动证-${today()}.xlsx`, '流动党员活动证', CARD_COLUMNS, rows);
    },
  });

  r.post('/new-employment/cards', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '登记流动党员活动证（在流动党员党支部参加组织生活）',
      body: z.strictObject({
        memberId: z.number().int().positive('请选择党员'),
        orgId: z.number().int().positive('请选择流动党员党支部'),
        cardNo: z.string().trim().min(1, '请填写活动证编号').max(40),
        issuedBy: z.string().trim().min(2, '请填写发证党组织').max(60),
        issuedOn: date,
        expiresOn: date,
      }),
    },
    handler: async (req, reply) => {
      const b = req.body;
      const problem = cardProblem(b, today());
      if (problem) throw badRequest(problem.message, [problem]);
      const id = await req.scoped(async ({ db, audit }) => {
        const org = await loadOrg(db, b.orgId);
        if (org.setup_mode !== 'mobile') throw badRequest('活动证登记在流动党员党支部', [{ field: 'orgId', message: '请选择流动党员党支部' }]);
        if (!(await db.selectFrom('member').select('id').where('id', '=', b.memberId).executeTakeFirst())) throw notFound('党员');
        const row = await db.insertInto('mobile_card').values({
          member_id: b.memberId, org_id: org.id, card_no: b.cardNo, issued_by: b.issuedBy, issued_on: b.issuedOn, expires_on: b.expiresOn, scope_key: org.scope_key,
        }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'mobile_card.create', objectType: 'mobile_card', objectId: row.id, detail: { memberId: b.memberId, orgId: org.id, expiresOn: b.expiresOn } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.patch('/new-employment/cards/:id', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '活动证续期（新的有效期）或交回',
      params: idParam,
      body: z.strictObject({ expiresOn: date.optional(), returnedOn: date.optional() }),
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const before = await db.selectFrom('mobile_card').selectAll().where('id', '=', req.params.id).executeTakeFirst();
        if (!before) throw notFound('流动党员活动证');
        if (before.returned_on) throw new Problem(409, '当前状态不允许此操作', `该活动证已于 ${before.returned_on} 交回`);
        const expiresOn = b.expiresOn ?? before.expires_on;
        if (expiresOn <= before.issued_on) throw badRequest('有效期至应晚于发证日期', [{ field: 'expiresOn', message: '有效期至应晚于发证日期' }]);
        if (b.returnedOn && (b.returnedOn < before.issued_on || b.returnedOn > today())) throw badRequest('交回日期应在发证日期与今天之间', [{ field: 'returnedOn', message: '交回日期应在发证日期与今天之间' }]);
        await db.updateTable('mobile_card').set({ expires_on: expiresOn, returned_on: b.returnedOn ?? null, updated_at: new Date() }).where('id', '=', before.id).execute();
        audit({ action: 'mobile_card.update', objectType: 'mobile_card', objectId: before.id, detail: { before: { expiresOn: before.expires_on }, after: { expiresOn, returnedOn: b.returnedOn ?? null } } });
        return { id: before.id };
      }),
  });
}
