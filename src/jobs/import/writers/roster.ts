import crypto from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../../db/schema.js';
import type { Keys } from '../../../crypto/keys.js';
import { blindIndex } from '../../../crypto/field.js';
import { insertUnidentified, upsertIdentified } from '../../../features/persons/index.js';
import type { RosterRow } from '../../../domain/ledger/rows.js';
import type { Numbered } from './registry.js';

/**
 * The natural key of a roster member: the ID number's blind index, or, without a usable
 * number, a hash of name, birth date and org relation (what the roster says about them).
 */
export function rosterKey(keys: Keys, r: RosterRow): string {
  if (r.idNumber) return `id:${blindIndex(keys, r.idNumber.value)}`;
  return `n:${crypto
    .createHash('sm3')
    .update(`${r.name}|${r.birthDate ?? ''}|${r.orgRelation ?? ''}`)
    .digest('hex')}`;
}

/**
 * Upserts roster members (and their persons) in the caller's scoped transaction; a member's
 * sources gain 'roster' and a roster record counts as confirmed. Returns rows inserted or changed.
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
  const ids = await upsertIdentified(
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

  // Without a number: the member already on file under the same key keeps their person.
  const unidentified = rows.map((r, i) => ({ r, k: rkeys[i] })).filter((x) => !x.r.idNumber);
  if (unidentified.length) {
    const known = await db
      .selectFrom('member')
      .select(['roster_key', 'person_id'])
      .where(
        'roster_key',
        'in',
        unidentified.map((x) => x.k),
      )
      .execute();
    for (const m of known) personOf.set(m.roster_key!, m.person_id);
    const fresh = unidentified.filter((x) => !personOf.has(x.k));
    const made = await insertUnidentified(
      db,
      keys,
      fresh.map(({ r }) => ({ name: r.name, phone: r.phone })),
    );
    fresh.forEach((x, i) => personOf.set(x.k, made[i]));
  }

  const res = await sql<{ id: number }>`
    INSERT INTO member AS m (person_id, roster_key, membership, join_date, org_relation, org_relation_code, member_status, occupation, workplace, sources, confidence, scope_key)
    SELECT p, k, ms, jd, orl, orc, st, occ, wp, ARRAY['roster'], 'confirmed', ${scopeKey}
    FROM unnest(${rkeys.map((k) => personOf.get(k)!)}::bigint[], ${rkeys}::text[], ${rows.map((r) => r.membership)}::text[], ${rows.map((r) => r.joinDate ?? null)}::date[],
      ${rows.map((r) => r.orgRelation)}::text[], ${rows.map((r) => r.orgRelationCode)}::text[], ${rows.map((r) => r.memberStatus)}::text[],
      ${rows.map((r) => r.occupation)}::text[], ${rows.map((r) => r.workplace)}::text[]) AS t(p, k, ms, jd, orl, orc, st, occ, wp)
    ON CONFLICT (person_id) DO UPDATE SET
      roster_key = EXCLUDED.roster_key, membership = EXCLUDED.membership, join_date = EXCLUDED.join_date, org_relation = EXCLUDED.org_relation,
      org_relation_code = EXCLUDED.org_relation_code, member_status = EXCLUDED.member_status, occupation = EXCLUDED.occupation, workplace = EXCLUDED.workplace,
      sources = (SELECT array_agg(DISTINCT s) FROM unnest(m.sources || ARRAY['roster']) s), confidence = 'confirmed', updated_at = now()
    WHERE (m.roster_key, m.membership, m.join_date, m.org_relation, m.org_relation_code, m.member_status, m.occupation, m.workplace, m.confidence)
      IS DISTINCT FROM (EXCLUDED.roster_key, EXCLUDED.membership, EXCLUDED.join_date, EXCLUDED.org_relation, EXCLUDED.org_relation_code, EXCLUDED.member_status, EXCLUDED.occupation, EXCLUDED.workplace, 'confirmed')
      OR NOT ('roster' = ANY(m.sources))
    RETURNING m.id`.execute(db);

  // Birth date and sex for members known only by name: what the roster says (a birth month is no date: it stays in the key only).
  const day = (r: RosterRow) => (r.birthDate && r.birthDate.length === 10 ? r.birthDate : null);
  const dated = unidentified.filter((x) => day(x.r) || x.r.sex);
  if (dated.length) {
    await sql`UPDATE person p SET birth_date = coalesce(t.b, p.birth_date), sex = coalesce(t.s, p.sex)
      FROM unnest(${dated.map((x) => personOf.get(x.k)!)}::bigint[], ${dated.map((x) => day(x.r))}::date[], ${dated.map((x) => x.r.sex ?? null)}::text[]) AS t(id, b, s)
      WHERE p.id = t.id AND (p.birth_date IS DISTINCT FROM coalesce(t.b, p.birth_date) OR p.sex IS DISTINCT FROM coalesce(t.s, p.sex))`.execute(
      db,
    );
  }
  return res.rows.length;
}
