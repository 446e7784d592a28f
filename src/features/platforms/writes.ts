import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Scoped } from '../../db/scoped.js';
import type { Keys } from '../../crypto/keys.js';
import { expectWritten } from '../../db/writes.js';
import { nodeInScope } from '../../db/subtree.js';
import { maskIdNumber } from '../../domain/identifiers/id-number.js';
import { COMMITTEE_LEVELS, approverProblem, cardProblem, type NodeLevel } from '../../domain/platforms/orgs.js';
import { Problem, badRequest, notFound } from '../../http/errors.js';
import { personFromForm } from '../persons/index.js';
import { loadOrg, orgPlace } from '../orgs/index.js';
import type { z } from 'zod';
import type {
  addPartner,
  addRider,
  createCard,
  createCommittee,
  createMobileBranch,
  createPlatform,
  createStation,
  linkOrgUnit,
  recordRiderCount,
  updateCard,
  updatePlatform,
  updateStation,
} from './contract.js';
import { linkedEntity, loadPlatform, loadStation, mustOwnPlatform, today } from './queries.js';

/** The new-employment sector's writes, one verb-noun function each: the checks, the row, the audit entry. */
type Tx = Transaction<DB>;
type User = { id: number; jurisdictionCode: string; scopeKey: string };
/** A body as the route hands it over (parsed: defaults filled, identifiers checked). */
type Parsed<E extends { body: z.ZodType }> = z.output<E['body']>;

export async function registerPlatform({ db, audit }: Scoped, user: User, b: Parsed<typeof createPlatform>) {
  const node = await nodeInScope(db, user, b.jurisdictionCode);
  await linkedEntity(db, b.entityId);
  const row = await db
    .insertInto('platform')
    .values({
      name: b.name,
      business: b.business,
      entity_id: b.entityId ?? null,
      headquarters: b.headquarters ?? null,
      note: b.note ?? null,
      jurisdiction_code: node.code,
      scope_key: node.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'platform.create',
    objectType: 'platform',
    objectId: row.id,
    detail: { name: b.name, business: b.business, jurisdiction: node.code },
  });
  return row.id;
}

export async function changePlatform({ db, audit }: Scoped, user: User, id: number, b: Parsed<typeof updatePlatform>) {
  const before = await loadPlatform(db, id);
  mustOwnPlatform(before, user.scopeKey);
  if (b.entityId) await linkedEntity(db, b.entityId);
  const after = expectWritten(
    await db
      .updateTable('platform')
      .set({
        name: b.name ?? before.name,
        business: b.business ?? before.business,
        status: b.status ?? before.status,
        entity_id: b.entityId === undefined ? before.entity_id : b.entityId,
        headquarters: b.headquarters === undefined ? before.headquarters : b.headquarters,
        note: b.note === undefined ? before.note : b.note,
        updated_at: new Date(),
      })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirst(),
    '平台企业',
    { action: 'platform.update', objectType: 'platform', objectId: before.id },
  );
  audit({
    action: 'platform.update',
    objectType: 'platform',
    objectId: before.id,
    detail: {
      before: { name: before.name, status: before.status, entityId: before.entity_id },
      after: { name: after.name, status: after.status, entityId: after.entity_id },
    },
  });
  return after.id;
}

export async function registerPartner({ db, audit }: Scoped, platformId: number, b: Parsed<typeof addPartner>) {
  const p = await loadPlatform(db, platformId);
  const place = await orgPlace(db, b.placeCode);
  await linkedEntity(db, b.entityId);
  const row = await db
    .insertInto('platform_partner')
    .values({
      platform_id: p.id,
      name: b.name,
      entity_id: b.entityId ?? null,
      contact_name: b.contactName ?? null,
      note: b.note ?? null,
      ...place,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'platform.partner_add',
    objectType: 'platform',
    objectId: p.id,
    detail: { partnerId: row.id, name: b.name, place: b.placeCode },
  });
  return row.id;
}

/** A partner firm of this platform that the caller reads, or null. */
async function partnerOf(db: Tx, platformId: number, partnerId: number | null | undefined) {
  if (!partnerId) return null;
  const p = await db
    .selectFrom('platform_partner')
    .select(['id', 'platform_id'])
    .where('id', '=', partnerId)
    .executeTakeFirst();
  if (!p) throw notFound('合作商');
  if (p.platform_id !== platformId)
    throw badRequest('合作商不属于该平台企业', [{ field: 'partnerId', message: '请选择该平台的合作商' }]);
  return p;
}

export async function registerStation({ db, audit }: Scoped, b: Parsed<typeof createStation>) {
  const p = await loadPlatform(db, b.platformId);
  await partnerOf(db, p.id, b.partnerId);
  const place = await orgPlace(db, b.placeCode);
  await linkedEntity(db, b.entityId);
  if (b.openedOn && b.openedOn > today())
    throw badRequest('开设日期不能晚于今天', [{ field: 'openedOn', message: '开设日期不能晚于今天' }]);
  const row = await db
    .insertInto('delivery_station')
    .values({
      platform_id: p.id,
      partner_id: b.partnerId ?? null,
      name: b.name,
      address: b.address ?? null,
      entity_id: b.entityId ?? null,
      opened_on: b.openedOn ?? null,
      note: b.note ?? null,
      ...place,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'delivery_station.create',
    objectType: 'delivery_station',
    objectId: row.id,
    detail: { platformId: p.id, name: b.name, place: b.placeCode },
  });
  return row.id;
}

export async function changeStation({ db, audit }: Scoped, id: number, b: Parsed<typeof updateStation>) {
  const before = await loadStation(db, id);
  if (b.partnerId) await partnerOf(db, before.platform_id, b.partnerId);
  if (b.entityId) await linkedEntity(db, b.entityId);
  const status = b.status ?? before.status;
  const closedOn = status === 'open' ? null : b.closedOn === undefined ? before.closed_on : b.closedOn;
  if (status === 'closed' && !closedOn)
    throw badRequest('关闭站点须填写关闭日期', [{ field: 'closedOn', message: '请填写关闭日期' }]);
  if (closedOn && closedOn > today())
    throw badRequest('关闭日期不能晚于今天', [{ field: 'closedOn', message: '关闭日期不能晚于今天' }]);
  const after = await db
    .updateTable('delivery_station')
    .set({
      name: b.name ?? before.name,
      partner_id: b.partnerId === undefined ? before.partner_id : b.partnerId,
      address: b.address === undefined ? before.address : b.address,
      entity_id: b.entityId === undefined ? before.entity_id : b.entityId,
      status,
      closed_on: closedOn,
      note: b.note === undefined ? before.note : b.note,
      updated_at: new Date(),
    })
    .where('id', '=', before.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  audit({
    action: 'delivery_station.update',
    objectType: 'delivery_station',
    objectId: before.id,
    detail: {
      before: { name: before.name, status: before.status },
      after: { name: after.name, status: after.status, closedOn },
    },
  });
  return { id: after.id, status: after.status };
}

export async function countRiders(
  { db, audit }: Scoped,
  user: User,
  stationId: number,
  b: Parsed<typeof recordRiderCount>,
) {
  const s = await loadStation(db, stationId);
  if (b.asOf > today()) throw badRequest('统计日期不能晚于今天', [{ field: 'asOf', message: '统计日期不能晚于今天' }]);
  const before = await db
    .selectFrom('rider_count')
    .select('riders')
    .where('delivery_station_id', '=', s.id)
    .where('as_of', '=', b.asOf)
    .executeTakeFirst();
  const row = await db
    .insertInto('rider_count')
    .values({
      delivery_station_id: s.id,
      as_of: b.asOf,
      riders: b.riders,
      recorded_by: user.id,
      scope_key: s.scope_key,
    })
    .onConflict((c) => c.constraint('rider_count_day_uq').doUpdateSet({ riders: b.riders, recorded_by: user.id }))
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'delivery_station.rider_count',
    objectType: 'delivery_station',
    objectId: s.id,
    detail: { asOf: b.asOf, riders: b.riders, before: before?.riders ?? null },
  });
  return row.id;
}

export async function registerRider({ db, audit }: Scoped, keys: Keys, stationId: number, b: Parsed<typeof addRider>) {
  const s = await loadStation(db, stationId);
  const since = b.since ?? today();
  if (since > today()) throw badRequest('日期不能晚于今天', [{ field: 'since', message: '日期不能晚于今天' }]);
  let personId: number;
  if (b.memberId) {
    const m = await db.selectFrom('member').select(['id', 'person_id']).where('id', '=', b.memberId).executeTakeFirst();
    if (!m) throw notFound('党员');
    personId = m.person_id;
  } else if (b.name) {
    personId = await personFromForm(db, keys, { name: b.name, phone: b.phone, idNumber: b.idNumber });
  } else {
    throw badRequest('请选择名册中的党员，或填写骑手姓名', [{ field: 'name', message: '请填写姓名' }]);
  }
  const row = await db
    .insertInto('rider_person')
    .values({
      delivery_station_id: s.id,
      person_id: personId,
      role: b.role,
      member_id: b.memberId ?? null,
      since,
      scope_key: s.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'delivery_station.rider_add',
    objectType: 'delivery_station',
    objectId: s.id,
    detail: {
      riderId: row.id,
      role: b.role,
      memberId: b.memberId ?? null,
      idNumber: b.idNumber ? maskIdNumber(b.idNumber.value) : null,
    },
  });
  return row.id;
}

export async function riderLeaves(
  { db, audit }: Scoped,
  stationId: number,
  riderId: number,
  leftOnGiven: string | undefined,
) {
  const s = await loadStation(db, stationId);
  const x = await db
    .selectFrom('rider_person')
    .select(['id', 'since', 'left_on'])
    .where('id', '=', riderId)
    .where('delivery_station_id', '=', s.id)
    .executeTakeFirst();
  if (!x) throw notFound('骑手记录');
  if (x.left_on) throw badRequest(`该骑手已于 ${x.left_on} 离开`, [{ field: 'leftOn', message: '已离开' }]);
  const leftOn = leftOnGiven ?? today();
  if (leftOn < x.since || leftOn > today())
    throw badRequest('离开日期应在登记日期与今天之间', [
      { field: 'leftOn', message: '离开日期应在登记日期与今天之间' },
    ]);
  await db.updateTable('rider_person').set({ left_on: leftOn }).where('id', '=', x.id).execute();
  audit({
    action: 'delivery_station.rider_leave',
    objectType: 'delivery_station',
    objectId: s.id,
    detail: { riderId: x.id, leftOn },
  });
  return { id: x.id, leftOn };
}

// ── Rider industry committees and mobile-member branches ──────────────────────────────────
/** An established organization has a founding date, and none is founded in the future. */
const needFounded = (b: { status: string; foundedOn?: string }) => {
  if (b.status === 'established' && !b.foundedOn)
    throw badRequest('已建组织须填写成立日期', [{ field: 'foundedOn', message: '请填写成立日期' }]);
  if (b.foundedOn && b.foundedOn > today())
    throw badRequest('成立日期不能晚于今天', [{ field: 'foundedOn', message: '成立日期不能晚于今天' }]);
};

export async function foundCommittee({ db, audit }: Scoped, user: User, b: Parsed<typeof createCommittee>) {
  needFounded(b);
  const node = await nodeInScope(db, user, b.jurisdictionCode);
  if (!(COMMITTEE_LEVELS as readonly string[]).includes(node.level))
    throw badRequest('行业党委设在省、市、县（区）三级', [
      { field: 'jurisdictionCode', message: '请选择省、市或县（区）' },
    ]);
  // A committee above the county has no county: county_code holds the node it hangs on (see migration 0017).
  const row = await db
    .insertInto('party_org')
    .values({
      name: b.name,
      kind: 'committee',
      setup_mode: 'industry',
      sector: 'riders',
      county_code: node.code,
      station_code: null,
      scope_key: node.scope_key,
      status: b.status,
      founded_on: b.foundedOn ?? null,
      note: b.note ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'rider_org.committee_create',
    objectType: 'party_org',
    objectId: row.id,
    detail: { name: b.name, level: node.level, jurisdiction: node.code },
  });
  return row.id;
}

export async function foundMobileBranch({ db, audit }: Scoped, b: Parsed<typeof createMobileBranch>) {
  needFounded(b);
  const { rows } = await sql<{
    id: number;
    level: NodeLevel;
    status: 'established';
  }>`SELECT id, level, status FROM xgz_rider_committees() WHERE id = ${b.approvedByOrgId}`.execute(db);
  if (!rows[0]) throw notFound('批准的行业党委');
  const problem = approverProblem({ level: rows[0].level, status: rows[0].status, isCommittee: true });
  if (problem)
    throw new Problem(422, '不符合党组织设置规定', problem, [{ field: 'approvedByOrgId', message: problem }]);
  if (b.approvedOn > today())
    throw badRequest('批准日期不能晚于今天', [{ field: 'approvedOn', message: '批准日期不能晚于今天' }]);
  if (b.foundedOn && b.foundedOn < b.approvedOn)
    throw badRequest('成立日期不能早于批准日期', [{ field: 'foundedOn', message: '成立日期不能早于批准日期' }]);
  const place = await orgPlace(db, b.placeCode);
  const row = await db
    .insertInto('party_org')
    .values({
      name: b.name,
      kind: 'branch',
      setup_mode: 'mobile',
      sector: 'riders',
      approved_by_org_id: b.approvedByOrgId,
      approved_on: b.approvedOn,
      status: b.status,
      founded_on: b.foundedOn ?? null,
      note: b.note ?? null,
      ...place,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await linkUnits(db, row.id, b.platformIds, b.deliveryStationIds);
  audit({
    action: 'rider_org.mobile_create',
    objectType: 'party_org',
    objectId: row.id,
    detail: {
      name: b.name,
      approvedBy: b.approvedByOrgId,
      approvedOn: b.approvedOn,
      platforms: b.platformIds,
      stations: b.deliveryStationIds,
    },
  });
  return row.id;
}

/** Links an organization to platforms or stations the caller reads; the link takes the unit's scope key. */
export async function linkUnits(db: Tx, orgId: number, platformIds: number[], stationIds: number[]) {
  for (const id of platformIds) {
    const p = await loadPlatform(db, id);
    await db
      .insertInto('party_org_unit')
      .values({ org_id: orgId, platform_id: p.id, scope_key: p.scope_key })
      .execute();
  }
  for (const id of stationIds) {
    const s = await loadStation(db, id);
    await db
      .insertInto('party_org_unit')
      .values({ org_id: orgId, delivery_station_id: s.id, scope_key: s.scope_key })
      .execute();
  }
}

export async function linkOrgToUnit({ db, audit }: Scoped, orgId: number, b: Parsed<typeof linkOrgUnit>) {
  const org = await loadOrg(db, orgId);
  await linkUnits(db, org.id, b.platformId ? [b.platformId] : [], b.deliveryStationId ? [b.deliveryStationId] : []);
  audit({ action: 'rider_org.unit_add', objectType: 'party_org', objectId: org.id, detail: b });
}

export async function unlinkOrgFromUnit({ db, audit }: Scoped, orgId: number, linkId: number) {
  const org = await loadOrg(db, orgId);
  const gone = await db
    .deleteFrom('party_org_unit')
    .where('org_id', '=', org.id)
    .where('id', '=', linkId)
    .returning(['platform_id', 'delivery_station_id'])
    .executeTakeFirst();
  if (!gone) throw notFound('联系记录');
  audit({
    action: 'rider_org.unit_remove',
    objectType: 'party_org',
    objectId: org.id,
    detail: { linkId, platformId: gone.platform_id, deliveryStationId: gone.delivery_station_id },
  });
}

// ── Mobile-member cards ──────────────────────────────────────────────────────────────────
/** The card's own dates are checked before any query (cardProblem), as the route did. */
export function cardDatesProblem(b: Parsed<typeof createCard>) {
  const problem = cardProblem(b, today());
  if (problem) throw badRequest(problem.message, [problem]);
}

export async function issueCard({ db, audit }: Scoped, b: Parsed<typeof createCard>) {
  const org = await loadOrg(db, b.orgId);
  if (org.setup_mode !== 'mobile')
    throw badRequest('活动证登记在流动党员党支部', [{ field: 'orgId', message: '请选择流动党员党支部' }]);
  if (!(await db.selectFrom('member').select('id').where('id', '=', b.memberId).executeTakeFirst()))
    throw notFound('党员');
  const row = await db
    .insertInto('mobile_card')
    .values({
      member_id: b.memberId,
      org_id: org.id,
      card_no: b.cardNo,
      issued_by: b.issuedBy,
      issued_on: b.issuedOn,
      expires_on: b.expiresOn,
      scope_key: org.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'mobile_card.create',
    objectType: 'mobile_card',
    objectId: row.id,
    detail: { memberId: b.memberId, orgId: org.id, expiresOn: b.expiresOn },
  });
  return row.id;
}

export async function renewOrReturnCard({ db, audit }: Scoped, id: number, b: Parsed<typeof updateCard>) {
  const before = await db.selectFrom('mobile_card').selectAll().where('id', '=', id).executeTakeFirst();
  if (!before) throw notFound('流动党员活动证');
  if (before.returned_on) throw new Problem(409, '当前状态不允许此操作', `该活动证已于 ${before.returned_on} 交回`);
  const expiresOn = b.expiresOn ?? before.expires_on;
  if (expiresOn <= before.issued_on)
    throw badRequest('有效期至应晚于发证日期', [{ field: 'expiresOn', message: '有效期至应晚于发证日期' }]);
  if (b.returnedOn && (b.returnedOn < before.issued_on || b.returnedOn > today()))
    throw badRequest('交回日期应在发证日期与今天之间', [
      { field: 'returnedOn', message: '交回日期应在发证日期与今天之间' },
    ]);
  await db
    .updateTable('mobile_card')
    .set({ expires_on: expiresOn, returned_on: b.returnedOn ?? null, updated_at: new Date() })
    .where('id', '=', before.id)
    .execute();
  audit({
    action: 'mobile_card.update',
    objectType: 'mobile_card',
    objectId: before.id,
    detail: { before: { expiresOn: before.expires_on }, after: { expiresOn, returnedOn: b.returnedOn ?? null } },
  });
  return before.id;
}
