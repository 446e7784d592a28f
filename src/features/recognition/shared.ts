import { Problem } from '../../http/errors.js';

export { date, underQuery, year } from '../../http/contract.js';
export { areaNode, childOf, childrenOf, ownNode } from '../../db/subtree.js';
export { today } from '../../domain/time/zone.js';
export { codeList } from '../dictionaries/index.js';

/** A rule refusal from the domain as problem+json: 409 for the state, 422 for the facts, naming the field. */
export const refusal = (p: { status: 409 | 422; reason: string; field?: string }) =>
  new Problem(p.status, p.status === 409 ? '当前状态不允许此操作' : '不符合规定', p.reason, p.field ? [{ field: p.field, message: p.reason }] : undefined);
