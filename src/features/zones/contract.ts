import { z } from 'zod';
import { endpoint, idParam, pageOf, pageQuery, type ItemOf } from '../../http/contract.js';

/** Zones' contract (pure): what the routes accept and answer, shared with the web. */
export const zoneKind = z.enum(['market', 'park', 'building', 'district']);

export const zoneRow = z.object({
  id: z.number(),
  kind: zoneKind,
  name: z.string(),
  address: z.string().nullable(),
  countyCode: z.string(),
  countyName: z.string(),
  entities: z.number(),
});

const editable = z.strictObject({
  name: z.string().trim().min(2, '名称至少 2 个字').max(100),
  kind: zoneKind,
  address: z.string().trim().max(300).nullable().optional(),
});

const zoneFilters = {
  kind: zoneKind.optional(),
  q: z.string().trim().max(60).optional(),
};

export const listZones = endpoint({
  method: 'GET',
  path: '/zones',
  summary: '专业市场、园区、楼宇、商圈',
  query: z.strictObject({ ...pageQuery, ...zoneFilters }),
  response: pageOf(zoneRow),
});

/** The zones as xlsx, filtered as the list is (the export is audited). */
export const exportZones = { path: '/zones/export', query: z.strictObject(zoneFilters) } as const;

export const createZone = endpoint({
  method: 'POST',
  path: '/zones',
  summary: '新建区域',
  body: editable.extend({ countyCode: z.string().regex(/^\d{6}$/, '县区代码应为 6 位') }),
  status: 201,
  response: z.object({ id: z.number() }),
});

export const updateZone = endpoint({
  method: 'PATCH',
  path: '/zones/:id',
  summary: '修改区域',
  params: idParam,
  body: editable.partial(),
  response: z.object({ id: z.number() }),
});

export type ZoneRow = ItemOf<typeof listZones>;
