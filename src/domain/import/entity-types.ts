/**
 * 市场主体类型: the type names (and their four-digit codes) the market-entity registration system
 * and 国家企业信用信息公示系统 print, from the 市场主体类型代码 list of the former 国家工商行政管理总局
 * (企业类型代码 1000–7xxx; 农民专业合作社 9100–9300; 个体工商户 9500–9600). XGZ keeps the value as
 * written (entity.reg_type) and files the entity under one of its three kinds.
 * Full-width and half-width parentheses, spaces and 、/, are treated alike.
 */
export type EntityKind = 'enterprise' | 'individual' | 'cooperative';

const E = 'enterprise' as const;
/** code → official name (the common ones; other codes are classified by their range). */
export const ENTITY_TYPES: { code: string; name: string; kind: EntityKind }[] = [
  { code: '1000', name: '内资公司', kind: E },
  { code: '1100', name: '有限责任公司', kind: E },
  { code: '1110', name: '有限责任公司（国有独资）', kind: E },
  { code: '1120', name: '有限责任公司（外商投资企业投资）', kind: E },
  { code: '1121', name: '有限责任公司（外商投资企业合资）', kind: E },
  { code: '1122', name: '有限责任公司（外商投资企业与内资合资）', kind: E },
  { code: '1123', name: '有限责任公司（外商投资企业法人独资）', kind: E },
  { code: '1130', name: '有限责任公司（自然人投资或控股）', kind: E },
  { code: '1140', name: '有限责任公司（国有控股）', kind: E },
  { code: '1150', name: '一人有限责任公司', kind: E },
  { code: '1151', name: '有限责任公司（自然人独资）', kind: E },
  { code: '1152', name: '有限责任公司（自然人投资或控股的法人独资）', kind: E },
  { code: '1153', name: '有限责任公司（非自然人投资或控股的法人独资）', kind: E },
  { code: '1190', name: '其他有限责任公司', kind: E },
  { code: '1200', name: '股份有限公司', kind: E },
  { code: '1210', name: '股份有限公司（上市）', kind: E },
  { code: '1212', name: '股份有限公司（上市、自然人投资或控股）', kind: E },
  { code: '1220', name: '股份有限公司（非上市）', kind: E },
  { code: '1222', name: '股份有限公司（非上市、自然人投资或控股）', kind: E },
  { code: '1229', name: '其他股份有限公司（非上市）', kind: E },
  { code: '2000', name: '内资分公司', kind: E },
  { code: '2100', name: '有限责任公司分公司', kind: E },
  { code: '2130', name: '有限责任公司分公司（自然人投资或控股）', kind: E },
  { code: '2151', name: '有限责任公司分公司（自然人独资）', kind: E },
  { code: '2190', name: '其他有限责任公司分公司', kind: E },
  { code: '2200', name: '股份有限公司分公司', kind: E },
  { code: '2220', name: '股份有限公司分公司（非上市）', kind: E },
  { code: '3000', name: '内资企业法人', kind: E },
  { code: '3100', name: '全民所有制', kind: E },
  { code: '3200', name: '集体所有制', kind: E },
  { code: '3300', name: '股份制', kind: E },
  { code: '3400', name: '股份合作制', kind: E },
  { code: '3500', name: '联营', kind: E },
  { code: '4000', name: '内资非法人企业、非公司私营企业及内资非公司企业分支机构', kind: E },
  { code: '4100', name: '事业单位营业', kind: E },
  { code: '4200', name: '社团法人营业', kind: E },
  { code: '4300', name: '内资企业法人分支机构（非法人）', kind: E },
  { code: '4400', name: '经营单位（非法人）', kind: E },
  { code: '4500', name: '非公司私营企业', kind: E },
  { code: '4530', name: '合伙企业', kind: E },
  { code: '4531', name: '普通合伙企业', kind: E },
  { code: '4532', name: '特殊普通合伙企业', kind: E },
  { code: '4533', name: '有限合伙企业', kind: E },
  { code: '4540', name: '个人独资企业', kind: E },
  { code: '4550', name: '合伙企业分支机构', kind: E },
  { code: '4560', name: '个人独资企业分支机构', kind: E },
  { code: '5000', name: '外商投资企业', kind: E },
  { code: '6000', name: '台、港、澳投资企业', kind: E },
  { code: '7000', name: '外国（地区）企业', kind: E },
  { code: '9100', name: '农民专业合作社', kind: 'cooperative' },
  { code: '9200', name: '农民专业合作社分支机构', kind: 'cooperative' },
  { code: '9300', name: '农民专业合作社联合社', kind: 'cooperative' },
  { code: '9500', name: '个体工商户', kind: 'individual' },
  { code: '9600', name: '个体工商户', kind: 'individual' },
];

/** XGZ's own words (template and older files). */
const OWN_WORDS: Record<string, EntityKind> = {
  企业: E,
  小微企业: E,
  公司: E,
  enterprise: E,
  个体工商户: 'individual',
  个体户: 'individual',
  个体: 'individual',
  // A 个体工商户's 组成形式, which registry lists give in the 类型 column in its place (round 16).
  个人经营: 'individual',
  家庭经营: 'individual',
  individual: 'individual',
  农民专业合作社: 'cooperative',
  合作社: 'cooperative',
  cooperative: 'cooperative',
};

const key = (v: string) =>
  v
    .replace(/[\s\u3000]/g, '')
    .replace(/[(]/g, '（')
    .replace(/[)]/g, '）')
    .replace(/[,，]/g, '、');
const BY_NAME = new Map(ENTITY_TYPES.map((t) => [key(t.name), t]));
const BY_CODE = new Map(ENTITY_TYPES.map((t) => [t.code, t]));

export type EntityTypeResult = { ok: true; kind: EntityKind; typeName: string } | { ok: false; reason: string };

/**
 * Reads a 市场主体类型 as the registration system writes it (name or code, either parenthesis
 * width) or XGZ's own words. typeName is the official name when known, else the value as written.
 */
export function parseEntityType(input: string): EntityTypeResult {
  const v = input.trim();
  if (!v) return { ok: false, reason: '市场主体类型不能为空' };
  // Not "constructor" from the prototype. A note in brackets after the word: 个体户（个人经营）, 个体(家庭经营).
  const own = [v, v.toLowerCase(), key(v).replace(/（[^（）]*）$/, '')].find((w) => Object.hasOwn(OWN_WORDS, w));
  if (own) return { ok: true, kind: OWN_WORDS[own], typeName: v };
  const k = key(v);
  const named = BY_NAME.get(k);
  if (named) return { ok: true, kind: named.kind, typeName: named.name };
  if (/^\d{4}$/.test(v)) {
    const coded = BY_CODE.get(v);
    if (coded) return { ok: true, kind: coded.kind, typeName: coded.name };
    const head = Number(v[0]);
    if (head >= 1 && head <= 7) return { ok: true, kind: E, typeName: v };
    if (/^9[123]/.test(v)) return { ok: true, kind: 'cooperative', typeName: v };
    if (/^9[56]/.test(v)) return { ok: true, kind: 'individual', typeName: v };
    return { ok: false, reason: `市场主体类型代码"${v}"不在市场主体类型代码表中` };
  }
  // Names outside the list (provincial variants, e.g. "有限责任公司（港澳台法人独资）"): by their words.
  // The 私营企业 types of registrations before 2006 (私营有限责任公司(自然人控股或私营性质企业控股),
  // 私营股份有限公司), which old entities' records still carry, are enterprises like their successors.
  // 外国（地区）企业在中国境内从事生产经营活动 (the 7xxx types of a foreign firm's own business here) too.
  if (/^个体工商户/.test(k)) return { ok: true, kind: 'individual', typeName: v };
  if (/^农民专业合作社/.test(k)) return { ok: true, kind: 'cooperative', typeName: v };
  if (
    /^(其他|私营)?(有限责任公司|股份有限公司)|分公司$|(合伙|独资|联营|外商投资|台港澳投资|港澳台投资)企业|分支机构|常驻代表机构|^(全民|集体)所有制|^股份合作|企业法人|^(外资|外商|中外|台港澳|港澳台|外国（地区）)/.test(
      k,
    )
  )
    return { ok: true, kind: E, typeName: v };
  return {
    ok: false,
    reason: `市场主体类型"${v}"无法识别（应为登记系统的类型名称或代码，如"有限责任公司（自然人投资或控股）"、"个人独资企业"、"个体工商户"、"农民专业合作社"）`,
  };
}
