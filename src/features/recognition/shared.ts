import { Problem, badRequest } from '../../http/errors.js';

export { date, underQuery, year } from '../../http/contract.js';
export { areaNode, childOf, childrenOf, ownNode } from '../../db/subtree.js';
export { today } from '../../domain/time/zone.js';
export { codeList } from '../dictionaries/index.js';

/** A rule refusal from the domain as problem+json: 409 for the state, 422 for the facts, naming the field. */
export const refusal = (p: { status: 403 | 409 | 422; reason: string; field?: string }) =>
  new Problem(
    p.status,
    p.status === 409 ? '当前状态不允许此操作' : p.status === 403 ? '无权操作' : '不符合规定',
    p.reason,
    p.field ? [{ field: p.field, message: p.reason }] : undefined,
  );

/** A period (a campaign's, a training class's) must not end before it starts. */
export const endsBeforeStart = () =>
  badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);
