import { toHalfWidth } from './normalise.js';
import { localDate } from '../time/zone.js';
import { redactFreeText } from '../identifiers/free-text.js';
import { rowLabel, rowPlace } from '../ledger/sheets.js';

/**
 * What hand-kept sheets and system exports put under their last row: a total ("合计：1,003 户",
 * "共 1003 条记录", the 汇总 row a Chinese Excel adds under a 表格), the signatures ("制表人：张三  审核人：李四"), the date it was made
 * ("填报日期：2024年3月1日", "导出时间：…"), notes and sources ("注：1.本表…", "说明：…",
 * "数据来源：国家企业信用信息公示系统", "数据截至：…"), and how to fill the form in ("填报说明：1.…",
 * 填写说明, 编制说明, 指标解释: round 21, a 金税/WPS export's last line). Each starts its first filled cell. A form
 * printed to be signed writes where (单位负责人（签字）：, 经办人签字：, 单位（盖章）：, 联系人：) and
 * closes its table with （以下空白）: round 14, each such line was refused as an entity whose
 * 统一社会信用代码 was 6 characters long. A printed report's page line (第 1 页，共 3 页) and its
 * 本页小计 end it too (round 15: a last line 第 1 页 made every footer line above it data, refused).
 */
const FOOTER =
  /^(?:(?:本页|本表)?\s*(?:[合总共]\s*计|小\s*计)|汇\s*总|第\s*\d+\s*页|共\s*\d+\s*页|共\s*[\d,]+\s*(?:条|户|行|家|人|个|名|项|条记录)|(?:制表|填表|填报|审核|审批|负责|单位负责|主要负责|统计负责|经办|打印|导出|复核|联系)人?\s*(?:\(\s*(?:签字|签名|签章|盖章)\s*\)|签字|签名|签章)?\s*[:：]|单位(?:名称)?\s*\(\s*(?:盖章|公章)\s*\)|\(?\s*(?:本页|此页|本表)?\s*以下\s*(?:空白|无(?:数据|内容|正文))|(?:制表|填表|填报|打印|导出|统计|报送)(?:日期|时间)\s*[:：]|(?:制表|填报|填表)单位\s*[:：]?|(?:注|备注|附注|说明|(?:填表|填报|填写|编制)说明|指标解释)\s*\d*\s*[:：]|(?:(?:填表|填报|填写|编制)说明|指标解释)\s*$|(?:数据)?来源\s*[:：]|数据(?:截至|截止)(?:日期|时间)?\s*[:：]?)/;

/** The characters a footer starts with (FOOTER's alternatives). */
const FOOTER_START = new Set('合总共小汇制填审负单主统经打导复联报注备附说数来以本此第编指(（');

/** An identifier (USCC, ID number, registration number) a footer never holds. */
const IDENTIFIER = /[0-9A-Z]{15,18}/;

/**
 * The text of a record that reads as a table's footer (phone numbers masked), else null. Only a guess from the record
 * alone: the import skips such records only after the last data row (see sources.ts), so a
 * data row that happens to start so is still read as one.
 */
export function footerText(cells: string[]): string | null {
  // Every data row comes through here: most are told apart by the first character of their first cell.
  const first = cells.find((c) => c.trim() !== '')?.trim();
  if (!first || !FOOTER_START.has(first[0]) || !FOOTER.test(toHalfWidth(first))) return null;
  const filled = cells.map((c) => c.trim()).filter((c) => c !== '');
  if (filled.some((c) => IDENTIFIER.test(toHalfWidth(c).replace(/\s/g, '').toUpperCase()))) return null;
  return redactFreeText(filled.join(' ')).text.slice(0, 200); // the maker's phone is personal data too
}

/** What a group's title says of itself: a party branch or committee, a subtotal, a count ("（共 12 人）"). */
const SECTION_TITLE = /支部|总支|党委|党组|委员会|小\s*计|合\s*计|共\s*[\d,]+\s*(?:人|户|名|条|家|个)/;

/**
 * The text of a row that titles the group of rows under it, else null: one filled cell, in any
 * column, reading as a title ("二支部", "中共××支部委员会（共 12 人）", a "小计" between groups). A
 * roster exported branch by branch has such a row above every branch; each was refused as a
 * member without a name. Any other lone cell is data (a member known by name alone; an annual
 * report's 企业名称 alone, refused saying what it lacks).
 */
export function sectionTitle(cells: string[]): string | null {
  const filled = cells.filter((c) => c.trim() !== '');
  if (filled.length !== 1) return null;
  const text = toHalfWidth(filled[0].trim());
  if (!SECTION_TITLE.test(text) || IDENTIFIER.test(text.replace(/\s/g, '').toUpperCase())) return null;
  return redactFreeText(filled[0].trim()).text.slice(0, 200);
}

/**
 * Whether a row repeats the header: every filled cell is the header's name of its column, two at
 * least. A file stitched from an export's pages (each with its header) or a sheet printed with the
 * header over every page holds such rows; each was refused as data (出生日期"出生日期"不是有效日期).
 */
export function repeatsHeader(cells: string[], headers: readonly string[]): boolean {
  let same = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i].replace(/[\r\n]+/g, '').trim();
    if (c === '') continue;
    if (c !== headers[i]) return false;
    same++;
  }
  return same >= 2;
}

/** What a finished job (or the preview: 将不导入) says of the group titles it skipped (and of the header's repeats, `header`). */
/**
 * The notes below name rows by their reference: `sheets` are the sheets a job read together (a
 * row is then named with its sheet, rowLabel), null for one sheet or a CSV.
 */
type Sheets = readonly string[] | null;

export function sectionTitlesNote(
  rows: { rowNo: number; text: string; header?: boolean }[],
  verb = '未导入',
  sheets: Sheets = null,
): string | null {
  const said = (what: string, of: { rowNo: number; text: string }[], quoted: boolean) => {
    if (!of.length) return [];
    const named = of
      .slice(0, NAMED_ROWS)
      .map((r) => `${rowLabel(r.rowNo, sheets)}${quoted ? `"${r.text}"` : ''}`)
      .join('、');
    return [`${what} ${of.length} 行不是数据，${verb}：${named}${of.length > NAMED_ROWS ? ' 等' : ''}`];
  };
  const parts = [
    ...said(
      '分组标题',
      rows.filter((r) => !r.header),
      true,
    ),
    ...said(
      '重复的表头',
      rows.filter((r) => r.header),
      false,
    ),
  ];
  return parts.length ? parts.join('；') : null;
}

/** What a finished job (or, before it, the preview: 将不导入) says of the footer it skipped. */
export function footerNote(
  rows: { rowNo: number; text: string }[],
  verb = '未导入',
  sheets: Sheets = null,
): string | null {
  if (!rows.length) return null;
  const named = rows.map((r) => `${rowLabel(r.rowNo, sheets)}"${r.text}"`).join('、');
  return `表尾 ${rows.length} 行不是数据，${verb}：${named}`;
}

/** Row numbers named one by one in a note; more are counted. */
const NAMED_ROWS = 10;

/**
 * The note on rows hidden in Excel. Clerks hide rows to filter (a 注销 entity, a row done with);
 * such rows are read like any other, since skipping them would lose data silently, but the clerk
 * is told, so that a row hidden as "not this one" is noticed before (or after) it is imported.
 */
export function hiddenRowsNote(rows: number[], verb = '已一并导入', sheets: Sheets = null): string | null {
  if (!rows.length) return null;
  const count = rows.length > NAMED_ROWS ? ` 等 ${rows.length} 行` : ' 行';
  // 第 4、9 行; by sheet, 工作表"一支部"第 4、9 行，工作表"二支部"第 3 行
  const bySheet = new Map<string | null, number[]>();
  for (const ref of rows.slice(0, NAMED_ROWS)) {
    const { sheet, rowNo } = rowPlace(ref, sheets);
    bySheet.set(sheet, [...(bySheet.get(sheet) ?? []), rowNo]);
  }
  const named = [...bySheet]
    .map(([sheet, nos]) => `${sheet === null ? '' : `工作表"${sheet}"`}第 ${nos.join('、')}`)
    .join(' 行，');
  return `${named}${count}在 Excel 中是隐藏行，${verb}；如不应导入，请在文件中删除后重新上传`;
}

/**
 * The columns the import reads that the workbook hides (by their headers): read like any other (a
 * clerk may hide a column to print the sheet), but said, so that a column hidden as "not this one"
 * (an old 联系电话 beside the new) is noticed; the column plan can leave it out.
 */
export function hiddenColumnsNote(headers: string[], verb = '已一并导入'): string | null {
  if (!headers.length) return null;
  const named = headers.map((h) => `"${h}"`).join('、');
  return `列 ${named} 在 Excel 中是隐藏列，${verb}；如不应导入，请在列对应中改为不导入该列，或在文件中删除后重新上传`;
}

/** A year a title gives its annual reports: 2023年度, 2023年年报, 2023年报 (not 2024年报送), 年报年度：2023. */
const TITLE_REPORT_YEAR =
  /((?:19|20)\d{2})\s*年度|((?:19|20)\d{2})\s*年?\s*年报(?!送)|年报年度\s*[:：]?\s*((?:19|20)\d{2})/g;
/** The first year annual reports were filed for (《企业信息公示暂行条例》, 2014: the 2013 reports). */
const FIRST_REPORT_YEAR = 2013;

/**
 * The 年报年度 the title rows above a header give a list of annual reports that has no such column
 * ("2023年度个体工商户年报党建信息汇总表": the sheet is one year's), with the title it is read from;
 * null when no title names a report's year, or titles name two (2024年报送的2023年度年报 has one:
 * 2024 is when it was sent). Only a title speaking of 年报 or 年度报告, and a year whose reports can
 * have been filed (2013 to last year).
 */
export function reportYearOfTitle(
  lines: string[],
  thisYear = Number(localDate().slice(0, 4)),
): { year: string; title: string } | null {
  const found = new Map<string, string>();
  for (const line of lines) {
    const text = toHalfWidth(line).replace(/\s+/g, ' ').trim();
    if (!/年报|年度报告/.test(text)) continue;
    for (const m of text.matchAll(TITLE_REPORT_YEAR)) found.set(m[1] ?? m[2] ?? m[3], line.trim());
  }
  if (found.size !== 1) return null;
  const [[year, title]] = found;
  return Number(year) >= FIRST_REPORT_YEAR && Number(year) < thisYear ? { year, title: title.slice(0, 100) } : null;
}

/** What the preview (将用于) and the finished job (已用于) say of a year read from the title. */
export function titleYearNote(
  fromTitle: { year: string; title: string } | null | undefined,
  verb = '已用于',
): string | null {
  return fromTitle
    ? `文件中没有"年报年度"列：按标题"${fromTitle.title}"，年报年度 ${fromTitle.year} ${verb}每一行`
    : null;
}
