/**
 * The indicator registry: every figure the dashboard, the snapshots, the statistical reports and
 * the yearly assessment show is defined here once (key, Chinese label, unit, group), and every
 * rate says which counts it divides. Counts are measured from the ledger by one source each
 * (src/features/indicators/sources); rates are never stored, always derived from the counts
 * here, with the coverage domain's own `coverageRates`.
 */
import { coverageRates, type Rates, type Tally } from '../coverage/coverage.js';
import { ORG_KIND_LABEL, SETUP_MODE_LABEL, type OrgKind, type SetupMode } from '../orgs/rules.js';

export const GROUP_LABEL = {
  units: '工作机构',
  entities: '市场主体',
  members: '党员',
  orgs: '党组织',
  coverage: '两个覆盖',
  instructors: '党建指导员',
  sanliang: '三亮',
  appeals: '诉求与走访',
  points: '联系点·示范点',
  honours: '荣誉',
  training: '书记培训',
  newEmployment: '新业态新就业群体',
  league: '共青团',
  assistance: '帮扶',
} as const;
export type IndicatorGroup = keyof typeof GROUP_LABEL;

export type CountDef = { kind: 'count'; label: string; unit: string; group: IndicatorGroup; note?: string };
export type RateDef = {
  kind: 'rate';
  label: string;
  unit: '%';
  group: IndicatorGroup;
  numerator: CountKey;
  denominator: CountKey;
  note?: string;
};

const count = (group: IndicatorGroup, label: string, unit: string, note?: string): CountDef => ({
  kind: 'count',
  label,
  unit,
  group,
  ...(note ? { note } : {}),
});

const ORG_KINDS = Object.keys(ORG_KIND_LABEL) as OrgKind[];
const SETUP_MODES = Object.keys(SETUP_MODE_LABEL) as SetupMode[];
// Spelt out (not derived from the codes) so the keys are literal types; `satisfies` makes a new kind or mode a compile error here.
const ORG_KIND_KEYS = {
  committee: 'orgsCommittee',
  general_branch: 'orgsGeneralBranch',
  branch: 'orgsBranch',
  joint_branch: 'orgsJointBranch',
} as const satisfies Record<OrgKind, string>;
const SETUP_MODE_KEYS = {
  standalone: 'modeStandalone',
  joint: 'modeJoint',
  affiliated: 'modeAffiliated',
  industry: 'modeIndustry',
  station: 'modeStation',
  zone: 'modeZone',
  mobile: 'modeMobile',
} as const satisfies Record<SetupMode, string>;
/** `orgsBranch`, `orgsJointBranch`…: established party organizations of one kind. */
export const orgKindKey = (k: OrgKind) => ORG_KIND_KEYS[k];
/** `modeStandalone`, `modeZone`…: established party organizations set up one way. */
export const setupModeKey = (m: SetupMode) => SETUP_MODE_KEYS[m];

/** The counts, in display order. The coverage ones are the coverage domain's Tally, under the same names. */
export const COUNTS = {
  operating: count('entities', '存续主体', '户', '登记状态为存续的市场主体；注销、吊销、迁出的不计'),
  kindEnterprise: count('entities', '其中企业', '户'),
  kindIndividual: count('entities', '其中个体工商户', '户'),
  kindCooperative: count('entities', '其中农民专业合作社', '户'),
  newEntities: count('entities', '新设主体', '户', '本月及之前 11 个月内登记、仍存续的主体'),
  membersFound: count(
    'members',
    '已找到的党员',
    '人',
    '组织部门名册中的党员，已在本辖区市场主体的人员中比对找到的（按所在主体计入辖区，名册由哪一级导入都算；已转出、停止党籍、去世的不计）',
  ),
  membersOnRoster: count(
    'members',
    '名册党员',
    '人',
    '本辖区持有的名册中的党员（按名册所在单位计：县局导入的名册计在县局本级，不计入基层所；核实为已转出、停止党籍、去世的不计）',
  ),
  casesOpen: count('members', '待核实线索', '条', '查找党员线索中尚未确认、排除或转接的（待核实、已联系）'),
  orgsEstablished: count('orgs', '已建党组织', '个'),
  orgsPreparing: count('orgs', '筹建中党组织', '个', '筹建中的组织不计入覆盖'),
  ...(Object.fromEntries(
    ORG_KINDS.map((k) => [orgKindKey(k), count('orgs', `其中${ORG_KIND_LABEL[k]}`, '个')]),
  ) as Record<(typeof ORG_KIND_KEYS)[OrgKind], CountDef>),
  ...(Object.fromEntries(
    SETUP_MODES.map((m) => [setupModeKey(m), count('orgs', `${SETUP_MODE_LABEL[m]}`, '个')]),
  ) as Record<(typeof SETUP_MODE_KEYS)[SetupMode], CountDef>),
  withMembers: count('coverage', '有党员的主体', '户', '比对找到党员，或最近一次年报申报有党员的存续主体'),
  ownOrg: count('coverage', '单独建立党组织的主体', '户'),
  anyOrg: count('coverage', '党组织覆盖的主体', '户', '已建党组织（任何建立方式）覆盖的存续主体'),
  work: count('coverage', '工作覆盖的主体', '户', '有党组织覆盖，或有党建联络员、在指派的指导员的存续主体'),
  membersOwnOrg: count('coverage', '有党员且单独建立党组织', '户'),
  membersAnyOrg: count('coverage', '有党员且党组织覆盖', '户'),
  instructorsActive: count('instructors', '在岗指导员', '人'),
  assignmentsInForce: count('instructors', '在指派', '项'),
  entitiesReached: count(
    'instructors',
    '指导员覆盖的主体',
    '户',
    '在指派的指导员直接、经区域或经党组织联系到的存续主体',
  ),
  guidanceThisYear: count('instructors', '本年指导', '次', '本年登记的走访与指导记录'),
  sanliangParticipants: count('sanliang', '三亮党员', '人', '有亮牌中三亮记录的党员'),
  validPlaques: count('sanliang', '有效牌匾', '块'),
  appealsReceived: count(
    'appeals',
    '诉求',
    '件',
    '各入口提出的诉求：骑手诉求直通、走访发现的问题、三亮牌匾反映；按承办单位计',
  ),
  appealsOpen: count('appeals', '在办诉求', '件', '已转办、已签收或办理中的'),
  appealsOverdue: count('appeals', '超时诉求', '件', '在办且已超过本环节时限的'),
  appealsRated: count('appeals', '已评价诉求', '件'),
  appealsSatisfied: count('appeals', '评价满意的诉求', '件', '满意度 4 或 5'),
  visits: count('appeals', '走访', '次', '大走访大调研的走访记录'),
  entitiesVisited: count('appeals', '走访主体', '户'),
  contactPoints: count('points', '联系点', '个', '各级认定、未撤销的联系点（按对象所在辖区计）'),
  demoPoints: count('points', '示范点', '个', '各级认定、未撤销的示范点（按对象所在辖区计）'),
  honoursAwarded: count('honours', '有效荣誉', '项', '已授予、未撤销的荣誉（党员示范岗、明星经营户、诚信企业等）'),
  secretaries: count('training', '在任党组织书记', '人', '未撤销党组织（不含团组织）的书记，当日在任期内'),
  secretariesTrained: count('training', '按期培训的书记', '人', '任职起 12 个月内完成培训班（班次结束不晚于当日）'),
  xgzCommittees: count('units', '小个专党委', '个', '各级市场监管局设立、未撤销的"小个专"党委'),
  guidancePosts: count('units', '党建工作指导站', '个', '基层所设立、未撤销的党建工作指导站'),
  appealsClosed: count('appeals', '已办结诉求', '件', '已办结答复或已结案的诉求'),
  visitProblems: count('appeals', '走访发现问题', '件', '大走访大调研中发现、转办的问题（诉求中走访入口的）'),
  platforms: count('newEmployment', '平台企业', '家', '登记在本辖区、未退出的新业态平台'),
  platformPartners: count('newEmployment', '合作商', '家', '平台在当地的合作商、代理商'),
  deliveryStations: count('newEmployment', '配送站点', '个', '在营的配送站点'),
  riders: count('newEmployment', '骑手', '人', '在营配送站点最近一次登记的骑手人数之和'),
  memberRiders: count('newEmployment', '党员骑手', '人', '在站的党员骑手'),
  riderCommittees: count('newEmployment', '网约配送员行业党委', '个', '已建立的网约配送员行业党委'),
  mobileBranches: count('newEmployment', '流动党员党支部', '个', '已建立的流动党员党支部'),
  mobileCardsValid: count('newEmployment', '有效流动党员活动证', '张', '未交回、未过期的流动党员活动证'),
  platformsAnyOrg: count(
    'newEmployment',
    '党组织覆盖的平台',
    '家',
    '有已建党组织服务，或其市场主体被党组织覆盖的在营平台',
  ),
  stationsAnyOrg: count(
    'newEmployment',
    '党组织覆盖的配送站点',
    '个',
    '有已建党组织服务，或其市场主体被党组织覆盖的在营站点',
  ),
  stationsWork: count(
    'newEmployment',
    '工作覆盖的配送站点',
    '个',
    '有党组织覆盖，或有在指派的指导员，或其市场主体有工作覆盖的在营站点',
  ),
  leagueOrgs: count('league', '团组织', '个', '已建立的团组织'),
  leagueMembers: count('league', '团员', '人', '组织关系在已建团组织的团员（按人去重）'),
  assistancePrograms: count('assistance', '帮扶项目', '个'),
  assistedEntities: count('assistance', '帮扶主体', '户次', '参加帮扶项目的市场主体（每个项目各计一次）'),
  assistedResolved: count('assistance', '其中问题已解决', '户次'),
  assistedImproved: count('assistance', '其中有改善', '户次'),
  assistedUnresolved: count('assistance', '其中未解决', '户次'),
  assistedOngoing: count('assistance', '其中帮扶中', '户次'),
} satisfies Record<string, CountDef>;
export type CountKey = keyof typeof COUNTS;
export const COUNT_KEYS = Object.keys(COUNTS) as CountKey[];

const rate = (
  label: string,
  numerator: CountKey,
  denominator: CountKey,
  note: string,
  group: IndicatorGroup = 'coverage',
): RateDef => ({ kind: 'rate', label, unit: '%', group, numerator, denominator, note });

/**
 * The rates. The coverage ones are named as the coverage domain names them and computed by its
 * `coverageRates` (a test holds them equal to numerator ÷ denominator); a rate of another ledger
 * (e.g. training completion) is its numerator ÷ its denominator.
 */
export const RATES = {
  orgCoverage: rate('组织覆盖率', 'anyOrg', 'operating', '党组织覆盖的存续主体 ÷ 存续主体'),
  standaloneRate: rate('单独组建率', 'ownOrg', 'operating', '单独建立党组织的存续主体 ÷ 存续主体'),
  workCoverage: rate('工作覆盖率', 'work', 'operating', '工作覆盖的存续主体 ÷ 存续主体'),
  orgCoverageWithMembers: rate(
    '有党员主体的组织覆盖率',
    'membersAnyOrg',
    'withMembers',
    '有党员的存续主体中党组织覆盖的比例',
  ),
  standaloneRateWithMembers: rate(
    '有党员主体的单独组建率',
    'membersOwnOrg',
    'withMembers',
    '有党员的存续主体中单独建立党组织的比例',
  ),
  appealSatisfaction: rate(
    '诉求满意率',
    'appealsSatisfied',
    'appealsRated',
    '评价满意（4–5）的诉求 ÷ 已评价的诉求',
    'appeals',
  ),
  // The training domain's share (src/domain/recognition/training.ts: trained ÷ secretaries).
  trainingCompletion: rate(
    '书记培训完成率',
    'secretariesTrained',
    'secretaries',
    '按期培训的书记 ÷ 在任党组织书记',
    'training',
  ),
  platformOrgCoverage: rate(
    '平台党组织覆盖率',
    'platformsAnyOrg',
    'platforms',
    '党组织覆盖的平台 ÷ 在营平台',
    'newEmployment',
  ),
  stationOrgCoverage: rate(
    '配送站点党组织覆盖率',
    'stationsAnyOrg',
    'deliveryStations',
    '党组织覆盖的配送站点 ÷ 在营配送站点',
    'newEmployment',
  ),
  stationWorkCoverage: rate(
    '配送站点工作覆盖率',
    'stationsWork',
    'deliveryStations',
    '工作覆盖的配送站点 ÷ 在营配送站点',
    'newEmployment',
  ),
} satisfies Record<string, RateDef>;
// Every coverage rate is in the registry (a compile error otherwise).
RATES satisfies Record<keyof Rates, RateDef>;
export type RateKey = keyof typeof RATES;
export const RATE_KEYS = Object.keys(RATES) as RateKey[];

export type IndicatorKey = CountKey | RateKey;
export const INDICATORS: Record<IndicatorKey, CountDef | RateDef> = { ...COUNTS, ...RATES };

export type Counts = Record<CountKey, number>;
export type Values = Counts & Record<RateKey, number | null>;

export const emptyCounts = (): Counts => Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as Counts;

/** Counts from whatever the sources measured (a missing key is 0: no row measured it). */
export function toCounts(partial: Partial<Record<string, number | null>>): Counts {
  const out = emptyCounts();
  for (const k of COUNT_KEYS) out[k] = Number(partial[k] ?? 0);
  return out;
}

/** The coverage domain's tally inside the counts. */
export const tallyOf = (c: Counts): Tally => ({
  operating: c.operating,
  withMembers: c.withMembers,
  ownOrg: c.ownOrg,
  anyOrg: c.anyOrg,
  work: c.work,
  membersOwnOrg: c.membersOwnOrg,
  membersAnyOrg: c.membersAnyOrg,
});

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** Every indicator's value: the counts, and the rates derived from them. */
export function valuesOf(c: Counts): Values {
  const coverage: Partial<Record<string, number | null>> = coverageRates(tallyOf(c));
  const rates = Object.fromEntries(
    RATE_KEYS.map((k) => [k, k in coverage ? coverage[k]! : ratio(c[RATES[k].numerator], c[RATES[k].denominator])]),
  );
  return { ...c, ...rates } as Values;
}

/** The funnel the dashboard draws: operating entities → with members → with members and an organization. */
export const FUNNEL: readonly CountKey[] = ['operating', 'withMembers', 'membersAnyOrg'];
