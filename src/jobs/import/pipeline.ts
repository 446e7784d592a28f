import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../../http/context.js';
import type { DB } from '../../db/schema.js';
import { runScoped } from '../../db/scoped.js';
import type { Principal } from '../../db/audit-chain.js';
import { encryptField } from '../../crypto/field.js';
import type { Keys } from '../../crypto/keys.js';
import { maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import { annualReportRow, registryRow, rosterRow, type AnnualReportRow, type RegistryRow, type RosterRow } from '../../domain/ledger/rows.js';
import { rosterKey, writeRosterBatch } from '../../features/members/roster-writer.js';
import { mapHeaders, type ImportKind } from '../../features/imports/templates.js';
import { writeRegistryBatch, type Numbered } from '../../features/entities/registry-writer.js';
import { writeAnnualReportBatch } from '../../features/entities/annual-report-writer.js';
import { DEFAULT_LIMITS, SourceError, openSource, type SourceLimits } from './sources.js';

export type Rejection = { rowNo: number; col: string | null; value: string | null; reason: string; raw?: Record<string, string> };
type Row = RegistryRow | AnnualReportRow | RosterRow;
type Accepted = Numbered<Row> & { raw: Record<string, string> };

export type ImportOptions = {
  batchSize?: number;
  limits?: SourceLimits;
  /** Called after each committed batch (tests use it to kill a run half-way). */
  afterBatch?: (batchNo: number) => void | Promise<void>;
};

const PERSONAL = new Set(['repIdNumber', 'liaisonIdNumber', 'repPhone', 'liaisonPhone', 'idNumber', 'phone']);
const maskValue = (field: string, v: string) => (!PERSONAL.has(field) ? v : /phone/i.test(field) ? maskPhone(v) : maskIdNumber(v));

/** 64 bits of the key's MD5, as a signed bigint: a compact key for the per-file duplicate check (collisions are negligible at file sizes). */
const keyHash = (key: string) => crypto.createHash('md5').update(key).digest().readBigInt64BE(0).toString();

/** The natural key a row is unique on within a file (and upserted on). */
function keyOf(kind: ImportKind, r: Row, keys: Keys): string {
  if (kind === 'roster') return rosterKey(keys, r as RosterRow);
  const e = r as RegistryRow | AnnualReportRow;
  return kind === 'annual_report' ? `${e.uscc ?? `R${e.regNo}`}|${(e as AnnualReportRow).year}` : e.uscc ?? `R${e.regNo}`;
}

/** Jurisdiction nodes under the job's scope: what county and station codes a row may name. */
async function placesIn(db: Kysely<DB>, scopeKey: string) {
  const rows = await db.selectFrom('jurisdiction').select(['code', 'level', 'parent_code', 'scope_key']).where(sql<boolean>`starts_with(scope_key, ${scopeKey})`).where('level', 'in', ['city', 'county', 'station']).execute();
  const withStations = new Set(rows.filter((r) => r.level === 'county').map((r) => r.parent_code));
  return new Map(rows.filter((r) => r.level !== 'city' || !withStations.has(r.code)).map((r) => [r.code, r]));
}

/**
 * Runs one import job to its end: streams the file, validates each row with the shared row
 * schema, and writes accepted rows in batches, each batch one scoped transaction together with
 * its rejections and the job's progress, so a batch is written whole or not at all. Re-running
 * a file (after a kill, or twice) ends in the same state: every write is an upsert on natural keys.
 */
export async function runImportJob(ctx: AppContext, jobId: number, opts: ImportOptions = {}): Promise<void> {
  const { db } = ctx;
  const batchSize = opts.batchSize ?? 5000;
  const job = await db.selectFrom('import_job as j').leftJoin('app_user as u', 'u.id', 'j.created_by').selectAll('j').select('u.username').where('j.id', '=', jobId).executeTakeFirstOrThrow();
  const who: Principal = { userId: job.created_by, username: job.username ?? 'system', scopeKey: job.scope_key, ip: null };
  await db.updateTable('import_job').set({ status: 'running', started_at: new Date(), error: null }).where('id', '=', jobId).execute();
  const totals = { read: 0, accepted: 0, rejected: 0, changed: 0 };
  let batchNo = 0;
  try {
    const source = await openSource(job.file_path, job.file_name, opts.limits ?? DEFAULT_LIMITS);
    const { index, missing } = mapHeaders(job.kind, source.headers);
    if (missing.length) throw new SourceError(`缺少必需的列：${missing.join('、')}。请使用下载的模板，或检查表头名称`);
    const places = job.kind === 'registry' ? await placesIn(db, job.scope_key) : null;
    const schema: z.ZodType = { registry: registryRow, annual_report: annualReportRow, roster: rosterRow }[job.kind];
    const headerOfField = new Map([...index].map(([f, i]) => [f, source.headers[i]]));

    let batch: Accepted[] = [];
    let rejects: Rejection[] = [];
    // One batch is written while the next is parsed and validated: with a database server the
    // two run on different cores. Batches still commit one after another, in file order.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      const [full, bad] = [batch, rejects];
      batch = [];
      rejects = [];
      await writing;
      writing = (async () => {
        const { accepted, changed, rejected } = await writeBatch(ctx, job.kind, jobId, who, full, bad, places);
        totals.accepted += accepted;
        totals.changed += changed;
        totals.rejected += rejected.size;
        await db.updateTable('import_job').set({ rows_read: totals.read, rows_accepted: totals.accepted, rows_rejected: totals.rejected, rows_changed: totals.changed, bytes_read: source.bytesRead() }).where('id', '=', jobId).execute();
        await opts.afterBatch?.(++batchNo);
        const j = await db.selectFrom('import_job').select('cancel_requested').where('id', '=', jobId).executeTakeFirstOrThrow();
        if (j.cancel_requested) throw new Cancelled();
      })();
      writing.catch(() => {}); // surfaced by the next await
    };

    for await (const { rowNo, cells } of source.rows) {
      totals.read++;
      const input: Record<string, string> = {};
      for (const [field, i] of index) input[field] = cells[i] ?? '';
      const raw = Object.fromEntries(source.headers.map((h, i) => [h || `第${i + 1}列`, cells[i] ?? '']));
      const parsed = schema.safeParse(input);
      if (!parsed.success) {
        const seen = new Set<string>();
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0] ?? '');
          if (seen.has(field)) continue;
          seen.add(field);
          rejects.push({ rowNo, col: headerOfField.get(field) ?? null, value: input[field] ? maskValue(field, input[field]) : null, reason: issue.message, raw: seen.size === 1 ? raw : undefined });
        }
      } else {
        const placeProblem = places ? checkPlaces(parsed.data as RegistryRow, places, headerOfField) : null;
        if (placeProblem) rejects.push({ rowNo, ...placeProblem, raw });
        else batch.push({ rowNo, row: parsed.data as Row, raw });
      }
      if (batch.length + rejects.length >= batchSize) await flush();
    }
    await flush();
    await writing;
    // PGlite has no autovacuum: refresh the planner's statistics after a bulk change.
    if (totals.changed > 0) await sql`ANALYZE entity, entity_person, person, entity_zone, zone, annual_report, member`.execute(db);
    await finish(ctx, jobId, who, 'done', null, totals);
  } catch (err) {
    if (err instanceof Cancelled) return finish(ctx, jobId, who, 'cancelled', '已取消：此前各批已导入的数据保留，可重新导入同一文件补齐', totals);
    const message = err instanceof SourceError ? err.message : `导入出错：${(err as Error).message}`;
    await finish(ctx, jobId, who, 'failed', message, totals);
    if (!(err instanceof SourceError)) throw err;
  }
}

class Cancelled extends Error {}

function checkPlaces(r: RegistryRow, places: Map<string, { level: string; parent_code: string | null }>, headerOf: Map<string, string>): Omit<Rejection, 'rowNo'> | null {
  const county = places.get(r.countyCode);
  if (!county || county.level === 'station') return { col: headerOf.get('countyCode') ?? null, value: r.countyCode, reason: `县区代码"${r.countyCode}"不存在或不在您的辖区内` };
  if (r.stationCode) {
    const station = places.get(r.stationCode);
    if (!station || station.parent_code !== r.countyCode) return { col: headerOf.get('stationCode') ?? null, value: r.stationCode, reason: `基层所"${r.stationCode}"不存在或不属于县区 ${r.countyCode}` };
  }
  return null;
}

async function writeBatch(ctx: AppContext, kind: ImportKind, jobId: number, who: Principal, batch: Accepted[], rejects: Rejection[], places: Awaited<ReturnType<typeof placesIn>> | null) {
  // Within the batch: the first row with a key wins.
  const first = new Map<string, number>();
  let fresh: Accepted[] = [];
  for (const b of batch) {
    const k = keyOf(kind, b.row, ctx.keys);
    const at = first.get(k);
    if (at !== undefined) rejects.push({ rowNo: b.rowNo, col: null, value: null, reason: `与第 ${at} 行重复（同一主体${kind === 'annual_report' ? '同一年度' : ''}），保留第 ${at} 行`, raw: b.raw });
    else {
      first.set(k, b.rowNo);
      fresh.push(b);
    }
  }
  // Entities already registered under another jurisdiction cannot be changed from this one.
  if (kind === 'registry' && fresh.length) {
    const codes = fresh.map((b) => (b.row as RegistryRow).uscc ?? (b.row as RegistryRow).regNo!);
    const foreign = await ctx.db.selectFrom('entity').select(['uscc', 'reg_no', 'scope_key']).where((eb) => eb.or([eb('uscc', 'in', codes), eb('reg_no', 'in', codes)])).where(sql<boolean>`NOT starts_with(scope_key, ${who.scopeKey})`).execute();
    const blocked = new Set(foreign.flatMap((f) => [f.uscc, f.reg_no]).filter(Boolean));
    fresh = fresh.filter((b) => {
      if (!blocked.has((b.row as RegistryRow).uscc ?? (b.row as RegistryRow).regNo!)) return true;
      rejects.push({ rowNo: b.rowNo, col: null, value: null, reason: '该主体登记在其他辖区，不能由本辖区导入修改', raw: b.raw });
      return false;
    });
  }
  return runScoped(ctx.db, who, async ({ db }) => {
    let accepted = fresh;
    if (fresh.length) {
      const hashes = fresh.map((b) => keyHash(keyOf(kind, b.row, ctx.keys)));
      // Returns only the keys seen before (usually none), with the row that had them first.
      const seen = await sql<{ i: number; row_no: number }>`
        WITH t AS (SELECT * FROM unnest(${hashes}::bigint[], ${fresh.map((b) => b.rowNo)}::int[]) WITH ORDINALITY AS t(h, r, i)),
        ins AS (INSERT INTO import_key (job_id, h, row_no) SELECT ${jobId}, h, r FROM t ON CONFLICT DO NOTHING RETURNING h)
        SELECT t.i::int AS i, k.row_no FROM t JOIN import_key k ON k.job_id = ${jobId} AND k.h = t.h WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.h = t.h)`.execute(db);
      if (seen.rows.length) {
        const firstRow = new Map(seen.rows.map((s) => [s.i - 1, s.row_no]));
        fresh.forEach((b, i) => {
          const at = firstRow.get(i);
          if (at !== undefined) rejects.push({ rowNo: b.rowNo, col: null, value: null, reason: `与第 ${at} 行重复，保留第 ${at} 行`, raw: b.raw });
        });
        accepted = fresh.filter((_, i) => !firstRow.has(i));
      }
    }
    let changed = 0;
    if (accepted.length && kind === 'registry') {
      changed = await writeRegistryBatch(db, ctx.keys, accepted as Numbered<RegistryRow>[], (code) => places!.get(code)!.scope_key);
    } else if (accepted.length && kind === 'roster') {
      changed = await writeRosterBatch(db, ctx.keys, accepted as Numbered<RosterRow>[], who.scopeKey);
    } else if (accepted.length) {
      const res = await writeAnnualReportBatch(db, accepted as Numbered<AnnualReportRow>[]);
      changed = res.changed;
      const unknown = new Set(res.unknownRows);
      for (const b of accepted) if (unknown.has(b.rowNo)) rejects.push({ rowNo: b.rowNo, col: null, value: (b.row as AnnualReportRow).uscc ?? (b.row as AnnualReportRow).regNo ?? null, reason: '台账中没有这个主体（或不在您的辖区内），请先导入其登记信息', raw: b.raw });
      accepted = accepted.filter((b) => !unknown.has(b.rowNo));
    }
    if (rejects.length) {
      await sql`INSERT INTO import_rejection (job_id, row_no, col, value, reason, raw_enc)
        SELECT ${jobId}, * FROM unnest(${rejects.map((r) => r.rowNo)}::int[], ${rejects.map((r) => r.col)}::text[], ${rejects.map((r) => r.value)}::text[],
          ${rejects.map((r) => r.reason)}::text[], ${rejects.map((r) => (r.raw ? encryptField(ctx.keys, JSON.stringify(r.raw)) : null))}::text[])`.execute(db);
    }
    return { accepted: accepted.length, changed, rejected: new Set(rejects.map((r) => r.rowNo)) };
  });
}

async function finish(ctx: AppContext, jobId: number, who: Principal, status: 'done' | 'failed' | 'cancelled', error: string | null, totals: { read: number; accepted: number; rejected: number; changed: number }) {
  await runScoped(ctx.db, who, async ({ db, audit }) => {
    await db.deleteFrom('import_key').where('job_id', '=', jobId).execute();
    await db.updateTable('import_job').set({ status, error, finished_at: new Date() }).where('id', '=', jobId).execute();
    audit({ action: 'import.run', objectType: 'import_job', objectId: jobId, outcome: status === 'done' ? 'success' : 'failure', detail: { status, ...totals, error } });
  });
}
