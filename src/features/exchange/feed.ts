import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../../db/connection.js';
import type { Principal } from '../../db/audit-chain.js';
import { copyScopedOnce, runScoped } from '../../db/scoped.js';
import { formatCursor, type Cursor } from '../../domain/auth/service.js';

/** Each kind's object as the feed shows it, as JSON built by the database from the row `x` (and what hangs off it). */
const entityJson = sql`json_build_object('uscc', x.uscc, 'regNo', x.reg_no, 'name', x.name, 'kind', x.kind, 'status', x.status, 'registeredOn', x.registered_on,
  'countyCode', x.county_code, 'stationCode', x.station_code, 'industrySection', x.industry_section, 'industryDivision', x.industry_division,
  'sizeClass', x.size_class, 'employees', x.employees, 'updatedAt', x.updated_at)`;
const organizationJson = sql`json_build_object('name', x.name, 'kind', x.kind, 'setupMode', x.setup_mode, 'status', x.status, 'foundedOn', x.founded_on,
  'dissolvedOn', x.dissolved_on, 'parentId', x.parent_id, 'countyCode', x.county_code, 'stationCode', x.station_code, 'zoneId', x.zone_id, 'updatedAt', x.updated_at,
  'entityIds', coalesce((SELECT json_agg(pe.entity_id ORDER BY pe.entity_id) FROM party_org_entity pe WHERE pe.org_id = x.id), '[]'::json))`;
const plaqueJson = sql`json_build_object('number', x.number, 'state', x.state, 'kind', r.kind, 'entityId', r.entity_id, 'issuedOn', x.issued_on, 'revokedOn', x.revoked_on, 'revokeReason', x.revoke_reason)`;

/**
 * The member and the person are read only for an account allowed to see who it is (members.read):
 * a member link's and a case's object then also names them.
 */
function memberParts(withMembers: boolean): {
  link: RawBuilder<unknown>;
  kase: RawBuilder<unknown>;
  who: RawBuilder<unknown>;
} {
  return withMembers
    ? {
        link: sql`json_build_object('entityId', x.entity_id, 'method', x.method, 'linkedAt', x.created_at, 'memberId', x.member_id, 'name', p.name)`,
        kase: sql`json_build_object('kind', x.kind, 'state', x.state, 'entityId', x.entity_id, 'raisedAt', x.created_at, 'updatedAt', x.updated_at, 'memberId', x.member_id, 'name', p.name)`,
        who: sql`LEFT JOIN member m ON m.id = x.member_id LEFT JOIN person p ON p.id = m.person_id`,
      }
    : {
        link: sql`json_build_object('entityId', x.entity_id, 'method', x.method, 'linkedAt', x.created_at)`,
        kase: sql`json_build_object('kind', x.kind, 'state', x.state, 'entityId', x.entity_id, 'raisedAt', x.created_at, 'updatedAt', x.updated_at)`,
        who: sql``,
      };
}

/**
 * One page of the change feed after a cursor, within the caller's subtree (row-level security on
 * change_log and on every table an object is read from), as the JSON text of the answer — its
 * items written by the database in one statement: the page of the log read in cursor order by its
 * covering index (migration 0041), each change's object joined to it as it is now (null once
 * deleted or moved out, or when the subtree cannot see it), each change written as its JSON text
 * and the page's texts joined into one.
 * Only changes of finished transactions are served: those with an xid below the horizon, the
 * oldest transaction of this database still running in the reader's snapshot (migration 0039).
 * Every transaction that could still commit has an xid at or above it, so it sorts after the
 * cursor handed out here and is served by a later page. Transactions of other databases on the
 * same server do not hold it back (the server-wide snapshot xmin did).
 * `withMembers`: the member-related fields (a member link's and a case's member and name) are
 * included only for an account holding members.read; `named` counts the objects that named one.
 * On PostgreSQL the answer comes as the bytes to send (`body` a Buffer: db/scoped.ts
 * copyScopedOnce), on PGlite as a string.
 */
export async function changesAfter(
  database: Database,
  who: Principal,
  after: Cursor,
  limit: number,
  withMembers: boolean,
): Promise<{ body: Buffer | string; next: string; more: boolean; named: number }> {
  const page = pageStatement(after, limit, withMembers);
  // The answer around the page's items: the database joins only the items (a copy of the whole
  // answer there cost it more, in fresh memory for 4 MB, than the copy here).
  const head = '{"items":[';
  const tail = (next: string, more: boolean) => `],"next":"${next}","more":${more}}`;
  if (database.kind === 'postgres') {
    // Text in a binary COPY is the value's bytes in the client encoding (UTF-8).
    const query = sql`SELECT p.items, p.next, p.more::text, p.named::text FROM (${page}) p`.compile(database.db);
    const [[items, nextBytes, moreBytes, named]] = await copyScopedOnce(database.pool, who, query, NO_JIT);
    const [next, more] = [nextBytes!.toString(), moreBytes!.toString() === 'true'];
    return {
      body: Buffer.concat([Buffer.from(head), items ?? Buffer.alloc(0), Buffer.from(tail(next, more))]),
      next,
      more,
      named: Number(named!.toString()),
    };
  }
  const [row] = (
    await runScoped(database.db, who, async ({ db }) => {
      await sql.raw(NO_JIT).execute(db);
      return page.execute(db);
    })
  ).rows;
  return {
    body: head + (row.items ?? '') + tail(row.next, row.more),
    next: row.next,
    more: row.more,
    named: Number(row.named),
  };
}

// The cost of 10,000 index lookups in subqueries is overestimated enough to start JIT compiling,
// which alone took longer than the page (PostgreSQL 15, EXPLAIN ANALYZE): off for the statement.
const NO_JIT = 'SET LOCAL jit = off';

/**
 * The statement of a page: its changes as JSON texts joined by commas (`items`, null for none),
 * the cursor it ends at, whether more follow, and how many objects named a member.
 */
function pageStatement(after: Cursor, limit: number, withMembers: boolean) {
  const m = memberParts(withMembers);
  // The inner query reads limit + 1 changes (the last only tells whether there are more) ordered
  // by the columns, not by text (text would sort 10071 before 1008), and numbers them. Each object
  // is read by a subquery in its kind's CASE branch, run only for the rows of that kind (one index
  // lookup each): as joins, the planner hashed whole tables (a seq scan of member_link per page).
  // Each change's JSON is concatenated text around the object's JSON (json_build_object for the
  // envelope too, and json_agg of the page, tripled the statement's CPU); the aggregates take the
  // rows in the subquery's order, as nothing (no join, no grouping) reorders them: an ORDER BY in
  // string_agg would sort the page's 4 MB of text again. The moment is rounded to the millisecond
  // (half up), as the answer always gave it. Node does nothing per change: 10,000 rows turned into
  // strings and objects cost it more CPU than the whole statement.
  // A case is read apart (Citus: the cases are on the workers, and a subquery per change joining
  // them to the coordinator's change_log is refused): the page first, then the page's cases by id
  // in one statement of discovery_case alone, then their JSON (with the member, for members.read),
  // joined back to the page by id and put in the page's order again.
  const live = sql`c.op NOT IN ('delete', 'moved_out')`;
  const changes = sql`
    WITH page AS MATERIALIZED (
      SELECT c.xid, c.seq, c.kind, c.object_id, c.op, c.at FROM change_log c
      WHERE (c.xid, c.seq) > (${after.xid}::xid8, ${after.seq}::int8) AND c.xid < xgz_feed_horizon()
      ORDER BY c.xid, c.seq LIMIT ${limit + 1}),
    kase AS MATERIALIZED (
      SELECT x.id, x.kind, x.state, x.entity_id, x.created_at, x.updated_at, x.member_id FROM discovery_case x
      WHERE x.id = ANY(ARRAY(SELECT c.object_id FROM page c WHERE c.kind = 'case' AND ${live}))),
    kase_json AS MATERIALIZED (SELECT x.id, ${m.kase} AS data FROM kase x ${m.who})
    SELECT c.xid || '.' || c.seq AS cursor, c.kind, c.object_id, c.op, c.at, row_number() OVER (ORDER BY c.xid, c.seq) AS n,
      (CASE WHEN NOT ${live} THEN NULL
        WHEN c.kind = 'entity' THEN (SELECT ${entityJson} FROM entity x WHERE x.id = c.object_id)
        WHEN c.kind = 'organization' THEN (SELECT ${organizationJson} FROM party_org x WHERE x.id = c.object_id)
        WHEN c.kind = 'member_link' THEN (SELECT ${m.link} FROM member_link x ${m.who} WHERE x.id = c.object_id)
        WHEN c.kind = 'plaque' THEN (SELECT ${plaqueJson} FROM sanliang_plaque x JOIN sanliang r ON r.id = x.record_id WHERE x.id = c.object_id)
        WHEN c.kind = 'case' THEN k.data
      END)::text AS data
    FROM page c LEFT JOIN kase_json k ON c.kind = 'case' AND k.id = c.object_id
    ORDER BY c.xid, c.seq`;
  const inPage = sql`p.n <= ${limit}`;
  const named = withMembers
    ? sql`count(DISTINCT p.kind || ':' || p.object_id) FILTER (WHERE ${inPage} AND p.data IS NOT NULL AND p.kind IN ('member_link', 'case'))`
    : sql`0`;
  return sql<{ items: string | null; next: string; more: boolean; named: string }>`
    SELECT r.items, coalesce(r.cursors[cardinality(r.cursors)], ${formatCursor(after)}) AS next, r.more, r.named FROM (
      SELECT string_agg('{"cursor":"' || p.cursor || '","kind":"' || p.kind || '","id":' || p.object_id || ',"op":"' || p.op
          || '","at":"' || to_char((p.at + interval '0.5 ms') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
          || '","data":' || coalesce(p.data, 'null') || '}', ',') FILTER (WHERE ${inPage}) AS items,
        array_agg(p.cursor) FILTER (WHERE ${inPage}) AS cursors, count(*) > ${limit} AS more, ${named}::int8 AS named
      FROM (${changes}) p) r`;
}
