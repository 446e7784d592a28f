import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import type { PlatformBusiness } from '../../db/schema-platforms.js';
import { decryptField } from '../../crypto/field.js';
import { maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import { idNumberField, phoneField } from '../../domain/ledger/rows.js';
import { BUSINESS_LABEL, PLATFORM_STATUS_LABEL, RIDER_ROLE_LABEL, STATION_STATUS_LABEL } from '../../domain/platforms/labels.js';
import { badRequest, notFound } from '../../http/errors.js';
import { containing, idParam, pageFrom, pageOf, pageQuery, underNode } from '../../http/paging.js';
import { sendXlsx, type Column } from '../../http/xlsx.js';
import { insertUnidentified, upsertIdentified } from '../persons/store.js';
import { nodeInScope } from '../jurisdictions/subtree.js';
import { orgPlace } from '../orgs/queries.js';
import { date, historyOf, latestCount, linkedEntity, loadPlatform, loadStation, mustOwnPlatform, today, underQuery, unitFlags, unitWork } from './queries.js';
import { newEmploymentOrgRoutes } from './orgs.js';
import { newEmploymentFigureRoutes } from './figures.js';

type Tx = Transaction<DB>;
const BUSINESSES = Object.keys(BUSINESS_LABEL) as [PlatformBusiness, ...PlatformBusiness[]];
const TAGS = ['新业态新就业群体'];
const pairParam = z.strictObject({ id: z.coerce.number().int().positive(), key: z.coerce.number().int().positive() });

// ── Platforms ────────────────────────────────────────────────────────────────────────────
const platformFilters = {
  under: underQuery,
  business: z.enum(BUSINESSES).optional(),
  status: z.enum(['active', 'exited']).optional(),
  q: z.string().trim().max(40).optional(),
};
type PlatformFilters = { under?: string; business?: string; status?: string; q?: string };

const platformItem = z.object({
  id: z.number(), name: z.string(), business: z.string(), businessLabel: z.string(), status: z.string(), statusLabel: z.string(),
  registeredBy: z.string(), mine: z.boolean(), entityId: z.number().nullable(), entityName: z.string().nullable(), headquarters: z.string().nullable(),
  partners: z.number(), stations: z.number(), riders: z.number(), memberRiders: z.number(), anyOrg: z.boolean(), work: z.boolean(),
});

/**
 * Platforms the caller reads (RLS: registered in or above its subtree, or with presence in it),
 * with the partner firms, open stations and riders the caller sees.
 */
function platformList(db: Tx, scopeKey: string) {
  return db.selectFrom('platform as p').innerJoin('jurisdiction as j', 'j.code', 'p.jurisdiction_code').leftJoin('entity as e', 'e.id', 'p.entity_id')
    .leftJoin('new_employment_coverage_facts as f', (j) => j.onRef('f.unit_id', '=', 'p.id').on('f.unit_type', '=', 'platform'))
    .select(['p.id', 'p.name', 'p.business', 'p.status', 'p.headquarters', 'p.entity_id', 'e.name as entity_name', 'j.name as registered_by', 'p.scope_key', 'f.any_org', 'f.work'])
    .select(sql<boolean>`starts_with(p.scope_key, ${scopeKey})`.as('mine'))
    .select(sql<number>`(SELECT count(*)::int FROM platform_partner pp WHERE pp.platform_id = p.id)`.as('partners'))
    .select(sql<number>`(SELECT count(*)::int FROM delivery_station s WHERE s.platform_id = p.id AND s.status = 'open')`.as('stations'))
    .select(sql<number>`(SELECT coalesce(sum(lc.riders), 0)::int FROM delivery_station s CROSS JOIN ${latestCount(sql.ref('s.id'))} lc WHERE s.platform_id = p.id AND s.status = 'open')`.as('riders'))
    .select(sql<number>`(SELECT count(*)::int FROM rider_person r JOIN delivery_station s ON s.id = r.delivery_station_id WHERE s.platform_id = p.id AND r.role = 'member' AND r.left_on IS NULL)`.as('member_riders'));
}

async function platformsFiltered(db: Tx, scopeKey: string, f: PlatformFilters) {
  let q = platformList(db, scopeKey);
  // Under a node: registered there or below, or with a station or partner firm there.
  if (f.under) {
    const inside = await underNode(db, 'p.scope_key', f.under);
    const node = await db.selectFrom('jurisdiction').select('scope_key').where('code', '=', f.under).executeTakeFirstOrThrow();
    q = q.where(sql<boolean>`(${inside} OR EXISTS (SELECT 1 FROM delivery_station s WHERE s.platform_id = p.id AND starts_with(s.scope_key, ${node.scope_key}))
      OR EXISTS (SELECT 1 FROM platform_partner pp WHERE pp.platform_id = p.id AND starts_with(pp.scope_key, ${node.scope_key})))`);
  }
  if (f.business) q = q.where('p.business', '=', f.business as PlatformBusiness);
  if (f.status) q = q.where('p.status', '=', f.status as 'active');
  if (f.q) q = q.where('p.name', 'like', containing(f.q));
  return q;
}

type PlatformRow = Awaited<ReturnType<ReturnType<typeof platformList>['execute']>>[number];
const toPlatform = (p: PlatformRow) => ({
  id: p.id, name: p.name, business: p.business, businessLabel: BUSINESS_LABEL[p.business], status: p.status, statusLabel: PLATFORM_STATUS_LABEL[p.status],
  registeredBy: p.registered_by, mine: p.mine, entityId: p.entity_id, entityName: p.entity_name, headquarters: p.headquarters,
  partners: p.partners, stations: p.stations, riders: p.riders, memberRiders: p.member_riders, anyOrg: !!p.any_org, work: !!p.work,
});

const PLATFORM_COLUMNS: Column<ReturnType<typeof toPlatform>>[] = [
  { header: '平台企业', width: 24, value: (p) => p.name },
  { header: '业态', width: 10, value: (p) => p.businessLabel },
  { header: '状态', width: 8, value: (p) => p.statusLabel },
  { header: '登记单位', width: 16, value: (p) => p.registeredBy },
  { header: '对应市场主体', width: 30, value: (p) => p.entityName },
  { header: '总部所在地', width: 20, value: (p) => p.headquarters },
  { header: '合作商数', width: 10, value: (p) => p.partners },
  { header: '运营站点数', width: 10, value: (p) => p.stations },
  { header: '骑手数（最新）', width: 12, value: (p) => p.riders },
  { header: '党员骑手数', width: 10, value: (p) => p.memberRiders },
  { header: '组织覆盖', width: 10, value: (p) => (p.anyOrg ? '是' : '否') },
  { header: '工作覆盖', width: 10, value: (p) => (p.work ? '是' : '否') },
];

// ── Delivery stations ────────────────────────────────────────────────────────────────────
const stationFilters = {
  under: underQuery,
  platformId: z.coerce.number().int().positive().optional(),
  status: z.enum(['open', 'closed']).optional(),
  coverage: z.enum(['org', 'work', 'none']).optional(),
  q: z.string().trim().max(40).optional(),
};
type StationFilters = { under?: string; platformId?: number; status?: string; coverage?: string; q?: string };

const stationItem = z.object({
  id: z.number(), name: z.string(), platformId: z.number(), platformName: z.string(), businessLabel: z.string(), partnerId: z.number().nullable(), partnerName: z.string().nullable(),
  countyName: z.string(), stationName: z.string().nullable(), address: z.string().nullable(), status: z.string(), statusLabel: z.string(),
  riders: z.number().nullable(), ridersAsOf: z.string().nullable(), memberRiders: z.number(), activists: z.number(), anyOrg: z.boolean(), work: z.boolean(),
});

function stationList(db: Tx) {
  return db.selectFrom('delivery_station as s').innerJoin('platform as p', 'p.id', 's.platform_id').innerJoin('jurisdiction as c', 'c.code', 's.county_code')
    .leftJoin('jurisdiction as st', 'st.code', 's.station_code').leftJoin('platform_partner as pp', 'pp.id', 's.partner_id')
    .leftJoin('new_employment_coverage_facts as f', (j) => j.onRef('f.unit_id', '=', 's.id').on('f.unit_type', '=', 'delivery_station'))
    .leftJoin(latestCount(sql.ref('s.id')).as('lc'), (j) => j.onTrue())
    .select(['s.id', 's.name', 's.platform_id', 'p.name as platform_name', 'p.business', 's.partner_id', 'pp.name as partner_name', 'c.name as county_name', 'st.name as station_name',
      's.address', 's.status', 'f.any_org', 'f.work'])
    .select(sql<number | null>`lc.riders`.as('riders')).select(sql<string | null>`lc.as_of`.as('riders_as_of'))
    .select(sql<number>`(SELECT count(*)::int FROM rider_person r WHERE r.delivery_station_id = s.id AND r.role = 'member' AND r.left_on IS NULL)`.as('member_riders'))
    .select(sql<number>`(SELECT count(*)::int FROM rider_person r WHERE r.delivery_station_id = s.id AND r.role = 'activist' AND r.left_on IS NULL)`.as('activists'));
}

async function stationsFiltered(db: Tx, f: StationFilters) {
  let q = stationList(db);
  if (f.under) q = q.where(await underNode(db, 's.scope_key', f.under));
  if (f.platformId) q = q.where('s.platform_id', '=', f.platformId);
  if (f.status) q = q.where('s.status', '=', f.status as 'open');
  if (f.coverage === 'org') q = q.where('f.any_org', '=', true);
  if (f.coverage === 'work') q = q.where('f.work', '=', true);
  if (f.coverage === 'none') q = q.where('f.work', '=', false);
  if (f.q) q = q.where('s.name', 'like', containing(f.q));
  return q;
}

type StationRow = Awaited<ReturnType<ReturnType<typeof stationList>['execute']>>[number];
const toStation = (s: StationRow) => ({
  id: s.id, name: s.name, platformId: s.platform_id, platformName: s.platform_name, businessLabel: BUSINESS_LABEL[s.business], partnerId: s.partner_id, partnerName: s.partner_name,
  countyName: s.county_name, stationName: s.station_name, address: s.address, status: s.status, statusLabel: STATION_STATUS_LABEL[s.status],
  riders: s.riders, ridersAsOf: s.riders_as_of, memberRiders: s.member_riders, activists: s.activists, anyOrg: !!s.any_org, work: !!s.work,
});

const STATION_COLUMNS: Column<ReturnType<typeof toStation>>[] = [
  { header: '配送站点', width: 24, value: (s) => s.name },
  { header: '平台企业', width: 20, value: (s) => s.platformName },
  { header: '业态', width: 10, value: (s) => s.businessLabel },
  { header: '合作商', width: 24, value: (s) => s.partnerName },
  { header: '县区', width: 10, value: (s) => s.countyName },
  { header: '基层所', width: 16, value: (s) => s.stationName },
  { header: '地址', width: 30, value: (s) => s.address },
  { header: '状态', width: 8, value: (s) => s.statusLabel },
  { header: '骑手数（最新）', width: 12, value: (s) => s.riders },
  { header: '统计日期', width: 12, value: (s) => s.ridersAsOf },
  { header: '党员骑手', width: 10, value: (s) => s.memberRiders },
  { header: '入党积极分子', width: 12, value: (s) => s.activists },
  { header: '组织覆盖', width: 10, value: (s) => (s.anyOrg ? '是' : '否') },
  { header: '工作覆盖', width: 10, value: (s) => (s.work ? '是' : '否') },
];

const stationBody = z.strictObject({
  platformId: z.number().int().positive('请选择平台企业'),
  partnerId: z.number().int().positive().optional(),
  name: z.string().trim().min(2, '站点名称至少 2 个字').max(60, '站点名称不超过 60 个字'),
  placeCode: z.string().regex(/^\d{6,9}$/, '请选择所在县（区）或基层所'),
  address: z.string().trim().max(120).optional(),
  entityId: z.number().int().positive().optional(),
  openedOn: date.optional(),
  note: z.string().trim().max(500).optional(),
});

/** A partner firm of this platform that the caller reads, or null. */
async function partnerOf(db: Tx, platformId: number, partnerId: number | null | undefined) {
  if (!partnerId) return null;
  const p = await db.selectFrom('platform_partner').select(['id', 'platform_id']).where('id', '=', partnerId).executeTakeFirst();
  if (!p) throw notFound('合作商');
  if (p.platform_id !== platformId) throw badRequest('合作商不属于该平台企业', [{ field: 'partnerId', message: '请选择该平台的合作商' }]);
  return p;
}

/** Platforms, their partner firms and delivery stations, riders counted and riders on record. */
export async function platformRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const keys = app.ctx.keys;
  const masked = (enc: string | null, mask: (v: string) => string) => (enc ? mask(decryptField(keys, enc)) : null);

  r.get('/new-employment/platforms', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '平台企业台账（外卖、快递、网约车、同城配送等）', querystring: z.strictObject({ ...pageQuery, ...platformFilters }), response: { 200: pageOf(platformItem) } },
    handler: (req) =>
      req.scoped(async ({ db }) => pageFrom(await platformsFiltered(db, req.user!.scopeKey, req.query), req.query, (q) => q.orderBy('p.name').orderBy('p.id'), toPlatform)),
  });

  r.get('/new-employment/platforms/export', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '导出平台企业台账（xlsx，导出留痕）', querystring: z.strictObject(platformFilters) },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await platformsFiltered(db, req.user!.scopeKey, req.query)).orderBy('p.name').orderBy('p.id').limit(100_000).execute();
        audit({ action: 'platform.export', objectType: 'platform', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toPlatform);
      });
      return sendXlsx(reply, `平台企业-${today()}.xlsx`, '平台企业', PLATFORM_COLUMNS, rows);
    },
  });

  r.post('/new-employment/platforms', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '登记平台企业（登记单位默认为本级；下级可读以登记本地合作商和站点）',
      body: z.strictObject({
        name: z.string().trim().min(2, '平台名称至少 2 个字').max(60, '平台名称不超过 60 个字'),
        business: z.enum(BUSINESSES, '请选择业态'),
        jurisdictionCode: z.string().regex(/^\d{6,9}$/, '登记单位代码应为 6 或 9 位数字').optional(),
        entityId: z.number().int().positive().optional(),
        headquarters: z.string().trim().max(60).optional(),
        note: z.string().trim().max(500).optional(),
      }),
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const node = await nodeInScope(db, req.user!, b.jurisdictionCode);
        await linkedEntity(db, b.entityId);
        const row = await db.insertInto('platform').values({
          name: b.name, business: b.business, entity_id: b.entityId ?? null, headquarters: b.headquarters ?? null, note: b.note ?? null, jurisdiction_code: node.code, scope_key: node.scope_key,
        }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'platform.create', objectType: 'platform', objectId: row.id, detail: { name: b.name, business: b.business, jurisdiction: node.code } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get('/new-employment/platforms/:id', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '平台企业详情：合作商、配送站点、服务它的党组织、指导员、变更记录', params: idParam },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const p = await platformList(db, req.user!.scopeKey).where('p.id', '=', req.params.id).executeTakeFirst();
        if (!p) throw notFound('平台企业');
        const partners = await db.selectFrom('platform_partner as pp').innerJoin('jurisdiction as c', 'c.code', 'pp.county_code').leftJoin('entity as e', 'e.id', 'pp.entity_id')
          .select(['pp.id', 'pp.name', 'pp.contact_name', 'c.name as county_name', 'e.name as entity_name'])
          .select(sql<number>`(SELECT count(*)::int FROM delivery_station s WHERE s.partner_id = pp.id AND s.status = 'open')`.as('stations'))
          .where('pp.platform_id', '=', p.id).orderBy('pp.county_code').orderBy('pp.name').execute();
        const stations = (await stationList(db).where('s.platform_id', '=', p.id).orderBy('s.county_code').orderBy('s.name').limit(500).execute()).map(toStation);
        return {
          ...toPlatform(p), note: (await loadPlatform(db, p.id)).note,
          partnerList: partners.map((x) => ({ id: x.id, name: x.name, contactName: x.contact_name, countyName: x.county_name, entityName: x.entity_name, stations: x.stations })),
          stationList: stations, ...(await unitWork(db, 'platform_id', p.id)),
          history: await historyOf(db, [{ type: 'platform', id: p.id }], [{ type: 'platform_partner', key: 'platform_id', id: p.id }, { type: 'party_org_unit', key: 'platform_id', id: p.id }]),
        };
      }),
  });

  r.patch('/new-employment/platforms/:id', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '修改平台企业（登记单位）',
      params: idParam,
      body: z.strictObject({
        name: z.string().trim().min(2).max(60).optional(),
        business: z.enum(BUSINESSES).optional(),
        status: z.enum(['active', 'exited']).optional(),
        entityId: z.number().int().positive().nullable().optional(),
        headquarters: z.string().trim().max(60).nullable().optional(),
        note: z.string().trim().max(500).nullable().optional(),
      }),
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const before = await loadPlatform(db, req.params.id);
        mustOwnPlatform(before, req.user!.scopeKey);
        if (b.entityId) await linkedEntity(db, b.entityId);
        const after = await db.updateTable('platform').set({
          name: b.name ?? before.name, business: b.business ?? before.business, status: b.status ?? before.status,
          entity_id: b.entityId === undefined ? before.entity_id : b.entityId, headquarters: b.headquarters === undefined ? before.headquarters : b.headquarters,
          note: b.note === undefined ? before.note : b.note, updated_at: new Date(),
        }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
        audit({ action: 'platform.update', objectType: 'platform', objectId: before.id, detail: { before: { name: before.name, status: before.status, entityId: before.entity_id }, after: { name: after.name, status: after.status, entityId: after.entity_id } } });
        return { id: after.id };
      }),
  });

  r.post('/new-employment/platforms/:id/partners', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '登记平台在本地的合作商（代理商）',
      params: idParam,
      body: z.strictObject({
        name: z.string().trim().min(2, '合作商名称至少 2 个字').max(60),
        placeCode: z.string().regex(/^\d{6,9}$/, '请选择所在县（区）或基层所'),
        entityId: z.number().int().positive().optional(),
        contactName: z.string().trim().max(20).optional(),
        note: z.string().trim().max(500).optional(),
      }),
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const p = await loadPlatform(db, req.params.id);
        const place = await orgPlace(db, b.placeCode);
        await linkedEntity(db, b.entityId);
        const row = await db.insertInto('platform_partner').values({
          platform_id: p.id, name: b.name, entity_id: b.entityId ?? null, contact_name: b.contactName ?? null, note: b.note ?? null, ...place,
        }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'platform.partner_add', objectType: 'platform', objectId: p.id, detail: { partnerId: row.id, name: b.name, place: b.placeCode } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get('/new-employment/stations', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '配送站点台账（最新骑手数、党员骑手、覆盖情况）', querystring: z.strictObject({ ...pageQuery, ...stationFilters }), response: { 200: pageOf(stationItem) } },
    handler: (req) =>
      req.scoped(async ({ db }) => pageFrom(await stationsFiltered(db, req.query), req.query, (q) => q.orderBy('s.county_code').orderBy('s.name').orderBy('s.id'), toStation)),
  });

  r.get('/new-employment/stations/export', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '导出配送站点台账（xlsx，导出留痕）', querystring: z.strictObject(stationFilters) },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await stationsFiltered(db, req.query)).orderBy('s.county_code').orderBy('s.name').limit(100_000).execute();
        audit({ action: 'delivery_station.export', objectType: 'delivery_station', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toStation);
      });
      return sendXlsx(reply, `配送站点-${today()}.xlsx`, '配送站点', STATION_COLUMNS, rows);
    },
  });

  r.post('/new-employment/stations', {
    config: { access: 'data.write' },
    schema: { tags: TAGS, summary: '登记配送站点', body: stationBody },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const p = await loadPlatform(db, b.platformId);
        await partnerOf(db, p.id, b.partnerId);
        const place = await orgPlace(db, b.placeCode);
        await linkedEntity(db, b.entityId);
        if (b.openedOn && b.openedOn > today()) throw badRequest('开设日期不能晚于今天', [{ field: 'openedOn', message: '开设日期不能晚于今天' }]);
        const row = await db.insertInto('delivery_station').values({
          platform_id: p.id, partner_id: b.partnerId ?? null, name: b.name, address: b.address ?? null, entity_id: b.entityId ?? null, opened_on: b.openedOn ?? null, note: b.note ?? null, ...place,
        }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'delivery_station.create', objectType: 'delivery_station', objectId: row.id, detail: { platformId: p.id, name: b.name, place: b.placeCode } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get('/new-employment/stations/:id', {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '配送站点详情：骑手数变化、党员和积极分子骑手（个人信息脱敏）、党组织、指导员、变更记录', params: idParam },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const s = await stationList(db).where('s.id', '=', req.params.id).executeTakeFirst();
        if (!s) throw notFound('配送站点');
        const row = await loadStation(db, s.id);
        const counts = await db.selectFrom('rider_count').select(['id', 'as_of', 'riders']).where('delivery_station_id', '=', s.id).orderBy('as_of').execute();
        const riders = await db.selectFrom('rider_person as r').innerJoin('person as p', 'p.id', 'r.person_id')
          .select(['r.id', 'r.role', 'r.member_id', 'r.since', 'r.left_on', 'p.name', 'p.id_enc', 'p.phone_enc']).where('r.delivery_station_id', '=', s.id)
          .orderBy(sql`r.left_on IS NULL`, 'desc').orderBy('p.name').execute();
        return {
          ...toStation(s), note: row.note, entityId: row.entity_id, openedOn: row.opened_on, closedOn: row.closed_on, placeCode: row.station_code ?? row.county_code,
          counts: counts.map((c) => ({ id: c.id, asOf: c.as_of, riders: c.riders })),
          riderPeople: riders.map((x) => ({
            id: x.id, name: x.name, role: x.role, roleLabel: RIDER_ROLE_LABEL[x.role], memberId: x.member_id, since: x.since, leftOn: x.left_on,
            idNumber: masked(x.id_enc, maskIdNumber), phone: masked(x.phone_enc, maskPhone),
          })),
          ...(await unitWork(db, 'delivery_station_id', s.id)),
          coverage: await unitFlags(db, 'delivery_station', s.id),
          history: await historyOf(db, [{ type: 'delivery_station', id: s.id }], [{ type: 'rider_person', key: 'delivery_station_id', id: s.id }, { type: 'party_org_unit', key: 'delivery_station_id', id: s.id }]),
        };
      }),
  });

  r.patch('/new-employment/stations/:id', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '修改配送站点；关闭须填关闭日期',
      params: idParam,
      body: z.strictObject({
        name: z.string().trim().min(2).max(60).optional(),
        partnerId: z.number().int().positive().nullable().optional(),
        address: z.string().trim().max(120).nullable().optional(),
        entityId: z.number().int().positive().nullable().optional(),
        status: z.enum(['open', 'closed']).optional(),
        closedOn: date.nullable().optional(),
        note: z.string().trim().max(500).nullable().optional(),
      }),
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const before = await loadStation(db, req.params.id);
        if (b.partnerId) await partnerOf(db, before.platform_id, b.partnerId);
        if (b.entityId) await linkedEntity(db, b.entityId);
        const status = b.status ?? before.status;
        const closedOn = status === 'open' ? null : b.closedOn === undefined ? before.closed_on : b.closedOn;
        if (status === 'closed' && !closedOn) throw badRequest('关闭站点须填写关闭日期', [{ field: 'closedOn', message: '请填写关闭日期' }]);
        if (closedOn && closedOn > today()) throw badRequest('关闭日期不能晚于今天', [{ field: 'closedOn', message: '关闭日期不能晚于今天' }]);
        const after = await db.updateTable('delivery_station').set({
          name: b.name ?? before.name, partner_id: b.partnerId === undefined ? before.partner_id : b.partnerId, address: b.address === undefined ? before.address : b.address,
          entity_id: b.entityId === undefined ? before.entity_id : b.entityId, status, closed_on: closedOn, note: b.note === undefined ? before.note : b.note, updated_at: new Date(),
        }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
        audit({ action: 'delivery_station.update', objectType: 'delivery_station', objectId: before.id, detail: { before: { name: before.name, status: before.status }, after: { name: after.name, status: after.status, closedOn } } });
        return { id: after.id, status: after.status };
      }),
  });

  r.post('/new-employment/stations/:id/rider-counts', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '登记站点骑手数（同一日期再登记即更正）',
      params: idParam,
      body: z.strictObject({ asOf: date, riders: z.number().int('骑手数应为整数').min(0, '骑手数不能为负').max(100_000, '骑手数过大，请核对') }),
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const s = await loadStation(db, req.params.id);
        if (b.asOf > today()) throw badRequest('统计日期不能晚于今天', [{ field: 'asOf', message: '统计日期不能晚于今天' }]);
        const before = await db.selectFrom('rider_count').select('riders').where('delivery_station_id', '=', s.id).where('as_of', '=', b.asOf).executeTakeFirst();
        const row = await db.insertInto('rider_count').values({ delivery_station_id: s.id, as_of: b.asOf, riders: b.riders, recorded_by: req.user!.id, scope_key: s.scope_key })
          .onConflict((c) => c.constraint('rider_count_day_uq').doUpdateSet({ riders: b.riders, recorded_by: req.user!.id })).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'delivery_station.rider_count', objectType: 'delivery_station', objectId: s.id, detail: { asOf: b.asOf, riders: b.riders, before: before?.riders ?? null } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.post('/new-employment/stations/:id/riders', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '登记党员骑手或入党积极分子骑手（党员可选自党员名册；身份证号、手机号加密存储）',
      params: idParam,
      body: z.strictObject({
        role: z.enum(['member', 'activist'], '请选择党员或入党积极分子'),
        memberId: z.number().int().positive().optional(),
        name: z.string().trim().min(2, '请填写姓名').max(20).optional(),
        idNumber: idNumberField.optional(),
        phone: phoneField.optional(),
        since: date.optional(),
      }),
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const s = await loadStation(db, req.params.id);
        const since = b.since ?? today();
        if (since > today()) throw badRequest('日期不能晚于今天', [{ field: 'since', message: '日期不能晚于今天' }]);
        let personId: number;
        if (b.memberId) {
          const m = await db.selectFrom('member').select(['id', 'person_id']).where('id', '=', b.memberId).executeTakeFirst();
          if (!m) throw notFound('党员');
          personId = m.person_id;
        } else if (b.name) {
          personId = b.idNumber
            ? (await upsertIdentified(db, keys, [{ idNumber: b.idNumber.value, birthDate: b.idNumber.birthDate, sex: b.idNumber.sex, name: b.name, phone: b.phone }])).get(b.idNumber.value)!
            : (await insertUnidentified(db, keys, [{ name: b.name, phone: b.phone }]))[0];
        } else {
          throw badRequest('请选择名册中的党员，或填写骑手姓名', [{ field: 'name', message: '请填写姓名' }]);
        }
        const row = await db.insertInto('rider_person').values({ delivery_station_id: s.id, person_id: personId, role: b.role, member_id: b.memberId ?? null, since, scope_key: s.scope_key })
          .returning('id').executeTakeFirstOrThrow();
        audit({ action: 'delivery_station.rider_add', objectType: 'delivery_station', objectId: s.id, detail: { riderId: row.id, role: b.role, memberId: b.memberId ?? null, idNumber: b.idNumber ? maskIdNumber(b.idNumber.value) : null } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.post('/new-employment/stations/:id/riders/:key/leave', {
    config: { access: 'data.write' },
    schema: { tags: TAGS, summary: '骑手离开站点（保留记录）', params: pairParam, body: z.strictObject({ leftOn: date.optional() }) },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const s = await loadStation(db, req.params.id);
        const x = await db.selectFrom('rider_person').select(['id', 'since', 'left_on']).where('id', '=', req.params.key).where('delivery_station_id', '=', s.id).executeTakeFirst();
        if (!x) throw notFound('骑手记录');
        if (x.left_on) throw badRequest(`该骑手已于 ${x.left_on} 离开`, [{ field: 'leftOn', message: '已离开' }]);
        const leftOn = req.body.leftOn ?? today();
        if (leftOn < x.since || leftOn > today()) throw badRequest('离开日期应在登记日期与今天之间', [{ field: 'leftOn', message: '离开日期应在登记日期与今天之间' }]);
        await db.updateTable('rider_person').set({ left_on: leftOn }).where('id', '=', x.id).execute();
        audit({ action: 'delivery_station.rider_leave', objectType: 'delivery_station', objectId: s.id, detail: { riderId: x.id, leftOn } });
        return { id: x.id, leftOn };
      }),
  });

  r.post('/new-employment/stations/:id/riders/:key/reveal', {
    config: { access: 'personal.reveal' },
    schema: { tags: TAGS, summary: '查看骑手完整身份证号与手机号（留痕）', params: pairParam, response: { 200: z.object({ idNumber: z.string().nullable(), phone: z.string().nullable() }) } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const s = await loadStation(db, req.params.id);
        const x = await db.selectFrom('rider_person as r').innerJoin('person as p', 'p.id', 'r.person_id').select(['r.id', 'p.id as person_id', 'p.id_enc', 'p.phone_enc'])
          .where('r.id', '=', req.params.key).where('r.delivery_station_id', '=', s.id).executeTakeFirst();
        if (!x) throw notFound('骑手记录');
        audit({ action: 'personal.reveal', objectType: 'person', objectId: x.person_id, detail: { riderId: x.id, deliveryStationId: s.id, fields: ['id_number', 'phone'] } });
        return { idNumber: x.id_enc ? decryptField(keys, x.id_enc) : null, phone: x.phone_enc ? decryptField(keys, x.phone_enc) : null };
      }),
  });

  await newEmploymentOrgRoutes(app);
  await newEmploymentFigureRoutes(app);
}
