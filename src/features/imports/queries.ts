import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { historyValue, identityChangeText } from '../../domain/ledger/labels.js';

/**
 * Figures of jobs within the caller's subtree (the area rows row-level security lets the
 * caller see), and how many identity changes of each the caller may see.
 */
export async function subtreeFigures(db: Transaction<DB>, jobIds: number[]): Promise<Map<number, { accepted: number; rejected: number; changes: number }>> {
  const out = new Map<number, { accepted: number; rejected: number; changes: number }>();
  if (!jobIds.length) return out;
  const areas = await db.selectFrom('import_job_area').select(['job_id', sql<number>`sum(rows_accepted)::int`.as('accepted'), sql<number>`sum(rows_rejected)::int`.as('rejected')])
    .where('job_id', 'in', jobIds).groupBy('job_id').execute();
  for (const a of areas) out.set(a.job_id, { accepted: a.accepted, rejected: a.rejected, changes: 0 });
  const changes = await db.selectFrom('import_change').select(['job_id', sql<number>`count(*)::int`.as('n')]).where('job_id', 'in', jobIds).groupBy('job_id').execute();
  for (const c of changes) out.set(c.job_id, { ...(out.get(c.job_id) ?? { accepted: 0, rejected: 0, changes: 0 }), changes: c.n });
  return out;
}

/** The job's changes of kind or name to entities the caller may see, in file order. */
export async function identityChanges(db: Transaction<DB>, jobId: number) {
  const rows = await db.selectFrom('import_change as c').leftJoin('entity as e', 'e.id', 'c.entity_id')
    .select(['c.row_no', 'c.entity_id', 'c.field', 'c.before', 'c.after', 'e.name']).where('c.job_id', '=', jobId).orderBy('c.row_no').orderBy('c.field').limit(10_000).execute();
  return rows.map((r) => ({
    rowNo: r.row_no,
    entityId: r.entity_id,
    entityName: r.name,
    field: r.field,
    fieldLabel: r.field === 'kind' ? '主体类型' : '名称',
    before: historyValue(r.field, r.before) as string | null,
    after: historyValue(r.field, r.after) as string | null,
    text: `第 ${r.row_no} 行：${identityChangeText(r.field, r.before, r.after)}`,
  }));
}

/** The account `xgz import --user` names (system connection: the hand-off is the server acting for its own command line). */
export const accountByName = (db: Kysely<DB>, username: string) =>
  db.selectFrom('app_user').select(['id', 'username', 'scope_key', 'disabled']).where('username', '=', username).executeTakeFirst();

export async function insertLocalJob(db: Kysely<DB>, v: { kind: 'registry' | 'annual_report' | 'roster' | 'abnormal_list' | 'untrustworthy_list'; fileName: string; filePath: string; fileBytes: number; scopeKey: string; createdBy: number | null; sheet: string | null; mapping: Record<string, string> }) {
  return db.insertInto('import_job')
    .values({ kind: v.kind, file_name: v.fileName, file_path: v.filePath, file_bytes: v.fileBytes, scope_key: v.scopeKey, created_by: v.createdBy, sheet: v.sheet, mapping: JSON.stringify(v.mapping) })
    .returning(['id']).executeTakeFirstOrThrow();
}

/** A job's figures for the command line, and its refused rows once it has ended. */
export async function localJobStatus(db: Kysely<DB>, id: number) {
  const j = await db.selectFrom('import_job').select(['id', 'status', 'rows_read', 'rows_accepted', 'rows_rejected', 'rows_changed', 'bytes_read', 'file_bytes', 'error']).where('id', '=', id).executeTakeFirst();
  if (!j) return null;
  const finished = !['queued', 'running'].includes(j.status);
  const rejections = finished && j.rows_rejected
    ? await db.selectFrom('import_rejection').select(['row_no', 'col', 'value', 'reason']).where('job_id', '=', j.id).orderBy('row_no').limit(1_000_000).execute()
    : [];
  return { ...j, rejections };
}
