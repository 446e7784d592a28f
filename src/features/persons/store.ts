import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Keys } from '../../crypto/keys.js';
import { blindIndex, encryptField } from '../../crypto/field.js';
import { Problem } from '../../http/errors.js';
import { RefusedWrite } from '../../db/writes.js';

/**
 * Persons: one row per ID number, the number and phone SM4-encrypted with blind indexes.
 * Every feature that records a person goes through these two functions (which call the
 * database functions that may see persons of other jurisdictions to keep them one row each).
 */
export type Identified = {
  idNumber: string;
  birthDate: string;
  sex: 'male' | 'female';
  name: string;
  phone?: string | null;
};
export type Unidentified = { name: string; phone?: string | null };
/** What a write changed of a person already on file: the name it replaced (else null), whether the phone changed. */
export type PersonChange = { personId: number; name: string; oldName: string | null; phoneChanged: boolean };

export const NAME_NOT_ON_FILE =
  '姓名与该身份证号登记的姓名不一致，请核对姓名和号码（如此人确已改名，请联系原登记辖区更正）';

const enc = (keys: Keys, v?: string | null) => (v ? encryptField(keys, v) : null);
const bi = (keys: Keys, v?: string | null) => (v ? blindIndex(keys, v) : null);

/**
 * The ID numbers among these whose name is not the one on file where another jurisdiction holds the
 * person (spaces and the dot of minority names aside; migrations 0062, 0064): a number with a
 * guessed name must neither show whose it is nor link to their records, by hand or by import.
 */
export async function namesNotOnFile(
  db: Transaction<DB>,
  keys: Keys,
  people: { idNumber: string; name: string }[],
): Promise<Set<string>> {
  const names = people.map((p) => p.name);
  return flagged(
    keys,
    people.map((p) => p.idNumber),
    (indexes) =>
      sql<{ bi: string }>`SELECT bi FROM xgz_person_name_conflicts(${indexes}::text[], ${names}::text[]) AS bi`,
    db,
  );
}

/** The ID numbers among these that are members on a roster held outside the caller's scope (another county's or above, migration 0067). */
export async function membersElsewhere(db: Transaction<DB>, keys: Keys, idNumbers: string[]): Promise<Set<string>> {
  return flagged(
    keys,
    idNumbers,
    (indexes) => sql<{ bi: string }>`SELECT bi FROM xgz_members_elsewhere(${indexes}::text[]) AS bi`,
    db,
  );
}

/** The numbers whose blind indexes a SECURITY DEFINER function flags (it sees every holder; the caller sees only the answer). */
async function flagged(
  keys: Keys,
  numbers: string[],
  ask: (indexes: string[]) => RawBuilder<{ bi: string }>,
  db: Transaction<DB>,
): Promise<Set<string>> {
  if (!numbers.length) return new Set();
  const indexes = numbers.map((v) => blindIndex(keys, v));
  const hit = new Set((await ask(indexes).execute(db)).rows.map((r) => r.bi));
  return new Set(numbers.filter((_, i) => hit.has(indexes[i])));
}

/**
 * Upserts persons known by ID number; returns person ids by ID number, and what changed of the
 * persons already on file (an import counts and records those, migration 0090). By hand (a form, a
 * confirmation), the name must be the one on file when another jurisdiction holds the person: a
 * number alone must not show whose it is, nor link this jurisdiction to their records (0062). An
 * import keeps the name on file instead (the shared row changes only within the writer's scope).
 */
export async function upsertIdentified(
  db: Transaction<DB>,
  keys: Keys,
  people: Identified[],
  how: { byHand?: boolean } = {},
): Promise<{ ids: Map<string, number>; changes: PersonChange[] }> {
  if (!people.length) return { ids: new Map(), changes: [] };
  const indexes = people.map((p) => blindIndex(keys, p.idNumber));
  if (how.byHand) {
    const mismatched = await namesNotOnFile(db, keys, people);
    // Refused and audited on its own: tries of names against a number are a probe to be seen (round 4).
    if (mismatched.size)
      throw new RefusedWrite(
        { action: 'person.name_mismatch', objectType: 'person', detail: { numbers: mismatched.size } },
        '人员',
        new Problem(422, '姓名与身份证号不一致', NAME_NOT_ON_FILE, [{ field: 'name', message: NAME_NOT_ON_FILE }]),
      );
  }
  const res = await sql<{
    bi: string;
    person_id: number;
    old_name: string | null;
    phone_changed: boolean;
  }>`SELECT * FROM xgz_person_upsert(
    ${indexes}::text[], ${people.map((p) => encryptField(keys, p.idNumber))}::text[], ${people.map((p) => p.name)}::text[],
    ${people.map((p) => p.birthDate)}::date[], ${people.map((p) => p.sex)}::text[],
    ${people.map((p) => enc(keys, p.phone))}::text[], ${people.map((p) => bi(keys, p.phone))}::text[])`.execute(db);
  const byBi = new Map(res.rows.map((r) => [r.bi, r.person_id]));
  const nameOf = new Map(people.map((p, i) => [indexes[i], p.name]));
  return {
    ids: new Map(people.map((p, i) => [p.idNumber, byBi.get(indexes[i])!])),
    changes: res.rows
      .filter((r) => r.old_name !== null || r.phone_changed)
      .map((r) => ({
        personId: Number(r.person_id),
        name: nameOf.get(r.bi)!,
        oldName: r.old_name,
        phoneChanged: r.phone_changed,
      })),
  };
}

/**
 * A person typed into a form: the one with the ID number when given (its name must be the one on
 * file, see above), else a new person known by name. Returns the person's id.
 */
export async function personFromForm(
  db: Transaction<DB>,
  keys: Keys,
  p: {
    name: string;
    phone?: string | null;
    idNumber?: { value: string; birthDate: string; sex: 'male' | 'female' } | null;
  },
): Promise<number> {
  if (!p.idNumber) return (await insertUnidentified(db, keys, [{ name: p.name, phone: p.phone }]))[0];
  const { value, birthDate, sex } = p.idNumber;
  const { ids } = await upsertIdentified(
    db,
    keys,
    [{ idNumber: value, birthDate, sex, name: p.name, phone: p.phone }],
    {
      byHand: true,
    },
  );
  return ids.get(value)!;
}

/** Creates persons known only by name (and phone); returns their ids in input order. */
export async function insertUnidentified(db: Transaction<DB>, keys: Keys, people: Unidentified[]): Promise<number[]> {
  if (!people.length) return [];
  const res = await sql<{
    ord: number;
    person_id: number;
  }>`SELECT * FROM xgz_person_insert_unidentified(${people.map((p) => p.name)}::text[],
    ${people.map((p) => enc(keys, p.phone))}::text[], ${people.map((p) => bi(keys, p.phone))}::text[])`.execute(db);
  return res.rows.sort((a, b) => Number(a.ord) - Number(b.ord)).map((r) => r.person_id);
}

/**
 * What a source states of persons known only by name: birth date (a whole date, or 'YYYY-MM' when
 * it gives the month only), sex, phone. A blank keeps what is on file; a whole date replaces a
 * month; a phone is replaced when it differs. Returns the persons it changed (phoneChanged read
 * from the statement's snapshot, taken before the update).
 */
export async function updateUnidentified(
  db: Transaction<DB>,
  keys: Keys,
  people: { id: number; birthDate?: string | null; sex?: 'male' | 'female' | null; phone?: string | null }[],
): Promise<PersonChange[]> {
  const stated = people.filter((p) => p.birthDate || p.sex || p.phone);
  if (!stated.length) return [];
  const whole = (b?: string | null) => (b && b.length === 10 ? b : null);
  const month = (b?: string | null) => (b && b.length === 7 ? b : null);
  // The caller's scope as a value: Citus takes no STABLE function (xgz_scope()) inside a CASE of an UPDATE.
  const scope = (await sql<{ k: string }>`SELECT xgz_scope() AS k`.execute(db)).rows[0].k;
  const res = await sql<{ id: number; name: string; phone_changed: boolean }>`
    WITH old AS (SELECT id, phone_bi FROM person WHERE id = ANY(${stated.map((p) => p.id)}::bigint[]))
    UPDATE person p SET birth_date = coalesce(t.b, p.birth_date),
      birth_month = CASE WHEN coalesce(t.b, p.birth_date) IS NULL THEN coalesce(t.bm, p.birth_month) END, sex = coalesce(t.s, p.sex),
      phone_enc = CASE WHEN t.pbi IS NULL OR t.pbi = p.phone_bi THEN p.phone_enc ELSE t.pe END,
      phone_bi = coalesce(t.pbi, p.phone_bi),
      phone_scope = CASE WHEN t.pbi IS NULL OR t.pbi = p.phone_bi THEN p.phone_scope ELSE ${scope}::text END, updated_at = now()
    FROM unnest(${stated.map((p) => p.id)}::bigint[], ${stated.map((p) => whole(p.birthDate))}::date[], ${stated.map((p) => month(p.birthDate))}::text[],
      ${stated.map((p) => p.sex ?? null)}::text[], ${stated.map((p) => enc(keys, p.phone))}::text[], ${stated.map((p) => bi(keys, p.phone))}::text[]) AS t(id, b, bm, s, pe, pbi),
      old o
    WHERE p.id = t.id AND o.id = p.id AND p.id_bi IS NULL AND (p.birth_date IS DISTINCT FROM coalesce(t.b, p.birth_date)
      OR (p.birth_date IS NULL AND t.b IS NULL AND p.birth_month IS DISTINCT FROM coalesce(t.bm, p.birth_month))
      OR p.sex IS DISTINCT FROM coalesce(t.s, p.sex) OR p.phone_bi IS DISTINCT FROM coalesce(t.pbi, p.phone_bi))
    RETURNING p.id, p.name, o.phone_bi IS DISTINCT FROM p.phone_bi AS phone_changed`.execute(db);
  return res.rows.map((r) => ({ personId: Number(r.id), name: r.name, oldName: null, phoneChanged: r.phone_changed }));
}

/**
 * Writes what an import changed of persons (a phone, a name) into the history of those of
 * `entityIds` where they hold a role; returns the entities written to. The line names what
 * changed, never a number: "联系电话：王芳的原号码 → 王芳的新号码".
 */
export async function recordPersonChanges(
  db: Transaction<DB>,
  changes: PersonChange[],
  entityIds: number[],
): Promise<Set<number>> {
  if (!changes.length || !entityIds.length) return new Set();
  const side = (c: PersonChange, was: boolean) =>
    JSON.stringify({
      ...(c.oldName !== null ? { person_name: was ? c.oldName : c.name } : {}),
      ...(c.phoneChanged ? { phone: `${c.name}的${was ? '原' : '新'}号码` } : {}),
    });
  const res = await sql<{ entity_id: number }>`SELECT * FROM xgz_person_change_history(
    ${changes.map((c) => c.personId)}::bigint[], ${changes.map((c) => side(c, true))}::jsonb[],
    ${changes.map((c) => side(c, false))}::jsonb[], ${entityIds}::bigint[])`.execute(db);
  return new Set(res.rows.map((r) => Number(r.entity_id)));
}

/** A person's birth date as known: the whole date, else the month ('1980-03'). `alias` is the person table's name in the query. */
export const birthShown = (alias: string) =>
  sql<
    string | null
  >`coalesce(to_char(${sql.ref(`${alias}.birth_date`)}, 'YYYY-MM-DD'), ${sql.ref(`${alias}.birth_month`)})`;

/**
 * A member's birth date as the reader may see it: withheld while the member is linked to a role of
 * someone with an ID number the reader sees masked, because the eight hidden digits are that date
 * and the link's evidence says the dates agree (round-5 probe). `member`, `person`: the aliases.
 */
export const memberBirthShown = (member: string, person: string) =>
  sql<
    string | null
  >`CASE WHEN NOT EXISTS (SELECT 1 FROM member_link l JOIN entity_person ep ON ep.id = l.entity_person_id
    JOIN person q ON q.id = ep.person_id WHERE l.member_id = ${sql.ref(`${member}.id`)} AND q.id_bi IS NOT NULL)
    THEN ${birthShown(person)} END`;

/**
 * A person's phone (encrypted) as the reader may see it: withheld when it was recorded outside the
 * reader's scope by a holder of the person there (xgz_person_phone, migration 0059). `alias` is the
 * person table's name in the query.
 */
export const readablePhone = (alias: string) => sql<string | null>`xgz_person_phone(${sql.ref(`${alias}.id`)})`;
