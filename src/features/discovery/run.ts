import { sql, type Kysely } from 'kysely';
import type { AppContext } from '../../http/context.js';
import type { DB } from '../../db/schema.js';
import type { Principal } from '../../db/audit-chain.js';
import { runScoped, type Scoped } from '../../db/scoped.js';
import {
  DEFAULT_MODEL,
  DEFAULT_THRESHOLD,
  decide,
  withU,
  type Model,
  type Record_,
} from '../../domain/matching/fellegi-sunter.js';
import { isEnded } from '../../domain/cases/workflow.js';
import { RUN_STEPS } from './contract.js';
import { derivedLinkRows, followCases, readRunFacts, type DerivedLink, type MemberFacts } from './follow.js';
import { pinyin } from 'pinyin-pro';

type MemberRec = Record_ & {
  memberId: number;
  personId: number;
  hasId: boolean;
  orgRelation: string | null;
  status: string;
  declaredOnly: boolean;
};
type RoleRec = Record_ & { roleId: number; entityId: number; personId: number; hasId: boolean; scopeKey: string };

/** Bits by which the best candidate must beat the next to be linked (else the case is ambiguous). */
const AMBIGUITY_MARGIN = 3;

/**
 * Scores the candidates of members not found by ID number (Fellegi–Sunter) and keeps, for each
 * member, its best candidate when it clearly beats the next; a role already held by a member
 * found by ID number, or claimed by a better-scoring member, is not given to another.
 */
export function pickLinks(
  members: MemberRec[],
  candidates: Map<number, RoleRec[]>,
  exactRoles: Set<number>,
  model: Model,
  threshold = DEFAULT_THRESHOLD,
): DerivedLink[] {
  const probable: DerivedLink[] = [];
  for (const m of members) {
    const scored: DerivedLink[] = [];
    for (const r of candidates.get(m.memberId) ?? []) {
      // Two different ID numbers are two people; a number on one side only proves nothing.
      if (r.personId === m.personId || (r.hasId && m.hasId)) continue;
      const d = decide(m, r, model, threshold);
      if (d.link)
        scored.push({
          memberId: m.memberId,
          roleId: r.roleId,
          entityId: r.entityId,
          method: 'probabilistic',
          score: Number(d.score.toFixed(2)),
          levels: d.levels,
          scopeKey: r.scopeKey,
        });
    }
    scored.sort((a, b) => b.score - a.score);
    if (scored.length && (scored.length === 1 || scored[0].score - scored[1].score >= AMBIGUITY_MARGIN))
      probable.push(scored[0]);
  }
  const byRole = new Map<number, DerivedLink>();
  for (const l of probable)
    if (!exactRoles.has(l.roleId) && (!byRole.has(l.roleId) || byRole.get(l.roleId)!.score < l.score))
      byRole.set(l.roleId, l);
  return [...byRole.values()];
}

/**
 * One discovery run over the principal's scope: links, then cases. Idempotent: links are
 * recomputed; cases are derived by the same rules as the incremental path (followCases): a case
 * already confirmed or dismissed is left alone unless its evidence changed (then reopened), an
 * open one whose condition no longer holds closes itself. Members are matched against the rosters
 * that concern the scope wherever they are held (a county's roster serves its stations).
 */
export async function runDiscovery(ctx: AppContext, who: Principal, runId: number): Promise<Record<string, number>> {
  const scoped = <T>(fn: (s: Scoped) => Promise<T>) => runScoped(ctx.db, who, fn);
  const step = (s: string, counts: Record<string, number> = {}) =>
    scoped(({ db }) =>
      db
        .updateTable('discovery_run')
        .set({ step: s, counts: JSON.stringify(counts) })
        .where('id', '=', runId)
        .execute(),
    );
  try {
    await step(RUN_STEPS[0]);
    // The members declared in annual reports are recorded first: the members read beside the
    // join (runInputs) must include them.
    await scoped(({ db }) => recordDeclaredMembers(db));
    const inputs = runInputs(scoped);
    // The same person row (one per ID number) in a role of an operating entity in scope: one SQL
    // join (migration 0009). The links are written with the probabilistic ones, at the end.
    const exact = await scoped(async ({ db }) => {
      const t0 = performance.now();
      const res = await sql<{
        member_id: number;
        entity_person_id: number;
        entity_id: number;
        scope_key: string;
      }>`SELECT * FROM xgz_discovery_exact()`.execute(db);
      const pairs = res.rows.map((r) => ({
        memberId: Number(r.member_id),
        roleId: Number(r.entity_person_id),
        entityId: Number(r.entity_id),
        scopeKey: r.scope_key,
      }));
      return { pairs, links: pairs.length, ms: performance.now() - t0 };
    });

    await step(RUN_STEPS[1], { exact: exact.links });
    const exactLinks = exact.pairs.map((p) => ({ ...p, method: 'exact' as const, score: 99, levels: null }));
    // The run's results are written in one transaction. Where the database has connections to
    // spare (PostgreSQL) it opens before the candidates load and writes the exact links (most of
    // the links, ~150 µs each with their triggers at a province) while the candidates load and
    // are scored on other connections, and the rest of the links while the cases' facts are read
    // on another: otherwise a core of two sat idle through each. PGlite is one connection: there
    // the transaction opens after the scoring and reads the facts after the links.
    const scored = async () => {
      const probable = await probableLinks(scoped, exact.pairs, inputs);
      await step(RUN_STEPS[2], { exact: exact.links, probabilistic: probable.links.length });
      return probable;
    };
    const finish = async (
      { db, audit }: Scoped,
      probable: Probable,
      early: LinkCounts,
      facts?: Parameters<typeof followCases>[4],
    ) => {
      const { links, memberRecs, candidateCount, roles, loadMs, scoreMs } = probable;
      const rest = [await writeLinks(db, links), await removeLinksNotDerived(db)];
      const written = sumCounts(early, ...rest);
      const t3 = performance.now();
      const known = new Map<number, MemberFacts>(
        memberRecs.map((m) => [
          m.memberId,
          { status: m.status, orgRelation: m.orgRelation, declaredOnly: m.declaredOnly },
        ]),
      );
      const raised = await followCases(
        { db, who, audit },
        null,
        { source: 'discovery', label: `比对运行 #${runId}`, objectType: 'discovery_run', objectId: runId },
        known,
        facts,
      );
      const c = {
        members: memberRecs.length,
        roles,
        candidates: candidateCount,
        links: exact.links + links.length,
        exact: exact.links,
        ...written,
        exactMs: Math.round(exact.ms),
        loadMs: Math.round(loadMs),
        scoreMs: Math.round(scoreMs),
        // The links' writing after the scoring; the exact links' own (during the load on PostgreSQL) beside.
        linksMs: Math.round(rest.reduce((n, c) => n + c.ms, 0)),
        exactLinksMs: Math.round(early.ms),
        casesMs: Math.round(performance.now() - t3),
        ...raised,
      };
      audit({ action: 'discovery.run', objectType: 'discovery_run', objectId: runId, detail: c });
      await db
        .updateTable('discovery_run')
        .set({ status: 'done', step: '完成', counts: JSON.stringify(c), finished_at: new Date() })
        .where('id', '=', runId)
        .execute();
      return c;
    };
    const counts =
      ctx.database.kind === 'pglite'
        ? await scored().then((probable) =>
            scoped(async (s) => finish(s, probable, await writeLinks(s.db, exactLinks))),
          )
        : await scoped(async (s) => {
            const early = writeLinks(s.db, exactLinks);
            early.catch(() => undefined); // awaited below, after the candidates
            const probable = await scored();
            // The cases' facts are read on another connection, with the links derived now in
            // place of member_link's, while this transaction writes those links.
            const facts = scoped(({ db }) => readRunFacts(db, [...exactLinks, ...probable.links]));
            facts.catch(() => undefined); // awaited in followCases
            return finish(s, probable, await early, facts);
          });
    return counts;
  } catch (err) {
    await scoped(({ db }) =>
      db
        .updateTable('discovery_run')
        .set({ status: 'failed', error: (err as Error).message, finished_at: new Date() })
        .where('id', '=', runId)
        .execute(),
    );
    throw err;
  }
}

/**
 * Candidate rows grouped by member, inside the transaction that read them, so the rows as read
 * (millions at a province) are garbage once it returns.
 */
function byMemberOf(rows: CandidateRow[]): { byMember: Map<number, RoleRec[]>; count: number } {
  const byMember = new Map<number, RoleRec[]>();
  for (const c of rows) {
    const mid = Number(c.member_id);
    (byMember.get(mid) ?? byMember.set(mid, []).get(mid)!).push({
      roleId: Number(c.role_id),
      entityId: Number(c.entity_id),
      personId: Number(c.person_id),
      name: c.name,
      birthDate: c.birth_date,
      phoneBi: c.phone_bi,
      county: c.county_code,
      hasId: c.has_id,
      scopeKey: c.scope_key,
    });
  }
  return { byMember, count: rows.length };
}

type CandidateRow = {
  member_id: number;
  role_id: number;
  entity_id: number;
  person_id: number;
  scope_key: string;
  name: string;
  birth_date: string | null;
  phone_bi: string | null;
  has_id: boolean;
  county_code: string;
};

/**
 * What the scoring needs besides the candidates and does not depend on the links found by ID
 * number: the members in scope with the staff's links, and the number of roles looked at (for the
 * run's summary). Started with the run, on connections of their own where there are several
 * (PostgreSQL), so they are read beside the ID-number join, when a core is idle; PGlite runs them
 * one after the other.
 */
function runInputs(scoped: <T>(fn: (s: Scoped) => Promise<T>) => Promise<T>) {
  const rolesCounted = scoped(
    async ({ db }) =>
      (
        await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM entity_person ep JOIN entity e ON e.id = ep.entity_id AND e.status = 'active'`.execute(
          db,
        )
      ).rows[0].n,
  );
  rolesCounted.catch(() => undefined);
  const memberSets = scoped(async ({ db }) => {
    const members = await sql<{
      id: number;
      person_id: number;
      org_relation: string | null;
      member_status: string;
      scope_key: string;
      sources: string[];
      name: string;
      birth_date: string | null;
      phone_bi: string | null;
      has_id: boolean;
      birth_month: string | null;
    }>`
      SELECT * FROM xgz_discovery_members()`.execute(db);
    const staff = await sql<{
      member_id: number;
    }>`SELECT DISTINCT member_id FROM member_link WHERE method = 'staff'`.execute(db);
    return { members: members.rows, staff: staff.rows };
  });
  memberSets.catch(() => undefined);
  return { rolesCounted, memberSets };
}
type RunInputs = ReturnType<typeof runInputs>;

/**
 * The probabilistic links of the members not found by ID number: their candidates loaded and
 * scored. Its own function so that the candidates (millions of rows at a province, held twice:
 * as read and grouped by member) are garbage once it returns, before the links and the cases are
 * written: held to the end of the run, they filled the default 4 GB heap at 5M entities and the
 * case writer spent most of its time collecting garbage.
 */
async function probableLinks(
  scoped: <T>(fn: (s: Scoped) => Promise<T>) => Promise<T>,
  exactPairs: { memberId: number; roleId: number }[],
  { rolesCounted, memberSets }: RunInputs,
) {
  const t1 = performance.now();
  const foundById = [...new Set(exactPairs.map((p) => p.memberId))];
  // Candidates share a birth date, a phone or the name with a member not yet found; pairs whose
  // names or dates can never agree enough are left out in SQL (migrations 0009, 0051, 0055, 0056). The
  // blocks are read in two disjoint parts on connections of their own (PostgreSQL; PGlite one after
  // the other), each one pass over every person: the date and phone blocks, and the typo blocks.
  const sounds = soundTable();
  const parts = [['date', 'phone'], ['typo']].map((blocks) =>
    scoped(async ({ db }) =>
      byMemberOf(
        (
          await sql<CandidateRow>`
          SELECT * FROM xgz_discovery_candidates(${sounds.char}::text[], ${sounds.reading}::text[], ${foundById}::bigint[], ${blocks}::text[])`.execute(
            db,
          )
        ).rows,
      ),
    ),
  );
  for (const p of parts) p.catch(() => undefined);
  // How often two people share a name or a birth date by chance (the u of the model), from the
  // planner's statistics: the squared shares of the most common values (imports run ANALYZE).
  const stats = await scoped(({ db }) =>
    sql<{ attname: string; freqs: number[] | null }>`
      SELECT attname, most_common_freqs::float8[] AS freqs FROM pg_stats WHERE tablename = 'person' AND attname IN ('name', 'birth_date')`.execute(
      db,
    ),
  );
  const squared = (col: string) =>
    (stats.rows.find((r) => r.attname === col)?.freqs ?? []).reduce((sum, f) => sum + f * f, 0);
  const chance = { name: squared('name'), birth: squared('birth_date') };
  const [first, second] = await Promise.all(parts);
  const byMember = first.byMember;
  for (const [mid, recs] of second.byMember) (byMember.get(mid) ?? byMember.set(mid, []).get(mid)!).push(...recs);
  const candidateCount = first.count + second.count;
  const { members, staff } = await memberSets;
  const linked = new Set([...foundById, ...staff.map((r) => Number(r.member_id))]);
  const loadMs = performance.now() - t1;
  const t2 = performance.now();
  const memberRecs: MemberRec[] = members.map((m) => ({
    memberId: Number(m.id),
    personId: Number(m.person_id),
    name: m.name,
    birthDate: m.birth_date ?? m.birth_month,
    phoneBi: m.phone_bi,
    county: m.scope_key.length >= 6 ? m.scope_key.slice(0, 6) : null,
    hasId: m.has_id,
    orgRelation: m.org_relation,
    status: m.member_status,
    declaredOnly: m.sources.every((x) => x === 'declared'),
  }));
  // A role found by ID number for a member vouched for (on a roster, not only declared) is taken.
  const vouched = new Set(memberRecs.filter((m) => !m.declaredOnly).map((m) => m.memberId));
  const exactRoles = new Set(exactPairs.filter((l) => vouched.has(l.memberId)).map((l) => l.roleId));
  // A member whose membership has ended is not looked for (migration 0100 drops their links).
  const unlinked = memberRecs.filter((m) => byMember.has(m.memberId) && !linked.has(m.memberId) && !isEnded(m.status));
  // Without statistics (a database never analysed) the configured model stands.
  const model =
    chance.name > 0
      ? withU(DEFAULT_MODEL, { name: chance.name, birthDate: chance.birth || DEFAULT_MODEL.birthDate.exact.u })
      : DEFAULT_MODEL;
  const links = pickLinks(unlinked, byMember, exactRoles, model);
  const roles = await rolesCounted;

  const scoreMs = performance.now() - t2;
  return { links, memberRecs, candidateCount, roles, loadMs, scoreMs };
}

/**
 * Discovery runs live in the server process that started them: at start-up, one still marked
 * running was cut short by the previous process's end (a run writes its results in one final
 * transaction, so nothing of it is half-written). It is ended as failed at once, so a new run
 * can be started (the route refuses while one is running) and ends as an uninterrupted one would.
 */
export async function endInterruptedDiscoveryRuns(db: Kysely<DB>): Promise<number> {
  const res = await db
    .updateTable('discovery_run')
    .set({ status: 'failed', error: '服务重启，比对中断（未写入任何结果），请重新运行', finished_at: new Date() })
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

type LinkCounts = { added: number; changed: number; removed: number; ms: number };
type Probable = Awaited<ReturnType<typeof probableLinks>>;

const sumCounts = (...all: LinkCounts[]): Omit<LinkCounts, 'ms'> => ({
  added: all.reduce((n, c) => n + c.added, 0),
  changed: all.reduce((n, c) => n + c.changed, 0),
  removed: all.reduce((n, c) => n + c.removed, 0),
});

/**
 * Brings the links in scope (all but the staff's) to the ones derived now, writing only the
 * differences, so the coverage tallies (statement triggers on member_link) refresh only what
 * changed. In parts, in one transaction: writeLinks for each set of derived links (the exact ones,
 * then the probabilistic: changed ones updated, new ones added, the rest left alone), then
 * removeLinksNotDerived. Exact links carry the levels {"idNumber":"same"}. The derived links are
 * staged in a temporary table with statistics, so each statement is planned as a hash join
 * whatever the numbers.
 */
async function writeLinks(db: Scoped['db'], links: DerivedLink[]): Promise<LinkCounts> {
  const t0 = performance.now();
  await sql`CREATE TEMP TABLE IF NOT EXISTS discovery_derived (member_id bigint, entity_person_id bigint, entity_id bigint, method text, score real, levels jsonb, scope_key text) ON COMMIT DROP`.execute(
    db,
  );
  await sql`DROP TABLE IF EXISTS pg_temp.discovery_part`.execute(db);
  await sql`CREATE TEMP TABLE discovery_part ON COMMIT DROP AS SELECT * FROM ${derivedLinkRows(links)} t`.execute(db);
  await sql`ANALYZE pg_temp.discovery_part`.execute(db);
  await sql`INSERT INTO discovery_derived SELECT * FROM discovery_part`.execute(db);
  const changed =
    await sql`UPDATE member_link l SET method = d.method, score = d.score, levels = d.levels, entity_id = d.entity_id, scope_key = d.scope_key
    FROM discovery_part d WHERE l.member_id = d.member_id AND l.entity_person_id = d.entity_person_id AND l.method <> 'staff'
      AND (l.method, l.score, l.levels, l.entity_id, l.scope_key) IS DISTINCT FROM (d.method, d.score, d.levels, d.entity_id, d.scope_key)`.execute(
      db,
    );
  // Links already on file (unchanged, just updated, or the staff's) conflict and are left alone.
  // In entity order: each link's foreign-key checks (its entity, its role) and the coverage rows it
  // flips then walk those tables' pages in order instead of at random (exact links at 5M: 83 → 68 s).
  const added =
    await sql`INSERT INTO member_link (member_id, entity_person_id, entity_id, method, score, levels, scope_key)
    SELECT d.member_id, d.entity_person_id, d.entity_id, d.method, d.score, d.levels, d.scope_key FROM discovery_part d
    ORDER BY d.entity_id, d.entity_person_id
    ON CONFLICT DO NOTHING`.execute(db);
  await sql`DROP TABLE pg_temp.discovery_part`.execute(db);
  return {
    added: Number(added.numAffectedRows ?? 0),
    changed: Number(changed.numAffectedRows ?? 0),
    removed: 0,
    ms: performance.now() - t0,
  };
}

/**
 * The links in scope (but the staff's) that no writeLinks of this transaction derived go, and
 * those of members whose membership has ended, the staff's too (migration 0100).
 */
async function removeLinksNotDerived(db: Scoped['db']): Promise<LinkCounts> {
  const t0 = performance.now();
  await sql`ANALYZE pg_temp.discovery_derived`.execute(db);
  const gone = await sql`DELETE FROM member_link l WHERE (l.method <> 'staff'
    AND NOT EXISTS (SELECT 1 FROM discovery_derived d WHERE d.member_id = l.member_id AND d.entity_person_id = l.entity_person_id))
    OR l.id IN (SELECT id FROM xgz_discovery_ended_links(NULL))`.execute(db);
  await sql`DROP TABLE pg_temp.discovery_derived`.execute(db);
  return { added: 0, changed: 0, removed: Number(gone.numAffectedRows ?? 0), ms: performance.now() - t0 };
}

// The pinyin readings of every common CJK character (all of a polyphone's), built once: two
// first characters of names can sound the same (compareNames' homophone level) only when they
// share one. Characters outside these blocks have none and stand for themselves (in SQL).
let sounds: { char: string[]; reading: string[] } | null = null;
function soundTable(): { char: string[]; reading: string[] } {
  if (!sounds) {
    sounds = { char: [], reading: [] };
    for (const [a, b] of [
      [0x3400, 0x4dbf],
      [0x4e00, 0x9fff],
    ]) {
      for (let c = a; c <= b; c++) {
        const ch = String.fromCodePoint(c);
        for (const r of new Set(pinyin(ch, { toneType: 'none', multiple: true, type: 'array' }))) {
          if (!r || r === ch) continue;
          sounds.char.push(ch);
          sounds.reading.push(r);
        }
      }
    }
  }
  return sounds;
}

/**
 * An annual report saying the legal representative or operator is a member makes that person a
 * member on file (source: declared, unconfirmed) unless they are one already.
 */
async function recordDeclaredMembers(db: Scoped['db']): Promise<void> {
  // Driven by the reports that say so (a few percent) whose year is the entity's latest, each
  // probed by index: not a sort of every report and a hash of every entity (seconds at a province).
  await sql`INSERT INTO member (person_id, sources, confidence, scope_key)
    SELECT DISTINCT ON (ep.person_id) ep.person_id, ARRAY['declared'], 'declared', e.scope_key
    FROM annual_report a
    JOIN entity e ON e.id = a.entity_id AND e.status = 'active'
    JOIN entity_person ep ON ep.entity_id = e.id AND ep.role = 'legal_rep'
    WHERE a.rep_is_member
      AND NOT EXISTS (SELECT 1 FROM annual_report b WHERE b.entity_id = a.entity_id AND b.year > a.year)
      AND NOT EXISTS (SELECT 1 FROM member m WHERE m.person_id = ep.person_id)
    ON CONFLICT (person_id) DO NOTHING`.execute(db);
}
