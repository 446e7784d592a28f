import { z } from 'zod';
import { endpoint, idParam, pageOf, pageQuery, timestamp, type ItemOf, type ResponseOf } from '../../http/contract.js';

/** Request and response shapes of the column plan, the mapping step and source profiles (pure). */
/** Every file kind the import pipeline reads (templates.ts holds each one's columns). */
export const IMPORT_KINDS = ['registry', 'annual_report', 'roster', 'abnormal_list', 'untrustworthy_list'] as const;
export const importKind = z.enum(IMPORT_KINDS);
export type ImportKind = z.infer<typeof importKind>;
/** field → the file's header that feeds it ('' = no column). */
export const mapping = z.record(z.string().max(40), z.string().max(200));
export const uploadToken = z.string().regex(/^u\d+-[0-9a-f]{16}$/, '上传编号无效');

export const plannedColumn = z.object({
  index: z.number(),
  header: z.string(),
  field: z.string().nullable(),
  fieldLabel: z.string().nullable(),
  note: z.string(),
  warning: z.string().nullable(),
});

export const preview = z.object({
  upload: z.string(),
  fileName: z.string(),
  /** The worksheet read (a workbook with several), else null. */
  sheet: z.string().nullable(),
  /** The sheets the import will read together (every data sheet, all with one header: a roster one sheet per 党支部), else null. */
  sheets: z.array(z.string()).nullable(),
  format: z.enum(['csv', 'xlsx', 'xlsb', 'xls', 'ods']),
  encoding: z.enum(['utf8', 'gb18030', 'utf16le', 'utf16be']).nullable(),
  headerRowNo: z.number(),
  headers: z.array(z.string()),
  columns: z.array(plannedColumn),
  fields: z.array(
    z.object({ field: z.string(), label: z.string(), required: z.boolean(), column: z.string().nullable() }),
  ),
  missing: z.array(z.object({ field: z.string(), label: z.string() })),
  warnings: z.array(z.object({ header: z.string(), reason: z.string() })),
  /** Another kind the file more likely is (this one misses required fields that one finds), else null. */
  likelierKind: importKind.nullable(),
  /**
   * A list the import does not read (党组织台账, 指导员名单 …) that the file seems to be, said with
   * where its records are kept; null otherwise (or when the file fits this kind or another).
   */
  otherList: z.string().nullable(),
  /** The footer rows (合计, 制表人：…) the import will skip, when the sample reached the file's end; else null (the finished job names them). */
  footer: z.string().nullable(),
  /** The rows under the header the workbook hides (an .xlsx), which the import reads like any other, named; else null. */
  hiddenRows: z.string().nullable(),
  /**
   * The first rows as the import would read them: field → cell (ID numbers and phones masked, a date
   * as it will be stored), and what would refuse the row (its county and station aside), by column.
   */
  sample: z.array(
    z.object({
      rowNo: z.number(),
      /** The row's sheet, when the import reads several. */
      sheet: z.string().nullable(),
      values: z.record(z.string(), z.string()),
      problems: z.array(z.object({ field: z.string(), label: z.string(), reason: z.string() })),
    }),
  ),
  mapping,
});
export type Preview = z.infer<typeof preview>;

export const planBody = z.strictObject({
  upload: uploadToken,
  mapping: mapping.optional(),
  profile: z.string().trim().min(1).max(60).optional(),
  sheet: z.string().trim().min(1).max(100).optional(),
});
/** A query's yes or no (a form field or a URL says it as text). */
export const flagQuery = z.enum(['true', 'false'], '应为 true 或 false');
export const startBody = planBody.extend({
  /** The headers of the warned columns the user has seen and accepts to leave out. */
  acknowledge: z.array(z.string().max(200)).max(500).default([]),
  /**
   * The file is the full roster of the party organizations it carries: at the job's successful end,
   * each member of those organizations it does not have gets a case 名册中已不存在 (roster only).
   */
  fullRoster: z.boolean().default(false),
});

export const profile = z.object({ id: z.number(), kind: importKind, name: z.string(), mapping, updatedAt: timestamp });
export const profileBody = z.strictObject({
  kind: importKind,
  name: z.string().trim().min(1, '请填写配置名称').max(60, '配置名称不超过 60 个字'),
  mapping,
});
export const profileQuery = z.strictObject({ kind: importKind.optional() });
/** Request and response shapes of the import flow's additions (pure: no I/O). */

export const uploadQuery = z.strictObject({
  sheet: z.string().trim().min(1, '工作表名称不能为空').max(100, '工作表名称过长').optional(),
});

/** A change an import made to an existing entity's kind or name (its change summary). */
export const identityChange = z.object({
  rowNo: z.number(),
  /** The row's sheet, when the job read several. */
  sheet: z.string().nullable(),
  entityId: z.number(),
  entityName: z.string().nullable(),
  field: z.enum(['kind', 'name']),
  fieldLabel: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  text: z.string(),
});

/** What a job adds for the account looking at it: its figures are that account's subtree's when the job is another's. */
export const jobScopeFields = {
  sheet: z.string().nullable(),
  /** The sheets the job reads together, in order; its refusals name each row's sheet. Null for one sheet or a CSV. */
  sheets: z.array(z.string()).nullable(),
  /** The figures are those of the caller's jurisdiction only (the job was uploaded above or beside it). */
  partial: z.boolean(),
  /** The caller may cancel or rerun the job (it was uploaded within the caller's scope). */
  manageable: z.boolean(),
  identityChanges: z.number(),
};

/** The loopback hand-off of `xgz import` to a running server. */
export const localImportQuery = z.strictObject({
  fileName: z.string().min(1).max(200),
  profile: z.string().trim().min(1).max(60).optional(),
  user: z.string().max(64).optional(),
  sheet: z.string().trim().min(1).max(100).optional(),
  fullRoster: flagQuery.optional(),
});

/** An import job as the imports pages and the exchange (system-to-system delivery, a pick of it) show it (toJob in routes.ts). */
export const importJob = z.object({
  id: z.number(),
  kind: importKind,
  kindLabel: z.string(),
  fileName: z.string(),
  fileBytes: z.number(),
  status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  rowsRead: z.number(),
  rowsAccepted: z.number(),
  rowsRejected: z.number(),
  rowsChanged: z.number().nullable(),
  percent: z.number(),
  rowsPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  error: z.string().nullable(),
  /**
   * Notes on the rows read: the footer rows (合计, 制表人：…) under the last data row that were
   * skipped, and the rows hidden in the workbook that were imported, named; null when none.
   */
  footer: z.string().nullable(),
  /** Values of accepted rows read and not stored (masked, a roster's fixed line), counted by column; null when none. */
  withheld: z.string().nullable(),
  /** The file was given as the full roster of the organizations it carries. */
  fullRoster: z.boolean(),
  /** Members of those organizations the full roster did not have: the 名册中已不存在 cases its end raised (null: not a full roster, or not ended). */
  absentMembers: z.number().nullable(),
  /** A roster's rows that recorded a member held here as 已转出 (转出日期 or 党籍状态 已转出); null for other kinds. */
  membersLeft: z.number().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  ...jobScopeFields,
});

export const IMPORT_TAGS = ['导入'];
const kindParams = z.strictObject({ kind: importKind });

/** The template of a kind as xlsx (a download, not a JSON call). */
export const importTemplate = {
  path: '/imports/templates/:kind',
  summary: '下载导入模板（xlsx）',
  params: kindParams,
} as const;
/** The error report of a job as xlsx (a download). */
export const importErrorReport = {
  path: '/imports/:id/errors',
  summary: '错误报告（xlsx：错误明细 + 待修正数据，后者可改正后重新导入）',
  params: idParam,
} as const;

/** Multipart uploads (field file): the web sends them with fetch and FormData, their answers are these shapes. */
export const uploadForPlan = endpoint({
  method: 'POST',
  path: '/imports/:kind/upload',
  summary:
    '上传文件，读取表头与前几行：返回列对应计划（每列导入为哪一项、哪些列不导入及需确认的提示），尚不导入。多工作表的工作簿须以 sheet 指定工作表，未指定时 422 列出工作表',
  params: kindParams,
  query: uploadQuery,
  response: preview,
});

export const uploadAndImport = endpoint({
  method: 'POST',
  path: '/imports/:kind',
  summary:
    '上传文件并开始导入（multipart，字段 file；.xlsx、.xlsb、.xls、.et、.ods、.xml、.csv 或 .txt）。多工作表的工作簿须以 sheet 指定工作表（错误报告的"待修正数据"自动识别）。profile：来源配置名称；acknowledge：确认不导入的提示列（以逗号分隔的列名）；未指定时返回 422，errors 中逐个列出工作表名称（field 为 sheet）',
  params: kindParams,
  query: uploadQuery.extend({
    profile: z.string().trim().min(1).max(60).optional(),
    acknowledge: z.string().max(10_000).optional(),
    fullRoster: flagQuery.optional(),
  }),
  status: 202,
  response: importJob,
});

export const planImport = endpoint({
  method: 'POST',
  path: '/imports/:kind/plan',
  summary: '按所选的列对应（或来源配置）重新给出已上传文件的列对应计划与前几行',
  params: kindParams,
  body: planBody,
  response: preview,
});

export const startImport = endpoint({
  method: 'POST',
  path: '/imports/:kind/start',
  summary: '按列对应计划开始导入已上传的文件（未确认的提示列须列在 acknowledge 中）',
  params: kindParams,
  body: startBody,
  status: 202,
  response: importJob,
});

export const listImportProfiles = endpoint({
  method: 'GET',
  path: '/import-profiles',
  summary: '来源配置（保存的列对应）',
  query: profileQuery,
  response: z.array(profile),
});
export const saveImportProfile = endpoint({
  method: 'POST',
  path: '/import-profiles',
  summary: '保存来源配置（同名则覆盖）',
  body: profileBody,
  response: profile,
});
export const deleteImportProfile = endpoint({
  method: 'DELETE',
  path: '/import-profiles/:id',
  summary: '删除来源配置',
  params: idParam,
  status: 204,
  response: z.null(),
});

export const listImports = endpoint({
  method: 'GET',
  path: '/imports',
  summary: '导入任务',
  query: z.strictObject(pageQuery),
  response: pageOf(importJob),
});
export const getImport = endpoint({
  method: 'GET',
  path: '/imports/:id',
  summary: '导入进度',
  params: idParam,
  response: importJob,
});
export const importChanges = endpoint({
  method: 'GET',
  path: '/imports/:id/changes',
  summary: '变更摘要：该次导入改变了哪些已有主体的类型或名称（本辖区内）',
  params: idParam,
  response: z.object({ items: z.array(identityChange) }),
});
export const cancelImport = endpoint({
  method: 'POST',
  path: '/imports/:id/cancel',
  summary: '取消导入（已提交的批次保留）',
  params: idParam,
  response: importJob,
});
export const rerunImport = endpoint({
  method: 'POST',
  path: '/imports/:id/rerun',
  summary: '用同一文件重新导入（中断后补齐；结果与一次导完相同）',
  params: idParam,
  status: 202,
  response: importJob,
});

export type ImportJob = ItemOf<typeof listImports>;
export type ImportProfile = ResponseOf<typeof saveImportProfile>;
export type IdentityChangeItem = z.input<typeof identityChange>;
