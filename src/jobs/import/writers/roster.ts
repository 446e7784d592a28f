import crypto from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../../db/schema.js';
import type { Keys } from '../../../crypto/keys.js';
import { blindIndex } from '../../../crypto/field.js';
import { insertUnidentified, updateUnidentified, upsertIdentified } from '../../../features/persons/index.js';
import type { RosterRow } from '../../../domain/ledger/rows.js';
import { isEnded } from '../../../domain/cases/workflow.js';
import type { Numbered } from './registry.js';

/** A roster birth date that is a whole day (a month is none). */
const day = (birth: string | undefined) => (birth && birth.length === 10 ? birth : null);

const nameKey = (name: string, birth: string, org: string) =>
  `n:${crypto.createHash('sm3').update(`${name}|${birth}|${org}`).digest('hex')}`;

/**
 * The natural key of a roster member: the ID number's blind index, or, without a number, name and
 * birth date; the org relation too when no whole birth date tells namesakes apart. A member who
 * moves branch keeps the key (and the record); two rows of a name and a birthday are one member.
 */
export function rosterKey(keys: Keys, r: RosterRow): string {
  if (r.idNumber) return `id:${blindIndex(keys, r.idNumber.value)}`;
  return nameKey(r.name, r.birthDate ?? '', day(r.birthDate) ? '' : (r.orgRelation ?? ''));
}

/**
 * Keys a member known only by name may be on file under, for a row: the one above, and the key
 * of earlier releases (name, birth, org relation always). For a row with an ID number, the birth
 * date is the number's: the member recorded before the number was known.
 */
function nameKeys(r: RosterRow): string[] {
  const birth = r.idNumber?.birthDate ?? r.birthDate ?? '';
  const org = r.orgRelation ?? '';
  const keys = [nameKey(r.name, birth, day(birth) ? '' : org), nameKey(r.name, birth, org)];
  // A roster that gave the birth month only, or none, before the number was known.
  if (r.idNumber) keys.push(nameKey(r.name, birth.slice(0, 7), org), nameKey(r.name, '', org));
  return [...new Set(keys)];
}

/**
 * Upserts roster members (and their persons) in the caller's scoped transaction; a member's
 * sources gain 'roster' and a roster record counts as confirmed. Returns rows inserted or changed
 * (a member, or only their person: a phone).
 */
export async function writeRosterBatch(
  db: Transaction<DB>,
  keys: Keys,
  batch: Numbered<RosterRow>[],
  scopeKey: string,
): Promise<number> {
  const rows = batch.map((b) => b.row);
  const rkeys = rows.map((r) => rosterKey(keys, r));
  const personOf = new Map<string, number>();

  const identified = rows.map((r, i) => ({ r, k: rkeys[i] })).filter((x) => x.r.idNumber);
  const { ids, changes } = await upsertIdentified(
    db,
    keys,
    identified.map(({ r }) => ({
      idNumber: r.idNumber!.value,
      birthDate: r.idNumber!.birthDate,
      sex: r.idNumber!.sex,
      name: r.name,
      phone: r.phone,
    })),
  );
  for (const { r, k } of identified) personOf.set(k, ids.get(r.idNumber!.value)!);
  // 转入: a member whose relation another county's roster recorded as transferred out comes over
  // with this roster naming them on the roll; the record moves into this scope (migration 0238),
  // and the upsert below brings it up to date (on the roll again, the end date cleared).
  const arriving = identified
    .filter(({ r }) => !isEnded(r.memberStatus))
    .map(({ r }) => blindIndex(keys, r.idNumber!.value));
  if (arriving.length) await sql`SELECT xgz_member_transfer_in(${arriving}::text[], ${scopeKey})`.execute(db);

  await adoptNamedMembers(
    db,
    identified.map(({ r, k }) => ({ r, k, person: personOf.get(k)! })),
  );

  // Without a number: the member already on file under the same key (or an earlier release's) keeps their person.
  const unidentified = rows.map((r, i) => ({ r, k: rkeys[i] })).filter((x) => !x.r.idNumber);
  if (unidentified.length) {
    const candidates = unidentified.map((x) => nameKeys(x.r)); // its key first
    const known = new Map(
      (
        await db
          .selectFrom('member')
          .select(['roster_key', 'person_id'])
          .where('roster_key', 'in', [...new Set(candidates.flat())])
          .execute()
      ).map((m) => [m.roster_key!, m.person_id]),
    );
    const taken = new Set(personOf.values());
    unidentified.forEach((x, i) => {
      const person = candidates[i].map((c) => known.get(c)).find((p) => p !== undefined && !taken.has(p));
      if (person === undefined) return;
      personOf.set(x.k, person);
      taken.add(person);
    });
    const fresh = unidentified.filter((x) => !personOf.has(x.k));
    const made = await insertUnidentified(
      db,
      keys,
      fresh.map(({ r }) => ({ name: r.name, phone: r.phone })),
    );
    fresh.forEach((x, i) => personOf.set(x.k, made[i]));
  }

  const res = await sql<{ person_id: number }>`
    INSERT INTO member AS m (person_id, roster_key, membership, join_date, org_relation, org_relation_code, member_status, occupation, workplace, sources, confidence, scope_key)
    SELECT p, k, ms, jd, orl, orc, st, occ, wp, ARRAY['roster'], 'confirmed', ${scopeKey}
    FROM unnest(${rkeys.map((k) => personOf.get(k)!)}::bigint[], ${rkeys}::text[], ${rows.map((r) => r.membership)}::text[], ${rows.map((r) => r.joinDate ?? null)}::date[],
      ${rows.map((r) => r.orgRelation)}::text[], ${rows.map((r) => r.orgRelationCode)}::text[], ${rows.map((r) => r.memberStatus)}::text[],
      ${rows.map((r) => r.occupation)}::text[], ${rows.map((r) => r.workplace)}::text[]) AS t(p, k, ms, jd, orl, orc, st, occ, wp)
    ON CONFLICT (person_id) DO UPDATE SET
      roster_key = EXCLUDED.roster_key, membership = EXCLUDED.membership, join_date = EXCLUDED.join_date, org_relation = EXCLUDED.org_relation,
      org_relation_code = EXCLUDED.org_relation_code, member_status = EXCLUDED.member_status,
      ended_on = CASE WHEN m.member_status = EXCLUDED.member_status THEN m.ended_on END, occupation = EXCLUDED.occupation, workplace = EXCLUDED.workplace,
      sources = xgz_sources_with(m.sources, ARRAY['roster']), confidence = 'confirmed', updated_at = EXCLUDED.updated_at
    WHERE (m.roster_key, m.membership, m.join_date, m.org_relation, m.org_relation_code, m.member_status, m.occupation, m.workplace, m.confidence)
      IS DISTINCT FROM (EXCLUDED.roster_key, EXCLUDED.membership, EXCLUDED.join_date, EXCLUDED.org_relation, EXCLUDED.org_relation_code, EXCLUDED.member_status, EXCLUDED.occupation, EXCLUDED.workplace, 'confirmed')
      OR NOT ('roster' = ANY(m.sources))
    RETURNING m.person_id`.execute(db);

  // What the roster says of members known only by name (a birth month is kept as the month).
  const told = await updateUnidentified(
    db,
    keys,
    unidentified.map((x) => ({
      id: personOf.get(x.k)!,
      birthDate: x.r.birthDate,
      sex: x.r.sex,
      phone: x.r.phone,
    })),
  );
  // A row that changed only its member's person (a new phone) changed the roster too.
  return new Set([...res.rows.map((r) => Number(r.person_id)), ...[...changes, ...told].map((c) => c.personId)]).size;
}

/**
 * A member recorded without an ID number whose number the roster now gives: the record (its links,
 * cases and history) passes to the person of that number, unless that person is a member already
 * or the name and birth date fit more than one row. The person known only by name is left without
 * a member. Only persons not yet members are looked for (none, on a roster imported before).
 */
async function adoptNamedMembers(
  db: Transaction<DB>,
  rows: { r: RosterRow; k: string; person: number }[],
): Promise<void> {
  if (!rows.length) return;
  const members = new Set(
    (
      await db
        .selectFrom('member')
        .select('person_id')
        .where(
          'person_id',
          'in',
          rows.map((x) => x.person),
        )
        .execute()
    ).map((m) => Number(m.person_id)),
  );
  const newcomers = rows.filter((x) => !members.has(x.person)).map((x) => ({ ...x, keys: nameKeys(x.r) }));
  if (!newcomers.length) return;
  const byKey = new Map(
    (
      await db
        .selectFrom('member')
        .select(['id', 'roster_key'])
        .where('roster_key', 'in', [...new Set(newcomers.flatMap((x) => x.keys))])
        .execute()
    ).map((m) => [m.roster_key!, Number(m.id)]),
  );
  const claims = new Map<number, { k: string; person: number }[]>();
  for (const x of newcomers) {
    const old = x.keys.map((c) => byKey.get(c)).find((id) => id !== undefined);
    if (old !== undefined) claims.set(old, [...(claims.get(old) ?? []), x]);
  }
  const adopted = [...claims].filter(([, c]) => c.length === 1).map(([id, [c]]) => ({ id, ...c }));
  if (adopted.length)
    await sql`UPDATE member m SET person_id = t.p, roster_key = t.k
      FROM unnest(${adopted.map((a) => a.id)}::bigint[], ${adopted.map((a) => a.person)}::bigint[], ${adopted.map((a) => a.k)}::text[]) AS t(id, p, k)
      WHERE m.id = t.id`.execute(db);
}

/**
 * Rows saying the member's relation went out (leavesRoster): the member held at the importer's node
 * under one of the row's keys (the keys writeRosterBatch files them under), or the person of its ID
 * number, is recorded 已转出 on the row's 转出日期; nobody is created. The member's history
 * (trigger) keeps the change. Returns the members recorded, the rows changed, and the rows naming
 * no member held here (refused by the caller).
 */
export async function recordTransfersOut<B extends Numbered<RosterRow>>(
  db: Transaction<DB>,
  keys: Keys,
  batch: B[],
  scopeKey: string,
): Promise<{ members: number[]; changed: number; unknown: B[] }> {
  if (!batch.length) return { members: [], changed: 0, unknown: [] };
  const rows = batch.map((b) => ({
    keys: [...new Set([rosterKey(keys, b.row), ...nameKeys(b.row)])],
    idBi: b.row.idNumber ? blindIndex(keys, b.row.idNumber.value) : null,
    leftOn: b.row.leftOn ?? null,
  }));
  const held = await sql<{ i: number; id: number; changed: boolean }>`
    WITH r AS (SELECT * FROM json_to_recordset(${JSON.stringify(rows.map((r, i) => ({ i, keys: r.keys, bi: r.idBi, d: r.leftOn })))}::json)
      AS t(i int, keys text[], bi text, d date)),
    hit AS (SELECT DISTINCT ON (m.id) r.i, m.id, r.d FROM r
      JOIN member m ON m.scope_key = ${scopeKey} AND (m.roster_key = ANY(r.keys) OR m.person_id = (SELECT p.id FROM person p WHERE p.id_bi = r.bi))
      ORDER BY m.id, r.i),
    up AS (UPDATE member m SET member_status = 'transferred_out', ended_on = hit.d, updated_at = now() FROM hit
      WHERE m.id = hit.id AND (m.member_status, m.ended_on) IS DISTINCT FROM ('transferred_out', hit.d) RETURNING m.id)
    SELECT hit.i, hit.id, EXISTS (SELECT 1 FROM up WHERE up.id = hit.id) AS changed FROM hit`.execute(db);
  const found = new Set(held.rows.map((h) => h.i));
  return {
    members: held.rows.map((h) => Number(h.id)),
    changed: held.rows.filter((h) => h.changed).length,
    unknown: batch.filter((_, i) => !found.has(i)),
  };
}
