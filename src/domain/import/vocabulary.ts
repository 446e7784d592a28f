/**
 * The header vocabulary of the files county clerks actually have: what each source system calls
 * the columns XGZ reads. Kept as data (one list per file kind and field), each name with the system
 * that uses it, so a new export format is a line here and a test, not a code change.
 *
 * Sources of the names:
 *  - 市场主体登记 / 国家企业信用信息公示系统 (GSXT) registry exports: Chinese column titles and the
 *    data-exchange field codes (uniscid, regno, entname, traname, enttype, regstate, estdate, dom,
 *    oploc, regorg, industryphy, industryco, lerep, cerno, tel, empnum, compform …);
 *  - 企业/个体工商户/农民专业合作社年度报告 (annual-report system): ancheyear, anchedate, empNum and the
 *    party-building fields numParM, parIns, parOrgW, parSetTime, resParMSign, resParSecSign, partOrgIs;
 *  - 组织部门党员信息管理系统 roster exports: 公民身份号码, 人员类别, 入党日期, 转正日期, 所在党支部, 党籍状态 ….
 * Matching ignores spaces, full/half-width parentheses, colons, asterisks and letter case.
 */
export type FileKind = 'registry' | 'annual_report' | 'roster' | 'abnormal_list' | 'untrustworthy_list';

/** The headers of a 住所's street part, where a list splits the 住所 over 省/市/县（区）/乡镇（街道）/详细地址 columns. */
export const ADDRESS_STREET_PART = ['详细地址', '详细住所', '住所详细地址', '经营场所详细地址'];
/** The headers of a split 住所's province and city columns. */
export const PROVINCE_CITY = ['省', '市', '省份', '所属省份', '所属市', '地市'];

/** field → names the column goes by (beside the template's own header). */
export const VOCABULARY: Record<FileKind, Record<string, string[]>> = {
  registry: {
    uscc: [
      '统一社会信用代码',
      '信用代码',
      '社会信用代码',
      '统一代码',
      '统一社会信用代码/注册号',
      '统一社会信用代码（注册号）',
      '统一信用代码',
      '社会统一信用代码',
      '信用代码/注册号',
      '注册号/统一社会信用代码',
      '统一社会信用代码或注册号',
      'uniscid',
      'uscc',
      'creditcode',
    ],
    regNo: ['注册号', '工商注册号', '原注册号', '营业执照注册号', 'regno'],
    name: [
      '企业名称',
      '名称',
      '主体名称',
      '市场主体名称',
      '字号名称',
      '个体户名称',
      '个体工商户名称',
      '企业名称（字号名称）',
      '企业（机构）名称',
      // A 个体工商户's name is its 字号.
      '字号',
      '商号',
      'entname',
      'traname',
    ],
    kind: [
      '市场主体类型',
      '企业类型',
      '主体类型',
      '类型',
      '企业类型（中文）',
      '企业类型大类',
      '市场主体类型代码',
      '企业类型名称',
      '市场主体类型名称',
      '主体类型名称',
      '类型名称',
      '企业类型代码',
      'enttype',
      'enttypecn',
    ],
    form: ['组成形式', '经营者组成形式', 'compform'],
    status: [
      '登记状态',
      '经营状态',
      '状态',
      '企业状态',
      '登记状态（中文）',
      // Code tables' names beside their codes.
      '登记状态名称',
      '企业状态名称',
      '经营状态名称',
      '企业登记状态',
      'regstate',
      'regstatecn',
    ],
    registeredOn: [
      '成立日期',
      '登记日期',
      '注册日期',
      '成立时间',
      '开业日期',
      '注册登记日期',
      '设立日期',
      '注册时间',
      '登记时间',
      '开业时间',
      'estdate',
    ],
    address: [
      '住所',
      '经营场所',
      '地址',
      '住所（经营场所）',
      '住所/经营场所',
      '注册地址',
      '经营地址',
      // 农民专业合作社 and some provinces' extracts: where it produces and trades.
      '生产经营地',
      '生产经营地址',
      '生产经营场所',
      '经营场所地址',
      '企业地址',
      '实际经营地址',
      '企业住所',
      '住所地址',
      'dom',
      'oploc',
      // The street part of a 住所 split over 省/市/县（区）/乡镇（街道） columns (round 18: an unknown column, every 住所 blank).
      ...ADDRESS_STREET_PART,
    ],
    authority: ['登记机关', '登记机关名称', '发照机关', 'regorg', 'regorgcn'],
    countyCode: [
      '所属县区代码',
      '县区代码',
      '管辖区划代码',
      '行政区划代码',
      '所属行政区划代码',
      // The 住所's division, as registry extracts head it (DOMDISTRICT); its county is read (countyOfDivision).
      '住所所在行政区划代码',
      '住所行政区划代码',
      // County lists and hand-kept sheets, mostly giving the county's name (玄武区), read by the tree (round 18: an unknown column).
      '所属县区',
      '县区',
      '所属区县',
      '区县',
      '所在县区',
      '县（市、区）',
      '所属县（市、区）',
    ],
    stationCode: ['基层所代码', '所代码', '管辖所代码', '监管所代码'],
    industry: [
      '行业代码',
      '国民经济行业代码',
      '行业门类',
      '行业门类代码',
      '所属行业',
      '行业',
      '行业类别',
      '行业代码（中文）',
      '行业门类名称',
      '所属行业门类',
      '行业名称',
      '国民经济行业',
      '国民经济行业名称',
      '国民经济行业分类代码',
      '行业分类代码',
      'industryphy',
      'industryco',
    ],
    employees: ['从业人数', '从业人员', '从业人员数', '从业人员人数', '员工人数', 'empnum'],
    repName: [
      '法定代表人',
      '经营者',
      '经营者姓名',
      '负责人',
      '法定代表人姓名',
      '法定代表人（负责人）',
      '法定代表人/负责人',
      // How county lists and older exports title it.
      '法人代表',
      '法人',
      '法人代表姓名',
      '法人姓名',
      '法定代表人/经营者',
      '法定代表人/负责人/经营者',
      '负责人姓名',
      '经营者（负责人）',
      '投资人姓名',
      '执行事务合伙人',
      '投资人',
      'lerep',
    ],
    repIdNumber: [
      '法定代表人证件号码',
      '法定代表人身份证号',
      '法定代表人身份证号码',
      '经营者身份证号',
      '经营者身份证号码',
      '经营者证件号码',
      '经营者证件号',
      '经营者身份证件号码',
      '法定代表人身份证件号码',
      '负责人证件号码',
      '法人代表身份证号',
      '法人代表身份证号码',
      '法人代表证件号码',
      '法人身份证号',
      '法人身份证号码',
      '负责人身份证号',
      '负责人身份证号码',
      '法定代表人/负责人证件号码',
      '经营者身份证件号',
      '证件号码',
      '身份证号',
      '身份证号码',
      // GB 11643's names, as 个体工商户 lists head the 经营者's number (round 17: the column was not read).
      '公民身份号码',
      '居民身份证号码',
      '经营者公民身份号码',
      '法定代表人公民身份号码',
      'cerno',
    ],
    repPhone: [
      '联系电话',
      '手机',
      '法定代表人手机',
      '法定代表人联系电话',
      '法定代表人移动电话',
      '经营者联系电话',
      '经营者手机',
      '法人代表电话',
      '法人代表手机',
      '法人代表联系电话',
      '移动电话',
      '手机号',
      '联系方式',
      '法定代表人联系方式',
      '经营者联系方式',
      '法定代表人电话',
      '法定代表人手机号',
      '法定代表人手机号码',
      '经营者电话',
      '经营者手机号',
      '经营者手机号码',
      '负责人电话',
      '负责人手机',
      '负责人联系电话',
      '法人电话',
      '法人手机',
      // As county lists head it, and as the roster's phone goes (round 17: the column was not read).
      '手机号码',
      '电话',
      '电话号码',
      '联系手机',
      '联系电话号码',
      'tel',
    ],
    liaisonName: ['联络员', '联络员姓名'],
    liaisonIdNumber: ['联络员身份证号', '联络员证件号码', '联络员身份证号码'],
    liaisonPhone: ['联络员手机', '联络员电话', '联络员移动电话', '联络员联系电话'],
  },
  annual_report: {
    uscc: ['统一社会信用代码', '信用代码', '社会信用代码', '统一社会信用代码/注册号', 'uniscid'],
    regNo: ['注册号', '工商注册号', 'regno'],
    year: ['年报年度', '年度', '报告年度', '年报所属年度', '年报年份', '报送年度', 'ancheyear'],
    filingStatus: ['报送状态', '年报状态', '年报报送状态'],
    filedOn: [
      '报送日期',
      '年报日期',
      '年报报送日期',
      '填报日期',
      '年报填报日期',
      '报送时间',
      '填报时间',
      '年报报送时间',
      'anchedate',
    ],
    employees: ['从业人数', '从业人员', '从业人员数', 'empnum'],
    partyMembers: [
      '党员人数',
      '党员（含预备党员）人数',
      '党员（含预备党员）人数（人）',
      '党员人数（含预备党员）',
      '其中党员人数',
      '中共党员人数',
      '中共党员（包括预备党员）人数',
      '党员（预备党员）人数',
      '从业人员中党员人数',
      '从业人员中党员数',
      '党员数',
      'numParM',
    ],
    // Report lists and supervision platforms ask it before the count (是否有党员 / 党员人数).
    hasMembers: [
      '是否有党员',
      '是否有中共党员',
      '有无党员',
      '有无中共党员',
      '是否有党员（含预备党员）',
      '从业人员中是否有党员',
      '是否有党员从业人员',
    ],
    partyOrgForm: [
      '党组织建立形式',
      '党组织形式',
      '党组织建制',
      '党组织建立情况',
      '党组织设置情况',
      '党组织类型',
      'parIns',
    ],
    partyOrgWay: ['党组织建立方式', '党组织组建方式', '建立方式', 'parOrgW'],
    partyOrgSetOn: ['党组织建立时间', '党组织成立时间', '党组织组建时间', 'parSetTime'],
    repIsMember: [
      '法定代表人是否党员',
      '法定代表人是否为党员',
      '经营者是否党员',
      '经营者是否为党员',
      // As the report forms ask it: 中共党员.
      '法定代表人是否中共党员',
      '法定代表人是否为中共党员',
      '经营者是否中共党员',
      '经营者是否为中共党员',
      '负责人是否党员',
      '负责人是否为党员',
      '负责人是否中共党员',
      '法人是否党员',
      // Answered with the person's 政治面貌 (中共党员, 群众 …): see PARTY_MEMBER_WORDS.
      '法定代表人政治面貌',
      '经营者政治面貌',
      '负责人政治面貌',
      'resParMSign',
    ],
    repIsSecretary: [
      '法定代表人是否党组织书记',
      '法定代表人是否为党组织书记',
      '经营者是否党组织书记',
      '经营者是否为党组织书记',
      '负责人是否党组织书记',
      'resParSecSign',
    ],
    orgSetUp: ['是否成立党组织', '是否建立党组织', 'partOrgIs'],
  },
  roster: {
    name: ['姓名', '党员姓名'],
    idNumber: [
      '公民身份号码',
      '身份证号',
      '身份证号码',
      '证件号码',
      '公民身份证号码',
      '身份证件号码',
      '身份证',
      '证件号',
      '公民身份证号',
      // GB 11643's own name for it.
      '居民身份证号码',
      '居民身份证号',
    ],
    sex: ['性别'],
    birthDate: ['出生日期', '出生年月', '出生年月日'],
    // 全国党员管理信息系统 names them 加入党组织日期 and 转为正式党员日期.
    joinDate: ['入党日期', '入党时间', '加入党组织日期', '加入党组织时间', '入党年月'],
    confirmedOn: ['转正日期', '转正时间', '转为正式党员日期', '转为正式党员时间', '转正年月'],
    membership: ['人员类别', '党员类别', '党员类型', '政治面貌'],
    // Hand-kept rosters name the branch every way: 所在支部, 所属党支部, 支部名称 ….
    orgRelation: [
      '所在党支部',
      '所在党组织',
      '党组织名称',
      '组织关系所在党组织',
      // As county rosters head it (round 11: the column was unknown, every member without a branch).
      '组织关系所在党支部',
      '组织关系所在支部',
      '所在支部',
      '所属党支部',
      '所属支部',
      '所属党组织',
      '党支部',
      '支部名称',
      '党支部名称',
      '所在支部名称',
      '所在党组织名称',
      '所在党支部名称',
    ],
    orgRelationCode: ['党组织代码', '所在党组织代码'],
    // The member system's roster gives when the org relation came in and, for one that has left, went out.
    transferredInOn: [
      '转入日期',
      '转入时间',
      '组织关系转入日期',
      '组织关系转入时间',
      '转入本支部日期',
      '进入支部日期',
      '进入当前支部日期',
    ],
    transferredOutOn: ['转出日期', '转出时间', '组织关系转出日期', '组织关系转出时间', '离开支部日期'],
    memberStatus: ['党籍状态', '党员状态', '状态', '党籍'],
    // 全国党员管理信息系统 exports the flags short, under a two-row 党员状态/其他情况 header: 是否失联, 是否出国（境）.
    lostFlag: ['是否失联党员', '失联党员', '是否失联', '是否为失联党员', '是否失去联系', '是否失去联系党员'],
    abroadFlag: [
      '是否出国（境）党员',
      '是否出国境党员',
      '出国（境）党员',
      '是否出国（境）',
      '是否出国境',
      '是否出国',
      '是否为出国（境）党员',
    ],
    mobileFlag: ['是否流动党员', '流动党员', '是否流动', '是否为流动党员'],
    phone: [
      '联系电话',
      '手机',
      '手机号码',
      '移动电话',
      '手机号',
      '联系方式',
      '联系手机',
      '电话',
      '电话号码',
      '联系电话号码',
    ],
    occupation: ['职业', '工作岗位'],
    workplace: ['工作单位', '工作单位及职务', '现工作单位', '工作单位名称', '现工作单位及职务'],
  },
  // 国家企业信用信息公示系统: 经营异常名录 and 严重违法失信名单 (黑名单) exports.
  abnormal_list: {
    uscc: ['uniscid'],
    regNo: ['regno'],
    // A 个体工商户 is named by its 字号; its list is 经营异常状态 (《个体工商户年度报告暂行办法》): 标记 for
    // 列入, 恢复正常记载状态 for 移出, as the 公示系统 shows a 个体工商户's page.
    name: ['entname', '企业名称（字号名称）', '个体工商户名称', '个体户名称', '字号名称'],
    listedReason: ['specause', '标记经营异常状态原因', '列入经营异常状态原因', '标记原因', '标记事由'],
    listedOn: ['abntime', 'cogdate', '标记日期', '标记经营异常状态日期', '列入经营异常状态日期'],
    listedAuthority: ['decorg', '列入作出决定机关', '标记作出决定机关', '作出标记决定机关', '标记决定机关'],
    removedReason: ['remexcpres', '恢复正常记载状态原因', '移出经营异常状态原因', '恢复原因', '恢复事由'],
    removedOn: ['remdate', '恢复日期', '恢复正常记载状态日期', '移出经营异常状态日期'],
    removedAuthority: ['redecorg', '移出作出决定机关', '恢复作出决定机关', '作出恢复决定机关', '恢复决定机关'],
  },
  untrustworthy_list: {
    uscc: ['uniscid'],
    regNo: ['regno'],
    name: ['entname', '企业名称（字号名称）'],
    listedReason: ['serillrea', '列入严重违法失信企业名单（黑名单）原因', '列入严重违法失信企业名单原因'],
    listedOn: ['abntime'],
    listedAuthority: ['decorg', '列入作出决定机关'],
    removedReason: ['remexcpres', '移出严重违法失信企业名单（黑名单）原因', '移出严重违法失信企业名单原因'],
    removedOn: ['remdate'],
    removedAuthority: ['redecorg', '移出作出决定机关'],
  },
};

/**
 * Where a file has two columns for a field, the one of these names is read, whatever their order:
 * it says more. 行业门类 (INDUSTRYPHY, the section letter) beside 行业代码 (INDUSTRYCO, 6510): the
 * code also gives the 大类.
 */
export const MORE_SPECIFIC: Partial<Record<FileKind, Record<string, string[]>>> = {
  registry: { industry: ['行业代码', '国民经济行业代码', 'industryco'] },
};

/**
 * Fields read by their code, never by the Chinese twin column of an exchange extract: INDUSTRYCO_CN
 * holds the 小类 name (软件开发), which XGZ does not know; the code's 大类 it does.
 */
export const CODE_ONLY: Partial<Record<FileKind, string[]>> = { registry: ['industry'] };

/**
 * Columns the source systems export that XGZ knowingly does not store: shown in the column plan
 * as "不导入（平台不使用）", without a warning.
 */
// 原行号 and 重复标记 are XGZ's own columns in an error report's 待修正数据 (the import reads the mark itself).
export const REPORT_COLUMNS = ['原行号', '重复标记'];
export const KNOWN_UNUSED: Record<FileKind, string[]> = {
  registry: [
    ...REPORT_COLUMNS,
    '注册资本',
    '注册资本（万元）',
    '注册资金',
    '资金数额',
    '币种',
    '实缴资本',
    '经营范围',
    // A 农民专业合作社's capital and scope, as its extract titles them.
    '成员出资总额',
    '成员出资总额（万元）',
    '出资总额',
    '业务范围',
    // The representative's document type beside its number (a passport's or pass's number is read as none).
    '证件类型',
    '法定代表人证件类型',
    '经营者证件类型',
    '负责人证件类型',
    'certype',
    '核准日期',
    '营业期限自',
    '营业期限至',
    '经营期限自',
    '经营期限至',
    '序号',
    '主体身份代码',
    '企业英文名称',
    // The province and city of a 住所 split over columns: the county's name says them (countyCode),
    // and the 住所 is written whole from them (planColumns' addressParts).
    ...PROVINCE_CITY,
    'regcap',
    'regcapcur',
    'opscope',
    'apprdate',
    'opfrom',
    'opto',
    'pripid',
  ],
  annual_report: [
    ...REPORT_COLUMNS,
    '企业名称',
    '名称',
    // An individual business's report names it by its 字号.
    '字号名称',
    '个体户名称',
    '个体工商户名称',
    '序号',
    '资产总额',
    '营业总收入',
    // The organization's name: the ledger registers an organization from the report's form and date.
    '党组织名称',
    '纳税总额',
    'entname',
    'pripid',
  ],
  roster: [
    ...REPORT_COLUMNS,
    '序号',
    '民族',
    '学历',
    '文化程度',
    '籍贯',
    '现居住地',
    '家庭住址',
    '工作岗位类别',
    '党内职务',
  ],
  abnormal_list: [...REPORT_COLUMNS, '序号', '法定代表人', '住所', '登记机关', '公示日期'],
  untrustworthy_list: [...REPORT_COLUMNS, '序号', '法定代表人', '住所', '登记机关', '类别', '公示日期'],
};

/**
 * A header without the notes a template adds to its names: a format or a hint in parentheses
 * ("成立日期（YYYY-MM-DD）", "联系电话(手机)", "名称（字号）"), one written after the name
 * ("成立日期 格式：年-月-日", "联系电话\n必填") and required marks ("※姓名", "姓名★").
 * Read only when the header as written names no column.
 */
export const bareHeader = (h: string): string =>
  h
    .replace(/[（(][^（()）]*[)）]/g, '')
    // Each run of separators (or marks) is tried from its start only (the lookbehind): tried from
    // each of its characters, a cell of 4,000 full-width spaces took 0.3 s, and every data row's
    // cells are read through here (round 18).
    .replace(
      /(?<![\s:：,，;；])[\s:：,，;；]+(格式|例如|示例|必填|选填|非必填|可不填|请|填写|(?:注|说明|如|例)[:：])[\s\S]*$/,
      '',
    )
    .replace(/^[\s*＊※★☆]+|(?<![\s*＊※★☆])[\s*＊※★☆]+$/g, '')
    // A name asked in full (所在党组织全称, 党支部全称, 企业全称) is the column's 名称.
    .replace(/(?<=\S)全称$/, '名称');

/** The forms a header is looked up by: as written, then without its notes (see bareHeader). */
export const headerForms = (h: string): string[] => [normalizeHeader(h), normalizeHeader(bareHeader(h))];

export const normalizeHeader = (h: string): string =>
  h
    .replace(/[\s\u3000（）()：:*＊\ufeff_]/g, '') // REGSTATE_CN is regstatecn
    .replace(/[Ａ-Ｚａ-ｚ０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .toLowerCase();

const AUTHORITY = new Set(['作出决定机关', '决定机关', '作出决定机关名称']);
const REMOVAL = /^(移出|恢复)/;
/**
 * The two 作出决定机关 of a credit list that the 公示系统 names alike (a 个体工商户's 经营异常状态:
 * 标记…原因, 标记日期, 作出决定机关, 恢复…原因, 恢复日期, 作出决定机关): the one before the 移出/恢复
 * columns decided the listing, the one after them the removal. Renamed in place to the names the
 * credit lists read (作出决定机关（列入）, 作出决定机关（移出））; one alone is named by its side of the
 * 移出/恢复 columns. Any other header is left as it is.
 */
export function nameCreditAuthorities(headers: string[]): void {
  const at = headers.flatMap((h, i) => (AUTHORITY.has(normalizeHeader(h)) ? [i] : []));
  const removalAt = headers.findIndex((h) => REMOVAL.test(normalizeHeader(h)));
  const removalBefore = (i: number) => removalAt >= 0 && removalAt < i;
  // One alone (the 严重违法失信名单's 作出决定机关 beside 作出移出决定机关): by its side of the removal columns.
  if (at.length === 1) headers[at[0]] = removalBefore(at[0]) ? '作出决定机关（移出）' : '作出决定机关（列入）';
  if (at.length !== 2 || removalBefore(at[0]) || !removalBefore(at[1])) return;
  headers[at[0]] = '作出决定机关（列入）';
  headers[at[1]] = '作出决定机关（移出）';
}
