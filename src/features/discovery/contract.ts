import { z } from 'zod';
import { ABSENT_RESULTS, ACTION_LABEL, CASE_KINDS, CASE_STATES } from '../../domain/cases/workflow.js';
import {
  codesOf,
  endpoint,
  idParam,
  manyOf,
  pageOf,
  pageQuery,
  timestamp,
  underQuery,
  type ItemOf,
  type ResponseOf,
} from '../../http/contract.js';
import { idNumberField, phoneField, usccField } from '../../domain/ledger/rows.js';

/** 查找党员's contract (pure), shared with the web: discovery runs, the verification work list, the public self-report. */
export const caseKind = z.enum(CASE_KINDS);
export const caseState = z.enum(CASE_STATES);
/** What staff may do to a case (the domain's state machine names them). */
export const caseAction = codesOf(ACTION_LABEL);

/** A calendar date that exists (2024-02-30 is refused). */
const isoDate = z.iso.date('日期格式应为 YYYY-MM-DD');

/** A discovery run's steps in order: the run records the one it is at, the page shows where that is. */
export const RUN_STEPS = ['身份证号比对', '姓名、出生日期、电话比对', '生成线索'] as const;

const run = z.object({
  id: z.number(),
  status: z.string(),
  step: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
  error: z.string().nullable(),
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
});

export const startDiscoveryRun = endpoint({
  method: 'POST',
  path: '/discovery/runs',
  summary: '在本辖区运行一次比对（后台进行）',
  status: 202,
  response: run,
});

export const getDiscoveryRun = endpoint({
  method: 'GET',
  path: '/discovery/runs/:id',
  summary: '比对进度',
  params: idParam,
  response: run,
});

export const caseListItem = z.object({
  id: z.number(),
  kind: caseKind,
  kindLabel: z.string(),
  state: caseState,
  stateLabel: z.string(),
  entityId: z.number().nullable(),
  entityName: z.string(),
  stationName: z.string().nullable(),
  memberName: z.string().nullable(),
  updatedAt: timestamp,
  actions: z.array(caseAction),
});

/** The work list's filters; several states at once (?state=open,contacted): the dashboard's 待核实线索 counts both. */
const caseFilters = { kind: caseKind.optional(), state: manyOf(caseState).optional(), under: underQuery };
export const listCases = endpoint({
  method: 'GET',
  path: '/cases',
  summary: '核实线索（本辖区）',
  query: z.strictObject({ ...pageQuery, ...caseFilters }),
  response: pageOf(caseListItem),
});
export const exportCases = { path: '/cases/export', query: z.strictObject(caseFilters) } as const;

/** What a trail line recorded: the person's reason, contact or transfer; the system's condition and the change that moved it. */
export const caseEventDetail = z.looseObject({
  reason: z.string().optional(),
  condition: z.string().optional(),
  change: z.looseObject({ source: z.string(), label: z.string() }).optional(),
  contact: z.looseObject({ outcome: z.string().optional() }).optional(),
  transfer: z.looseObject({ from: z.string(), to: z.string() }).optional(),
  conclusion: z.looseObject({ result: z.string(), date: z.string().optional(), to: z.string().optional() }).optional(),
});

/**
 * What a case's condition found, as domain/cases/conditions.ts records it (the fields of its kind):
 * the annual report's count and year, the members found and how (method, score, the matching
 * levels), the member's org relation and status, the entity's org form; a self-report's, whether
 * its entity was found in the ledger.
 */
export const caseEvidence = z.looseObject({
  entity: z.string().optional(),
  reportYear: z.number().nullish(),
  declared: z.number().optional(),
  found: z.number().optional(),
  method: z.string().optional(),
  score: z.number().optional(),
  levels: z.record(z.string(), z.string()).nullish(),
  orgRelation: z.string().nullish(),
  memberStatus: z.string().optional(),
  orgForm: z.number().nullish(),
  entityFound: z.boolean().optional(),
  /** A member missing from a full roster: the import job whose end raised the case. */
  importJob: z.number().optional(),
});

export const getCase = endpoint({
  method: 'GET',
  path: '/cases/:id',
  summary: '线索详情：证据与处理记录',
  params: idParam,
  response: z.object({
    id: z.number(),
    kind: caseKind,
    kindLabel: z.string(),
    state: caseState,
    stateLabel: z.string(),
    evidence: caseEvidence,
    entity: z.object({ id: z.number(), name: z.string(), uscc: z.string().nullable() }).nullable(),
    condition: z.string().nullable(),
    resolvedAt: timestamp.nullable(),
    report: z
      .object({
        name: z.string(),
        phone: z.string(),
        /** The random receipt the member was given, to find the report when they call. */
        receipt: z.string(),
        entityText: z.string(),
        orgRelation: z.string().nullable(),
        reportedAt: timestamp,
      })
      .nullable(),
    member: z
      .object({
        id: z.number(),
        name: z.string(),
        birthDate: z.string().nullable(),
        phone: z.string().nullable(),
        orgRelation: z.string().nullable(),
        memberStatus: z.string(),
        membership: z.string().nullable(),
        confidence: z.string(),
        sources: z.array(z.string()),
      })
      .nullable(),
    events: z.array(
      z.object({
        id: z.number(),
        at: timestamp,
        action: z.string(),
        actionLabel: z.string(),
        from: z.string().nullable(),
        to: z.string().nullable(),
        detail: caseEventDetail.nullable(),
        actor: z.string(),
      }),
    ),
    actions: z.array(caseAction),
  }),
});

export const actOnCase = endpoint({
  method: 'POST',
  path: '/cases/:id/actions',
  summary:
    '处理线索：记录联系、确认、排除（须写原因）、记录组织关系转接、重新核实；名册中已不存在的党员：记录核实结果（已转出、停止党籍、去世须写日期，仍在册须写原因）',
  params: idParam,
  body: z.strictObject({
    action: caseAction,
    reason: z.string().trim().max(500, '原因不超过 500 字').optional(),
    contact: z
      .strictObject({
        date: isoDate,
        way: z.enum(['visit', 'phone', 'message', 'other']),
        outcome: z.string().trim().min(1, '请填写联系结果').max(500, '联系结果不超过 500 字'),
      })
      .optional(),
    transfer: z
      .strictObject({
        from: z.string().trim().min(1, '请填写转出党组织').max(200, '转出党组织不超过 200 字'),
        to: z.string().trim().min(1, '请填写转入党组织').max(200, '转入党组织不超过 200 字'),
        date: isoDate,
      })
      .optional(),
    conclusion: z
      .strictObject({
        result: z.enum(ABSENT_RESULTS, '请选择核实结果：已转出、停止党籍、去世或仍在册'),
        date: isoDate.optional(),
        to: z.string().trim().min(1, '请填写转入党组织').max(200, '转入党组织不超过 200 字').optional(),
      })
      .optional(),
  }),
  response: z.object({ id: z.number(), state: caseState, stateLabel: z.string() }),
});

export const publicDivisions = endpoint({
  method: 'GET',
  path: '/public/divisions/:code',
  summary: '行政区划（省、市、县）',
  params: z.strictObject({ code: z.string().regex(/^\d{6}$/, '行政区划代码应为 6 位数字') }),
  response: z.array(z.object({ code: z.string(), name: z.string(), level: z.string() })),
});

export const submitSelfReport = endpoint({
  method: 'POST',
  path: '/public/self-report',
  summary: '党员报到：本人报告在某市场主体工作（需同意告知事项）',
  body: z.strictObject({
    name: z.string().trim().min(2, '请填写姓名').max(30, '姓名不超过 30 个字'),
    phone: phoneField,
    idNumber: idNumberField.optional(),
    countyCode: z.string().regex(/^\d{6}$/, '请选择所在县（区）'),
    entityName: z.string().trim().min(2, '请填写工作单位名称').max(200, '工作单位名称不超过 200 个字'),
    uscc: usccField.optional(),
    orgRelation: z.string().trim().max(200, '组织关系所在党组织不超过 200 个字').optional(),
    consent: z.literal(true, { error: '请阅读并同意告知事项' }),
  }),
  status: 201,
  response: z.object({ receipt: z.string(), message: z.string() }),
});

export type CaseRow = ItemOf<typeof listCases>;
export type CaseDetail = ResponseOf<typeof getCase>;
export type DiscoveryRun = ResponseOf<typeof getDiscoveryRun>;
export type CaseEventDetail = z.input<typeof caseEventDetail>;
