import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { instructorFilters } from './contract.js';
import type { DB } from '../../db/schema.js';
import type { Keys } from '../../crypto/keys.js';
import { decryptField } from '../../crypto/field.js';
import { maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import {
  GUIDANCE_KIND_LABEL,
  INSTRUCTOR_STATUS_LABEL,
  SOURCE_LABEL,
  TARGET_LABEL,
  type AssignmentTarget,
  type GuidanceKind,
} from '../../domain/instructors/instructors.js';
import { notFound } from '../../http/errors.js';
import { containing, pageFrom, underNode } from '../../http/paging.js';
import { readablePhone } from '../persons/index.js';
import { attachmentsOf } from '../attachments/index.js';
import { exportReadRows, exportable } from '../../http/export-route.js';

type Tx = Transaction<DB>;

type Filters = z.output<z.ZodObject<typeof instructorFilters>>;

/** The roster with each instructor's assignments in force, the entities reached and the latest guidance. */
function instructorList(db: Tx) {
  return db
    .selectFrom('instructor as i')
    .innerJoin('person as p', 'p.id', 'i.person_id')
    .innerJoin('jurisdiction as c', 'c.code', 'i.county_code')
    .leftJoin('jurisdiction as s', 's.code', 'i.station_code')
    .select([
      'i.id',
      'p.name',
      'p.id_enc',
      readablePhone('p').as('phone_enc'),
      'i.source',
      'c.name as county_name',
      'i.station_code',
      's.name as station_name',
      'i.workplace',
      'i.status',
    ])
    .select(
      sql<number>`(SELECT count(*)::int FROM instructor_assignment a WHERE a.instructor_id = i.id AND a.end_on IS NULL)`.as(
        'assignments',
      ),
    )
    .select(
      sql<number>`(SELECT count(DISTINCT r.entity_id)::int FROM instructor_reach r JOIN instructor_assignment a ON a.id = r.assignment_id WHERE a.instructor_id = i.id)`.as(
        'reached',
      ),
    )
    .select(
      sql<string | null>`(SELECT max(g.on_date)::text FROM guidance_record g WHERE g.instructor_id = i.id)`.as(
        'last_guidance',
      ),
    );
}

async function filtered(db: Tx, f: Filters) {
  let q = instructorList(db);
  if (f.under) q = q.where(await underNode(db, 'i.scope_key', f.under));
  if (f.source) q = q.where('i.source', '=', f.source);
  if (f.status) q = q.where('i.status', '=', f.status);
  if (f.assigned)
    q = q.where(
      sql<boolean>`EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.instructor_id = i.id AND a.end_on IS NULL) = ${f.assigned === 'yes'}`,
    );
  if (f.q) q = q.where('p.name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof filtered>>['execute']>>[number];

/** A roster row as the list shows it: the ID number and phone decrypted only to be masked. */
const toItem = (keys: Keys) => {
  const masked = (enc: string | null, mask: (v: string) => string) => (enc ? mask(decryptField(keys, enc)) : null);
  return (i: Row) => ({
    id: i.id,
    name: i.name,
    idNumber: masked(i.id_enc, maskIdNumber),
    phone: masked(i.phone_enc, maskPhone),
    source: i.source,
    sourceLabel: SOURCE_LABEL[i.source],
    countyName: i.county_name,
    stationCode: i.station_code,
    stationName: i.station_name,
    workplace: i.workplace,
    status: i.status,
    statusLabel: INSTRUCTOR_STATUS_LABEL[i.status],
    assignments: i.assignments,
    reached: i.reached,
    lastGuidance: i.last_guidance,
  });
};

/** An instructor's row, or 404. */
export async function loadInstructor(db: Tx, id: number) {
  const row = await db.selectFrom('instructor').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('指导员');
  return row;
}

/** Assignments with the name of what they point at and how many entities they reach now. */
function assignmentRows(db: Tx) {
  return db
    .selectFrom('instructor_assignment as a')
    .leftJoin('entity as e', 'e.id', 'a.entity_id')
    .leftJoin('zone as z', 'z.id', 'a.zone_id')
    .leftJoin('party_org as o', 'o.id', 'a.org_id')
    .leftJoin('platform as pf', 'pf.id', 'a.platform_id')
    .leftJoin('delivery_station as ds', 'ds.id', 'a.delivery_station_id')
    .select([
      'a.id',
      'a.instructor_id',
      'a.target',
      'a.entity_id',
      'a.zone_id',
      'a.org_id',
      'a.platform_id',
      'a.delivery_station_id',
      'a.start_on',
      'a.end_on',
      'a.end_reason',
      sql<string>`coalesce(e.name, z.name, o.name, pf.name, ds.name)`.as('target_name'),
    ])
    .select(
      sql<number>`(SELECT count(DISTINCT r.entity_id)::int FROM instructor_reach r WHERE r.assignment_id = a.id)`.as(
        'reached',
      ),
    );
}

/** What an assignment points at, looked up in the caller's scope, with the scope key the assignment takes. */
export async function targetOf(db: Tx, target: AssignmentTarget, id: number) {
  const table = {
    entity: 'entity',
    zone: 'zone',
    org: 'party_org',
    platform: 'platform',
    delivery_station: 'delivery_station',
  } as const;
  const row = await db
    .selectFrom(table[target])
    .select(['id', 'name', 'scope_key'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound(TARGET_LABEL[target]);
  return row;
}

/** A page of the roster. */
export async function instructorPage(db: Tx, keys: Keys, f: Filters & { page: number; pageSize: number }) {
  const q = await filtered(db, f);
  return pageFrom(q, f, (q) => q.orderBy('i.county_code').orderBy('p.name').orderBy('i.id'), toItem(keys));
}

/** The roster's export: the instructors listed and, for a second sheet, their assignments (who covers what, since when, until when). */
export async function instructorExportRows(db: Tx, keys: Keys, f: Filters) {
  const rows = await (
    await filtered(db, f)
  )
    .orderBy('i.county_code')
    .orderBy('p.name')
    .limit(exportReadRows())
    .execute()
    .then(exportable);
  const ids = rows.map((i) => i.id);
  const assignments = ids.length
    ? await assignmentRows(db)
        .where('a.instructor_id', 'in', ids)
        .orderBy('a.instructor_id')
        .orderBy('a.start_on')
        .execute()
    : [];
  return { rows: rows.map(toItem(keys)), assignments };
}

/** An instructor's page: the roster row, assignments (in force first), latest guidance and history. */
export async function instructorDetail(db: Tx, keys: Keys, id: number) {
  const row = await loadInstructor(db, id);
  const [item] = (await instructorList(db).where('i.id', '=', row.id).execute()).map(toItem(keys));
  const assignments = await assignmentRows(db)
    .where('a.instructor_id', '=', row.id)
    .orderBy(sql`a.end_on IS NULL`, 'desc')
    .orderBy('a.start_on', 'desc')
    .execute();
  const guidance = await db
    .selectFrom('guidance_record as g')
    .leftJoin('entity as e', 'e.id', 'g.entity_id')
    .leftJoin('party_org as o', 'o.id', 'g.org_id')
    .select([
      'g.id',
      'g.on_date',
      'g.kind',
      'g.content',
      'g.follow_up',
      'g.follow_up_done',
      'e.name as entity_name',
      'o.name as org_name',
    ])
    .where('g.instructor_id', '=', row.id)
    .orderBy('g.on_date', 'desc')
    .limit(50)
    .execute();
  const history = await db
    .selectFrom('ledger_history as h')
    .leftJoin('app_user as u', 'u.id', 'h.actor_id')
    .select(['h.at', 'h.object_type', 'h.op', 'h.before', 'h.after', 'u.display_name as actor'])
    .where(
      sql<boolean>`(h.object_type = 'instructor' AND h.object_id = ${row.id})
      OR (h.object_type = 'instructor_assignment' AND coalesce(h.after->>'instructor_id', h.before->>'instructor_id') = ${String(row.id)})`,
    )
    .orderBy('h.at', 'desc')
    .limit(100)
    .execute();
  return {
    ...item,
    note: row.note,
    placeCode: row.station_code ?? row.county_code,
    // The list beside the count of those in force (`assignments`).
    assignmentList: assignments.map((a) => ({
      id: a.id,
      target: a.target,
      targetLabel: TARGET_LABEL[a.target],
      targetId: (a.entity_id ?? a.zone_id ?? a.org_id ?? a.platform_id ?? a.delivery_station_id)!,
      targetName: a.target_name,
      startOn: a.start_on,
      endOn: a.end_on,
      endReason: a.end_reason,
      reached: a.reached,
    })),
    guidance: guidance.map((g) => ({
      id: g.id,
      onDate: g.on_date,
      kind: g.kind,
      content: g.content,
      followUp: g.follow_up,
      followUpDone: g.follow_up_done,
      entityName: g.entity_name,
      orgName: g.org_name,
    })),
    history: history.map((h) => ({
      ...h,
      before: h.before as Record<string, unknown> | null,
      after: h.after as Record<string, unknown> | null,
      actor: h.actor ?? '系统',
    })),
  };
}

/** An instructor's person: the encrypted ID number and phone a reveal decrypts. */
export const instructorPerson = (db: Tx, personId: number) =>
  db
    .selectFrom('person')
    .select(['id', 'id_enc', readablePhone('person').as('phone_enc')])
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();

type GuidanceFilters = {
  under?: string;
  instructorId?: number;
  entityId?: number;
  kind?: string;
  from?: string;
  to?: string;
  followUp?: string;
  q?: string;
};

/** Guidance records with their instructor, entity or organization and who entered them. */
async function filteredGuidance(db: Tx, f: GuidanceFilters) {
  let q = db
    .selectFrom('guidance_record as g')
    .innerJoin('instructor as i', 'i.id', 'g.instructor_id')
    .innerJoin('person as p', 'p.id', 'i.person_id')
    .leftJoin('entity as e', 'e.id', 'g.entity_id')
    .leftJoin('party_org as o', 'o.id', 'g.org_id')
    .leftJoin('app_user as u', 'u.id', 'g.created_by')
    .select([
      'g.id',
      'g.instructor_id',
      'p.name as instructor_name',
      'g.on_date',
      'g.kind',
      'g.entity_id',
      // the current name while in reach, else the one the record was made for (0200: an instructor whose assignment ended)
      sql<string | null>`CASE WHEN g.entity_id IS NOT NULL THEN coalesce(e.name, g.target_name) END`.as('entity_name'),
      'g.org_id',
      sql<string | null>`CASE WHEN g.org_id IS NOT NULL THEN coalesce(o.name, g.target_name) END`.as('org_name'),
      'g.content',
      'g.follow_up',
      'g.follow_up_done',
      'u.display_name as created_by',
    ]);
  if (f.under) q = q.where(await underNode(db, 'g.scope_key', f.under));
  if (f.instructorId) q = q.where('g.instructor_id', '=', f.instructorId);
  if (f.entityId) q = q.where('g.entity_id', '=', f.entityId);
  if (f.kind) q = q.where('g.kind', '=', f.kind as GuidanceKind);
  if (f.from) q = q.where('g.on_date', '>=', f.from);
  if (f.to) q = q.where('g.on_date', '<=', f.to);
  if (f.followUp === 'open') q = q.where('g.follow_up', 'is not', null).where('g.follow_up_done', '=', false);
  if (f.followUp === 'done') q = q.where('g.follow_up_done', '=', true);
  if (f.q)
    q = q.where((eb) =>
      eb.or([
        eb('g.target_name', 'like', containing(f.q!)),
        eb('e.name', 'like', containing(f.q!)),
        eb('o.name', 'like', containing(f.q!)),
        eb('g.content', 'like', containing(f.q!)),
      ]),
    );
  return q;
}

type GuidanceRow = Awaited<ReturnType<Awaited<ReturnType<typeof filteredGuidance>>['execute']>>[number];
const toGuidanceItem = (g: GuidanceRow) => ({
  id: g.id,
  instructorId: g.instructor_id,
  instructorName: g.instructor_name,
  onDate: g.on_date,
  kind: g.kind,
  kindLabel: GUIDANCE_KIND_LABEL[g.kind],
  entityId: g.entity_id,
  entityName: g.entity_name,
  orgId: g.org_id,
  orgName: g.org_name,
  content: g.content,
  followUp: g.follow_up,
  followUpDone: g.follow_up_done,
  createdBy: g.created_by,
});

/** A page of the guidance log, newest first. */
export async function guidancePage(db: Tx, f: GuidanceFilters & { page: number; pageSize: number }) {
  const q = await filteredGuidance(db, f);
  const page = await pageFrom(q, f, (q) => q.orderBy('g.on_date', 'desc').orderBy('g.id', 'desc'), toGuidanceItem);
  const files = await attachmentsOf(
    db,
    'guidance_record',
    page.items.map((g) => Number(g.id)),
  );
  return { ...page, items: page.items.map((g) => ({ ...g, files: files.get(Number(g.id)) ?? [] })) };
}

/** Where a guidance record hangs (its files hang there too); undefined when out of reach. */
export const guidanceScope = async (db: Tx, id: number) =>
  (await db.selectFrom('guidance_record').select('scope_key').where('id', '=', id).executeTakeFirst())?.scope_key;

/** The guidance records of the export, newest first. */
export async function guidanceExportItems(db: Tx, f: GuidanceFilters) {
  const rows = await (await filteredGuidance(db, f)).orderBy('g.on_date', 'desc').limit(exportReadRows()).execute();
  return rows.map(toGuidanceItem);
}

/**
 * An instructor account's own work (issue 13): its record, its assignments in force, the entities
 * they reach and its latest guidance records. Row-level security already narrows assignments and
 * guidance records to the bound instructor (0031); the id narrows them again here.
 */
export async function myWork(db: Tx, instructorId: number) {
  const me = await db
    .selectFrom('instructor as i')
    .innerJoin('person as p', 'p.id', 'i.person_id')
    .select(['i.id', 'p.name', 'i.status', 'i.scope_key'])
    .where('i.id', '=', instructorId)
    .executeTakeFirst();
  if (!me) return null;
  const assignments = await sql<{ id: number; target: string; name: string | null; start_on: string }>`
    SELECT a.id, a.target, coalesce(e.name, z.name, o.name, p.name, s.name) AS name, a.start_on::text AS start_on
    FROM instructor_assignment a
    LEFT JOIN entity e ON e.id = a.entity_id LEFT JOIN zone z ON z.id = a.zone_id LEFT JOIN party_org o ON o.id = a.org_id
    LEFT JOIN platform p ON p.id = a.platform_id LEFT JOIN delivery_station s ON s.id = a.delivery_station_id
    WHERE a.instructor_id = ${instructorId} AND a.end_on IS NULL ORDER BY a.start_on DESC, a.id`.execute(db);
  const entities = await sql<{ id: number; name: string; uscc: string | null }>`
    SELECT e.id, e.name, e.uscc FROM entity e
    WHERE e.id IN (SELECT r.entity_id FROM instructor_reach r JOIN instructor_assignment a ON a.id = r.assignment_id WHERE a.instructor_id = ${instructorId})
    ORDER BY e.name, e.id LIMIT 500`.execute(db);
  const guidance = await sql<{
    id: number;
    on_date: string;
    kind: string;
    content: string;
    target: string;
    files: number;
  }>`
    SELECT g.id, g.on_date::text AS on_date, g.kind, g.content,
      -- the current name while the entity is in reach, else the one the record was made for (0200)
      coalesce(e.name, o.name, g.target_name) AS target,
      (SELECT count(*)::int FROM attachment a WHERE a.owner_type = 'guidance_record' AND a.owner_id = g.id AND a.removed_at IS NULL) AS files
    FROM guidance_record g LEFT JOIN entity e ON e.id = g.entity_id LEFT JOIN party_org o ON o.id = g.org_id
    WHERE g.instructor_id = ${instructorId} ORDER BY g.on_date DESC, g.id DESC LIMIT 50`.execute(db);
  return { me, assignments: assignments.rows, entities: entities.rows, guidance: guidance.rows };
}
