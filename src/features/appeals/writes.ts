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
  db.insertInto('service_post').values({
    name: b.name, jurisdiction_code: place.code, county_code: place.county, scope_key: place.scope_key, address: b.address, opening_hours: b.openingHours, offers: b.offers,
    phone: b.phone ?? null, longitude: b.longitude ?? null, latitude: b.latitude ?? null,
  }).returning('id').executeTakeFirstOrThrow();

/** A service post with the given fields changed, the rest kept. */
export const changeServicePost = (db: Tx, p: ServicePostRow, b: BodyOf<typeof updateServicePost>) =>
  db.updateTable('service_post').set({
    name: b.name ?? p.name, address: b.address ?? p.address, opening_hours: b.openingHours ?? p.opening_hours, offers: b.offers ?? p.offers, phone: b.phone ?? p.phone,
    longitude: b.longitude ?? p.longitude, latitude: b.latitude ?? p.latitude, active: b.active ?? p.active, updated_at: new Date(),
  }).where('id', '=', p.id).execute();
