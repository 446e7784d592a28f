import { z } from 'zod';
import {
  attachment,
  date,
  endpoint,
  historyLine,
  idKeyParam,
  idParam,
  pageOf,
  pageQuery,
  subtreeFigures,
  underQuery,
  type ItemOf,
  type ResponseOf,
} from '../../http/contract.js';
import {
  GUIDANCE_KIND_LABEL,
  SOURCE_LABEL,
  type GuidanceKind,
  type InstructorSource,
} from '../../domain/instructors/instructors.js';
import { idNumberField, phoneField } from '../../domain/ledger/rows.js';

/** The 党建工作指导员 roster's, their assignments' and guidance records' contract (pure), shared with the web. */
const SOURCES = Object.keys(SOURCE_LABEL) as [InstructorSource, ...InstructorSource[]];
const KINDS = Object.keys(GUIDANCE_KIND_LABEL) as [GuidanceKind, ...GuidanceKind[]];
const TARGETS = ['entity', 'zone', 'org', 'platform', 'delivery_station'] as const;
const status = z.enum(['active', 'inactive']);
const change = z.record(z.string(), z.unknown()).nullable();

export const instructorFilters = {
  under: underQuery,
  source: z.enum(SOURCES).optional(),
  status: status.optional(),
  assigned: z.enum(['yes', 'no']).optional(),
  q: z.string().trim().max(20).optional(),
};

export const instructorItem = z.object({
  id: z.number(),
  name: z.string(),
  idNumber: z.string().nullable(),
  phone: z.string().nullable(),
  source: z.string(),
  sourceLabel: z.string(),
  countyName: z.string(),
  stationCode: z.string().nullable(),
  stationName: z.string().nullable(),
  workplace: z.string().nullable(),
  status,
  statusLabel: z.string(),
  assignments: z.number(),
  reached: z.number(),
  lastGuidance: z.string().nullable(),
});

export const listInstructors = endpoint({
  method: 'GET',
  path: '/instructors',
  summary: '党建工作指导员名册',
  query: z.strictObject({ ...pageQuery, ...instructorFilters }),
  response: pageOf(instructorItem),
});

/** The roster as xlsx (masked; the export is audited). */
export const exportInstructors = { path: '/instructors/export', query: z.strictObject(instructorFilters) } as const;

export const instructorFigures = endpoint({
  method: 'GET',
  path: '/instructors/figures',
  summary: '指导员工作覆盖：本级与下级的在岗指导员、在指派、指导员覆盖的存续主体、本年指导记录',
  query: z.strictObject({ under: underQuery }),
  response: subtreeFigures(
    z.object({ instructors: z.number(), assignments: z.number(), reached: z.number(), guidance: z.number() }),
  ),
});

const created = z.object({ id: z.number() });

export const createInstructor = endpoint({
  method: 'POST',
  path: '/instructors',
  summary: '登记指导员（身份证号、手机号加密存储）',
  body: z.strictObject({
    name: z.string().trim().min(2, '请填写姓名').max(20, '姓名不超过 20 个字'),
    idNumber: idNumberField.optional(),
    phone: phoneField.optional(),
    source: z.enum(SOURCES, '请选择指导员来源'),
    placeCode: z.string().regex(/^\d{6,9}$/, '请选择所在县（区）或基层所'),
    workplace: z.string().trim().max(60).optional(),
    note: z.string().trim().max(500).optional(),
  }),
  status: 201,
  response: created,
});

export const getInstructor = endpoint({
  method: 'GET',
  path: '/instructors/:id',
  summary: '指导员详情：指派（工作覆盖）、指导记录、变更记录',
  params: idParam,
  response: instructorItem.extend({
    note: z.string().nullable(),
    placeCode: z.string(),
    assignmentList: z.array(
      z.object({
        id: z.number(),
        target: z.enum(TARGETS),
        targetLabel: z.string(),
        targetId: z.number(),
        targetName: z.string(),
        startOn: z.string(),
        endOn: z.string().nullable(),
        endReason: z.string().nullable(),
        reached: z.number(),
      }),
    ),
    guidance: z.array(
      z.object({
        id: z.number(),
        onDate: z.string(),
        kind: z.string(),
        content: z.string(),
        followUp: z.string().nullable(),
        followUpDone: z.boolean(),
        entityName: z.string().nullable(),
        orgName: z.string().nullable(),
      }),
    ),
    history: z.array(historyLine.extend({ object_type: z.string(), before: change, after: change })),
  }),
});

export const updateInstructor = endpoint({
  method: 'PATCH',
  path: '/instructors/:id',
  summary: '修改指导员；停用时其在指派一并结束（工作覆盖随之变化）',
  params: idParam,
  body: z.strictObject({
    source: z.enum(SOURCES).optional(),
    placeCode: z
      .string()
      .regex(/^\d{6,9}$/, '请选择所在县（区）或基层所')
      .optional(),
    workplace: z.string().trim().max(60).nullable().optional(),
    status: status.optional(),
    note: z.string().trim().max(500).nullable().optional(),
  }),
  response: z.object({ id: z.number(), status, endedAssignments: z.number() }),
});

export const revealInstructor = endpoint({
  method: 'POST',
  path: '/instructors/:id/reveal',
  summary: '查看指导员完整身份证号与手机号（留痕）',
  params: idParam,
  response: z.object({ idNumber: z.string().nullable(), phone: z.string().nullable() }),
});

export const assignInstructor = endpoint({
  method: 'POST',
  path: '/instructors/:id/assignments',
  summary: '指派指导员联系市场主体、市场/楼宇/园区/商圈、党组织，或平台企业、配送站点（即起计入工作覆盖）',
  params: idParam,
  body: z.strictObject({
    target: z.enum(TARGETS, '请选择指派对象类型'),
    targetId: z.number().int().positive('请选择指派对象'),
    startOn: date.optional(),
  }),
  status: 201,
  response: z.object({ id: z.number(), reached: z.number(), tasksDone: z.number() }),
});

export const endAssignment = endpoint({
  method: 'POST',
  path: '/instructors/:id/assignments/:key/end',
  summary: '结束指派（工作覆盖随之变化）',
  params: idKeyParam,
  body: z.strictObject({ endOn: date.optional(), reason: z.string().trim().min(2, '请填写结束原因').max(200) }),
  response: z.object({ id: z.number(), endOn: z.string() }),
});

export const guidanceFilters = {
  under: underQuery,
  instructorId: z.coerce.number().int().positive().optional(),
  entityId: z.coerce.number().int().positive().optional(),
  kind: z.enum(KINDS).optional(),
  from: date.optional(),
  to: date.optional(),
  followUp: z.enum(['open', 'done']).optional(),
  q: z.string().trim().max(40).optional(),
};

export const guidanceItem = z.object({
  id: z.number(),
  instructorId: z.number(),
  instructorName: z.string(),
  onDate: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  entityId: z.number().nullable(),
  entityName: z.string().nullable(),
  orgId: z.number().nullable(),
  orgName: z.string().nullable(),
  content: z.string(),
  followUp: z.string().nullable(),
  followUpDone: z.boolean(),
  createdBy: z.string().nullable(),
  files: z.array(attachment).describe('走访照片等附件'),
});

export const listGuidance = endpoint({
  method: 'GET',
  path: '/guidance-records',
  summary: '指导记录',
  query: z.strictObject({ ...pageQuery, ...guidanceFilters }),
  response: pageOf(guidanceItem),
});

/** Guidance records as xlsx (the export is audited). */
export const exportGuidance = { path: '/guidance-records/export', query: z.strictObject(guidanceFilters) } as const;

export const createGuidance = endpoint({
  method: 'POST',
  path: '/guidance-records',
  summary: '登记一次走访或指导',
  body: z.strictObject({
    instructorId: z.number().int().positive('请选择指导员'),
    entityId: z.number().int().positive().optional(),
    orgId: z.number().int().positive().optional(),
    onDate: date,
    kind: z.enum(KINDS, '请选择指导方式'),
    content: z.string().trim().min(4, '请填写指导内容（至少 4 个字）').max(2000),
    followUp: z.string().trim().max(500).optional(),
  }),
  status: 201,
  response: created,
});

export const updateGuidance = endpoint({
  method: 'PATCH',
  path: '/guidance-records/:id',
  summary: '更新后续事项或标记办结',
  params: idParam,
  body: z.strictObject({
    followUp: z.string().trim().max(500).nullable().optional(),
    followUpDone: z.boolean().optional(),
  }),
  response: z.object({ id: z.number(), followUpDone: z.boolean() }),
});

export const myInstructorWork = endpoint({
  method: 'GET',
  path: '/instructors/mine',
  summary: '我的指导工作（绑定指导员的账号：我的包联、我的市场主体、指导记录）',
  response: z.object({
    instructor: z
      .object({ id: z.number(), name: z.string(), status: z.string() })
      .nullable()
      .describe('未绑定指导员的账号为 null'),
    assignments: z.array(
      z.object({
        id: z.number(),
        target: z.string(),
        targetLabel: z.string(),
        name: z.string().nullable(),
        startOn: z.string(),
      }),
    ),
    entities: z.array(z.object({ id: z.number(), name: z.string(), uscc: z.string().nullable() })),
    guidance: z.array(
      z.object({
        id: z.number(),
        onDate: z.string(),
        kind: z.string(),
        kindLabel: z.string(),
        content: z.string(),
        target: z.string().nullable(),
        files: z.number().describe('附件（照片）数'),
      }),
    ),
  }),
});

export type InstructorRow = ItemOf<typeof listInstructors>;
export type InstructorDetail = ResponseOf<typeof getInstructor>;
export type GuidanceRow = ItemOf<typeof listGuidance>;
