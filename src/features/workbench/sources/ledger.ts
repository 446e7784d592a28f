import { sql } from 'kysely';
import type { TodoItem } from '../contract.js';
import { DAY_MS, subtree, type TodoSource } from './types.js';
import { addDays, deadlineOf } from '../../../domain/time/zone.js';
import { fileNameForOthers } from '../../../domain/identifiers/free-text.js';
import { awaitingStation } from '../../../db/entity-scope.js';

const endOfDay = (d: string | null) => (d ? deadlineOf(d).toISOString() : null);

/** Party organizations in the subtree whose officers' term ends within 6 months (or has ended) with no new term entered. */
export const termTodos: TodoSource<{ n: number; ended: number; first: string | null }> = {
  kind: 'term',
  label: '换届提醒',
  select: (c) => {
    const [lo, hi] = subtree(c.scopeKey);
    const until = addDays(c.today, 183);
    return sql`(SELECT json_build_object('n', count(*), 'ended', count(*) FILTER (WHERE x.term_end < ${c.today}), 'first', min(x.term_end)::text)
      FROM (SELECT DISTINCT f.org_id FROM party_org_officer f WHERE f.term_end <= ${until} AND f.scope_key >= ${lo} AND f.scope_key < ${hi}) cand
      CROSS JOIN LATERAL (SELECT max(g.term_end) AS term_end FROM party_org_officer g WHERE g.org_id = cand.org_id) x
      JOIN party_org o ON o.id = cand.org_id
      WHERE o.status = 'established' AND x.term_end <= ${until})`;
  },
  items: (r) =>
    !r.n
      ? []
      : [
          {
            key: 'term:due',
            kind: 'term',
            kindLabel: '换届提醒',
            title: `${r.n} 个党组织 6 个月内届满${r.ended ? `（其中 ${r.ended} 个已届满）` : ''}`,
            detail: '请督促按期换届，录入新一届班子',
            count: r.n,
            dueAt: endOfDay(r.first),
            urgency: r.ended ? 'overdue' : 'due_soon',
            link: '/orgs?tab=terms',
          },
        ],
};

/** Honours in the subtree awaiting review, and awarded ones flagged for review (the entity turned bad). */
export const honourTodos: TodoSource<{ nominated: number; flagged: number }> = {
  kind: 'honour',
  label: '荣誉',
  select: (c) => {
    const [lo, hi] = subtree(c.scopeKey);
    return sql`(SELECT json_build_object('nominated', count(*) FILTER (WHERE state = 'nominated'), 'flagged', count(*) FILTER (WHERE state = 'awarded' AND flagged_at IS NOT NULL))
      FROM honour WHERE scope_key >= ${lo} AND scope_key < ${hi} AND (state = 'nominated' OR (state = 'awarded' AND flagged_at IS NOT NULL)))`;
  },
  items: (r) => {
    const out: TodoItem[] = [];
    if (r.nominated)
      out.push({
        key: 'honour:nominated',
        kind: 'honour',
        kindLabel: '荣誉',
        title: `待审核的荣誉提名 ${r.nominated} 项`,
        detail: '审核通过或不通过（写明理由）',
        count: r.nominated,
        dueAt: null,
        urgency: 'normal',
        link: '/honours',
      });
    if (r.flagged)
      out.push({
        key: 'honour:flagged',
        kind: 'honour',
        kindLabel: '荣誉',
        title: `被标记复核的荣誉 ${r.flagged} 项`,
        detail: '主体注销、吊销或有严重违法记录，请复核是否撤销',
        count: r.flagged,
        dueAt: null,
        urgency: 'due_soon',
        link: '/honours',
      });
    return out;
  },
};

/** Mobile-member cards (流动党员活动证) in the subtree expiring within 60 days or expired, not handed back. */
export const cardTodos: TodoSource<{ n: number; expired: number; first: string | null }> = {
  kind: 'card',
  label: '流动党员活动证',
  select: (c) => {
    const [lo, hi] = subtree(c.scopeKey);
    const until = addDays(c.today, 60);
    return sql`(SELECT json_build_object('n', count(*), 'expired', count(*) FILTER (WHERE expires_on < ${c.today}), 'first', min(expires_on)::text)
      FROM mobile_card WHERE scope_key >= ${lo} AND scope_key < ${hi} AND returned_on IS NULL AND expires_on <= ${until})`;
  },
  items: (r) =>
    !r.n
      ? []
      : [
          {
            key: 'card:expiring',
            kind: 'card',
            kindLabel: '流动党员活动证',
            title: `${r.n} 张流动党员活动证 60 天内到期${r.expired ? `（其中 ${r.expired} 张已过期）` : ''}`,
            detail: '续期或登记交回',
            count: r.n,
            dueAt: endOfDay(r.first),
            urgency: r.expired ? 'overdue' : 'due_soon',
            link: '/new-employment?tab=cards',
          },
        ],
};

type Job = {
  id: number;
  kind: string;
  file_name: string;
  status: string;
  rows_rejected: number;
  created_by: number | null;
};

/** Imports of the node that need attention (failed, or rows refused and not yet re-imported), and, for a county, entities without a station. */
export const importTodos: TodoSource<{ jobs: Job[]; no_station: number | null }> = {
  kind: 'import',
  label: '数据导入',
  select: (c) => {
    const since = new Date(c.now.getTime() - 30 * DAY_MS);
    return sql`json_build_object(
      'jobs', (SELECT coalesce(json_agg(x), '[]'::json) FROM (
        SELECT j.id, j.kind, j.file_name, j.status, j.rows_rejected, j.created_by FROM import_job j
        WHERE j.scope_key = ${c.scopeKey} AND j.created_at >= ${since} AND (j.status = 'failed' OR (j.status = 'done' AND j.rows_rejected > 0))
          AND NOT EXISTS (SELECT 1 FROM import_job k WHERE k.scope_key = j.scope_key AND k.kind = j.kind AND k.id > j.id AND k.status = 'done' AND k.rows_rejected = 0)
        ORDER BY j.id DESC LIMIT 10) x),
      'no_station', ${c.level === 'county' ? sql`(SELECT count(*) FROM entity e WHERE e.scope_key = ${c.scopeKey} AND ${awaitingStation('e')})` : sql`NULL::int`})`;
  },
  items: ({ jobs, no_station }, c) => {
    const out: TodoItem[] = jobs.map((r) => {
      const name = r.created_by === c.userId ? r.file_name : fileNameForOthers(r.file_name);
      return {
        key: `import:${r.id}`,
        kind: 'import',
        kindLabel: '数据导入',
        title: r.status === 'failed' ? `导入失败：${name}` : `导入有 ${r.rows_rejected} 行被拒绝：${name}`,
        detail: r.status === 'failed' ? '查看原因后重新导入' : '下载错误报告，改正后重新导入',
        count: r.status === 'failed' ? 1 : r.rows_rejected,
        dueAt: null,
        urgency: 'normal',
        link: '/imports',
      };
    });
    if (no_station)
      out.push({
        key: 'import:no-station',
        kind: 'import',
        kindLabel: '数据导入',
        title: `${no_station} 户存续市场主体未分到基层所`,
        detail: '在"待分配基层所"中按住所批量分配',
        count: no_station,
        dueAt: null,
        urgency: 'normal',
        link: '/entities/unassigned',
      });
    return out;
  },
};
