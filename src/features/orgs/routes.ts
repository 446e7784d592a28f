import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { BODY_LABEL, LEAGUE_KIND_LABEL, ORG_KIND_LABEL, ORG_STATUS_LABEL, OFFICER_ROLE_LABEL, SETUP_MODE_LABEL, termDue, termEnd, addMonths } from '../../domain/orgs/rules.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { containing, pageFrom, underNode } from '../../http/paging.js';
import { sendXlsx } from '../../http/xlsx.js';
import { today as todayInZone } from '../../domain/time/zone.js';
import { parseIdNumber } from '../../domain/identifiers/id-number.js';
import { upsertIdentified } from '../persons/index.js';
import { registerDeclaredOrgs } from './declared.js';
import { findingsOf, fullMembersOf, loadOrg, orgPlace, refuseOn } from './queries.js';
import { schemaOf } from '../../http/contract.js';
import { addOrgEntity, addOrgMember, addOrgOfficer, createOrg, exportOrgs, getOrg, listOrgs, registerFromReports, removeOrgEntity, removeOrgMember, removeOrgOfficer, termReminders, updateOrg } from './contract.js';
import { statusChangeProblem } from '../../domain/orgs/lifecycle.js';
import type { Scoped } from '../../db/scoped.js';
import { entitiesOfOrg, followCases } from '../discovery/index.js';

type Filters = { under?: string; body?: string; kind?: string; setupMode?: string; status?: string; q?: string };




function orgList(db: Transaction<DB>) {
  return db.selectFrom('party_org as o')
    .innerJoin('jurisdiction as c', 'c.code', 'o.county_code')
    .leftJoin('jurisdiction as s', 's.code', 'o.station_code')
    .select(['o.id', 'o.body', 'o.name', 'o.kind', 'o.setup_mode', 'o.status', 'o.founded_on', 'c.name as county_name', 's.name as station_name'])
    .select(sql<number>`(SELECT count(*)::int FROM party_org_entity pe WHERE pe.org_id = o.id)`.as('units'))
    .select(sql<number>`(SELECT count(*)::int FROM party_org_member pm WHERE pm.org_id = o.id)`.as('member_count'))
    .select(sql<string | null>`(SELECT p.name FROM party_org_officer f JOIN person p ON p.id = f.person_id WHERE f.org_id = o.id AND f.role = 'secretary' AND f.term_end >= current_date ORDER BY f.term_start DESC LIMIT 1)`.as('secretary'))
    // The committee's term: its officers' latest term end (the same date 换届提醒 counts from).
    .select(sql<string | null>`(SELECT max(f.term_end)::text FROM party_org_officer f WHERE f.org_id = o.id)`.as('term_end'));
}

async function filtered(db: Transaction<DB>, f: Filters) {
  let q = orgList(db);
  if (f.under) q = q.where(await underNode(db, 'o.scope_key', f.under));
  if (f.body) q = q.where('o.body', '=', f.body as 'party');
  if (f.kind) q = q.where('o.kind', '=', f.kind as 'branch');
  if (f.setupMode) q = q.where('o.setup_mode', '=', f.setupMode as 'joint');
  if (f.status) q = q.where('o.status', '=', f.status as 'preparing');
  if (f.q) q = q.where('o.name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof filtered>>['execute']>>[number];
const toItem = (o: Row) => ({
  id: o.id, body: o.body, name: o.name, kind: o.kind, kindLabel: (o.body === 'league' ? LEAGUE_KIND_LABEL : ORG_KIND_LABEL)[o.kind], setupMode: o.setup_mode, setupModeLabel: SETUP_MODE_LABEL[o.setup_mode],
  status: o.status, statusLabel: ORG_STATUS_LABEL[o.status], foundedOn: o.founded_on, countyName: o.county_name, stationName: o.station_name,
  units: o.units, memberCount: o.member_count, secretary: o.secretary, termEnd: o.term_end,
});

/** Entities to cover: in the caller's scope (RLS) and in the organization's county. */
async function coverable(db: Transaction<DB>, ids: number[], countyCode: string) {
  if (!ids.length) return [];
  const rows = await db.selectFrom('entity').select(['id', 'county_code', 'name']).where('id', 'in', ids).execute();
  if (rows.length !== new Set(ids).size) throw notFound('市场主体');
  const other = rows.find((e) => e.county_code !== countyCode);
  if (other) throw badRequest(`${other.name}不在该组织所在县（区），党组织不跨县（区）覆盖`, [{ field: 'entityIds', message: '市场主体不在该县（区）' }]);
  return rows;
}

/** The party- and Youth League-organization ledger: organizations, covered entities, members, officers, terms. */
/** The discovery cases of the entities an organization covers (and of any it just stopped covering) follow its edit. */
async function followOrg(sc: Scoped, orgId: number, label: string, extra: number[] = []): Promise<void> {
  await followCases(sc, [...new Set([...(await entitiesOfOrg(sc.db, orgId)), ...extra])], { source: 'org', label, objectType: 'party_org', objectId: orgId });
}

export async function orgRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const rules = () => app.ctx.settings.get('rules');

  r.get(listOrgs.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listOrgs, ['党组织']), querystring: listOrgs.query, response: { 200: listOrgs.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await filtered(db, req.query);
        return pageFrom(q, req.query, (q) => q.orderBy('o.county_code').orderBy('o.name'), toItem);
      }),
  });

  r.get(exportOrgs.path, {
    config: { access: 'data.read' },
    schema: { tags: ['党组织'], summary: '导出党组织台账（xlsx，导出留痕）', querystring: exportOrgs.query },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await filtered(db, req.query)).orderBy('o.county_code').orderBy('o.name').limit(100_000).execute();
        audit({ action: 'org.export', objectType: 'party_org', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toItem);
      });
      return sendXlsx(reply, `党组织台账-${todayInZone()}.xlsx`, '党组织', [
        { header: '类别', width: 8, value: (o) => BODY_LABEL[o.body as 'party'] },
        { header: '名称', width: 36, value: (o) => o.name },
        { header: '组织类型', width: 12, value: (o) => o.kindLabel },
        { header: '建立方式', width: 24, value: (o) => o.setupModeLabel },
        { header: '状态', width: 8, value: (o) => o.statusLabel },
        { header: '成立日期', width: 12, value: (o) => o.foundedOn },
        { header: '县区', width: 10, value: (o) => o.countyName },
        { header: '基层所', width: 16, value: (o) => o.stationName },
        { header: '覆盖单位数', width: 10, value: (o) => o.units },
        { header: '登记党员（团员）数', width: 12, value: (o) => o.memberCount },
        { header: '书记', width: 10, value: (o) => o.secretary },
        { header: '届满日期', width: 12, value: (o) => o.termEnd },
      ], rows);
    },
  });

  r.get(termReminders.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(termReminders, ['党组织']), response: { 200: termReminders.response } },
    handler: async (req) => {
      const s = await rules();
      const today = todayInZone();
      return req.scoped(async ({ db }) => {
        const rows = await db.selectFrom('party_org_officer as f').innerJoin('party_org as o', 'o.id', 'f.org_id')
          .select(['o.id', 'o.name', sql<string>`max(f.term_end)::text`.as('term_end')])
          .where('o.status', '<>', 'dissolved')
          .groupBy(['o.id', 'o.name'])
          .having(sql<boolean>`max(f.term_end) <= ${addMonths(today, s.termReminderMonths)}::date`)
          .orderBy(sql`max(f.term_end)`).limit(500).execute();
        return { items: rows.map((o) => ({ id: o.id, name: o.name, termEnd: o.term_end, due: termDue(o.term_end, today, s) })) };
      });
    },
  });

  r.post(createOrg.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createOrg, ['党组织']), body: createOrg.body, response: { 201: createOrg.response } },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.status === 'established' && !b.foundedOn) throw badRequest('已建组织须填写成立日期', [{ field: 'foundedOn', message: '请填写成立日期' }]);
      const s = await rules();
      const id = await req.scoped(async (sc) => {
        const { db, audit } = sc;
        const place = await orgPlace(db, b.placeCode);
        await coverable(db, b.entityIds, place.county_code);
        const org = await db.insertInto('party_org').values({
          body: b.body, name: b.name, kind: b.kind, setup_mode: b.setupMode, affiliated_to: b.affiliatedTo ?? null, parent_id: b.parentId ?? null,
          zone_id: b.zoneId ?? null, status: b.status, founded_on: b.foundedOn ?? null, note: b.note ?? null, ...place,
        }).returning(['id', 'kind', 'setup_mode']).executeTakeFirstOrThrow();
        if (b.entityIds.length) await db.insertInto('party_org_entity').values(b.entityIds.map((entity_id) => ({ org_id: org.id, entity_id, scope_key: place.scope_key }))).execute();
        refuseOn(await findingsOf(db, org, s));
        audit({ action: 'org.create', objectType: 'party_org', objectId: org.id, detail: { name: b.name, kind: b.kind, setupMode: b.setupMode, entities: b.entityIds.length } });
        await followOrg(sc, org.id, `新建党组织"${b.name}"`);
        return org.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.post(registerFromReports.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(registerFromReports, ['党组织']), response: { 200: registerFromReports.response } },
    handler: (req) =>
      req.scoped(async (sc) => {
        const { db, audit } = sc;
        const registered = await registerDeclaredOrgs(db, req.user!.scopeKey);
        audit({ action: 'org.from_reports', objectType: 'party_org', detail: { registered } });
        if (registered) await followCases(sc, null, { source: 'org', label: `按年报登记党组织 ${registered} 个` });
        return { registered };
      }),
  });

  r.get(getOrg.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getOrg, ['党组织']), params: getOrg.params, response: { 200: getOrg.response } },
    handler: async (req) => {
      const s = await rules();
      const today = todayInZone();
      return req.scoped(async ({ db }) => {
        const org = await loadOrg(db, req.params.id);
        const [item] = (await (await filtered(db, {})).where('o.id', '=', org.id).execute()).map(toItem);
        const fullMembers = await fullMembersOf(db, org.id);
        const entities = await db.selectFrom('party_org_entity as pe').innerJoin('entity as e', 'e.id', 'pe.entity_id')
          .select(['e.id', 'e.name', 'e.kind', 'e.status', sql<number>`(SELECT count(DISTINCT l.member_id)::int FROM member_link l WHERE l.entity_id = e.id)`.as('found_members')])
          .where('pe.org_id', '=', org.id).orderBy('e.name').execute();
        const members = await db.selectFrom('party_org_member as om').innerJoin('person as p', 'p.id', 'om.person_id').leftJoin('member as m', 'm.id', 'om.member_id')
          .select(['om.id', 'om.person_id', 'om.member_id', 'p.name', 'm.membership', 'm.join_date', 'om.joined_on']).where('om.org_id', '=', org.id).orderBy('p.name').execute();
        const officers = await db.selectFrom('party_org_officer as f').innerJoin('person as p', 'p.id', 'f.person_id')
          .select(['f.id', 'f.person_id', 'p.name', 'f.role', 'f.term_start', 'f.term_end']).where('f.org_id', '=', org.id).orderBy('f.term_start', 'desc').execute();
        // Each line with who made it and whom or what it names (a person or entity since removed included).
        const history = await db.selectFrom('ledger_history as h').leftJoin('app_user as u', 'u.id', 'h.actor_id')
          .select(['h.at', 'h.object_type', 'h.op', 'h.before', 'h.after', 'u.display_name as actor'])
          .select(sql<string | null>`coalesce((SELECT p.name FROM person p WHERE p.id = coalesce(h.after->>'person_id', h.before->>'person_id')::bigint),
            (SELECT e.name FROM entity e WHERE e.id = coalesce(h.after->>'entity_id', h.before->>'entity_id')::bigint))`.as('subject'))
          .where(sql<boolean>`(h.object_type = 'party_org' AND h.object_id = ${org.id})
            OR (h.object_type IN ('party_org_entity', 'party_org_member', 'party_org_officer') AND coalesce(h.after->>'org_id', h.before->>'org_id') = ${String(org.id)})`)
          .orderBy('h.at', 'desc').limit(200).execute();
        return {
          ...item, affiliatedTo: org.affiliated_to, note: org.note, dissolvedOn: org.dissolved_on, countyCode: org.county_code, stationCode: org.station_code,
          fullMembers,
          entities: entities.map((e) => ({ id: e.id, name: e.name, kind: e.kind, status: e.status, foundMembers: e.found_members })),
          members: members.map((m) => ({ id: m.id, personId: m.person_id, memberId: m.member_id, name: m.name, membership: m.membership, joinDate: m.join_date, joinedOn: m.joined_on })),
          officers: officers.map((f) => ({ id: f.id, personId: f.person_id, name: f.name, role: f.role, roleLabel: OFFICER_ROLE_LABEL[f.role], termStart: f.term_start, termEnd: f.term_end, due: termDue(f.term_end, today, s) })),
          findings: await findingsOf(db, org, s, fullMembers.count),
          history: history.map((h) => ({ ...h, before: h.before as Record<string, unknown> | null, after: h.after as Record<string, unknown> | null, actor: h.actor ?? '系统/导入' })),
        };
      });
    },
  });

  r.patch(updateOrg.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(updateOrg, ['党组织']), params: updateOrg.params, body: updateOrg.body, response: { 200: updateOrg.response } },
    handler: async (req) => {
      const b = req.body;
      const s = await rules();
      return req.scoped(async (sc) => {
        const { db, audit } = sc;
        const before = await loadOrg(db, req.params.id);
        const status = b.status ?? before.status;
        const refused = statusChangeProblem(before.status, status);
        if (refused) throw conflict(refused);
        const foundedOn = b.foundedOn === undefined ? before.founded_on : b.foundedOn;
        const dissolvedOn = b.dissolvedOn === undefined ? before.dissolved_on : b.dissolvedOn;
        if (status === 'established' && !foundedOn) throw badRequest('已建组织须填写成立日期', [{ field: 'foundedOn', message: '请填写成立日期' }]);
        if (status === 'dissolved' && !dissolvedOn) throw badRequest('撤销组织须填写撤销日期', [{ field: 'dissolvedOn', message: '请填写撤销日期' }]);
        const after = await db.updateTable('party_org').set({
          name: b.name ?? before.name, kind: b.kind ?? before.kind, setup_mode: b.setupMode ?? before.setup_mode,
          affiliated_to: b.affiliatedTo === undefined ? before.affiliated_to : b.affiliatedTo, status, founded_on: foundedOn, dissolved_on: dissolvedOn,
          note: b.note === undefined ? before.note : b.note, updated_at: new Date(),
        }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
        refuseOn(await findingsOf(db, after, s));
        audit({ action: 'org.update', objectType: 'party_org', objectId: before.id, detail: { before: { status: before.status, name: before.name, kind: before.kind, setupMode: before.setup_mode }, after: { status: after.status, name: after.name, kind: after.kind, setupMode: after.setup_mode } } });
        await followOrg(sc, after.id, `修改党组织"${after.name}"${after.status !== before.status ? `（${ORG_STATUS_LABEL[before.status]} → ${ORG_STATUS_LABEL[after.status]}）` : ''}`);
        return { id: after.id, status: after.status };
      });
    },
  });

  r.post(addOrgEntity.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(addOrgEntity, ['党组织']), params: addOrgEntity.params, body: addOrgEntity.body },
    handler: async (req, reply) => {
      const s = await rules();
      await req.scoped(async (sc) => {
        const { db, audit } = sc;
        const org = await loadOrg(db, req.params.id);
        await coverable(db, [req.body.entityId], org.county_code);
        await db.insertInto('party_org_entity').values({ org_id: org.id, entity_id: req.body.entityId, scope_key: org.scope_key }).onConflict((c) => c.doNothing()).execute();
        refuseOn(await findingsOf(db, org, s));
        audit({ action: 'org.entity_add', objectType: 'party_org', objectId: org.id, detail: { entityId: req.body.entityId } });
        await followOrg(sc, org.id, `党组织"${org.name}"增加覆盖的市场主体`);
      });
      return reply.code(204).send();
    },
  });

  r.post(addOrgMember.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(addOrgMember, ['党组织']), params: addOrgMember.params, body: addOrgMember.body, response: { 201: addOrgMember.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const keys = app.ctx.keys;
      const id = await req.scoped(async (sc) => {
        const { db, audit } = sc;
        const org = await loadOrg(db, req.params.id);
        let personId: number;
        if (org.body === 'party') {
          if (!b.memberId) throw badRequest('请选择党员', [{ field: 'memberId', message: '请选择党员' }]);
          const m = await db.selectFrom('member').select(['id', 'person_id']).where('id', '=', b.memberId).executeTakeFirst();
          if (!m) throw notFound('党员');
          personId = m.person_id;
        } else {
          const parsed = b.idNumber ? parseIdNumber(b.idNumber) : null;
          if (!b.name || !parsed?.ok) throw badRequest('请填写团员姓名和有效的身份证号', [{ field: parsed && !parsed.ok ? 'idNumber' : 'name', message: parsed && !parsed.ok ? parsed.reason : '请填写姓名' }]);
          const ids = await upsertIdentified(db, keys, [{ idNumber: parsed.value, birthDate: parsed.birthDate, sex: parsed.sex, name: b.name }]);
          personId = ids.get(parsed.value)!;
        }
        const row = await db.insertInto('party_org_member').values({ org_id: org.id, person_id: personId, member_id: org.body === 'party' ? b.memberId! : null, joined_on: b.joinedOn ?? null, scope_key: org.scope_key })
          .returning('id').executeTakeFirstOrThrow();
        audit({ action: 'org.member_add', objectType: 'party_org', objectId: org.id, detail: { rowId: row.id, memberId: b.memberId ?? null } });
        if (org.body === 'party') await followOrg(sc, org.id, `党员在党组织"${org.name}"登记组织关系`);
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.post(addOrgOfficer.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(addOrgOfficer, ['党组织']), params: addOrgOfficer.params, body: addOrgOfficer.body, response: { 201: addOrgOfficer.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const s = await rules();
      const id = await req.scoped(async ({ db, audit }) => {
        const org = await loadOrg(db, req.params.id);
        const isMember = await db.selectFrom('party_org_member').select('id').where('org_id', '=', org.id).where('person_id', '=', b.personId).executeTakeFirst();
        if (!isMember) throw badRequest('班子成员须是本组织登记的党员（团员）', [{ field: 'personId', message: '请先登记其组织关系' }]);
        const end = b.termEnd ?? termEnd(b.termStart, s);
        if (end <= b.termStart) throw badRequest('届满日期应晚于任职日期', [{ field: 'termEnd', message: '届满日期应晚于任职日期' }]);
        const row = await db.insertInto('party_org_officer').values({ org_id: org.id, person_id: b.personId, role: b.role, term_start: b.termStart, term_end: end, scope_key: org.scope_key }).returning('id').executeTakeFirstOrThrow();
        refuseOn(await findingsOf(db, org, s));
        audit({ action: 'org.officer_add', objectType: 'party_org', objectId: org.id, detail: { officerId: row.id, role: b.role, termStart: b.termStart, termEnd: end } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  /** DELETE /orgs/:id/<part>/:key: one covered entity, registered member or officer, audited. */
  const removal = (e: typeof removeOrgEntity | typeof removeOrgMember | typeof removeOrgOfficer, part: string, what: string, action: string, remove: (db: Transaction<DB>, orgId: number, key: number) => Promise<boolean>) =>
    r.delete(e.path, {
      config: { access: 'data.write' },
      schema: { ...schemaOf(e, ['党组织']), params: e.params },
      handler: async (req, reply) => {
        await req.scoped(async (sc) => {
          const { db, audit } = sc;
          const org = await loadOrg(db, req.params.id);
          if (!(await remove(db, org.id, req.params.key))) throw notFound(what);
          audit({ action, objectType: 'party_org', objectId: org.id, detail: { [part]: req.params.key } });
          if (part !== 'officers') await followOrg(sc, org.id, `党组织"${org.name}"：${e.summary}`, part === 'entities' ? [req.params.key] : []);
        });
        return reply.code(204).send();
      },
    });

  removal(removeOrgEntity, 'entities', '该组织覆盖的市场主体', 'org.entity_remove', async (db, orgId, entityId) =>
    Number((await db.deleteFrom('party_org_entity').where('org_id', '=', orgId).where('entity_id', '=', entityId).executeTakeFirst()).numDeletedRows) > 0);
  // Leaving the organization ends the person's current offices in it too.
  removal(removeOrgMember, 'members', '组织关系登记', 'org.member_remove', async (db, orgId, rowId) => {
    const row = await db.deleteFrom('party_org_member').where('org_id', '=', orgId).where('id', '=', rowId).returning('person_id').executeTakeFirst();
    if (row) await db.deleteFrom('party_org_officer').where('org_id', '=', orgId).where('person_id', '=', row.person_id).where('term_end', '>=', sql<string>`current_date`).execute();
    return !!row;
  });
  removal(removeOrgOfficer, 'officers', '班子成员', 'org.officer_remove', async (db, orgId, officerId) =>
    Number((await db.deleteFrom('party_org_officer').where('org_id', '=', orgId).where('id', '=', officerId).executeTakeFirst()).numDeletedRows) > 0);
}
