import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { SANLIANG_KIND_LABEL, RECORD_STATUS_LABEL, PLAQUE_STATE_LABEL } from '../../domain/sanliang/plaque.js';
import { HONOUR_STATE_LABEL, AWARD_LEVEL_LABEL } from '../../domain/recognition/honours.js';
import { POINT_KIND_LABEL, POINT_LEVEL_LABEL } from '../../domain/recognition/points.js';
import { DOOR_LABEL, STATE_LABEL as APPEAL_STATE_LABEL } from '../../domain/cases/engine.js';
import { CASE_KIND_LABEL, isPending, STATE_LABEL as CASE_STATE_LABEL } from '../../domain/cases/workflow.js';
import { OUTCOME_LABEL } from '../../domain/platforms/labels.js';
import { ORG_KIND_LABEL, ORG_STATUS_LABEL, SETUP_MODE_LABEL } from '../../domain/orgs/rules.js';
import { EXIT_CAUSE_LABEL, EXIT_STATE_LABEL } from '../../domain/exit/exit.js';
import { CREDIT_LIST_LABEL } from '../../domain/ledger/credit-rows.js';
import { KIND_LABELS as DEPLOYMENT_KIND_LABEL } from '../../domain/worktasks/rules.js';
import type { EntityRecords, RecordItem } from './contract.js';

const WORK_TASK_LABEL: Record<string, string> = { assign_instructor: '选派党建工作指导员', find_members: '组织找党员' };
const WORK_TASK_STATE_LABEL: Record<string, string> = { open: '待办', done: '已完成', cancelled: '已撤销' };
/** How an instructor's assignment reaches an entity, by the assignment's target. */
/** A code's label, from a row read as untyped SQL (a code the map does not know shows as itself). */
const labelOf = <K extends string>(labels: Record<K, string>, v: unknown): string =>
  labels[v as K] ?? (typeof v === 'string' ? v : '');

export const REACH_VIA: Record<string, string> = {
  entity: '直接联系',
  zone: '所在区域',
  org: '所在党组织',
  platform: '所在平台',
  station: '所在站点',
};
const day = (v: unknown) =>
  v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'string' ? v.slice(0, 10) : '';
const clip = (s: string | null, n = 60) => (!s ? '' : s.length > n ? `${s.slice(0, n)}…` : s);

type Raw = Record<string, Record<string, unknown>[] | null>;

/**
 * Everything that names one entity, for its page — visits, appeals and visit problems, assistance,
 * tasks that named it, plaques, honours, points, discovery cases, organizations, instructors, credit
 * listings and exit reviews — each item with the path of its record. Two statements in the caller's
 * scoped transaction: the entity's discovery cases alone (the case group, distributed on Citus, is
 * read in statements of its own), then everything else, the tasks' links to those cases by id.
 * Row-level security decides what each part shows, so a station sees its own entity's records and
 * nothing of a sibling's. Returns null when the entity is not in scope.
 */
export async function entityRecords(db: Transaction<DB>, entityId: number): Promise<EntityRecords | null> {
  const cases = (
    await sql<
      Record<string, unknown>
    >`SELECT id, kind, state, updated_at FROM discovery_case WHERE entity_id = ${entityId} ORDER BY id DESC`.execute(db)
  ).rows;
  const caseIds = cases.map((c) => Number(c.id));
  const { rows } = await sql<{ found: boolean } & Raw>`
    WITH e AS (SELECT id FROM entity WHERE id = ${entityId}),
    v AS (SELECT id, visited_on, visitor_name, learned, plan_id FROM visit_record WHERE entity_id = ${entityId})
    SELECT EXISTS (SELECT 1 FROM e) AS found,
      (SELECT json_agg(x ORDER BY x.visited_on DESC, x.id DESC) FROM v x) AS visits,
      (SELECT json_agg(x ORDER BY x.id DESC) FROM (SELECT c.id, c.door, c.category, c.state, c.created_at, c.visit_id FROM appeal_case c WHERE c.entity_id = ${entityId}
        UNION SELECT c.id, c.door, c.category, c.state, c.created_at, c.visit_id FROM v JOIN appeal_case c ON c.visit_id = v.id) x) AS appeals,
      (SELECT json_agg(x ORDER BY x.joined_on DESC) FROM (SELECT a.id, a.program_id, p.name AS program_name, a.joined_on, a.problem, a.outcome FROM assistance_entity a
        LEFT JOIN assistance_program p ON p.id = a.program_id WHERE a.entity_id = ${entityId}) x) AS assistance,
      (SELECT json_agg(x ORDER BY x.id DESC) FROM (SELECT id, kind, state, closed_reason, created_at FROM work_task WHERE entity_id = ${entityId}) x) AS work_tasks,
      (SELECT json_agg(x ORDER BY x.starts_on DESC) FROM (SELECT id, title, starts_on, ends_on, visitor_name FROM visit_plan WHERE ${entityId}::bigint = ANY(entity_ids)) x) AS plans,
      (SELECT json_agg(x ORDER BY x.id DESC) FROM (SELECT DISTINCT d.id, d.kind, d.title, d.due_at FROM deployment_target t JOIN deployment d ON d.id = t.deployment_id
        CROSS JOIN LATERAL jsonb_array_elements(t.reply_links) l
        WHERE (l->>'kind' = 'visit' AND (l->>'id')::bigint IN (SELECT id FROM v))
           OR (l->>'kind' = 'appeal' AND (l->>'id')::bigint IN (SELECT id FROM appeal_case WHERE entity_id = ${entityId}))
           OR (l->>'kind' = 'case' AND (l->>'id')::bigint = ANY (${caseIds}::bigint[]))) x) AS deployments,
      (SELECT json_agg(x ORDER BY x.record_id DESC, x.plaque_id DESC) FROM (SELECT s.id AS record_id, s.kind, s.status, pe.name, pl.id AS plaque_id, pl.number, pl.state, pl.suspended_at
        FROM sanliang s JOIN member m ON m.id = s.member_id JOIN person pe ON pe.id = m.person_id LEFT JOIN sanliang_plaque pl ON pl.record_id = s.id
        WHERE s.entity_id = ${entityId}) x) AS plaques,
      (SELECT json_agg(x ORDER BY x.id DESC) FROM (SELECT h.id, coalesce(d.label, h.kind) AS label, h.state, h.level, h.year, h.flagged_at, h.flag_reason FROM honour h
        LEFT JOIN dictionary d ON d.kind = 'honor_kind' AND d.code = h.kind WHERE h.entity_id = ${entityId}) x) AS honours,
      (SELECT json_agg(x ORDER BY x.designated_on DESC) FROM (SELECT id, kind, level, status, designated_on, flagged_at, flag_reason FROM recognition_point WHERE entity_id = ${entityId}) x) AS points,
      (SELECT json_agg(x ORDER BY x.id) FROM (SELECT o.id, o.name, o.kind, o.setup_mode, o.status FROM party_org_entity pe JOIN party_org o ON o.id = pe.org_id WHERE pe.entity_id = ${entityId}) x) AS orgs,
      (SELECT json_agg(x ORDER BY x.start_on) FROM (SELECT DISTINCT i.id, p.name, a.target, a.start_on FROM instructor_reach r JOIN instructor_assignment a ON a.id = r.assignment_id
        JOIN instructor i ON i.id = a.instructor_id JOIN person p ON p.id = i.person_id WHERE r.entity_id = ${entityId}) x) AS instructors,
      (SELECT json_agg(x ORDER BY x.listed_on DESC) FROM (SELECT id, list, listed_on, listed_reason, removed_on FROM credit_listing WHERE entity_id = ${entityId}) x) AS listings,
      (SELECT json_agg(x ORDER BY x.id DESC) FROM (SELECT id, cause, reason, state, opened_at FROM exit_review WHERE entity_id = ${entityId}) x) AS reviews,
      (SELECT json_agg(x ORDER BY x.occurred_on DESC) FROM (SELECT id, occurred_on, description FROM entity_violation WHERE entity_id = ${entityId}) x) AS violations`.execute(
    db,
  );
  const r = rows[0];
  if (!r.found) return null;
  r.cases = cases;
  const list = <T>(k: string, f: (x: Record<string, unknown> & T) => RecordItem) =>
    ((r[k] ?? []) as (Record<string, unknown> & T)[]).map(f);
  type Any = Record<string, never>;
  return {
    visits: list<Any>('visits', (x) => ({
      id: Number(x.id),
      title: `走访 ${day(x.visited_on)} · ${String(x.visitor_name)}`,
      detail: clip(x.learned),
      state: '已走访',
      attention: false,
      href: `/appeals?tab=visits&visit=${Number(x.id)}`,
    })),
    appeals: list<Any>('appeals', (x) => ({
      id: Number(x.id),
      title: `${labelOf(DOOR_LABEL, x.door)} #${Number(x.id)}`,
      detail: `${String(x.category)} · ${day(x.created_at)}${x.visit_id ? ' · 走访中发现' : ''}`,
      state: labelOf(APPEAL_STATE_LABEL, x.state),
      attention: !['resolved', 'closed'].includes(String(x.state)),
      href: `/appeals?open=${Number(x.id)}`,
    })),
    assistance: list<Any>('assistance', (x) => ({
      id: Number(x.id),
      title: x.program_name ?? '帮扶项目',
      detail: `${day(x.joined_on)} 加入${x.problem ? ` · ${clip(x.problem, 40)}` : ''}`,
      state: labelOf(OUTCOME_LABEL, x.outcome),
      attention: x.outcome === 'unresolved',
      href: `/assistance?open=${Number(x.program_id)}`,
    })),
    tasks: [
      ...list<Any>('work_tasks', (x) => ({
        id: Number(x.id),
        title: WORK_TASK_LABEL[String(x.kind)] ?? String(x.kind),
        detail: `组建工作任务 · ${day(x.created_at)}${x.closed_reason ? ` · ${String(x.closed_reason)}` : ''}`,
        state: WORK_TASK_STATE_LABEL[String(x.state)] ?? String(x.state),
        attention: x.state === 'open',
        href: '/proposals',
      })),
      ...list<Any>('plans', (x) => ({
        id: Number(x.id),
        title: String(x.title),
        detail: `走访计划 ${day(x.starts_on)} 至 ${day(x.ends_on)} · ${String(x.visitor_name)}`,
        state: '走访计划',
        attention: false,
        href: `/appeals?tab=visits&plan=${Number(x.id)}`,
      })),
      ...list<Any>('deployments', (x) => ({
        id: Number(x.id),
        title: String(x.title),
        detail: `回复中引用了本主体的记录${x.due_at ? ` · 截止 ${day(x.due_at)}` : ''}`,
        state: labelOf(DEPLOYMENT_KIND_LABEL, x.kind),
        attention: false,
        href: `/work/${Number(x.id)}`,
      })),
    ],
    plaques: list<Any>('plaques', (x) => ({
      id: Number(x.plaque_id ?? x.record_id),
      title: `${labelOf(SANLIANG_KIND_LABEL, x.kind)} · ${String(x.name)}`,
      detail: x.number ? `牌匾 ${String(x.number)}` : `未发牌（${labelOf(RECORD_STATUS_LABEL, x.status)}）`,
      state: !x.number
        ? labelOf(RECORD_STATUS_LABEL, x.status)
        : x.state === 'valid' && x.suspended_at
          ? '暂停公示'
          : labelOf(PLAQUE_STATE_LABEL, x.state),
      attention: x.state === 'valid' && !!x.suspended_at,
      href: `/sanliang?open=${Number(x.record_id)}`,
    })),
    honours: list<Any>('honours', (x) => ({
      id: Number(x.id),
      title: String(x.label),
      detail: [
        x.level ? labelOf(AWARD_LEVEL_LABEL, x.level) : '',
        x.year ? `${Number(x.year)} 年` : '',
        x.flagged_at ? `待复核：${String(x.flag_reason ?? '')}` : '',
      ]
        .filter(Boolean)
        .join(' · '),
      state: labelOf(HONOUR_STATE_LABEL, x.state),
      attention: !!x.flagged_at,
      href: `/honours?open=${Number(x.id)}`,
    })),
    points: list<Any>('points', (x) => ({
      id: Number(x.id),
      title: `${labelOf(POINT_LEVEL_LABEL, x.level)}${labelOf(POINT_KIND_LABEL, x.kind)}`,
      detail: `${day(x.designated_on)} 确定${x.flagged_at ? ` · 待复核：${String(x.flag_reason ?? '')}` : ''}`,
      state: x.status === 'active' ? '有效' : '已撤销',
      attention: !!x.flagged_at,
      href: `/points?open=${Number(x.id)}`,
    })),
    cases: list<Any>('cases', (x) => ({
      id: Number(x.id),
      title: labelOf(CASE_KIND_LABEL, x.kind),
      detail: `更新于 ${day(x.updated_at)}`,
      state: labelOf(CASE_STATE_LABEL, x.state),
      attention: isPending(String(x.state)),
      href: `/discovery?open=${Number(x.id)}`,
    })),
    orgs: list<Any>('orgs', (x) => ({
      id: Number(x.id),
      title: String(x.name),
      detail: `${labelOf(ORG_KIND_LABEL, x.kind)} · ${labelOf(SETUP_MODE_LABEL, x.setup_mode)}`,
      state: labelOf(ORG_STATUS_LABEL, x.status),
      attention: false,
      href: `/orgs?open=${Number(x.id)}`,
    })),
    instructors: list<Any>('instructors', (x) => ({
      id: Number(x.id),
      title: String(x.name),
      detail: `${REACH_VIA[String(x.target)] ?? ''}，自 ${day(x.start_on)}`,
      state: '在指派',
      attention: false,
      href: `/instructors?open=${Number(x.id)}`,
    })),
    creditListings: list<Any>('listings', (x) => ({
      id: Number(x.id),
      title: labelOf(CREDIT_LIST_LABEL, x.list),
      detail: `${day(x.listed_on)} 列入：${clip(x.listed_reason, 50)}${x.removed_on ? ` · ${day(x.removed_on)} 移出` : ''}`,
      state: x.removed_on ? '已移出' : '在列',
      attention: !x.removed_on,
      href: '/exit-reviews',
    })),
    exitReviews: list<Any>('reviews', (x) => ({
      id: Number(x.id),
      title: labelOf(EXIT_CAUSE_LABEL, x.cause),
      detail: `${day(x.opened_at)} · ${String(x.reason)}`,
      state: labelOf(EXIT_STATE_LABEL, x.state),
      attention: ['open', 'lift_pending'].includes(String(x.state)),
      href: `/exit-reviews?open=${Number(x.id)}`,
    })),
    violations: list<Any>('violations', (x) => ({
      id: Number(x.id),
      title: String(x.description),
      detail: day(x.occurred_on),
      state: '严重违法',
      attention: true,
      href: null,
    })),
  };
}
