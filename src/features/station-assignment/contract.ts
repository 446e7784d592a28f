import { z } from 'zod';
import { endpoint, idParam, timestamp, type ItemOf } from '../../http/contract.js';

/** 待分配基层所: request and response shapes (pure). */

const unassignedFilters = {
  countyCode: z
    .string()
    .regex(/^\d{6}$/, '县区代码应为 6 位数字')
    .optional(),
  q: z.string().trim().max(40, '关键词不超过 40 个字').optional(),
};

export const unassignedQuery = z.strictObject({
  ...unassignedFilters,
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

/** The list as xlsx, filtered as shown (the export is audited). */
export const exportUnassigned = {
  path: '/unassigned-entities/export',
  query: z.strictObject(unassignedFilters),
} as const;

export const unassignedItem = z.object({
  id: z.number(),
  name: z.string(),
  uscc: z.string().nullable(),
  regNo: z.string().nullable(),
  kindLabel: z.string(),
  address: z.string().nullable(),
  countyCode: z.string(),
  countyName: z.string(),
});

export const unassignedPage = z.object({
  items: z.array(unassignedItem),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  /** Entities without a station per county of the caller's subtree. */
  counties: z.array(z.object({ code: z.string(), name: z.string(), unassigned: z.number() })),
});

export const assignBody = z
  .strictObject({
    stationCode: z.string().regex(/^\d{9}$/, '基层所代码应为 9 位数字'),
    entityIds: z
      .array(z.number().int().positive())
      .min(1, '请至少选择一个主体')
      .max(5000, '一次最多分配 5000 个主体')
      .optional(),
    keyword: z
      .string()
      .trim()
      .min(2, '关键词至少 2 个字（如路名、街道名或小区名）')
      .max(40, '关键词不超过 40 个字')
      .optional(),
    remember: z.boolean().default(true),
  })
  .refine((b) => (b.entityIds ? 1 : 0) + (b.keyword ? 1 : 0) === 1, {
    message: '请选择主体，或填写地址中的路名、街道或关键词（二者选一）',
    path: ['keyword'],
  });

export const assignResult = z.object({ assigned: z.number(), ruleId: z.number().nullable() });

export const stationRule = z.object({
  id: z.number(),
  countyCode: z.string(),
  countyName: z.string(),
  keyword: z.string(),
  stationCode: z.string(),
  stationName: z.string(),
  createdAt: timestamp,
});

export const listUnassigned = endpoint({
  method: 'GET',
  path: '/unassigned-entities',
  summary: '待分配基层所：本辖区尚未分配基层所的市场主体（可按县区、住所关键词筛选）',
  query: unassignedQuery,
  response: unassignedPage,
});

export const assignStations = endpoint({
  method: 'POST',
  path: '/unassigned-entities/assign',
  summary: '批量分配基层所：所选主体，或住所含某路名/街道/关键词的全部主体；可记住规则，之后导入时自动分配',
  body: assignBody,
  response: assignResult,
});

export const listStationRules = endpoint({
  method: 'GET',
  path: '/station-rules',
  summary: '基层所分配规则（住所关键词 → 基层所，导入时自动应用）',
  response: z.object({ items: z.array(stationRule) }),
});

export const deleteStationRule = endpoint({
  method: 'DELETE',
  path: '/station-rules/:id',
  summary: '删除基层所分配规则（已分配的主体不变）',
  params: idParam,
  status: 204,
  response: z.null(),
});

export type UnassignedItem = ItemOf<typeof listUnassigned>;
export type StationRule = ItemOf<typeof listStationRules>;
