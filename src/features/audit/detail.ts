import { CASE_KIND_LABEL, STATE_LABEL as DISCOVERY_STATE_LABEL } from '../../domain/cases/workflow.js';
import { STATE_LABEL as APPEAL_STATE_LABEL } from '../../domain/cases/engine.js';
import { maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import { localDateTime } from '../../domain/time/zone.js';
import { ROLES } from '../../domain/auth/roles.js';

/**
 * An audit record's detail in words, for the auditor's list and the export: each key by its
 * Chinese name, each value formatted (是/否, local times, lists joined, codes named where the
 * action says what they are), nested records as "修改前 · 名称". The auditor saw raw JSON keys
 * before (round 7). Personal data is never written into a detail; should a value still look like
 * an ID number or a mobile number, it is masked here all the same.
 */
export type DetailLine = { label: string; value: string };

/** Chinese names of the keys the code writes into details (test/structure/audit-labels.test.ts checks the literal ones). */
export const DETAIL_LABELS: Record<string, string> = {
  absentMembers: '名册中已不存在的党员',
  accepted: '接受行数',
  accounts: '账号',
  acknowledgement: '确认说明',
  activities: '活动',
  activityId: '活动编号',
  added: '增加',
  address: '地址',
  addressLocks: '解除的地址暂停',
  after: '修改后',
  approvedBy: '批准单位',
  approvedOn: '批准日期',
  asOf: '截至',
  assigned: '已分配',
  assignmentId: '指派编号',
  assignments: '指派',
  attended: '出勤',
  automatic: '系统自动',
  batch: '批次',
  before: '修改前',
  body: '组织类别',
  broughtForward: '随之提前',
  toldBelow: '已告知转派的下级',
  business: '业务类型',
  businessLine: '业务条线',
  bytes: '字节数',
  candidates: '候选人数',
  casesMs: '生成线索用时（毫秒）',
  category: '类别',
  cause: '原因类别',
  certificate: '证书',
  change: '变化',
  changed: '变更行数',
  changes: '修改内容',
  classes: '培训班',
  closed: '已关闭',
  closedOn: '关闭日期',
  code: '代码',
  completed: '已结业',
  condition: '核实条件',
  consolidated: '汇总',
  contact: '联系情况',
  count: '条数',
  counties: '县区',
  criteria: '标准',
  deliveryStationId: '配送站点编号',
  demo: '演示数据',
  demoInstructorEntities: '演示指导员包联主体数',
  deploymentId: '通知/任务编号',
  disabled: '停用',
  displayName: '姓名',
  dueAt: '截止时间',
  effectId: '影响编号',
  employees: '从业人数',
  endOn: '结束日期',
  endedAssignments: '结束的指派',
  endsOn: '结束日期',
  entities: '市场主体',
  entityFound: '找到所在主体',
  entityId: '市场主体编号',
  entityIds: '市场主体编号',
  error: '错误',
  exact: '精确关联',
  exactLinksMs: '精确关联写入用时（毫秒）',
  exactMs: '精确比对用时（毫秒）',
  expiresAt: '到期时间',
  expiresOn: '有效期至',
  explanation: '差异说明',
  failedChecks: '未通过的核对',
  fields: '修改的项目',
  fileName: '文件名',
  files: '文件数',
  filters: '筛选条件',
  fingerprint: '证书指纹',
  flagReason: '标记原因',
  flaggedHonours: '标记复核的荣誉',
  followUpDone: '后续事项已办结',
  fullRoster: '完整名册',
  form: '表式',
  format: '格式',
  foundedOn: '成立日期',
  from: '原状态',
  graceHours: '保留时限（小时）',
  heldOn: '举办日期',
  honours: '荣誉',
  idNumber: '身份证号',
  ignoredAcknowledged: '已确认忽略的列',
  ignoredColumns: '忽略的列',
  instructorId: '指导员编号',
  instructors: '指导员',
  ipAllowlist: '允许的地址',
  jurisdiction: '辖区',
  jurisdictionCode: '辖区代码',
  keyword: '关键词',
  kind: '类型',
  label: '说明',
  late: '逾期',
  leaderName: '负责人',
  lease: '租约',
  leftOn: '离开日期',
  level: '级别',
  limit: '上限',
  line: '业务条线',
  linkId: '关联编号',
  links: '关联',
  linksMs: '关联写入用时（毫秒）',
  listingId: '名单记录编号',
  liveReason: '按实时数填报的原因',
  loadMs: '读取用时（毫秒）',
  locked: '已锁定',
  lockedHere: '本次锁定',
  unchecked: '未核对（同时到达的尝试已达上限）',
  mediaType: '文件类型',
  memberId: '党员编号',
  memberStatus: '党员状态',
  members: '党员',
  membersLeft: '记为已转出的党员',
  method: '方式',
  minutes: '分钟',
  missing: '缺报',
  mode: '方式',
  name: '名称',
  newHint: '新密钥提示',
  next: '下一页游标',
  node: '辖区',
  nodes: '辖区数',
  notAssigned: '记录在本辖区内但未指派给本账号',
  note: '备注',
  number: '编号',
  numbers: '号码',
  occurredOn: '发生日期',
  officerId: '班子成员编号',
  officerIds: '班子成员编号',
  oldHint: '原密钥提示',
  oneTimePassword: '一次性密码',
  orgId: '党组织编号',
  orgsMoved: '随主体迁移的党组织编号',
  outcome: '结果',
  outdated: '待更新',
  ownOutdated: '本级报表标为待更新',
  ownerId: '所属记录编号',
  ownerType: '所属记录类型',
  parentOutdated: '上级报表待更新',
  parentTargetId: '上级任务对象编号',
  participants: '参加人数',
  partnerId: '合作企业编号',
  path: '请求路径',
  people: '导出中完整号码的人数',
  period: '报告期',
  permissions: '权限',
  personId: '人员编号',
  phone: '联系电话',
  place: '所在辖区',
  platformId: '平台编号',
  platforms: '平台',
  points: '联系点/示范点',
  probes: '本时段内按编号访问辖区外记录的次数',
  problems: '发现的问题',
  profile: '导入来源配置',
  query: '查询条件',
  raised: '新增线索',
  ratePerMinute: '每分钟调用上限',
  reached: '覆盖主体',
  read: '读取行数',
  reason: '原因',
  rebind: '重新绑定',
  recordId: '记录编号',
  refused: '本日被拒的报到数（含本次）',
  registered: '已登记',
  rejected: '拒绝行数',
  removed: '移除',
  reopened: '重新打开',
  replaced: '被替换的牌号',
  rerunOf: '重新导入自任务',
  resolved: '已解决',
  responsibleName: '负责人',
  returnedOn: '交回日期',
  revealed: '查看的项目',
  reviewId: '复核编号',
  reviews: '复核',
  riderId: '骑手编号',
  riders: '骑手',
  role: '角色',
  roleId: '任职编号',
  roles: '角色',
  route: '接口',
  rowId: '行编号',
  rows: '行数',
  rowsAsWritten: '写入行数',
  ruleId: '规则编号',
  satisfaction: '满意度',
  scope: '范围',
  scoreMs: '打分用时（毫秒）',
  servedAreas: '服务区域',
  sessionCreatedAt: '会话开始时间',
  sessionIp: '会话地址',
  sessionsEnded: '结束的会话',
  setupMode: '建立方式',
  shape: '账号格式',
  sheets: '一并导入的工作表',
  signedInAs: '新登录的账号编号',
  source: '来源',
  sourceKey: '来源记录',
  staffCount: '人员数',
  stage: '登录阶段',
  startOn: '开始日期',
  startsOn: '开始日期',
  stationCode: '基层所代码',
  stations: '站点',
  status: '状态',
  step: '环节',
  subject: '证书主题',
  subjectId: '对象编号',
  subjectType: '对象类型',
  target: '指派对象',
  targetId: '对象编号',
  targets: '下发对象',
  tasksDone: '办结的任务',
  termEnd: '任期届满',
  termStart: '任期开始',
  theme: '主题',
  title: '标题',
  to: '新状态',
  toProposalId: '并入的建议编号',
  traineeId: '学员编号',
  trainees: '学员',
  transfer: '组织关系转接',
  unit: '承办单位',
  units: '单位',
  username: '账号',
  version: '版本',
  via: '途径',
  violationId: '违法记录编号',
  year: '年度',
  zoneId: '区域编号',
  // The filters of an export, as its list's address carries them.
  q: '搜索',
  under: '辖区',
  coverage: '覆盖情况',
  isNew: '新设主体',
  linked: '在市场主体中找到',
  held: '本辖区持有的名册',
  confidence: '可信度',
  state: '状态',
  box: '收发',
  actor: '操作人',
  action: '操作',
  objectType: '对象类型',
  objectId: '对象编号',
};

/** Codes named by what the action is about: the keys' values in that family of actions ('' for every action). */
const VALUE_LABELS: Record<string, Record<string, Record<string, string>>> = {
  '': { roles: ROLES },
  case: { from: DISCOVERY_STATE_LABEL, to: DISCOVERY_STATE_LABEL, kind: CASE_KIND_LABEL },
  appeal: { from: APPEAL_STATE_LABEL, to: APPEAL_STATE_LABEL },
  auth: {
    reason: {
      password: '密码错误',
      unknown_user: '账号不存在',
      disabled: '账号已停用',
      locked: '账号已锁定',
      totp: '动态口令错误',
      max_sessions: '会话数已达上限',
    },
    stage: { password: '密码', totp: '动态口令', change_password: '修改密码', done: '已登录' },
    shape: { not_account_name: '不是账号格式' },
  },
};

const ID_NUMBER = /^\d{17}[\dXx]$/;
const MOBILE = /^1[3-9]\d{9}$/;
const MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A key's Chinese name (the key itself for one the code has not named yet). */
export const detailLabel = (key: string): string => DETAIL_LABELS[key] ?? key;

function scalar(v: unknown, codes?: Record<string, string>): string {
  if (v === null || v === undefined || v === '') return '空';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number') return v.toLocaleString('zh-CN');
  if (typeof v !== 'string') return inline(v);
  if (codes?.[v]) return codes[v];
  if (ID_NUMBER.test(v)) return maskIdNumber(v);
  if (MOBILE.test(v)) return maskPhone(v);
  if (MOMENT.test(v) && !Number.isNaN(Date.parse(v))) return localDateTime(v, true);
  return v;
}

/** A record inside a list, on one line: 名称：某某，状态：已建. */
function inline(v: unknown, codes?: Record<string, string>): string {
  if (Array.isArray(v)) return v.length ? v.map((x) => scalar(x, codes)).join('、') : '无';
  if (v && typeof v === 'object')
    return Object.entries(v)
      .map(([k, x]) => `${detailLabel(k)}：${scalar(x)}`)
      .join('，');
  return scalar(v);
}

/** The detail of a record of `action` as lines of words; none for no detail. */
export function describeDetail(action: string, detail: unknown): DetailLine[] {
  if (detail === null || detail === undefined) return [];
  if (typeof detail !== 'object' || Array.isArray(detail)) return [{ label: '详情', value: inline(detail) }];
  const codes = { ...VALUE_LABELS[''], ...VALUE_LABELS[action.split('.')[0]] };
  const lines: DetailLine[] = [];
  const walk = (o: object, prefix: string) => {
    for (const [k, v] of Object.entries(o) as [string, unknown][]) {
      const label = prefix ? `${prefix} · ${detailLabel(k)}` : detailLabel(k);
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) walk(v, label);
      else lines.push({ label, value: Array.isArray(v) ? inline(v, codes[k]) : scalar(v, codes[k]) });
    }
  };
  walk(detail, '');
  return lines;
}

/** The lines as one cell of text (the export's 详情 column). */
export const detailText = (action: string, detail: unknown): string =>
  describeDetail(action, detail)
    .map((l) => `${l.label}：${l.value}`)
    .join('\n');
