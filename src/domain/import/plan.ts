import { parseIdNumber, MOBILE } from '../identifiers/id-number.js';
import { parseUscc } from '../identifiers/uscc.js';
import {
  ADDRESS_STREET_PART,
  CODE_ONLY,
  PROVINCE_CITY,
  KNOWN_UNUSED,
  MORE_SPECIFIC,
  REPORT_COLUMNS,
  VOCABULARY,
  bareHeader,
  headerForms,
  normalizeHeader,
  type FileKind,
} from './vocabulary.js';
import { STATION_HEADERS, STREET_HEADERS } from '../ledger/station.js';
import { isMasked, looksLikeDate, normaliseCode, SCIENTIFIC } from './normalise.js';
import { maskedValueFate } from '../ledger/rows.js';

/**
 * The column plan: after the header is read, which column feeds which field, which columns are
 * not imported, and which of those look like they carry data the user may not want to lose
 * (ID numbers, phones, codes, dates) — those are warnings the user must acknowledge before the
 * import starts. Nothing in a file is dropped without being named here.
 */
export type FieldSpec = { field: string; header: string; aliases: string[]; required?: boolean };
export type PlannedColumn = {
  index: number;
  header: string;
  field: string | null;
  fieldLabel: string | null;
  note: string;
  warning: string | null;
};
export type ColumnPlan = {
  columns: PlannedColumn[];
  index: Map<string, number>;
  missing: { field: string; label: string }[];
  warnings: { header: string; reason: string }[];
  /** The columns whose cells the import does not read (neither a field's, nor a place's, nor the error report's own). */
  ignored: Set<number>;
  /** A required 年报年度 the file has no column for, read from its title (reportYearOfTitle). */
  fromTitle?: { year: string; title: string } | null;
  /**
   * A field's further columns, read where its own column's cell is blank (see cellsOfFields): a
   * mixed extract of enterprises and 个体工商户 heads the representative 法定代表人 on one side and
   * 经营者 on the other, the address 住所 and 经营场所, each row filling one of them.
   */
  alternates: Map<string, number[]>;
  /**
   * Where the 住所 column holds the street part only (详细地址 beside 省, 市, 县（区）, 乡镇（街道）
   * columns): those columns, in the file's order, whose values the 住所 is written whole from (see
   * cellsOfFields). Round 18 stored 中山路1号 alone.
   */
  addressParts?: number[];
};
/** A user's choice: field → the header of the column that feeds it ('' = use no column). */
export type Mapping = Record<string, string>;

const STREET_PART = new Set(ADDRESS_STREET_PART.map(normalizeHeader));
const REGION_PARTS = new Set([...PROVINCE_CITY, ...STREET_HEADERS].map(normalizeHeader));

/** A registry's columns the 住所 is written whole from when its own column holds the street part only (ColumnPlan.addressParts). */
function addressPartsOf(kind: FileKind, headers: string[], index: Map<string, number>): number[] {
  const at = index.get('address');
  if (kind !== 'registry' || at === undefined || !headerForms(headers[at]).some((f) => STREET_PART.has(f))) return [];
  return headers.flatMap((h, i) =>
    i !== at && (i === index.get('countyCode') || headerForms(h).some((f) => REGION_PARTS.has(f))) ? [i] : [],
  );
}

/** Registry columns read only to place an entity at its station (see domain/ledger/station.ts). */
const PLACE_HEADERS = new Set([...STATION_HEADERS, ...STREET_HEADERS].map(normalizeHeader));

const REPORT_HEADERS = new Set(REPORT_COLUMNS.map(normalizeHeader));
/** Columns read beside the fields: a registry's place columns, an error report's 原行号 and 重复标记. */
const readBeside = (kind: FileKind, header: string): 'place' | 'report' | null =>
  kind === 'registry' && headerForms(header).some((f) => PLACE_HEADERS.has(f))
    ? 'place'
    : REPORT_HEADERS.has(normalizeHeader(header))
      ? 'report'
      : null;

/** Fields that may stand in for a required one: a registry file without 市场主体类型 but with 组成形式 is one of 个体工商户. */
const STAND_IN: Record<string, string> = { kind: 'form', membership: 'confirmedOn' };

export function planColumns(
  kind: FileKind,
  specs: FieldSpec[],
  oneOf: string[],
  headers: string[],
  sample: string[][] = [],
  mapping: Mapping = {},
): ColumnPlan {
  const byName = new Map<string, string>();
  for (const s of specs)
    for (const name of [s.header, ...s.aliases, ...(VOCABULARY[kind][s.field] ?? [])])
      if (!byName.has(normalizeHeader(name))) byName.set(normalizeHeader(name), s.field);
  const unused = new Set(KNOWN_UNUSED[kind].map(normalizeHeader));
  const labelOf = new Map(specs.map((s) => [s.field, s.header]));
  const index = new Map<string, number>();
  const taken = new Set<number>();
  // The user's choices first …
  for (const [field, header] of Object.entries(mapping)) {
    if (!labelOf.has(field) || !header) continue;
    const i = headers.findIndex((h) => h === header);
    if (i >= 0 && !taken.has(i)) {
      index.set(field, i);
      taken.add(i);
    }
  }
  // … then the vocabulary, for fields the user did not set (a field set to '' stays unset): the
  // headers as written, then the others without their notes (成立日期（YYYY-MM-DD）).
  for (const pass of [0, 1])
    headers.forEach((h, i) => {
      if (taken.has(i)) return;
      const field = byName.get(headerForms(h)[pass]);
      if (field && !index.has(field) && !(field in mapping)) {
        index.set(field, i);
        taken.add(i);
      }
    });
  // A header naming one field two ways (手机号码/联系电话, 身份证号、证件号码), every part a name of it.
  headers.forEach((h, i) => {
    if (taken.has(i)) return;
    const parts = bareHeader(h)
      .split(/[/／、]/)
      .map(normalizeHeader)
      .filter(Boolean);
    const fields = new Set(parts.map((p) => byName.get(p)));
    const [field] = fields;
    if (parts.length >= 2 && fields.size === 1 && field && !index.has(field) && !(field in mapping)) {
      index.set(field, i);
      taken.add(i);
    }
  });
  // Of two columns for a field, the one that says more (行业代码 over 行业门类).
  for (const [field, names] of Object.entries(MORE_SPECIFIC[kind] ?? {})) {
    const i = index.get(field);
    if (i === undefined || field in mapping) continue;
    const wanted = new Set(names.map(normalizeHeader));
    const better = headers.findIndex((h, j) => !taken.has(j) && wanted.has(normalizeHeader(h)));
    if (better < 0 || wanted.has(normalizeHeader(headers[i]))) continue;
    index.set(field, better);
    taken.delete(i);
    taken.add(better);
  }
  // An exchange extract gives a coded field twice, REGSTATE ("1") and REGSTATE_CN ("存续"): the
  // Chinese one is read, whose words are known (not for a field read by its code, CODE_ONLY).
  for (const [field, i] of index) {
    if (field in mapping || CODE_ONLY[kind]?.includes(field)) continue;
    const cn = headers.findIndex((h, j) => !taken.has(j) && normalizeHeader(h) === `${normalizeHeader(headers[i])}cn`);
    if (cn < 0) continue;
    index.set(field, cn);
    taken.delete(i);
    taken.add(cn);
  }
  // An annual report's section over its columns (党建信息 over 是否建立党组织, joined as a two-row
  // header): the name after the section, for a field still unset. Annual reports only: a person's
  // prefix there (投资人证件号码) must not fall back to the representative's field.
  if (kind === 'annual_report')
    headers.forEach((h, i) => {
      if (taken.has(i)) return;
      const n = normalizeHeader(h);
      for (let k = 1; k <= n.length - 4; k++) {
        const field = byName.get(n.slice(k));
        if (field && !index.has(field) && !(field in mapping)) {
          index.set(field, i);
          taken.add(i);
          return;
        }
      }
    });
  const alternates = new Map<string, number[]>();
  // The columns the vocabulary alone would read: a mapping that names them (the web sends back the
  // plan's own) is no choice against the other columns of their field.
  const byVocabulary = Object.keys(mapping).length ? planColumns(kind, specs, oneOf, headers).index : index;
  headers.forEach((h, j) => {
    if (taken.has(j)) return;
    const field = byName.get(headerForms(h)[0]) ?? byName.get(headerForms(h)[1]);
    const i = field === undefined ? undefined : index.get(field);
    // Not a field the user chose another column for (or none), nor one read by its code, nor the code
    // column whose Chinese twin is read (REGSTATE beside REGSTATE_CN), nor a repeat of the header (refused whole).
    if (field === undefined || i === undefined || byVocabulary.get(field) !== i || CODE_ONLY[kind]?.includes(field))
      return;
    const [mine, theirs] = [normalizeHeader(h), normalizeHeader(headers[i])];
    if (theirs === mine || theirs === `${mine}cn`) return;
    alternates.set(field, [...(alternates.get(field) ?? []), j]);
  });
  const alternateOf = new Map([...alternates].flatMap(([f, js]) => js.map((j) => [j, f] as const)));
  const addressParts = addressPartsOf(kind, headers, index);
  const fieldAt = new Map([...index].map(([f, i]) => [i, f]));
  const warnings: { header: string; reason: string }[] = [];
  const columns = headers.map((header, i): PlannedColumn => {
    const field = fieldAt.get(i) ?? null;
    if (field)
      return {
        index: i,
        header,
        field,
        fieldLabel: labelOf.get(field) ?? field,
        note: `导入为"${labelOf.get(field)}"`,
        warning: maskedWarning(
          kind,
          field,
          header,
          sample.map((r) => r[i] ?? ''),
        ),
      };
    if (!header.trim())
      return {
        index: i,
        header,
        field: null,
        fieldLabel: null,
        note: '不导入（无列名）',
        warning: looksSensitive(
          '',
          sample.map((r) => r[i] ?? ''),
        )
          ? `第 ${i + 1} 列没有列名，但其中的值像${looksSensitive(
              '',
              sample.map((r) => r[i] ?? ''),
            )}，将不导入`
          : null,
      };
    if (addressParts.includes(i)) {
      const note = readBeside(kind, header) === 'place' ? '并入"住所"，并用于确定基层所' : '并入"住所"';
      return { index: i, header, field: null, fieldLabel: null, note, warning: null };
    }
    if (headerForms(header).some((f) => unused.has(f)))
      return { index: i, header, field: null, fieldLabel: null, note: '不导入（平台不使用此项）', warning: null };
    if (readBeside(kind, header) === 'place')
      return { index: i, header, field: null, fieldLabel: null, note: '不导入，用于确定基层所', warning: null };
    const what = looksSensitive(
      header,
      sample.map((r) => r[i] ?? ''),
    );
    const byNameField = byName.get(normalizeHeader(header));
    const alternate = alternateOf.get(i);
    const note = alternate
      ? `列"${headers[index.get(alternate)!]}"为空时导入为"${labelOf.get(alternate)}"，否则不导入`
      : byNameField && index.has(byNameField)
        ? `不导入（"${labelOf.get(byNameField)}"已取自列"${headers[index.get(byNameField)!]}"）`
        : '不导入（无法识别的列）';
    return {
      index: i,
      header,
      field: null,
      fieldLabel: null,
      note,
      warning: what
        ? alternate
          ? `列"${header}"像${what}，${note.replace(/，否则不导入$/, '，两列都有值时将不导入')}`
          : `列"${header}"像${what}，${note.replace(/^不导入/, '将不导入')}`
        : null,
    };
  });
  for (const c of columns)
    if (c.warning) warnings.push({ header: c.header || `第${c.index + 1}列`, reason: c.warning });
  const missing = specs
    .filter((s) => s.required && !index.has(s.field) && !(STAND_IN[s.field] && index.has(STAND_IN[s.field])))
    .map((s) => ({ field: s.field, label: s.header }));
  if (oneOf.length && !oneOf.some((f) => index.has(f)) && !missing.some((m) => m.field === oneOf[0]))
    missing.push({ field: oneOf[0], label: oneOf.map((f) => labelOf.get(f)).join('或') });
  const ignored = new Set(
    columns
      .filter(
        (c) => !c.field && !alternateOf.has(c.index) && !addressParts.includes(c.index) && !readBeside(kind, c.header),
      )
      .map((c) => c.index),
  );
  return { columns, index, missing, warnings, ignored, alternates, addressParts };
}

/**
 * A row's cells with each field's blank cell filled from the first of its alternate columns that
 * has a value (plan.alternates), and the columns so read (field → index), null when none was: a
 * refusal names the column its value came from. The row's own cells are left as they are (the
 * error report's copy of the row).
 */
export function cellsOfFields(
  { index, alternates, addressParts }: Pick<ColumnPlan, 'index' | 'alternates' | 'addressParts'>,
  cells: string[],
): { cells: string[]; from: Map<string, number> | null } {
  let out = cells;
  let from: Map<string, number> | null = null;
  if (addressParts?.length) {
    const at = index.get('address')!;
    out = [...cells];
    out[at] = wholeAddress(
      addressParts.map((i) => cells[i] ?? ''),
      cells[at] ?? '',
    );
  }
  for (const [field, others] of alternates) {
    const i = index.get(field)!;
    if ((cells[i] ?? '').trim()) continue;
    const j = others.find((k) => (cells[k] ?? '').trim());
    if (j === undefined) continue;
    if (out === cells) out = [...cells];
    out[i] = cells[j];
    (from ??= new Map()).set(field, j);
  }
  return { cells: out, from };
}

/** A column whose sample holds masked values (320102********1234): what will become of them, said once before the import. */
function maskedWarning(kind: FileKind, field: string, header: string, values: string[]): string | null {
  const fate = maskedValueFate(kind, field);
  if (!fate || !values.some(isMasked)) return null;
  return fate === 'absent'
    ? `列"${header}"中有已脱敏的值（含 *），这些值不会保存，所在行的其余数据照常导入`
    : `列"${header}"中有已脱敏的值（含 *），无法据此识别，这些行将被拒绝，请使用未脱敏的文件`;
}

/** What an unused column seems to hold ("身份证号", "手机号", "统一社会信用代码", "日期"), or null. */
export function looksSensitive(header: string, values: string[]): string | null {
  const h = normalizeHeader(header);
  if (/身份证|证件号|公民身份|cerno|idcard/.test(h)) return '身份证号';
  if (/手机|mobile/.test(h)) return '手机号';
  // 固定电话, 办公电话: a landline column; 联系电话 may hold either.
  if (/固定电话|座机|办公电话|单位电话/.test(h)) return '电话号码';
  if (/电话|phone|tel/.test(h)) return '手机号';
  if (/信用代码|注册号|uscc|uniscid|regno/.test(h)) return '统一社会信用代码或注册号';
  const filled = values.map((v) => v.trim()).filter(Boolean);
  if (filled.length) {
    const share = (test: (v: string) => boolean) => filled.filter(test).length / filled.length >= 0.5;
    if (
      share((v) => {
        const c = normaliseCode(v).value;
        return parseIdNumber(c).ok || SCIENTIFIC.test(c);
      })
    )
      return '身份证号';
    if (share((v) => MOBILE.test(normaliseCode(v).value))) return '手机号';
    if (share((v) => parseUscc(normaliseCode(v).value).ok)) return '统一社会信用代码';
  }
  if (/日期|时间|date/.test(h) || (filled.length && filled.filter(looksLikeDate).length / filled.length >= 0.5))
    return '日期';
  return null;
}

/**
 * A 住所 written whole from its split columns: the province, city, county and street named before
 * the street part, each unless the street part already says it (南京市玄武区中山路2号 under 玄武区) or
 * it is a code (a 县区 column giving 320102). No street part, no 住所: the columns alone say no place.
 */
export function wholeAddress(parts: string[], street: string): string {
  const s = street.trim();
  if (!s) return street;
  return (
    parts
      .map((p) => p.trim())
      .filter((p) => p && !/^\d+$/.test(p) && !s.includes(p))
      .join('') + s
  );
}
