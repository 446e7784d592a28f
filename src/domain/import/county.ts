/**
 * Which county an imported entity belongs to, derived instead of demanded. Registry extracts do
 * not carry XGZ's 所属县区代码; the county is known from other facts:
 *  - the uploader's own county (a county clerk imports the county's entities);
 *  - a 所属县区代码 column, when the file has one;
 *  - 登记机关 (a name such as "南京市玄武区市场监督管理局", or a division code), matched to a county
 *    of the uploader's subtree by name;
 *  - the USCC's characters 3–8: the division of the authority that issued the code. It does not
 *    change when an entity later moves to another county, so it is used only when none of the
 *    above is known, and never outvotes them.
 * The first three must agree: when two of them name different counties the row is refused, saying
 * which; when none of the four is known the row is refused too.
 */
export type County = { code: string; name: string; parentName: string | null };
export type CountyFacts = {
  uploaderCounty: string | null;
  column: { header: string; value: string } | null;
  authority: { header: string; value: string } | null;
  uscc: { header: string; value: string } | null;
};
export type CountyResult =
  | { ok: true; code: string; from: 'uploader' | 'column' | 'authority' | 'uscc' }
  | { ok: false; col: string | null; value: string | null; reason: string };

export class CountyResolver {
  private readonly byAuthority = new Map<string, string | null>();
  /**
   * counties: those 登记机关 may name (the uploader's province: naming a county outside the
   * uploader's subtree is a disagreement, not an unknown); inScope: those the uploader may file under.
   */
  constructor(
    private readonly counties: Map<string, County>,
    private readonly inScope: (code: string) => boolean = () => true,
    /** Names of the provinces 登记机关 may name that none of counties is in ("北京市", "浙江省"). */
    private readonly otherProvinces: string[] = [],
  ) {}

  /** The other province 登记机关 names, when it names one ("北京市朝阳区市场监督管理局"). */
  private provinceNamed(text: string): string | null {
    const t = text.replace(/\s/g, '');
    return (
      this.otherProvinces.find((p) => t.includes(p) || t.startsWith(p.replace(/(省|市|自治区|特别行政区)$/, ''))) ??
      null
    );
  }

  /** The county 登记机关 names: by code, else by the one county name it contains (the city name decides between namesakes). */
  authorityCounty(text: string): string | null {
    const t = text.replace(/\s/g, '');
    let hit = this.byAuthority.get(t);
    if (hit !== undefined) return hit;
    const code = /^\d{6}(\d{3})?$/.test(t) ? t.slice(0, 6) : null;
    if (code) hit = this.counties.has(code) ? code : null;
    else {
      let found = [...this.counties.values()].filter((c) => t.includes(c.name));
      if (found.length > 1) found = found.filter((c) => c.parentName && t.includes(c.parentName.replace(/市$/, '')));
      // "鼓楼区" inside "南京市鼓楼区…" but also a longer name containing a shorter one: keep the longest.
      if (found.length > 1) {
        const longest = Math.max(...found.map((c) => c.name.length));
        found = found.filter((c) => c.name.length === longest);
      }
      hit = found.length === 1 ? found[0].code : null;
    }
    this.byAuthority.set(t, hit);
    return hit;
  }

  resolve(f: CountyFacts): CountyResult {
    const label = (code: string) =>
      `${code}（${this.counties.get(code)?.name ?? '未知县区'}${this.inScope(code) ? '' : '，不在您的辖区内'}）`;
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
      const v = f.column.value.trim();
      if (!/^\d{6}$/.test(v))
        return { ok: false, col: f.column.header, value: v, reason: '所属县区代码应为 6 位行政区划代码' };
      if (!this.counties.has(v) || !this.inScope(v))
        return { ok: false, col: f.column.header, value: v, reason: `县区代码"${v}"不存在或不在您的辖区内` };
      known.push({
        from: 'column',
        code: v,
        says: `"${f.column.header}"为 ${label(v)}`,
        col: f.column.header,
        value: v,
      });
    }
    const authority = f.authority?.value.trim() ? this.authorityCounty(f.authority.value) : null;
    const province = f.authority?.value.trim() && !authority ? this.provinceNamed(f.authority.value) : null;
    if (province)
      return {
        ok: false,
        col: f.authority!.header,
        value: f.authority!.value.trim(),
        reason: `"${f.authority!.header}""${f.authority!.value.trim()}"在${province}，不在您的辖区内`,
      };
    if (authority)
      known.push({
        from: 'authority',
        code: authority,
        says: `"${f.authority!.header}""${f.authority!.value.trim()}"在 ${label(authority)}`,
        col: f.authority!.header,
        value: f.authority!.value.trim(),
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
      return { ok: true, code: k.code, from: k.from };
    }
    const division = f.uscc?.value.trim().length === 18 ? f.uscc.value.trim().slice(2, 8) : null;
    if (division && this.counties.has(division) && this.inScope(division))
      return { ok: true, code: division, from: 'uscc' };
    const tried = [
      f.column ? `"${f.column.header}"为空` : '文件没有"所属县区代码"列',
      f.authority?.value.trim()
        ? `"${f.authority.header}""${f.authority.value.trim()}"不能对应到您辖区内的某个县区`
        : f.authority
          ? `"${f.authority.header}"为空`
          : '文件没有"登记机关"列',
      division ? `统一社会信用代码第 3–8 位 ${division} 不是您辖区内的县区` : '没有可用的统一社会信用代码',
    ];
    return {
      ok: false,
      col: f.authority?.header ?? f.column?.header ?? null,
      value: f.authority?.value.trim() || null,
      reason: `无法确定所属县区：${tried.join('，')}。请增加"所属县区代码"列，或由县区账号导入`,
    };
  }
}
