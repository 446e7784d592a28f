import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import type { Keys } from '../../crypto/keys.js';
import type { Scoped } from '../../db/scoped.js';
import { ORG_STATUS_LABEL, checkJointGroup, termEnd } from '../../domain/orgs/rules.js';
import { proposeSetups, type Proposal } from '../../domain/orgs/grouping.js';
import type { RuleSettings } from '../../domain/settings/settings.js';
import { statusChangeProblem } from '../../domain/orgs/lifecycle.js';
import { parseIdNumber } from '../../domain/identifiers/id-number.js';
import { today } from '../../domain/time/zone.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { upsertIdentified } from '../persons/index.js';
import { entitiesOfOrg, followCases } from '../discovery/index.js';
import { registerDeclaredOrgs } from './declared.js';
import { findingsOf, loadCandidates, loadOpenProposal, loadOrg, orgPlace, proposalUnits, refuseOn } from './queries.js';
import type { acceptProposal, addOrgMember, addOrgOfficer, createOrg, updateOrg } from './contract.js';

/** The organization ledger's writes: each records its audit line and lets the discovery cases follow the change. */

type Tx = Transaction<DB>;
type NewOrg = z.output<(typeof createOrg)['body']>;
type OrgChange = z.output<(typeof updateOrg)['body']>;
type NewOrgMember = z.output<(typeof addOrgMember)['body']>;
type NewOfficer = z.output<(typeof addOrgOfficer)['body']>;
type Adoption = z.output<(typeof acceptProposal)['body']>;

/** Entities to cover: in the caller's scope (RLS) and in the organization's county. */
async function coverable(db: Tx, ids: number[], countyCode: string) {
  if (!ids.length) return [];
  const rows = await db.selectFrom('entity').select(['id', 'county_code', 'name']).where('id', 'in', ids).execute();
  if (rows.length !== new Set(ids).size) throw notFound('市场主体');
  const other = rows.find((e) => e.county_code !== countyCode);
  if (other)
    throw badRequest(`${other.name}不在该组织所在县（区），党组织不跨县（区）覆盖`, [
      { field: 'entityIds', message: '市场主体不在该县（区）' },
    ]);
  return rows;
}

/** The discovery cases of the entities an organization covers (and of any it just stopped covering) follow its edit. */
async function followOrg(sc: Scoped, orgId: number, label: string, extra: number[] = []): Promise<void> {
  await followCases(sc, [...new Set([...(await entitiesOfOrg(sc.db, orgId)), ...extra])], {
    source: 'org',
    label,
    objectType: 'party_org',
    objectId: orgId,
  });
}

/** Creates an organization covering the given entities; returns its id. */
export async function addOrg(sc: Scoped, b: NewOrg, s: RuleSettings): Promise<number> {
  const { db, audit } = sc;
  const place = await orgPlace(db, b.placeCode);
  await coverable(db, b.entityIds, place.county_code);
  const org = await db
    .insertInto('party_org')
    .values({
      body: b.body,
      name: b.name,
      kind: b.kind,
      setup_mode: b.setupMode,
      affiliated_to: b.affiliatedTo ?? null,
      parent_id: b.parentId ?? null,
      zone_id: b.zoneId ?? null,
      status: b.status,
      founded_on: b.foundedOn ?? null,
      note: b.note ?? null,
      ...place,
    })
    .returning(['id', 'kind', 'setup_mode'])
    .executeTakeFirstOrThrow();
  if (b.entityIds.length)
    await db
      .insertInto('party_org_entity')
      .values(b.entityIds.map((entity_id) => ({ org_id: org.id, entity_id, scope_key: place.scope_key })))
      .execute();
  refuseOn(await findingsOf(db, org, s));
  audit({
    action: 'org.create',
    objectType: 'party_org',
    objectId: org.id,
    detail: { name: b.name, kind: b.kind, setupMode: b.setupMode, entities: b.entityIds.length },
  });
  await followOrg(sc, org.id, `新建党组织"${b.name}"`);
  return org.id;
}

/** Registers the organizations the annual reports declare (in the caller's scope); returns how many. */
export async function registerOrgsFromReports(sc: Scoped, scopeKey: string): Promise<{ registered: number }> {
  const { db, audit } = sc;
  const registered = await registerDeclaredOrgs(db, scopeKey);
  audit({ action: 'org.from_reports', objectType: 'party_org', detail: { registered } });
  if (registered) await followCases(sc, null, { source: 'org', label: `按年报登记党组织 ${registered} 个` });
  return { registered };
}

/** Changes an organization (a status change must be allowed; the rules' refusals hold). */
export async function changeOrg(sc: Scoped, id: number, b: OrgChange, s: RuleSettings) {
  const { db, audit } = sc;
  const before = await loadOrg(db, id);
  const status = b.status ?? before.status;
  const refused = statusChangeProblem(before.status, status);
  if (refused) throw conflict(refused);
  const foundedOn = b.foundedOn === undefined ? before.founded_on : b.foundedOn;
  const dissolvedOn = b.dissolvedOn === undefined ? before.dissolved_on : b.dissolvedOn;
  if (status === 'established' && !foundedOn)
    throw badRequest('已建组织须填写成立日期', [{ field: 'foundedOn', message: '请填写成立日期' }]);
  if (status === 'dissolved' && !dissolvedOn)
    throw badRequest('撤销组织须填写撤销日期', [{ field: 'dissolvedOn', message: '请填写撤销日期' }]);
  const after = await db
    .updateTable('party_org')
    .set({
      name: b.name ?? before.name,
      kind: b.kind ?? before.kind,
      setup_mode: b.setupMode ?? before.setup_mode,
      affiliated_to: b.affiliatedTo === undefined ? before.affiliated_to : b.affiliatedTo,
      status,
      founded_on: foundedOn,
      dissolved_on: dissolvedOn,
      note: b.note === undefined ? before.note : b.note,
      updated_at: new Date(),
    })
    .where('id', '=', before.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  refuseOn(await findingsOf(db, after, s));
  audit({
    action: 'org.update',
    objectType: 'party_org',
    objectId: before.id,
    detail: {
      before: { status: before.status, name: before.name, kind: before.kind, setupMode: before.setup_mode },
      after: { status: after.status, name: after.name, kind: after.kind, setupMode: after.setup_mode },
    },
  });
  await followOrg(
    sc,
    after.id,
    `修改党组织"${after.name}"${after.status !== before.status ? `（${ORG_STATUS_LABEL[before.status]} → ${ORG_STATUS_LABEL[after.status]}）` : ''}`,
  );
  return { id: after.id, status: after.status };
}

/** The organization covers one more entity (of its county). */
export async function coverEntity(sc: Scoped, id: number, entityId: number, s: RuleSettings): Promise<void> {
  const { db, audit } = sc;
  const org = await loadOrg(db, id);
  await coverable(db, [entityId], org.county_code);
  await db
    .insertInto('party_org_entity')
    .values({ org_id: org.id, entity_id: entityId, scope_key: org.scope_key })
    .onConflict((c) => c.doNothing())
    .execute();
  refuseOn(await findingsOf(db, org, s));
  audit({ action: 'org.entity_add', objectType: 'party_org', objectId: org.id, detail: { entityId } });
  await followOrg(sc, org.id, `党组织"${org.name}"增加覆盖的市场主体`);
}

/** Registers a member's (a Youth League member's, by ID number) organizational relation with the organization; returns the row's id. */
export async function registerOrgMember(sc: Scoped, keys: Keys, id: number, b: NewOrgMember): Promise<number> {
  const { db, audit } = sc;
  const org = await loadOrg(db, id);
  let personId: number;
  if (org.body === 'party') {
    if (!b.memberId) throw badRequest('请选择党员', [{ field: 'memberId', message: '请选择党员' }]);
    const m = await db.selectFrom('member').select(['id', 'person_id']).where('id', '=', b.memberId).executeTakeFirst();
    if (!m) throw notFound('党员');
    personId = m.person_id;
  } else {
    const parsed = b.idNumber ? parseIdNumber(b.idNumber) : null;
    if (!b.name || !parsed?.ok)
      throw badRequest('请填写团员姓名和有效的身份证号', [
        {
          field: parsed && !parsed.ok ? 'idNumber' : 'name',
          message: parsed && !parsed.ok ? parsed.reason : '请填写姓名',
        },
      ]);
    const { ids } = await upsertIdentified(
      db,
      keys,
      [{ idNumber: parsed.value, birthDate: parsed.birthDate, sex: parsed.sex, name: b.name }],
      { byHand: true },
    );
    personId = ids.get(parsed.value)!;
  }
  const row = await db
    .insertInto('party_org_member')
    .values({
      org_id: org.id,
      person_id: personId,
      member_id: org.body === 'party' ? b.memberId! : null,
      joined_on: b.joinedOn ?? null,
      scope_key: org.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'org.member_add',
    objectType: 'party_org',
    objectId: org.id,
    detail: { rowId: row.id, memberId: b.memberId ?? null },
  });
  if (org.body === 'party') await followOrg(sc, org.id, `党员在党组织"${org.name}"登记组织关系`);
  return row.id;
}

/** Appoints a registered member to an office for a term (by default the rules' term length); returns the office's id. */
export async function appointOfficer(
  { db, audit }: Scoped,
  id: number,
  b: NewOfficer,
  s: RuleSettings,
): Promise<number> {
  const org = await loadOrg(db, id);
  const isMember = await db
    .selectFrom('party_org_member')
    .select('id')
    .where('org_id', '=', org.id)
    .where('person_id', '=', b.personId)
    .executeTakeFirst();
  if (!isMember)
    throw badRequest('班子成员须是本组织登记的党员（团员）', [{ field: 'personId', message: '请先登记其组织关系' }]);
  const end = b.termEnd ?? termEnd(b.termStart, s);
  if (end <= b.termStart)
    throw badRequest('届满日期应晚于任职日期', [{ field: 'termEnd', message: '届满日期应晚于任职日期' }]);
  const row = await db
    .insertInto('party_org_officer')
    .values({
      org_id: org.id,
      person_id: b.personId,
      role: b.role,
      term_start: b.termStart,
      term_end: end,
      scope_key: org.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  refuseOn(await findingsOf(db, org, s));
  audit({
    action: 'org.officer_add',
    objectType: 'party_org',
    objectId: org.id,
    detail: { officerId: row.id, role: b.role, termStart: b.termStart, termEnd: end },
  });
  return row.id;
}

/** One part of an organization to remove: the removal itself (false when there was none) and how it is named and audited. */
export type OrgPart = {
  part: string;
  what: string;
  action: string;
  summary: string;
  remove: (db: Tx, orgId: number, key: number) => Promise<boolean>;
};

/** Removes one covered entity, registered member or officer of the organization, audited. */
export async function removeOrgPart(
  sc: Scoped,
  id: number,
  key: number,
  { part, what, action, summary, remove }: OrgPart,
): Promise<void> {
  const { db, audit } = sc;
  const org = await loadOrg(db, id);
  if (!(await remove(db, org.id, key))) throw notFound(what);
  audit({ action, objectType: 'party_org', objectId: org.id, detail: { [part]: key } });
  if (part !== 'officers')
    await followOrg(sc, org.id, `党组织"${org.name}"：${summary}`, part === 'entities' ? [key] : []);
}

/** A covered entity's removal. */
export const removeCoveredEntity = async (db: Tx, orgId: number, entityId: number) =>
  Number(
    (
      await db
        .deleteFrom('party_org_entity')
        .where('org_id', '=', orgId)
        .where('entity_id', '=', entityId)
        .executeTakeFirst()
    ).numDeletedRows,
  ) > 0;

/** A member's registration's removal: leaving the organization ends the person's current offices in it too. */
export async function removeOrgMemberRow(db: Tx, orgId: number, rowId: number): Promise<boolean> {
  const row = await db
    .deleteFrom('party_org_member')
    .where('org_id', '=', orgId)
    .where('id', '=', rowId)
    .returning('person_id')
    .executeTakeFirst();
  if (row)
    await db
      .deleteFrom('party_org_officer')
      .where('org_id', '=', orgId)
      .where('person_id', '=', row.person_id)
      .where('term_end', '>=', today())
      .execute();
  return !!row;
}

/** An officer's removal. */
export const removeOfficer = async (db: Tx, orgId: number, officerId: number) =>
  Number(
    (
      await db
        .deleteFrom('party_org_officer')
        .where('org_id', '=', orgId)
        .where('id', '=', officerId)
        .executeTakeFirst()
    ).numDeletedRows,
  ) > 0;

// ── Setup proposals (组建建议) ───────────────────────────────────────────────────────────────

const JOINT_MODES = ['zone', 'joint', 'station'];

const signature = (p: { mode: string; entityIds: number[] }) =>
  `${p.mode}:${[...p.entityIds].sort((a, b) => a - b).join(',')}`;

/** Replaces the open proposals in scope with fresh ones; a grouping once rejected is not proposed again. */
export async function generateProposals(db: Tx, scopeKey: string, rules: RuleSettings) {
  const candidates = await loadCandidates(db, scopeKey);
  const proposals = proposeSetups(candidates, rules);
  await db
    .deleteFrom('org_proposal')
    .where('state', '=', 'open')
    .where(sql<boolean>`starts_with(scope_key, ${scopeKey})`)
    .execute();
  const rejected = new Set(
    (
      await db
        .selectFrom('org_proposal')
        .select('signature')
        .where('state', '=', 'rejected')
        .where(sql<boolean>`starts_with(scope_key, ${scopeKey})`)
        .execute()
    ).map((r) => r.signature),
  );
  const byId = new Map(candidates.map((c) => [c.entityId, c]));
  const fresh = proposals.filter((p) => !rejected.has(signature(p)));
  const scopeOf = (p: Proposal) => p.stationCode ?? p.countyCode;
  const keys = new Map(
    (
      await db
        .selectFrom('jurisdiction')
        .select(['code', 'scope_key'])
        .where('code', 'in', [...new Set(fresh.map(scopeOf)), ''])
        .execute()
    ).map((j) => [j.code, j.scope_key]),
  );
  for (let i = 0; i < fresh.length; i += 1000) {
    const chunk = fresh.slice(i, i + 1000);
    const ids = await db
      .insertInto('org_proposal')
      .values(
        chunk.map((p) => ({
          mode: p.mode,
          org_kind: p.orgKind,
          county_code: p.countyCode,
          station_code: p.stationCode,
          scope_key: keys.get(scopeOf(p))!,
          zone_id: p.zoneId,
          full_members: p.fullMembers,
          members: p.members,
          units: p.entityIds.length,
          explanation: p.explanation,
          suggested_name: p.suggestedName,
          signature: signature(p),
        })),
      )
      .returning(['id', 'scope_key'])
      .execute();
    const links = chunk.flatMap((p, k) =>
      p.entityIds.map((entityId) => ({
        proposal_id: ids[k].id,
        entity_id: entityId,
        full_members: byId.get(entityId)!.fullMembers,
        members: byId.get(entityId)!.members,
        scope_key: ids[k].scope_key,
      })),
    );
    for (let j = 0; j < links.length; j += 5000)
      await db
        .insertInto('org_proposal_entity')
        .values(links.slice(j, j + 5000))
        .execute();
  }
  const counts: Record<string, number> = {};
  for (const p of fresh) counts[p.mode] = (counts[p.mode] ?? 0) + 1;
  return {
    candidates: candidates.length,
    proposals: fresh.length,
    skippedRejected: proposals.length - fresh.length,
    counts,
  };
}

/** Re-totals a proposal after a unit moved in or out, and says so in its explanation. */
async function retotal(db: Tx, id: number) {
  const units = await proposalUnits(db, id);
  const full = units.reduce((a, u) => a + u.full_members, 0);
  const members = units.reduce((a, u) => a + u.members, 0);
  await db
    .updateTable('org_proposal')
    .set({
      units: units.length,
      full_members: full,
      members,
      explanation: sql<string>`regexp_replace(explanation, '（已调整.*$', '') || ${`（已调整：${units.length} 家单位，正式党员 ${full} 名）`}`,
    })
    .where('id', '=', id)
    .execute();
}

type OpenProposal = Awaited<ReturnType<typeof loadOpenProposal>>;
type Units = Awaited<ReturnType<typeof proposalUnits>>;

/**
 * Accepts an open proposal: what it proposes is created (see acceptInto) and its units' cases
 * follow (an organization founded or joined ends "有党员未建组织"). Returns the proposal, its
 * units and the organization they went into, if any.
 */
export async function adoptProposal(sc: Scoped, id: number, b: Adoption, s: RuleSettings, by: number) {
  const { db } = sc;
  const p = await loadOpenProposal(db, id);
  const units = await proposalUnits(db, p.id);
  const orgId = await acceptInto(db, p, units, b, s);
  if (orgId)
    await followCases(
      sc,
      units.map((u) => Number(u.entity_id)),
      { source: 'org', label: `采纳组建建议 #${p.id}`, objectType: 'party_org', objectId: orgId },
    );
  await db
    .updateTable('org_proposal')
    .set({ state: 'accepted', org_id: orgId, decided_by: by, decided_at: new Date() })
    .where('id', '=', p.id)
    .execute();
  return { p, units, orgId };
}

/** What accepting a proposal creates; returns the organization it went into, if any. */
async function acceptInto(
  db: Tx,
  p: OpenProposal,
  units: Units,
  body: Adoption,
  s: RuleSettings,
): Promise<number | null> {
  const entityIds = units.map((u) => u.entity_id);
  if (p.mode === 'work') {
    await db
      .insertInto('work_task')
      .values(
        entityIds.flatMap((entity_id, i) =>
          (['assign_instructor', 'find_members'] as const).map((kind) => ({
            kind,
            entity_id,
            proposal_id: p.id,
            scope_key: units[i].scope_key,
          })),
        ),
      )
      .onConflict((c) => c.columns(['entity_id', 'kind']).doNothing())
      .execute();
    return null;
  }
  if (p.mode === 'affiliated') {
    if (!body.orgId)
      throw badRequest('请选择挂靠的党组织（乡镇、街道或村、社区党组织须先在台账登记）', [
        { field: 'orgId', message: '请选择挂靠的党组织' },
      ]);
    const org = await loadOrg(db, body.orgId);
    if (org.county_code !== p.county_code)
      throw badRequest('挂靠的党组织应在本县（区）', [{ field: 'orgId', message: '请选择本县（区）的党组织' }]);
    await db
      .insertInto('party_org_entity')
      .values(entityIds.map((entity_id) => ({ org_id: org.id, entity_id, scope_key: org.scope_key })))
      .onConflict((c) => c.doNothing())
      .execute();
    refuseOn(await findingsOf(db, org, s));
    return org.id;
  }
  const setupMode = p.mode === 'standalone' ? 'standalone' : p.mode === 'joint' ? 'joint' : p.mode;
  const org = await db
    .insertInto('party_org')
    .values({
      name: body.name ?? p.suggested_name,
      kind: p.org_kind ?? 'joint_branch',
      setup_mode: setupMode as 'standalone',
      county_code: p.county_code,
      station_code: p.station_code,
      scope_key: p.scope_key,
      zone_id: p.zone_id,
      status: 'preparing',
      note: `由组建建议 #${p.id} 采纳：${p.explanation}`,
    })
    .returning(['id', 'kind', 'setup_mode'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('party_org_entity')
    .values(entityIds.map((entity_id) => ({ org_id: org.id, entity_id, scope_key: p.scope_key })))
    .execute();
  refuseOn(await findingsOf(db, org, s));
  return org.id;
}

/** Moves a unit between two open joint proposals of one county; both must still meet the joint-branch rules. Returns both ids. */
export async function moveProposalEntity(
  db: Tx,
  fromId: number,
  b: { entityId: number; toProposalId: number },
  s: RuleSettings,
) {
  // Locked in the order of their numbers, so two moves between the same two proposals cannot wait on each other.
  const [first, second] = [fromId, b.toProposalId].sort((x, y) => x - y);
  const lower = await loadOpenProposal(db, first);
  const higher = second === first ? lower : await loadOpenProposal(db, second);
  const from = fromId === first ? lower : higher;
  const to = b.toProposalId === first ? lower : higher;
  if (!JOINT_MODES.includes(from.mode) || !JOINT_MODES.includes(to.mode))
    throw badRequest('只有联合组建类建议之间可以调整单位', [
      { field: 'toProposalId', message: '请选择一条联合组建建议' },
    ]);
  if (from.county_code !== to.county_code)
    throw badRequest('联合党支部不跨县（区）组建', [{ field: 'toProposalId', message: '请选择同一县（区）的建议' }]);
  const moved = await db
    .updateTable('org_proposal_entity')
    .set({ proposal_id: to.id, scope_key: to.scope_key })
    .where('proposal_id', '=', from.id)
    .where('entity_id', '=', b.entityId)
    .executeTakeFirst();
  if (!moved.numUpdatedRows) throw notFound('该建议中的单位');
  for (const p of [from, to]) {
    const units = (await proposalUnits(db, p.id)).map((u) => ({ fullMembers: u.full_members, members: u.members }));
    refuseOn(checkJointGroup(units, s).map((f) => ({ ...f, message: `${p.suggested_name}：${f.message}` })));
    await retotal(db, p.id);
  }
  return { from: from.id, to: to.id };
}

/** Rejects an open proposal with the reason (its grouping is not proposed again); returns its id. */
export async function rejectOpenProposal(db: Tx, id: number, reason: string, by: number): Promise<number> {
  const p = await loadOpenProposal(db, id);
  await db
    .updateTable('org_proposal')
    .set({ state: 'rejected', reason, decided_by: by, decided_at: new Date() })
    .where('id', '=', p.id)
    .execute();
  return p.id;
}
