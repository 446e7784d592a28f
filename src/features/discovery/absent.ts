import { sql } from 'kysely';
import type { Scoped } from '../../db/scoped.js';
import { ROSTER_ABSENT_CONDITION } from '../../domain/cases/conditions.js';
import { ENDED_STATUSES } from '../../domain/cases/workflow.js';
import type { CaseChange } from './change.js';
import { insertCaseEvents, withCaseLog } from './case-log.js';

/**
 * A member missing from a later full roster (名册中已不存在). At a full-roster import's successful
 * end, in the transaction that marks it done: each member held by the same roster holder (the
 * importer's node, where the roster writer keeps its members) in an organization the file carried
 * (by name, or by 党组织代码 where the file gave one), on the roll (not already 已转出, 停止党籍 or
 * 去世), whom the job did not see, gets a roster_absent case at the holder's node: a member
 * whose row the job refused was seen (by key, else by name, else the refused row's organization
 * stands for all of its members). The comparison is one statement over import_roster_seen, in the
 * database: nothing of the file is held in memory. A member with a case pending (open, contacted)
 * or decided 仍在册 (it stands until someone reopens it) gets no second one; one concluded 已转出,
 * 停止党籍 or 去世 and put back on the roll since does (migration 0089). Returns the cases raised.
 */
export async function raiseRosterAbsences(s: Scoped, job: { id: number; scopeKey: string }): Promise<number> {
  const { db } = s;
  const change: CaseChange = {
    source: 'import',
    label: `导入完整党员名册（导入任务 #${job.id}）`,
    objectType: 'import_job',
    objectId: job.id,
  };
  const raised = await withCaseLog<{ id: number; scope_key: string; county_code: string }>(
    sql`WITH seen AS MATERIALIZED (SELECT member_id, name_hash, org FROM import_roster_seen WHERE job_id = ${job.id}),
    carried AS MATERIALIZED (SELECT DISTINCT m.org_relation, m.org_relation_code FROM seen JOIN member m ON m.id = seen.member_id),
    absent AS (
      SELECT m.id, m.scope_key, m.org_relation FROM member m JOIN person p ON p.id = m.person_id
      WHERE m.scope_key = ${job.scopeKey} AND 'roster' = ANY(m.sources) AND m.member_status <> ALL(${ENDED_STATUSES}::text[])
        AND (m.org_relation IN (SELECT org_relation FROM carried) OR m.org_relation_code IN (SELECT org_relation_code FROM carried))
        AND NOT EXISTS (SELECT 1 FROM seen WHERE seen.member_id = m.id)
        AND NOT EXISTS (SELECT 1 FROM seen WHERE seen.name_hash = md5(regexp_replace(p.name, '\\s', '', 'g')))
        AND NOT EXISTS (SELECT 1 FROM seen WHERE seen.member_id IS NULL AND seen.name_hash IS NULL AND seen.org = m.org_relation))
    INSERT INTO discovery_case (kind, entity_id, member_id, scope_key, county_code, evidence, evidence_hash, raised_by)
    SELECT 'roster_absent', NULL, a.id, a.scope_key, left(a.scope_key, 6), jsonb_build_object('orgRelation', a.org_relation, 'importJob', ${job.id}::bigint),
      'roster_absent:' || ${job.id}::bigint, ${s.who.userId}::bigint
    FROM absent a
    ON CONFLICT (member_id, county_code) WHERE kind = 'roster_absent' AND state IN ('open', 'contacted', 'dismissed') DO NOTHING
    RETURNING id, scope_key, county_code`,
    'insert',
  ).execute(db);
  const rows = raised.rows;
  if (!rows.length) return 0;
  await insertCaseEvents(
    sql`SELECT id, ${s.who.userId}::bigint, 'raised', NULL, 'open', ${JSON.stringify({ condition: ROSTER_ABSENT_CONDITION, change })}::jsonb, k, cc
    FROM unnest(${rows.map((r) => Number(r.id))}::bigint[], ${rows.map((r) => r.scope_key)}::text[], ${rows.map((r) => r.county_code)}::text[]) AS t(id, k, cc)`,
  ).execute(db);
  s.audit({
    action: 'case.follow',
    objectType: 'import_job',
    objectId: job.id,
    detail: { change: change.label, raised: rows.length, kind: 'roster_absent' },
  });
  return rows.length;
}

/**
 * The case follows the roster: an import (full or not) that carries the member again, or says
 * they left, closes their open roster_absent case ('resolved', as other cases close when their
 * condition ends), with the reason given. A case a person decided keeps the decision. In the
 * batch's transaction (the pipeline's per-batch hook).
 */
export async function closeAbsentCases(
  s: Scoped,
  memberIds: number[],
  change: CaseChange,
  reason = '再次导入的名册中有该党员',
): Promise<number> {
  if (!memberIds.length) return 0;
  // The state each case is closed from is the one read; a case moved meanwhile by someone else
  // fails the `d.state = hit.state` recheck on the row as it is now, and is left to its mover
  // (a lock with FOR UPDATE did the same, and Citus refuses it across shards). Joined on the
  // county too, so that on Citus each shard updates its own cases.
  const closed = await withCaseLog<{ id: number; from_state: string; scope_key: string; county_code: string }>(
    sql`UPDATE discovery_case d SET state = 'resolved', resolved_at = now(), updated_at = now()
    FROM (SELECT id, county_code, state FROM discovery_case WHERE kind = 'roster_absent' AND state IN ('open', 'contacted') AND member_id = ANY(${memberIds}::bigint[])) hit
    WHERE d.id = hit.id AND d.county_code = hit.county_code AND d.state = hit.state
    RETURNING d.id, hit.state AS from_state, d.scope_key, d.scope_key AS from_scope, d.county_code`,
    'update',
  ).execute(s.db);
  const rows = closed.rows;
  if (!rows.length) return 0;
  const detail = JSON.stringify({ condition: ROSTER_ABSENT_CONDITION, reason, change });
  await insertCaseEvents(
    sql`SELECT id, ${s.who.userId}::bigint, 'auto_closed', f, 'resolved', ${detail}::jsonb, k, cc
    FROM unnest(${rows.map((r) => Number(r.id))}::bigint[], ${rows.map((r) => r.from_state)}::text[], ${rows.map((r) => r.scope_key)}::text[],
      ${rows.map((r) => r.county_code)}::text[]) AS t(id, f, k, cc)`,
  ).execute(s.db);
  s.audit({
    action: 'case.follow',
    objectType: change.objectType ?? 'discovery_case',
    objectId: change.objectId,
    detail: { change: change.label, resolved: rows.length, kind: 'roster_absent' },
  });
  return rows.length;
}
