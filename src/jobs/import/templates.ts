/**
 * Import templates: for each source, the columns in template order with their Chinese header
 * and the other names the same column goes by in exports of provincial systems (a mapping
 * table, since field codes differ between provinces and versions).
 */
import { IMPORT_KIND_LABEL } from '../../domain/import/labels.js';
import { otherListNote } from '../../domain/import/other-lists.js';
import { reportYearOfTitle } from '../../domain/import/footer.js';
import { planColumns, type ColumnPlan, type Mapping } from '../../domain/import/plan.js';
import type { ImportKind } from '../../features/imports/contract.js';

export type { ImportKind };
export type Column = { field: string; header: string; aliases: string[]; required?: boolean; example: string };

const USCC: Column = {
  field: 'uscc',
  header: '统一社会信用代码',
  aliases: ['信用代码', '社会信用代码', '统一代码', 'uniscid', 'uscc'],
  example: '91320102MA1XXXXXXX',
};
const REG_NO: Column = { field: 'regNo', header: '注册号', aliases: ['工商注册号', 'regno'], example: '' };

/** The credit lists as the 国家企业信用信息公示系统 exports them: one shape, the list's name in the reason headers. */
const creditColumns = (list: string, short: string): Column[] => [
  { ...USCC, aliases: [...USCC.aliases, '统一社会信用代码/注册号'] },
  REG_NO,
  {
    field: 'name',
    header: '企业名称',
    aliases: ['名称', '主体名称', '市场主体名称', '当事人名称', 'entname'],
    example: '南京某某餐饮有限公司（仅供核对）',
  },
  {
    field: 'listedReason',
    header: `列入${list}原因`,
    aliases: [`列入${short}原因`, `列入${short}事由`, `列入${short}原因类型`, '列入原因', '列入事由'],
    required: true,
    example:
      short === '经营异常名录'
        ? '未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告的'
        : '被列入经营异常名录届满3年仍未履行相关义务的',
  },
  {
    field: 'listedOn',
    header: '列入日期',
    aliases: ['列入时间', '列入决定日期', `列入${short}日期`, `列入${list}日期`],
    required: true,
    example: '2025-07-10',
  },
  {
    field: 'listedAuthority',
    header: '作出决定机关(列入)',
    aliases: ['作出决定机关（列入）', '列入决定机关', '列入决定机关名称', '列入机关', '作出列入决定机关'],
    example: '南京市玄武区市场监督管理局',
  },
  {
    field: 'removedReason',
    header: `移出${list}原因`,
    aliases: [`移出${short}原因`, `移出${short}事由`, `移出${short}原因类型`, '移出原因', '移出事由'],
    example: '依照《经营异常名录管理办法》第十一条规定，补报了年度报告，申请移出',
  },
  {
    field: 'removedOn',
    header: '移出日期',
    aliases: ['移出时间', '移出决定日期', `移出${short}日期`, `移出${list}日期`],
    example: '2026-03-02（未移出的留空）',
  },
  {
    field: 'removedAuthority',
    header: '作出决定机关(移出)',
    aliases: ['作出决定机关（移出）', '移出决定机关', '移出决定机关名称', '移出机关', '作出移出决定机关'],
    example: '南京市玄武区市场监督管理局',
  },
];

export const TEMPLATES: Record<ImportKind, { label: string; columns: Column[]; oneOf: string[] }> = {
  abnormal_list: {
    label: IMPORT_KIND_LABEL.abnormal_list,
    oneOf: ['uscc', 'regNo'],
    columns: creditColumns('经营异常名录', '经营异常名录'),
  },
  untrustworthy_list: {
    label: IMPORT_KIND_LABEL.untrustworthy_list,
    oneOf: ['uscc', 'regNo'],
    columns: creditColumns('严重违法失信名单(黑名单)', '严重违法失信名单'),
  },
  registry: {
    label: IMPORT_KIND_LABEL.registry,
    oneOf: ['uscc', 'regNo'],
    columns: [
      USCC,
      REG_NO,
      {
        field: 'name',
        header: '名称',
        aliases: ['主体名称', '企业名称', '字号名称', '个体户名称', 'entname'],
        required: true,
        example: '南京某某餐饮有限公司',
      },
      {
        field: 'kind',
        header: '主体类型',
        aliases: ['类型', '市场主体类型', 'enttype'],
        required: true,
        example:
          '登记系统的市场主体类型名称或代码，如 有限责任公司（自然人投资或控股）/ 个人独资企业 / 个体工商户 / 农民专业合作社（或 企业 / 个体工商户 / 农民专业合作社）',
      },
      {
        field: 'form',
        header: '组成形式',
        aliases: ['经营者组成形式', 'compform'],
        example: '个人经营 / 家庭经营（个体工商户；无"主体类型"列时据此视为个体工商户）',
      },
      { field: 'status', header: '登记状态', aliases: ['状态', '经营状态', 'regstate'], example: '存续' },
      {
        field: 'registeredOn',
        header: '成立日期',
        aliases: ['登记日期', '注册日期', 'estdate'],
        example: '2024-03-15',
      },
      {
        field: 'address',
        header: '住所',
        aliases: ['经营场所', '地址', '住所（经营场所）', 'dom'],
        example: '玄武区中山路 1 号',
      },
      {
        field: 'authority',
        header: '登记机关',
        aliases: ['登记机关名称', 'regorg'],
        example: '南京市玄武区市场监督管理局（可代替县区代码）',
      },
      {
        field: 'countyCode',
        header: '所属县区代码',
        aliases: ['县区代码', '管辖区划代码', '行政区划代码'],
        example: '320102（可不填：取导入人所在县区、统一社会信用代码第 3–8 位或登记机关）',
      },
      {
        field: 'stationCode',
        header: '基层所代码',
        aliases: ['所代码', '管辖所代码', '监管所代码'],
        example: '320102001',
      },
      {
        field: 'zoneName',
        header: '所在区域名称',
        aliases: ['所在专业市场', '所在楼宇', '所在园区', '所在商圈', '所在区域'],
        example: '新街口商圈',
      },
      { field: 'zoneKind', header: '区域类型', aliases: ['所在区域类型'], example: '专业市场 / 园区 / 楼宇 / 商圈' },
      {
        field: 'industry',
        header: '行业代码',
        aliases: ['国民经济行业代码', '行业门类', 'industryco'],
        example: '门类字母、门类名称、大类代码或大类名称，如 F / 批发和零售业 / 52 / 零售业',
      },
      { field: 'sizeClass', header: '企业规模', aliases: ['规模'], example: '微型' },
      { field: 'employees', header: '从业人数', aliases: ['从业人员', '从业人员数', 'empnum'], example: '8' },
      {
        field: 'repName',
        header: '法定代表人/经营者',
        aliases: ['法定代表人', '经营者', '负责人', '法定代表人姓名', 'lerep'],
        example: '张三',
      },
      {
        field: 'repIdNumber',
        header: '法定代表人/经营者身份证号',
        aliases: ['法定代表人身份证号', '经营者身份证号', '身份证号', '证件号码', 'cerno'],
        example: '320102199001011234',
      },
      {
        field: 'repPhone',
        header: '法定代表人/经营者手机',
        aliases: ['联系电话', '手机', '法定代表人手机', 'tel'],
        example: '13800000000',
      },
      { field: 'liaisonName', header: '联络员', aliases: ['联络员姓名'], example: '' },
      { field: 'liaisonIdNumber', header: '联络员身份证号', aliases: [], example: '' },
      { field: 'liaisonPhone', header: '联络员手机', aliases: ['联络员电话'], example: '' },
    ],
  },
  annual_report: {
    label: IMPORT_KIND_LABEL.annual_report,
    oneOf: ['uscc', 'regNo'],
    columns: [
      USCC,
      REG_NO,
      {
        field: 'year',
        header: '年报年度',
        aliases: ['年度', '报告年度', 'ancheyear'],
        required: true,
        example: '2025',
      },
      { field: 'filingStatus', header: '报送状态', aliases: ['年报状态'], example: '已报送' },
      { field: 'filedOn', header: '报送日期', aliases: ['年报日期', 'anchedate'], example: '2026-05-20' },
      { field: 'employees', header: '从业人数', aliases: ['从业人员', 'empnum'], example: '8' },
      {
        field: 'hasMembers',
        header: '是否有党员',
        aliases: ['是否有中共党员'],
        example: '是 / 否（有党员的须填写党员人数；为"否"而党员人数空着时记为 0）',
      },
      {
        field: 'partyMembers',
        header: '党员人数（含预备党员）',
        aliases: ['党员人数', '党员（含预备党员）人数', 'numParM', 'numparm'],
        example: '2',
      },
      {
        field: 'partyOrgForm',
        header: '党组织建立形式',
        aliases: ['党组织形式', '党组织建制', 'parIns', 'parins'],
        example: '0 未建立 / 1 党支部 / 2 党总支 / 3 党委',
      },
      {
        field: 'partyOrgWay',
        header: '党组织建立方式',
        aliases: ['建立方式', 'parOrgW', 'parorgw'],
        example: '1 单独组建 / 2 联合组建 / 3 加入社区党组织 / 4 加入个私协会党组织 / 5 加入上级公司党组织',
      },
      {
        field: 'partyOrgSetOn',
        header: '党组织建立时间',
        aliases: ['党组织成立时间', 'parSetTime', 'parsettime'],
        example: '2022-07-01',
      },
      {
        field: 'repIsMember',
        header: '法定代表人/经营者是否党员',
        aliases: ['法定代表人是否党员', '经营者是否党员', 'resParMSign', 'resparmsign'],
        example: '是 / 否（或 1 / 2）',
      },
      {
        field: 'repIsSecretary',
        header: '法定代表人/经营者是否党组织书记',
        aliases: ['法定代表人是否党组织书记', 'resParSecSign', 'resparsecsign'],
        example: '是 / 否',
      },
      {
        field: 'orgSetUp',
        header: '是否成立党组织（个体户）',
        aliases: ['是否成立党组织', 'partOrgIs', 'partorgis'],
        example: '是 / 否',
      },
    ],
  },
  roster: {
    label: IMPORT_KIND_LABEL.roster,
    oneOf: ['name'],
    columns: [
      { field: 'name', header: '姓名', aliases: ['党员姓名'], required: true, example: '张三' },
      {
        field: 'idNumber',
        header: '公民身份号码',
        aliases: ['身份证号', '身份证号码', '证件号码'],
        example: '320102199001011234',
      },
      { field: 'sex', header: '性别', aliases: [], example: '男 / 女' },
      { field: 'birthDate', header: '出生日期', aliases: ['出生年月'], example: '1990-01-01' },
      { field: 'joinDate', header: '入党日期', aliases: ['入党时间'], example: '2015-07-01' },
      {
        field: 'membership',
        header: '人员类别',
        aliases: ['党员类别'],
        required: true,
        example: '正式党员 / 预备党员（无此列时按"转正日期"：有日期为正式党员）',
      },
      { field: 'confirmedOn', header: '转正日期', aliases: ['转正时间'], example: '2016-07-01' },
      {
        field: 'transferredInOn',
        header: '转入日期',
        aliases: ['转入时间'],
        example: '2018-03-01（组织关系转入本党组织的日期，可不填）',
      },
      {
        field: 'transferredOutOn',
        header: '转出日期',
        aliases: ['转出时间'],
        example: '留空；填写的，本单位名册中的该党员记为已转出（可不删去该行）',
      },
      {
        field: 'orgRelation',
        header: '组织关系所在党组织',
        aliases: ['所在党支部', '所在党组织', '党组织名称'],
        example: '玄武区梅园新村街道某社区党支部',
      },
      { field: 'orgRelationCode', header: '党组织代码', aliases: ['所在党组织代码'], example: '' },
      {
        field: 'memberStatus',
        header: '党籍状态',
        aliases: ['党员状态', '状态'],
        example: '正常 / 流动 / 失联 / 出国境 / 停止党籍 / 已转出 / 去世',
      },
      { field: 'lostFlag', header: '是否失联党员', aliases: ['失联党员'], example: '是 / 否' },
      {
        field: 'abroadFlag',
        header: '是否出国（境）党员',
        aliases: ['是否出国境党员', '出国（境）党员'],
        example: '是 / 否',
      },
      { field: 'mobileFlag', header: '是否流动党员', aliases: ['流动党员'], example: '是 / 否' },
      { field: 'phone', header: '联系电话', aliases: ['手机', '手机号码'], example: '13800000000' },
      { field: 'occupation', header: '职业', aliases: ['工作岗位'], example: '个体经营' },
      { field: 'workplace', header: '工作单位', aliases: ['工作单位及职务'], example: '南京某某餐饮有限公司' },
    ],
  },
};

/**
 * Maps a file's header row to fields (the template's names, the source systems' vocabulary and
 * the user's own mapping): the column of each field, every column's fate, the missing required
 * fields and the warnings to acknowledge.
 */
export function mapHeaders(
  kind: ImportKind,
  headers: string[],
  sample: string[][] = [],
  mapping: Mapping = {},
  titles: string[] = [],
): ColumnPlan {
  const t = TEMPLATES[kind];
  const plan = planColumns(kind, t.columns, t.oneOf, headers, sample, mapping);
  // A county's summary of one year's annual reports says the year in its title alone
  // ("2023年度个体工商户年报党建信息汇总表"): that year is each row's (fillFromFile), said in the notes.
  if (kind === 'annual_report' && plan.missing.some((m) => m.field === 'year')) {
    plan.fromTitle = reportYearOfTitle(titles);
    if (plan.fromTitle) plan.missing = plan.missing.filter((m) => m.field !== 'year');
  }
  // A county's 个体工商户名册 or enterprise list with neither 市场主体类型 nor 组成形式: each row's
  // 统一社会信用代码 says the kind by its second character, a 15-digit 注册号 alone by its 7th (a row
  // whose key does not say is refused, saying so). Only for a list of entities with their
  // representative, and never for a file another kind reads whole (an annual report or a credit
  // list also has the code and the name).
  if (
    kind === 'registry' &&
    plan.missing.some((m) => m.field === 'kind') &&
    (plan.index.has('uscc') || plan.index.has('regNo')) &&
    plan.index.has('repName') &&
    !(Object.keys(TEMPLATES) as ImportKind[]).some(
      (other) =>
        other !== 'registry' &&
        !planColumns(other, TEMPLATES[other].columns, TEMPLATES[other].oneOf, headers, sample).missing.length,
    )
  )
    plan.missing = plan.missing.filter((m) => m.field !== 'kind');
  return plan;
}

/** How well a row reads as this kind's header (the number of columns it names): finds the header below title rows. */
export function headerScore(kind: ImportKind, cells: string[]): number {
  return mapHeaders(
    kind,
    cells.map((c) => c.trim()),
  ).index.size;
}

/**
 * The kind a file more likely is, when it was uploaded under one whose required fields its header
 * lacks: another kind that finds every required field there and more fields than this one (an
 * annual report put under 登记信息 names 年报年度 and the party columns). `own` is this kind's plan
 * with the user's mapping: once the user has chosen columns for the missing fields, it fits.
 */
export function likelierKind(
  kind: ImportKind,
  own: ColumnPlan,
  headers: string[],
  sample: string[][] = [],
): ImportKind | null {
  if (!own.missing.length) return null;
  let best: ImportKind | null = null;
  let named = own.index.size;
  for (const other of Object.keys(TEMPLATES) as ImportKind[]) {
    if (other === kind) continue;
    const plan = mapHeaders(other, headers, sample);
    if (!plan.missing.length && plan.index.size > named) [best, named] = [other, plan.index.size];
  }
  return best;
}

/**
 * The list the import does not read that a file seems to be (党组织台账, 指导员名单 …: otherListNote),
 * said only when it misses this kind's columns and no other kind (`likelier`) reads it; else null.
 */
export const otherListOf = (plan: ColumnPlan, likelier: ImportKind | null, headers: string[]): string | null =>
  plan.missing.length && !likelier ? otherListNote(headers) : null;

export const headerOf = (kind: ImportKind, field: string): string =>
  TEMPLATES[kind].columns.find((c) => c.field === field)?.header ?? field;
