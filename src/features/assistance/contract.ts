import { z } from 'zod';
import {
  codesOf,
  date,
  endpoint,
  idKeyParam,
  idParam,
  pageOf,
  pageQuery,
  place,
  subtreeFigures,
  underQuery,
  type ItemOf,
  type ResponseOf,
} from '../../http/contract.js';
import { OUTCOME_LABEL } from '../../domain/platforms/labels.js';

/** Assistance programs' (帮扶) contract (pure), shared with the web. */
const outcome = codesOf(OUTCOME_LABEL);
const year = z.coerce.number().int().min(2000, '年度不早于 2000 年').max(2100, '年度不晚于 2100 年').optional();

export const programFilters = {
  under: underQuery,
  line: z.string().max(40).optional(),
  year,
  q: z.string().trim().max(40).optional(),
};

export const programItem = z.object({
  id: z.number(),
  name: z.string(),
  businessLine: z.string(),
  businessLineLabel: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  description: z.string().nullable(),
  organizer: z.string(),
  mine: z.boolean(),
  cancelled: z.boolean(),
  cancelReason: z.string().nullable(),
  entities: z.number(),
  resolved: z.number(),
  improved: z.number(),
  unresolved: z.number(),
  ongoing: z.number(),
});

export const programBody = z.strictObject({
  name: z.string().trim().min(2, '项目名称至少 2 个字').max(60, '项目名称不超过 60 个字'),
  businessLine: z.string().min(1, '请选择业务条线').max(40),
  startsOn: date,
  endsOn: date,
  description: z.string().trim().max(2000).optional(),
  jurisdictionCode: z
    .string()
    .regex(/^\d{6,9}$/, '组织单位代码应为 6 或 9 位数字')
    .optional(),
});

export const listPrograms = endpoint({
  method: 'GET',
  path: '/assistance/programs',
  summary: '帮扶项目（如质量技术帮扶"提质强企"、计量服务中小企业行）',
  query: z.strictObject({ ...pageQuery, ...programFilters }),
  response: pageOf(programItem),
});

/** Programs with their entities as xlsx (the export is audited). */
export const exportPrograms = { path: '/assistance/programs/export', query: z.strictObject(programFilters) } as const;

const created = z.object({ id: z.number() });

export const createProgram = endpoint({
  method: 'POST',
  path: '/assistance/programs',
  summary: '新建帮扶项目（组织单位默认为本级）',
  body: programBody,
  status: 201,
  response: created,
});

export const getProgram = endpoint({
  method: 'GET',
  path: '/assistance/programs/:id',
  summary: '帮扶项目详情：本辖区参与主体、帮扶措施与成效',
  params: idParam,
  response: programItem.extend({
    participants: z.array(
      z.object({
        id: z.number(),
        entityId: z.number(),
        entityName: z.string(),
        joinedOn: z.string(),
        problem: z.string().nullable(),
        actions: z.string().nullable(),
        outcome: outcome,
        outcomeLabel: z.string(),
        outcomeNote: z.string().nullable(),
      }),
    ),
  }),
});

export const updateProgram = endpoint({
  method: 'PATCH',
  path: '/assistance/programs/:id',
  summary: '修改帮扶项目（组织单位）',
  params: idParam,
  body: programBody.omit({ jurisdictionCode: true }).partial(),
  response: created,
});

export const addParticipant = endpoint({
  method: 'POST',
  path: '/assistance/programs/:id/entities',
  summary: '登记参与帮扶的市场主体（本辖区）',
  params: idParam,
  body: z.strictObject({
    entityId: z.number().int().positive('请选择市场主体'),
    joinedOn: date.optional(),
    problem: z.string().trim().max(2000).optional(),
  }),
  status: 201,
  response: created,
});

export const recordOutcome = endpoint({
  method: 'PATCH',
  path: '/assistance/programs/:id/entities/:key',
  summary: '记录对一个主体的帮扶措施与成效',
  params: idKeyParam,
  body: z.strictObject({
    problem: z.string().trim().max(2000).nullable().optional(),
    actions: z.string().trim().max(2000).nullable().optional(),
    outcome: codesOf(OUTCOME_LABEL, '请选择帮扶成效').optional(),
    outcomeNote: z.string().trim().max(2000).nullable().optional(),
  }),
  response: z.object({ id: z.number(), outcome: outcome }),
});

const figures = z.object({
  programs: z.number(),
  entities: z.number(),
  resolved: z.number(),
  improved: z.number(),
  unresolved: z.number(),
  ongoing: z.number(),
});
export const assistanceFigures = endpoint({
  method: 'GET',
  path: '/assistance/figures',
  summary: '帮扶数字：本级与下级的帮扶项目、参与主体、各类成效',
  query: z.strictObject({ under: underQuery, year }),
  // The total row names its node too, as each child does.
  response: subtreeFigures(figures).extend({ total: figures.extend(place.shape) }),
});

export type ProgramRow = ItemOf<typeof listPrograms>;
export type ProgramDetail = ResponseOf<typeof getProgram>;
