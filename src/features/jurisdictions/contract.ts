import { z } from 'zod';
import { codeParam, endpoint, pageOf, pageQuery, patchOf, type ItemOf, type ResponseOf } from '../../http/contract.js';
import { STATION_SUFFIX } from '../../domain/jurisdiction/codes.js';

/** The jurisdiction tree's and the stations' contract (pure), shared with the web. */
export const jurisdictionNode = z.object({
  code: z.string(),
  parentCode: z.string().nullable(),
  level: z.enum(['nation', 'province', 'city', 'county', 'station']),
  name: z.string(),
  address: z.string().nullable(),
  servedAreas: z.array(z.string()),
  childCount: z.number(),
});

const stationBody = z.strictObject({
  name: z.string().trim().min(2, '名称至少 2 个字').max(60, '名称不超过 60 个字'),
  address: z.string().trim().max(200, '地址不超过 200 个字').optional(),
  servedAreas: z.array(z.string().trim().min(1).max(40)).max(60, '服务的乡镇（街道）不超过 60 个').default([]),
});

export const getJurisdiction = endpoint({
  method: 'GET',
  path: '/jurisdictions/:code',
  summary: '辖区节点',
  params: codeParam,
  response: jurisdictionNode,
});

export const jurisdictionChildren = endpoint({
  method: 'GET',
  path: '/jurisdictions/:code/children',
  summary: '下级辖区（逐级加载）',
  params: codeParam,
  response: z.array(jurisdictionNode),
});

export const listStations = endpoint({
  method: 'GET',
  path: '/stations',
  summary: '基层市场监管所列表',
  query: z.strictObject({
    ...pageQuery,
    under: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
    q: z.string().trim().max(40).optional(),
  }),
  response: pageOf(jurisdictionNode.extend({ countyName: z.string(), hasGuidancePost: z.boolean() })),
});

export const createStation = endpoint({
  method: 'POST',
  path: '/stations',
  summary: '新建基层所（县局）',
  body: stationBody.extend({
    countyCode: z.string().regex(/^\d{6}$/, '所属县级辖区代码应为 6 位数字'),
    suffix: z.string().regex(STATION_SUFFIX, '所代码应为 3 位数字，在本县内唯一'),
  }),
  status: 201,
  response: jurisdictionNode,
});

export const updateStation = endpoint({
  method: 'PATCH',
  path: '/stations/:code',
  summary: '修改基层所',
  params: codeParam,
  body: patchOf(stationBody),
  response: jurisdictionNode,
});

export const deleteStation = endpoint({
  method: 'DELETE',
  path: '/stations/:code',
  summary: '删除基层所（无账号、无指导站时）',
  params: codeParam,
  status: 204,
  response: z.null(),
});

export type JurisdictionNode = ResponseOf<typeof getJurisdiction>;
export type Station = ItemOf<typeof listStations>;
