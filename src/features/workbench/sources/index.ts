import { appealTodos } from './appeals.js';
import { caseTodos } from './cases.js';
import { deploymentTodos } from './deployments.js';
import { cardTodos, honourTodos, importTodos, termTodos } from './ledger.js';
import { reportTodos } from './reports.js';
import { exitTodos } from './exit.js';
import { guidanceTodos } from './guidance.js';
import { orgTodos } from './orgs.js';
import type { TodoSource } from './types.js';

/** Every kind of 待办, one small query module each. A new kind is one more entry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each source reads its own value shape
export const SOURCES: readonly TodoSource<any>[] = [
  deploymentTodos,
  caseTodos,
  appealTodos,
  reportTodos,
  termTodos,
  orgTodos,
  honourTodos,
  exitTodos,
  cardTodos,
  importTodos,
  guidanceTodos,
];
export type { TodoContext, TodoSource } from './types.js';
