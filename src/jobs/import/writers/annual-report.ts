import { sql, type Transaction } from 'kysely';
import type { DB } from '../../../db/schema.js';
import type { AnnualReportRow } from '../../../domain/ledger/rows.js';
import type { Numbered } from './registry.js';
import { arrayLiteral } from '../../../db/array-literal.js';
import { MATCHED_ROWS, NAMED_ENTITIES } from '../../../db/named-entities.js';

/**
 * Upserts a batch of annual-report rows onto the entities they name (by uscc, else reg_no) in
 * the caller's scoped transaction. Returns the number of reports inserted or changed, and the
 * row numbers whose entity is not in the ledger within scope, the accepted rows by the scope of their entity,
 * and the ids of the entities whose reports it inserted or changed (for the cases-follow hook: a report
 * imported again unchanged changes no case).
 */
export async function writeAnnualReportBatch(
  db: Transaction<DB>,
  batch: Numbered<AnnualReportRow>[],
): Promise<{ changed: number; unknownRows: number[]; byScope: Record<string, number>; entityIds: number[] }> {
  // Each column as one array literal (see arrayLiteral): the driver's per-element serialising cost more than the statement.
  const a = (f: (b: Numbered<AnnualReportRow>) => string | number | boolean | null | undefined) =>
    arrayLiteral(batch.map(f));
  const c = (f: (r: AnnualReportRow) => string | number | boolean | null | undefined) => a((b) => f(b.row));
  const res = await sql<{
    changed: number;
    unknown_rows: number[] | null;
    by_scope: Record<string, number> | null;
    entity_ids: (number | string)[] | null;
  }>`
    WITH t AS (
      SELECT * FROM unnest(${a((b) => b.rowNo)}::int[], ${c((r) => r.uscc)}::text[], ${c((r) => r.regNo)}::text[], ${c((r) => r.year)}::int[],
        ${c((r) => r.filingStatus)}::text[], ${c((r) => r.filedOn)}::date[], ${c((r) => r.employees)}::int[], ${c((r) => r.partyMembers)}::int[],
        ${c((r) => r.partyOrgForm)}::int[], ${c((r) => r.partyOrgWay)}::int[], ${c((r) => r.partyOrgSetOn)}::date[],
        ${c((r) => r.repIsMember)}::bool[], ${c((r) => r.repIsSecretary)}::bool[])
      AS t(row_no, uscc, reg_no, year, filing_status, filed_on, employees, party_members, party_org_form, party_org_way, party_org_set_on, rep_is_member, rep_is_secretary)
    ), e AS (${NAMED_ENTITIES}
    ), m AS (${MATCHED_ROWS}
    ), up AS (
      INSERT INTO annual_report AS a (entity_id, year, scope_key, filing_status, filed_on, employees, party_members, party_org_form, party_org_way, party_org_set_on, rep_is_member, rep_is_secretary)
      SELECT entity_id, year, scope_key, filing_status, filed_on, employees, party_members, party_org_form, party_org_way, party_org_set_on, rep_is_member, rep_is_secretary FROM m
      ON CONFLICT (entity_id, year) DO UPDATE SET
        scope_key = EXCLUDED.scope_key, filing_status = EXCLUDED.filing_status, filed_on = EXCLUDED.filed_on, employees = EXCLUDED.employees,
        party_members = EXCLUDED.party_members, party_org_form = EXCLUDED.party_org_form, party_org_way = EXCLUDED.party_org_way,
        party_org_set_on = EXCLUDED.party_org_set_on, rep_is_member = EXCLUDED.rep_is_member, rep_is_secretary = EXCLUDED.rep_is_secretary, updated_at = EXCLUDED.updated_at
      WHERE (a.scope_key, a.filing_status, a.filed_on, a.employees, a.party_members, a.party_org_form, a.party_org_way, a.party_org_set_on, a.rep_is_member, a.rep_is_secretary)
        IS DISTINCT FROM (EXCLUDED.scope_key, EXCLUDED.filing_status, EXCLUDED.filed_on, EXCLUDED.employees, EXCLUDED.party_members, EXCLUDED.party_org_form,
          EXCLUDED.party_org_way, EXCLUDED.party_org_set_on, EXCLUDED.rep_is_member, EXCLUDED.rep_is_secretary)
      RETURNING entity_id
    )
    SELECT (SELECT count(*)::int FROM up) AS changed,
           (SELECT array_agg(row_no ORDER BY row_no) FROM t WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.row_no = t.row_no)) AS unknown_rows,
           (SELECT jsonb_object_agg(scope_key, n) FROM (SELECT scope_key, count(*)::int AS n FROM m GROUP BY scope_key) s) AS by_scope,
           (SELECT array_agg(DISTINCT entity_id) FROM up) AS entity_ids`.execute(db);
  const r = res.rows[0];
  return {
    changed: r.changed,
    unknownRows: r.unknown_rows ?? [],
    byScope: r.by_scope ?? {},
    entityIds: (r.entity_ids ?? []).map(Number),
  };
}
