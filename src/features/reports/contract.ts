import { z } from 'zod';
import { FORM_CODES, type FormCode } from '../../domain/reports/forms.js';
import { endpoint, idParam, place, underQuery, type ResponseOf } from '../../http/contract.js';
import { values } from '../indicators/contract.js';

/** The statistical reports' contract (pure), shared with the web. */
export const form = z.enum(FORM_CODES as [FormCode, ...FormCode[]]);
const period = z.string().trim().max(10);
/** A submitted version's number (an int4 column): a larger one is a 400, not a database error. */
const versionNumber = z.coerce.number().int().positive('版本号应为正整数').max(2_147_483_647, '版本号过大');
const source = z.enum(['live', 'snapshot']);
const rowKind = z.enum(['child', 'own', 'total']);

/** A report row: every indicator of the registry (the dashboard's schema) beside the row's place. */
export const reportRow = values.extend({
  code: z.string().nullable(),
  name: z.string(),
  kind: rowKind,
  version: z.number().nullable(),
});
/** A child marked 缺报, by the level that marked it. */
export const mark = z.object({ code: z.string(), name: z.string(), reason: z.string(), by: z.string() });
/** A figure the consolidation differs from the live count on. */
export const difference = z.object({
  code: z.string().nullable(),
  row: z.string(),
  kind: rowKind,
  key: z.string(),
  label: z.string(),
  consolidated: z.number(),
  live: z.number(),
  difference: z.number(),
  beyond: z.boolean(),
  /** Explained by the 缺报 marks' reasons (the units left out account for it): no other explanation asked. */
  byMissing: z.boolean().optional(),
  explanation: z.string(),
});
/** A failed check of the report. */
export const failure = z.object({ code: z.string(), label: z.string(), row: z.string(), message: z.string() });
const summary = z.object({
  id: z.number(),
  state: z.string(),
  stateLabel: z.string(),
  version: z.number(),
  preparedAt: z.string(),
  returnReason: z.string().nullable(),
  submittedAt: z.string().nullable(),
  outdated: z.boolean(),
  accepted: z.boolean(),
});

export const reportDetail = z.object({
  id: z.number(),
  form,
  title: z.string(),
  period: z.string(),
  periodLabel: z.string(),
  dueOn: z.string(),
  node: place,
  state: z.string(),
  stateLabel: z.string(),
  version: z.number(),
  note: z.string().nullable(),
  returnReason: z.string().nullable(),
  source,
  asOf: z.string(),
  sourceLabel: z.string(),
  liveReason: z.string().nullable(),
  preparedAt: z.string(),
  rows: z.array(reportRow),
  checks: z.array(failure),
  checkRows: z.array(reportRow),
  children: z.array(
    place.extend({
      state: z.string().nullable(),
      stateLabel: z.string(),
      version: z.number().nullable(),
      used: z.number().nullable(),
      marked: z.string().nullable(),
      accepted: z.boolean(),
    }),
  ),
  missing: z.array(mark),
  missingBelow: z.array(mark),
  waiting: z.array(z.object({ code: z.string(), name: z.string() })),
  differences: z.array(difference),
  tolerance: z.number(),
  explanation: z.string().nullable(),
  outdated: z.object({ at: z.string(), reason: z.string() }).nullable(),
  versions: z.array(
    z.object({
      version: z.number(),
      submittedAt: z.string(),
      submittedBy: z.string(),
      acknowledgement: z.string().nullable(),
      explanation: z.string().nullable(),
      missing: z.array(mark),
    }),
  ),
  events: z.array(
    z.object({
      action: z.string(),
      version: z.number().nullable(),
      reason: z.string().nullable(),
      at: z.string(),
      by: z.string(),
    }),
  ),
  /** 审核通过 by the level above: of which version, when, by whom. */
  accepted: z.object({ version: z.number(), at: z.string(), by: z.string() }).nullable(),
  actions: z.array(z.enum(['prepare', 'annotate', 'submit', 'return', 'accept'])),
});

export const listReportForms = endpoint({
  method: 'GET',
  path: '/report-forms',
  summary: '报表表式（由指标库定义的列、表头分组、报告期与上报期限）',
  response: z.array(
    z.object({
      code: z.string(),
      title: z.string(),
      period: z.enum(['quarter', 'year']),
      dueDays: z.number(),
      groups: z.array(
        z.object({
          group: z.string(),
          label: z.string(),
          columns: z.array(
            z.object({ key: z.string(), label: z.string(), unit: z.string(), kind: z.enum(['count', 'rate']) }),
          ),
        }),
      ),
    }),
  ),
});

export const boardQuery = z.strictObject({ form: form.default('xgz_core'), period, under: underQuery });

export const getReportBoard = endpoint({
  method: 'GET',
  path: '/reports',
  summary: '某表式某报告期：本级报表状态、各下级上报情况（已报/逾期/退回）与汇总表（各下级最新上报版本合计）',
  query: boardQuery,
  response: z.object({
    node: place,
    form,
    period: z.string(),
    periodLabel: z.string(),
    dueOn: z.string(),
    overdueNow: z.boolean(),
    own: summary.nullable(),
    children: z.array(
      place.extend({
        report: summary.nullable(),
        overdue: z.boolean(),
        marked: z.string().nullable(),
        carried: z.array(mark),
      }),
    ),
    consolidated: z.array(reportRow),
  }),
});

/** The consolidation as xlsx (the export is audited). */
export const exportConsolidated = { path: '/reports/consolidated/export', query: boardQuery } as const;

export const deployPeriod = endpoint({
  method: 'POST',
  path: '/reports/periods',
  summary:
    '下发报告期：向直接下级（县局向其基层所）部署某表式某报告期的上报任务（截止为该期上报期限）；下级上报即自动完成，退回即随之退回；重复下发只更新',
  body: z.strictObject({ form: form.default('xgz_core'), period }),
  status: 201,
  response: z.object({ id: z.number().nullable() }),
});

export const prepareReport = endpoint({
  method: 'POST',
  path: '/reports',
  summary:
    '本级生成（或重新生成）某表式某报告期的报表：各下级最新上报版本的汇总 + 本级数字（本期按实时数据，已结束的报告期按期末快照；没有期末快照时须说明原因才可按实时数据）；与实时数的差异逐项说明',
  body: z.strictObject({
    form: form.default('xgz_core'),
    period,
    source: source.optional(),
    liveReason: z.string().trim().max(500).optional(),
  }),
  status: 201,
  response: reportDetail,
});

export const getReport = endpoint({
  method: 'GET',
  path: '/reports/:id',
  summary: '报表（当前工作稿）：各行指标、审核结果、上报版本与流转记录',
  params: idParam,
  response: reportDetail,
});

export const annotateReport = endpoint({
  method: 'PATCH',
  path: '/reports/:id',
  summary:
    '填写报表说明、差异说明，或把未上报的下级标记为缺报（须说明原因；缺报标记随上报版本逐级上行）（本级，上报前）',
  params: idParam,
  body: z.strictObject({
    note: z.string().trim().max(2000).nullable().optional(),
    explanation: z.string().trim().max(2000).nullable().optional(),
    missing: z
      .array(
        z.strictObject({
          code: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字'),
          reason: z.string().trim().min(1, '须说明缺报原因').max(500),
        }),
      )
      .max(500)
      .optional(),
  }),
  response: reportDetail,
});

export const submitReport = endpoint({
  method: 'POST',
  path: '/reports/:id/submit',
  summary:
    '上报（生成不可修改的新版本）：有下级未上报且未标记缺报的 422 并列出这些下级；未通过审核的须填写情况说明；与实时数差异超出允许范围的须填写差异说明；上报后如上级已上报，上级报表标记为待更新',
  params: idParam,
  body: z.strictObject({
    acknowledgement: z.string().trim().max(2000).optional(),
    explanation: z.string().trim().max(2000).optional(),
  }),
  status: 201,
  response: reportDetail,
});

export const returnReport = endpoint({
  method: 'POST',
  path: '/reports/:id/return',
  summary: '退回下级报表修改（直接上级，须说明理由）',
  params: idParam,
  body: z.strictObject({ reason: z.string().trim().max(500) }),
  response: reportDetail,
});

export const acceptReport = endpoint({
  method: 'POST',
  path: '/reports/:id/accept',
  summary: '审核通过下级上报的报表（直接上级；标记所审核的版本，重新上报或退回后失效）',
  params: idParam,
  response: reportDetail,
});

export const getReportVersion = endpoint({
  method: 'GET',
  path: '/reports/:id/versions/:version',
  summary: '已上报的某一版本（不可修改）',
  params: z.strictObject({
    id: z.coerce.number().int().positive(),
    version: versionNumber,
  }),
  response: z.object({
    version: z.number(),
    source,
    asOf: z.string(),
    sourceLabel: z.string(),
    liveReason: z.string().nullable(),
    note: z.string().nullable(),
    acknowledgement: z.string().nullable(),
    checks: z.array(failure),
    submittedAt: z.string(),
    submittedBy: z.string(),
    rows: z.array(reportRow),
    missing: z.array(mark),
    differences: z.array(difference),
    explanation: z.string().nullable(),
  }),
});

/** A report (a submitted version, or by default the working copy) as xlsx (the export is audited). */
export const exportReport = {
  path: '/reports/:id/export',
  params: idParam,
  query: z.strictObject({ version: versionNumber.optional() }),
} as const;

export type ReportBoard = ResponseOf<typeof getReportBoard>;
export type ReportDetail = ResponseOf<typeof getReport>;
export type ReportRow = z.input<typeof reportRow>;
export type Mark = z.infer<typeof mark>;
export type Difference = z.infer<typeof difference>;
