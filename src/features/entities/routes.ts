import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import { SECTIONS } from '../../domain/ledger/industry.js';
import { badRequest, conflict, forbidden, notFound } from '../../http/errors.js';
import { decryptField } from '../../crypto/field.js';
import { insertUnidentified, upsertIdentified } from '../persons/store.js';
import { idNumberField, phoneField } from '../../domain/ledger/rows.js';
import { idParam, offsetOf, pageOf, pageQuery } from '../../http/paging.js';
import { sendXlsx } from '../../http/xlsx.js';
import { ORG_KIND_LABEL, ORG_STATUS_LABEL, SETUP_MODE_LABEL } from '../../domain/orgs/rules.js';
import { isNew, entityFilters, entityQuery, orderEntities, type EntityFilters } from './queries.js';

const KIND = { enterprise: '企业', individual: '个体工商户', cooperative: '农民专业合作社' } as const;
const STATUS = { active: '存续', deregistered: '注销', revoked: '吊销', moved_out: '迁出' } as const;
const ROLE = { legal_rep: '法定代表人/经营者', investor: '投资人', executive: '高管', employee: '职工', liaison: '联络员' } as const;
const ORG_FORM = ['未建立', '党支部', '党总支', '党委'];

const listItem = z.object({
  id: z.number(),
  kind: z.string(),
  uscc: z.string().nullable(),
  regNo: z.string().nullable(),
  name: z.string(),
  status: z.string(),
  registeredOn: z.string().nullable(),
  isNew: z.boolean(),
  countyName: z.string(),
  stationName: z.string().nullable(),
  industrySection: z.string().nullable(),
  employees: z.number().nullable(),
  legalRep: z.string().nullable(),
  latestReport: z.object({ year: z.number(), partyMembers: z.number().nullable(), partyOrgForm: z.number().nullable() }).nullable(),
});

/** Selects what a list row shows; used by the list and the export. */
function listSelect(q: Awaited<ReturnType<typeof entityQuery>>) {
  return q
    .innerJoin('jurisdiction as c', 'c.code', 'e.county_code')
    .leftJoin('jurisdiction as s', 's.code', 'e.station_code')
    .selectAll('e')
    .select(['c.name as county_name', 's.name as station_name', 'latest.year as report_year', 'latest.party_members', 'latest.party_org_form'])
    .select(sql<boolean>`coalesce(${isNew()}, false)`.as('is_new'))
    .select(sql<string | null>`(SELECT p.name FROM entity_person ep JOIN person p ON p.id = ep.person_id WHERE ep.entity_id = e.id AND ep.role = 'legal_rep' LIMIT 1)`.as('legal_rep'));
}
type ListRow = Awaited<ReturnType<ReturnType<typeof listSelect>['execute']>>[number];

const toItem = (e: ListRow) => ({
  id: e.id,
  kind: e.kind,
  uscc: e.uscc,
  regNo: e.reg_no,
  name: e.name,
  status: e.status,
  registeredOn: e.registered_on,
  isNew: e.is_new,
  countyName: e.county_name,
  stationName: e.station_name,
  industrySection: e.industry_section,
  employees: e.employees,
  legalRep: e.legal_rep,
  latestReport: e.report_year === null ? null : { year: e.report_year, partyMembers: e.party_members, partyOrgForm: e.party_org_form },
});

/** The market-entity ledger: list, export, entity page with people, zones, reports and history. */
export async function entityRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { keys } = app.ctx;

  r.get('/entities', {
    config: { access: 'data.read' },
    schema: { tags: ['市场主体'], summary: '市场主体台账', querystring: z.strictObject({ ...pageQuery, ...entityFilters }), response: { 200: pageOf(listItem) } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const base = await entityQuery(db, req.query as EntityFilters);
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        // Page the ids first: the columns a row shows (names, legal representative) are looked up for that page only.
        const page = await orderEntities(base.select('e.id'), req.query.sort).limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        const ids = page.map((p) => p.id);
        const rows = ids.length ? await listSelect((await entityQuery(db, { sort: req.query.sort })).where('e.id', 'in', ids)).execute() : [];
        const byId = new Map(rows.map((r) => [r.id, r]));
        return { items: ids.map((id) => toItem(byId.get(id)!)), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  r.get('/entities/summary', {
    config: { access: 'data.read' },
    schema: {
      tags: ['市场主体'],
      summary: '底数概览：在营主体、按类型、新设、年报申报有党员或已建党组织',
      querystring: z.strictObject({ under: entityFilters.under }),
      response: { 200: z.object({ total: z.number(), active: z.number(), isNew: z.number(), partyDeclared: z.number(), orgDeclared: z.number(), byKind: z.record(z.string(), z.number()) }) },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const base = await entityQuery(db, { under: req.query.under, sort: 'name' });
        const rows = await base
          .select(['e.kind'])
          .select(sql<number>`count(*)::int`.as('total'))
          .select(sql<number>`count(*) FILTER (WHERE e.status = 'active')::int`.as('active'))
          .select(sql<number>`count(*) FILTER (WHERE ${isNew()})::int`.as('is_new'))
          .select(sql<number>`count(*) FILTER (WHERE latest.party_members > 0)::int`.as('party'))
          .select(sql<number>`count(*) FILTER (WHERE latest.party_org_form > 0)::int`.as('org'))
          .groupBy('e.kind')
          .execute();
        const sum = (k: 'total' | 'active' | 'is_new' | 'party' | 'org') => rows.reduce((s, r) => s + r[k], 0);
        return { total: sum('total'), active: sum('active'), isNew: sum('is_new'), partyDeclared: sum('party'), orgDeclared: sum('org'), byKind: Object.fromEntries(rows.map((r) => [r.kind, r.total])) };
      }),
  });

  r.get('/entities/export', {
    config: { access: 'data.read' },
    schema: { tags: ['市场主体'], summary: '导出筛选结果（xlsx，最多 20 万行；个人信息按权限脱敏，导出留痕）', querystring: z.strictObject({ ...entityFilters, reveal: z.enum(['true', 'false']).optional() }) },
    handler: async (req, reply) => {
      const reveal = req.query.reveal === 'true';
      if (reveal && !req.user!.permissions.has('personal.reveal')) throw forbidden('您没有查看完整个人信息的权限');
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await orderEntities(listSelect(await entityQuery(db, req.query as EntityFilters)), req.query.sort)
          .select(sql<string | null>`(SELECT p.id_enc FROM entity_person ep JOIN person p ON p.id = ep.person_id WHERE ep.entity_id = e.id AND ep.role = 'legal_rep' LIMIT 1)`.as('rep_id_enc'))
          .limit(200_000)
          .execute();
        audit({ action: 'entity.export', objectType: 'entity', detail: { filters: req.query, rows: rows.length, revealed: reveal } });
        return rows;
      });
      const idText = (enc: string | null) => (enc ? (reveal ? decryptField(keys, enc) : maskIdNumber(decryptField(keys, enc))) : '');
      return sendXlsx(reply, `市场主体台账-${new Date().toISOString().slice(0, 10)}.xlsx`, '市场主体', [
        { header: '统一社会信用代码', width: 22, value: (e) => e.uscc },
        { header: '注册号', width: 18, value: (e) => e.reg_no },
        { header: '名称', width: 36, value: (e) => e.name },
        { header: '主体类型', width: 14, value: (e) => KIND[e.kind] },
        { header: '登记状态', width: 10, value: (e) => STATUS[e.status] },
        { header: '成立日期', width: 12, value: (e) => e.registered_on },
        { header: '新设（12 个月内）', width: 10, value: (e) => (e.is_new ? '是' : '') },
        { header: '县区', width: 10, value: (e) => e.county_name },
        { header: '基层所', width: 18, value: (e) => e.station_name },
        { header: '行业门类', width: 10, value: (e) => e.industry_section },
        { header: '从业人数', width: 10, value: (e) => e.employees },
        { header: '法定代表人/经营者', width: 12, value: (e) => e.legal_rep },
        { header: '身份证号', width: 22, value: (e) => idText(e.rep_id_enc) },
        { header: '最近年报年度', width: 10, value: (e) => e.report_year },
        { header: '年报党员人数', width: 10, value: (e) => e.party_members },
        { header: '年报党组织', width: 10, value: (e) => (e.party_org_form === null ? '' : ORG_FORM[e.party_org_form]) },
      ], rows);
    },
  });

  r.get('/entities/:id', {
    config: { access: 'data.read' },
    schema: {
      tags: ['市场主体'],
      summary: '市场主体详情：身份、人员（脱敏）、所在区域、年报、变更记录；asOf 查看某日的登记状态',
      params: idParam,
      querystring: z.strictObject({ asOf: z.iso.date('日期格式应为 YYYY-MM-DD').optional() }),
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const e = await db.selectFrom('entity as e').innerJoin('jurisdiction as c', 'c.code', 'e.county_code').leftJoin('jurisdiction as s', 's.code', 'e.station_code')
          .selectAll('e').select(['c.name as county_name', 's.name as station_name']).select(sql<boolean>`coalesce(${isNew()}, false)`.as('is_new'))
          .where('e.id', '=', req.params.id).executeTakeFirst();
        if (!e) throw notFound('市场主体');
        let asOf: Record<string, unknown> | null = null;
        if (req.query.asOf) {
          const h = await db.selectFrom('ledger_history').select('after').where('object_type', '=', 'entity').where('object_id', '=', e.id)
            .where('at', '<', sql<Date>`(${req.query.asOf}::date + 1)::timestamptz`).orderBy('id', 'desc').limit(1).executeTakeFirst();
          if (!h?.after) throw notFound(`${req.query.asOf} 时该主体的登记记录`);
          asOf = h.after as Record<string, unknown>;
        }
        const people = await db.selectFrom('entity_person as ep').innerJoin('person as p', 'p.id', 'ep.person_id')
          .select(['ep.id', 'ep.role', 'p.name', 'p.id_enc', 'p.phone_enc', 'p.birth_date', 'p.sex', 'ep.created_at']).where('ep.entity_id', '=', e.id).orderBy('ep.role').orderBy('ep.id').execute();
        const zones = await db.selectFrom('entity_zone as ez').innerJoin('zone as z', 'z.id', 'ez.zone_id').select(['z.id', 'z.kind', 'z.name']).where('ez.entity_id', '=', e.id).execute();
        const reports = await db.selectFrom('annual_report').selectAll().where('entity_id', '=', e.id).orderBy('year', 'desc').execute();
        const members = await db.selectFrom('member_link as l').innerJoin('member as m', 'm.id', 'l.member_id').innerJoin('person as p', 'p.id', 'm.person_id')
          .select(['m.id', 'p.name', 'm.membership', 'm.confidence', 'l.method', 'l.score']).where('l.entity_id', '=', e.id).orderBy('p.name').execute();
        const orgs = await db.selectFrom('party_org_entity as pe').innerJoin('party_org as o', 'o.id', 'pe.org_id')
          .select(['o.id', 'o.body', 'o.name', 'o.kind', 'o.setup_mode', 'o.status']).where('pe.entity_id', '=', e.id).orderBy('o.id').execute();
        const coverage = await db.selectFrom('entity_coverage').select(['operating', 'with_members', 'own_org', 'any_org', 'work']).where('entity_id', '=', e.id).executeTakeFirst();
        const history = await db.selectFrom('ledger_history as h').leftJoin('app_user as u', 'u.id', 'h.actor_id')
          .select(['h.id', 'h.object_type', 'h.op', 'h.at', 'h.before', 'h.after', 'u.display_name']).where('h.entity_id', '=', e.id).orderBy('h.id', 'desc').limit(200).execute();
        return {
          id: e.id,
          kind: e.kind,
          kindLabel: KIND[e.kind],
          uscc: e.uscc,
          regNo: e.reg_no,
          name: e.name,
          status: e.status,
          statusLabel: STATUS[e.status],
          registeredOn: e.registered_on,
          isNew: e.is_new,
          address: e.address,
          countyCode: e.county_code,
          countyName: e.county_name,
          stationCode: e.station_code,
          stationName: e.station_name,
          industrySection: e.industry_section,
          industryLabel: SECTIONS.find((s) => s.code === e.industry_section)?.label ?? null,
          industryDivision: e.industry_division,
          sizeClass: e.size_class,
          employees: e.employees,
          asOf,
          people: people.map((p) => ({
            roleId: p.id,
            role: p.role,
            roleLabel: ROLE[p.role],
            name: p.name,
            idNumber: p.id_enc ? maskIdNumber(decryptField(keys, p.id_enc)) : null,
            phone: p.phone_enc ? maskPhone(decryptField(keys, p.phone_enc)) : null,
            birthDate: p.birth_date,
            sex: p.sex,
          })),
          zones,
          orgs: orgs.map((o) => ({ id: o.id, body: o.body, name: o.name, kindLabel: ORG_KIND_LABEL[o.kind], setupModeLabel: SETUP_MODE_LABEL[o.setup_mode], status: o.status, statusLabel: ORG_STATUS_LABEL[o.status] })),
          coverage: coverage ? { withMembers: coverage.with_members, ownOrg: coverage.own_org, anyOrg: coverage.any_org, work: coverage.work } : null,
          members: members.map((m) => ({ memberId: m.id, name: m.name, membership: m.membership, confidence: m.confidence, method: m.method, score: m.score })),
          annualReports: reports.map((a) => ({ year: a.year, filingStatus: a.filing_status, filedOn: a.filed_on, employees: a.employees, partyMembers: a.party_members, partyOrgForm: a.party_org_form, partyOrgWay: a.party_org_way, partyOrgSetOn: a.party_org_set_on, repIsMember: a.rep_is_member, repIsSecretary: a.rep_is_secretary })),
          timeline: history.map((h) => ({ id: h.id, objectType: h.object_type, op: h.op, at: h.at, actor: h.display_name ?? '系统/导入', changes: diff(h.before, h.after) })),
        };
      }),
  });

  r.post('/entities/:id/people/:roleId/reveal', {
    config: { access: 'personal.reveal' },
    schema: {
      tags: ['市场主体'],
      summary: '查看完整身份证号与手机号（留痕）',
      params: z.strictObject({ id: z.coerce.number().int().positive(), roleId: z.coerce.number().int().positive() }),
      response: { 200: z.object({ idNumber: z.string().nullable(), phone: z.string().nullable() }) },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const p = await db.selectFrom('entity_person as ep').innerJoin('person as p', 'p.id', 'ep.person_id').select(['p.id', 'p.id_enc', 'p.phone_enc'])
          .where('ep.id', '=', req.params.roleId).where('ep.entity_id', '=', req.params.id).executeTakeFirst();
        if (!p) throw notFound('人员');
        audit({ action: 'personal.reveal', objectType: 'person', objectId: p.id, detail: { entityId: req.params.id, fields: ['id_number', 'phone'] } });
        return { idNumber: p.id_enc ? decryptField(keys, p.id_enc) : null, phone: p.phone_enc ? decryptField(keys, p.phone_enc) : null };
      }),
  });

  r.post('/entities/:id/people', {
    config: { access: 'data.write' },
    schema: {
      tags: ['市场主体'],
      summary: '登记主体中的人员（投资人、高管、职工、联络员等），身份证号与手机加密存储',
      params: idParam,
      body: z.strictObject({
        role: z.enum(['legal_rep', 'investor', 'executive', 'employee', 'liaison']),
        name: z.string().trim().min(1, '请填写姓名').max(30, '姓名不超过 30 个字'),
        idNumber: idNumberField.optional(),
        phone: phoneField.optional(),
      }),
      response: { 201: z.object({ roleId: z.number() }) },
    },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const e = await db.selectFrom('entity').select(['id', 'scope_key']).where('id', '=', req.params.id).executeTakeFirst();
        if (!e) throw notFound('市场主体');
        const { role, name, idNumber, phone } = req.body;
        const personId = idNumber
          ? (await upsertIdentified(db, keys, [{ idNumber: idNumber.value, birthDate: idNumber.birthDate, sex: idNumber.sex, name, phone }])).get(idNumber.value)!
          : (await insertUnidentified(db, keys, [{ name, phone }]))[0];
        const link = await db.insertInto('entity_person').values({ entity_id: e.id, person_id: personId, role, scope_key: e.scope_key })
          .onConflict((oc) => oc.columns(['entity_id', 'role', 'person_id']).doNothing()).returning('id').executeTakeFirst();
        if (!link) throw conflict('该人员已在此角色中');
        audit({ action: 'entity.person_add', objectType: 'entity', objectId: e.id, detail: { role, personId, idNumber: idNumber ? maskIdNumber(idNumber.value) : null } });
        reply.code(201);
        return { roleId: link.id };
      }),
  });

  r.delete('/entities/:id/people/:roleId', {
    config: { access: 'data.write' },
    schema: { tags: ['市场主体'], summary: '移除人员的角色（保留在变更记录中）', params: z.strictObject({ id: z.coerce.number().int().positive(), roleId: z.coerce.number().int().positive() }), response: { 204: z.null() } },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const gone = await db.deleteFrom('entity_person').where('id', '=', req.params.roleId).where('entity_id', '=', req.params.id).returning(['person_id', 'role']).executeTakeFirst();
        if (!gone) throw notFound('人员');
        audit({ action: 'entity.person_remove', objectType: 'entity', objectId: req.params.id, detail: { role: gone.role, personId: gone.person_id } });
        reply.code(204);
        return null;
      }),
  });

  r.patch('/entities/:id', {
    config: { access: 'data.write' },
    schema: {
      tags: ['市场主体'],
      summary: '修改市场主体（登记状态、所属基层所、住所、从业人数），留存变更记录',
      params: idParam,
      body: z.strictObject({
        status: z.enum(['active', 'deregistered', 'revoked', 'moved_out']).optional(),
        stationCode: z.string().regex(/^\d{9}$/, '基层所代码应为 9 位').nullable().optional(),
        address: z.string().trim().max(300).optional(),
        employees: z.number().int().min(0).max(10_000_000).optional(),
      }),
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const e = await db.selectFrom('entity').selectAll().where('id', '=', req.params.id).executeTakeFirst();
        if (!e) throw notFound('市场主体');
        const b = req.body;
        let scope = e.scope_key;
        if (b.stationCode !== undefined) {
          if (b.stationCode && !b.stationCode.startsWith(e.county_code)) throw badRequest('基层所不属于该主体所在县区', [{ field: 'stationCode', message: '基层所不属于该县区' }]);
          const st = b.stationCode ? await db.selectFrom('jurisdiction').select('scope_key').where('code', '=', b.stationCode).where('level', '=', 'station').executeTakeFirst() : null;
          if (b.stationCode && !st) throw notFound('基层所');
          scope = st?.scope_key ?? (await db.selectFrom('jurisdiction').select('scope_key').where('code', '=', e.county_code).executeTakeFirstOrThrow()).scope_key;
        }
        const row = await db.updateTable('entity').set({ status: b.status ?? e.status, station_code: b.stationCode === undefined ? e.station_code : b.stationCode, address: b.address ?? e.address, employees: b.employees ?? e.employees, scope_key: scope, updated_at: new Date() })
          .where('id', '=', e.id).returningAll().executeTakeFirstOrThrow();
        if (scope !== e.scope_key) {
          for (const t of ['entity_person', 'entity_zone', 'annual_report'] as const) await db.updateTable(t).set({ scope_key: scope }).where('entity_id', '=', e.id).execute();
        }
        audit({ action: 'entity.update', objectType: 'entity', objectId: e.id, detail: { before: { status: e.status, stationCode: e.station_code, address: e.address, employees: e.employees }, after: { status: row.status, stationCode: row.station_code, address: row.address, employees: row.employees } } });
        return { id: row.id };
      }),
  });
}

const HIDDEN = new Set(['id', 'scope_key', 'entity_id']);
/** The fields a history record changed, old and new value each. */
function diff(before: unknown, after: unknown): { field: string; from: unknown; to: unknown }[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !HIDDEN.has(k) && JSON.stringify(b[k]) !== JSON.stringify(a[k])).map((k) => ({ field: k, from: b[k] ?? null, to: a[k] ?? null }));
}
