import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { runScoped, type Scoped } from '../../db/scoped.js';
import { notify, type Recipient } from './notify.js';

/**
 * The bell for what other features record without a person at hand (a case routed by the rule or
 * escalated by the deadline job, cases raised by a discovery run, honours flagged by the entity's
 * change, an import that ended with refused rows): a sweep reads what happened since its last
 * position in each source (notification_cursor) and tells the accounts through notify(), the one
 * Notifier seam, grouped per node so a run of a thousand cases is one message, not a thousand. The
 * features themselves are untouched and their busy paths (the public appeal door) pay nothing.
 * Events older than a day when first seen (a backlog loaded in bulk) are passed over, not told.
 */
const BATCH = 5000;
const STALE_MS = 86_400_000;

type Cursor = { last_id: number; last_at: Date };
async function cursorOf(s: Scoped, source: string, init: () => Promise<number>): Promise<Cursor> {
  const c = await s.db
    .selectFrom('notification_cursor')
    .select(['last_id', 'last_at'])
    .where('source', '=', source)
    .executeTakeFirst();
  if (c) return { last_id: Number(c.last_id), last_at: new Date(c.last_at) };
  // Never swept (a source added later): start from now, telling nothing of the past.
  const start = { last_id: await init(), last_at: new Date() };
  await s.db
    .insertInto('notification_cursor')
    .values({ source, last_id: start.last_id, last_at: start.last_at })
    .execute();
  return start;
}
const move = (s: Scoped, source: string, c: Partial<Cursor>) =>
  s.db.updateTable('notification_cursor').set(c).where('source', '=', source).execute();
const maxId = (s: Scoped, table: 'appeal_event' | 'discovery_case') => async () =>
  Number((await sql<{ n: number | null }>`SELECT max(id) AS n FROM ${sql.table(table)}`.execute(s.db)).rows[0]?.n ?? 0);

/** The node (code) of each scope key. */
async function codesOf(s: Scoped, keys: readonly string[]): Promise<Map<string, string>> {
  if (!keys.length) return new Map();
  const rows = await s.db
    .selectFrom('jurisdiction')
    .select(['code', 'scope_key'])
    .where('scope_key', 'in', [...new Set(keys)])
    .execute();
  return new Map(rows.map((r) => [r.scope_key, r.code]));
}

/** Cases routed to a unit (new, or passed on to it), reopened by the person who raised them, and escalated to a level. */
async function appealEvents(s: Scoped, now: Date): Promise<number> {
  const c = await cursorOf(s, 'appeal_event', maxId(s, 'appeal_event'));
  const { rows } = await sql<{
    id: number;
    action: string;
    at: Date;
    to_key: string | null;
    case_key: string;
    platform_id: number | null;
    org_id: number | null;
  }>`
    SELECT e.id, e.action, e.at, e.detail->>'to' AS to_key, a.scope_key AS case_key, a.unit_platform_id AS platform_id, a.unit_org_id AS org_id
    FROM appeal_event e JOIN appeal_case a ON a.id = e.case_id
    WHERE e.id > ${c.last_id} AND e.action IN ('route', 'escalate', 'reopen') ORDER BY e.id LIMIT ${BATCH}`.execute(
    s.db,
  );
  if (!rows.length) return 0;
  await move(s, 'appeal_event', { last_id: Number(rows.at(-1)!.id), last_at: now });
  const fresh = rows.filter((r) => now.getTime() - new Date(r.at).getTime() < STALE_MS);
  const routed = new Map<string, number>();
  const units = new Map<string, number>();
  const escalated = new Map<string, number>();
  const reopened = new Map<string, number>();
  for (const r of fresh) {
    if (r.action === 'reopen') reopened.set(r.case_key, (reopened.get(r.case_key) ?? 0) + 1);
    else if (r.action === 'route') {
      routed.set(r.case_key, (routed.get(r.case_key) ?? 0) + 1);
      if (r.platform_id !== null)
        units.set(`platform:${r.platform_id}`, (units.get(`platform:${r.platform_id}`) ?? 0) + 1);
      if (r.org_id !== null) units.set(`org:${r.org_id}`, (units.get(`org:${r.org_id}`) ?? 0) + 1);
    } else if (r.to_key !== null) escalated.set(r.to_key, (escalated.get(r.to_key) ?? 0) + 1);
  }
  const codes = await codesOf(s, [...routed.keys(), ...escalated.keys(), ...reopened.keys()]);
  let told = 0;
  // One message per node of each kind: how many cases, and what to do.
  const tellNodes = async (counts: Map<string, number>, kind: string, title: (n: number) => string, body: string) => {
    for (const [key, n] of counts) {
      const code = codes.get(key);
      if (!code) continue;
      await notify(s, { nodes: [code] }, { kind, title: title(n), body, link: '/appeals' });
      told++;
    }
  };
  await tellNodes(routed, 'appeal.routed', (n) => `新转来的诉求 ${n} 件`, '请及时签收、办理');
  for (const [unit, n] of units) {
    const [kind, id] = unit.split(':');
    const accounts = await s.db
      .selectFrom('app_user')
      .select(['id', 'scope_key'])
      .where(kind === 'platform' ? 'bound_platform_id' : 'bound_org_id', '=', Number(id))
      .where('disabled', '=', false)
      .execute();
    const users: Recipient[] = accounts.map((a) => ({ userId: Number(a.id), scopeKey: a.scope_key }));
    if (users.length) {
      await notify(
        s,
        { users },
        { kind: 'appeal.routed', title: `转到本单位的诉求 ${n} 件`, body: '请及时签收、办理', link: '/appeals' },
      );
      told++;
    }
  }
  // The person asked for it to be handled again: the unit that answered hears so.
  await tellNodes(reopened, 'appeal.reopened', (n) => `提出人要求重新办理的诉求 ${n} 件`, '请再次办理并答复');
  await tellNodes(escalated, 'appeal.escalated', (n) => `督办到本级的诉求 ${n} 件`, '下级超过时限未办，请督办');
  return told;
}

/** Discovery cases raised at a station (a discovery run, a self-report): one message per node. */
async function discoveryCases(s: Scoped, now: Date): Promise<number> {
  const c = await cursorOf(s, 'discovery_case', maxId(s, 'discovery_case'));
  const { rows } = await sql<{ last: number; scope_key: string | null; n: number }>`
    WITH batch AS (SELECT id, scope_key, state, created_at FROM discovery_case WHERE id > ${c.last_id} ORDER BY id LIMIT ${BATCH})
    SELECT (SELECT max(id) FROM batch) AS last, b.scope_key, count(*)::int AS n FROM (SELECT 1) one
    LEFT JOIN batch b ON b.state IN ('open', 'contacted') AND b.created_at > ${new Date(now.getTime() - STALE_MS)}
    GROUP BY b.scope_key`.execute(s.db);
  const last = rows[0]?.last;
  if (last === null || last === undefined) return 0;
  await move(s, 'discovery_case', { last_id: Number(last), last_at: now });
  const groups = rows.filter((r) => r.scope_key !== null);
  const codes = await codesOf(
    s,
    groups.map((g) => g.scope_key!),
  );
  let told = 0;
  for (const g of groups) {
    const code = codes.get(g.scope_key!);
    if (code) {
      await notify(
        s,
        { nodes: [code] },
        { kind: 'case.new', title: `新的核实线索 ${g.n} 条`, body: '比对或报到产生，待联系核实', link: '/discovery' },
      );
      told++;
    }
  }
  return told;
}

/** Honours flagged for review since the last sweep (the entity was deregistered, revoked or recorded for a serious violation). */
async function flaggedHonours(s: Scoped, now: Date): Promise<number> {
  const c = await cursorOf(s, 'honour_flag', async () => 0);
  const rows = await s.db
    .selectFrom('honour')
    .select(['scope_key', sql<number>`count(*)::int`.as('n')])
    .where('flagged_at', '>', c.last_at)
    .where('flagged_at', '<=', now)
    .where('state', 'in', ['awarded', 'nominated', 'approved'])
    .groupBy('scope_key')
    .execute();
  await move(s, 'honour_flag', { last_at: now });
  const codes = await codesOf(
    s,
    rows.map((r) => r.scope_key),
  );
  let told = 0;
  for (const r of rows) {
    const code = codes.get(r.scope_key);
    if (code) {
      await notify(
        s,
        { nodes: [code] },
        {
          kind: 'honour.flagged',
          title: `被标记复核的荣誉 ${r.n} 项`,
          body: '主体注销、吊销或有严重违法记录，请复核是否撤销',
          link: '/honours',
        },
      );
      told++;
    }
  }
  return told;
}

/** Imports that ended failed or with refused rows: the account that uploaded the file. */
async function importsNeedingAttention(s: Scoped, now: Date): Promise<number> {
  const c = await cursorOf(s, 'import_job', async () => 0);
  const rows = await s.db
    .selectFrom('import_job')
    .select(['id', 'file_name', 'status', 'rows_rejected', 'created_by', 'scope_key'])
    .where('finished_at', '>', c.last_at)
    .where('finished_at', '<=', now)
    .where((eb) =>
      eb.or([eb('status', '=', 'failed'), eb.and([eb('status', '=', 'done'), eb('rows_rejected', '>', 0)])]),
    )
    .orderBy('id')
    .execute();
  await move(s, 'import_job', { last_at: now });
  let told = 0;
  for (const r of rows) {
    if (r.created_by === null) continue;
    const failed = r.status === 'failed';
    await notify(
      s,
      { users: [{ userId: Number(r.created_by), scopeKey: r.scope_key }] },
      {
        kind: 'import.attention',
        title: failed ? `导入失败：${r.file_name}` : `导入有 ${r.rows_rejected} 行被拒绝：${r.file_name}`,
        body: failed ? '查看原因后重新导入' : '下载错误报告，改正后重新导入',
        link: '/imports',
      },
    );
    told++;
  }
  return told;
}

/** One sweep over every source, as the system (every node). Returns how many messages went out. */
export async function runNotificationSweep(db: Kysely<DB>, now: Date = new Date()): Promise<number> {
  return runScoped(
    db,
    { userId: null, username: 'system', scopeKey: '', ip: null },
    async (s) =>
      (await appealEvents(s, now)) +
      (await discoveryCases(s, now)) +
      (await flaggedHonours(s, now)) +
      (await importsNeedingAttention(s, now)),
  );
}
