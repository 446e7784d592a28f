import { sql } from 'kysely';
import { newSince } from '../../domain/coverage/coverage.js';
import { ORG_KIND_LABEL, SETUP_MODE_LABEL, type OrgKind, type SetupMode } from '../../domain/orgs/rules.js';
import { orgKindKey, setupModeKey, toCounts, type Counts } from '../../domain/indicators/registry.js';
import { recomputeTally } from '../coverage/queries.js';
import type { Db } from './measure.js';

/**
 * Every count of one node straight from the ledger rows, with no tally and no grouping: what the
 * dashboard's figures and the snapshots must always equal (the consistency test), and the naive
 * baseline the benchmark times. Written differently on purpose: per-entity definitions
 * (entity_coverage_facts) for the coverages, plain GROUP BYs for the rest.
 */
export async function recomputeCounts(db: Db, scopeKey: string): Promise<Counts> {
  const under = (col: string) => sql`starts_with(${sql.ref(col)}, ${scopeKey})`;
  const one = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(db)).rows;
  const tally = await recomputeTally(db, scopeKey);
  const [entities] = await one<{ enterprise: number; individual: number; cooperative: number; fresh: number }>(sql`
    SELECT count(*) FILTER (WHERE kind = 'enterprise')::int AS enterprise, count(*) FILTER (WHERE kind = 'individual')::int AS individual,
      count(*) FILTER (WHERE kind = 'cooperative')::int AS cooperative, count(*) FILTER (WHERE registered_on >= ${newSince()}::date)::int AS fresh
    FROM entity WHERE status = 'active' AND ${under('scope_key')}`);
  const scalar = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await one<{ n: number }>(q))[0].n);
  const orgs = await one<{ status: string; kind: OrgKind; setup_mode: SetupMode; n: number }>(sql`
    SELECT status, kind, setup_mode, count(*)::int AS n FROM party_org WHERE body = 'party' AND ${under('scope_key')} GROUP BY 1, 2, 3`);
  const established = orgs.filter((o) => o.status === 'established');
  const sum = (rows: { n: number }[]) => rows.reduce((a, r) => a + r.n, 0);
  return toCounts({
    ...tally,
    kindEnterprise: entities.enterprise, kindIndividual: entities.individual, kindCooperative: entities.cooperative, newEntities: entities.fresh,
    membersOnRoster: await scalar(sql`SELECT count(*) AS n FROM member WHERE ${under('scope_key')}`),
    membersFound: await scalar(sql`SELECT count(*) AS n FROM member m WHERE EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id AND ${under('l.scope_key')})`),
    casesOpen: await scalar(sql`SELECT count(*) AS n FROM discovery_case WHERE state NOT IN ('confirmed', 'dismissed', 'transferred') AND ${under('scope_key')}`),
    orgsEstablished: sum(established),
    orgsPreparing: sum(orgs.filter((o) => o.status === 'preparing')),
    ...Object.fromEntries((Object.keys(ORG_KIND_LABEL) as OrgKind[]).map((k) => [orgKindKey(k), sum(established.filter((o) => o.kind === k))])),
    ...Object.fromEntries((Object.keys(SETUP_MODE_LABEL) as SetupMode[]).map((m) => [setupModeKey(m), sum(established.filter((o) => o.setup_mode === m))])),
    instructorsActive: await scalar(sql`SELECT count(*) AS n FROM instructor WHERE status = 'active' AND ${under('scope_key')}`),
    assignmentsInForce: await scalar(sql`SELECT count(*) AS n FROM instructor_assignment WHERE end_on IS NULL AND ${under('scope_key')}`),
    entitiesReached: await scalar(sql`SELECT count(*) AS n FROM entity e WHERE e.status = 'active' AND ${under('e.scope_key')} AND EXISTS (SELECT 1 FROM instructor_reach r WHERE r.entity_id = e.id)`),
    sanliangParticipants: await scalar(sql`SELECT count(DISTINCT member_id) AS n FROM sanliang WHERE status = 'active' AND ${under('scope_key')}`),
    validPlaques: await scalar(sql`SELECT count(*) AS n FROM sanliang_plaque p JOIN sanliang s ON s.id = p.record_id WHERE p.state = 'valid' AND ${under('s.scope_key')}`),
  });
}
