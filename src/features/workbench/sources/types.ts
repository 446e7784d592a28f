import type { Kysely, RawBuilder } from 'kysely';
import type { DB } from '../../../db/schema.js';
import type { TodoItem } from '../contract.js';
import type { Permission } from '../../../domain/auth/roles.js';

/** Who the list is for: the account's node (its code, level and scope key) and today. */
export type TodoContext = {
  db: Kysely<DB>;
  userId: number;
  code: string;
  level: string;
  scopeKey: string;
  /** The account's binding (xgz.bound): '' for an ordinary account, 'instructor:N' for an instructor's own. */
  bound: string;
  now: Date;
  today: string;
};

/**
 * One kind of 待办: a small query over the ledger it comes from (one scalar subquery yielding a
 * JSON value: a few counts, or a short list), and how that value reads as items. The workbench
 * runs every source's subquery in one statement (but an `ownStatement` source's), all in one round trip.
 * An item leaves the list when the record behind it is done. Adding a kind is one more module in
 * SOURCES.
 */
export type TodoSource<V = never> = {
  kind: TodoItem['kind'];
  label: string;
  /** What the account must hold to do the work an item asks (维护业务台账 unless said otherwise): who cannot is not shown it. */
  permission?: Permission;
  /**
   * Read in a SELECT of its own, not beside the other kinds: a source over the case group, which
   * is distributed on a Citus cluster, where a statement mixing it with coordinator tables (the
   * task inbox's join with the jurisdiction tree) crashed the coordinator (Citus 13.2).
   */
  ownStatement?: boolean;
  /** The subquery (a single JSON value), or null when the kind does not apply to this node. */
  select(c: TodoContext): RawBuilder<unknown> | null;
  items(value: V, c: TodoContext): TodoItem[];
};

export const DAY_MS = 86_400_000;
/** Rows in the caller's subtree (scope keys are code prefixes; '~' sorts after every digit). */
export const subtree = (scopeKey: string) => [scopeKey, `${scopeKey}~`] as const;
/** A JSON timestamp (json_agg writes them as text) as a Date, or null. */
export const at = (v: string | null | undefined) => (v ? new Date(v) : null);
