import { sql, type RawBuilder } from 'kysely';
import type { Scoped } from '../../db/scoped.js';
import { sm3Hex, canonicalJson } from '../../crypto/sm3.js';
import { arrayLiteral } from '../../db/array-literal.js';
import {
  CASE_CONDITION,
  caseKey,
  casesHeld,
  decisionBasisChanged,
  whyResolved,
  type EntityFacts,
  type HeldCase,
} from '../../domain/cases/conditions.js';
import { IMPORT_KIND_SHORT } from '../../domain/import/labels.js';
import { closeAbsentCases } from './absent.js';
import { insertCaseEvents, withCaseLog } from './case-log.js';
import { isEnded, isPending, PENDING_STATES } from '../../domain/cases/workflow.js';
import type { CaseChange } from './change.js';

export type { CaseChange } from './change.js';

/** A member's fields the conditions read; declaredOnly: only an annual report says so (not vouched). */
export type MemberFacts = { status: string; orgRelation: string | null; declaredOnly: boolean };

const DECIDED = ['confirmed', 'dismissed', 'transferred'];

/**
 * Brings the exact links (same person by ID number) of some entities up to date: a role of an
 * operating entity held by a person on any roster is linked, a link no longer so derived goes.
 * Rosters held anywhere count (a county's roster serves its stations); see xgz_discovery_exact_in.
 */
export async function refreshExactLinks(
  db: Scoped['db'],
  entityIds: number[],
): Promise<{ added: number; removed: number }> {
  if (!entityIds.length) return { added: 0, removed: 0 };
  const derived = await sql<{
    member_id: number;
    entity_person_id: number;
    entity_id: number;
    scope_key: string;
  }>`SELECT * FROM xgz_discovery_exact_in(${entityIds}::bigint[])`.execute(db);
  const rows = derived.rows;
  // The exact links of these entities no longer derived, found entity by entity (LATERAL, as in
  // xgz_discovery_exact_in) and deleted by id: not a scan of member_link by `= ANY` (see factsOf).
  // With them, these entities' links of any method whose member has ended (migration 0100).
  const gone = await sql`DELETE FROM member_link WHERE id = ANY(ARRAY(
    SELECT l.id FROM unnest(${entityIds}::bigint[]) AS i(id)
    CROSS JOIN LATERAL (SELECT x.id, x.member_id, x.entity_person_id FROM member_link x WHERE x.entity_id = i.id AND x.method = 'exact' OFFSET 0) l
    WHERE NOT EXISTS (SELECT 1 FROM unnest(${rows.map((r) => r.member_id)}::bigint[], ${rows.map((r) => r.entity_person_id)}::bigint[]) AS d(m, r) WHERE d.m = l.member_id AND d.r = l.entity_person_id)
    UNION ALL SELECT id FROM xgz_discovery_ended_links(${entityIds}::bigint[])))`.execute(db);
  let added = 0;
  if (rows.length) {
    const res =
      await sql`INSERT INTO member_link AS l (member_id, entity_person_id, entity_id, method, score, levels, scope_key)
      SELECT m, r, e, 'exact', 99, '{"idNumber":"same"}'::jsonb, k FROM unnest(${rows.map((r) => r.member_id)}::bigint[], ${rows.map((r) => r.entity_person_id)}::bigint[],
        ${rows.map((r) => r.entity_id)}::bigint[], ${rows.map((r) => r.scope_key)}::text[]) AS t(m, r, e, k)
      ON CONFLICT (member_id, entity_person_id) DO UPDATE SET method = 'exact', score = 99, levels = EXCLUDED.levels, entity_id = EXCLUDED.entity_id, scope_key = EXCLUDED.scope_key
      WHERE l.method = 'probabilistic' OR (l.method = 'exact' AND (l.entity_id, l.scope_key) IS DISTINCT FROM (EXCLUDED.entity_id, EXCLUDED.scope_key))`.execute(
        db,
      );
    added = Number(res.numAffectedRows ?? 0);
  }
  return { added, removed: Number(gone.numAffectedRows ?? 0) };
}

/** A link as a discovery run derives it (levels null: found by ID number). */
export type DerivedLink = {
  memberId: number;
  roleId: number;
  entityId: number;
  method: 'exact' | 'probabilistic';
  score: number;
  levels: unknown;
  scopeKey: string;
};

/**
 * Derived links as rows of member_link's columns, sent as one JSON parameter: what the run
 * writes (run.ts) and, beside the writing, what the facts of its cases read. Exact links carry
 * the levels {"idNumber":"same"}.
 */
export const derivedLinkRows = (links: DerivedLink[]) =>
  sql`(SELECT t.m AS member_id, t.r AS entity_person_id, t.e AS entity_id, t.k AS method, t.s AS score, coalesce(t.v, '{"idNumber":"same"}') AS levels, t.p AS scope_key
    FROM json_to_recordset(${JSON.stringify(links.map((l) => ({ m: l.memberId, r: l.roleId, e: l.entityId, k: l.method, s: l.score, v: l.levels ?? undefined, p: l.scopeKey })))}::json)
      AS t(m bigint, r bigint, e bigint, k text, s real, v jsonb, p text))`;

type FactRow = {
  entity_id: number;
  name: string;
  kind: string;
  scope_key: string;
  status: string;
  county_name: string;
  areas: string[];
  declared: number | null;
  org_form: number | null;
  report_year: number | null;
  found: { member: number; role: number; method: string; score: number; levels: unknown }[] | null;
  orgs: string[] | null;
  registered: number[] | null;
};

/**
 * The facts of the entities whose cases may change: the given ones (null: every entity in scope
 * that has members found or declared, or a case not yet resolved).
 *
 * Each part (latest report, links, organizations, registered members, pending cases) is one
 * subquery, planned two ways. For all entities (a full run) it is joined once, set-based. For the
 * given ones it is LATERAL, filtered by `= e.id`: each entity's rows are read through their
 * index. As a set-based join filtered by `= ANY(ids)`, the planner, without statistics for the
 * column (a ledger filled since its last ANALYZE, e.g. by this very import), took the list for
 * the whole table and scanned all of annual_report and discovery_case on every import batch:
 * a cost that grew with the ledger, not with the batch (see bench/README.md, import).
 */
/**
 * Of the given entities, those that may hold a case: found or declared members, or a case not yet
 * resolved (the condition at the end of factsOf, by three index probes). Most entities an import
 * batch touches have none, and skip factsOf's other lookups.
 */
function candidates(entityIds: number[], pending: number[]) {
  return sql`(SELECT * FROM entity e WHERE e.id = ANY(${entityIds}::bigint[]) AND (
    (e.status = 'active' AND (EXISTS (SELECT 1 FROM member_link l WHERE l.entity_id = e.id)
      OR coalesce((SELECT a.party_members FROM annual_report a WHERE a.entity_id = e.id ORDER BY a.year DESC LIMIT 1), 0) > 0))
    OR e.id = ANY(${pending}::bigint[])) OFFSET 0)`;
}

/** A case on file not resolved, as cases-follow compares it with the cases the facts hold. */
type OpenCase = {
  id: number;
  kind: string;
  entity_id: number;
  member_id: number;
  state: string;
  evidence_hash: string;
  scope_key: string;
  county_code: string;
  /** A decided case's evidence: whether what its decision rests on changed (decisionBasisChanged). */
  evidence: Record<string, unknown> | null;
};

// The entities' cases not resolved (a self-report's and a missing member's are not the facts'
// to follow). roster_absent cases name no entity.
const unresolved = sql`SELECT id, kind, entity_id, coalesce(member_id, 0) AS member_id, state, evidence_hash, scope_key, county_code,
      CASE WHEN state IN ('confirmed', 'dismissed', 'transferred') THEN evidence END AS evidence FROM discovery_case
    WHERE kind NOT IN ('self_report', 'roster_absent') AND state <> 'resolved'`;

/**
 * The given entities' cases not resolved, in a statement of their own, read before their facts:
 * on Citus the cases are on the workers, and a case read per entity beside the coordinator's
 * entity (a LATERAL or correlated subquery) is refused ("direct joins between distributed and
 * local tables are not supported", "cannot push down this subquery"). `= ANY` on one table is
 * read through the partial index discovery_case_entity_scope_idx (state <> 'resolved').
 */
async function openCasesOf(db: Scoped['db'], entityIds: number[]): Promise<OpenCase[]> {
  return (await sql<OpenCase>`${unresolved} AND entity_id = ANY(${entityIds}::bigint[])`.execute(db)).rows;
}

/**
 * given (a full run only): the links the run derived, read in place of member_link with the
 * staff's links on file, so that the facts can be read on another connection while the run's
 * own transaction writes those links (run.ts). A derived link the staff already recorded is
 * theirs, as the writer leaves it.
 */
async function factsOf(
  db: Scoped['db'],
  entityIds: number[] | null,
  given?: DerivedLink[],
  pending: number[] = [],
): Promise<FactRow[]> {
  const one = entityIds !== null;
  const links = given
    ? sql`(SELECT g.* FROM ${derivedLinkRows(given)} g WHERE NOT EXISTS (SELECT 1 FROM member_link x WHERE x.method = 'staff' AND x.member_id = g.member_id AND x.entity_person_id = g.entity_person_id)
      UNION ALL SELECT member_id, entity_person_id, entity_id, method, score, levels, scope_key FROM member_link WHERE method = 'staff')`
    : sql`member_link`;
  const of = (col: string) => (one ? sql`${sql.ref(col)} = e.id` : sql`true`);
  const join = one ? sql`LEFT JOIN LATERAL` : sql`LEFT JOIN`;
  const res = await sql<FactRow>`
    SELECT e.id AS entity_id, e.name, e.kind, e.scope_key, e.status, c.name AS county_name, coalesce(st.served_areas, '{}') AS areas,
      latest.party_members AS declared, latest.party_org_form AS org_form, latest.year AS report_year, found.found, orgs.orgs, registered.registered
    FROM ${one ? candidates(entityIds, pending) : sql`entity`} e
    JOIN jurisdiction c ON c.code = e.county_code
    LEFT JOIN jurisdiction st ON st.code = e.station_code
    ${join} (
      SELECT DISTINCT ON (a.entity_id) a.entity_id, a.party_members, a.party_org_form, a.year FROM annual_report a WHERE ${of('a.entity_id')} ORDER BY a.entity_id, a.year DESC ${one ? sql`LIMIT 1` : sql``}
    ) latest ON latest.entity_id = e.id
    ${join} (
      SELECT l.entity_id, json_agg(json_build_object('member', l.member_id, 'role', l.entity_person_id, 'method', l.method, 'score', l.score, 'levels', l.levels) ORDER BY l.member_id, l.entity_person_id) AS found
      FROM ${links} l WHERE ${of('l.entity_id')} GROUP BY l.entity_id
    ) found ON found.entity_id = e.id
    ${join} (
      SELECT pe.entity_id, array_agg(o.name ORDER BY o.name) AS orgs FROM party_org_entity pe JOIN party_org o ON o.id = pe.org_id
      WHERE o.body = 'party' AND o.status <> 'dissolved' AND ${of('pe.entity_id')} GROUP BY pe.entity_id
    ) orgs ON orgs.entity_id = e.id
    -- Registered with an organization that still stands: one 撤销 holds nobody (as it covers nothing, above).
    ${join} (
      SELECT pe.entity_id, array_agg(om.member_id)::int[] AS registered FROM party_org_entity pe JOIN party_org o ON o.id = pe.org_id JOIN party_org_member om ON om.org_id = pe.org_id
      WHERE om.member_id IS NOT NULL AND o.body = 'party' AND o.status <> 'dissolved' AND ${of('pe.entity_id')} GROUP BY pe.entity_id
    ) registered ON registered.entity_id = e.id
    ${
      one
        ? sql``
        : sql`LEFT JOIN (
      SELECT DISTINCT d.entity_id FROM discovery_case d WHERE d.state <> 'resolved' AND d.kind <> 'self_report'
    ) pending ON pending.entity_id = e.id`
    }
    WHERE ${one ? sql`e.id = ANY(${entityIds}::bigint[])` : sql`true`}
      AND ((e.status = 'active' AND (found.entity_id IS NOT NULL OR coalesce(latest.party_members, 0) > 0))
        OR ${one ? sql`e.id = ANY(${pending}::bigint[])` : sql`pending.entity_id IS NOT NULL`})`.execute(db);
  return res.rows;
}

/**
 * The facts of the entities (null: all in scope), with the facts of their members found: those
 * the caller has not read are read here, through the links in scope. Its own function so that the
 * rows as read (a province's millions) are garbage before the cases are written.
 */
async function entityFacts(
  db: Scoped['db'],
  ids: number[] | null,
  known: Map<number, MemberFacts>,
  read?: Promise<FactRow[]>,
  pending?: number[],
): Promise<Map<number, EntityFacts>> {
  const rows = await (read ?? factsOf(db, ids, undefined, pending));
  const missing = [...new Set(rows.flatMap((r) => (r.found ?? []).map((f) => Number(f.member))))].filter(
    (m) => !known.has(m),
  );
  if (missing.length) {
    const entities = rows.filter((r) => r.found).map((r) => Number(r.entity_id));
    const read = await sql<{
      id: number;
      org_relation: string | null;
      member_status: string;
      sources: string[];
    }>`SELECT * FROM xgz_discovery_linked_members(${entities}::bigint[])`.execute(db);
    for (const m of read.rows)
      if (!known.has(Number(m.id)))
        known.set(Number(m.id), {
          status: m.member_status,
          orgRelation: m.org_relation,
          declaredOnly: m.sources.every((x) => x === 'declared'),
        });
  }
  const converted = await conversionsOf(
    db,
    rows
      .filter((r) => r.kind === 'individual' && r.status === 'active')
      .flatMap((r) => (r.found ?? []).map((f) => Number(f.role))),
  );
  const facts = new Map<number, EntityFacts>();
  for (const r of rows) {
    facts.set(Number(r.entity_id), {
      entityId: Number(r.entity_id),
      name: r.name,
      scopeKey: r.scope_key,
      status: r.status,
      areas: [...r.areas, r.county_name],
      declared: r.declared,
      orgForm: r.org_form,
      reportYear: r.report_year,
      orgs: r.orgs ?? [],
      registered: (r.registered ?? []).map(Number),
      found: (r.found ?? []).flatMap((f) => {
        const m = known.get(Number(f.member));
        return m
          ? [
              {
                member: Number(f.member),
                role: Number(f.role),
                method: f.method,
                score: f.score,
                levels: f.levels,
                vouched: !m.declaredOnly,
                status: m.status,
                orgRelation: m.orgRelation,
                convertedTo: converted.get(Number(f.role)) ?? null,
              },
            ]
          : [];
      }),
    });
  }
  return facts;
}

/**
 * 个体转企业 (DOMAIN.md: the 个体工商户's registration ends; the enterprise is a new entity): the
 * 经营者 (cv_ep) of a 个体工商户 (cv_e) who is the legal representative of an operating enterprise (or
 * cooperative, cv_e2) registered on or after it. The registry links the two only by the keeper;
 * while an extract still shows the 个体 存续 beside the enterprise, the business is the enterprise's:
 * the member is verified once, there (casesHeld), and 组建 is proposed for it (orgs' candidates).
 * Its own aliases, so that it reads the same inside a statement that has an `e` of its own.
 */
const CONVERSION = sql`entity_person cv_ep
    JOIN entity cv_e ON cv_e.id = cv_ep.entity_id AND cv_e.kind = 'individual'
    JOIN entity_person cv_ep2 ON cv_ep2.person_id = cv_ep.person_id AND cv_ep2.role = 'legal_rep' AND cv_ep2.entity_id <> cv_ep.entity_id
    JOIN entity cv_e2 ON cv_e2.id = cv_ep2.entity_id AND cv_e2.kind <> 'individual' AND cv_e2.status = 'active' AND cv_e2.registered_on >= cv_e.registered_on
    WHERE cv_ep.role = 'legal_rep'`;

/** Whether the 个体工商户 with this id went on as an enterprise (CONVERSION), as an SQL condition. */
export const convertedIndividual = (entityId: RawBuilder<unknown>) =>
  sql<boolean>`EXISTS (SELECT 1 FROM ${CONVERSION} AND cv_ep.entity_id = ${entityId})`;

/** Of these roles, the converted keepers' (CONVERSION), with the enterprise's name (the earliest registered). */
async function conversionsOf(db: Scoped['db'], roleIds: number[]): Promise<Map<number, string>> {
  if (!roleIds.length) return new Map();
  const res = await sql<{ role: number; later: string }>`
    SELECT DISTINCT ON (cv_ep.id) cv_ep.id AS role, cv_e2.name AS later FROM ${CONVERSION} AND cv_ep.id = ANY(${roleIds}::bigint[])
    ORDER BY cv_ep.id, cv_e2.registered_on, cv_e2.id`.execute(db);
  return new Map(res.rows.map((r) => [Number(r.role), r.later]));
}

/**
 * The 个体工商户 whose keeper is the legal representative of one of these entities: their cases
 * depend on it (conversionsOf), so they follow its changes (an enterprise registered, or ended).
 */
async function convertedFrom(db: Scoped['db'], entityIds: number[]): Promise<number[]> {
  const res = await sql<{ id: number }>`
    SELECT DISTINCT ep.entity_id AS id FROM entity_person ep2
    JOIN entity_person ep ON ep.person_id = ep2.person_id AND ep.role = 'legal_rep' AND ep.entity_id <> ep2.entity_id
    JOIN entity e ON e.id = ep.entity_id AND e.kind = 'individual'
    WHERE ep2.entity_id = ANY(${entityIds}::bigint[]) AND ep2.role = 'legal_rep'`.execute(db);
  return res.rows.map((r) => Number(r.id));
}

/**
 * Derives the cases of some entities (null: all in scope) from the facts now and brings the
 * ledger to them: a case whose condition holds and is not on file is raised; one on file whose
 * evidence changed is updated (a decided one reopened); an open one whose condition no longer
 * holds closes itself ('resolved'), its trail naming the reason and the change. A resolved case
 * stays; when its condition returns, a new case is raised. Set-based: a few statements per call.
 * known: members' facts the caller has already read (a full run); the others are read here.
 * read: the entities' facts as readRunFacts read them beside the run's writing (a full run on PostgreSQL).
 */
export async function followCases(
  s: Scoped,
  entityIds: number[] | null,
  change: CaseChange,
  known: Map<number, MemberFacts> = new Map(),
  read?: Promise<FactRow[]>,
): Promise<Record<string, number>> {
  const { db } = s;
  const counts: Record<string, number> = { raised: 0, reopened: 0, updated: 0, unchanged: 0, resolved: 0 };
  if (entityIds && !entityIds.length) return counts;
  const ids = entityIds && [...new Set(entityIds.map(Number))];
  const t0 = performance.now();
  // The given entities' rows are read by index lookups per entity, whose cost a ledger without
  // fresh statistics overestimates enough to start JIT compiling (~1 s, the work itself ~20 ms):
  // off for the rest of this transaction, as in the change feed (exchange/feed.ts).
  if (ids) await sql`SET LOCAL jit = off`.execute(db);
  const open = ids && (await openCasesOf(db, ids));
  const facts = await entityFacts(
    db,
    ids,
    known,
    read,
    open ? [...new Set(open.map((r) => Number(r.entity_id)))] : undefined,
  );
  const cases: HeldCase[] = [...facts.values()].flatMap(casesHeld);
  for (const k of Object.keys(CASE_CONDITION)) counts[k] = 0;
  for (const c of cases) counts[c.kind]++;
  const queryMs = performance.now() - t0;

  // The cases on file for these entities, not resolved: only new, changed and ended ones are written.
  // Given entities: those read above, of the entities with facts (factsOf reads every entity with a
  // case not resolved that the caller sees).
  const prior = {
    rows: open
      ? open.filter((r) => facts.has(Number(r.entity_id)))
      : (await sql<OpenCase>`${unresolved}`.execute(db)).rows,
  };
  const onFile = new Map(prior.rows.map((r) => [caseKey(r.kind, Number(r.entity_id), Number(r.member_id) || null), r]));
  const actor = s.who.userId;
  const withEvents = change.source !== 'discovery';
  const t1 = performance.now();
  const held = new Set<string>();
  type Moved = HeldCase & {
    hash: string;
    id: number;
    county: string;
    fromScope: string;
    from: string;
    to: string;
    changed: boolean;
  };
  let writing: Promise<void> = Promise.resolve();
  // Chunk by chunk: the next chunk is hashed while the database writes the one before.
  for (let i = 0; i < cases.length; i += 20_000) {
    const fresh: (HeldCase & { hash: string })[] = [];
    const moved: Moved[] = [];
    for (const c of cases.slice(i, i + 20_000)) {
      const k = caseKey(c.kind, c.entityId, c.memberId);
      held.add(k);
      const hash = sm3Hex(canonicalJson(c.evidence));
      const was = onFile.get(k);
      if (!was) {
        fresh.push({ ...c, hash });
        continue;
      }
      const changed = was.evidence_hash !== hash;
      if (!changed) {
        counts.unchanged++;
        // Same evidence in the same place: nothing to write. Only the scope moved (its entity went to
        // another station): the case follows, with no event.
        if (was.scope_key === c.scopeKey) continue;
      }
      // Evidence changed: a case already decided is reopened when what its decision rests on changed.
      const reopen = changed && DECIDED.includes(was.state) && decisionBasisChanged(c.kind, was.evidence, c.evidence);
      moved.push({
        ...c,
        hash,
        id: Number(was.id),
        county: was.county_code,
        fromScope: was.scope_key,
        from: was.state,
        to: reopen ? 'open' : was.state,
        changed,
      });
    }
    await writing;
    writing = write(fresh, moved);
    writing.catch(() => undefined); // awaited above on the next turn, or below
  }
  await writing;

  async function write(fresh: (HeldCase & { hash: string })[], moved: Moved[]) {
    if (fresh.length) {
      const res = await withCaseLog<{ id: number; kind: string; scope_key: string; county_code: string; n: string }>(
        sql`INSERT INTO discovery_case (kind, entity_id, member_id, scope_key, county_code, evidence, evidence_hash, raised_by)
        SELECT kind, entity_id, member_id, scope_key, left(scope_key, 6), evidence, hash, ${actor}::bigint
        FROM json_to_recordset(${JSON.stringify(fresh.map((c) => ({ kind: c.kind, entity_id: c.entityId, member_id: c.memberId, scope_key: c.scopeKey, evidence: c.evidence, hash: c.hash })))}::json)
          AS t(kind text, entity_id bigint, member_id bigint, scope_key text, evidence jsonb, hash text)
        ON CONFLICT (kind, entity_id, (coalesce(member_id, 0)), county_code) WHERE kind <> 'self_report' AND state <> 'resolved' DO NOTHING
        RETURNING id, kind, scope_key, county_code`,
        'insert',
        withEvents ? sql`w.*` : sql`count(*) AS n`,
      ).execute(db);
      counts.raised += withEvents ? res.rows.length : Number(res.rows[0]?.n ?? 0);
      // A case raised by a change other than a run says which change raised it (the run's own are
      // many, a province's millions, and say so on the run: not even their ids are sent back).
      // Its detail is built by the database from the conditions and the change, each sent once.
      if (withEvents && res.rows.length) {
        const raised = res.rows as { id: number; kind: string; scope_key: string; county_code: string }[];
        await insertCaseEvents(
          sql`SELECT id, ${actor}::bigint, 'raised', NULL, 'open', jsonb_build_object('condition', ${JSON.stringify(CASE_CONDITION)}::jsonb ->> kind, 'change', ${JSON.stringify(change)}::jsonb), k, cc
          FROM unnest(${arrayLiteral(raised.map((r) => r.id))}::bigint[], ${arrayLiteral(raised.map((r) => r.kind))}::text[], ${arrayLiteral(raised.map((r) => r.scope_key))}::text[],
            ${arrayLiteral(raised.map((r) => r.county_code))}::text[]) AS t(id, kind, k, cc)`,
        ).execute(db);
      }
    }
    if (moved.length) {
      await withCaseLog(
        sql`UPDATE discovery_case d SET evidence = t.evidence, evidence_hash = t.hash, scope_key = t.scope_key, state = t.state, updated_at = now()
        FROM json_to_recordset(${JSON.stringify(moved.map((c) => ({ id: c.id, county: c.county, evidence: c.evidence, hash: c.hash, scope_key: c.scopeKey, from_scope: c.fromScope, state: c.to })))}::json)
          AS t(id bigint, county text, evidence jsonb, hash text, scope_key text, from_scope text, state text)
        WHERE d.id = t.id AND d.county_code = t.county
        RETURNING d.id, d.scope_key, t.from_scope`,
        'update',
        sql`count(*)`,
      ).execute(db);
      const events = moved.filter((c) => c.changed);
      for (const ev of events) counts[ev.from !== ev.to ? 'reopened' : 'updated']++;
      if (events.length) {
        await insertCaseEvents(
          sql`SELECT * FROM unnest(${events.map((e) => e.id)}::bigint[], ${events.map(() => actor)}::bigint[], ${events.map((e) => (e.from !== e.to ? 'reopened' : 'evidence_changed'))}::text[],
            ${events.map((e) => e.from)}::text[], ${events.map((e) => e.to)}::text[], ${events.map(() => JSON.stringify({ change }))}::jsonb[], ${events.map((e) => e.scopeKey)}::text[],
            ${events.map((e) => e.county)}::text[])`,
        ).execute(db);
      }
    }
  }

  // Open cases whose condition no longer holds close themselves; decided ones keep the person's
  // decision. An entity the caller no longer sees (moved to another station) is not judged here.
  const ended = prior.rows.filter(
    (r) =>
      isPending(r.state) &&
      facts.has(Number(r.entity_id)) &&
      !held.has(caseKey(r.kind, Number(r.entity_id), Number(r.member_id) || null)),
  );
  if (ended.length) {
    const status = await memberStatuses(db, ended.map((r) => Number(r.member_id)).filter(Boolean), known);
    const detail = ended.map((r) => {
      const kind = r.kind as HeldCase['kind'];
      return JSON.stringify({
        condition: CASE_CONDITION[kind],
        reason: whyResolved(
          kind,
          Number(r.member_id) || null,
          facts.get(Number(r.entity_id))!,
          status.get(Number(r.member_id)),
        ),
        change,
      });
    });
    await withCaseLog(
      sql`UPDATE discovery_case SET state = 'resolved', resolved_at = now(), updated_at = now()
        WHERE id = ANY(${ended.map((r) => Number(r.id))}::bigint[]) AND county_code = ANY(${ended.map((r) => r.county_code)}::text[])
        RETURNING id, scope_key, scope_key AS from_scope`,
      'update',
      sql`count(*)`,
    ).execute(db);
    await insertCaseEvents(
      sql`SELECT * FROM unnest(${ended.map((r) => Number(r.id))}::bigint[], ${ended.map(() => actor)}::bigint[], ${ended.map(() => 'auto_closed')}::text[],
        ${ended.map((r) => r.state)}::text[], ${ended.map(() => 'resolved')}::text[], ${detail}::jsonb[], ${ended.map((r) => r.scope_key)}::text[],
        ${ended.map((r) => r.county_code)}::text[])`,
    ).execute(db);
    counts.resolved = ended.length;
  }
  if (change.source !== 'discovery' && (counts.raised || counts.resolved || counts.reopened)) {
    s.audit({
      action: 'case.follow',
      objectType: change.objectType ?? 'discovery_case',
      objectId: change.objectId,
      detail: { change: change.label, raised: counts.raised, resolved: counts.resolved, reopened: counts.reopened },
    });
  }
  counts.casesQueryMs = Math.round(queryMs);
  counts.casesWriteMs = Math.round(performance.now() - t1);
  return counts;
}

/**
 * The status now of the members of cases closing: the facts read for them where known, else the
 * member as the caller sees it (one whose links went when their membership ended is not among the
 * facts: the reason names what became of them).
 */
async function memberStatuses(db: Scoped['db'], ids: number[], known: Map<number, MemberFacts>) {
  const status = new Map<number, string>();
  const unread = [...new Set(ids)].filter((id) => !known.has(id));
  if (unread.length)
    for (const m of await db.selectFrom('member').select(['id', 'member_status']).where('id', 'in', unread).execute())
      status.set(Number(m.id), m.member_status);
  for (const id of ids) if (known.has(id)) status.set(id, known.get(id)!.status);
  return status;
}

/**
 * The facts of every entity in scope with the run's derived links in place of member_link's
 * (see factsOf), for followCases; on a connection of its own, beside the run's transaction.
 */
export function readRunFacts(db: Scoped['db'], links: DerivedLink[]): Promise<FactRow[]> {
  return factsOf(db, null, links);
}

/** Links, then cases, of some entities after a change: the incremental path. */
export async function followEntities(
  s: Scoped,
  entityIds: number[],
  change: CaseChange,
): Promise<Record<string, number>> {
  const ids = [...new Set(entityIds.map(Number))];
  if (!ids.length) return {};
  await refreshExactLinks(s.db, ids);
  await followSelfReports(s.db, ids);
  return followCases(s, [...ids, ...(await convertedFrom(s.db, ids))], change);
}

/**
 * A member's self-report (党员报到) that names an entity is raised where the entity is, for the
 * station that holds it to verify who works there (addSelfReport). When the entity has moved, a
 * report not yet decided goes to the station (or county) that now holds it, its case and the report
 * together (the case is opened with its report: one left behind, the new station could not open
 * the case); a decided one stays with the station that decided it, as its record. The cases are
 * read and moved in statements of their own (on Citus they live on the workers, keeping their
 * county_code, 0245), the reports then by id, as derived cases move (followCases): no trail line.
 */
async function followSelfReports(db: Scoped['db'], ids: number[]): Promise<void> {
  const held = new Map(
    (await db.selectFrom('entity').select(['id', 'scope_key']).where('id', 'in', ids).execute()).map((e) => [
      Number(e.id),
      e.scope_key,
    ]),
  );
  const cases = (
    await sql<{ id: number; entity_id: number; scope_key: string; county_code: string; self_report_id: number }>`
      SELECT id, entity_id, scope_key, county_code, self_report_id FROM discovery_case
      WHERE kind = 'self_report' AND entity_id = ANY(${ids}::bigint[]) AND state = ANY(${PENDING_STATES}::text[])`.execute(
      db,
    )
  ).rows.filter((c) => held.has(Number(c.entity_id)) && held.get(Number(c.entity_id)) !== c.scope_key);
  if (!cases.length) return;
  const moves = cases.map((c) => ({
    id: c.id,
    county: c.county_code,
    report: c.self_report_id,
    scope_key: held.get(Number(c.entity_id))!,
    from_scope: c.scope_key,
  }));
  await withCaseLog(
    sql`UPDATE discovery_case d SET scope_key = t.scope_key, updated_at = now()
      FROM json_to_recordset(${JSON.stringify(moves)}::json) AS t(id bigint, county text, scope_key text, from_scope text)
      WHERE d.id = t.id AND d.county_code = t.county
      RETURNING d.id, d.scope_key, t.from_scope`,
    'update',
    sql`count(*)`,
  ).execute(db);
  await sql`UPDATE self_report r SET scope_key = t.scope_key
    FROM json_to_recordset(${JSON.stringify(moves)}::json) AS t(report bigint, scope_key text) WHERE r.id = t.report`.execute(
    db,
  );
}

/** The entities whose cases a change to these members may touch: where they hold a role, and where they are linked. */
export async function entitiesOfMembers(db: Scoped['db'], memberIds: number[]): Promise<number[]> {
  if (!memberIds.length) return [];
  const res = await sql<{ id: number }>`
    SELECT ep.entity_id AS id FROM member m JOIN entity_person ep ON ep.person_id = m.person_id WHERE m.id = ANY(${memberIds}::bigint[])
    UNION SELECT l.entity_id FROM member_link l WHERE l.member_id = ANY(${memberIds}::bigint[])`.execute(db);
  return res.rows.map((r) => Number(r.id));
}

/** The entities an organization covers (the ones its edits may touch). */
export async function entitiesOfOrg(db: Scoped['db'], orgId: number): Promise<number[]> {
  const rows = await db.selectFrom('party_org_entity').select('entity_id').where('org_id', '=', orgId).execute();
  return rows.map((r) => Number(r.entity_id));
}

/**
 * The import pipeline's per-batch hook: after a batch is written (in its transaction), the
 * entities it touched have their links and cases brought up to date. Registry and annual-report
 * batches name their entities by id when the writer found them, else by USCC or registration number;
 * roster batches name members by their roster keys (the ones written).
 */
export async function followImportBatch(
  s: Scoped,
  job: { id: number; kind: 'registry' | 'annual_report' | 'roster' },
  named: { entityIds?: number[]; entityCodes?: string[]; rosterKeys?: string[]; memberIds?: number[] },
): Promise<void> {
  const { db } = s;
  const change: CaseChange = {
    source: 'import',
    label: `导入${IMPORT_KIND_SHORT[job.kind]}（导入任务 #${job.id}）`,
    objectType: 'import_job',
    objectId: job.id,
  };
  let ids: number[] = [];
  if (named.entityIds) ids = named.entityIds;
  else if (named.entityCodes?.length) {
    const res = await sql<{
      id: number;
    }>`SELECT id FROM entity WHERE uscc = ANY(${named.entityCodes}::text[]) UNION SELECT id FROM entity WHERE reg_no = ANY(${named.entityCodes}::text[])`.execute(
      db,
    );
    ids = res.rows.map((r) => Number(r.id));
  } else if (named.rosterKeys?.length || named.memberIds?.length) {
    const res = await sql<{
      id: number;
      member_status: string;
    }>`SELECT id, member_status FROM member WHERE roster_key = ANY(${named.rosterKeys ?? []}::text[]) OR id = ANY(${named.memberIds ?? []}::bigint[])`.execute(
      db,
    );
    const members = res.rows.map((r) => Number(r.id));
    // Members the roster carries again are no longer missing from it; those it says left, neither.
    const [left, onRoll] = [
      res.rows.filter((r) => isEnded(r.member_status)),
      res.rows.filter((r) => !isEnded(r.member_status)),
    ];
    await closeAbsentCases(
      s,
      onRoll.map((r) => Number(r.id)),
      change,
    );
    await closeAbsentCases(
      s,
      left.map((r) => Number(r.id)),
      change,
      '导入的名册记录该党员已转出、停止党籍或去世',
    );
    ids = await entitiesOfMembers(db, members);
  }
  // An annual report changes no role and no roster row, hence no exact link: only the cases follow it.
  if (job.kind === 'annual_report') await followCases(s, ids, change);
  else await followEntities(s, ids, change);
}
