import { sql, type RawBuilder } from 'kysely';

/**
 * A write of cases and its lines in the change feed, in one statement (migration 0247): `write` is
 * an INSERT or UPDATE of discovery_case returning `id` and `scope_key`, and for an update also
 * `from_scope` (the scope the case had before; the same when the write does not move it). An
 * insert logs 'insert'; an update logs 'update' under the new scope and, for a case whose scope
 * changed, 'moved_out' under the old one, as the trigger did (every writer's update changes the
 * case). `answer` is what the statement returns, read from the write's rows `w`.
 * Why not a trigger: on Citus the cases live on the workers, where a trigger cannot write the
 * coordinator's change_log; a data-modifying CTE is run by the coordinator.
 */
export function withCaseLog<R>(
  write: RawBuilder<unknown>,
  op: 'insert' | 'update',
  answer: RawBuilder<unknown> = sql`w.*`,
): RawBuilder<R> {
  const lines =
    op === 'insert'
      ? sql`SELECT id, 'insert' AS op, scope_key FROM w`
      : sql`SELECT id, 'update' AS op, scope_key FROM w UNION ALL SELECT id, 'moved_out', from_scope FROM w WHERE from_scope <> scope_key`;
  return sql<R>`WITH w AS (${write}),
    logged AS (INSERT INTO change_log (kind, object_id, op, scope_key) SELECT 'case', x.id, x.op, x.scope_key FROM (${lines}) x ORDER BY x.id, x.op DESC)
    SELECT ${answer} FROM w`;
}

/**
 * Lines of the cases' trail, many at once: `rows` is a SELECT of (case_id, actor_id, action,
 * from_state, to_state, detail, scope_key, county_code), e.g. from unnest() of arrays.
 * Why RETURNING: on Citus an INSERT … SELECT whose SELECT the coordinator runs COPYs the rows into
 * the shards, and PostgreSQL refuses COPY into a table with row-level security ("COPY FROM not
 * supported with row-level security"); with RETURNING (or ON CONFLICT) Citus instead sends the
 * rows to each shard's worker as an intermediate result and runs an INSERT … SELECT there, under
 * the scope's policies (insert_select_executor.c). Still one set-based statement on every backend.
 */
export const insertCaseEvents = (rows: RawBuilder<unknown>) =>
  sql`INSERT INTO case_event (case_id, actor_id, action, from_state, to_state, detail, scope_key, county_code)
    ${rows}
    RETURNING case_id`;
