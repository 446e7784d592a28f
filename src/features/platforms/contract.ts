import { z } from 'zod';
import {
  codesOf,
  date,
  endpoint,
  historyLine,
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
import {
  BUSINESS_LABEL,
  PLATFORM_STATUS_LABEL,
  RIDER_ROLE_LABEL,
  STATION_STATUS_LABEL,
} from '../../domain/platforms/labels.js';
import { CARD_STATE_LABEL, RIDER_ORG_TYPE_LABEL } from '../../domain/platforms/orgs.js';
import { idNumberField, phoneField } from '../../domain/ledger/rows.js';
import { ORG_KIND_LABEL, ORG_STATUS_LABEL, SETUP_MODE_LABEL } from '../../domain/orgs/rules.js';

/**
 * The new-employment sector's contract (pure), shared with the web: platforms and their partner
 * firms, delivery stations and their riders, rider committees and mobile-member branches, mobile
 * cards, and the sector's figures.
 */
const business = codesOf(BUSINESS_LABEL);
const cardState = codesOf(CARD_STATE_LABEL);
const orgStatus = codesOf(ORG_STATUS_LABEL);
const platformStatus = codesOf(PLATFORM_STATUS_LABEL);
const stationStatus = codesOf(STATION_STATUS_LABEL);
const riderOrgType = codesOf(RIDER_ORG_TYPE_LABEL);
const placeCode = z.string().regex(/^\d{6,9}$/, '请选择所在县（区）或基层所');
const created = z.object({ id: z.number() });

/** Which organizations serve a platform or station and which instructors are assigned to it now. */
const unitWork = {
  orgs: z.array(
    z.object({
      linkId: z.number(),
      id: z.number(),
      name: z.string(),
      kind: codesOf(ORG_KIND_LABEL),
      setupMode: codesOf(SETUP_MODE_LABEL),
      status: orgStatus,
    }),
  ),
  instructors: z.array(
    z.object({ assignmentId: z.number(), instructorId: z.number(), name: z.string(), startOn: z.string() }),
  ),
};
const history = z.array(historyLine.extend({ objectType: z.string() }));

// ── Platforms ────────────────────────────────────────────────────────────────────────────
export const platformFilters = {
  under: underQuery,
  business: business.optional(),
  status: platformStatus.optional(),
  q: z.string().trim().max(40).optional(),
};

export const platformItem = z.object({
  id: z.number(),
  name: z.string(),
  business: business,
  businessLabel: z.string(),
  status: platformStatus,
  statusLabel: z.string(),
  registeredBy: z.string(),
  mine: z.boolean(),
  entityId: z.number().nullable(),
  entityName: z.string().nullable(),
  headquarters: z.string().nullable(),
  partners: z.number(),
  stations: z.number(),
  riders: z.number(),
  memberRiders: z.number(),
  anyOrg: z.boolean(),
  work: z.boolean(),
});

export const listPlatforms = endpoint({
  method: 'GET',
  path: '/new-employment/platforms',
  summary: '平台企业台账（外卖、快递、网约车、同城配送等）',
  query: z.strictObject({ ...pageQuery, ...platformFilters }),
  response: pageOf(platformItem),
});

/** Platforms as xlsx (the export is audited). */
export const exportPlatforms = {
  path: '/new-employment/platforms/export',
  summary: '导出平台企业台账（xlsx，导出留痕）',
  query: z.strictObject(platformFilters),
} as const;

export const createPlatform = endpoint({
  method: 'POST',
  path: '/new-employment/platforms',
  summary: '登记平台企业（登记单位默认为本级；下级可读以登记本地合作商和站点）',
  body: z.strictObject({
    name: z.string().trim().min(2, '平台名称至少 2 个字').max(60, '平台名称不超过 60 个字'),
    business: codesOf(BUSINESS_LABEL, '请选择业态'),
    jurisdictionCode: z
      .string()
      .regex(/^\d{6,9}$/, '登记单位代码应为 6 或 9 位数字')
      .optional(),
    entityId: z.number().int().positive().optional(),
    headquarters: z.string().trim().max(60).optional(),
    note: z.string().trim().max(500).optional(),
  }),
  status: 201,
  response: created,
});

// ── Delivery stations ────────────────────────────────────────────────────────────────────
export const stationFilters = {
  under: underQuery,
  platformId: z.coerce.number().int().positive().optional(),
  status: stationStatus.optional(),
  coverage: z.enum(['org', 'work', 'none']).optional(),
  q: z.string().trim().max(40).optional(),
};

export const stationItem = z.object({
  id: z.number(),
  name: z.string(),
  platformId: z.number(),
  platformName: z.string(),
  businessLabel: z.string(),
  partnerId: z.number().nullable(),
  partnerName: z.string().nullable(),
  countyName: z.string(),
  stationName: z.string().nullable(),
  address: z.string().nullable(),
  status: stationStatus,
  statusLabel: z.string(),
  riders: z.number().nullable(),
  ridersAsOf: z.string().nullable(),
  memberRiders: z.number(),
  activists: z.number(),
  anyOrg: z.boolean(),
  work: z.boolean(),
});

export const getPlatform = endpoint({
  method: 'GET',
  path: '/new-employment/platforms/:id',
  summary: '平台企业详情：合作商、配送站点、服务它的党组织、指导员、变更记录',
  params: idParam,
  response: platformItem.extend({
    note: z.string().nullable(),
    partnerList: z.array(
      z.object({
        id: z.number(),
        name: z.string(),
        contactName: z.string().nullable(),
        countyName: z.string(),
        entityName: z.string().nullable(),
        stations: z.number(),
      }),
    ),
    stationList: z.array(stationItem),
    ...unitWork,
    history,
  }),
});

export const updatePlatform = endpoint({
  method: 'PATCH',
  path: '/new-employment/platforms/:id',
  summary: '修改平台企业（登记单位）',
  params: idParam,
  body: z.strictObject({
    name: z.string().trim().min(2).max(60).optional(),
    business: business.optional(),
    status: platformStatus.optional(),
    entityId: z.number().int().positive().nullable().optional(),
    headquarters: z.string().trim().max(60).nullable().optional(),
    note: z.string().trim().max(500).nullable().optional(),
  }),
  response: created,
});

export const addPartner = endpoint({
  method: 'POST',
  path: '/new-employment/platforms/:id/partners',
  summary: '登记平台在本地的合作商（代理商）',
  params: idParam,
  body: z.strictObject({
    name: z.string().trim().min(2, '合作商名称至少 2 个字').max(60),
    placeCode,
    entityId: z.number().int().positive().optional(),
    contactName: z.string().trim().max(20).optional(),
    note: z.string().trim().max(500).optional(),
  }),
  status: 201,
  response: created,
});

export const listStations = endpoint({
  method: 'GET',
  path: '/new-employment/stations',
  summary: '配送站点台账（最新骑手数、党员骑手、覆盖情况）',
  query: z.strictObject({ ...pageQuery, ...stationFilters }),
  response: pageOf(stationItem),
});

/** Stations as xlsx (the export is audited). */
export const exportStations = {
  path: '/new-employment/stations/export',
  summary: '导出配送站点台账（xlsx，导出留痕）',
  query: z.strictObject(stationFilters),
} as const;

export const createStation = endpoint({
  method: 'POST',
  path: '/new-employment/stations',
  summary: '登记配送站点',
  body: z.strictObject({
    platformId: z.number().int().positive('请选择平台企业'),
    partnerId: z.number().int().positive().optional(),
    name: z.string().trim().min(2, '站点名称至少 2 个字').max(60, '站点名称不超过 60 个字'),
    placeCode,
    address: z.string().trim().max(120).optional(),
    entityId: z.number().int().positive().optional(),
    openedOn: date.optional(),
    note: z.string().trim().max(500).optional(),
  }),
  status: 201,
  response: created,
});

export const getStation = endpoint({
  method: 'GET',
  path: '/new-employment/stations/:id',
  summary: '配送站点详情：骑手数变化、党员和积极分子骑手（个人信息脱敏）、党组织、指导员、变更记录',
  params: idParam,
  response: stationItem.extend({
    note: z.string().nullable(),
    entityId: z.number().nullable(),
    openedOn: z.string().nullable(),
    closedOn: z.string().nullable(),
    placeCode: z.string(),
    counts: z.array(z.object({ id: z.number(), asOf: z.string(), riders: z.number() })),
    riderPeople: z.array(
      z.object({
        id: z.number(),
        name: z.string(),
        role: codesOf(RIDER_ROLE_LABEL),
        roleLabel: z.string(),
        memberId: z.number().nullable(),
        since: z.string(),
        leftOn: z.string().nullable(),
        idNumber: z.string().nullable(),
        phone: z.string().nullable(),
      }),
    ),
    ...unitWork,
    coverage: z.object({ anyOrg: z.boolean(), work: z.boolean() }),
    history,
  }),
});

export const updateStation = endpoint({
  method: 'PATCH',
  path: '/new-employment/stations/:id',
  summary: '修改配送站点；关闭须填关闭日期',
  params: idParam,
  body: z.strictObject({
    name: z.string().trim().min(2).max(60).optional(),
    partnerId: z.number().int().positive().nullable().optional(),
    address: z.string().trim().max(120).nullable().optional(),
    entityId: z.number().int().positive().nullable().optional(),
    status: stationStatus.optional(),
    closedOn: date.nullable().optional(),
    note: z.string().trim().max(500).nullable().optional(),
  }),
  response: z.object({ id: z.number(), status: stationStatus }),
});

export const recordRiderCount = endpoint({
  method: 'POST',
  path: '/new-employment/stations/:id/rider-counts',
  summary: '登记站点骑手数（同一日期再登记即更正）',
  params: idParam,
  body: z.strictObject({
    asOf: date,
    riders: z.number().int('骑手数应为整数').min(0, '骑手数不能为负').max(100_000, '骑手数过大，请核对'),
  }),
  status: 201,
  response: created,
});

export const addRider = endpoint({
  method: 'POST',
  path: '/new-employment/stations/:id/riders',
  summary: '登记党员骑手或入党积极分子骑手（党员可选自党员名册；身份证号、手机号加密存储）',
  params: idParam,
  body: z.strictObject({
    role: codesOf(RIDER_ROLE_LABEL, '请选择党员或入党积极分子'),
    memberId: z.number().int().positive().optional(),
    name: z.string().trim().min(2, '请填写姓名').max(20).optional(),
    idNumber: idNumberField.optional(),
    phone: phoneField.optional(),
    since: date.optional(),
  }),
  status: 201,
  response: created,
});

export const riderLeaves = endpoint({
  method: 'POST',
  path: '/new-employment/stations/:id/riders/:key/leave',
  summary: '骑手离开站点（保留记录）',
  params: idKeyParam,
  body: z.strictObject({ leftOn: date.optional() }),
  response: z.object({ id: z.number(), leftOn: z.string() }),
});

export const revealRider = endpoint({
  method: 'POST',
  path: '/new-employment/stations/:id/riders/:key/reveal',
  summary: '查看骑手完整身份证号与手机号（留痕）',
  params: idKeyParam,
  response: z.object({ idNumber: z.string().nullable(), phone: z.string().nullable() }),
});

// ── Rider industry committees and mobile-member branches ──────────────────────────────────
export const riderOrgFilters = {
  under: underQuery,
  type: riderOrgType.optional(),
  status: orgStatus.optional(),
  q: z.string().trim().max(40).optional(),
};

export const riderOrgItem = z.object({
  id: z.number(),
  name: z.string(),
  type: riderOrgType,
  typeLabel: z.string(),
  level: z.string(),
  levelLabel: z.string(),
  placeName: z.string(),
  status: orgStatus,
  statusLabel: z.string(),
  foundedOn: z.string().nullable(),
  approverName: z.string().nullable(),
  approvedOn: z.string().nullable(),
  memberCount: z.number(),
  units: z.number(),
  cardsExpiring: z.number(),
});

export const listRiderOrgs = endpoint({
  method: 'GET',
  path: '/new-employment/orgs',
  summary: '网约配送员行业党委与流动党员党支部',
  query: z.strictObject({ ...pageQuery, ...riderOrgFilters }),
  response: pageOf(riderOrgItem),
});

/** Committees and mobile branches as xlsx (the export is audited). */
export const exportRiderOrgs = {
  path: '/new-employment/orgs/export',
  summary: '导出行业党委与流动党员党支部（xlsx，导出留痕）',
  query: z.strictObject(riderOrgFilters),
} as const;

export const listApprovers = endpoint({
  method: 'GET',
  path: '/new-employment/approvers',
  summary: '可批准流动党员党支部的行业党委（本级、下级及上级的已建县级以上行业党委）',
  response: z.object({
    items: z.array(z.object({ id: z.number(), name: z.string(), level: z.string(), levelLabel: z.string() })),
  }),
});

const founding = {
  status: z.enum(['preparing', 'established']).default('established'),
  foundedOn: date.optional(),
  note: z.string().trim().max(500).optional(),
};

export const createCommittee = endpoint({
  method: 'POST',
  path: '/new-employment/committees',
  summary: '成立网约配送员行业党委（省、市、县三级）',
  body: z.strictObject({
    name: z.string().trim().min(2, '名称至少 2 个字').max(60),
    jurisdictionCode: z
      .string()
      .regex(/^\d{6}$/, '请选择省、市或县（区）')
      .optional(),
    ...founding,
  }),
  status: 201,
  response: created,
});

export const createMobileBranch = endpoint({
  method: 'POST',
  path: '/new-employment/mobile-branches',
  summary: '成立流动党员党支部（须经县级以上党委批准），可同时关联平台和配送站点',
  body: z.strictObject({
    name: z.string().trim().min(2, '名称至少 2 个字').max(60),
    placeCode,
    approvedByOrgId: z.number().int().positive('请选择批准的党委'),
    approvedOn: date,
    platformIds: z.array(z.number().int().positive()).max(50).default([]),
    deliveryStationIds: z.array(z.number().int().positive()).max(200).default([]),
    ...founding,
  }),
  status: 201,
  response: created,
});

export const linkOrgUnit = endpoint({
  method: 'POST',
  path: '/new-employment/orgs/:id/units',
  summary: '党组织联系（覆盖）平台企业或配送站点：计入本行业组织覆盖',
  params: idParam,
  body: z
    .strictObject({
      platformId: z.number().int().positive().optional(),
      deliveryStationId: z.number().int().positive().optional(),
    })
    .refine((b) => !!b.platformId !== !!b.deliveryStationId, {
      message: '请选择一个平台企业或一个配送站点',
      path: ['platformId'],
    }),
  status: 204,
  response: z.null(),
});

export const unlinkOrgUnit = endpoint({
  method: 'DELETE',
  path: '/new-employment/orgs/:id/units/:key',
  summary: '取消党组织与平台企业或配送站点的联系',
  params: idKeyParam,
  status: 204,
  response: z.null(),
});

// ── Mobile-member cards ──────────────────────────────────────────────────────────────────
export const cardFilters = {
  under: underQuery,
  state: cardState.optional(),
  orgId: z.coerce.number().int().positive().optional(),
  q: z.string().trim().max(20).optional(),
};

export const cardItem = z.object({
  id: z.number(),
  memberId: z.number(),
  memberName: z.string(),
  orgId: z.number(),
  orgName: z.string(),
  cardNo: z.string(),
  issuedBy: z.string(),
  issuedOn: z.string(),
  expiresOn: z.string(),
  returnedOn: z.string().nullable(),
  state: cardState,
  stateLabel: z.string(),
});

export const listCards = endpoint({
  method: 'GET',
  path: '/new-employment/cards',
  summary: '流动党员活动证（可筛选即将到期）',
  query: z.strictObject({ ...pageQuery, ...cardFilters }),
  response: pageOf(cardItem),
});

/** Cards as xlsx (the export is audited). */
export const exportCards = {
  path: '/new-employment/cards/export',
  summary: '导出流动党员活动证（xlsx，导出留痕）',
  query: z.strictObject(cardFilters),
} as const;

export const createCard = endpoint({
  method: 'POST',
  path: '/new-employment/cards',
  summary: '登记流动党员活动证（在流动党员党支部参加组织生活）',
  body: z.strictObject({
    memberId: z.number().int().positive('请选择党员'),
    orgId: z.number().int().positive('请选择流动党员党支部'),
    cardNo: z.string().trim().min(1, '请填写活动证编号').max(40),
    issuedBy: z.string().trim().min(2, '请填写发证党组织').max(60),
    issuedOn: date,
    expiresOn: date,
  }),
  status: 201,
  response: created,
});

export const updateCard = endpoint({
  method: 'PATCH',
  path: '/new-employment/cards/:id',
  summary: '活动证续期（新的有效期）或交回',
  params: idParam,
  body: z.strictObject({ expiresOn: date.optional(), returnedOn: date.optional() }),
  response: created,
});

// ── Figures ──────────────────────────────────────────────────────────────────────────────
export const unitCoverage = z.object({
  operating: z.number(),
  anyOrg: z.number(),
  work: z.number(),
  orgCoverage: z.number().nullable(),
  workCoverage: z.number().nullable(),
});
const sectorFigures = z.object({
  platforms: z.number(),
  partners: z.number(),
  stations: z.number(),
  riders: z.number(),
  memberRiders: z.number(),
  activists: z.number(),
  committees: z.number(),
  mobileBranches: z.number(),
  cardsValid: z.number(),
  cardsExpiring: z.number(),
  platformCoverage: unitCoverage,
  stationCoverage: unitCoverage,
});

export const newEmploymentFigures = endpoint({
  method: 'GET',
  path: '/new-employment/figures',
  summary:
    '新业态数字：本级与下级的平台、站点、骑手、党员骑手、行业党委、流动党员党支部、活动证、行业两个覆盖，近 12 个月骑手数',
  query: z.strictObject({ under: underQuery }),
  response: subtreeFigures(sectorFigures).extend({
    node: place,
    byPlatform: z.array(unitCoverage.extend({ id: z.number(), name: z.string() })),
    riderSeries: z.array(z.object({ date: z.string(), riders: z.number() })),
  }),
});

export type PlatformRow = ItemOf<typeof listPlatforms>;
export type PlatformDetail = ResponseOf<typeof getPlatform>;
export type StationRow = ItemOf<typeof listStations>;
export type RiderOrgRow = ItemOf<typeof listRiderOrgs>;
export type CardRow = ItemOf<typeof listCards>;
export type NewEmploymentFigures = ResponseOf<typeof newEmploymentFigures>;
