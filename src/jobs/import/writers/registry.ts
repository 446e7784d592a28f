import { sql, type Transaction } from 'kysely';
import { moveEntityRows } from '../../../db/entity-scope.js';
import type { DB } from '../../../db/schema.js';
import type { Keys } from '../../../crypto/keys.js';
import {
  insertUnidentified,
  recordPersonChanges,
  updateUnidentified,
  upsertIdentified,
  type PersonChange,
} from '../../../features/persons/index.js';
import type { RegistryRow } from '../../../domain/ledger/rows.js';
import { normaliseEntityName } from '../../../domain/import/normalise.js';

export type Numbered<T> = { rowNo: number; row: T };
/** A change of an existing entity's kind or name (the import's change summary lists them). */
export type IdentityChange = {
  rowNo: number;
  entityId: number;
  scopeKey: string;
  field: 'kind' | 'name';
  before: string;
  after: string;
};
type Person = { name: string; id?: RegistryRow['repIdNumber']; phone?: string };

/**
 * Writes a batch of validated registry rows in the caller's (scoped) transaction: persons,
 * zones, entities, their zone links and people in roles. Every statement takes whole columns
 * as arrays (unnest), so the batch size is not bound by the parameter limit, and every upsert
 * changes a row only where a value differs: importing the same file twice changes nothing.
 * Returns how many of its rows inserted or changed anything (an entity, its zone link, its people
 * in roles: one row of the file however many tables it touched), and the changes of an existing
 * entity's kind or name.
 */
export async function writeRegistryBatch(
  db: Transaction<DB>,
  keys: Keys,
  batch: Numbered<RegistryRow>[],
  scopeOf: (code: string) => string,
): Promise<{ changed: number; identity: IdentityChange[] }> {
  const rows = batch.map((b) => b.row);
  await settleStatuses(db, rows);
  await settleStations(db, rows);
  // Entities that took the USCC of a row (换照): changed by this batch, whatever else the row says.
  const relicensed = [...(await settleRegNos(db, rows)), ...(await settleRehosted(db, rows))];
  /** Persons on file whose phone or name this batch changed: their entities' rows changed too. */
  const personChanges: PersonChange[] = [];
  const people = await upsertPersons(
    db,
    keys,
    rows.flatMap((r) => personsOf(r)),
  );
  const zones = await upsertZones(db, rows, scopeOf);
  const fileScope = (r: RegistryRow) => scopeOf(r.stationCode ?? r.countyCode);
  // A file that names no station keeps the one the entity is at while its county stays (a clerk
  // placed it, or an earlier file or address did), and with it the station's scope: the entity
  // does not drop out of its station's sight on a re-import. A station's scope key is its code
  // (scopeKeyOf), so the scope is the kept station_code itself, not a look-up in the tree: Citus
  // takes only IMMUTABLE functions in an ON CONFLICT's SET and WHERE, and a subquery on
  // jurisdiction carries its row-level policy's STABLE functions.
  const station = sql`CASE WHEN EXCLUDED.station_code IS NOT NULL THEN EXCLUDED.station_code
    WHEN e.county_code = EXCLUDED.county_code THEN e.station_code END`;
  const scope = sql`CASE WHEN EXCLUDED.station_code IS NULL AND e.county_code = EXCLUDED.county_code AND e.station_code IS NOT NULL
    THEN e.station_code ELSE EXCLUDED.scope_key END`;
  const scopeOfEntity = new Map<number, string>();
  const moved = new Map<string, number[]>();

  const entityIds = new Map<string, number>();
  const rowNoOf = new Map(batch.map((b) => [b.row.uscc ?? b.row.regNo!, b.rowNo]));
  const identity: IdentityChange[] = [];
  /** The entities this batch inserted or changed anything of: the rows that changed. */
  const changed = new Set<number>(relicensed);
  for (const keyed of ['uscc', 'reg_no'] as const) {
    const part = rows.filter((r) => (keyed === 'uscc' ? !!r.uscc : !r.uscc));
    if (!part.length) continue;
    const c = <T>(f: (r: RegistryRow) => T) => part.map(f);
    const keysOfPart = c((r) => (keyed === 'uscc' ? r.uscc! : r.regNo!));
    // A name on file that differs from the row's by spaces only (李四\u3000小吃, kept by an earlier
    // file) is the same name: it stays as it is, and nothing is said to have changed.
    const onFile = new Map(
      (
        await sql<{ key: string; name: string }>`SELECT ${sql.raw(keyed)} AS key, name FROM entity
          WHERE ${sql.raw(keyed)} = ANY(${keysOfPart}::text[])`.execute(db)
      ).rows.map((r) => [r.key, r.name]),
    );
    const names = part.map((r, i) => {
      const was = onFile.get(keysOfPart[i]);
      return was !== undefined && normaliseEntityName(was) === normaliseEntityName(r.name) ? was : r.name;
    });
    const res = await sql<{
      id: number;
      key: string;
      changed: boolean;
      scope_key: string | null;
      old_kind: string | null;
      old_name: string | null;
      old_scope: string | null;
      kind: string | null;
      name: string | null;
    }>`
      WITH old AS (SELECT id, kind, name, scope_key FROM entity WHERE ${sql.raw(keyed)} = ANY(${keysOfPart}::text[])),
      up AS (
        INSERT INTO entity AS e (kind, uscc, reg_no, name, status, registered_on, address, county_code, station_code, scope_key, industry_section, industry_division, size_class, employees, reg_type)
        SELECT * FROM unnest(${c((r) => r.kind)}::text[], ${c((r) => r.uscc ?? null)}::text[], ${c((r) => r.regNo ?? null)}::text[], ${names}::text[],
          ${c((r) => r.status ?? 'active')}::text[], ${c((r) => r.registeredOn ?? null)}::date[], ${c((r) => r.address)}::text[], ${c((r) => r.countyCode)}::text[],
          ${c((r) => r.stationCode ?? null)}::text[], ${c(fileScope)}::text[], ${c((r) => r.industry?.section ?? null)}::text[],
          ${c((r) => r.industry?.division ?? null)}::text[], ${c((r) => r.sizeClass ?? null)}::text[], ${c((r) => r.employees ?? null)}::int[], ${c((r) => r.regType ?? null)}::text[])
        ON CONFLICT (${sql.raw(keyed)}) DO UPDATE SET
          kind = EXCLUDED.kind, reg_no = COALESCE(EXCLUDED.reg_no, e.reg_no), name = EXCLUDED.name, status = EXCLUDED.status,
          registered_on = COALESCE(EXCLUDED.registered_on, e.registered_on), address = COALESCE(EXCLUDED.address, e.address),
          county_code = EXCLUDED.county_code, station_code = ${station}, scope_key = ${scope},
          industry_section = COALESCE(EXCLUDED.industry_section, e.industry_section), industry_division = COALESCE(EXCLUDED.industry_division, e.industry_division),
          size_class = COALESCE(EXCLUDED.size_class, e.size_class), employees = COALESCE(EXCLUDED.employees, e.employees),
          reg_type = COALESCE(EXCLUDED.reg_type, e.reg_type), updated_at = EXCLUDED.updated_at
        WHERE (e.kind, e.name, e.status, e.county_code, e.station_code, e.scope_key) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.name, EXCLUDED.status, EXCLUDED.county_code, ${station}, ${scope})
           OR (EXCLUDED.reg_no IS NOT NULL AND e.reg_no IS DISTINCT FROM EXCLUDED.reg_no)
           OR (EXCLUDED.registered_on IS NOT NULL AND e.registered_on IS DISTINCT FROM EXCLUDED.registered_on)
           OR (EXCLUDED.address IS NOT NULL AND e.address IS DISTINCT FROM EXCLUDED.address)
           OR (EXCLUDED.industry_division IS NOT NULL AND e.industry_division IS DISTINCT FROM EXCLUDED.industry_division)
           OR (EXCLUDED.industry_section IS NOT NULL AND e.industry_section IS DISTINCT FROM EXCLUDED.industry_section)
           OR (EXCLUDED.size_class IS NOT NULL AND e.size_class IS DISTINCT FROM EXCLUDED.size_class)
           OR (EXCLUDED.employees IS NOT NULL AND e.employees IS DISTINCT FROM EXCLUDED.employees)
           OR (EXCLUDED.reg_type IS NOT NULL AND e.reg_type IS DISTINCT FROM EXCLUDED.reg_type)
        RETURNING e.id, e.${sql.raw(keyed)} AS key, e.scope_key, e.kind, e.name
      )
      SELECT up.id, up.key, true AS changed, up.scope_key, o.kind AS old_kind, o.name AS old_name, o.scope_key AS old_scope, up.kind, up.name FROM up LEFT JOIN old o ON o.id = up.id
      UNION ALL
      SELECT e.id, e.${sql.raw(keyed)}, false, e.scope_key, NULL, NULL, NULL, NULL, NULL FROM entity e
      WHERE e.${sql.raw(keyed)} = ANY(${keysOfPart}::text[]) AND NOT EXISTS (SELECT 1 FROM up WHERE up.id = e.id)`.execute(
      db,
    );
    for (const r of res.rows) {
      entityIds.set(r.key, r.id);
      scopeOfEntity.set(r.id, r.scope_key!);
      if (r.changed && r.old_scope !== null && r.old_scope !== r.scope_key)
        (moved.get(r.scope_key!) ?? moved.set(r.scope_key!, []).get(r.scope_key!)!).push(r.id);
      if (r.changed) changed.add(r.id);
      // old is the entity before this statement: a row there whose kind or name now differs was changed, not created.
      for (const field of ['kind', 'name'] as const) {
        const before = field === 'kind' ? r.old_kind : r.old_name;
        const after = field === 'kind' ? r.kind : r.name;
        if (r.changed && before !== null && after !== null && before !== after)
          identity.push({ rowNo: rowNoOf.get(r.key)!, entityId: r.id, scopeKey: r.scope_key!, field, before, after });
      }
    }
  }
  const idOf = (r: RegistryRow) => entityIds.get(r.uscc ?? r.regNo!)!;
  // What hangs on an entity that changed station or county (its people, zone links, reports…) follows it.
  for (const [to, ids] of moved) await moveEntityRows(db, ids, to);
  for (const id of await recordPersonChanges(db, personChanges, [...entityIds.values()])) changed.add(id);
  const entityScope = (r: RegistryRow) => scopeOfEntity.get(idOf(r))!;

  const links = rows
    .filter((r) => r.zoneName)
    .map((r) => ({ entity: idOf(r), zone: zones.get(`${r.countyCode}|${r.zoneName}`)!, scope: entityScope(r) }));
  if (links.length) {
    const res = await sql<{ entity_id: number }>`INSERT INTO entity_zone (entity_id, zone_id, scope_key)
      SELECT * FROM unnest(${links.map((l) => l.entity)}::bigint[], ${links.map((l) => l.zone)}::bigint[], ${links.map((l) => l.scope)}::text[])
      ON CONFLICT DO NOTHING RETURNING entity_id`.execute(db);
    for (const r of res.rows) changed.add(Number(r.entity_id));
  }

  for (const [role, pick] of [
    ['legal_rep', 'rep'],
    ['liaison', 'liaison'],
  ] as const) {
    const withRole = rows.filter((r) => r[`${pick}Name`]);
    if (!withRole.length) continue;
    const entityCol = withRole.map(idOf);
    const personCol = withRole.map((r) => people.get(personKey(r, pick))!);
    const scopeCol = withRole.map(entityScope);
    // The registry names one person per role: someone else in that role is replaced (kept in the history).
    const gone = await sql<{
      entity_id: number;
    }>`DELETE FROM entity_person ep USING unnest(${entityCol}::bigint[], ${personCol}::bigint[]) AS t(entity_id, person_id)
      WHERE ep.entity_id = t.entity_id AND ep.role = ${role} AND ep.person_id <> t.person_id RETURNING ep.entity_id`.execute(
      db,
    );
    const added = await sql<{ entity_id: number }>`INSERT INTO entity_person (entity_id, person_id, role, scope_key)
      SELECT e, p, ${role}, s FROM unnest(${entityCol}::bigint[], ${personCol}::bigint[], ${scopeCol}::text[]) AS t(e, p, s)
      ON CONFLICT DO NOTHING RETURNING entity_id`.execute(db);
    for (const r of [...gone.rows, ...added.rows]) changed.add(Number(r.entity_id));
  }
  return { changed: changed.size, identity };

  function personsOf(r: RegistryRow): Person[] {
    return (['rep', 'liaison'] as const)
      .filter((p) => r[`${p}Name`])
      .map((p) => ({ name: r[`${p}Name`]!, id: r[`${p}IdNumber`], phone: r[`${p}Phone`] }));
  }
  async function upsertPersons(tx: Transaction<DB>, k: Keys, persons: Person[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const { ids, changes } = await upsertIdentified(
      tx,
      k,
      persons
        .filter((p) => p.id)
        .map((p) => ({
          idNumber: p.id!.value,
          birthDate: p.id!.birthDate,
          sex: p.id!.sex,
          name: p.name,
          phone: p.phone,
        })),
    );
    for (const r of rows) {
      for (const p of ['rep', 'liaison'] as const) {
        const id = r[`${p}IdNumber`];
        if (id) out.set(personKey(r, p), ids.get(id.value)!);
      }
    }
    personChanges.push(...changes);
    await linkUnidentified(tx, k, out);
    return out;
  }
  /**
   * People named without a number: reuse the one already in that entity's role under that name (a
   * later extract that leaves the 证件号码 blank keeps the person it identified, and takes the
   * phone the row gives), else create.
   */
  async function linkUnidentified(tx: Transaction<DB>, k: Keys, out: Map<string, number>) {
    const wanted = rows.flatMap((r) =>
      (['rep', 'liaison'] as const)
        .filter((p) => r[`${p}Name`] && !r[`${p}IdNumber`])
        .map((p) => ({
          r,
          pick: p,
          role: p === 'rep' ? ('legal_rep' as const) : ('liaison' as const),
          name: r[`${p}Name`]!,
          phone: r[`${p}Phone`],
        })),
    );
    if (!wanted.length) return;
    const existingKeys = wanted.map((w) => `${w.r.uscc ?? w.r.regNo}|${w.role}|${w.name}`);
    const found = await sql<{ k: string; person_id: number }>`
      SELECT coalesce(e.uscc, e.reg_no) || '|' || ep.role || '|' || p.name AS k, p.id AS person_id
      FROM entity_person ep JOIN entity e ON e.id = ep.entity_id JOIN person p ON p.id = ep.person_id
      WHERE coalesce(e.uscc, e.reg_no) || '|' || ep.role || '|' || p.name = ANY(${existingKeys}::text[])`.execute(tx);
    const have = new Map(found.rows.map((f) => [f.k, f.person_id]));
    const missing = wanted.filter((w, i) => !have.has(existingKeys[i]));
    const kept = wanted.flatMap((w, i) => {
      const id = have.get(existingKeys[i]);
      return id !== undefined && w.phone ? [{ id, phone: w.phone }] : [];
    });
    personChanges.push(...(await updateUnidentified(tx, k, kept)));
    const made = await insertUnidentified(tx, k, missing);
    missing.forEach((m, i) => have.set(`${m.r.uscc ?? m.r.regNo}|${m.role}|${m.name}`, made[i]));
    wanted.forEach((w, i) => out.set(personKey(w.r, w.pick), have.get(existingKeys[i])!));
  }
}

/** Identifies a person within the batch: by ID number when given, else by entity, role and name. */
function personKey(r: RegistryRow, pick: 'rep' | 'liaison'): string {
  const id = r[`${pick}IdNumber`];
  return id ? `id:${id.value}` : `n:${r.uscc ?? r.regNo}|${pick}|${r[`${pick}Name`]}`;
}

async function upsertZones(
  db: Transaction<DB>,
  rows: RegistryRow[],
  scopeOf: (code: string) => string,
): Promise<Map<string, number>> {
  const named = new Map<string, RegistryRow>();
  for (const r of rows) if (r.zoneName) named.set(`${r.countyCode}|${r.zoneName}`, r);
  if (!named.size) return new Map();
  const z = [...named.values()];
  await sql`INSERT INTO zone (kind, name, county_code, scope_key)
    SELECT * FROM unnest(${z.map((r) => r.zoneKind!)}::text[], ${z.map((r) => r.zoneName!)}::text[], ${z.map((r) => r.countyCode)}::text[], ${z.map((r) => scopeOf(r.countyCode))}::text[])
    ON CONFLICT (county_code, name) DO NOTHING`.execute(db);
  const res = await sql<{ id: number; county_code: string; name: string }>`SELECT id, county_code, name FROM zone
    WHERE (county_code || '|' || name) = ANY(${[...named.keys()]}::text[])`.execute(db);
  return new Map(res.rows.map((r) => [`${r.county_code}|${r.name}`, r.id]));
}

/**
 * Rows that do not state a 登记状态 keep the one on file (a new entity is 存续): fills `status` in
 * place, one lookup a batch, by the rows' codes.
 */
async function settleStatuses(db: Transaction<DB>, rows: RegistryRow[]): Promise<void> {
  const silent = rows.filter((r) => !r.status);
  if (!silent.length) return;
  const on = await sql<{ key: string; status: RegistryRow['status'] }>`
    SELECT e.uscc AS key, e.status FROM entity e WHERE e.uscc = ANY(${silent.flatMap((r) => r.uscc ?? [])}::text[])
    UNION ALL SELECT e.reg_no, e.status FROM entity e WHERE e.uscc IS NULL AND e.reg_no = ANY(${silent.flatMap((r) => (r.uscc ? [] : [r.regNo!]))}::text[])`.execute(
    db,
  );
  const statusOf = new Map(on.rows.map((r) => [r.key, r.status]));
  for (const r of silent) r.status = statusOf.get(r.uscc ?? r.regNo!) ?? 'active';
}

/**
 * A station worked out from the address or registering authority is a guess for an entity that has
 * none: an entity the ledger already holds at a station of the same county stays there (a clerk, or
 * an earlier file, placed it). Without this a re-import of a plain registry extract moved entities
 * to the station their street maps to, and the old station lost sight of them and their honours.
 */
async function settleStations(db: Transaction<DB>, rows: RegistryRow[]): Promise<void> {
  const guessed = rows.filter((r) => r.stationDerived);
  if (!guessed.length) return;
  const on = await sql<{ key: string; county_code: string; station_code: string | null }>`
    SELECT e.uscc AS key, e.county_code, e.station_code FROM entity e WHERE e.uscc = ANY(${guessed.flatMap((r) => r.uscc ?? [])}::text[])
    UNION ALL SELECT e.reg_no, e.county_code, e.station_code FROM entity e WHERE e.uscc IS NULL AND e.reg_no = ANY(${guessed.flatMap((r) => (r.uscc ? [] : [r.regNo!]))}::text[])`.execute(
    db,
  );
  const placed = new Map(on.rows.map((r) => [r.key, r]));
  for (const r of guessed) {
    const held = placed.get(r.uscc ?? r.regNo!);
    if (held?.station_code && held.county_code === r.countyCode) delete r.stationCode;
  }
}

/**
 * A 注册号 named beside a USCC that the ledger holds (换照: a 个体工商户 recorded by its 注册号 now
 * has a USCC): the entity recorded by the number takes the USCC, when no entity has it yet. A
 * number another entity holds under another USCC, or one a row above in the batch named, is left
 * where it is (the row keeps its USCC only), so no row fails the batch on the number's uniqueness.
 */
async function settleRegNos(db: Transaction<DB>, rows: RegistryRow[]): Promise<number[]> {
  const seen = new Set<string>();
  const both = rows.filter((r) => {
    if (!r.uscc || !r.regNo) return false;
    if (seen.has(r.regNo)) r.regNo = undefined;
    else seen.add(r.regNo);
    return !!r.regNo;
  });
  if (!both.length) return [];
  const held = await sql<{ reg_no: string; uscc: string; holder: string | null; taken: boolean }>`
    SELECT t.reg_no, t.uscc, e.uscc AS holder, EXISTS (SELECT 1 FROM entity x WHERE x.uscc = t.uscc) AS taken
    FROM unnest(${both.map((r) => r.regNo!)}::text[], ${both.map((r) => r.uscc!)}::text[]) AS t(reg_no, uscc)
    JOIN entity e ON e.reg_no = t.reg_no`.execute(db);
  const adopt = held.rows.filter((h) => h.holder === null && !h.taken);
  const adopted = adopt.length
    ? await sql<{ id: number }>`UPDATE entity e SET uscc = t.uscc, updated_at = now()
      FROM unnest(${adopt.map((h) => h.reg_no)}::text[], ${adopt.map((h) => h.uscc)}::text[]) AS t(reg_no, uscc)
      WHERE e.reg_no = t.reg_no AND e.uscc IS NULL RETURNING e.id`.execute(db)
    : { rows: [] };
  const keep = new Set(held.rows.filter((h) => h.holder !== h.uscc && !adopt.includes(h)).map((h) => h.reg_no));
  for (const r of both) if (keep.has(r.regNo!)) r.regNo = undefined;
  return adopted.rows.map((r) => Number(r.id));
}

/**
 * A row with a USCC alone that no entity holds, for an entity the ledger recorded by its 注册号 only
 * (换照: an old extract gave the number; the new one gives the USCC, its 注册号 column blank or gone,
 * as registries fill one column or the other): the entity recorded by the number takes the USCC when
 * it is the one of the same kind, name and 成立日期 in the same county (a 字号 is one per registering
 * authority, and the date is not changed by 换照). Without this the row made a second entity beside
 * the first, counted twice in every figure. Two such entities, or two rows for one, are left as they are.
 */
async function settleRehosted(db: Transaction<DB>, rows: RegistryRow[]): Promise<number[]> {
  const lone = rows.filter((r) => r.uscc && !r.regNo && r.registeredOn);
  if (!lone.length) return [];
  const c = <T>(f: (r: RegistryRow) => T) => lone.map(f);
  const found = await sql<{ uscc: string; id: number; n: number }>`
    SELECT t.uscc, min(e.id) AS id, count(*)::int AS n
    FROM unnest(${c((r) => r.uscc!)}::text[], ${c((r) => r.countyCode)}::text[], ${c((r) => r.kind)}::text[],
      ${c((r) => r.name)}::text[], ${c((r) => r.registeredOn!)}::date[]) AS t(uscc, county_code, kind, name, registered_on)
    JOIN entity e ON e.uscc IS NULL AND e.reg_no IS NOT NULL AND e.county_code = t.county_code AND e.kind = t.kind
      AND e.name = t.name AND e.registered_on = t.registered_on
    WHERE NOT EXISTS (SELECT 1 FROM entity x WHERE x.uscc = t.uscc)
    GROUP BY t.uscc`.execute(db);
  const claims = new Map<number, number>();
  for (const f of found.rows) claims.set(f.id, (claims.get(f.id) ?? 0) + 1);
  const adopt = found.rows.filter((f) => f.n === 1 && claims.get(f.id) === 1);
  if (!adopt.length) return [];
  const adopted = await sql<{ id: number }>`UPDATE entity e SET uscc = t.uscc, updated_at = now()
    FROM unnest(${adopt.map((a) => a.id)}::bigint[], ${adopt.map((a) => a.uscc)}::text[]) AS t(id, uscc)
    WHERE e.id = t.id AND e.uscc IS NULL RETURNING e.id`.execute(db);
  return adopted.rows.map((r) => Number(r.id));
}
