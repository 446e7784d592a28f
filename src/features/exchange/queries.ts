import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { offsetOf } from '../../http/paging.js';
import { toJob } from '../imports/index.js';
import { rowPlace } from '../../domain/ledger/sheets.js';

/** The exchange's reads: service accounts (for the security administrator), and the batches, jobs and report versions an account calls for. */
type Tx = Transaction<DB>;
type Page = { page: number; pageSize: number };

/** Service accounts with their node's name. */
const accounts = (db: Tx) =>
  db
    .selectFrom('service_account as s')
    .innerJoin('jurisdiction as j', 'j.code', 's.jurisdiction_code')
    .selectAll('s')
    .select('j.name as jurisdiction_name');

/**
 * One account (404 when there is none in the caller's scope); `lock`: its row held till the
 * transaction ends, for a confirmation, so that a change of its terms cannot land between the
 * check of the terms the editor saw and the confirmation's write.
 */
export async function loadServiceAccount(db: Tx, id: number, lock = false) {
  // The lock taken on the account's own row alone (no join under FOR UPDATE, as Citus wants it), then read.
  if (lock) await db.selectFrom('service_account').select('user_id').where('user_id', '=', id).forUpdate().execute();
  const row = await accounts(db).where('s.user_id', '=', id).executeTakeFirst();
  if (!row) throw notFound('服务账号');
  return row;
}

export type ServiceAccountRow = Awaited<ReturnType<typeof loadServiceAccount>>;

/** The accounts in the caller's scope, by node (at most 1000). */
export const serviceAccountList = (db: Tx) =>
  accounts(db).orderBy('s.scope_key').orderBy('s.user_id').limit(1000).execute();

/** The other account a certificate's fingerprint is registered to, if any (a fingerprint names one account). */
export const certificateHolder = (db: Tx, fingerprint: string, except: number) =>
  db
    .selectFrom('service_account')
    .select('user_id')
    .where('cert_fingerprint', '=', fingerprint)
    .where('user_id', '<>', except)
    .executeTakeFirst();

/** An account's batches with their import jobs. */
const batches = (db: Tx, accountId: number) =>
  db
    .selectFrom('exchange_batch as b')
    .innerJoin('import_job as j', 'j.id', 'b.job_id')
    .where('b.account_id', '=', accountId);

/** The job of a batch the account delivered before under this batch id, with what it was delivered as. */
export const priorBatch = (db: Tx, accountId: number, batch: string) =>
  batches(db, accountId)
    .selectAll('j')
    .select(['b.body_hash', 'b.kind as batch_kind', 'b.created_at as batch_at'])
    .where('b.batch_id', '=', batch)
    .executeTakeFirst();

/** An import job the account delivered (404 for any other). */
export async function batchJob(db: Tx, accountId: number, jobId: number) {
  const j = await batches(db, accountId)
    .selectAll('j')
    .select('b.batch_id')
    .where('j.id', '=', jobId)
    .executeTakeFirst();
  if (!j) throw notFound('导入任务');
  return j;
}

/** One page of the account's batches with their jobs, newest first. */
export async function batchPage(db: Tx, accountId: number, p: Page) {
  const base = batches(db, accountId);
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  const rows = await base
    .selectAll('j')
    .select('b.batch_id')
    .orderBy('j.id', 'desc')
    .limit(p.pageSize)
    .offset(offsetOf(p))
    .execute();
  return { items: rows.map((j) => ({ ...toJob(j), batch: j.batch_id })), total, page: p.page, pageSize: p.pageSize };
}

/** One page of a job's refused rows, in file order. */
export async function rejectionPage(db: Tx, jobId: number, p: Page, sheets: string[] | null) {
  const base = db.selectFrom('import_rejection').where('job_id', '=', jobId);
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  const rows = await base
    .select(['row_no', 'col', 'value', 'reason'])
    .orderBy('row_no')
    .limit(p.pageSize)
    .offset(offsetOf(p))
    .execute();
  return {
    items: rows.map((x) => ({ ...rowPlace(x.row_no, sheets), column: x.col, value: x.value, reason: x.reason })),
    total,
    page: p.page,
    pageSize: p.pageSize,
  };
}

/** Submitted report versions after a moment (from the first when none), in submission order. */
export async function reportVersionsSince(db: Tx, since: string | undefined, limit: number) {
  let q = db
    .selectFrom('report_version')
    .select(['report_id', 'version', 'form', 'period', 'jurisdiction_code', 'submitted_at', 'data', 'note'])
    .orderBy('submitted_at')
    .orderBy('report_id')
    .orderBy('version')
    .limit(limit);
  if (since) q = q.where('submitted_at', '>', new Date(since));
  const rows = await q.execute();
  return {
    items: rows.map((v) => ({
      reportId: Number(v.report_id),
      version: v.version,
      form: v.form,
      period: v.period,
      jurisdictionCode: v.jurisdiction_code,
      submittedAt: new Date(v.submitted_at).toISOString(),
      data: v.data,
      note: v.note,
    })),
  };
}
