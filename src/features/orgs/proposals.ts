import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { followCases } from '../discovery/index.js';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { PROPOSAL_MODE_LABEL, proposeSetups, type Candidate, type Proposal } from '../../domain/orgs/grouping.js';
import { checkJointGroup, ORG_KIND_LABEL } from '../../domain/orgs/rules.js';
import type { RuleSettings } from '../../domain/settings/settings.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { offsetOf, underNode } from '../../http/paging.js';
import { entityMembers, findingsOf, loadOrg, refuseOn } from './queries.js';
import { schemaOf } from '../../http/contract.js';
import { acceptProposal, generateOrgProposals as generateEndpoint, listProposals, moveProposalUnit, rejectProposal } from './contract.js';

type Tx = Transaction<DB>;

const tags = ['组建建议'];
const JOINT_MODES = ['zone', 'joint', 'station'];

/** Entities in scope that have no organization (none in preparation either), with their members as the rules count them. */
export async function loadCandidates(db: Tx | import('kysely').Kysely<DB>, scopeKey: string): Promise<Candidate[]> {
  const { rows } = await sql<{ id: number; name: string; kind: Candidate['kind']; county_code: string; station_code: string | null; station_name: string | null; zones: Candidate['zones'] | null; full_members: number | null; members: number | null; work: boolean }>`
    SELECT e.id, e.name, e.kind, e.county_code, e.station_code, s.name AS station_name, c.work, mc.full_members, mc.members,
      (SELECT json_agg(json_build_object('id', z.id, 'kind', z.kind, 'name', z.name)) FROM entity_zone ez JOIN zone z ON z.id = ez.zone_id WHERE ez.entity_id = e.id) AS zones
    FROM entity_coverage c
    JOIN entity e ON e.id = c.entity_id
    LEFT JOIN jurisdiction s ON s.code = e.station_code
    LEFT JOIN ${entityMembers(sql.ref('e.id'))} mc ON c.with_members
    WHERE c.operating AND starts_with(c.scope_key, ${scopeKey})
      AND NOT EXISTS (SELECT 1 FROM party_org_entity pe JOIN party_org o ON o.id = pe.org_id WHERE pe.entity_id = e.id AND o.status <> 'dissolved')`.execute(db);
  return rows.map((r) => ({
    entityId: r.id, name: r.name, kind: r.kind, countyCode: r.county_code, stationCode: r.station_code, stationName: r.station_name, zones: r.zones ?? [],
    fullMembers: r.full_members ?? 0, members: r.members ?? 0, hasOrg: false, hasWork: r.work,
  }));
}

const signature = (p: { mode: string; entityIds: number[] }) => `${p.mode}:${[...p.entityIds].sort((a, b) => a - b).join(',')}`;

/** Replaces the open proposals in scope with fresh ones; a grouping once rejected is not proposed again. */
export async function generateProposals(db: Tx, scopeKey: string, rules: RuleSettings) {
  const candidates = await loadCandidates(db, scopeKey);
  const proposals = proposeSetups(candidates, rules);
  await db.deleteFrom('org_proposal').where('state', '=', 'open').where(sql<boolean>`starts_with(scope_key, ${scopeKey})`).execute();
  const rejected = new Set((await db.selectFrom('org_proposal').select('signature').where('state', '=', 'rejected').where(sql<boolean>`starts_with(scope_key, ${scopeKey})`).execute()).map((r) => r.signature));
  const byId = new Map(candidates.map((c) => [c.entityId, c]));
  const fresh = proposals.filter((p) => !rejected.has(signature(p)));
  const scopeOf = (p: Proposal) => p.stationCode ?? p.countyCode;
  const keys = new Map((await db.selectFrom('jurisdiction').select(['code', 'scope_key']).where('code', 'in', [...new Set(fresh.map(scopeOf)), '']).execute()).map((j) => [j.code, j.scope_key]));
  for (let i = 0; i < fresh.length; i += 1000) {
    const chunk = fresh.slice(i, i + 1000);
    const ids = await db.insertInto('org_proposal').values(chunk.map((p) => ({
      mode: p.mode, org_kind: p.orgKind, county_code: p.countyCode, station_code: p.stationCode, scope_key: keys.get(scopeOf(p))!, zone_id: p.zoneId,
      full_members: p.fullMembers, members: p.members, units: p.entityIds.length, explanation: p.explanation, suggested_name: p.suggestedName, signature: signature(p),
    }))).returning(['id', 'scope_key']).execute();
    const links = chunk.flatMap((p, k) => p.entityIds.map((entityId) => ({ proposal_id: ids[k].id, entity_id: entityId, full_members: byId.get(entityId)!.fullMembers, members: byId.get(entityId)!.members, scope_key: ids[k].scope_key })));
    for (let j = 0; j < links.length; j += 5000) await db.insertInto('org_proposal_entity').values(links.slice(j, j + 5000)).execute();
  }
  const counts: Record<string, number> = {};
  for (const p of fresh) counts[p.mode] = (counts[p.mode] ?? 0) + 1;
  return { candidates: candidates.length, proposals: fresh.length, skippedRejected: proposals.length - fresh.length, counts };
}

async function loadOpen(db: Tx, id: number) {
  const p = await db.selectFrom('org_proposal').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p) throw notFound('组建建议');
  if (p.state !== 'open') throw conflict(`该建议已${p.state === 'accepted' ? '采纳' : '不采纳'}，不能再处理`);
  return p;
}

const membersOf = (db: Tx, id: number) => db.selectFrom('org_proposal_entity').select(['entity_id', 'full_members', 'members', 'scope_key']).where('proposal_id', '=', id).execute();

/** Re-totals a proposal after a unit moved in or out, and says so in its explanation. */
async function retotal(db: Tx, id: number) {
  const units = await membersOf(db, id);
  const full = units.reduce((a, u) => a + u.full_members, 0);
  const members = units.reduce((a, u) => a + u.members, 0);
  await db.updateTable('org_proposal').set({ units: units.length, full_members: full, members, explanation: sql<string>`regexp_replace(explanation, '（已调整.*$', '') || ${`（已调整：${units.length} 家单位，正式党员 ${full} 名）`}` }).where('id', '=', id).execute();
}

/** Setup proposals: generated from the ledger by the domain rules, reviewed by staff. */
export async function proposalRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const rules = () => app.ctx.settings.get('rules');

  r.post(generateEndpoint.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(generateEndpoint, tags), response: { 200: generateEndpoint.response } },
    handler: async (req) => {
      const s = await rules();
      return req.scoped(async ({ db, audit }) => {
        const started = Date.now();
        const result = await generateProposals(db, req.user!.scopeKey, s);
        audit({ action: 'proposal.generate', objectType: 'org_proposal', detail: { ...result } });
        return { ...result, ms: Date.now() - started };
      });
    },
  });

  r.get(listProposals.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listProposals, tags), querystring: listProposals.query, response: { 200: listProposals.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        let q = db.selectFrom('org_proposal as p').innerJoin('jurisdiction as c', 'c.code', 'p.county_code').leftJoin('jurisdiction as s', 's.code', 'p.station_code')
          .where('p.state', '=', req.query.state);
        if (req.query.under) q = q.where(await underNode(db, 'p.scope_key', req.query.under));
        if (req.query.mode) q = q.where('p.mode', '=', req.query.mode);
        if (req.query.zoneId) q = q.where('p.zone_id', '=', req.query.zoneId);
        const { total } = await q.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow();
        const rows = await q.selectAll('p').select(['c.name as county_name', 's.name as station_name'])
          .select(sql<{ id: number; name: string; fullMembers: number; members: number }[]>`(SELECT json_agg(json_build_object('id', e.id, 'name', e.name, 'fullMembers', pe.full_members, 'members', pe.members) ORDER BY e.name)
            FROM (SELECT * FROM org_proposal_entity x WHERE x.proposal_id = p.id ORDER BY x.entity_id LIMIT 50) pe JOIN entity e ON e.id = pe.entity_id)`.as('entities'))
          .orderBy(sql`CASE p.mode WHEN 'standalone' THEN 0 WHEN 'zone' THEN 1 WHEN 'station' THEN 2 WHEN 'joint' THEN 3 WHEN 'affiliated' THEN 4 ELSE 5 END`).orderBy('p.id')
          .limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return {
          items: rows.map((p) => ({
            id: p.id, mode: p.mode, modeLabel: PROPOSAL_MODE_LABEL[p.mode], orgKind: p.org_kind, orgKindLabel: p.org_kind ? ORG_KIND_LABEL[p.org_kind] : null, state: p.state,
            countyName: p.county_name, stationName: p.station_name, units: p.units, fullMembers: p.full_members, members: p.members, explanation: p.explanation,
            suggestedName: p.suggested_name, reason: p.reason, orgId: p.org_id, entities: p.entities ?? [],
          })),
          total, page: req.query.page, pageSize: req.query.pageSize,
        };
      }),
  });

  r.post(acceptProposal.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(acceptProposal, tags), params: acceptProposal.params, body: acceptProposal.body, response: { 200: acceptProposal.response } },
    handler: async (req) => {
      const s = await rules();
      return req.scoped(async (sc) => {
        const { db, audit } = sc;
        const p = await loadOpen(db, req.params.id);
        const units = await membersOf(db, p.id);
        const orgId = await acceptInto(db, p, units, req.body, s);
        // The units' cases follow (an organization founded or joined ends "有党员未建组织").
        if (orgId) await followCases(sc, units.map((u) => Number(u.entity_id)), { source: 'org', label: `采纳组建建议 #${p.id}`, objectType: 'party_org', objectId: orgId });
        await db.updateTable('org_proposal').set({ state: 'accepted', org_id: orgId, decided_by: req.user!.id, decided_at: new Date() }).where('id', '=', p.id).execute();
        audit({ action: 'proposal.accept', objectType: 'org_proposal', objectId: p.id, detail: { mode: p.mode, orgId, units: units.length } });
        return { id: p.id, orgId };
      });
    },
  });

  r.post(moveProposalUnit.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(moveProposalUnit, tags), params: moveProposalUnit.params, body: moveProposalUnit.body, response: { 200: moveProposalUnit.response } },
    handler: async (req) => {
      const s = await rules();
      return req.scoped(async ({ db, audit }) => {
        const from = await loadOpen(db, req.params.id);
        const to = await loadOpen(db, req.body.toProposalId);
        if (!JOINT_MODES.includes(from.mode) || !JOINT_MODES.includes(to.mode)) throw badRequest('只有联合组建类建议之间可以调整单位', [{ field: 'toProposalId', message: '请选择一条联合组建建议' }]);
        if (from.county_code !== to.county_code) throw badRequest('联合党支部不跨县（区）组建', [{ field: 'toProposalId', message: '请选择同一县（区）的建议' }]);
        const moved = await db.updateTable('org_proposal_entity').set({ proposal_id: to.id, scope_key: to.scope_key }).where('proposal_id', '=', from.id).where('entity_id', '=', req.body.entityId).executeTakeFirst();
        if (!moved.numUpdatedRows) throw notFound('该建议中的单位');
        for (const p of [from, to]) {
          const units = (await membersOf(db, p.id)).map((u) => ({ fullMembers: u.full_members, members: u.members }));
          refuseOn(checkJointGroup(units, s).map((f) => ({ ...f, message: `${p.suggested_name}：${f.message}` })));
          await retotal(db, p.id);
        }
        audit({ action: 'proposal.adjust', objectType: 'org_proposal', objectId: from.id, detail: { entityId: req.body.entityId, toProposalId: to.id } });
        return { from: from.id, to: to.id };
      });
    },
  });

  r.post(rejectProposal.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(rejectProposal, tags), params: rejectProposal.params, body: rejectProposal.body, response: { 200: rejectProposal.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const p = await loadOpen(db, req.params.id);
        await db.updateTable('org_proposal').set({ state: 'rejected', reason: req.body.reason, decided_by: req.user!.id, decided_at: new Date() }).where('id', '=', p.id).execute();
        audit({ action: 'proposal.reject', objectType: 'org_proposal', objectId: p.id, detail: { reason: req.body.reason } });
        return { id: p.id };
      }),
  });
}

type Open = Awaited<ReturnType<typeof loadOpen>>;
type Units = Awaited<ReturnType<typeof membersOf>>;

/** What accepting a proposal creates; returns the organization it went into, if any. */
async function acceptInto(db: Tx, p: Open, units: Units, body: { name?: string; orgId?: number }, s: RuleSettings): Promise<number | null> {
  const entityIds = units.map((u) => u.entity_id);
  if (p.mode === 'work') {
    await db.insertInto('work_task').values(entityIds.flatMap((entity_id, i) => (['assign_instructor', 'find_members'] as const).map((kind) => ({ kind, entity_id, proposal_id: p.id, scope_key: units[i].scope_key }))))
      .onConflict((c) => c.columns(['entity_id', 'kind']).doNothing()).execute();
    return null;
  }
  if (p.mode === 'affiliated') {
    if (!body.orgId) throw badRequest('请选择挂靠的党组织（乡镇、街道或村、社区党组织须先在台账登记）', [{ field: 'orgId', message: '请选择挂靠的党组织' }]);
    const org = await loadOrg(db, body.orgId);
    if (org.county_code !== p.county_code) throw badRequest('挂靠的党组织应在本县（区）', [{ field: 'orgId', message: '请选择本县（区）的党组织' }]);
    await db.insertInto('party_org_entity').values(entityIds.map((entity_id) => ({ org_id: org.id, entity_id, scope_key: org.scope_key }))).onConflict((c) => c.doNothing()).execute();
    refuseOn(await findingsOf(db, org, s));
    return org.id;
  }
  const setupMode = p.mode === 'standalone' ? 'standalone' : p.mode === 'joint' ? 'joint' : p.mode;
  const org = await db.insertInto('party_org').values({
    name: body.name ?? p.suggested_name, kind: p.org_kind ?? 'joint_branch', setup_mode: setupMode as 'standalone', county_code: p.county_code, station_code: p.station_code,
    scope_key: p.scope_key, zone_id: p.zone_id, status: 'preparing', note: `由组建建议 #${p.id} 采纳：${p.explanation}`,
  }).returning(['id', 'kind', 'setup_mode']).executeTakeFirstOrThrow();
  await db.insertInto('party_org_entity').values(entityIds.map((entity_id) => ({ org_id: org.id, entity_id, scope_key: p.scope_key }))).execute();
  refuseOn(await findingsOf(db, org, s));
  return org.id;
}
