import { readablePhone } from '../persons/index.js';
import { sql, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { z } from 'zod';
import { entityFilters } from './contract.js';
import type { DB } from '../../db/schema.js';
import type { Keys } from '../../crypto/keys.js';
import { decryptField } from '../../crypto/field.js';
import { birthBesideMaskedId, maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import { SECTIONS } from '../../domain/ledger/industry.js';
import { ENTITY_KIND_LABEL, ENTITY_ROLE_LABEL, ENTITY_STATUS_LABEL, historyValue } from '../../domain/ledger/labels.js';
import { ORG_KIND_LABEL, ORG_STATUS_LABEL, SETUP_MODE_LABEL } from '../../domain/orgs/rules.js';
import { notFound } from '../../http/errors.js';
import { containing, offsetOf, underNode } from '../../http/paging.js';
import { newSince, type CoverageFilter } from '../../domain/coverage/coverage.js';
import { SANLIANG_KIND_LABEL, RECORD_STATUS_LABEL } from '../../domain/sanliang/plaque.js';
import { HONOUR_STATE_LABEL, AWARD_LEVEL_LABEL } from '../../domain/recognition/honours.js';
import { POINT_KIND_LABEL, POINT_LEVEL_LABEL } from '../../domain/recognition/points.js';
import { REACH_VIA } from './records.js';
import { exportReadRows, exportable, refuseLongExport } from '../../http/export-route.js';

/** Filters of the entity ledger list, shared by the list and its export (the contract holds their schemas). */
export { entityFilters };
export type EntityFilters = z.output<z.ZodObject<typeof entityFilters>> & { sort: string };

/** 新设: registered in the last 12 calendar months (see newSince), the priority targets. */
export const isNew = () => sql<boolean>`(e.registered_on >= ${newSince()}::date)`;

/** The entities behind a coverage figure (the figures count operating entities only). */
const onCoverage = (cond: string) =>
  sql<boolean>`EXISTS (SELECT 1 FROM entity_coverage c WHERE c.entity_id = e.id AND c.operating AND ${sql.raw(cond)})`;
const COVERAGE_WHERE: Record<CoverageFilter, ReturnType<typeof onCoverage>> = {
  operating: onCoverage('true'),
  with_members: onCoverage('c.with_members'),
  own_org: onCoverage('c.own_org'),
  any_org: onCoverage('c.any_org'),
  work: onCoverage('c.work'),
  members_no_org: onCoverage('c.with_members AND NOT c.any_org'),
  no_work: onCoverage('NOT c.work'),
};

const entities = (db: Transaction<DB>) => db.selectFrom('entity as e');
type Q = ReturnType<typeof entities>;

/** Entities with their latest annual report alongside (joined only where its columns are shown or counted: a lookup a row). */
const withLatestReport = (q: Q) =>
  q.leftJoinLateral(
    (eb) =>
      eb
        .selectFrom('annual_report as a')
        .select(['a.year', 'a.party_members', 'a.party_org_form'])
        .whereRef('a.entity_id', '=', 'e.id')
        .orderBy('a.year', 'desc')
        .limit(1)
        .as('latest'),
    (join) => join.onTrue(),
  );

/** Whether the entity's latest annual report declares a non-zero value in a column (a filter: the page's count and ids need no other column of the report). */
const latestDeclares = (column: 'party_members' | 'party_org_form', declared: boolean) =>
  sql<boolean>`(coalesce((SELECT a.${sql.ref(column)} FROM annual_report a WHERE a.entity_id = e.id ORDER BY a.year DESC LIMIT 1), 0) > 0) = ${declared}`;

/** The entity list query with its filters, within the caller's scope (row-level security does the rest). */
export async function entityQuery(db: Transaction<DB>, f: EntityFilters): Promise<Q> {
  let q = entities(db);
  if (f.under) q = q.where(await underNode(db, 'e.scope_key', String(f.under)));
  if (f.kind) q = q.where('e.kind', '=', f.kind);
  if (f.status) q = q.where('e.status', '=', f.status);
  if (f.industry) q = q.where('e.industry_section', '=', String(f.industry));
  if (f.zoneId)
    q = q.where(
      sql<boolean>`EXISTS (SELECT 1 FROM entity_zone z WHERE z.entity_id = e.id AND z.zone_id = ${Number(f.zoneId)})`,
    );
  if (f.isNew) q = q.where(f.isNew === 'true' ? isNew() : sql<boolean>`NOT coalesce(${isNew()}, false)`);
  if (f.partyDeclared) q = q.where(latestDeclares('party_members', f.partyDeclared === 'true'));
  if (f.orgDeclared) q = q.where(latestDeclares('party_org_form', f.orgDeclared === 'true'));
  if (f.coverage) q = q.where(COVERAGE_WHERE[f.coverage]);
  if (f.q) {
    const s = String(f.q);
    q = /^[0-9A-Z]{15,18}$/i.test(s)
      ? q.where((eb) => eb.or([eb('e.uscc', '=', s.toUpperCase()), eb('e.reg_no', '=', s)]))
      : q.where('e.name', 'like', containing(s));
  }
  return q;
}

export function orderEntities<T extends SelectQueryBuilder<DB & { e: DB['entity'] }, 'e', object>>(
  q: T,
  sort: string,
): T {
  const desc = sort.startsWith('-');
  const col =
    { registeredOn: 'e.registered_on', name: 'e.name', employees: 'e.employees' }[sort.replace('-', '')] ??
    'e.registered_on';
  return q
    .orderBy(sql`${sql.ref(col)} ${sql.raw(desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST')}`)
    .orderBy(sql`e.id`) as T;
}

/** Selects what a list row shows; used by the list and the export. */
export function listSelect(q: Q) {
  return withLatestReport(q)
    .leftJoinLateral(
      // One lookup for the legal representative's name and (for the export) his sealed ID number: two
      // were a fifth of a province's export.
      (eb) =>
        eb
          .selectFrom('entity_person as ep')
          .innerJoin('person as p', 'p.id', 'ep.person_id')
          .select(['p.name', 'p.id_enc'])
          .whereRef('ep.entity_id', '=', 'e.id')
          .where('ep.role', '=', 'legal_rep')
          .limit(1)
          .as('rep'),
      (join) => join.onTrue(),
    )
    .innerJoin('jurisdiction as c', 'c.code', 'e.county_code')
    .leftJoin('jurisdiction as s', 's.code', 'e.station_code')
    .selectAll('e')
    .select([
      'c.name as county_name',
      's.name as station_name',
      'latest.year as report_year',
      'latest.party_members',
      'latest.party_org_form',
    ])
    .select(sql<boolean>`coalesce(${isNew()}, false)`.as('is_new'))
    .select('rep.name as legal_rep');
}
type ListRow = Awaited<ReturnType<ReturnType<typeof listSelect>['execute']>>[number];

export const toItem = (e: ListRow) => ({
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
  latestReport:
    e.report_year === null
      ? null
      : { year: e.report_year, partyMembers: e.party_members, partyOrgForm: e.party_org_form },
});

/**
 * One page of the entity list. The count and the page's ids read the entity rows alone (the
 * latest report joined to every row in scope made them 20× slower); the columns a row shows (names,
 * the legal representative, the latest report) are looked up for that page only.
 */
export async function entityPage(db: Transaction<DB>, f: EntityFilters & { page: number; pageSize: number }) {
  const base = await entityQuery(db, f);
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  // Page the ids first: the columns a row shows (names, legal representative) are looked up for that page only.
  const page = await orderEntities(base.select('e.id'), f.sort).limit(f.pageSize).offset(offsetOf(f)).execute();
  const ids = page.map((p) => p.id);
  const rows = ids.length
    ? await listSelect((await entityQuery(db, { sort: f.sort })).where('e.id', 'in', ids)).execute()
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return { items: ids.map((id) => toItem(byId.get(id)!)), total, page: f.page, pageSize: f.pageSize };
}

/** The export's rows: the list's columns and the legal representative's encrypted ID number (masked or revealed by the caller). */
export async function entityExportRows(db: Transaction<DB>, f: EntityFilters) {
  const list = await entityQuery(db, f);
  await refuseLongExport(list.select('e.id'));
  const rows = await orderEntities(listSelect(list), f.sort)
    .select('rep.id_enc as rep_id_enc')
    .limit(exportReadRows())
    .execute();
  return exportable(rows);
}

/** 底数概览 of the caller's subtree (or a node of it). */
export async function entitySummaryOf(db: Transaction<DB>, under: string | undefined) {
  const base = withLatestReport(await entityQuery(db, { under: under, sort: 'name' }));
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
  return {
    total: sum('total'),
    active: sum('active'),
    isNew: sum('is_new'),
    partyDeclared: sum('party'),
    orgDeclared: sum('org'),
    byKind: Object.fromEntries(rows.map((r) => [r.kind, r.total])),
  };
}

/** The entity page: identity, people (masked), zones, organizations, members found, annual reports and history; asOf: the registration record of that day. */
export async function entityDetail(db: Transaction<DB>, keys: Keys, id: number, asOf: string | undefined) {
  const e = await db
    .selectFrom('entity as e')
    .innerJoin('jurisdiction as c', 'c.code', 'e.county_code')
    .leftJoin('jurisdiction as s', 's.code', 'e.station_code')
    .selectAll('e')
    .select(['c.name as county_name', 's.name as station_name'])
    .select(sql<boolean>`coalesce(${isNew()}, false)`.as('is_new'))
    .where('e.id', '=', id)
    .executeTakeFirst();
  if (!e) throw notFound('市场主体');
  let asOfRecord: Record<string, unknown> | null = null;
  if (asOf) {
    const h = await db
      .selectFrom('ledger_history')
      .select('after')
      .where('object_type', '=', 'entity')
      .where('object_id', '=', e.id)
      .where('at', '<', sql<Date>`(${asOf}::date + 1)::timestamptz`)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!h?.after) throw notFound(`${asOf} 时该主体的登记记录`);
    asOfRecord = h.after as Record<string, unknown>;
  }
  const people = await db
    .selectFrom('entity_person as ep')
    .innerJoin('person as p', 'p.id', 'ep.person_id')
    .select(['ep.id', 'ep.role', 'p.name', 'p.id_enc', 'p.birth_date', 'p.sex', 'ep.created_at'])
    .select(readablePhone('p').as('phone_enc'))
    .where('ep.entity_id', '=', e.id)
    .orderBy('ep.role')
    .orderBy('ep.id')
    .execute();
  const zones = await db
    .selectFrom('entity_zone as ez')
    .innerJoin('zone as z', 'z.id', 'ez.zone_id')
    .select(['z.id', 'z.kind', 'z.name'])
    .where('ez.entity_id', '=', e.id)
    .execute();
  const reports = await db
    .selectFrom('annual_report')
    .selectAll()
    .where('entity_id', '=', e.id)
    .orderBy('year', 'desc')
    .execute();
  const members = await db
    .selectFrom('member_link as l')
    .innerJoin('member as m', 'm.id', 'l.member_id')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .select(['m.id', 'p.name', 'm.membership', 'm.confidence', 'l.method', 'l.score'])
    .where('l.entity_id', '=', e.id)
    .orderBy('p.name')
    .execute();
  const orgs = await db
    .selectFrom('party_org_entity as pe')
    .innerJoin('party_org as o', 'o.id', 'pe.org_id')
    .select(['o.id', 'o.body', 'o.name', 'o.kind', 'o.setup_mode', 'o.status'])
    .where('pe.entity_id', '=', e.id)
    .orderBy('o.id')
    .execute();
  const coverage = await db
    .selectFrom('entity_coverage')
    .select(['operating', 'with_members', 'own_org', 'any_org', 'work'])
    .where('entity_id', '=', e.id)
    .executeTakeFirst();
  const history = await db
    .selectFrom('ledger_history as h')
    .leftJoin('app_user as u', 'u.id', 'h.actor_id')
    .select(['h.id', 'h.object_type', 'h.op', 'h.at', 'h.before', 'h.after', 'u.display_name'])
    .where('h.entity_id', '=', e.id)
    .orderBy('h.id', 'desc')
    .limit(200)
    .execute();
  return {
    id: e.id,
    kind: e.kind,
    kindLabel: ENTITY_KIND_LABEL[e.kind],
    uscc: e.uscc,
    regNo: e.reg_no,
    name: e.name,
    status: e.status,
    statusLabel: ENTITY_STATUS_LABEL[e.status],
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
    asOf: asOfRecord,
    people: people.map((p) => ({
      roleId: p.id,
      role: p.role,
      roleLabel: ENTITY_ROLE_LABEL[p.role],
      name: p.name,
      idNumber: p.id_enc ? maskIdNumber(decryptField(keys, p.id_enc)) : null,
      phone: p.phone_enc ? maskPhone(decryptField(keys, p.phone_enc)) : null,
      birthDate: birthBesideMaskedId(p.id_enc, p.birth_date),
      sex: p.sex,
    })),
    zones,
    orgs: orgs.map((o) => ({
      id: o.id,
      body: o.body,
      name: o.name,
      kindLabel: ORG_KIND_LABEL[o.kind],
      setupModeLabel: SETUP_MODE_LABEL[o.setup_mode],
      status: o.status,
      statusLabel: ORG_STATUS_LABEL[o.status],
    })),
    coverage: coverage
      ? { withMembers: coverage.with_members, ownOrg: coverage.own_org, anyOrg: coverage.any_org, work: coverage.work }
      : null,
    members: members.map((m) => ({
      memberId: m.id,
      name: m.name,
      membership: m.membership,
      confidence: m.confidence,
      method: m.method,
      score: m.score,
    })),
    annualReports: reports.map((a) => ({
      year: a.year,
      filingStatus: a.filing_status,
      filedOn: a.filed_on,
      employees: a.employees,
      partyMembers: a.party_members,
      partyOrgForm: a.party_org_form,
      partyOrgWay: a.party_org_way,
      partyOrgSetOn: a.party_org_set_on,
      repIsMember: a.rep_is_member,
      repIsSecretary: a.rep_is_secretary,
    })),
    timeline: history.map((h) => ({
      id: h.id,
      objectType: h.object_type,
      op: h.op,
      at: h.at,
      actor: h.display_name ?? '系统/导入',
      changes: diff(h.before, h.after),
    })),
  };
}

const HIDDEN = new Set(['id', 'scope_key', 'entity_id']);
/** The fields a history record changed, old and new value each (codes through their Chinese labels). */
function diff(before: unknown, after: unknown): { field: string; from: unknown; to: unknown }[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => !HIDDEN.has(k) && JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => ({ field: k, from: historyValue(k, b[k] ?? null), to: historyValue(k, a[k] ?? null) }));
}

/**
 * The party-building work that reaches one entity, for its page: the instructors whose
 * assignments reach it, its 三亮 records, honours, contact/demonstration points and the serious
 * violations staff recorded. Each ledger keeps its own page; this only gathers what names the entity.
 */
export async function entityWork(db: Transaction<DB>, id: number) {
  const e = await db.selectFrom('entity').select('id').where('id', '=', id).executeTakeFirst();
  if (!e) throw notFound('市场主体');
  const instructors = await db
    .selectFrom('instructor_reach as r')
    .innerJoin('instructor_assignment as a', 'a.id', 'r.assignment_id')
    .innerJoin('instructor as i', 'i.id', 'a.instructor_id')
    .innerJoin('person as p', 'p.id', 'i.person_id')
    .select(['i.id', 'p.name', 'a.target', 'a.start_on'])
    .where('r.entity_id', '=', e.id)
    .orderBy('a.start_on')
    .execute();
  const sanliang = await db
    .selectFrom('sanliang as s')
    .innerJoin('member as m', 'm.id', 's.member_id')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .select(['s.id', 's.kind', 's.status', 's.shown_on', 'p.name'])
    .select(
      sql<
        string | null
      >`(SELECT pl.number FROM sanliang_plaque pl WHERE pl.record_id = s.id AND pl.state = 'valid')`.as('plaque'),
    )
    .where('s.entity_id', '=', e.id)
    .orderBy('s.shown_on', 'desc')
    .execute();
  const honours = await db
    .selectFrom('honour as h')
    .leftJoin('dictionary as d', (j) => j.on('d.kind', '=', 'honor_kind').onRef('d.code', '=', 'h.kind'))
    .select(['h.id', 'h.kind', 'd.label', 'h.state', 'h.level', 'h.year', 'h.flagged_at', 'h.flag_reason'])
    .where('h.entity_id', '=', e.id)
    .orderBy('h.id', 'desc')
    .execute();
  const points = await db
    .selectFrom('recognition_point as p')
    .select(['p.id', 'p.kind', 'p.level', 'p.status', 'p.designated_on'])
    .where('p.entity_id', '=', e.id)
    .orderBy('p.designated_on', 'desc')
    .execute();
  const violations = await db
    .selectFrom('entity_violation')
    .select(['id', 'occurred_on', 'description'])
    .where('entity_id', '=', e.id)
    .orderBy('occurred_on', 'desc')
    .execute();
  return {
    instructors: instructors.map((i) => ({
      id: i.id,
      title: i.name,
      detail: `${REACH_VIA[i.target] ?? ''}，自 ${i.start_on}`,
      state: '在指派',
      attention: false,
    })),
    sanliang: sanliang.map((s) => ({
      id: s.id,
      title: `${SANLIANG_KIND_LABEL[s.kind]} · ${s.name}`,
      detail: s.plaque ? `牌匾 ${s.plaque}` : '未发牌',
      state: RECORD_STATUS_LABEL[s.status],
      attention: false,
    })),
    honours: honours.map((h) => ({
      id: h.id,
      title: h.label ?? h.kind,
      detail: [
        h.level ? AWARD_LEVEL_LABEL[h.level] : '',
        h.year ? `${h.year} 年` : '',
        h.flagged_at ? `待复核：${h.flag_reason ?? ''}` : '',
      ]
        .filter(Boolean)
        .join(' · '),
      state: HONOUR_STATE_LABEL[h.state],
      attention: !!h.flagged_at,
    })),
    points: points.map((p) => ({
      id: p.id,
      title: `${POINT_LEVEL_LABEL[p.level]}${POINT_KIND_LABEL[p.kind]}`,
      detail: `${p.designated_on} 确定`,
      state: p.status === 'active' ? '有效' : '已撤销',
      attention: false,
    })),
    violations: violations.map((v) => ({
      id: v.id,
      title: v.description,
      detail: v.occurred_on,
      state: '严重违法',
      attention: true,
    })),
  };
}
