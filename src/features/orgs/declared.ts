import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';

/**
 * Registers in the ledger the organizations entities declare in their latest annual report
 * (`parIns` 1 branch / 2 general branch / 3 committee, set up alone: `parOrgW` 1 or not given),
 * for entities no organization covers yet. They enter as 已建 on the declared date with a note
 * that they await checking. Joint and affiliated declarations name no organization, so they are
 * left to staff: the proposals and the entity list ("年报有党组织") show them.
 */
export async function registerDeclaredOrgs(db: Transaction<DB>, scopeKey: string): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    WITH declared AS (
      SELECT e.id AS entity_id, e.name, e.county_code, e.station_code, e.scope_key, a.year, a.party_org_form, a.party_org_set_on
      FROM entity e
      JOIN LATERAL (SELECT * FROM annual_report r WHERE r.entity_id = e.id ORDER BY r.year DESC LIMIT 1) a ON true
      WHERE starts_with(e.scope_key, ${scopeKey}) AND e.status = 'active' AND a.party_org_form > 0 AND coalesce(a.party_org_way, 1) = 1
        AND NOT EXISTS (SELECT 1 FROM party_org_entity pe JOIN party_org o ON o.id = pe.org_id WHERE pe.entity_id = e.id AND o.status <> 'dissolved')
        -- An organization out of sight (its link is in its scope) covers it as well: the coverage facts say so.
        AND NOT EXISTS (SELECT 1 FROM entity_coverage c WHERE c.entity_id = e.id AND c.any_org)
    ), orgs AS (
      INSERT INTO party_org (name, kind, setup_mode, county_code, station_code, scope_key, status, founded_on, note)
      SELECT d.name || (ARRAY['党支部', '党总支', '党委'])[d.party_org_form], (ARRAY['branch', 'general_branch', 'committee'])[d.party_org_form],
        'standalone', d.county_code, d.station_code, d.scope_key, 'established', coalesce(d.party_org_set_on, make_date(d.year, 12, 31)),
        d.year || ' 年度年报申报，待核实'
      FROM declared d
      ON CONFLICT ON CONSTRAINT party_org_name_uq DO NOTHING
      RETURNING id, name, county_code, scope_key
    )
    INSERT INTO party_org_entity (org_id, entity_id, scope_key)
    SELECT o.id, d.entity_id, o.scope_key FROM orgs o
    JOIN declared d ON d.county_code = o.county_code AND d.name || (ARRAY['党支部', '党总支', '党委'])[d.party_org_form] = o.name
    RETURNING org_id AS id`.execute(db);
  return rows.length;
}
