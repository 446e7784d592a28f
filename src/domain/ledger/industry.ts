/**
 * GB/T 4754-2017 国民经济行业分类: 20 sections (门类 A–T), each a fixed range of the 97
 * two-digit divisions (大类 01–97). A division code alone determines its section.
 */
export const SECTIONS: { code: string; label: string; from: number; to: number }[] = [
  { code: 'A', label: '农、林、牧、渔业', from: 1, to: 5 },
  { code: 'B', label: '采矿业', from: 6, to: 12 },
  { code: 'C', label: '制造业', from: 13, to: 43 },
  { code: 'D', label: '电力、热力、燃气及水生产和供应业', from: 44, to: 46 },
  { code: 'E', label: '建筑业', from: 47, to: 50 },
  { code: 'F', label: '批发和零售业', from: 51, to: 52 },
  { code: 'G', label: '交通运输、仓储和邮政业', from: 53, to: 60 },
  { code: 'H', label: '住宿和餐饮业', from: 61, to: 62 },
  { code: 'I', label: '信息传输、软件和信息技术服务业', from: 63, to: 65 },
  { code: 'J', label: '金融业', from: 66, to: 69 },
  { code: 'K', label: '房地产业', from: 70, to: 70 },
  { code: 'L', label: '租赁和商务服务业', from: 71, to: 72 },
  { code: 'M', label: '科学研究和技术服务业', from: 73, to: 75 },
  { code: 'N', label: '水利、环境和公共设施管理业', from: 76, to: 79 },
  { code: 'O', label: '居民服务、修理和其他服务业', from: 80, to: 82 },
  { code: 'P', label: '教育', from: 83, to: 83 },
  { code: 'Q', label: '卫生和社会工作', from: 84, to: 85 },
  { code: 'R', label: '文化、体育和娱乐业', from: 86, to: 90 },
  { code: 'S', label: '公共管理、社会保障和社会组织', from: 91, to: 96 },
  { code: 'T', label: '国际组织', from: 97, to: 97 },
];

/** Accepts a division ("52"), a class code ("5211", "F5211") or a section letter; returns section and division. */
export function parseIndustry(input: string): { section: string; division: string | null } | null {
  const v = input.trim().toUpperCase();
  if (/^[A-T]$/.test(v)) return { section: v, division: null };
  const m = /^([A-T])?(\d{2})(\d{0,2})$/.exec(v);
  if (!m) return null;
  const n = Number(m[2]);
  const section = SECTIONS.find((s) => n >= s.from && n <= s.to);
  if (!section || (m[1] && m[1] !== section.code)) return null;
  return { section: section.code, division: m[2] };
}
/** GB/T 4754-2017 大类 (two-digit divisions 01–97) and their names. */
export const DIVISIONS: Record<string, string> = {
  '01': '农业',
  '02': '林业',
  '03': '畜牧业',
  '04': '渔业',
  '05': '农、林、牧、渔专业及辅助性活动',
  '06': '煤炭开采和洗选业',
  '07': '石油和天然气开采业',
  '08': '黑色金属矿采选业',
  '09': '有色金属矿采选业',
  '10': '非金属矿采选业',
  '11': '开采专业及辅助性活动',
  '12': '其他采矿业',
  '13': '农副食品加工业',
  '14': '食品制造业',
  '15': '酒、饮料和精制茶制造业',
  '16': '烟草制品业',
  '17': '纺织业',
  '18': '纺织服装、服饰业',
  '19': '皮革、毛皮、羽毛及其制品和制鞋业',
  '20': '木材加工和木、竹、藤、棕、草制品业',
  '21': '家具制造业',
  '22': '造纸和纸制品业',
  '23': '印刷和记录媒介复制业',
  '24': '文教、工美、体育和娱乐用品制造业',
  '25': '石油、煤炭及其他燃料加工业',
  '26': '化学原料和化学制品制造业',
  '27': '医药制造业',
  '28': '化学纤维制造业',
  '29': '橡胶和塑料制品业',
  '30': '非金属矿物制品业',
  '31': '黑色金属冶炼和压延加工业',
  '32': '有色金属冶炼和压延加工业',
  '33': '金属制品业',
  '34': '通用设备制造业',
  '35': '专用设备制造业',
  '36': '汽车制造业',
  '37': '铁路、船舶、航空航天和其他运输设备制造业',
  '38': '电气机械和器材制造业',
  '39': '计算机、通信和其他电子设备制造业',
  '40': '仪器仪表制造业',
  '41': '其他制造业',
  '42': '废弃资源综合利用业',
  '43': '金属制品、机械和设备修理业',
  '44': '电力、热力生产和供应业',
  '45': '燃气生产和供应业',
  '46': '水的生产和供应业',
  '47': '房屋建筑业',
  '48': '土木工程建筑业',
  '49': '建筑安装业',
  '50': '建筑装饰、装修和其他建筑业',
  '51': '批发业',
  '52': '零售业',
  '53': '铁路运输业',
  '54': '道路运输业',
  '55': '水上运输业',
  '56': '航空运输业',
  '57': '管道运输业',
  '58': '多式联运和运输代理业',
  '59': '装卸搬运和仓储业',
  '60': '邮政业',
  '61': '住宿业',
  '62': '餐饮业',
  '63': '电信、广播电视和卫星传输服务',
  '64': '互联网和相关服务',
  '65': '软件和信息技术服务业',
  '66': '货币金融服务',
  '67': '资本市场服务',
  '68': '保险业',
  '69': '其他金融业',
  '70': '房地产业',
  '71': '租赁业',
  '72': '商务服务业',
  '73': '研究和试验发展',
  '74': '专业技术服务业',
  '75': '科技推广和应用服务业',
  '76': '水利管理业',
  '77': '生态保护和环境治理业',
  '78': '公共设施管理业',
  '79': '土地管理业',
  '80': '居民服务业',
  '81': '机动车、电子产品和日用产品修理业',
  '82': '其他服务业',
  '83': '教育',
  '84': '卫生',
  '85': '社会工作',
  '86': '新闻和出版业',
  '87': '广播、电视、电影和录音制作业',
  '88': '文化艺术业',
  '89': '体育',
  '90': '娱乐业',
  '91': '中国共产党机关',
  '92': '国家机构',
  '93': '人民政协、民主党派',
  '94': '社会保障',
  '95': '群众团体、社会团体和其他成员组织',
  '96': '基层群众自治组织及其他组织',
  '97': '国际组织',
};

const nameKey = (v: string) =>
  v
    .replace(/[\s\u3000]/g, '')
    .replace(/[,，]/g, '、')
    .replace(/[(]/g, '（')
    .replace(/[)]/g, '）');
const SECTION_BY_NAME = new Map(SECTIONS.map((s) => [nameKey(s.label), s.code]));
const DIVISION_BY_NAME = new Map(Object.entries(DIVISIONS).map(([code, name]) => [nameKey(name), code]));
/** A 门类 or 大类 known by its name, else null. */
function byIndustryName(name: string): { section: string; division: string | null } | null {
  const division = DIVISION_BY_NAME.get(nameKey(name));
  if (division) return parseIndustry(division);
  const section = SECTION_BY_NAME.get(nameKey(name));
  return section ? { section, division: null } : null;
}

/**
 * Reads an industry as the registration system exports it: a 门类 letter ("F"), a 门类 name
 * ("批发和零售业"), a 大类 code ("52", also with its letter "F52" or as a 中类/小类 code "5211"), a
 * 大类 name ("零售业"), a code and name together ("F 批发和零售业", "52 零售业", "批发和零售业(F)",
 * "[F]批发和零售业", a 小类 code with its name "F5211 百货零售"), or the path of names "批发和零售业-零售业".
 */
export function parseIndustryText(input: string): { section: string; division: string | null } | null {
  const v = input.trim().replace(/[Ａ-Ｚａ-ｚ０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  const direct = parseIndustry(v);
  if (direct) return direct;
  const k = nameKey(v);
  const byDivision = DIVISION_BY_NAME.get(k);
  if (byDivision) return parseIndustry(byDivision);
  const bySection = SECTION_BY_NAME.get(k);
  if (bySection) return { section: bySection, division: null };
  // A code in brackets before the name, as some systems print it: "[F]批发和零售业", "【52】零售业".
  const code = /^[[【（]([A-Ta-t]?\d{1,4}|[A-Ta-t])[\]】）](.+)$/.exec(k);
  if (code) return parseIndustryText(`${code[1]} ${code[2]}`);
  // Code and name together: the code decides, the name must agree with it.
  const m = /^([A-Ta-t]?\d{0,4}|[A-Ta-t])[\s、:：.\-—]*([^\dA-Za-z（(]+?)[（(]?([A-Ta-t]?\d{0,4})[）)]?$/.exec(k);
  if (m) {
    const code = (m[1] || m[3]).toUpperCase();
    const byCode = code ? parseIndustry(code) : null;
    const byName = byIndustryName(m[2]);
    if (
      byCode &&
      byName &&
      byCode.section === byName.section &&
      (!byName.division || !byCode.division || byName.division === byCode.division)
    )
      return byCode.division ? byCode : byName;
    // A 中类/小类 code with its own name ("F5211 百货零售"): those names are not listed here, so a
    // name that is no 门类 or 大类 name leaves the code to decide.
    if (byCode?.division && !byName) return byCode;
  }
  // The path of names from the 门类 down ("批发和零售业-零售业", "批发和零售业/零售业/百货零售"):
  // the known names must agree; the most specific decides.
  const parts = k.split(/[-－—–/／>＞|｜]+/).filter((x) => x !== '');
  if (parts.length > 1) {
    const known = parts.map(byIndustryName).filter((x) => x !== null);
    const divisions = new Set(known.flatMap((x) => x.division ?? []));
    if (known.length && new Set(known.map((x) => x.section)).size === 1 && divisions.size <= 1)
      return { section: known[0].section, division: [...divisions][0] ?? null };
  }
  return null;
}
