import { z } from 'zod';
import { COVERAGE_FILTERS, type CoverageFilter } from '../../domain/coverage/coverage.js';
import { idNumberField, phoneField } from '../../domain/ledger/rows.js';
import {
  endpoint,
  historyLine,
  idParam,
  pageOf,
  pageQuery,
  underQuery,
  type ItemOf,
  type ResponseOf,
} from '../../http/contract.js';

/** Shapes of the entity page's gathered records (pure: the web imports them). */
export const recordItem = z.object({
  id: z.number(),
  title: z.string(),
  detail: z.string(),
  state: z.string(),
  /** Needs someone's attention (open, flagged, suspended). */
  attention: z.boolean(),
  /** The web path of the record (null: shown here only). */
  href: z.string().nullable(),
});
export type RecordItem = z.infer<typeof recordItem>;

export const RECORD_SECTIONS = [
  'visits',
  'appeals',
  'assistance',
  'tasks',
  'plaques',
  'honours',
  'points',
  'cases',
  'orgs',
  'instructors',
  'creditListings',
  'exitReviews',
  'violations',
] as const;
export type RecordSection = (typeof RECORD_SECTIONS)[number];
export const RECORD_SECTION_LABEL: Record<RecordSection, string> = {
  visits: '走访',
  appeals: '诉求与走访问题',
  assistance: '帮扶',
  tasks: '涉及本主体的任务',
  plaques: '三亮牌匾',
  honours: '荣誉',
  points: '联系点 / 示范点',
  cases: '核实线索',
  orgs: '党组织',
  instructors: '党建工作指导员',
  creditListings: '经营异常名录 / 严重违法失信名单',
  exitReviews: '退出复核',
  violations: '严重违法违规记录',
};
export const entityRecords = z.object(
  Object.fromEntries(RECORD_SECTIONS.map((k) => [k, z.array(recordItem)])) as Record<
    RecordSection,
    z.ZodArray<typeof recordItem>
  >,
);
export type EntityRecords = z.infer<typeof entityRecords>;

/** The market-entity ledger's contract (pure), shared with the web. */
export const ENTITY_KINDS = ['enterprise', 'individual', 'cooperative'] as const;
export const ENTITY_STATUSES = ['active', 'deregistered', 'revoked', 'moved_out'] as const;
export const ENTITY_ROLES = ['legal_rep', 'investor', 'executive', 'employee', 'liaison'] as const;
const yesNo = z.enum(['true', 'false']).optional();

/** Filters of the entity ledger list, shared by the list and its export. */
export const entityFilters = {
  under: underQuery,
  kind: z.enum(ENTITY_KINDS).optional(),
  status: z.enum(ENTITY_STATUSES).optional(),
  zoneId: z.coerce.number().int().positive('区域编号应为正整数').optional(),
  industry: z
    .string()
    .regex(/^[A-T]$/, '行业门类应为 A–T')
    .optional(),
  isNew: yesNo,
  partyDeclared: yesNo,
  orgDeclared: yesNo,
  coverage: z.enum(Object.keys(COVERAGE_FILTERS) as [CoverageFilter, ...CoverageFilter[]]).optional(),
  q: z.string().trim().max(60, '搜索词不超过 60 个字').optional(),
  sort: z.enum(['registeredOn', '-registeredOn', 'name', '-name', 'employees', '-employees']).default('-registeredOn'),
};

export const entityListItem = z.object({
  id: z.number(),
  kind: z.string(),
  uscc: z.string().nullable(),
  regNo: z.string().nullable(),
  name: z.string(),
  status: z.string(),
  registeredOn: z.string().nullable(),
  isNew: z.boolean(),
  countyName: z.string(),
  stationName: z.string().nullable(),
  industrySection: z.string().nullable(),
  employees: z.number().nullable(),
  legalRep: z.string().nullable(),
  latestReport: z
    .object({ year: z.number(), partyMembers: z.number().nullable(), partyOrgForm: z.number().nullable() })
    .nullable(),
});

const TAG = '市场主体';
export const ENTITY_TAGS = [TAG];

export const listEntities = endpoint({
  method: 'GET',
  path: '/entities',
  summary: '市场主体台账',
  query: z.strictObject({ ...pageQuery, ...entityFilters }),
  response: pageOf(entityListItem),
});

export const entitySummary = endpoint({
  method: 'GET',
  path: '/entities/summary',
  summary: '底数概览：在营主体、按类型、新设、年报申报有党员或已建党组织',
  query: z.strictObject({ under: entityFilters.under }),
  response: z.object({
    total: z.number(),
    active: z.number(),
    isNew: z.number(),
    partyDeclared: z.number(),
    orgDeclared: z.number(),
    byKind: z.record(z.string(), z.number()),
  }),
});

/** The ledger as xlsx (at most 200,000 rows; personal data masked unless revealed, each full number a reveal of the account's budget; audited). */
export const exportEntities = {
  path: '/entities/export',
  summary:
    '导出筛选结果（xlsx，最多 20 万行；个人信息脱敏，reveal=true 导出完整身份证号须有权限、每人计一次查看，导出留痕）',
  query: z.strictObject({ ...entityFilters, reveal: z.enum(['true', 'false']).optional() }),
} as const;

export const getEntity = endpoint({
  method: 'GET',
  path: '/entities/:id',
  summary: '市场主体详情：身份、人员（脱敏）、所在区域、年报、变更记录；asOf 查看某日的登记状态',
  params: idParam,
  query: z.strictObject({ asOf: z.iso.date('日期格式应为 YYYY-MM-DD').optional() }),
  response: z.object({
    id: z.number(),
    kind: z.enum(ENTITY_KINDS),
    kindLabel: z.string(),
    uscc: z.string().nullable(),
    regNo: z.string().nullable(),
    name: z.string(),
    status: z.enum(ENTITY_STATUSES),
    statusLabel: z.string(),
    registeredOn: z.string().nullable(),
    isNew: z.boolean(),
    address: z.string().nullable(),
    countyCode: z.string(),
    countyName: z.string(),
    stationCode: z.string().nullable(),
    stationName: z.string().nullable(),
    industrySection: z.string().nullable(),
    industryLabel: z.string().nullable(),
    industryDivision: z.string().nullable(),
    sizeClass: z.string().nullable(),
    employees: z.number().nullable(),
    /** The registration record as it stood on asOf (its stored columns), else null. */
    asOf: z.record(z.string(), z.unknown()).nullable(),
    people: z.array(
      z.object({
        roleId: z.number(),
        role: z.enum(ENTITY_ROLES),
        roleLabel: z.string(),
        name: z.string(),
        idNumber: z.string().nullable(),
        phone: z.string().nullable(),
        birthDate: z.string().nullable(),
        sex: z.string().nullable(),
      }),
    ),
    zones: z.array(z.object({ id: z.number(), kind: z.string(), name: z.string() })),
    orgs: z.array(
      z.object({
        id: z.number(),
        body: z.string(),
        name: z.string(),
        kindLabel: z.string(),
        setupModeLabel: z.string(),
        status: z.string(),
        statusLabel: z.string(),
      }),
    ),
    coverage: z
      .object({ withMembers: z.boolean(), ownOrg: z.boolean(), anyOrg: z.boolean(), work: z.boolean() })
      .nullable(),
    members: z.array(
      z.object({
        memberId: z.number(),
        name: z.string(),
        membership: z.string().nullable(),
        confidence: z.string(),
        method: z.string(),
        score: z.number(),
      }),
    ),
    annualReports: z.array(
      z.object({
        year: z.number(),
        filingStatus: z.string(),
        filedOn: z.string().nullable(),
        employees: z.number().nullable(),
        partyMembers: z.number().nullable(),
        partyOrgForm: z.number().nullable(),
        partyOrgWay: z.number().nullable(),
        partyOrgSetOn: z.string().nullable(),
        repIsMember: z.boolean().nullable(),
        repIsSecretary: z.boolean().nullable(),
      }),
    ),
    timeline: z.array(
      historyLine.extend({
        id: z.number(),
        objectType: z.string(),
        changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
      }),
    ),
  }),
});

const roleParams = z.strictObject({
  id: z.coerce.number().int().positive('编号应为正整数'),
  roleId: z.coerce.number().int().positive('编号应为正整数'),
});

export const revealEntityPerson = endpoint({
  method: 'POST',
  path: '/entities/:id/people/:roleId/reveal',
  summary: '查看完整身份证号与手机号（留痕）',
  params: roleParams,
  response: z.object({ idNumber: z.string().nullable(), phone: z.string().nullable() }),
});

export const addEntityPerson = endpoint({
  method: 'POST',
  path: '/entities/:id/people',
  summary: '登记主体中的人员（投资人、高管、职工、联络员等），身份证号与手机加密存储',
  params: idParam,
  body: z.strictObject({
    role: z.enum(ENTITY_ROLES),
    name: z.string().trim().min(1, '请填写姓名').max(30, '姓名不超过 30 个字'),
    idNumber: idNumberField.optional(),
    phone: phoneField.optional(),
  }),
  status: 201,
  response: z.object({ roleId: z.number() }),
});

export const removeEntityPerson = endpoint({
  method: 'DELETE',
  path: '/entities/:id/people/:roleId',
  summary: '移除人员的角色（保留在变更记录中）',
  params: roleParams,
  status: 204,
  response: z.null(),
});

export const updateEntity = endpoint({
  method: 'PATCH',
  path: '/entities/:id',
  summary: '修改市场主体（登记状态、所属基层所、住所、从业人数），留存变更记录',
  params: idParam,
  body: z.strictObject({
    status: z.enum(ENTITY_STATUSES).optional(),
    stationCode: z
      .string()
      .regex(/^\d{9}$/, '基层所代码应为 9 位')
      .nullable()
      .optional(),
    address: z.string().trim().max(300, '住所不超过 300 个字').optional(),
    employees: z.number().int('从业人数应为整数').min(0, '从业人数不能为负').max(10_000_000, '从业人数过大').optional(),
  }),
  response: z.object({ id: z.number() }),
});

export const getEntityRecords = endpoint({
  method: 'GET',
  path: '/entities/:id/records',
  summary:
    '该主体的全部记录（一处查看）：走访、诉求与走访问题、帮扶、涉及的任务、三亮牌匾、荣誉、联系点、核实线索、党组织、指导员、信用名单、退出复核，各附记录链接',
  params: idParam,
  response: entityRecords,
});

const workItem = z.object({
  id: z.number(),
  title: z.string(),
  detail: z.string(),
  state: z.string(),
  attention: z.boolean(),
});
export const getEntityWork = endpoint({
  method: 'GET',
  path: '/entities/:id/work',
  summary: '该主体的党建工作：联系的指导员、三亮、荣誉、联系点/示范点、严重违法记录',
  params: idParam,
  response: z.object({
    instructors: z.array(workItem),
    sanliang: z.array(workItem),
    honours: z.array(workItem),
    points: z.array(workItem),
    violations: z.array(workItem),
  }),
});

export type EntityRow = ItemOf<typeof listEntities>;
export type EntityDetail = ResponseOf<typeof getEntity>;
export type EntitySummary = ResponseOf<typeof entitySummary>;
