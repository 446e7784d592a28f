import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { listProblem, type EditableList } from '../../domain/recognition/lists.js';
import { badRequest } from '../../http/errors.js';
import { codeList } from './shared.js';

/** The configurable lists' write: a list replaced whole, its codes in use kept. The route records the audit line. */

type Tx = Transaction<DB>;
type Entry = { code: string; label: string };

/** The codes the ledgers use, of the list's kind. */
async function codesInUse(db: Tx, kind: EditableList) {
  const { rows } =
    kind === 'honor_kind'
      ? await sql<{ code: string }>`SELECT DISTINCT kind AS code FROM honour`.execute(db)
      : kind === 'business_line'
        ? await sql<{
            code: string;
          }>`SELECT category AS code FROM appeal_case WHERE door = 'visit' UNION SELECT unit_line FROM appeal_case WHERE unit_line IS NOT NULL UNION SELECT business_line FROM assistance_program`.execute(
            db,
          )
        : await sql<{ code: string }>`SELECT DISTINCT unnest(criteria) AS code FROM recognition_point`.execute(db);
  return rows.map((x) => x.code);
}

/** Replaces the list's entries (none in use may go); returns the list as it was. */
export async function replaceCodeList(db: Tx, kind: EditableList, after: Entry[]) {
  const before = await codeList(db, kind);
  // Contact and demonstration criteria share the points' one column: only this list's codes count here.
  const inUse = new Set((await codesInUse(db, kind)).filter((c) => before.has(c)));
  const problem = listProblem(after, inUse);
  if (problem) throw badRequest(problem.message, [problem]);
  await db.deleteFrom('dictionary').where('kind', '=', kind).execute();
  await db
    .insertInto('dictionary')
    .values(after.map((e, i) => ({ kind, code: e.code, label: e.label, sort_order: i + 1 })))
    .execute();
  return before;
}
