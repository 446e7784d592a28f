import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { Problem, conflict, notFound } from '../../http/errors.js';
import { containing, offsetOf, pageFrom, underNode } from '../../http/paging.js';
import { PROPOSAL_MODE_LABEL, type Candidate } from '../../domain/orgs/grouping.js';
import type { exportOrgs, exportProposals, listProposals } from './contract.js';
import { convertedIndividual } from '../discovery/index.js';
import {
  checkOrg,
  LEAGUE_KIND_LABEL,
  ORG_KIND_LABEL,
  ORG_STATUS_LABEL,
  OFFICER_ROLE_LABEL,
  SETUP_MODE_LABEL,
  addMonths,
  termDue,
  type OrgKind,
  type RuleFinding,
  type SetupMode,
} from '../../domain/orgs/rules.js';
import type { RuleSettings } from '../../domain/settings/settings.js';
import { today } from '../../domain/time/zone.js';
import { exportReadRows, exportable } from '../../http/export-route.js';

type Tx = Transaction<DB>;

/** The node an organization hangs on: a station, or a county (or a city without counties). */
export async function orgPlace(db: Tx, code: string) {
  const j = await db
    .selectFrom('jurisdiction')
    .select(['code', 'parent_code', 'level', 'scope_key'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!j || !['station', 'county', 'city'].includes(j.level)) throw notFound('所属县（区）或基层所');
  return j.level === 'station'
    ? { county_code: j.parent_code!, station_code: j.code, scope_key: j.scope_key }
    : { county_code: j.code, station_code: null, scope_key: j.scope_key };
}

export async function loadOrg(db: Tx, id: number) {
  const org = await db.selectFrom('party_org').selectAll().where('id', '=', id).executeTakeFirst();
  if (!org) throw notFound('党组织');
  return org;
}

/**
 * An entity's members as the rules count them (a LATERAL subquery giving full_members and
 * members): found on the roster (full ones apart) or declared in its latest annual report,
 * whichever is more; a declared count is taken as full members until the roster says otherwise.
 * Proposals and organizations count with this one definition.
 */
export const entityMembers = (entityId: RawBuilder<unknown>) => sql`LATERAL (
  SELECT greatest(count(DISTINCT ml.member_id) FILTER (WHERE coalesce(m.membership, 'full') = 'full'), coalesce(d.n, 0))::int AS full_members,
         greatest(count(DISTINCT ml.member_id), coalesce(d.n, 0))::int AS members
  FROM (SELECT (SELECT a.party_members FROM annual_report a WHERE a.entity_id = ${entityId} ORDER BY a.year DESC LIMIT 1) AS n) d
  LEFT JOIN member_link ml ON ml.entity_id = ${entityId} LEFT JOIN member m ON m.id = ml.member_id
  GROUP BY d.n)`;

/**
 * Full members an organization counts for the rules: those whose org relation it holds (on the
 * roll: not 已转出, 停止党籍 or 去世); while none are registered yet (an organization in
 * preparation), those of its entities.
 */
export async function fullMembersOf(
  db: Tx,
  orgId: number,
): Promise<{ registered: number; found: number; count: number }> {
  const { rows } = await sql<{ registered: number; found: number }>`
    SELECT (SELECT count(*)::int FROM party_org_member om JOIN member m ON m.id = om.member_id WHERE om.org_id = ${orgId} AND m.membership = 'full' AND xgz_member_on_roll(m.member_status)) AS registered,
           (SELECT coalesce(sum(mc.full_members), 0)::int FROM party_org_entity pe CROSS JOIN ${entityMembers(sql.ref('pe.entity_id'))} mc WHERE pe.org_id = ${orgId}) AS found`.execute(
    db,
  );
  const { registered, found } = rows[0];
  return { registered, found, count: registered > 0 ? registered : found };
}

/**
 * The rule findings on an organization as it stands in the ledger. The caller passes the row it
 * already holds (after its own change), and the member count when it has computed it.
 */
export async function findingsOf(
  db: Tx,
  org: { id: number; kind: string; setup_mode: string },
  rules: RuleSettings,
  fullMembers?: number,
): Promise<RuleFinding[]> {
  const units = await db
    .selectFrom('party_org_entity')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('org_id', '=', org.id)
    .executeTakeFirstOrThrow();
  const officers = await db
    .selectFrom('party_org_officer as o')
    .leftJoin('member as m', 'm.person_id', 'o.person_id')
    .select([
      'o.role',
      sql<string | null>`CASE WHEN m.membership = 'full' THEN (m.join_date + interval '1 year')::date::text END`.as(
        'full_since',
      ),
    ])
    .where('o.org_id', '=', org.id)
    .where('o.term_end', '>=', today())
    .where(notLeft('o'))
    .execute();
  return checkOrg(
    {
      kind: org.kind as OrgKind,
      setupMode: org.setup_mode as SetupMode,
      units: units.n,
      fullMembers: fullMembers ?? (await fullMembersOf(db, org.id)).count,
      officers: officers.map((o) => ({ role: o.role, fullSince: o.full_since })),
    },
    rules,
    today(),
  );
}

/**
 * An office (party_org_officer as `alias`) not left by `asOf` (today when not given): its holder
 * leaves on the day their membership ends (去世, 停止党籍; migration 0264), the term as entered kept.
 */
export const notLeft = (alias: string, asOf: string = today()) => {
  const left = sql.ref(`${alias}.left_on`);
  return sql<boolean>`(${left} IS NULL OR ${left} > ${asOf}::date)`;
};

/**
 * A party organization (as `alias`) set up by its entity alone (单独建), not dissolved, that covers
 * entities of which none still operates (存续) in its county: a later extract said 注销/吊销/迁出,
 * or re-registered it in another county (the organization stays with its county's 小个专党委, round
 * 19). The county decides: dissolve it, or set it up anew (joint, affiliated). Its 待办 and the
 * list's filter (lapsed=true) read this one definition. Read under the caller's scope, so for a
 * county or above (an entity of another station is out of a station's sight).
 */
export const lapsedStandalone = (alias: string) => {
  const id = sql.ref(`${alias}.id`);
  return sql<boolean>`(${sql.ref(`${alias}.setup_mode`)} = 'standalone' AND ${sql.ref(`${alias}.body`)} = 'party'
    AND ${sql.ref(`${alias}.status`)} <> 'dissolved'
    AND EXISTS (SELECT 1 FROM party_org_entity pe WHERE pe.org_id = ${id})
    AND NOT EXISTS (SELECT 1 FROM party_org_entity pe JOIN entity e ON e.id = pe.entity_id
      WHERE pe.org_id = ${id} AND e.status = 'active' AND e.county_code = ${sql.ref(`${alias}.county_code`)}))`;
};

/** Refuses a change the rules refuse; warnings pass and are shown on the organization's page. */
export function refuseOn(findings: RuleFinding[]): void {
  const refusals = findings.filter((f) => f.severity === 'refuse');
  if (refusals.length)
    throw new Problem(
      422,
      '不符合党组织设置规定',
      refusals.map((f) => f.message).join('；'),
      refusals.map((f) => ({ field: f.rule, message: f.message })),
    );
}

/** The list's filters as the contract parses them: each a value of its column's enum. */
type Filters = z.output<(typeof exportOrgs)['query']>;

/** The organization list with its counts, secretary and term. */
function orgList(db: Transaction<DB>) {
  return (
    db
      .selectFrom('party_org as o')
      .innerJoin('jurisdiction as c', 'c.code', 'o.county_code')
      .leftJoin('jurisdiction as s', 's.code', 'o.station_code')
      .select([
        'o.id',
        'o.body',
        'o.name',
        'o.kind',
        'o.setup_mode',
        'o.status',
        'o.founded_on',
        'c.name as county_name',
        's.name as station_name',
      ])
      .select(sql<number>`(SELECT count(*)::int FROM party_org_entity pe WHERE pe.org_id = o.id)`.as('units'))
      .select(sql<number>`(SELECT count(*)::int FROM party_org_member pm WHERE pm.org_id = o.id)`.as('member_count'))
      .select(
        sql<
          string | null
        >`(SELECT p.name FROM party_org_officer f JOIN person p ON p.id = f.person_id WHERE f.org_id = o.id AND f.role = 'secretary' AND f.term_end >= ${today()}::date AND ${notLeft('f')} ORDER BY f.term_start DESC LIMIT 1)`.as(
          'secretary',
        ),
      )
      // The committee's term: its officers' latest term end (the same date 换届提醒 counts from).
      .select(
        sql<string | null>`(SELECT max(f.term_end)::text FROM party_org_officer f WHERE f.org_id = o.id)`.as(
          'term_end',
        ),
      )
  );
}

async function filtered(db: Transaction<DB>, f: Filters) {
  let q = orgList(db);
  if (f.under) q = q.where(await underNode(db, 'o.scope_key', f.under));
  if (f.body) q = q.where('o.body', '=', f.body);
  if (f.kind) q = q.where('o.kind', '=', f.kind);
  if (f.setupMode) q = q.where('o.setup_mode', '=', f.setupMode);
  if (f.status) q = q.where('o.status', '=', f.status);
  if (f.q) q = q.where('o.name', 'like', containing(f.q));
  if (f.lapsed) q = q.where(lapsedStandalone('o'));
  return q;
}

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof filtered>>['execute']>>[number];
const toItem = (o: Row) => ({
  id: o.id,
  body: o.body,
  name: o.name,
  kind: o.kind,
  kindLabel: (o.body === 'league' ? LEAGUE_KIND_LABEL : ORG_KIND_LABEL)[o.kind],
  setupMode: o.setup_mode,
  setupModeLabel: SETUP_MODE_LABEL[o.setup_mode],
  status: o.status,
  statusLabel: ORG_STATUS_LABEL[o.status],
  foundedOn: o.founded_on,
  countyName: o.county_name,
  stationName: o.station_name,
  units: o.units,
  memberCount: o.member_count,
  secretary: o.secretary,
  termEnd: o.term_end,
});

/** A page of the organization ledger. */
export async function orgPage(db: Tx, f: Filters & { page: number; pageSize: number }) {
  const q = await filtered(db, f);
  return pageFrom(q, f, (q) => q.orderBy('o.county_code').orderBy('o.name'), toItem);
}

/** The organizations of the export (in the list's order). */
export async function orgExportItems(db: Tx, f: Filters) {
  const rows = await (
    await filtered(db, f)
  )
    .orderBy('o.county_code')
    .orderBy('o.name')
    .limit(exportReadRows())
    .execute()
    .then(exportable);
  return rows.map(toItem);
}

/** 换届提醒: organizations (not dissolved) whose committee's term ends within the reminder window. */
export async function termsDue(db: Tx, today: string, s: RuleSettings) {
  const rows = await db
    .selectFrom('party_org_officer as f')
    .innerJoin('party_org as o', 'o.id', 'f.org_id')
    .select(['o.id', 'o.name', sql<string>`max(f.term_end)::text`.as('term_end')])
    .where('o.status', '<>', 'dissolved')
    .groupBy(['o.id', 'o.name'])
    .having(sql<boolean>`max(f.term_end) <= ${addMonths(today, s.termReminderMonths)}::date`)
    .orderBy(sql`max(f.term_end)`)
    .limit(500)
    .execute();
  return {
    items: rows.map((o) => ({ id: o.id, name: o.name, termEnd: o.term_end, due: termDue(o.term_end, today, s) })),
  };
}

/** An organization's page: its covered entities, members, officers, findings and history. */
export async function orgDetail(db: Tx, id: number, today: string, s: RuleSettings) {
  const org = await loadOrg(db, id);
  const [item] = (await (await filtered(db, {})).where('o.id', '=', org.id).execute()).map(toItem);
  const fullMembers = await fullMembersOf(db, org.id);
  const entities = await db
    .selectFrom('party_org_entity as pe')
    .innerJoin('entity as e', 'e.id', 'pe.entity_id')
    .select([
      'e.id',
      'e.name',
      'e.kind',
      'e.status',
      sql<number>`(SELECT count(DISTINCT l.member_id)::int FROM member_link l WHERE l.entity_id = e.id)`.as(
        'found_members',
      ),
    ])
    .where('pe.org_id', '=', org.id)
    .orderBy('e.name')
    .execute();
  const members = await db
    .selectFrom('party_org_member as om')
    .innerJoin('person as p', 'p.id', 'om.person_id')
    .leftJoin('member as m', 'm.id', 'om.member_id')
    .select(['om.id', 'om.person_id', 'om.member_id', 'p.name', 'm.membership', 'm.join_date', 'om.joined_on'])
    .where('om.org_id', '=', org.id)
    .orderBy('p.name')
    .execute();
  const officers = await db
    .selectFrom('party_org_officer as f')
    .innerJoin('person as p', 'p.id', 'f.person_id')
    .select(['f.id', 'f.person_id', 'p.name', 'f.role', 'f.term_start', 'f.term_end', 'f.left_on', 'f.left_reason'])
    .where('f.org_id', '=', org.id)
    .orderBy('f.term_start', 'desc')
    .execute();
  // Each line with who made it and whom or what it names (a person or entity since removed included).
  const lines = await db
    .selectFrom('ledger_history as h')
    .leftJoin('app_user as u', 'u.id', 'h.actor_id')
    .select(['h.at', 'h.object_type', 'h.op', 'h.before', 'h.after', 'u.display_name as actor'])
    .select(sql<string | null>`coalesce(h.after->>'person_id', h.before->>'person_id')`.as('person_id'))
    .select(sql<string | null>`coalesce(h.after->>'entity_id', h.before->>'entity_id')`.as('entity_id'))
    .where(
      sql<boolean>`(h.object_type = 'party_org' AND h.object_id = ${org.id})
      OR (h.object_type IN ('party_org_entity', 'party_org_member', 'party_org_officer') AND coalesce(h.after->>'org_id', h.before->>'org_id') = ${String(org.id)})`,
    )
    .orderBy('h.at', 'desc')
    .limit(200)
    .execute();
  // The names are looked up by plain ids in a second step: a lookup by an id read out of the JSON
  // inside the row-security filter cannot use the key, and read every person in the scope through
  // xgz_person_visible once per line (an organization's page took 8–16 s on a county's demo).
  const idsOf = (k: 'person_id' | 'entity_id') => [
    ...new Set(lines.map((h) => Number(h[k])).filter((n) => Number.isSafeInteger(n) && n > 0)),
  ];
  const namesOf = async (table: 'person' | 'entity', ids: number[]) =>
    new Map(
      ids.length
        ? (await db.selectFrom(table).select(['id', 'name']).where('id', 'in', ids).execute()).map((r) => [
            Number(r.id),
            r.name,
          ])
        : [],
    );
  const persons = await namesOf('person', idsOf('person_id'));
  const entityNames = await namesOf('entity', idsOf('entity_id'));
  const history = lines.map(({ person_id, entity_id, ...h }) => ({
    ...h,
    subject: persons.get(Number(person_id)) ?? entityNames.get(Number(entity_id)) ?? null,
  }));
  return {
    ...item,
    affiliatedTo: org.affiliated_to,
    note: org.note,
    dissolvedOn: org.dissolved_on,
    countyCode: org.county_code,
    stationCode: org.station_code,
    fullMembers,
    entities: entities.map((e) => ({
      id: e.id,
      name: e.name,
      kind: e.kind,
      status: e.status,
      foundMembers: e.found_members,
    })),
    members: members.map((m) => ({
      id: m.id,
      personId: m.person_id,
      memberId: m.member_id,
      name: m.name,
      membership: m.membership,
      joinDate: m.join_date,
      joinedOn: m.joined_on,
    })),
    officers: officers.map((f) => ({
      id: f.id,
      personId: f.person_id,
      name: f.name,
      role: f.role,
      roleLabel: OFFICER_ROLE_LABEL[f.role],
      termStart: f.term_start,
      termEnd: f.term_end,
      leftOn: f.left_on,
      leftReason: f.left_reason,
      due: termDue(f.term_end, today, s),
    })),
    findings: await findingsOf(db, org, s, fullMembers.count),
    history: history.map((h) => ({
      ...h,
      before: h.before as Record<string, unknown> | null,
      after: h.after as Record<string, unknown> | null,
      actor: h.actor ?? '系统/导入',
    })),
  };
}

// ── Setup proposals (组建建议) ───────────────────────────────────────────────────────────────

/** Entities in scope that have no organization (none in preparation either), with their members as the rules count them. */
export async function loadCandidates(db: Tx | Kysely<DB>, scopeKey: string): Promise<Candidate[]> {
  const { rows } = await sql<{
    id: number;
    name: string;
    kind: Candidate['kind'];
    county_code: string;
    station_code: string | null;
    station_name: string | null;
    zones: Candidate['zones'] | null;
    full_members: number | null;
    members: number | null;
    work: boolean;
  }>`
    SELECT e.id, e.name, e.kind, e.county_code, e.station_code, s.name AS station_name, c.work, mc.full_members, mc.members,
      (SELECT json_agg(json_build_object('id', z.id, 'kind', z.kind, 'name', z.name)) FROM entity_zone ez JOIN zone z ON z.id = ez.zone_id WHERE ez.entity_id = e.id) AS zones
    FROM entity_coverage c
    JOIN entity e ON e.id = c.entity_id
    LEFT JOIN jurisdiction s ON s.code = e.station_code
    LEFT JOIN ${entityMembers(sql.ref('e.id'))} mc ON c.with_members
    WHERE c.operating AND starts_with(c.scope_key, ${scopeKey})
      -- Covered by an organization out of the caller's sight (its link is the organization's, in its
      -- scope: a county's joint branch, or the old station's after the entity moved): the coverage
      -- facts, kept whoever holds the link, say so. Those in sight that are still being set up count too.
      AND NOT c.any_org
      AND NOT EXISTS (SELECT 1 FROM party_org_entity pe JOIN party_org o ON o.id = pe.org_id WHERE pe.entity_id = e.id AND o.status <> 'dissolved')
      -- A 个体 gone on as an enterprise (个体转企业) is not a unit of its own: its keeper would count twice.
      AND NOT ${convertedIndividual(sql.ref('e.id'))}`.execute(db);
  return rows.map((r) => ({
    entityId: r.id,
    name: r.name,
    kind: r.kind,
    countyCode: r.county_code,
    stationCode: r.station_code,
    stationName: r.station_name,
    zones: r.zones ?? [],
    fullMembers: r.full_members ?? 0,
    members: r.members ?? 0,
    hasOrg: false,
    hasWork: r.work,
  }));
}

/**
 * A proposal still open for a decision (404 if none, 409 once accepted or rejected), locked till the
 * decision commits: two decisions at once (accepted twice, accepted and rejected) each read it open
 * and both went through, founding two organizations or leaving a rejected proposal's organization.
 */
export async function loadOpenProposal(db: Tx, id: number) {
  const p = await db.selectFrom('org_proposal').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!p) throw notFound('组建建议');
  if (p.state !== 'open') throw conflict(`该建议已${p.state === 'accepted' ? '采纳' : '不采纳'}，不能再处理`);
  return p;
}

/** A proposal's units with the members each was counted with. */
export const proposalUnits = (db: Tx, id: number) =>
  db
    .selectFrom('org_proposal_entity')
    .select(['entity_id', 'full_members', 'members', 'scope_key'])
    .where('proposal_id', '=', id)
    .execute();

type ProposalFilters = z.output<typeof exportProposals.query>;

async function proposalsOf(db: Tx, f: ProposalFilters) {
  let q = db
    .selectFrom('org_proposal as p')
    .innerJoin('jurisdiction as c', 'c.code', 'p.county_code')
    .leftJoin('jurisdiction as s', 's.code', 'p.station_code')
    .where('p.state', '=', f.state);
  if (f.under) q = q.where(await underNode(db, 'p.scope_key', f.under));
  if (f.mode) q = q.where('p.mode', '=', f.mode);
  if (f.zoneId) q = q.where('p.zone_id', '=', f.zoneId);
  return q;
}

/** The proposals standalone ones first, then by setup mode, each with (up to `units` of) its entities. */
const proposalRows = (q: Awaited<ReturnType<typeof proposalsOf>>, units: number) =>
  q
    .selectAll('p')
    .select(['c.name as county_name', 's.name as station_name'])
    .select(
      sql<
        { id: number; name: string; fullMembers: number; members: number }[]
      >`(SELECT json_agg(json_build_object('id', e.id, 'name', e.name, 'fullMembers', pe.full_members, 'members', pe.members) ORDER BY e.name)
      FROM (SELECT * FROM org_proposal_entity x WHERE x.proposal_id = p.id ORDER BY x.entity_id LIMIT ${units}) pe JOIN entity e ON e.id = pe.entity_id)`.as(
        'entities',
      ),
    )
    .orderBy(
      sql`CASE p.mode WHEN 'standalone' THEN 0 WHEN 'zone' THEN 1 WHEN 'station' THEN 2 WHEN 'joint' THEN 3 WHEN 'affiliated' THEN 4 ELSE 5 END`,
    )
    .orderBy('p.id');

const toProposal = (p: Awaited<ReturnType<ReturnType<typeof proposalRows>['execute']>>[number]) => ({
  id: p.id,
  mode: p.mode,
  modeLabel: PROPOSAL_MODE_LABEL[p.mode],
  orgKind: p.org_kind,
  orgKindLabel: p.org_kind ? ORG_KIND_LABEL[p.org_kind] : null,
  state: p.state,
  countyName: p.county_name,
  stationName: p.station_name,
  units: p.units,
  fullMembers: p.full_members,
  members: p.members,
  explanation: p.explanation,
  suggestedName: p.suggested_name,
  reason: p.reason,
  orgId: p.org_id,
  entities: p.entities ?? [],
});

/** A page of the proposals in a state, each with up to 50 of its entities. */
export async function proposalPage(db: Tx, f: z.output<(typeof listProposals)['query']>) {
  const q = await proposalsOf(db, f);
  const { total } = await q.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow();
  const rows = await proposalRows(q, 50).limit(f.pageSize).offset(offsetOf(f)).execute();
  return { items: rows.map(toProposal), total, page: f.page, pageSize: f.pageSize };
}

/** Every proposal the filters select, for the xlsx, with up to 2,000 of its units (a station's joint branch names hundreds). */
export async function proposalExportItems(db: Tx, f: ProposalFilters) {
  return (
    await proposalRows(await proposalsOf(db, f), 2_000)
      .limit(exportReadRows())
      .execute()
  ).map(toProposal);
}
