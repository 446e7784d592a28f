import { sql } from 'kysely';
import type { AppContext } from '../../http/context.js';
import type { Principal } from '../../db/audit-chain.js';
import { runScoped, type Scoped } from '../../db/scoped.js';
import { sm3Hex, canonicalJson } from '../../crypto/sm3.js';
import { DEFAULT_MODEL, DEFAULT_THRESHOLD, decide, withU, type Model, type Record_ } from '../../domain/matching/fellegi-sunter.js';
import type { CaseKind } from '../../domain/cases/workflow.js';

type MemberRec = Record_ & { memberId: number; personId: number; hasId: boolean; orgRelation: string | null; status: string; declaredOnly: boolean };
type RoleRec = Record_ & { roleId: number; entityId: number; personId: number; hasId: boolean; scopeKey: string };
type Link = { memberId: number; roleId: number; entityId: number; method: 'exact' | 'probabilistic'; score: number; levels: unknown; scopeKey: string };

/** Bits by which the best candidate must beat the next to be linked (else the case is ambiguous). */
const AMBIGUITY_MARGIN = 3;

/**
 * Scores the candidates of members not found by ID number (Fellegi–Sunter) and keeps, for each
 * member, its best candidate when it clearly beats the next; a role already held by a member
 * found by ID number, or claimed by a better-scoring member, is not given to another.
 */
export function pickLinks(members: MemberRec[], candidates: Map<number, RoleRec[]>, exactRoles: Set<number>, model: Model, threshold = DEFAULT_THRESHOLD): Link[] {
  const probable: Link[] = [];
  for (const m of members) {
    const scored: Link[] = [];
    for (const r of candidates.get(m.memberId) ?? []) {
      // Two different ID numbers are two people; a number on one side only proves nothing.
      if (r.personId === m.personId || (r.hasId && m.hasId)) continue;
      const d = decide(m, r, model, threshold);
      if (d.link) scored.push({ memberId: m.memberId, roleId: r.roleId, entityId: r.entityId, method: 'probabilistic', score: Number(d.score.toFixed(2)), levels: d.levels, scopeKey: r.scopeKey });
    }
    scored.sort((a, b) => b.score - a.score);
    if (scored.length && (scored.length === 1 || scored[0].score - scored[1].score >= AMBIGUITY_MARGIN)) probable.push(scored[0]);
  }
  const byRole = new Map<number, Link>();
  for (const l of probable) if (!exactRoles.has(l.roleId) && (!byRole.has(l.roleId) || byRole.get(l.roleId)!.score < l.score)) byRole.set(l.roleId, l);
  return [...byRole.values()];
}

/** Whether an org relation (free text from the roster) names the entity or its area. */
export function relationCovers(orgRelation: string | null, entity: { name: string; areas: string[] }): boolean {
  if (!orgRelation) return false;
  const core = entity.name.replace(/(有限责任公司|股份有限公司|有限公司|公司)$/, '');
  return (core.length >= 2 && orgRelation.includes(core)) || entity.areas.some((a) => a.length >= 2 && orgRelation.includes(a.replace(/(街道|镇|乡)$/, '')));
}

/**
 * One discovery run over the principal's scope: links, then cases. Idempotent: links are
 * recomputed; a case already confirmed or dismissed is left alone unless its evidence changed,
 * in which case it is reopened.
 */
export async function runDiscovery(ctx: AppContext, who: Principal, runId: number): Promise<Record<string, number>> {
  const scoped = <T>(fn: (s: Scoped) => Promise<T>) => runScoped(ctx.db, who, fn);
  const step = (s: string, counts: Record<string, number> = {}) =>
    scoped(({ db }) => db.updateTable('discovery_run').set({ step: s, counts: JSON.stringify(counts) }).where('id', '=', runId).execute());
  try {
    await step('身份证号比对');
    // The same person row (one per ID number) in a role of an operating entity: one SQL join.
    const exact = await scoped(async ({ db }) => {
      await recordDeclaredMembers(db);
      await db.deleteFrom('member_link').where('method', '<>', 'staff').execute();
      const t0 = performance.now();
      const res = await sql`INSERT INTO member_link (member_id, entity_person_id, entity_id, method, score, levels, scope_key)
        SELECT m.id, ep.id, ep.entity_id, 'exact', 99, '{"idNumber":"same"}', ep.scope_key
        FROM member m JOIN entity_person ep ON ep.person_id = m.person_id JOIN entity e ON e.id = ep.entity_id AND e.status = 'active'
        ON CONFLICT DO NOTHING`.execute(db);
      return { links: Number(res.numAffectedRows ?? 0), ms: performance.now() - t0 };
    });

    await step('姓名、出生日期、电话比对', { exact: exact.links });
    const t1 = performance.now();
    const { members, candidates, exactRoles, chance, roles } = await scoped(async ({ db }) => {
      const members = await sql<{ id: number; person_id: number; org_relation: string | null; member_status: string; scope_key: string; sources: string[]; name: string; birth_date: string | null; phone_bi: string | null; has_id: boolean; linked: boolean }>`
        SELECT m.id, m.person_id, m.org_relation, m.member_status, m.scope_key, m.sources, p.name, p.birth_date, p.phone_bi, p.id_bi IS NOT NULL AS has_id,
          EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id) AS linked
        FROM member m JOIN person p ON p.id = m.person_id`.execute(db);
      // Candidates share a birth date, a phone or the name with a member not yet found; each join
      // uses an index. Names of another length never agree (compareNames), so they are left out here.
      const candidates = await sql<{ member_id: number; role_id: number; entity_id: number; person_id: number; scope_key: string; name: string; birth_date: string | null; phone_bi: string | null; has_id: boolean; county_code: string }>`
        WITH um AS (
          SELECT m.id, p.id AS pid, p.name, p.birth_date, p.phone_bi FROM member m JOIN person p ON p.id = m.person_id
          WHERE NOT EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id) AND NOT (m.sources <@ ARRAY['declared'])
        ), pairs AS (
          SELECT um.id AS member_id, q.id AS qid FROM um JOIN person q ON q.birth_date = um.birth_date AND length(q.name) = length(um.name)
          UNION SELECT um.id, q.id FROM um JOIN person q ON q.phone_bi = um.phone_bi AND length(q.name) = length(um.name)
          UNION SELECT um.id, q.id FROM um JOIN person q ON q.name = um.name
        )
        SELECT pairs.member_id, ep.id AS role_id, ep.entity_id, q.id AS person_id, ep.scope_key, q.name, q.birth_date, q.phone_bi, q.id_bi IS NOT NULL AS has_id, e.county_code
        FROM pairs JOIN person q ON q.id = pairs.qid JOIN entity_person ep ON ep.person_id = q.id JOIN entity e ON e.id = ep.entity_id AND e.status = 'active'`.execute(db);
      const exactRoles = await sql<{ role_id: number }>`SELECT l.entity_person_id AS role_id FROM member_link l JOIN member m ON m.id = l.member_id WHERE l.method = 'exact' AND NOT (m.sources <@ ARRAY['declared'])`.execute(db);
      // How often two people share a name or a birth date by chance (the u of the model), from the
      // planner's statistics: the squared shares of the most common values (imports run ANALYZE).
      const stats = await sql<{ attname: string; freqs: number[] | null }>`
        SELECT attname, most_common_freqs::float8[] AS freqs FROM pg_stats WHERE tablename = 'person' AND attname IN ('name', 'birth_date')`.execute(db);
      const squared = (col: string) => (stats.rows.find((r) => r.attname === col)?.freqs ?? []).reduce((sum, f) => sum + f * f, 0);
      const chance = { name: squared('name'), birth: squared('birth_date') };
      const roles = await sql<{ n: number }>`SELECT count(*)::int AS n FROM entity_person ep JOIN entity e ON e.id = ep.entity_id AND e.status = 'active'`.execute(db);
      return { members: members.rows, candidates: candidates.rows, exactRoles: new Set(exactRoles.rows.map((r) => r.role_id)), chance, roles: roles.rows[0].n };
    });
    const loadMs = performance.now() - t1;
    const t2 = performance.now();
    const memberRecs: MemberRec[] = members.map((m) => ({ memberId: m.id, personId: m.person_id, name: m.name, birthDate: m.birth_date, phoneBi: m.phone_bi, county: m.scope_key.length >= 6 ? m.scope_key.slice(0, 6) : null, hasId: m.has_id, orgRelation: m.org_relation, status: m.member_status, declaredOnly: m.sources.every((x) => x === 'declared') }));
    const byMember = new Map<number, RoleRec[]>();
    for (const c of candidates) (byMember.get(c.member_id) ?? byMember.set(c.member_id, []).get(c.member_id)!).push({ roleId: c.role_id, entityId: c.entity_id, personId: c.person_id, name: c.name, birthDate: c.birth_date, phoneBi: c.phone_bi, county: c.county_code, hasId: c.has_id, scopeKey: c.scope_key });
    const linked = new Set(members.filter((m) => m.linked).map((m) => m.id));
    const unlinked = memberRecs.filter((m) => byMember.has(m.memberId) && !linked.has(m.memberId));
    // Without statistics (a database never analysed) the configured model stands.
    const model = chance.name > 0 ? withU(DEFAULT_MODEL, { name: chance.name, birthDate: chance.birth || DEFAULT_MODEL.birthDate.exact.u }) : DEFAULT_MODEL;
    const links = pickLinks(unlinked, byMember, exactRoles, model);

    const scoreMs = performance.now() - t2;
    await step('生成线索', { exact: exact.links, probabilistic: links.length });
    const t3 = performance.now();
    const counts = await scoped(async ({ db, audit }) => {
      for (let i = 0; i < links.length; i += 5000) {
        const part = links.slice(i, i + 5000);
        await sql`INSERT INTO member_link (member_id, entity_person_id, entity_id, method, score, levels, scope_key)
          SELECT * FROM unnest(${part.map((l) => l.memberId)}::bigint[], ${part.map((l) => l.roleId)}::bigint[], ${part.map((l) => l.entityId)}::bigint[],
            ${part.map((l) => l.method)}::text[], ${part.map((l) => l.score)}::real[], ${part.map((l) => JSON.stringify(l.levels))}::jsonb[], ${part.map((l) => l.scopeKey)}::text[])
          ON CONFLICT DO NOTHING`.execute(db);
      }
      const raised = await raiseCases({ db, who, audit }, memberRecs);
      const c = { members: members.length, roles, candidates: candidates.length, links: exact.links + links.length, exact: exact.links, exactMs: Math.round(exact.ms), loadMs: Math.round(loadMs), scoreMs: Math.round(scoreMs), casesMs: Math.round(performance.now() - t3), ...raised };
      audit({ action: 'discovery.run', objectType: 'discovery_run', objectId: runId, detail: c });
      await db.updateTable('discovery_run').set({ status: 'done', step: '完成', counts: JSON.stringify(c), finished_at: new Date() }).where('id', '=', runId).execute();
      return c;
    });
    return counts;
  } catch (err) {
    await scoped(({ db }) => db.updateTable('discovery_run').set({ status: 'failed', error: (err as Error).message, finished_at: new Date() }).where('id', '=', runId).execute());
    throw err;
  }
}

/**
 * An annual report saying the legal representative or operator is a member makes that person a
 * member on file (source: declared, unconfirmed) unless they are one already.
 */
async function recordDeclaredMembers(db: Scoped['db']): Promise<void> {
  await sql`INSERT INTO member (person_id, sources, confidence, scope_key)
    SELECT DISTINCT ON (ep.person_id) ep.person_id, ARRAY['declared'], 'declared', e.scope_key
    FROM entity e
    JOIN LATERAL (SELECT a.rep_is_member FROM annual_report a WHERE a.entity_id = e.id ORDER BY a.year DESC LIMIT 1) latest ON true
    JOIN entity_person ep ON ep.entity_id = e.id AND ep.role = 'legal_rep'
    WHERE latest.rep_is_member AND e.status = 'active'
    ON CONFLICT (person_id) DO NOTHING`.execute(db);
}

type Candidate = { kind: CaseKind; entityId: number; memberId: number | null; scopeKey: string; evidence: Record<string, unknown> };

/** Derives the cases from links and the latest annual reports, and upserts them. */
async function raiseCases(s: Scoped, members: MemberRec[]): Promise<Record<string, number>> {
  const { db } = s;
  const rows = await sql<{ entity_id: number; name: string; scope_key: string; county_name: string; areas: string[]; declared: number | null; org_form: number | null; report_year: number | null; found: { member: number; role: number; method: string; score: number; levels: unknown }[] | null; orgs: string[] | null; registered: number[] | null }>`
    SELECT e.id AS entity_id, e.name, e.scope_key, c.name AS county_name, coalesce(st.served_areas, '{}') AS areas,
      latest.party_members AS declared, latest.party_org_form AS org_form, latest.year AS report_year,
      (SELECT json_agg(json_build_object('member', l.member_id, 'role', l.entity_person_id, 'method', l.method, 'score', l.score, 'levels', l.levels)) FROM member_link l WHERE l.entity_id = e.id) AS found,
      (SELECT array_agg(o.name) FROM party_org_entity pe JOIN party_org o ON o.id = pe.org_id WHERE pe.entity_id = e.id AND o.body = 'party' AND o.status <> 'dissolved') AS orgs,
      (SELECT array_agg(om.member_id)::int[] FROM party_org_entity pe JOIN party_org_member om ON om.org_id = pe.org_id WHERE pe.entity_id = e.id AND om.member_id IS NOT NULL) AS registered
    FROM entity e
    JOIN jurisdiction c ON c.code = e.county_code
    LEFT JOIN jurisdiction st ON st.code = e.station_code
    LEFT JOIN LATERAL (SELECT a.party_members, a.party_org_form, a.year FROM annual_report a WHERE a.entity_id = e.id ORDER BY a.year DESC LIMIT 1) latest ON true
    WHERE e.status = 'active' AND (EXISTS (SELECT 1 FROM member_link l WHERE l.entity_id = e.id) OR coalesce(latest.party_members, 0) > 0)`.execute(db);
  const byId = new Map(members.map((m) => [m.memberId, m]));
  // Cases weigh members someone vouches for (roster, staff, the member); a report's word alone is what is being checked.
  const vouched = (f: { member: number }) => byId.get(f.member)?.declaredOnly === false;
  const cases: Candidate[] = [];
  for (const e of rows.rows) {
    const found = (e.found ?? []).filter(vouched);
    const distinct = [...new Set(found.map((f) => f.member))];
    const declared = e.declared ?? 0;
    const base = { entity: e.name, reportYear: e.report_year, declared, found: distinct.length };
    if (distinct.length > declared) {
      for (const f of found) cases.push({ kind: 'hidden_member', entityId: e.entity_id, memberId: f.member, scopeKey: e.scope_key, evidence: { ...base, method: f.method, score: f.score, levels: f.levels } });
    }
    // Not pocket: registered with an organization covering the entity, or a relation that names it, its area or such an organization.
    const registered = new Set(e.registered ?? []);
    for (const f of found) {
      const m = byId.get(f.member);
      if (m && m.status !== 'mobile' && !registered.has(f.member) && !relationCovers(m.orgRelation, { name: e.name, areas: [...e.areas, e.county_name, ...(e.orgs ?? [])] })) {
        cases.push({ kind: 'pocket_member', entityId: e.entity_id, memberId: f.member, scopeKey: e.scope_key, evidence: { ...base, orgRelation: m.orgRelation, memberStatus: m.status, method: f.method, score: f.score } });
      }
    }
    if ((distinct.length > 0 || declared > 0) && !e.org_form && !e.orgs?.length) cases.push({ kind: 'entity_without_org', entityId: e.entity_id, memberId: null, scopeKey: e.scope_key, evidence: { ...base, orgForm: e.org_form } });
    if (declared > 0 && distinct.length === 0) cases.push({ kind: 'declared_not_found', entityId: e.entity_id, memberId: null, scopeKey: e.scope_key, evidence: base });
  }
  const counts: Record<string, number> = { raised: 0, reopened: 0, updated: 0, unchanged: 0 };
  for (let i = 0; i < cases.length; i += 2000) {
    const part = cases.slice(i, i + 2000);
    const hashes = part.map((c) => sm3Hex(canonicalJson(c.evidence)));
    const res = await sql<{ id: number; state: string; prior_state: string | null; prior_hash: string | null; hash: string; scope_key: string }>`
      WITH t AS (SELECT * FROM unnest(${part.map((c) => c.kind)}::text[], ${part.map((c) => c.entityId)}::bigint[], ${part.map((c) => c.memberId)}::bigint[],
          ${part.map((c) => c.scopeKey)}::text[], ${part.map((c) => JSON.stringify(c.evidence))}::jsonb[], ${hashes}::text[]) AS t(kind, entity_id, member_id, scope_key, evidence, hash)),
      prior AS (SELECT d.id, d.kind, d.entity_id, d.member_id, d.state, d.evidence_hash FROM discovery_case d JOIN t ON t.kind = d.kind AND t.entity_id = d.entity_id AND coalesce(t.member_id, 0) = coalesce(d.member_id, 0)),
      up AS (
        INSERT INTO discovery_case AS d (kind, entity_id, member_id, scope_key, evidence, evidence_hash)
        SELECT kind, entity_id, member_id, scope_key, evidence, hash FROM t
        ON CONFLICT (kind, entity_id, (coalesce(member_id, 0))) WHERE kind <> 'self_report' DO UPDATE SET
          evidence = EXCLUDED.evidence, evidence_hash = EXCLUDED.evidence_hash, scope_key = EXCLUDED.scope_key, updated_at = now(),
          state = CASE WHEN d.evidence_hash <> EXCLUDED.evidence_hash AND d.state IN ('confirmed', 'dismissed', 'transferred') THEN 'open' ELSE d.state END
        WHERE d.evidence_hash <> EXCLUDED.evidence_hash OR d.scope_key <> EXCLUDED.scope_key
        RETURNING d.id, d.kind, d.entity_id, d.member_id, d.state, d.scope_key, d.evidence_hash
      )
      SELECT up.id, up.state, prior.state AS prior_state, prior.evidence_hash AS prior_hash, up.evidence_hash AS hash, up.scope_key FROM up
      LEFT JOIN prior ON prior.kind = up.kind AND prior.entity_id = up.entity_id AND coalesce(prior.member_id, 0) = coalesce(up.member_id, 0)`.execute(db);
    // A case whose entity only moved to another station changes scope, not evidence: no event.
    const events = res.rows
      .filter((r) => r.prior_hash !== r.hash)
      .map((r) => ({ id: r.id, action: !r.prior_state ? 'raised' : r.prior_state !== r.state ? 'reopened' : 'evidence_changed', from: r.prior_state, to: r.state, scope: r.scope_key }));
    for (const ev of events) counts[ev.action === 'evidence_changed' ? 'updated' : ev.action]++;
    counts.unchanged += part.length - events.length;
    if (events.length) {
      await sql`INSERT INTO case_event (case_id, actor_id, action, from_state, to_state, scope_key)
        SELECT * FROM unnest(${events.map((e) => e.id)}::bigint[], ${events.map(() => s.who.userId)}::bigint[], ${events.map((e) => e.action)}::text[],
          ${events.map((e) => e.from)}::text[], ${events.map((e) => e.to)}::text[], ${events.map((e) => e.scope)}::text[])`.execute(db);
    }
  }
  for (const k of ['hidden_member', 'pocket_member', 'entity_without_org', 'declared_not_found']) counts[k] = cases.filter((c) => c.kind === k).length;
  return counts;
}
