import { z } from 'zod';
import {
  codeParam,
  endpoint,
  idParam,
  pageOf,
  pageQuery,
  underQuery,
  type ItemOf,
  type ResponseOf,
} from '../../http/contract.js';

/**
 * The units' contract (pure), shared with the web: the "小个专"党委 a bureau sets up and the
 * 党建工作指导站 at a station.
 */
export const unitKind = z.enum(['xgz_committee', 'guidance_post']);
const unitStatus = z.enum(['active', 'dissolved']);
export const unit = z.object({
  id: z.number(),
  kind: unitKind,
  jurisdictionCode: z.string(),
  jurisdictionName: z.string(),
  name: z.string(),
  foundedOn: z.string().nullable(),
  leaderName: z.string().nullable(),
  staffCount: z.number(),
  note: z.string().nullable(),
  status: unitStatus,
});
const editable = z.strictObject({
  name: z.string().trim().min(2, '名称至少 2 个字').max(80, '名称不超过 80 个字'),
  foundedOn: z.iso.date('成立日期格式应为 YYYY-MM-DD').nullable().optional(),
  leaderName: z.string().trim().max(30, '负责人姓名不超过 30 个字').nullable().optional(),
  staffCount: z.number().int().min(0).max(100000).optional(),
  note: z.string().trim().max(500, '备注不超过 500 个字').nullable().optional(),
});
const counts = z.object({
  code: z.string(),
  name: z.string(),
  level: z.string(),
  committees: z.number(),
  guidancePosts: z.number(),
  stations: z.number(),
});

export const listUnits = endpoint({
  method: 'GET',
  path: '/units',
  summary: '"小个专"党委与党建工作指导站列表',
  query: z.strictObject({ ...pageQuery, kind: unitKind.optional(), under: underQuery, status: unitStatus.optional() }),
  response: pageOf(unit),
});

export const unitSummary = endpoint({
  method: 'GET',
  path: '/units/summary/:code',
  summary: '本级及各下级辖区的党委、指导站与基层所数量',
  params: codeParam,
  response: z.object({ self: counts, children: z.array(counts) }),
});

export const createUnit = endpoint({
  method: 'POST',
  path: '/units',
  summary: '新建党委或指导站',
  body: editable.extend({
    kind: unitKind,
    jurisdictionCode: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字'),
  }),
  status: 201,
  response: unit,
});

export const updateUnit = endpoint({
  method: 'PATCH',
  path: '/units/:id',
  summary: '修改党委或指导站（含撤销）',
  params: idParam,
  body: editable.partial().extend({ status: unitStatus.optional() }),
  response: unit,
});

export type Unit = ItemOf<typeof listUnits>;
export type UnitSummary = ResponseOf<typeof unitSummary>['self'];
