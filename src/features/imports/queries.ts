import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB, ImportJobTable } from '../../db/schema.js';
import { forbidden, notFound } from '../../http/errors.js';
import { offsetOf } from '../../http/paging.js';
import { historyValue, identityChangeText } from '../../domain/ledger/labels.js';
import { TEMPLATES } from '../../jobs/import/templates.js';
import { fileNameForOthers } from '../../domain/identifiers/free-text.js';
import { rowLabel, rowPlace } from '../../domain/ledger/sheets.js';

type Figures = { accepted: number; rejected: number; changes: number };
/** Who looks at a job: their scope key and account. */
export type Viewer = { scopeKey: string; id: number };

/**
 * A job as the caller sees it: the uploader's scope and the levels above see all its figures;
 * an account whose subtree the job's rows touch sees that subtree's (read = accepted + refused there).
 * Only the account that started it sees the file name as written. Without a viewer, as its starter sees it.
 */
export function toJob(j: Selectable<ImportJobTable>, viewer?: Viewer, figures?: Figures) {
  const manageable = j.scope_key.startsWith(viewer?.scopeKey ?? j.scope_key);
  const own = figures ?? { accepted: 0, rejected: 0, changes: 0 };
  const starter = !viewer || (j.created_by !== null && Number(j.created_by) === viewer.id);
  return {
    ...baseJob(j),
    fileName: starter ? j.file_name : fileNameForOthers(j.file_name),
    ...(manageable
      ? {}
      : {
          rowsRead: own.accepted + own.rejected,
          rowsAccepted: own.accepted,
          rowsRejected: own.rejected,
          rowsChanged: null,
        }),
    sheet: j.sheet,
    sheets: j.sheets,
    partial: !manageable,
    manageable,
    identityChanges: own.changes,
  };
}

function baseJob(j: Selectable<ImportJobTable>) {
  const finished = j.status === 'done';
  const percent = finished ? 100 : j.file_bytes ? Math.min(99, Math.floor((j.bytes_read / j.file_bytes) * 100)) : 0;
  const seconds = j.started_at ? ((j.finished_at ?? new Date()).getTime() - j.started_at.getTime()) / 1000 : 0;
  const rate = seconds > 0.5 ? Math.round(j.rows_read / seconds) : null;
  const eta =
    j.status === 'running' && rate && j.bytes_read > 0
      ? Math.round((seconds * (j.file_bytes - j.bytes_read)) / j.bytes_read)
      : null;
  return {
    id: j.id,
    kind: j.kind,
    kindLabel: TEMPLATES[j.kind].label,
    fileName: j.file_name,
    fileBytes: j.file_bytes,
    status: j.status,
    rowsRead: j.rows_read,
    rowsAccepted: j.rows_accepted,
    rowsRejected: j.rows_rejected,
    rowsChanged: j.rows_changed as number | null,
    percent,
    rowsPerSecond: rate,
    etaSeconds: eta,
    error: j.error,
    footer: j.footer,
    withheld: j.withheld,
    fullRoster: j.full_roster,
    absentMembers: j.absent_members,
    membersLeft: j.members_left,
    createdAt: j.created_at,
    startedAt: j.started_at,
    finishedAt: j.finished_at,
  };
}

export async function loadJob(db: Transaction<DB>, id: number) {
  const j = await db.selectFrom('import_job').selectAll().where('id', '=', id).executeTakeFirst();
  if (!j) throw notFound('导入任务');
  return j;
}

/** A job the caller may cancel or run again: one started in its own subtree (a job from above is only looked at). */
export async function manageableJob(db: Transaction<DB>, id: number, scopeKey: string) {
  const j = await loadJob(db, id);
  if (!j.scope_key.startsWith(scopeKey)) throw forbidden('该导入任务由上级或其他辖区发起，只能查看本辖区的结果');
  return j;
}

/** One page of the jobs the caller may see, newest first, each as the caller sees it. */
export async function importPage(db: Transaction<DB>, p: { page: number; pageSize: number }, viewer: Viewer) {
  const [{ total }] = await db
    .selectFrom('import_job')
    .select(sql<number>`count(*)::int`.as('total'))
    .execute();
  const rows = await db
    .selectFrom('import_job')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(p.pageSize)
    .offset(offsetOf(p))
    .execute();
  const figures = await subtreeFigures(
    db,
    rows.map((j) => j.id),
  );
  return { items: rows.map((j) => toJob(j, viewer, figures.get(j.id))), total, page: p.page, pageSize: p.pageSize };
}

/** One job as the caller sees it. */
export async function jobAsSeen(db: Transaction<DB>, id: number, viewer: Viewer) {
  const j = await loadJob(db, id);
  return toJob(j, viewer, (await subtreeFigures(db, [j.id])).get(j.id));
}

/**
 * Who uploaded the file a job reads: the account of the first job on it (a rerun reads the same
 * stored file under a new job, perhaps started by someone else). Null when that job is not visible.
 */
export async function uploaderOf(db: Transaction<DB>, filePath: string): Promise<number | null> {
  const first = await db
    .selectFrom('import_job')
    .select('created_by')
    .where('file_path', '=', filePath)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return first?.created_by == null ? null : Number(first.created_by);
}

/** A job's refused rows, in file order (row-level security leaves a station the rows of its own subtree). */
export const jobRejections = (db: Transaction<DB>, jobId: number) =>
  db
    .selectFrom('import_rejection')
    .selectAll()
    .where('job_id', '=', jobId)
    .orderBy('row_no')
    .limit(1_000_000)
    .execute();

/**
 * Figures of jobs within the caller's subtree (the area rows row-level security lets the
 * caller see), and how many identity changes of each the caller may see.
 */
export async function subtreeFigures(db: Transaction<DB>, jobIds: number[]): Promise<Map<number, Figures>> {
  const out = new Map<number, Figures>();
  if (!jobIds.length) return out;
  const areas = await db
    .selectFrom('import_job_area')
    .select([
      'job_id',
      sql<number>`sum(rows_accepted)::int`.as('accepted'),
      sql<number>`sum(rows_rejected)::int`.as('rejected'),
    ])
    .where('job_id', 'in', jobIds)
    .groupBy('job_id')
    .execute();
  for (const a of areas) out.set(a.job_id, { accepted: a.accepted, rejected: a.rejected, changes: 0 });
  const changes = await db
    .selectFrom('import_change')
    .select(['job_id', sql<number>`count(*)::int`.as('n')])
    .where('job_id', 'in', jobIds)
    .groupBy('job_id')
    .execute();
  for (const c of changes)
    out.set(c.job_id, { ...(out.get(c.job_id) ?? { accepted: 0, rejected: 0, changes: 0 }), changes: c.n });
  return out;
}

/** The job's changes of kind or name to entities the caller may see, in file order. */
export async function identityChanges(db: Transaction<DB>, jobId: number, sheets: string[] | null) {
  const rows = await db
    .selectFrom('import_change as c')
    .leftJoin('entity as e', 'e.id', 'c.entity_id')
    .select(['c.row_no', 'c.entity_id', 'c.field', 'c.before', 'c.after', 'e.name'])
    .where('c.job_id', '=', jobId)
    .orderBy('c.row_no')
    .orderBy('c.field')
    .limit(10_000)
    .execute();
  return rows.map((r) => ({
    ...rowPlace(r.row_no, sheets),
    entityId: r.entity_id,
    entityName: r.name,
    field: r.field,
    fieldLabel: r.field === 'kind' ? '主体类型' : '名称',
    before: historyValue(r.field, r.before) as string | null,
    after: historyValue(r.field, r.after) as string | null,
    text: `${rowLabel(r.row_no, sheets)}：${identityChangeText(r.field, r.before, r.after)}`,
  }));
}

/** The account `xgz import --user` names (system connection: the hand-off is the server acting for its own command line). */
export const accountByName = (db: Kysely<DB>, username: string) =>
  db
    .selectFrom('app_user')
    .select(['id', 'username', 'scope_key', 'disabled'])
    .where('username', '=', username)
    .executeTakeFirst();

/** A job's figures for the command line, and its refused rows once it has ended. */
export async function localJobStatus(db: Kysely<DB>, id: number) {
  const j = await db
    .selectFrom('import_job')
    .select([
      'id',
      'status',
      'rows_read',
      'rows_accepted',
      'rows_rejected',
      'rows_changed',
      'bytes_read',
      'file_bytes',
      'error',
      'footer',
      'withheld',
      'absent_members',
      'members_left',
      'sheets',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!j) return null;
  const finished = !['queued', 'running'].includes(j.status);
  const rejections =
    finished && j.rows_rejected
      ? await db
          .selectFrom('import_rejection')
          .select(['row_no', 'col', 'value', 'reason'])
          .where('job_id', '=', j.id)
          .orderBy('row_no')
          .limit(1_000_000)
          .execute()
      : [];
  return { ...j, rejections };
}
