import { z } from 'zod';
import { endpoint, type ResponseOf } from '../../http/contract.js';
import { coverageFigures } from '../coverage/contract.js';

/** A station's guidance post (党建工作指导站) on one page: the contract (pure), shared with the web. */
export const getGuidancePost = endpoint({
  method: 'GET',
  path: '/guidance-posts/:code',
  summary: '基层所党建工作指导站：指导站、工作人员、驻站指导员、服务的市场主体与区域、覆盖情况',
  params: z.strictObject({ code: z.string().regex(/^\d{9}$/, '基层所代码应为 9 位数字') }),
  response: z.object({
    station: z.object({ code: z.string(), name: z.string(), countyName: z.string() }),
    post: z
      .object({
        id: z.number(),
        name: z.string(),
        foundedOn: z.string().nullable(),
        leaderName: z.string().nullable(),
        staffCount: z.number(),
        note: z.string().nullable(),
      })
      .nullable(),
    staff: z.array(z.object({ id: z.number(), name: z.string(), roles: z.array(z.string()), active: z.boolean() })),
    instructors: z.array(
      z.object({
        id: z.number(),
        name: z.string(),
        sourceLabel: z.string(),
        status: z.string(),
        statusLabel: z.string(),
        workplace: z.string().nullable(),
        assignments: z.number(),
      }),
    ),
    zones: z.array(
      z.object({
        id: z.number(),
        name: z.string(),
        kind: z.string(),
        kindLabel: z.string(),
        entities: z.number(),
        instructor: z.boolean(),
      }),
    ),
    coverage: coverageFigures.extend({ reachedByInstructors: z.number() }),
  }),
});

export type GuidancePost = ResponseOf<typeof getGuidancePost>;
