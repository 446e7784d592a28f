import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AnnualReportRow } from '../../domain/ledger/rows.js';
import type { Numbered } from './registry-writer.js';

/**
 * Upserts a batch of annual-report rows onto the entities they name (by uscc, else reg_no) in
 * the caller's scoped transaction. Returns the number of reports inserted or changed, and the
 * row numbers whose entity is not in the ledger within scope.
 */
export async function writeAnnualReportBatch(db: Transaction<DB>, batch: Numbered<AnnualReportRow>[]): Promise<{ changed: number; unknownRows: number[] }> {
  const c = <T>(f: (r: AnnualReportRow) => T) => batch.map((b) => f(b.row));
  const res = await sql<{ changed: number; unknown_rows: number[] | null }>`
    WITH t AS (
      SELECT * FROM unnest(${batch.map((b) => b.rowNo)}::int[], ${c((r) => r.uscc ?? null)}::text[], ${c((r) => r.regNo ?? null)}::text[], ${c((r) => r.year)}::int[],
        ${c((r) => r.filingStatus)}::text[], ${c((r) => r.filedOn ?? null)}::date[], ${c((r) => r.employees ?? null)}::int[], ${c((r) => r.partyMembers ?? null)}::int[],
        ${c((r) => r.partyOrgForm ?? null)}::int[], ${c((r) => r.partyOrgWay ?? null)}::int[], ${c((r) => r.partyOrgSetOn ?? null)}::date[],
        ${c((r) => r.repIsMember ?? null)}::bool[], ${c((r) => r.repIsSecretary ?? null)}::bool[])
      AS t(row_no, uscc, reg_no, year, filing_status, filed_on, employees, party_members, party_org_form, party_org_way, party_org_set_on, rep_is_member, rep_is_secretary)
    ), m AS (
      SELECT t.*, e.id AS entity_id, e.scope_key FROM t JOIN entity e ON e.uscc = t.uscc
      UNION ALL
      SELECT t.*, e.id, e.scope_key FROM t JOIN entity e ON e.reg_no = t.reg_no WHERE t.uscc IS NULL
    ), up AS (
      INSERT INTO annual_report AS a (entity_id, year, scope_key, filing_status, filed_on, employees, party_members, party_org_form, party_org_way, party_org_set_on, rep_is_member, rep_is_secretary)
      SELECT entity_id, year, scope_key, filing_status, filed_on, employees, party_members, party_org_form, party_org_way, party_org_set_on, rep_is_member, rep_is_secretary FROM m
      ON CONFLICT (entity_id, year) DO UPDATE SET
        scope_key = EXCLUDED.scope_key, filing_status = EXCLUDED.filing_status, filed_on = EXCLUDED.filed_on, employees = EXCLUDED.employees,
        party_members = EXCLUDED.party_members, party_org_form = EXCLUDED.party_org_form, party_org_way = EXCLUDED.party_org_way,
        party_org_set_on = EXCLUDED.party_org_set_on, rep_is_member = EXCLUDED.rep_is_member, rep_is_secretary = EXCLUDED.rep_is_secretary, updated_at = now()
      WHERE (a.scope_key, a.filing_status, a.filed_on, a.employees, a.party_members, a.party_org_form, a.party_org_way, a.party_org_set_on, a.rep_is_member, a.rep_is_secretary)
        IS DISTINCT FROM (EXCLUDED.scope_key, EXCLUDED.filing_status, EXCLUDED.filed_on, EXCLUDED.employees, EXCLUDED.party_members, EXCLUDED.party_org_form,
          EXCLUDED.party_org_way, EXCLUDED.party_org_set_on, EXCLUDED.rep_is_member, EXCLUDED.rep_is_secretary)
      RETURNING 1
    )
    SELECT (SELECT count(*)::int FROM up) AS changed,
           (SELECT array_agg(row_no ORDER BY row_no) FROM t WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.row_no = t.row_no)) AS unknown_rows`.execute(db);
  return { changed: res.rows[0].changed, unknownRows: res.rows[0].unknown_rows ?? [] };
}
