import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';

/**
 * Small hand-made ledgers written straight to the database (as the system), for tests whose
 * subject is what comes after the import: coverage, organizations, proposals.
 */
let seq = 0;

export function ledger(db: Kysely<DB>) {
  const placeOf = (code: string) =>
    code.length === 9
      ? { county_code: code.slice(0, 6), station_code: code, scope_key: code }
      : { county_code: code, station_code: null, scope_key: code };

  return {
    placeOf,
    async station(code: string, name = `第${code.slice(-3)}所`) {
      await db
        .insertInto('jurisdiction')
        .values({ code, parent_code: code.slice(0, 6), level: 'station', name, scope_key: code })
        .onConflict((c) => c.doNothing())
        .execute();
    },
    async zone(kind: 'building' | 'market' | 'park' | 'district', name: string, county: string) {
      return (
        await db
          .insertInto('zone')
          .values({ kind, name, county_code: county, scope_key: county })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async entity(o: {
      place: string;
      name?: string;
      kind?: 'enterprise' | 'individual' | 'cooperative';
      active?: boolean;
      registeredOn?: string;
      industry?: string;
      zoneId?: number;
    }) {
      const n = ++seq;
      const e = await db
        .insertInto('entity')
        .values({
          kind: o.kind ?? 'enterprise',
          reg_no: String(310000000000000 + n),
          name: o.name ?? `主体${n}`,
          status: o.active === false ? 'deregistered' : 'active',
          registered_on: o.registeredOn ?? '2020-05-01',
          industry_section: o.industry ?? 'F',
          ...placeOf(o.place),
        })
        .returning(['id', 'scope_key'])
        .executeTakeFirstOrThrow();
      if (o.zoneId)
        await db
          .insertInto('entity_zone')
          .values({ entity_id: e.id, zone_id: o.zoneId, scope_key: e.scope_key })
          .execute();
      return e.id;
    },
    /** The entity's annual report for a year, with its party fields. */
    async report(
      entityId: number,
      year: number,
      o: { members?: number; orgForm?: number; orgWay?: number; setOn?: string } = {},
    ) {
      const e = await db.selectFrom('entity').select('scope_key').where('id', '=', entityId).executeTakeFirstOrThrow();
      await db
        .insertInto('annual_report')
        .values({
          entity_id: entityId,
          year,
          scope_key: e.scope_key,
          filing_status: 'filed',
          filed_on: null,
          employees: 10,
          party_members: o.members ?? null,
          party_org_form: o.orgForm ?? null,
          party_org_way: o.orgWay ?? null,
          party_org_set_on: o.setOn ?? null,
          rep_is_member: null,
          rep_is_secretary: null,
        })
        .execute();
    },
    /** A person in a role of the entity. */
    async role(entityId: number, role: 'liaison' | 'employee' | 'legal_rep' = 'employee', name = `人${++seq}`) {
      const p = await db.insertInto('person').values({ name }).returning('id').executeTakeFirstOrThrow();
      const e = await db.selectFrom('entity').select('scope_key').where('id', '=', entityId).executeTakeFirstOrThrow();
      return db
        .insertInto('entity_person')
        .values({ entity_id: entityId, person_id: p.id, role, scope_key: e.scope_key })
        .returning(['id', 'person_id', 'scope_key'])
        .executeTakeFirstOrThrow();
    },
    /** An instructor (党建工作指导员) based at a station or county. */
    async instructor(place: string, name = `指导员${++seq}`) {
      const p = await db.insertInto('person').values({ name }).returning('id').executeTakeFirstOrThrow();
      return (
        await db
          .insertInto('instructor')
          .values({ person_id: p.id, source: 'station', ...placeOf(place) })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    /** Roster members found in the entity (linked as discovery would link them), named as given or made up. */
    async members(entityId: number, full: number, probationary = 0, names: string[] = []) {
      const ids: number[] = [];
      for (let i = 0; i < full + probationary; i++) {
        const r = await this.role(entityId, 'employee', names[i]);
        const m = await db
          .insertInto('member')
          .values({
            person_id: r.person_id,
            membership: i < full ? 'full' : 'probationary',
            join_date: '2015-07-01',
            scope_key: r.scope_key,
            confidence: 'confirmed',
            sources: ['roster'],
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await db
          .insertInto('member_link')
          .values({
            member_id: m.id,
            entity_person_id: r.id,
            entity_id: entityId,
            method: 'exact',
            score: 99,
            levels: null,
            scope_key: r.scope_key,
          })
          .execute();
        ids.push(m.id);
      }
      return ids;
    },
  };
}

/** The codes of the stations whose code starts with `prefix` (a city's 4 digits, a county's 6). */
export const stationCodesUnder = (db: Kysely<DB>, prefix: string) =>
  db
    .selectFrom('jurisdiction')
    .select('code')
    .where('level', '=', 'station')
    .where('code', 'like', `${prefix}%`)
    .execute();
