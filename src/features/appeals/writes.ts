import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { BodyOf } from '../../http/contract.js';
import type { createServicePost, updateServicePost } from './contract.js';
import type { servicePostById } from './queries.js';

type Tx = Transaction<DB>;
type Place = { code: string; county: string; scope_key: string };
type ServicePostRow = NonNullable<Awaited<ReturnType<typeof servicePostById>>>;

/** A new service post (驿站) at a county or station. */
export const insertServicePost = (db: Tx, place: Place, b: BodyOf<typeof createServicePost>) =>
  db
    .insertInto('service_post')
    .values({
      name: b.name,
      jurisdiction_code: place.code,
      county_code: place.county,
      scope_key: place.scope_key,
      address: b.address,
      opening_hours: b.openingHours,
      offers: b.offers,
      phone: b.phone ?? null,
      longitude: b.longitude ?? null,
      latitude: b.latitude ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

/** A service post with the given fields changed, the rest kept. */
export const changeServicePost = (db: Tx, p: ServicePostRow, b: BodyOf<typeof updateServicePost>) =>
  db
    .updateTable('service_post')
    .set({
      name: b.name ?? p.name,
      address: b.address ?? p.address,
      opening_hours: b.openingHours ?? p.opening_hours,
      offers: b.offers ?? p.offers,
      phone: b.phone ?? p.phone,
      longitude: b.longitude ?? p.longitude,
      latitude: b.latitude ?? p.latitude,
      active: b.active ?? p.active,
      updated_at: new Date(),
    })
    .where('id', '=', p.id)
    .execute();

/** A visit plan of the caller's node. */
export const insertVisitPlan = (
  db: Tx,
  me: { id: number; jurisdictionCode: string; scopeKey: string },
  v: { title: string; visitorName: string; startsOn: string; endsOn: string; entityIds: number[] },
) =>
  db
    .insertInto('visit_plan')
    .values({
      title: v.title,
      jurisdiction_code: me.jurisdictionCode,
      scope_key: me.scopeKey,
      visitor_name: v.visitorName,
      visitor_id: me.id,
      starts_on: v.startsOn,
      ends_on: v.endsOn,
      entity_ids: v.entityIds,
      created_by: me.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

export const markVisitPlanCancelled = (db: Tx, id: number, reason: string, at: Date) =>
  db.updateTable('visit_plan').set({ cancelled_at: at, cancel_reason: reason }).where('id', '=', id).execute();

/** A visit record, at the visited entity's place. */
export const insertVisit = (
  db: Tx,
  entity: { id: number; county_code: string; scope_key: string },
  v: { planId: number | null; visitedOn: string; visitorName: string; learned: string; by: number },
) =>
  db
    .insertInto('visit_record')
    .values({
      plan_id: v.planId,
      entity_id: entity.id,
      county_code: entity.county_code,
      scope_key: entity.scope_key,
      visited_on: v.visitedOn,
      visitor_name: v.visitorName,
      learned: v.learned,
      created_by: v.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
