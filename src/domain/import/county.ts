/**
 * Which county an imported entity belongs to, derived instead of demanded. Registry extracts do
 * not carry XGZ's 所属县区代码; the county is known from other facts:
 *  - the uploader's own county (a county clerk imports the county's entities);
 *  - a 所属县区代码 column, when the file has one;
 *  - 登记机关 (a name such as "南京市玄武区市场监督管理局", or a division code), matched to a county
 *    of the uploader's province by name. A name without its city ("鼓楼区市场监督管理局": 南京 and
 *    徐州 both have one) is narrowed to the namesake in the uploader's own city, else province, then
 *    to the one the code's division names; one still ambiguous is refused, never guessed;
 *  - the division in the USCC (characters 3–8) or the 15-digit 注册号 (first 6): the authority that
 *    issued the code. It is a hint, not proof: it does not change when an entity moves (迁移) to
 *    another county, and divisions get renamed or merged. So it never outvotes the facts above, but
 *    it is not silently overruled either: when the only other fact is a county uploader's own county
 *    and the code names another county of the tree, the row is refused, naming that county and how
 *    to confirm (a 登记机关 or 所属县区代码 column). A code naming no county of the tree (a renamed
 *    division, another province) leaves the uploader's county standing. An uploader above county
 *    level has no county of their own: the code's county is taken when it is in their scope.
 * The first three must agree: when two of them name different counties the row is refused, saying
 * which; when none of the four is known the row is refused too.
 */
export type County = { code: string; name: string; parentName: string | null };
export type CountyFacts = {
  uploaderCounty: string | null;
  column: { header: string; value: string } | null;
  authority: { header: string; value: string } | null;
  /** The 统一社会信用代码, or the 注册号 where the row has no USCC. */
  code: { header: string; value: string } | null;
  /**
   * 住所 ("南京市玄武区玄武大道699号"): the last resort, for an entity a city bureau registered
   * itself (登记机关 南京市市场监督管理局, a code issued in the city's division 320100) on an upload
   * above county level; used only when it names one county in scope.
   */
  address?: { header: string; value: string } | null;
};
export type CountyResult =
  | { ok: true; code: string; from: 'uploader' | 'column' | 'authority' | 'code' | 'address' }
  | { ok: false; col: string | null; value: string | null; reason: string };

/** The division a registration code was issued in: a USCC's characters 3–8, a 注册号's first 6. */
export function divisionOfCode(code: string): string | null {
  const v = code.trim().toUpperCase();
  if (v.length === 18) return /^\d{6}$/.test(v.slice(2, 8)) ? v.slice(2, 8) : null;
  return /^\d{15}$/.test(v) ? v.slice(0, 6) : null;
}

/**
 * The county of a 行政区划代码 column's value: a 统计用区划代码 (the 住所's township, 9 digits, or
 * its village or community, 12: 320102001000) is the county's 6 digits and the place within it, as
 * some provinces' registry extracts give the 住所所在行政区划 (round 16: refused as no 6-digit code).
 * Any other value is returned as it is, for the check to refuse.
 */
export function countyOfDivision(v: string): string {
  return /^\d{6}(?:\d{3}|\d{6})$/.test(v) ? v.slice(0, 6) : v;
}

/** A county column's value written as a name (玄武区), not as a code: it holds Chinese characters. */
const writtenAsName = (v: string) => /[\u4e00-\u9fff]/.test(v);

export class CountyResolver {
  private readonly byAuthority = new Map<string, string[]>();
  /**
   * counties: those 登记机关 may name (the uploader's province: naming a county outside the
   * uploader's subtree is a disagreement, not an unknown); inScope: those the uploader may file under.
   */
  constructor(
    private readonly counties: Map<string, County>,
    private readonly inScope: (code: string) => boolean = () => true,
    /** Names of the provinces 登记机关 may name that none of counties is in ("北京市", "浙江省"). */
    private readonly otherProvinces: string[] = [],
    /** The uploader's scope key (a code prefix): whose city a namesake 登记机关 is taken to be in. */
    private readonly uploaderScope = '',
  ) {}

  /** The other province 登记机关 names, when it names one ("北京市朝阳区市场监督管理局"). */
  private provinceNamed(text: string): string | null {
    const t = text.replace(/\s/g, '');
    return (
      this.otherProvinces.find((p) => t.includes(p) || t.startsWith(p.replace(/(省|市|自治区|特别行政区)$/, ''))) ??
      null
    );
  }

  /**
   * The counties 登记机关 may mean: by code, else by the county name it contains. Namesakes are
   * narrowed by the city the text names, else by the uploader's own city, then province; more than
   * one left means the name alone cannot tell.
   */
  authorityCandidates(text: string): string[] {
    const t = text.replace(/\s/g, '');
    let hit = this.byAuthority.get(t);
    if (hit !== undefined) return hit;
    const code = /^\d{6}(\d{3})?$/.test(t) ? t.slice(0, 6) : null;
    hit = code ? (this.counties.has(code) ? [code] : []) : this.namedIn(t, true);
    this.byAuthority.set(t, hit);
    return hit;
  }

  /** The counties a text names (a 登记机关, or with `branches` false a 住所), narrowed as authorityCandidates says. */
  private namedIn(t: string, branches: boolean): string[] {
    let found = [...this.counties.values()].filter((c) => t.includes(c.name));
    // A city bureau's branch, as older registrations name it: 玄武分局, 南京市工商行政管理局玄武分局.
    if (!found.length && branches)
      found = [...this.counties.values()].filter((c) => {
        const stem = branchStem(c.name);
        return !!stem && t.includes(`${stem}分局`);
      });
    // "鼓楼区" inside "南京市鼓楼区…" but also a longer name containing a shorter one: keep the longest.
    if (found.length > 1) {
      const longest = Math.max(...found.map((c) => c.name.length));
      found = found.filter((c) => c.name.length === longest);
    }
    found = narrowed(found, (c) => !!c.parentName && t.includes(c.parentName.replace(/市$/, '')));
    for (const area of [this.uploaderScope.slice(0, 4), this.uploaderScope.slice(0, 2)])
      found = narrowed(found, (c) => c.code.startsWith(area));
    return found.map((c) => c.code);
  }

  /** "320106（南京市鼓楼区）": a county as a clerk tells it from its namesakes. */
  private named(code: string): string {
    const c = this.counties.get(code);
    return `${code}（${c ? `${c.parentName ?? ''}${c.name}` : '未知县区'}）`;
  }

  /**
   * A 所属县区 column's value as a code: a code as countyOfDivision reads it, a county's name
   * ("玄武区", "南京市玄武区", "玄武") as the tree names it. County lists and hand-kept sheets give
   * the name (round 18: refused as no 6-digit code). A namesake is narrowed as 登记机关 is, then by
   * the code's division; one left ambiguous, or a name of no county, is refused saying so.
   */
  private columnCounty(v: string, division: string | null): string | { value: string; reason: string } {
    const t = v.replace(/\s/g, '');
    if (/^\d+$/.test(t) || !writtenAsName(t)) return countyOfDivision(t);
    let found = this.namedIn(t, false);
    if (!found.length) found = [...this.counties.values()].filter((c) => branchStem(c.name) === t).map((c) => c.code);
    if (found.length > 1 && division && found.includes(division)) found = [division];
    if (found.length === 1) return found[0];
    return {
      value: v,
      reason: found.length
        ? `县区"${v}"可能是 ${found.map((c) => this.named(c)).join('或 ')}，无法确定是哪一个：请写明所在市（如 南京市鼓楼区）或填写 6 位县区代码`
        : `县区"${v}"不是您所在省份的县区名称，也不是 6 位行政区划代码`,
    };
  }

  resolve(f: CountyFacts): CountyResult {
    const label = (code: string) =>
      `${code}（${this.counties.get(code)?.name ?? '未知县区'}${this.inScope(code) ? '' : '，不在您的辖区内'}）`;
    const division = f.code ? divisionOfCode(f.code.value) : null;
    const known: {
      from: 'uploader' | 'column' | 'authority';
      code: string;
      says: string;
      col: string | null;
      value: string | null;
    }[] = [];
    if (f.uploaderCounty)
      known.push({
        from: 'uploader',
        code: f.uploaderCounty,
        says: `导入人所在县区为 ${label(f.uploaderCounty)}`,
        col: null,
        value: null,
      });
    if (f.column?.value.trim()) {
      const written = f.column.value.trim();
      const v = this.columnCounty(written, division);
      if (typeof v !== 'string') return { ok: false, col: f.column.header, ...v };
      if (!/^\d{6}$/.test(v))
        return { ok: false, col: f.column.header, value: v, reason: '所属县区代码应为 6 位行政区划代码' };
      const byName = writtenAsName(written);
      if (!this.counties.has(v) || !this.inScope(v))
        return {
          ok: false,
          col: f.column.header,
          value: byName ? written : v,
          reason: byName ? `县区"${written}"为 ${label(v)}` : `县区代码"${v}"不存在或不在您的辖区内`,
        };
      known.push({
        from: 'column',
        code: v,
        says: `"${f.column.header}"为 ${label(v)}`,
        col: f.column.header,
        value: byName ? written : v,
      });
    }
    const authorityText = f.authority?.value.trim() ?? '';
    let candidates = authorityText ? this.authorityCandidates(authorityText) : [];
    if (candidates.length > 1 && division && candidates.includes(division)) candidates = [division];
    if (candidates.length > 1)
      return {
        ok: false,
        col: f.authority!.header,
        value: authorityText,
        reason: `"${f.authority!.header}""${authorityText}"可能是 ${candidates.map((c) => this.named(c)).join('或 ')}，无法确定是哪一个：请在登记机关中写明所在市，或增加"所属县区代码"列`,
      };
    const authority = candidates[0] ?? null;
    const province = authorityText && !authority ? this.provinceNamed(authorityText) : null;
    if (province)
      return {
        ok: false,
        col: f.authority!.header,
        value: authorityText,
        reason: `"${f.authority!.header}""${authorityText}"在${province}，不在您的辖区内`,
      };
    if (authority)
      known.push({
        from: 'authority',
        code: authority,
        says: `"${f.authority!.header}""${authorityText}"在 ${label(authority)}`,
        col: f.authority!.header,
        value: authorityText,
      });
    if (known.length) {
      const other = known.find((k) => k.code !== known[0].code);
      if (other) {
        const blame = known.find((k) => k.col) ?? other;
        return {
          ok: false,
          col: blame.col,
          value: blame.value,
          reason: `所属县区不一致：${known.map((k) => k.says).join('，')}`,
        };
      }
      const k = known[0];
      if (!this.inScope(k.code))
        return { ok: false, col: k.col, value: k.value, reason: `所属县区不在您的辖区内：${k.says}` };
      // The uploader's county alone against a code issued in another county of the tree: the
      // entity may have moved in, or belong there; the clerk decides, with a column that says so.
      if (k.from === 'uploader' && known.length === 1 && division && division !== k.code && this.counties.has(division))
        return {
          ok: false,
          col: f.code!.header,
          value: f.code!.value.trim(),
          reason: `"${f.code!.header}"的登记机关行政区划码为 ${this.named(division)}，不是导入人所在县区 ${label(k.code)}：该主体可能已迁入本县区，也可能属于${this.counties.get(division)!.name}。请增加"登记机关"或"所属县区代码"列写明所属县区后重新导入`,
        };
      return { ok: true, code: k.code, from: k.from };
    }
    if (division && this.counties.has(division) && this.inScope(division))
      return { ok: true, code: division, from: 'code' };
    const named = f.address?.value.trim() ? this.namedIn(f.address.value.replace(/\s/g, ''), false) : [];
    if (named.length === 1 && this.inScope(named[0])) return { ok: true, code: named[0], from: 'address' };
    const tried = [
      f.column ? `"${f.column.header}"为空` : '文件没有"所属县区代码"列',
      authorityText
        ? `"${f.authority!.header}""${authorityText}"不能对应到您辖区内的某个县区`
        : f.authority
          ? `"${f.authority.header}"为空`
          : '文件没有"登记机关"列',
      division
        ? `"${f.code!.header}"的行政区划码 ${division} 不是您辖区内的县区`
        : '没有可用的统一社会信用代码或注册号',
      ...(f.address?.value.trim()
        ? [
            named.length > 1
              ? `"${f.address.header}"中有 ${named.map((c) => this.named(c)).join('、')} 多个县区名`
              : `"${f.address.header}"中没有您辖区内的县区名`,
          ]
        : []),
    ];
    return {
      ok: false,
      col: f.authority?.header ?? f.column?.header ?? null,
      value: authorityText || null,
      reason: `无法确定所属县区：${tried.join('，')}。请增加"所属县区代码"列，或由县区账号导入`,
    };
  }
}

/** A county's name without its 区/县/市/旗 ending, as its bureau's branch is named (玄武区: 玄武分局); '' when one character would be left. */
function branchStem(name: string): string {
  const stem = name.replace(/(自治县|自治旗|区|县|市|旗)$/, '');
  return stem.length >= 2 ? stem : '';
}

/** Those of items that pass, when any does; else all of them (a narrowing that leaves none tells nothing). */
function narrowed<T>(items: T[], keep: (item: T) => boolean): T[] {
  if (items.length < 2) return items;
  const kept = items.filter(keep);
  return kept.length ? kept : items;
}
