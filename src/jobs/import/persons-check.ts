import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Keys } from '../../crypto/keys.js';
import { membersElsewhere, namesNotOnFile, NAME_NOT_ON_FILE } from '../../features/persons/index.js';
import type { RegistryRow, RosterRow } from '../../domain/ledger/rows.js';

/** The people a row names by ID number: the field that holds the name, the name and the number. */
type Named = { field: string; name: string; idNumber: string };

const PEOPLE: Record<'registry' | 'roster', (row: never) => Named[]> = {
  registry: (r: RegistryRow) =>
    (['rep', 'liaison'] as const).flatMap((p) => {
      const id = r[`${p}IdNumber`];
      const name = r[`${p}Name`];
      return id && name ? [{ field: `${p}Name`, name, idNumber: id.value }] : [];
    }),
  roster: (r: RosterRow) => (r.idNumber ? [{ field: 'name', name: r.name, idNumber: r.idNumber.value }] : []),
};

export type PersonRefusal = { index: number; field: string; reason: string };

/**
 * Rows an import may not write for the people they name, as for a form: a number with a name other
 * than the one on file where another jurisdiction holds the person (it showed the name on file and
 * linked the importer to their member record); and, in a roster, a member another county's roster
 * holds (the import rewrote that county's record, round-5 probe).
 */
export async function personRefusals(
  db: Transaction<DB>,
  keys: Keys,
  kind: 'registry' | 'roster',
  rows: (RegistryRow | RosterRow)[],
): Promise<PersonRefusal[]> {
  const named = rows.map((r) => PEOPLE[kind](r as never));
  const all = named.flat();
  if (!all.length) return [];
  const mismatched = await namesNotOnFile(db, keys, all);
  const elsewhere =
    kind === 'roster' ? await membersElsewhere(db, keys, [...new Set(all.map((p) => p.idNumber))]) : new Set();
  return named.flatMap((people, index) => {
    const wrong = people.find((p) => mismatched.has(p.idNumber));
    if (wrong) return [{ index, field: wrong.field, reason: NAME_NOT_ON_FILE }];
    const held = people.find((p) => elsewhere.has(p.idNumber));
    return held ? [{ index, field: 'idNumber', reason: HELD_ELSEWHERE }] : [];
  });
}

const HELD_ELSEWHERE =
  '此人的党员记录由其他辖区（或上级）的名册管理，本辖区不能修改；组织关系已转入本辖区的，请原辖区转出后再导入';
