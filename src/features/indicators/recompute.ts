import { sql } from 'kysely';
import { newSince } from '../../domain/coverage/coverage.js';
import { ORG_KIND_LABEL, SETUP_MODE_LABEL, type OrgKind, type SetupMode } from '../../domain/orgs/rules.js';
import { orgKindKey, setupModeKey, toCounts, type Counts } from '../../domain/indicators/registry.js';
import { trainingIndicator, type SecretaryFacts } from '../../domain/recognition/training.js';
import { recomputeTally } from '../coverage/index.js';
import { hostDateOf, localDate } from '../../domain/time/zone.js';
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
      count(*) FILTER (WHERE kind = 'cooperative')::int AS cooperative, count(*) FILTER (WHERE registered_on >= ${newSince(hostDateOf())}::date)::int AS fresh
    FROM entity WHERE status = 'active' AND ${under('scope_key')}`);
  const scalar = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await one<{ n: number }>(q))[0].n);
  const orgs = await one<{ status: string; kind: OrgKind; setup_mode: SetupMode; n: number }>(sql`
    SELECT status, kind, setup_mode, count(*)::int AS n FROM party_org WHERE body = 'party' AND ${under('scope_key')} GROUP BY 1, 2, 3`);
  const established = orgs.filter((o) => o.status === 'established');
  const sum = (rows: { n: number }[]) => rows.reduce((a, r) => a + r.n, 0);
  return toCounts({
    ...tally,
    kindEnterprise: entities.enterprise,
    kindIndividual: entities.individual,
    kindCooperative: entities.cooperative,
    newEntities: entities.fresh,
    membersOnRoster: await scalar(
      sql`SELECT count(*) AS n FROM member WHERE xgz_member_on_roll(member_status) AND ${under('scope_key')}`,
    ),
    membersFound: await scalar(
      sql`SELECT count(*) AS n FROM member m WHERE xgz_member_on_roll(m.member_status) AND EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id AND ${under('l.scope_key')})`,
    ),
    casesOpen: await scalar(
      sql`SELECT count(*) AS n FROM discovery_case WHERE state IN ('open', 'contacted') AND ${under('scope_key')}`,
    ),
    orgsEstablished: sum(established),
    orgsPreparing: sum(orgs.filter((o) => o.status === 'preparing')),
    ...Object.fromEntries(
      (Object.keys(ORG_KIND_LABEL) as OrgKind[]).map((k) => [
        orgKindKey(k),
        sum(established.filter((o) => o.kind === k)),
      ]),
    ),
    ...Object.fromEntries(
      (Object.keys(SETUP_MODE_LABEL) as SetupMode[]).map((m) => [
        setupModeKey(m),
        sum(established.filter((o) => o.setup_mode === m)),
      ]),
    ),
    instructorsActive: await scalar(
      sql`SELECT count(*) AS n FROM instructor WHERE status = 'active' AND ${under('scope_key')}`,
    ),
    assignmentsInForce: await scalar(
      sql`SELECT count(*) AS n FROM instructor_assignment WHERE end_on IS NULL AND ${under('scope_key')}`,
    ),
    guidanceThisYear: await scalar(
      sql`SELECT count(*) AS n FROM guidance_record WHERE on_date >= ${`${localDate().slice(0, 4)}-01-01`}::date AND ${under('scope_key')}`,
    ),
    entitiesReached: await scalar(
      sql`SELECT count(*) AS n FROM entity e WHERE e.status = 'active' AND ${under('e.scope_key')} AND EXISTS (SELECT 1 FROM instructor_reach r WHERE r.entity_id = e.id)`,
    ),
    sanliangParticipants: await scalar(
      sql`SELECT count(DISTINCT member_id) AS n FROM sanliang WHERE status = 'active' AND ${under('scope_key')}`,
    ),
    validPlaques: await scalar(
      sql`SELECT count(*) AS n FROM sanliang_plaque p JOIN sanliang s ON s.id = p.record_id WHERE p.state = 'valid' AND ${under('s.scope_key')}`,
    ),
    contactPoints: await scalar(
      sql`SELECT count(*) AS n FROM recognition_point WHERE kind = 'contact' AND status = 'active' AND ${under('scope_key')}`,
    ),
    demoPoints: await scalar(
      sql`SELECT count(*) AS n FROM recognition_point WHERE kind = 'demo' AND status = 'active' AND ${under('scope_key')}`,
    ),
    honoursAwarded: await scalar(
      sql`SELECT count(*) AS n FROM honour WHERE state = 'awarded' AND ${under('scope_key')}`,
    ),
    ...(await recomputeTraining(db, scopeKey)),
    ...(await recomputeAppeals(db, scopeKey)),
    ...(await recomputeSector(db, scopeKey)),
  });
}

/**
 * Units, new employment groups, Youth League, assistance: one row per table, straight from the
 * ledger (the sector's coverage through the domain's unit definitions applied row by row).
 */
async function recomputeSector(db: Db, scopeKey: string) {
  const k = scopeKey;
  const {
    rows: [r],
  } = await sql<Record<string, number>>`SELECT
    (SELECT count(*) FROM bureau_unit WHERE kind = 'xgz_committee' AND status = 'active' AND starts_with(scope_key, ${k}))::int AS "xgzCommittees",
    (SELECT count(*) FROM bureau_unit WHERE kind = 'guidance_post' AND status = 'active' AND starts_with(scope_key, ${k}))::int AS "guidancePosts",
    (SELECT count(*) FROM platform WHERE status = 'active' AND starts_with(scope_key, ${k}))::int AS "platforms",
    (SELECT count(*) FROM platform_partner WHERE starts_with(scope_key, ${k}))::int AS "platformPartners",
    (SELECT count(*) FROM delivery_station WHERE status = 'open' AND starts_with(scope_key, ${k}))::int AS "deliveryStations",
    (SELECT coalesce(sum(c.riders), 0) FROM delivery_station s JOIN LATERAL (SELECT riders FROM rider_count WHERE delivery_station_id = s.id ORDER BY as_of DESC LIMIT 1) c ON true
       WHERE s.status = 'open' AND starts_with(s.scope_key, ${k}))::int AS "riders",
    (SELECT count(*) FROM rider_person WHERE role = 'member' AND left_on IS NULL AND starts_with(scope_key, ${k}))::int AS "memberRiders",
    (SELECT count(*) FROM party_org WHERE body = 'party' AND status = 'established' AND sector = 'riders' AND kind = 'committee' AND setup_mode = 'industry' AND starts_with(scope_key, ${k}))::int AS "riderCommittees",
    (SELECT count(*) FROM party_org WHERE body = 'party' AND status = 'established' AND setup_mode = 'mobile' AND starts_with(scope_key, ${k}))::int AS "mobileBranches",
    (SELECT count(*) FROM mobile_card WHERE returned_on IS NULL AND expires_on >= ${localDate()}::date AND starts_with(scope_key, ${k}))::int AS "mobileCardsValid",
    (SELECT count(*) FROM party_org WHERE body = 'league' AND status = 'established' AND starts_with(scope_key, ${k}))::int AS "leagueOrgs",
    (SELECT count(DISTINCT m.person_id) FROM party_org_member m WHERE starts_with(m.scope_key, ${k})
       AND EXISTS (SELECT 1 FROM party_org o WHERE o.id = m.org_id AND o.body = 'league' AND o.status = 'established'))::int AS "leagueMembers",
    (SELECT count(*) FROM assistance_program WHERE starts_with(scope_key, ${k}))::int AS "assistancePrograms",
    (SELECT count(*) FROM assistance_entity WHERE starts_with(scope_key, ${k}))::int AS "assistedEntities",
    (SELECT count(*) FROM assistance_entity WHERE outcome = 'resolved' AND starts_with(scope_key, ${k}))::int AS "assistedResolved",
    (SELECT count(*) FROM assistance_entity WHERE outcome = 'improved' AND starts_with(scope_key, ${k}))::int AS "assistedImproved",
    (SELECT count(*) FROM assistance_entity WHERE outcome = 'unresolved' AND starts_with(scope_key, ${k}))::int AS "assistedUnresolved",
    (SELECT count(*) FROM assistance_entity WHERE outcome = 'ongoing' AND starts_with(scope_key, ${k}))::int AS "assistedOngoing"`.execute(
    db,
  );
  // The sector's coverage: each operating platform and station through the domain's definition.
  const { rows: units } = await sql<{
    unit_type: 'platform' | 'delivery_station';
    own_org: boolean;
    own_instructor: boolean;
    entity_any_org: boolean | null;
    entity_work: boolean | null;
  }>`
    SELECT 'platform' AS unit_type, p.id,
      EXISTS (SELECT 1 FROM party_org_unit u JOIN party_org o ON o.id = u.org_id WHERE u.platform_id = p.id AND o.body = 'party' AND o.status = 'established') AS own_org,
      EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.platform_id = p.id AND a.end_on IS NULL) AS own_instructor,
      ec.any_org AS entity_any_org, ec.work AS entity_work
    FROM platform p LEFT JOIN entity_coverage ec ON ec.entity_id = p.entity_id WHERE p.status = 'active' AND starts_with(p.scope_key, ${k})
    UNION ALL
    SELECT 'delivery_station', s.id,
      EXISTS (SELECT 1 FROM party_org_unit u JOIN party_org o ON o.id = u.org_id WHERE u.delivery_station_id = s.id AND o.body = 'party' AND o.status = 'established'),
      EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.delivery_station_id = s.id AND a.end_on IS NULL),
      ec.any_org, ec.work
    FROM delivery_station s LEFT JOIN entity_coverage ec ON ec.entity_id = s.entity_id WHERE s.status = 'open' AND starts_with(s.scope_key, ${k})`.execute(
    db,
  );
  const flags = units.map((u) => ({
    type: u.unit_type,
    anyOrg: u.own_org || !!u.entity_any_org,
    work: u.own_org || u.own_instructor || !!u.entity_work,
  }));
  const {
    rows: [a],
  } = await sql<{ closed: number; visit: number }>`
    SELECT count(*) FILTER (WHERE state IN ('resolved', 'closed'))::int AS closed, count(*) FILTER (WHERE door = 'visit')::int AS visit
    FROM appeal_case WHERE starts_with(scope_key, ${k})`.execute(db);
  return {
    ...r,
    platformsAnyOrg: flags.filter((f) => f.type === 'platform' && f.anyOrg).length,
    stationsAnyOrg: flags.filter((f) => f.type === 'delivery_station' && f.anyOrg).length,
    stationsWork: flags.filter((f) => f.type === 'delivery_station' && f.work).length,
    appealsClosed: a.closed,
    visitProblems: a.visit,
  };
}

/** Cases straight from their rows (the source reads the kept tally), and visits. */
async function recomputeAppeals(db: Db, scopeKey: string) {
  const {
    rows: [c],
  } = await sql<{ received: number; open: number; overdue: number; rated: number; satisfied: number }>`
    SELECT count(*)::int AS received, count(*) FILTER (WHERE state NOT IN ('resolved', 'closed'))::int AS open,
      count(*) FILTER (WHERE state NOT IN ('resolved', 'closed') AND due_at < now())::int AS overdue,
      count(satisfaction)::int AS rated, count(*) FILTER (WHERE satisfaction >= 4)::int AS satisfied
    FROM appeal_case WHERE starts_with(scope_key, ${scopeKey})`.execute(db);
  const {
    rows: [v],
  } = await sql<{ visits: number; entities: number }>`
    SELECT count(*)::int AS visits, count(DISTINCT entity_id)::int AS entities FROM visit_record WHERE starts_with(scope_key, ${scopeKey})`.execute(
    db,
  );
  return {
    appealsReceived: c.received,
    appealsOpen: c.open,
    appealsOverdue: c.overdue,
    appealsRated: c.rated,
    appealsSatisfied: c.satisfied,
    visits: v.visits,
    entitiesVisited: v.entities,
  };
}

/** The training indicator by the domain function itself, over every secretary appointment of the subtree (not the SQL the source shares). */
async function recomputeTraining(db: Db, scopeKey: string) {
  const { rows } = await sql<{
    body: string;
    status: string;
    founded_on: string | null;
    term_start: string;
    term_end: string;
    left_on: string | null;
    ends: string[];
  }>`
    SELECT o.body, o.status, o.founded_on::text, f.term_start::text, f.term_end::text, f.left_on::text,
      ARRAY(SELECT c.ends_on::text FROM training_trainee t JOIN training_class c ON c.id = t.class_id WHERE t.officer_id = f.id AND t.completed) AS ends
    FROM party_org_officer f JOIN party_org o ON o.id = f.org_id WHERE f.role = 'secretary' AND starts_with(f.scope_key, ${scopeKey})`.execute(
    db,
  );
  const facts: SecretaryFacts[] = rows.map((r) => ({
    party: r.body === 'party',
    orgDissolved: r.status === 'dissolved',
    orgFoundedOn: r.founded_on,
    termStart: r.term_start,
    termEnd: r.term_end,
    leftOn: r.left_on,
    completedClassEnds: r.ends,
  }));
  const { all } = trainingIndicator(facts, localDate());
  return { secretaries: all.secretaries, secretariesTrained: all.trained };
}
