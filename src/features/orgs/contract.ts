import { z } from 'zod';
import { PROPOSAL_MODES, type ProposalMode } from '../../domain/orgs/grouping.js';
import {
  date,
  endpoint,
  historyLine,
  idKeyParam,
  idParam,
  pageOf,
  pageQuery,
  underQuery,
  type ItemOf,
  type ResponseOf,
} from '../../http/contract.js';

/** The party- and Youth League-organization ledger's contract (pure), shared with the web. */
export const ORG_KINDS = ['committee', 'general_branch', 'branch', 'joint_branch'] as const;
export const SETUP_MODES = ['standalone', 'joint', 'affiliated', 'industry', 'station', 'zone'] as const;
export const ORG_STATUSES = ['preparing', 'established', 'dissolved'] as const;

export const orgFilters = {
  under: underQuery,
  body: z.enum(['party', 'league']).optional(),
  kind: z.enum(ORG_KINDS).optional(),
  // 'mobile' (流动党员党支部) is listed here; it is set up with its approval under /new-employment/mobile-branches.
  setupMode: z.enum([...SETUP_MODES, 'mobile']).optional(),
  status: z.enum(ORG_STATUSES).optional(),
  q: z.string().trim().max(40).optional(),
  /** Only 单独建 organizations whose entities no longer operate in their county (注销/吊销/迁出): the county's 待办 lands here. */
  lapsed: z.enum(['true']).optional(),
};

export const orgListItem = z.object({
  id: z.number(),
  body: z.enum(['party', 'league']),
  name: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  setupMode: z.string(),
  setupModeLabel: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  foundedOn: z.string().nullable(),
  countyName: z.string(),
  stationName: z.string().nullable(),
  units: z.number(),
  memberCount: z.number(),
  secretary: z.string().nullable(),
  termEnd: z.string().nullable(),
});

const due = z.enum(['due', 'overdue']).nullable();
const created = z.object({ id: z.number() });

export const listOrgs = endpoint({
  method: 'GET',
  path: '/orgs',
  summary: '党组织（团组织）台账',
  query: z.strictObject({ ...pageQuery, ...orgFilters }),
  response: pageOf(orgListItem),
});

/** The ledger as xlsx (the export is audited). */
export const exportOrgs = { path: '/orgs/export', query: z.strictObject(orgFilters) } as const;

export const termReminders = endpoint({
  method: 'GET',
  path: '/orgs/term-reminders',
  summary: '换届提醒：任期将在设定月数内届满或已届满的组织',
  response: z.object({ items: z.array(z.object({ id: z.number(), name: z.string(), termEnd: z.string(), due })) }),
});

export const createOrg = endpoint({
  method: 'POST',
  path: '/orgs',
  summary: '新建党组织（团组织）',
  body: z.strictObject({
    body: z.enum(['party', 'league']).default('party'),
    name: z.string().trim().min(2, '名称至少 2 个字').max(60),
    kind: z.enum(ORG_KINDS),
    setupMode: z.enum(SETUP_MODES),
    placeCode: z.string().regex(/^\d{6,9}$/, '所属县（区）或基层所代码应为 6 或 9 位数字'),
    affiliatedTo: z.string().trim().max(60).optional(),
    parentId: z.number().int().positive().optional(),
    zoneId: z.number().int().positive().optional(),
    status: z.enum(['preparing', 'established']).default('preparing'),
    foundedOn: date.optional(),
    note: z.string().trim().max(500).optional(),
    entityIds: z.array(z.number().int().positive()).max(200).default([]),
  }),
  status: 201,
  response: created,
});

export const registerFromReports = endpoint({
  method: 'POST',
  path: '/orgs/from-reports',
  summary: '把本辖区年报申报"单独建立"且台账中尚无的党组织登记为已建（待核实）',
  response: z.object({ registered: z.number() }),
});

const row = z.record(z.string(), z.unknown());
export const getOrg = endpoint({
  method: 'GET',
  path: '/orgs/:id',
  summary: '党组织详情：覆盖单位、党员（团员）、班子与任期、规则提示、变更记录',
  params: idParam,
  response: orgListItem.extend({
    affiliatedTo: z.string().nullable(),
    note: z.string().nullable(),
    dissolvedOn: z.string().nullable(),
    countyCode: z.string(),
    stationCode: z.string().nullable(),
    fullMembers: z.object({ registered: z.number(), found: z.number(), count: z.number() }),
    entities: z.array(
      z.object({ id: z.number(), name: z.string(), kind: z.string(), status: z.string(), foundMembers: z.number() }),
    ),
    members: z.array(
      z.object({
        id: z.number(),
        personId: z.number(),
        memberId: z.number().nullable(),
        name: z.string(),
        membership: z.string().nullable(),
        joinDate: z.string().nullable(),
        joinedOn: z.string().nullable(),
      }),
    ),
    officers: z.array(
      z.object({
        id: z.number(),
        personId: z.number(),
        name: z.string(),
        role: z.string(),
        roleLabel: z.string(),
        termStart: z.string(),
        termEnd: z.string(),
        /** Left office before the term's end (the membership ended: 党员已去世, 党员已停止党籍), with the reason; null while in office. */
        leftOn: z.string().nullable(),
        leftReason: z.string().nullable(),
        due,
      }),
    ),
    findings: z.array(z.object({ rule: z.string(), severity: z.enum(['refuse', 'warn']), message: z.string() })),
    history: z.array(
      historyLine.extend({
        object_type: z.string(),
        before: row.nullable(),
        after: row.nullable(),
        subject: z.string().nullable(),
      }),
    ),
  }),
});

export const updateOrg = endpoint({
  method: 'PATCH',
  path: '/orgs/:id',
  summary: '修改党组织；状态：筹建 → 已建（须成立日期）→ 撤销（须撤销日期）',
  params: idParam,
  body: z.strictObject({
    name: z.string().trim().min(2).max(60).optional(),
    kind: z.enum(ORG_KINDS).optional(),
    setupMode: z.enum(SETUP_MODES).optional(),
    affiliatedTo: z.string().trim().max(60).nullable().optional(),
    status: z.enum(ORG_STATUSES).optional(),
    foundedOn: date.nullable().optional(),
    dissolvedOn: date.nullable().optional(),
    note: z.string().trim().max(500).nullable().optional(),
  }),
  response: z.object({ id: z.number(), status: z.enum(ORG_STATUSES) }),
});

export const addOrgEntity = endpoint({
  method: 'POST',
  path: '/orgs/:id/entities',
  summary: '增加覆盖的市场主体',
  params: idParam,
  body: z.strictObject({ entityId: z.number().int().positive() }),
  status: 204,
  response: z.null(),
});

export const addOrgMember = endpoint({
  method: 'POST',
  path: '/orgs/:id/members',
  summary: '登记组织关系（党员：memberId；团员：姓名与身份证号）',
  params: idParam,
  body: z.strictObject({
    memberId: z.number().int().positive().optional(),
    name: z.string().trim().min(2).max(20).optional(),
    idNumber: z.string().trim().optional(),
    joinedOn: date.optional(),
  }),
  status: 201,
  response: created,
});

export const addOrgOfficer = endpoint({
  method: 'POST',
  path: '/orgs/:id/officers',
  summary: '任命班子成员（从本组织登记的党员中选），任期默认按届期计算',
  params: idParam,
  body: z.strictObject({
    personId: z.number().int().positive(),
    role: z.enum(['secretary', 'deputy', 'committee']),
    termStart: date,
    termEnd: date.optional(),
  }),
  status: 201,
  response: created,
});

const removal = <P extends string>(path: P, summary: string) =>
  endpoint({ method: 'DELETE', path, summary, params: idKeyParam, status: 204, response: z.null() });
export const removeOrgEntity = removal('/orgs/:id/entities/:key', '移出覆盖的市场主体');
export const removeOrgMember = removal('/orgs/:id/members/:key', '移出组织关系登记（同时免去其现任职务）');
export const removeOrgOfficer = removal('/orgs/:id/officers/:key', '免去班子职务');

export type OrgRow = ItemOf<typeof listOrgs>;
export type OrgDetail = ResponseOf<typeof getOrg>;

// ── Setup proposals (组建建议, proposals.ts) ──────────────────────────────────────────────
const proposalMode = z.enum(PROPOSAL_MODES as [ProposalMode, ...ProposalMode[]]);
export const proposalItem = z.object({
  id: z.number(),
  mode: proposalMode,
  modeLabel: z.string(),
  orgKind: z.string().nullable(),
  orgKindLabel: z.string().nullable(),
  state: z.enum(['open', 'accepted', 'rejected']),
  countyName: z.string(),
  stationName: z.string().nullable(),
  units: z.number(),
  fullMembers: z.number(),
  members: z.number(),
  explanation: z.string(),
  suggestedName: z.string(),
  reason: z.string().nullable(),
  orgId: z.number().nullable(),
  entities: z.array(z.object({ id: z.number(), name: z.string(), fullMembers: z.number(), members: z.number() })),
});

export const generateOrgProposals = endpoint({
  method: 'POST',
  path: '/org-proposals/generate',
  summary: '按规则为本辖区无组织的市场主体重新生成组建建议（未处理的建议被替换）',
  response: z.object({
    candidates: z.number(),
    proposals: z.number(),
    skippedRejected: z.number(),
    counts: z.partialRecord(proposalMode, z.number()),
    ms: z.number(),
  }),
});

const proposalFilters = {
  under: underQuery,
  mode: proposalMode.optional(),
  state: z.enum(['open', 'accepted', 'rejected']).default('open'),
  zoneId: z.coerce.number().int().positive().optional(),
};

export const listProposals = endpoint({
  method: 'GET',
  path: '/org-proposals',
  summary: '组建建议列表',
  query: z.strictObject({ ...pageQuery, ...proposalFilters }),
  response: pageOf(proposalItem),
});

/** The proposals as xlsx, filtered as the list is (the export is audited). */
export const exportProposals = { path: '/org-proposals/export', query: z.strictObject(proposalFilters) } as const;

export const acceptProposal = endpoint({
  method: 'POST',
  path: '/org-proposals/:id/accept',
  summary:
    '采纳：组建类建议新建"筹建"党组织并覆盖其单位；挂靠类须选定挂靠的党组织；工作覆盖类生成指派指导员和"组织找党员"任务',
  params: idParam,
  body: z.strictObject({
    name: z.string().trim().min(2).max(60).optional(),
    orgId: z.number().int().positive().optional(),
  }),
  response: z.object({ id: z.number(), orgId: z.number().nullable() }),
});

export const moveProposalUnit = endpoint({
  method: 'POST',
  path: '/org-proposals/:id/move',
  summary: '调整：把一家单位移到另一条联合组建建议（两边仍须符合规定）',
  params: idParam,
  body: z.strictObject({ entityId: z.number().int().positive(), toProposalId: z.number().int().positive() }),
  response: z.object({ from: z.number(), to: z.number() }),
});

export const rejectProposal = endpoint({
  method: 'POST',
  path: '/org-proposals/:id/reject',
  summary: '不采纳（须说明理由）',
  params: idParam,
  body: z.strictObject({ reason: z.string().trim().min(2, '请说明不采纳的理由').max(300) }),
  response: z.object({ id: z.number() }),
});

export type ProposalItem = ItemOf<typeof listProposals>;
export type GeneratedProposals = ResponseOf<typeof generateOrgProposals>;
