import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { forbidden, notFound } from '../../http/errors.js';
import { containing, underNode } from '../../http/paging.js';
import { decryptField } from '../../crypto/field.js';
import type { Keys } from '../../crypto/keys.js';
import { maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import {
  BUSINESS_LABEL,
  PLATFORM_STATUS_LABEL,
  RIDER_ROLE_LABEL,
  STATION_STATUS_LABEL,
} from '../../domain/platforms/labels.js';
import { ORG_STATUS_LABEL } from '../../domain/orgs/rules.js';
import {
  CARD_STATE_LABEL,
  LEVEL_LABEL,
  RIDER_ORG_TYPE_LABEL,
  approverProblem,
  cardState,
  expiringBy,
  type CardState,
  type NodeLevel,
  type RiderOrgType,
} from '../../domain/platforms/orgs.js';
import { today } from '../../domain/time/zone.js';
import { unitRates } from '../../domain/platforms/coverage.js';
import { monthEnds } from '../../domain/platforms/riders.js';
import { figuresByChild, type Node } from '../../db/subtree.js';
import type { cardFilters, platformFilters, riderOrgFilters, stationFilters } from './contract.js';
import { readablePhone } from '../persons/index.js';

/** The new-employment sector's reads: the lists behind the four resources, their details and the shared lookups. */
type Tx = Transaction<DB>;
type FiltersOf<S extends Record<string, z.ZodType>> = { [K in keyof S]?: z.output<S[K]> };
type PlatformFilters = FiltersOf<typeof platformFilters>;
type StationFilters = FiltersOf<typeof stationFilters>;
type RiderOrgFilters = FiltersOf<typeof riderOrgFilters>;
type CardFilters = FiltersOf<typeof cardFilters>;

export { today };

/** A market entity the caller reads (RLS), to link a platform, partner firm or station to. */
export async function linkedEntity(db: Tx, id: number | null | undefined) {
  if (!id) return null;
  const e = await db.selectFrom('entity').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  if (!e) throw notFound('市场主体');
  return e;
}

export async function loadPlatform(db: Tx, id: number) {
  const p = await db.selectFrom('platform').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p) throw notFound('平台企业');
  return p;
}

/** A platform is changed by the subtree of the bureau that registered it; below, it is read to record local presence. */
export function mustOwnPlatform(p: { scope_key: string }, scopeKey: string) {
  if (!p.scope_key.startsWith(scopeKey))
    throw forbidden('该平台企业由上级登记，只能由登记单位修改；本级可登记其合作商和配送站点');
}

export async function loadStation(db: Tx, id: number) {
  const s = await db.selectFrom('delivery_station').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw notFound('配送站点');
  return s;
}

/** The latest rider count of a station (LATERAL: riders, as_of). */
export const latestCount = (stationId: RawBuilder<unknown>) =>
  sql`LATERAL (SELECT c.riders, c.as_of::text AS as_of FROM rider_count c WHERE c.delivery_station_id = ${stationId} ORDER BY c.as_of DESC LIMIT 1)`;

/**
 * Riders at each date under a scope key: each station's latest count on or before the date,
 * stations closed by then not counted (src/domain/platforms/riders.ts, held equal by the tests).
 */
export async function riderSeriesSql(db: Tx, scopeKey: string, dates: string[]) {
  const { rows } = await sql<{ date: string; riders: number }>`
    SELECT d.day::text AS date, coalesce(sum(x.riders), 0)::int AS riders
    FROM unnest(${dates}::date[]) AS d(day)
    LEFT JOIN LATERAL (
      SELECT (SELECT c.riders FROM rider_count c WHERE c.delivery_station_id = s.id AND c.as_of <= d.day ORDER BY c.as_of DESC LIMIT 1) AS riders
      FROM delivery_station s WHERE starts_with(s.scope_key, ${scopeKey}) AND (s.closed_on IS NULL OR s.closed_on > d.day)
    ) x ON true
    GROUP BY d.day ORDER BY d.day`.execute(db);
  return rows;
}

/** Coverage flags of one platform or station, from the view (its definition is the domain's). */
export async function unitFlags(db: Tx, type: 'platform' | 'delivery_station', id: number) {
  const f = await db
    .selectFrom('new_employment_coverage_facts')
    .select(['operating', 'any_org', 'work'])
    .where('unit_type', '=', type)
    .where('unit_id', '=', id)
    .executeTakeFirst();
  return { anyOrg: !!f?.any_org, work: !!f?.work };
}

/** Which organizations serve a platform or station, and which instructors are assigned to it now. */
export async function unitWork(db: Tx, column: 'platform_id' | 'delivery_station_id', id: number) {
  const orgs = await db
    .selectFrom('party_org_unit as u')
    .innerJoin('party_org as o', 'o.id', 'u.org_id')
    .select(['u.id as link_id', 'o.id', 'o.name', 'o.kind', 'o.setup_mode', 'o.status'])
    .where(`u.${column}`, '=', id)
    .orderBy('o.name')
    .execute();
  const instructors = await db
    .selectFrom('instructor_assignment as a')
    .innerJoin('instructor as i', 'i.id', 'a.instructor_id')
    .innerJoin('person as p', 'p.id', 'i.person_id')
    .select(['a.id', 'a.instructor_id', 'p.name', 'a.start_on'])
    .where(`a.${column}`, '=', id)
    .where('a.end_on', 'is', null)
    .orderBy('a.start_on')
    .execute();
  return {
    orgs: orgs.map((o) => ({
      linkId: o.link_id,
      id: o.id,
      name: o.name,
      kind: o.kind,
      setupMode: o.setup_mode,
      status: o.status,
    })),
    instructors: instructors.map((a) => ({
      assignmentId: a.id,
      instructorId: a.instructor_id,
      name: a.name,
      startOn: a.start_on,
    })),
  };
}

/** Changes recorded on these rows (ledger_history), newest first. */
export async function historyOf(
  db: Tx,
  parts: { type: string; id: number }[],
  related: { type: string; key: string; id: number }[] = [],
) {
  const own = parts.map((p) => sql<boolean>`(h.object_type = ${p.type} AND h.object_id = ${p.id})`);
  const rel = related.map(
    (r) =>
      sql<boolean>`(h.object_type = ${r.type} AND coalesce(h.after->>${r.key}, h.before->>${r.key}) = ${String(r.id)})`,
  );
  const rows = await db
    .selectFrom('ledger_history as h')
    .leftJoin('app_user as u', 'u.id', 'h.actor_id')
    .select(['h.at', 'h.object_type', 'h.op', 'u.display_name as actor'])
    .where(sql<boolean>`(${sql.join([...own, ...rel], sql` OR `)})`)
    .orderBy('h.at', 'desc')
    .limit(100)
    .execute();
  return rows.map((h) => ({ at: h.at, objectType: h.object_type, op: h.op, actor: h.actor ?? '系统' }));
}

/**
 * Platforms the caller reads (RLS: registered in or above its subtree, or with presence in it),
 * with the partner firms, open stations and riders the caller sees.
 */
export function platformList(db: Tx, scopeKey: string) {
  return db
    .selectFrom('platform as p')
    .innerJoin('jurisdiction as j', 'j.code', 'p.jurisdiction_code')
    .leftJoin('entity as e', 'e.id', 'p.entity_id')
    .leftJoin('new_employment_coverage_facts as f', (j) =>
      j.onRef('f.unit_id', '=', 'p.id').on('f.unit_type', '=', 'platform'),
    )
    .select([
      'p.id',
      'p.name',
      'p.business',
      'p.status',
      'p.headquarters',
      'p.entity_id',
      'e.name as entity_name',
      'j.name as registered_by',
      'p.scope_key',
      'f.any_org',
      'f.work',
    ])
    .select(sql<boolean>`starts_with(p.scope_key, ${scopeKey})`.as('mine'))
    .select(sql<number>`(SELECT count(*)::int FROM platform_partner pp WHERE pp.platform_id = p.id)`.as('partners'))
    .select(
      sql<number>`(SELECT count(*)::int FROM delivery_station s WHERE s.platform_id = p.id AND s.status = 'open')`.as(
        'stations',
      ),
    )
    .select(
      sql<number>`(SELECT coalesce(sum(lc.riders), 0)::int FROM delivery_station s CROSS JOIN ${latestCount(sql.ref('s.id'))} lc WHERE s.platform_id = p.id AND s.status = 'open')`.as(
        'riders',
      ),
    )
    .select(
      sql<number>`(SELECT count(*)::int FROM rider_person r JOIN delivery_station s ON s.id = r.delivery_station_id WHERE s.platform_id = p.id AND r.role = 'member' AND r.left_on IS NULL)`.as(
        'member_riders',
      ),
    );
}

export async function platformsFiltered(db: Tx, scopeKey: string, f: PlatformFilters) {
  let q = platformList(db, scopeKey);
  // Under a node: registered there or below, or with a station or partner firm there.
  if (f.under) {
    const inside = await underNode(db, 'p.scope_key', f.under);
    const node = await db
      .selectFrom('jurisdiction')
      .select('scope_key')
      .where('code', '=', f.under)
      .executeTakeFirstOrThrow();
    q =
      q.where(sql<boolean>`(${inside} OR EXISTS (SELECT 1 FROM delivery_station s WHERE s.platform_id = p.id AND starts_with(s.scope_key, ${node.scope_key}))
      OR EXISTS (SELECT 1 FROM platform_partner pp WHERE pp.platform_id = p.id AND starts_with(pp.scope_key, ${node.scope_key})))`);
  }
  if (f.business) q = q.where('p.business', '=', f.business);
  if (f.status) q = q.where('p.status', '=', f.status);
  if (f.q) q = q.where('p.name', 'like', containing(f.q));
  return q;
}

type PlatformRow = Awaited<ReturnType<ReturnType<typeof platformList>['execute']>>[number];
export const toPlatform = (p: PlatformRow) => ({
  id: p.id,
  name: p.name,
  business: p.business,
  businessLabel: BUSINESS_LABEL[p.business],
  status: p.status,
  statusLabel: PLATFORM_STATUS_LABEL[p.status],
  registeredBy: p.registered_by,
  mine: p.mine,
  entityId: p.entity_id,
  entityName: p.entity_name,
  headquarters: p.headquarters,
  partners: p.partners,
  stations: p.stations,
  riders: p.riders,
  memberRiders: p.member_riders,
  anyOrg: !!p.any_org,
  work: !!p.work,
});

export function stationList(db: Tx) {
  return db
    .selectFrom('delivery_station as s')
    .innerJoin('platform as p', 'p.id', 's.platform_id')
    .innerJoin('jurisdiction as c', 'c.code', 's.county_code')
    .leftJoin('jurisdiction as st', 'st.code', 's.station_code')
    .leftJoin('platform_partner as pp', 'pp.id', 's.partner_id')
    .leftJoin('new_employment_coverage_facts as f', (j) =>
      j.onRef('f.unit_id', '=', 's.id').on('f.unit_type', '=', 'delivery_station'),
    )
    .leftJoin(latestCount(sql.ref('s.id')).as('lc'), (j) => j.onTrue())
    .select([
      's.id',
      's.name',
      's.platform_id',
      'p.name as platform_name',
      'p.business',
      's.partner_id',
      'pp.name as partner_name',
      'c.name as county_name',
      'st.name as station_name',
      's.address',
      's.status',
      'f.any_org',
      'f.work',
    ])
    .select(sql<number | null>`lc.riders`.as('riders'))
    .select(sql<string | null>`lc.as_of`.as('riders_as_of'))
    .select(
      sql<number>`(SELECT count(*)::int FROM rider_person r WHERE r.delivery_station_id = s.id AND r.role = 'member' AND r.left_on IS NULL)`.as(
        'member_riders',
      ),
    )
    .select(
      sql<number>`(SELECT count(*)::int FROM rider_person r WHERE r.delivery_station_id = s.id AND r.role = 'activist' AND r.left_on IS NULL)`.as(
        'activists',
      ),
    );
}

export async function stationsFiltered(db: Tx, f: StationFilters) {
  let q = stationList(db);
  if (f.under) q = q.where(await underNode(db, 's.scope_key', f.under));
  if (f.platformId) q = q.where('s.platform_id', '=', f.platformId);
  if (f.status) q = q.where('s.status', '=', f.status);
  if (f.coverage === 'org') q = q.where('f.any_org', '=', true);
  if (f.coverage === 'work') q = q.where('f.work', '=', true);
  if (f.coverage === 'none') q = q.where('f.work', '=', false);
  if (f.q) q = q.where('s.name', 'like', containing(f.q));
  return q;
}

type StationRow = Awaited<ReturnType<ReturnType<typeof stationList>['execute']>>[number];
export const toStation = (s: StationRow) => ({
  id: s.id,
  name: s.name,
  platformId: s.platform_id,
  platformName: s.platform_name,
  businessLabel: BUSINESS_LABEL[s.business],
  partnerId: s.partner_id,
  partnerName: s.partner_name,
  countyName: s.county_name,
  stationName: s.station_name,
  address: s.address,
  status: s.status,
  statusLabel: STATION_STATUS_LABEL[s.status],
  riders: s.riders,
  ridersAsOf: s.riders_as_of,
  memberRiders: s.member_riders,
  activists: s.activists,
  anyOrg: !!s.any_org,
  work: !!s.work,
});

function riderOrgList(db: Tx) {
  return (
    db
      .selectFrom('party_org as o')
      .innerJoin('jurisdiction as j', (j) => j.on(sql<boolean>`j.code = coalesce(o.station_code, o.county_code)`))
      .select([
        'o.id',
        'o.name',
        'o.setup_mode',
        'o.status',
        'o.founded_on',
        'o.approved_on',
        'j.level',
        'j.name as place_name',
      ])
      // The approver may sit above the caller's subtree: its name comes through the function that reads those committees.
      .select(
        sql<string | null>`(SELECT c.name FROM xgz_rider_committees() c WHERE c.id = o.approved_by_org_id)`.as(
          'approver_name',
        ),
      )
      .select(sql<number>`(SELECT count(*)::int FROM party_org_member pm WHERE pm.org_id = o.id)`.as('member_count'))
      .select(sql<number>`(SELECT count(*)::int FROM party_org_unit u WHERE u.org_id = o.id)`.as('units'))
      .select(
        sql<number>`(SELECT count(*)::int FROM mobile_card mc WHERE mc.org_id = o.id AND mc.returned_on IS NULL AND mc.expires_on BETWEEN ${today()}::date AND ${expiringBy(today())}::date)`.as(
          'cards_expiring',
        ),
      )
      .where('o.sector', '=', 'riders')
  );
}

export async function riderOrgsFiltered(db: Tx, f: RiderOrgFilters) {
  let q = riderOrgList(db);
  if (f.under) q = q.where(await underNode(db, 'o.scope_key', f.under));
  if (f.type === 'committee') q = q.where('o.kind', '=', 'committee').where('o.setup_mode', '=', 'industry');
  if (f.type === 'mobile') q = q.where('o.setup_mode', '=', 'mobile');
  if (f.status) q = q.where('o.status', '=', f.status);
  if (f.q) q = q.where('o.name', 'like', containing(f.q));
  return q;
}

type OrgRow = Awaited<ReturnType<ReturnType<typeof riderOrgList>['execute']>>[number];
export const toRiderOrg = (o: OrgRow) => {
  const type: RiderOrgType = o.setup_mode === 'mobile' ? 'mobile' : 'committee';
  return {
    id: o.id,
    name: o.name,
    type,
    typeLabel: RIDER_ORG_TYPE_LABEL[type],
    level: o.level,
    levelLabel: LEVEL_LABEL[o.level],
    placeName: o.place_name,
    status: o.status,
    statusLabel: ORG_STATUS_LABEL[o.status],
    foundedOn: o.founded_on,
    approverName: o.approver_name,
    approvedOn: o.approved_on,
    memberCount: o.member_count,
    units: o.units,
    cardsExpiring: o.cards_expiring,
  };
};

function cardList(db: Tx) {
  return db
    .selectFrom('mobile_card as c')
    .innerJoin('member as m', 'm.id', 'c.member_id')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .innerJoin('party_org as o', 'o.id', 'c.org_id')
    .select([
      'c.id',
      'c.member_id',
      'p.name as member_name',
      'c.org_id',
      'o.name as org_name',
      'c.card_no',
      'c.issued_by',
      'c.issued_on',
      'c.expires_on',
      'c.returned_on',
    ]);
}

/** The states of src/domain/platforms/orgs.ts cardState, as SQL conditions on today's date. */
function cardStateSql(state: CardState) {
  const now = today();
  const soon = expiringBy(now);
  switch (state) {
    case 'returned':
      return sql<boolean>`c.returned_on IS NOT NULL`;
    case 'expired':
      return sql<boolean>`c.returned_on IS NULL AND c.expires_on < ${now}::date`;
    case 'expiring':
      return sql<boolean>`c.returned_on IS NULL AND c.expires_on BETWEEN ${now}::date AND ${soon}::date`;
    case 'valid':
      return sql<boolean>`c.returned_on IS NULL AND c.expires_on > ${soon}::date`;
  }
}

export async function cardsFiltered(db: Tx, f: CardFilters) {
  let q = cardList(db);
  if (f.under) q = q.where(await underNode(db, 'c.scope_key', f.under));
  if (f.state) q = q.where(cardStateSql(f.state));
  if (f.orgId) q = q.where('c.org_id', '=', f.orgId);
  if (f.q) q = q.where('p.name', 'like', containing(f.q));
  return q;
}

type CardRow = Awaited<ReturnType<ReturnType<typeof cardList>['execute']>>[number];
export const toCard = (c: CardRow) => {
  const state = cardState({ expiresOn: c.expires_on, returnedOn: c.returned_on }, today());
  return {
    id: c.id,
    memberId: c.member_id,
    memberName: c.member_name,
    orgId: c.org_id,
    orgName: c.org_name,
    cardNo: c.card_no,
    issuedBy: c.issued_by,
    issuedOn: c.issued_on,
    expiresOn: c.expires_on,
    returnedOn: c.returned_on,
    state,
    stateLabel: CARD_STATE_LABEL[state],
  };
};

/** A platform's detail: its partner firms, open and closed stations, the organizations and instructors serving it, its changes. */
export async function platformDetail(db: Tx, scopeKey: string, id: number) {
  const p = await platformList(db, scopeKey).where('p.id', '=', id).executeTakeFirst();
  if (!p) throw notFound('平台企业');
  const partners = await db
    .selectFrom('platform_partner as pp')
    .innerJoin('jurisdiction as c', 'c.code', 'pp.county_code')
    .leftJoin('entity as e', 'e.id', 'pp.entity_id')
    .select(['pp.id', 'pp.name', 'pp.contact_name', 'c.name as county_name', 'e.name as entity_name'])
    .select(
      sql<number>`(SELECT count(*)::int FROM delivery_station s WHERE s.partner_id = pp.id AND s.status = 'open')`.as(
        'stations',
      ),
    )
    .where('pp.platform_id', '=', p.id)
    .orderBy('pp.county_code')
    .orderBy('pp.name')
    .execute();
  const stations = (
    await stationList(db)
      .where('s.platform_id', '=', p.id)
      .orderBy('s.county_code')
      .orderBy('s.name')
      .limit(500)
      .execute()
  ).map(toStation);
  return {
    ...toPlatform(p),
    note: (await loadPlatform(db, p.id)).note,
    partnerList: partners.map((x) => ({
      id: x.id,
      name: x.name,
      contactName: x.contact_name,
      countyName: x.county_name,
      entityName: x.entity_name,
      stations: x.stations,
    })),
    stationList: stations,
    ...(await unitWork(db, 'platform_id', p.id)),
    history: await historyOf(
      db,
      [{ type: 'platform', id: p.id }],
      [
        { type: 'platform_partner', key: 'platform_id', id: p.id },
        { type: 'party_org_unit', key: 'platform_id', id: p.id },
      ],
    ),
  };
}

/** A station's detail: its rider counts over time, its member and activist riders (masked), who serves it, its changes. */
export async function stationDetail(db: Tx, keys: Keys, id: number) {
  const masked = (enc: string | null, mask: (v: string) => string) => (enc ? mask(decryptField(keys, enc)) : null);
  const s = await stationList(db).where('s.id', '=', id).executeTakeFirst();
  if (!s) throw notFound('配送站点');
  const row = await loadStation(db, s.id);
  const counts = await db
    .selectFrom('rider_count')
    .select(['id', 'as_of', 'riders'])
    .where('delivery_station_id', '=', s.id)
    .orderBy('as_of')
    .execute();
  const riders = await db
    .selectFrom('rider_person as r')
    .innerJoin('person as p', 'p.id', 'r.person_id')
    .select([
      'r.id',
      'r.role',
      'r.member_id',
      'r.since',
      'r.left_on',
      'p.name',
      'p.id_enc',
      readablePhone('p').as('phone_enc'),
    ])
    .where('r.delivery_station_id', '=', s.id)
    .orderBy(sql`r.left_on IS NULL`, 'desc')
    .orderBy('p.name')
    .execute();
  return {
    ...toStation(s),
    note: row.note,
    entityId: row.entity_id,
    openedOn: row.opened_on,
    closedOn: row.closed_on,
    placeCode: row.station_code ?? row.county_code,
    counts: counts.map((c) => ({ id: c.id, asOf: c.as_of, riders: c.riders })),
    riderPeople: riders.map((x) => ({
      id: x.id,
      name: x.name,
      role: x.role,
      roleLabel: RIDER_ROLE_LABEL[x.role],
      memberId: x.member_id,
      since: x.since,
      leftOn: x.left_on,
      idNumber: masked(x.id_enc, maskIdNumber),
      phone: masked(x.phone_enc, maskPhone),
    })),
    ...(await unitWork(db, 'delivery_station_id', s.id)),
    coverage: await unitFlags(db, 'delivery_station', s.id),
    history: await historyOf(
      db,
      [{ type: 'delivery_station', id: s.id }],
      [
        { type: 'rider_person', key: 'delivery_station_id', id: s.id },
        { type: 'party_org_unit', key: 'delivery_station_id', id: s.id },
      ],
    ),
  };
}

/** A rider's full ID number and phone (the route audits the reveal). */
export async function riderIdentity(db: Tx, keys: Keys, stationId: number, riderId: number) {
  const s = await loadStation(db, stationId);
  const x = await db
    .selectFrom('rider_person as r')
    .innerJoin('person as p', 'p.id', 'r.person_id')
    .select(['r.id', 'p.id as person_id', 'p.id_enc', readablePhone('p').as('phone_enc')])
    .where('r.id', '=', riderId)
    .where('r.delivery_station_id', '=', s.id)
    .executeTakeFirst();
  if (!x) throw notFound('骑手记录');
  return {
    stationId: s.id,
    riderId: x.id,
    personId: x.person_id,
    idNumber: x.id_enc ? decryptField(keys, x.id_enc) : null,
    phone: x.phone_enc ? decryptField(keys, x.phone_enc) : null,
  };
}

/** Committees that may approve a mobile-member branch: established rider committees at county level or above the caller reads or sits under. */
export async function approvers(db: Tx) {
  const { rows } = await sql<{
    id: number;
    name: string;
    level: string;
    status: 'established';
  }>`SELECT id, name, level, status FROM xgz_rider_committees() ORDER BY scope_key, name`.execute(db);
  return rows
    .filter((c) => !approverProblem({ level: c.level as NodeLevel, status: c.status, isCommittee: true }))
    .map((c) => ({ id: c.id, name: c.name, level: c.level, levelLabel: LEVEL_LABEL[c.level as NodeLevel] }));
}

// ── The sector's figures ───────────────────────────────────────────────────────────────
type Counts = {
  platforms: number;
  partners: number;
  stations: number;
  riders: number;
  member_riders: number;
  activists: number;
  committees: number;
  mobile_branches: number;
  cards_valid: number;
  cards_expiring: number;
  platforms_operating: number;
  platforms_org: number;
  platforms_work: number;
  stations_operating: number;
  stations_org: number;
  stations_work: number;
};

/**
 * The figures of one area (its scope key k), each a scalar subquery. Platforms count where they
 * are registered; their presence (partner firms, stations, riders) where it is. Coverage counts
 * come from the view that carries the domain's definition.
 */
const sectorFigures = (k: RawBuilder<string>) => {
  const t = today();
  const unit = (type: string, flag: string) =>
    sql`(SELECT count(*)::int FROM new_employment_coverage_facts f WHERE f.unit_type = ${type} AND starts_with(f.scope_key, ${k}) AND f.operating${flag ? sql.raw(` AND f.${flag}`) : sql``})`;
  return sql`
    (SELECT count(*)::int FROM platform p WHERE starts_with(p.scope_key, ${k}) AND p.status = 'active') AS platforms,
    (SELECT count(*)::int FROM platform_partner pp WHERE starts_with(pp.scope_key, ${k})) AS partners,
    (SELECT count(*)::int FROM delivery_station s WHERE starts_with(s.scope_key, ${k}) AND s.status = 'open') AS stations,
    (SELECT coalesce(sum((SELECT c.riders FROM rider_count c WHERE c.delivery_station_id = s.id ORDER BY c.as_of DESC LIMIT 1)), 0)::int
       FROM delivery_station s WHERE starts_with(s.scope_key, ${k}) AND s.status = 'open') AS riders,
    (SELECT count(*)::int FROM rider_person r WHERE starts_with(r.scope_key, ${k}) AND r.role = 'member' AND r.left_on IS NULL) AS member_riders,
    (SELECT count(*)::int FROM rider_person r WHERE starts_with(r.scope_key, ${k}) AND r.role = 'activist' AND r.left_on IS NULL) AS activists,
    (SELECT count(*)::int FROM party_org o WHERE starts_with(o.scope_key, ${k}) AND o.sector = 'riders' AND o.kind = 'committee' AND o.setup_mode = 'industry' AND o.status = 'established') AS committees,
    (SELECT count(*)::int FROM party_org o WHERE starts_with(o.scope_key, ${k}) AND o.setup_mode = 'mobile' AND o.status = 'established') AS mobile_branches,
    (SELECT count(*)::int FROM mobile_card c WHERE starts_with(c.scope_key, ${k}) AND c.returned_on IS NULL AND c.expires_on >= ${t}::date) AS cards_valid,
    (SELECT count(*)::int FROM mobile_card c WHERE starts_with(c.scope_key, ${k}) AND c.returned_on IS NULL AND c.expires_on BETWEEN ${t}::date AND ${expiringBy(t)}::date) AS cards_expiring,
    ${unit('platform', '')} AS platforms_operating, ${unit('platform', 'any_org')} AS platforms_org, ${unit('platform', 'work')} AS platforms_work,
    ${unit('delivery_station', '')} AS stations_operating, ${unit('delivery_station', 'any_org')} AS stations_org, ${unit('delivery_station', 'work')} AS stations_work`;
};

/** One area's counts as the API shows them, with the sector's two coverage rates for platforms and stations. */
const present = (c: Counts) => ({
  platforms: c.platforms,
  partners: c.partners,
  stations: c.stations,
  riders: c.riders,
  memberRiders: c.member_riders,
  activists: c.activists,
  committees: c.committees,
  mobileBranches: c.mobile_branches,
  cardsValid: c.cards_valid,
  cardsExpiring: c.cards_expiring,
  platformCoverage: {
    operating: c.platforms_operating,
    anyOrg: c.platforms_org,
    work: c.platforms_work,
    ...unitRates({ operating: c.platforms_operating, anyOrg: c.platforms_org, work: c.platforms_work }),
  },
  stationCoverage: {
    operating: c.stations_operating,
    anyOrg: c.stations_org,
    work: c.stations_work,
    ...unitRates({ operating: c.stations_operating, anyOrg: c.stations_org, work: c.stations_work }),
  },
});

/** The sector's figures under a node: each child's, the coverage by platform, and the riders at the last 12 month ends. */
export async function sectorFiguresUnder(db: Tx, node: Node) {
  const f = await figuresByChild<Counts>(db, node, sectorFigures);
  // Stations under the node by platform: the sector's coverage where each platform is present.
  const byPlatform = await db
    .selectFrom('new_employment_coverage_facts as f')
    .innerJoin('platform as p', 'p.id', 'f.platform_id')
    .select([
      'p.id',
      'p.name',
      sql<number>`count(*)::int`.as('operating'),
      sql<number>`count(*) FILTER (WHERE f.any_org)::int`.as('any_org'),
      sql<number>`count(*) FILTER (WHERE f.work)::int`.as('work'),
    ])
    .where('f.unit_type', '=', 'delivery_station')
    .where('f.operating', '=', true)
    .where(sql<boolean>`starts_with(f.scope_key, ${node.scope_key})`)
    .groupBy(['p.id', 'p.name'])
    .orderBy(sql`count(*)`, 'desc')
    .limit(30)
    .execute();
  return {
    node: f.node,
    total: present(f.total),
    children: f.children.map((c) => ({ code: c.code, name: c.name, level: c.level, ...present(c) })),
    byPlatform: byPlatform.map((p) => ({
      id: p.id,
      name: p.name,
      operating: p.operating,
      anyOrg: p.any_org,
      work: p.work,
      ...unitRates({ operating: p.operating, anyOrg: p.any_org, work: p.work }),
    })),
    riderSeries: await riderSeriesSql(db, node.scope_key, monthEnds(12, today())),
  };
}
