import { sql, type SelectQueryBuilder, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { containing, underNode } from '../../http/paging.js';
import { COVERAGE_FILTERS, newSince, type CoverageFilter } from '../../domain/coverage/coverage.js';

/** Filters of the entity ledger list, shared by the list and its export. */
export const entityFilters = {
  under: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字').optional(),
  kind: z.enum(['enterprise', 'individual', 'cooperative']).optional(),
  status: z.enum(['active', 'deregistered', 'revoked', 'moved_out']).optional(),
  zoneId: z.coerce.number().int().positive().optional(),
  industry: z.string().regex(/^[A-T]$/, '行业门类应为 A–T').optional(),
  isNew: z.enum(['true', 'false']).optional(),
  partyDeclared: z.enum(['true', 'false']).optional(),
  orgDeclared: z.enum(['true', 'false']).optional(),
  coverage: z.enum(Object.keys(COVERAGE_FILTERS) as [CoverageFilter, ...CoverageFilter[]]).optional(),
  q: z.string().trim().max(60).optional(),
  sort: z.enum(['registeredOn', '-registeredOn', 'name', '-name', 'employees', '-employees']).default('-registeredOn'),
};
export type EntityFilters = { [K in keyof typeof entityFilters]?: string | number } & { sort: string };

/** 新设: registered in the last 12 calendar months (see newSince), the priority targets. */
export const isNew = () => sql<boolean>`(e.registered_on >= ${newSince()}::date)`;

/** The entities behind a coverage figure (the figures count operating entities only). */
const onCoverage = (cond: string) => sql<boolean>`EXISTS (SELECT 1 FROM entity_coverage c WHERE c.entity_id = e.id AND c.operating AND ${sql.raw(cond)})`;
const COVERAGE_WHERE: Record<CoverageFilter, ReturnType<typeof onCoverage>> = {
  operating: onCoverage('true'),
  with_members: onCoverage('c.with_members'),
  own_org: onCoverage('c.own_org'),
  any_org: onCoverage('c.any_org'),
  work: onCoverage('c.work'),
  members_no_org: onCoverage('c.with_members AND NOT c.any_org'),
  no_work: onCoverage('NOT c.work'),
};

/** Entities with their latest annual report alongside. */
const withLatestReport = (db: Transaction<DB>) =>
  db
    .selectFrom('entity as e')
    .leftJoinLateral(
      (eb) => eb.selectFrom('annual_report as a').select(['a.year', 'a.party_members', 'a.party_org_form']).whereRef('a.entity_id', '=', 'e.id').orderBy('a.year', 'desc').limit(1).as('latest'),
      (join) => join.onTrue(),
    );
type Q = ReturnType<typeof withLatestReport>;

/** The entity list query with its filters, within the caller's scope (row-level security does the rest). */
export async function entityQuery(db: Transaction<DB>, f: EntityFilters): Promise<Q> {
  let q = withLatestReport(db);
  if (f.under) q = q.where(await underNode(db, 'e.scope_key', String(f.under)));
  if (f.kind) q = q.where('e.kind', '=', f.kind as 'enterprise');
  if (f.status) q = q.where('e.status', '=', f.status as 'active');
  if (f.industry) q = q.where('e.industry_section', '=', String(f.industry));
  if (f.zoneId) q = q.where(sql<boolean>`EXISTS (SELECT 1 FROM entity_zone z WHERE z.entity_id = e.id AND z.zone_id = ${Number(f.zoneId)})`);
  if (f.isNew) q = q.where(f.isNew === 'true' ? isNew() : sql<boolean>`NOT coalesce(${isNew()}, false)`);
  if (f.partyDeclared) q = q.where(sql<boolean>`(coalesce(latest.party_members, 0) > 0) = ${f.partyDeclared === 'true'}`);
  if (f.orgDeclared) q = q.where(sql<boolean>`(coalesce(latest.party_org_form, 0) > 0) = ${f.orgDeclared === 'true'}`);
  if (f.coverage) q = q.where(COVERAGE_WHERE[f.coverage as CoverageFilter]);
  if (f.q) {
    const s = String(f.q);
    q = /^[0-9A-Z]{15,18}$/i.test(s) ? q.where((eb) => eb.or([eb('e.uscc', '=', s.toUpperCase()), eb('e.reg_no', '=', s)])) : q.where('e.name', 'like', containing(s));
  }
  return q;
}

export function orderEntities<T extends SelectQueryBuilder<DB & { e: DB['entity'] }, 'e', object>>(q: T, sort: string): T {
  const desc = sort.startsWith('-');
  const col = { registeredOn: 'e.registered_on', name: 'e.name', employees: 'e.employees' }[sort.replace('-', '')] ?? 'e.registered_on';
  return q.orderBy(sql`${sql.ref(col)} ${sql.raw(desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST')}`).orderBy(sql`e.id`) as T;
}
