import type { AuditEntry } from './audit-chain.js';
import { Problem, conflict } from '../http/errors.js';

/**
 * A write the caller's scope filtered to nothing. Row-level security hides rows from an UPDATE or
 * DELETE silently: the statement succeeds and changes 0 rows (e.g. station staff may read a
 * county's zone but not change it). That is a refusal, not a success: the request gets 404, the
 * transaction rolls back (with any audit entries it buffered), and runScoped records this entry
 * with outcome 'denied' in a transaction of its own. Another refusal worth seeing in the log (a
 * probe) carries its own problem.
 */
export class RefusedWrite extends Problem {
  constructor(
    readonly entry: AuditEntry,
    what: string,
    problem: Problem = new Problem(404, '未找到', `${what}不存在，或不在您的辖区内`),
  ) {
    super(problem.status, problem.title, problem.detail, problem.errors);
  }
}

/** Kysely's result of an UPDATE/DELETE (counts), its execute() array, or a returned row (any object). */
function rowsOf(result: unknown): number {
  if (result === undefined || result === null) return 0;
  if (Array.isArray(result)) {
    // Kysely's execute(): one result per statement, or the rows RETURNING gave.
    if (
      result.length &&
      typeof result[0] === 'object' &&
      result[0] !== null &&
      ('numUpdatedRows' in result[0] || 'numDeletedRows' in result[0])
    ) {
      return (result as unknown[]).reduce((s: number, r) => s + rowsOf(r), 0);
    }
    return (result as unknown[]).length;
  }
  const r = result as { numUpdatedRows?: bigint; numDeletedRows?: bigint };
  if (r.numUpdatedRows !== undefined) return Number(r.numUpdatedRows);
  if (r.numDeletedRows !== undefined) return Number(r.numDeletedRows);
  return 1; // a returned row
}

/**
 * Every scoped UPDATE/DELETE a route makes on a row it named goes through this: when the write
 * changed no row, it throws RefusedWrite (404, audited as refused) instead of reporting success.
 * Returns the result unchanged (a returned row stays typed).
 */
export function expectWritten<T>(result: T, what: string, entry: AuditEntry): NonNullable<T> {
  if (rowsOf(result) === 0) throw new RefusedWrite(entry, what);
  return result as NonNullable<T>;
}

/**
 * A workflow move made on the state it was read in (`WHERE state = <as read>`): when it changed no
 * row, someone else moved the record meanwhile (two clerks, or a reply racing a return), so the
 * request gets 409 and its transaction, with the event it was about to record, rolls back.
 */
export function expectMoved<T>(result: T, what: string): NonNullable<T> {
  if (rowsOf(result) === 0) throw conflict(`${what}刚被他人处理，状态已变化，请刷新后再操作`);
  return result as NonNullable<T>;
}
