import { z } from 'zod';
import { kindOfRegNo, parseRegNo, parseUscc, regNoFormReason } from '../identifiers/uscc.js';
import { MOBILE, parseIdNumber } from '../identifiers/id-number.js';
import { parseIndustryText } from './industry.js';
import {
  EXCEL_CUT,
  excelSerialDate,
  monthOfText,
  normaliseEntityName,
  hasFullWidth,
  isMasked,
  joinLines,
  LOST_CHARACTER,
  lostCharacterMessage,
  SEVERAL_PEOPLE,
  severalPeopleMessage,
  normaliseCode,
  normaliseDateText,
  normalisePersonName,
  SCIENTIFIC,
  toHalfWidth,
  yearlessDate,
  twoDigitYearDotted,
} from '../import/normalise.js';
import { parseEntityType } from '../import/entity-types.js';
// zod's own messages (a field absent from a row, a value of the wrong type) in Chinese too: every
// refusal a user reads is Chinese, whichever schema gave it.
import '../zod-chinese.js';
import { today } from '../time/zone.js';

/**
 * Row schemas for the registry extract and the annual report: the import validates every row
 * with them, and the API's entity schemas are built from the same fields. Inputs arrive as text
 * (CSV) or cells (XLSX) turned into text; each field parses, checks and normalizes itself and
 * says in Chinese what is wrong.
 */

// A person's name typed over two lines is one (joinLines), and has one spelling in every file (normalisePersonName).
const personName = (label: string) =>
  z
    .string()
    .overwrite(joinLines)
    .overwrite(normalisePersonName)
    .trim()
    .min(1, `${label}不能为空`)
    .max(30, `${label}不超过 30 个字`)
    .superRefine((v, ctx) => {
      if (LOST_CHARACTER.test(v)) ctx.addIssue({ code: 'custom', message: lostCharacterMessage(label, v) });
      else if (SEVERAL_PEOPLE.test(v)) ctx.addIssue({ code: 'custom', message: severalPeopleMessage(label, v) });
    });
/**
 * What exports and hand-kept files write in a cell that has nothing to say: a dash or a slash
 * (PLACEHOLDER, in any field: "-" is no 登记状态 and no 是/否 either), or a word (NOTHING: 无, 不详 …,
 * in a field whose values are no such words: a code, a date, a phone, a name of a place).
 */
const PLACEHOLDER = String.raw`[-—–_/／\\]+|null|none|n/a`;
const NOTHING = String.raw`无|暂无|没有|不详|未知|空|${PLACEHOLDER}`;
const NO_VALUE = new RegExp(`^(${NOTHING})$`, 'i');
const NO_MARK = new RegExp(`^(${PLACEHOLDER})$`, 'i');
/** Whether a cell says nothing (NOTHING), as a blank one does. */
export const saysNothing = (v: string): boolean => v.trim() === '' || NO_VALUE.test(v.trim());
const nothingToBlank = (v: unknown) => (typeof v === 'string' && NO_VALUE.test(v.trim()) ? '' : v);
const blankToUndefined = (v: unknown) =>
  typeof v === 'string' && (v.trim() === '' || NO_MARK.test(v.trim())) ? undefined : v;
const nothingToUndefined = (v: unknown) => (typeof v === 'string' && saysNothing(v) ? undefined : v);

const optionalText = (max: number, label: string) =>
  z.preprocess(
    nothingToBlank,
    z
      .string()
      .overwrite(joinLines)
      .trim()
      .max(max, `${label}不超过 ${max} 个字`)
      .optional()
      .transform((v) => v || null),
  );

/**
 * An address's full-width digits and Latin letters (中山路１号, Ａ座) as half-width: extracts of one
 * entity write them either way, and each re-import would record a change of 住所 that is none, and
 * an address rule (路名, 门牌) would miss. Full-width brackets and the rest stay as written.
 */
const halfWidthAlnum = (v: string | null) =>
  v && v.replace(/[０-９Ａ-Ｚａ-ｚ－]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

/** A value from a fixed list, accepting the Chinese words users write as well as the codes. */
function choice<V>(label: string, words: Record<string, V>) {
  return z
    .string()
    .trim()
    .transform((v, ctx) => {
      const hit = choiceKey(v, words);
      if (hit === undefined) {
        ctx.addIssue({ code: 'custom', message: unknownChoice(label, v, words) });
        return z.NEVER;
      }
      return words[hit];
    });
}

/**
 * A 党籍状态 saying the person has left the party (出党: 开除党籍, 除名, 退党, 劝退…, as the member
 * system records it): not a member, so the row is refused saying so, not as an unknown word.
 */
const notLeftParty = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    if (/^(?:已?出党|开除党籍|已?除名|已?退党|劝退|不予承认党员资格|取消党籍)/.test(toHalfWidth(v)))
      ctx.addIssue({
        code: 'custom',
        message: `党员状态"${v}"：此人已不是党员，不应在党员名册中。请删去此行（如系误填，请改为正常、停止党籍等）`,
        abort: true,
      });
  });

/**
 * A 人员类别 naming one on the way to joining (入党积极分子, 发展对象, 入党申请人, as a community's
 * roster lists them beside its members): not a member yet, so the row is refused saying so, not
 * as an unknown word (round 18).
 */
const notYetMember = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    if (/^(?:入党)?(?:积极分子|申请人|发展对象)$/.test(toHalfWidth(v)))
      ctx.addIssue({
        code: 'custom',
        message: `人员类别"${v}"：尚未入党，不是党员，党员名册只导入正式党员和预备党员。请删去此行后重新导入`,
        abort: true,
      });
  });

/** The key of words a written value is, or undefined. */
function choiceKey<V>(v: string, words: Record<string, V>): string | undefined {
  // Most cells are written as the word itself: found before the variants below are built (per cell of an import).
  if (Object.hasOwn(words, v)) return v;
  const half = toHalfWidth(v).trim();
  const hit = [
    v,
    v.toLowerCase(),
    half,
    half.toLowerCase(),
    half.replace(/\(/g, '（').replace(/\)/g, '）').replace(/,/g, '，'), // the words are written with full-width marks
  ].find((w) => Object.hasOwn(words, w)); // not "constructor" and the like from the prototype
  if (hit !== undefined) return hit;
  // A word with a note in brackets, as registry systems print it: 存续(在营,开业,在册), 在营（开业）企业.
  // Only up to the last ")": a bracket opened after it closes nowhere, and tried from each of many
  // such brackets the pattern read the rest of the cell again each time (round 18).
  const closed = half.lastIndexOf(')') + 1;
  const bare = (half.slice(0, closed).replace(/\([^)]*\)/g, '') + half.slice(closed)).trim();
  if (Object.hasOwn(words, bare)) return noteSaysMore(half, bare, words) ?? bare;
  // A code with its word, as report systems print a coded field: 1-是, 2：否, 1.党支部, 1/存续, 1 存续.
  const pair = /^([0-9A-Za-z]{1,2})\s*[-:：.、．/\s]\s*(\S.*)$/.exec(half);
  if (!pair) return undefined;
  const [code, word] = [choiceKey(pair[1], words), choiceKey(pair[2], words)];
  if (word === undefined) return undefined;
  // Where XGZ reads codes of its own (是否 1/2, 党组织形式 0–3), both must say the same. A list of words
  // only (登记状态, 人员类别) reads no code — the systems' code tables differ — so the word beside it says it.
  if (code === undefined) return Object.keys(words).some((k) => /^\d+$/.test(k)) ? undefined : word;
  return words[code] === words[word] ? word : undefined;
}

/**
 * A bracketed note that is itself a word of the list and means something else than the word before
 * it: it says more, and is read (中共党员（预备）is a 预备党员, not the 正式党员 that 中共党员 alone is;
 * 吊销（已注销）is 注销, as 吊销，已注销 is). Round 16: the note was dropped and a probationary
 * member stored as full. A code in the note is no word (党支部（2） may count something, and is no
 * 党总支). undefined when no note does.
 */
function noteSaysMore<V>(half: string, bare: string, words: Record<string, V>): string | undefined {
  for (const [, note] of half.matchAll(/\(([^)]*)\)/g)) {
    const k = /^[0-9A-Za-z]{0,2}$/.test(note.trim()) ? undefined : choiceKey(note.trim(), words);
    if (k !== undefined && words[k] !== words[bare]) return k;
  }
  return undefined;
}

/**
 * Why a value is not one of the words: the words to write (one for each meaning when the list is
 * long), and for a bare code of a field whose words are all words, that the code is not read.
 */
function unknownChoice<V>(label: string, v: string, words: Record<string, V>): string {
  const chinese = [...new Set(Object.keys(words).filter((k) => /[\u4e00-\u9fa5]/.test(k)))];
  const meanings = new Set<V>();
  const firstOfEach = chinese.filter((k) => !meanings.has(words[k]) && !!meanings.add(words[k]));
  const list = chinese.length <= 12 ? chinese.join('、') : `${firstOfEach.join('、')}等`;
  if (v === '') return `${label}为空，可填：${list}`;
  if (/^\d{1,3}$/.test(toHalfWidth(v).trim()) && !Object.keys(words).some((k) => /^\d+$/.test(k)))
    return `${label}"${v}"是代码：各系统的代码表不同，无法确定其含义，请填写（或导出）${label}的中文名称，如：${list}`;
  return `${label}"${v}"无法识别，可填：${list}`;
}

/**
 * The examples our messages give of a date and of a fixed line: a message's own text, shown in full
 * wherever the numbers in a message are masked (see redactFreeTextKeeping).
 */
const DATE_EXAMPLES = '（如 2024-03-15、2024/3/15、2024年3月15日、20240315）';
const PHONE_EXAMPLE = '（如 025-83456789）';
export const MESSAGE_EXAMPLES = [DATE_EXAMPLES, PHONE_EXAMPLE];

/** A date (or with `month`, a month too: see monthOrDateField) as a cell writes it, as 'YYYY-MM-DD'. */
export const dateField = (label: string, month = false) =>
  z
    .string()
    .trim()
    .transform((input, ctx) => {
      if (!input) {
        ctx.addIssue({ code: 'custom', message: `${label}不能为空` });
        return z.NEVER;
      }
      const v = excelSerialDate(input) ?? normaliseDateText(input);
      // Every written form is normalised to this one: anything else ("2019.12", a month) is no date.
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
      if (!m || !d || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3]) || Number(m[1]) < 1900) {
        ctx.addIssue({
          code: 'custom',
          message: monthOfText(input)
            ? `${label}"${input}"只写到月份，${label}须写到日（如 2024-03-15）`
            : twoDigitYearDotted(input)
              ? twoDigitYearMessage(label, input, twoDigitYearDotted(input)!, month)
              : yearlessDate(input)
                ? `${label}"${input}"只有日和月，没有年份（Excel 的"日-月"格式不显示年份）：请把该列设为日期格式 yyyy-mm-dd 后重新导出，或写成 2024-03-15`
                : `${label}"${input}"不是有效日期${DATE_EXAMPLES}${hasFull(input)}`,
        });
        return z.NEVER;
      }
      // Today as the deployment's zone has it (China's day starts 8 hours before UTC's); an Excel
      // serial number is said as the date it stands for.
      if (v > today()) {
        ctx.addIssue({ code: 'custom', message: `${label}"${input}"${v === input ? '' : `（即 ${v}）`}晚于今天` });
        return z.NEVER;
      }
      return v;
    });

/** 98.07 refused (a number cell shows the same), with the way to write it: the year whole, and to the day where a day is needed. */
const twoDigitYearMessage = (label: string, input: string, whole: string, month: boolean) =>
  `${label}"${input}"的年份只写了两位，无法确定是哪一年：请写四位年份，${
    month || whole.length > 7 ? `如 ${whole}` : `并写到日，如 ${whole}.01`
  }`;

/**
 * A date a roster may give to the month only (入党日期 "2010.07", "2010年7月", "201007": how
 * hand-kept rosters write it): the first of that month; a whole date as dateField reads it.
 */
export const monthOrDateField = (label: string) =>
  z.preprocess(
    (v) => {
      const month = typeof v === 'string' ? monthOfText(v) : null;
      return month ? `${month}-01` : v;
    },
    dateField(label, true),
  );

/**
 * 出生年月 as hand-kept rosters write it ("1980.03"): kept to the month ('1980-03'), never made a
 * day (a member is matched on an exact birth date); a whole date as dateField reads it.
 */
export const birthField = (label: string) => {
  const whole = dateField(label, true);
  return z
    .string()
    .trim()
    .transform((v, ctx) => {
      const month = monthOfText(v);
      if (month) return month;
      const r = whole.safeParse(v);
      if (r.success) return r.data;
      for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
      return z.NEVER;
    });
};

const count = (label: string, max = 10_000_000) =>
  z
    .string()
    .trim()
    .transform((input, ctx) => {
      const v = toHalfWidth(input)
        .trim()
        .replace(/(\d(?:\s*[人名户个])?)\s*\([^()]*\)$/, '$1') // 3人（含预备党员1人）: a note after the number (round 18: no lookbehind, which read back over each space)
        .replace(/(?<=\d)(\.0+|\s*[人名户个])$/, '') // 12人, 12.0 (a number cell's text)
        .replace(/^(\d{1,3})((?:,\d{3})+)$/, (_, a: string, b: string) => a + b.replaceAll(',', '')); // 1,200
      if (!/^\d+$/.test(v) || Number(v) > max) {
        ctx.addIssue({ code: 'custom', message: `${label}"${input}"应为不大于 ${max} 的非负整数${hasFull(input)}` });
        return z.NEVER;
      }
      return Number(v);
    });

/**
 * An optional count as report lists write it: 无 (none: 0), or a cell with nothing to say (-, /,
 * 不详: not stated, as if blank).
 */
const optCount = (label: string, max?: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^(无|没有|暂无)$/.test(v.trim()) ? '0' : nothingToBlank(v)),
    opt(count(label, max)),
  );

const hasFull = (v: string) => (/[\uff01-\uff5e\u3000]/.test(v) ? '（该值含全角字符）' : '');

/** An identifier Excel held as a number, which has lost its last digits: how it shows, and what to do. */
export const excelNumberMessage = (label: string, shown: string) =>
  `${label}${shown}：Excel 把它存成了数字，末几位已丢失。请把该列设置为"文本"格式后重新填写`;

/**
 * An 18-character identifier (身份证号, 统一社会信用代码) typed into a number cell: Excel keeps 15
 * significant digits of a number, whatever its format shows (under "0" the last three show 000),
 * so the last digits are gone (round 11: the message said only 科学计数法).
 */
export const longNumberMessage = (label: string, shown: string) =>
  `${label}${shown}：数字格式的${label}只保留15位有效数字，末几位已丢失，请将该列设为文本后重新填写`;

/**
 * An identifier cell, normalised first (full-width to half-width, spaces out, upper case); a value
 * Excel turned into a number shown in scientific notation is refused: its last digits are gone.
 */
const identifier = <T>(
  label: string,
  parse: (v: string) => ({ ok: true } & T) | { ok: false; reason: string },
  lost: (label: string, shown: string) => string = longNumberMessage,
) =>
  z.string().transform((input, ctx) => {
    const { value, fullWidth } = normaliseCode(input);
    if (isMasked(value)) {
      ctx.addIssue({ code: 'custom', message: `${label}已被脱敏（含 *），无法识别，请使用未脱敏的文件` });
      return z.NEVER;
    }
    // The value is not quoted: what is left of a number is personal data, and reasons are kept in clear.
    if (SCIENTIFIC.test(value)) {
      ctx.addIssue({ code: 'custom', message: lost(label, '是科学计数法（如 3.2E+17）') });
      return z.NEVER;
    }
    const r = parse(value);
    if (!r.ok) {
      // 18 digits ending 000 whose check fails: Excel's cut far likelier than a typo.
      const message = EXCEL_CUT.test(value)
        ? lost(label, '末三位为 000')
        : fullWidth
          ? `${r.reason}（该值含全角字符，已按半角读取）`
          : r.reason;
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return r;
  });

export const usccField = identifier('统一社会信用代码', parseUscc).transform((r) => r.value);
/**
 * 注册号, the 15-digit number of registrations before the 统一社会信用代码. Registries issued some whose
 * check digit does not hold (local systems before GS15-2006), so the field checks only the form;
 * the check digit is enforced by entityKeyIssues where the 注册号 is the row's only key.
 */
export const regNoField = identifier(
  '注册号',
  (v) => (/^\d{15}$/.test(v) ? { ok: true as const, value: v } : { ok: false as const, reason: regNoFormReason(v) }),
  excelNumberMessage, // 15 digits: a number cell keeps them all; a CSV of its scientific display does not
).transform((r) => r.value);

/**
 * The entity keys of a registry-side row: one of them at least. Beside a valid 统一社会信用代码 (the
 * key) a 注册号 is kept as the registry wrote it, for the older lists that carry only it; alone it
 * is the key, and a wrong check digit there is likelier a typo that would make a second entity.
 */
export function entityKeyIssues(r: { uscc?: string; regNo?: string }, ctx: z.RefinementCtx): void {
  if (!r.uscc && !r.regNo)
    ctx.addIssue({ code: 'custom', path: ['uscc'], message: '统一社会信用代码与注册号至少填写一项' });
  const check = !r.uscc && r.regNo ? parseRegNo(r.regNo) : undefined;
  if (check && !check.ok)
    ctx.addIssue({
      code: 'custom',
      path: ['regNo'],
      message: `${check.reason}（未填统一社会信用代码时，注册号是识别该主体的唯一依据，请核对）`,
    });
}
export const idNumberField = identifier('身份证号', parseIdNumber).transform((r) => ({
  value: r.value,
  birthDate: r.birthDate,
  sex: r.sex,
}));

/**
 * A mobile number without China's country code, written +86, 86 or 0086 before it, or the long-distance
 * 0 some lists put before a mobile (013912345678: no area code begins 01 but Beijing's 010).
 */
const withoutCountryCode = (v: string) => v.replace(/^(?:(?:\+|00)?86|0)(?=1[3-9]\d{9}$)/, '');

/**
 * A number written in the international form: the country code in brackets or with + or 00
 * ("(+86)13912345678", "（+86）139…", "+86 (0)25 8456 1234"), or a bare 86 before a separator
 * ("86-025-84561234"), is the number without it; a landline so written drops its trunk 0
 * ("+86 25 8456 1234"), which is put back. Other text is returned as it is.
 */
function withoutCountryPrefix(text: string): string {
  const m = /^\s*(?:[(（]\s*(?:\+|00)?86\s*[)）]|(?:\+|00)86|86(?=[\s-]))[\s-]*(?:[(（]\s*0\s*[)）][\s-]*)?(?=\d)/.exec(
    text,
  );
  if (!m) return text;
  const rest = text.slice(m[0].length);
  return /^(?:1[3-9]|0)/.test(rest) ? rest : `0${rest}`;
}

export const phoneField = z.string().transform((input, ctx) => {
  const { value, fullWidth } = normaliseCode(withoutCountryPrefix(toHalfWidth(input)));
  const v = withoutCountryCode(value);
  if (!MOBILE.test(v)) {
    ctx.addIssue({
      code: 'custom',
      message: `手机号应为 11 位，以 1 开头${fullWidth ? '（该值含全角字符，已按半角读取）' : ''}`,
    });
    return z.NEVER;
  }
  return v;
});

const NOTE = /\([^()]*\p{sc=Han}[^()]*\)/gu;
const WORDS = /(?:(?!转)[\p{sc=Han}:])+/u;
// Area codes: 010 and 02x have three digits, the rest four (0512, 0871).
const LANDLINE = /^(?:\(?(0(?:[12]\d|[3-9]\d{2}))\)?)?([2-9]\d{6,7})(?:(?:转|EXT)\d{1,6})?$/;

/**
 * A fixed line whose trunk 0 Excel dropped (025-84561234 kept as the number 2584561234): ten or
 * eleven digits not starting 0 or 1 (a mobile's), or 10 and eight digits (Beijing's), are no other
 * number, and get the 0 back.
 */
const withTrunkZero = (n: string) => (/^(?:10\d{8}|[2-9]\d{9,10})$/.test(n) ? `0${n}` : n);

/**
 * 联系电话 as registry extracts hold it: a mobile, or an enterprise's fixed line (025-83456789,
 * (025)83456789, 83456789转801, 0512-6523456-801), or several of them ("13912345678/025-83456789"),
 * with notes ("13912345678（微信同号）"). The mobile is kept when there is one, else the fixed line
 * (area code, a hyphen, the number; no extension).
 */
export const contactPhoneField = z.string().transform((input, ctx) => {
  const whole = toHalfWidth(input).trim();
  // The value is not quoted: what is left of a number is personal data, and reasons are kept in clear.
  if (SCIENTIFIC.test(whole)) {
    ctx.addIssue({ code: 'custom', message: excelNumberMessage('联系电话', '是科学计数法（如 1.39E+10）') });
    return z.NEVER;
  }
  // A note in brackets is no part of a number ("13912345678（微信同号）"); an area code is ("(025)…").
  // A number saved as a decimal (13912345678.0: a spreadsheet column of numbers written out) is the number.
  const text = withoutCountryPrefix(whole.replace(/^(\d+)\.0+$/, '$1')).replace(NOTE, ' ');
  // The whole cell first (spaces inside a number: "139 1234 5678"), then its parts, each as a
  // code (no spaces or hyphens: the area code is told by its length): parts between separators,
  // spaces, or words ("手机13912345678 办公025-84561234"; 转 is an extension's). A number spaced in
  // groups keeps its extension's hyphen ("025-8456 1234-801": the number's groups closed up first).
  const numbers = [
    text,
    text.replace(/(?<=\d)\s+(?=\d)/g, ''),
    ...text.split(/[/,;、，；]+|(?<=\d)或(?=\d)/),
    ...text.split(/\s+/),
    ...text.split(WORDS),
  ]
    // An extension after a hyphen (025-83456789-801, 02583456789-801) is one with 转: normaliseCode drops hyphens.
    .map((n) =>
      withoutCountryCode(normaliseCode(n.replace(/(?<=(?:^|\D)(?:0\d{2,3})?[2-9]\d{6,7})-(?=\d{1,6}$)/, '转')).value),
    )
    .filter(Boolean);
  const mobile = numbers.find((n) => MOBILE.test(n));
  if (mobile) return mobile;
  const fixed = numbers.map((n) => LANDLINE.exec(withTrunkZero(n))).find(Boolean);
  if (fixed) return fixed[1] ? `${fixed[1]}-${fixed[2]}` : fixed[2];
  ctx.addIssue({
    code: 'custom',
    message: `联系电话应为手机号（11 位，以 1 开头）或固定电话${PHONE_EXAMPLE}${hasFullWidth(input) ? '（该值含全角字符，已按半角读取）' : ''}`,
  });
  return z.NEVER;
});

export const YES_NO_WORDS: Record<string, boolean> = {
  '1': true,
  是: true,
  Y: true,
  y: true,
  true: true,
  '2': false,
  '0': false,
  否: false,
  有: true,
  无: false,
  N: false,
  n: false,
  false: false,
  // Ticks and crosses, as a hand-kept or checkbox column marks it.
  '√': true,
  '✓': true,
  '✔': true,
  '×': false,
  '✗': false,
  '✘': false,
};
const yesNo = (label: string) => choice<boolean>(label, YES_NO_WORDS);
/**
 * A 流动党员 column answered with the side of the move, as the member system's roster and county
 * lists fill it (流出 where the relation is kept, 流入 where the member works): a mobile member either
 * way (round 16: refused as no 是/否).
 */
const MOBILE_FLAG_WORDS: Record<string, boolean> = {
  ...YES_NO_WORDS,
  流出: true,
  流入: true,
  流出党员: true,
  流入党员: true,
  外出流动: true,
  外出流动党员: true,
  流动党员: true,
};
/**
 * 法定代表人是否党员 answered with the person's 政治面貌 (GB/T 4762), as county summaries and a
 * 法定代表人政治面貌 column give it: a member of the Communist Party (预备党员 too, as the report's
 * 党员（含预备党员）counts them) or not — 群众, 共青团员, a democratic party's member, 无党派人士.
 */
export const PARTY_MEMBER_WORDS: Record<string, boolean> = {
  ...YES_NO_WORDS,
  党员: true,
  中共党员: true,
  中国共产党党员: true,
  中共预备党员: true,
  预备党员: true,
  中国共产党预备党员: true,
  群众: false,
  共青团员: false,
  中国共产主义青年团团员: false,
  非党员: false,
  非中共党员: false,
  无党派人士: false,
  无党派民主人士: false,
  民主党派: false,
  民主党派成员: false,
  民革党员: false,
  民盟盟员: false,
  民建会员: false,
  民进会员: false,
  农工党党员: false,
  致公党党员: false,
  九三学社社员: false,
  台盟盟员: false,
};
/** 是否成立党组织 as report lists answer it: in yes and no, or in what was done (已建立 / 未建立). */
export const ORG_SET_UP_WORDS: Record<string, boolean> = {
  ...YES_NO_WORDS,
  已建立: true,
  已成立: true,
  已组建: true,
  已建: true,
  未建立: false,
  未成立: false,
  未组建: false,
  未建: false,
};

export const ENTITY_KIND_WORDS = {
  企业: 'enterprise',
  小微企业: 'enterprise',
  公司: 'enterprise',
  enterprise: 'enterprise',
  个体工商户: 'individual',
  个体户: 'individual',
  个体: 'individual',
  individual: 'individual',
  农民专业合作社: 'cooperative',
  合作社: 'cooperative',
  cooperative: 'cooperative',
} as const;
export const ENTITY_STATUS_WORDS = {
  存续: 'active',
  在营: 'active',
  开业: 'active',
  在业: 'active',
  在册: 'active',
  '存续（在营、开业、在册）': 'active',
  '在营（开业）': 'active',
  '在营（开业）企业': 'active',
  '存续（在营）': 'active',
  '存续/在业': 'active',
  // How other provinces' systems word 存续 (the 总局's answer lists them).
  在营在册: 'active',
  在业在册: 'active',
  正常在业: 'active',
  正常经营: 'active',
  经营: 'active',
  // As 个体工商户 lists and county extracts word 存续 (round 16's leftover): trading, the licence in force.
  营业: 'active',
  正常营业: 'active',
  在营业: 'active',
  有效: 'active',
  确立: 'active',
  正常: 'active',
  // Not ended: 歇业 (the 2022 条例's suspension, up to three years), 停业 and 清算 keep the registration.
  歇业: 'active',
  停业: 'active',
  清算: 'active',
  清算中: 'active',
  迁入: 'active', // moved in: registered here now
  已开业: 'active',
  拟注销: 'active', // a 注销 announced (简易注销公告), not yet done
  解散: 'active', // dissolved by its owners, not yet 注销
  已告解散: 'active',
  非正常户: 'active', // a tax standing, not a registration's
  登记成立: 'active',
  成立: 'active',
  设立: 'active',
  active: 'active',
  注销: 'deregistered',
  已注销: 'deregistered',
  注销企业: 'deregistered',
  // The 注销登记 done (撤销登记 below is the registration's revocation): how older systems name the state after it.
  注销登记: 'deregistered',
  已注销登记: 'deregistered',
  企业已注销: 'deregistered',
  内资注销: 'deregistered',
  外资注销: 'deregistered',
  简易注销: 'deregistered',
  企业直接申请注销: 'deregistered',
  注吊销: 'deregistered',
  吊销后注销: 'deregistered',
  个体转企业: 'deregistered', // the 个体工商户's registration ends; the enterprise is a new entity
  deregistered: 'deregistered',
  吊销: 'revoked',
  '吊销，未注销': 'revoked',
  吊销未注销: 'revoked',
  '吊销，已注销': 'deregistered',
  吊销企业: 'revoked',
  已吊销: 'revoked',
  吊销营业执照: 'revoked',
  已吊销营业执照: 'revoked',
  被吊销: 'revoked',
  内资吊销: 'revoked',
  外资吊销: 'revoked',
  责令关闭: 'revoked', // closed by order: no longer trading, the registration not yet cancelled
  撤销: 'revoked',
  已撤销: 'revoked',
  撤销登记: 'revoked',
  revoked: 'revoked',
  迁出: 'moved_out',
  已迁出: 'moved_out',
  迁移异地: 'moved_out',
  已迁出企业: 'moved_out',
  迁往市外: 'moved_out',
  市外迁出: 'moved_out',
  迁往外省市: 'moved_out',
  moved_out: 'moved_out',
} as const;
export const ZONE_KIND_WORDS = {
  专业市场: 'market',
  市场: 'market',
  market: 'market',
  园区: 'park',
  park: 'park',
  楼宇: 'building',
  商务楼宇: 'building',
  building: 'building',
  商圈: 'district',
  district: 'district',
} as const;
const SIZE_WORDS = {
  微型: 'micro',
  micro: 'micro',
  小型: 'small',
  small: 'small',
  中型: 'medium',
  medium: 'medium',
  大型: 'large',
  large: 'large',
} as const;
export const ORG_FORM_WORDS: Record<string, number> = {
  '0': 0,
  '1': 1,
  '2': 2,
  '3': 3,
  未建立: 0,
  未建: 0,
  未组建: 0,
  未成立: 0,
  未组建党支部: 0,
  未成立党组织: 0,
  未建立党组织: 0,
  无: 0,
  // No organization, as a county's summary words it.
  无党组织: 0,
  未建党组织: 0,
  党支部: 1,
  联合党支部: 1,
  支部: 1,
  // The organizations by their full names (党总支 is the 党总支部委员会), as summaries write them.
  党支部委员会: 1,
  党总支: 2,
  总支: 2,
  党总支部: 2,
  党总支部委员会: 2,
  联合党总支: 2,
  党委: 3,
  党委员会: 3,
  基层党委: 3,
  联合党委: 3,
};
export const ORG_WAY_WORDS: Record<string, number> = {
  '1': 1,
  '2': 2,
  '3': 3,
  '4': 4,
  '5': 5,
  单独组建: 1,
  单独建: 1,
  单独建立: 1,
  单独建立党组织: 1,
  单独组建党组织: 1,
  联合组建: 2,
  联合建: 2,
  联合建立: 2,
  联合建立党组织: 2,
  联合组建党组织: 2,
  加入社区党组织: 3,
  加入个私协会党组织: 4,
  '加入民营（私营）企业协会党组织': 4,
  加入上级公司党组织: 5,
  '加入上级企业（母公司）党组织': 5,
};

const industry = z.string().transform((v, ctx) => {
  const r = parseIndustryText(v);
  if (!r) {
    ctx.addIssue({
      code: 'custom',
      message: `行业"${v.trim()}"无法识别：应为 GB/T 4754-2017 的门类字母或名称（如 F、批发和零售业）、大类代码或名称（如 52、零售业）`,
    });
    return z.NEVER;
  }
  return r;
});

/** An optional field: blank, or a dash or a slash, is absent. */
export const opt = <T extends z.ZodType>(s: T) => z.preprocess(blankToUndefined, s.optional());
/** An optional code, date or phone: also absent when the cell says 无, 不详 … (NOTHING). */
export const optValue = <T extends z.ZodType>(s: T) => z.preprocess(nothingToUndefined, s.optional());

/** The fields of a file that hold 身份证号 (an Excel cut is judged over their columns, ExcelCutColumns). */
export const ID_NUMBER_FIELDS = ['idNumber', 'repIdNumber', 'liaisonIdNumber'];
/** Why a 身份证号 of a column Excel cut is refused though its check digit holds. */
export const EXCEL_CUT_COLUMN_MESSAGE = longNumberMessage('身份证号', '末三位为 000（本列多个号码如此）');

/**
 * A passport, 港澳居民来往内地通行证, 香港身份证 or 台胞证 number, or a 外国人永久居留身份证 of the 2004
 * form (its nationality's three letters and 12 digits, USA110079060901): no 居民身份证号 however it is typed.
 */
const OTHER_DOCUMENT = /^[A-Z]{1,2}\d{6,10}(\([0-9A-Z]\))?$|^\d{8,10}$|^[A-Z]{3}\d{12}$/;

/**
 * 法定代表人/经营者证件号码 as registry extracts hold it: a 居民身份证号 is checked (a typo refuses
 * the row); the document of a foreign or Hong Kong, Macao or Taiwan representative is no
 * 身份证号, and the row is read without it (XGZ keeps the 身份证号 a roster can be matched on).
 */
export const representativeIdField = z.preprocess(
  (v) => (typeof v === 'string' && OTHER_DOCUMENT.test(normaliseCode(v).value) ? undefined : v),
  optValue(idNumberField),
);

/** …and an export for a 个体工商户 without a 字号. */
const NO_NAME = new RegExp(`^(${NOTHING}|[*＊]+|无字号|[（(]无字号[)）])$`, 'i');

/**
 * An optional personal field an export masked (320102********1234, 139****5000) is absent: the
 * row is imported without it, and the job counts such values (withheldValues).
 */
const unlessMasked = <T extends z.ZodType>(s: T) =>
  z.preprocess((v) => (typeof v === 'string' && isMasked(v) ? undefined : v), s);

/**
 * 登记状态 as registry systems print it. Blank (or no such column) says nothing: an entity on file
 * keeps its status (a 注销 one does not come back to 存续 because a later list omits the column), a
 * new one is 存续 (writers/registry.ts).
 */
export const entityStatusField = z.preprocess(
  (v) => blankToUndefined(typeof v === 'string' ? statusWithoutEntity(v) : v),
  choice('登记状态', ENTITY_STATUS_WORDS).optional(),
);

/**
 * A 登记状态 as the registry lists title their classes of entity: 在营企业, 吊销，未注销企业, 已注销企业,
 * 迁出企业 (个体工商户 lists: 注销户) — the state is the word before 企业/户 (round 16: refused as unknown).
 * A word of the list as it stands (注销企业, 吊销企业) is left as it is.
 */
function statusWithoutEntity(v: string): string {
  const t = v.trim();
  if (Object.hasOwn(ENTITY_STATUS_WORDS, t)) return v;
  const m = /^(.+?)(?:企业|户)$/.exec(t);
  // Only a word of the list: a refusal names the value as written.
  return m && choiceKey(m[1], ENTITY_STATUS_WORDS) !== undefined ? m[1] : v;
}

const KIND_WORD = { enterprise: '企业', individual: '个体工商户', cooperative: '农民专业合作社' } as const;
/** 机构类别, the second character of a 统一社会信用代码 issued by 市场监管 (GB 32100-2015). */
const KIND_DIGIT = { enterprise: '1', individual: '2', cooperative: '3' } as const;

/** The kind a 统一社会信用代码 names, when 市场监管 issued it (first character 9); null for another department's code. */
function kindOfUscc(uscc: string): keyof typeof KIND_WORD | null {
  if (uscc[0] !== '9') return null;
  return (Object.keys(KIND_DIGIT) as (keyof typeof KIND_DIGIT)[]).find((k) => KIND_DIGIT[k] === uscc[1]) ?? null;
}

/**
 * The kind a row's keys name: its 统一社会信用代码's, or where it has none its 注册号's (an old
 * 个体工商户 list gives the 15-digit number only, and no type: its 7th digit says it, kindOfRegNo).
 */
const kindOfKeys = (r: { uscc?: string; regNo?: string }): keyof typeof KIND_WORD | null =>
  r.uscc ? kindOfUscc(r.uscc) : r.regNo ? kindOfRegNo(r.regNo) : null;

export const registryRow = z
  .object({
    uscc: optValue(usccField),
    regNo: optValue(regNoField),
    // A 个体工商户 may have no 字号: exports leave the name blank or write a placeholder.
    name: z
      .preprocess((v) => (typeof v === 'string' && NO_NAME.test(v.trim()) ? '' : v), optionalText(200, '名称'))
      .transform((v) => v && normaliseEntityName(v))
      .superRefine((v, ctx) => {
        if (v && LOST_CHARACTER.test(v)) ctx.addIssue({ code: 'custom', message: lostCharacterMessage('名称', v) });
      }),
    // Blank (or no such column): the 统一社会信用代码's second character says it, checked below.
    kind: z.preprocess(
      (v) => v ?? '',
      z.string().transform((v, ctx) => {
        if (saysNothing(v)) return null;
        const r = parseEntityType(v);
        if (!r.ok) {
          ctx.addIssue({ code: 'custom', message: r.reason });
          return z.NEVER;
        }
        return r;
      }),
    ),
    status: entityStatusField,
    registeredOn: optValue(dateField('成立日期')),
    address: optionalText(300, '住所').transform(halfWidthAlnum),
    countyCode: z
      .string()
      .trim()
      .regex(/^\d{6}$/, '所属县区代码应为 6 位行政区划代码'),
    stationCode: optValue(
      z
        .string()
        .trim()
        .regex(/^\d{9}$/, '基层所代码应为 9 位（县区代码 + 3 位所代码）'),
    ),
    zoneName: optionalText(100, '所在区域'),
    zoneKind: opt(choice('区域类型', ZONE_KIND_WORDS)),
    industry: optValue(industry),
    sizeClass: opt(choice('企业规模', SIZE_WORDS)),
    employees: optCount('从业人数'),
    repName: opt(personName('法定代表人/经营者姓名')),
    repIdNumber: unlessMasked(representativeIdField),
    repPhone: unlessMasked(optValue(contactPhoneField)),
    liaisonName: opt(personName('联络员姓名')),
    liaisonIdNumber: unlessMasked(representativeIdField),
    liaisonPhone: unlessMasked(optValue(contactPhoneField)),
  })
  .superRefine((r, ctx) => {
    entityKeyIssues(r, ctx);
    const codeSays = r.uscc ? kindOfUscc(r.uscc) : null;
    const kind = r.kind?.kind ?? kindOfKeys(r);
    if (!kind) {
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: r.uscc
          ? `主体类型为空，统一社会信用代码"${r.uscc}"也不表明类型（不是市场监管部门核发的代码），请填写主体类型（如 个体工商户、有限责任公司、农民专业合作社）`
          : r.regNo && parseRegNo(r.regNo).ok
            ? `主体类型为空：注册号"${r.regNo}"第 7 位为 ${r.regNo[6]}，不能区分企业与农民专业合作社，请填写主体类型（如 有限责任公司、农民专业合作社）`
            : '主体类型为空：没有统一社会信用代码时须填写主体类型（如 个体工商户、有限责任公司、农民专业合作社）',
      });
      return;
    }
    if (!r.name && !(kind === 'individual' && r.repName))
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: kind === 'individual' ? '名称不能为空（无字号的个体工商户须填写经营者姓名）' : '名称不能为空',
      });
    if (r.stationCode && !String(r.stationCode).startsWith(r.countyCode))
      ctx.addIssue({ code: 'custom', path: ['stationCode'], message: '基层所不属于所填县区' });
    if (r.zoneName && !r.zoneKind)
      ctx.addIssue({
        code: 'custom',
        path: ['zoneKind'],
        message: '填写了所在区域时须填写区域类型（专业市场/园区/楼宇/商圈）',
      });
    for (const p of ['rep', 'liaison'] as const) {
      if ((r[`${p}IdNumber`] || r[`${p}Phone`]) && !r[`${p}Name`])
        ctx.addIssue({ code: 'custom', path: [`${p}Name`], message: '填写了证件号或手机时须填写姓名' });
    }
    if (codeSays && r.kind && codeSays !== r.kind.kind)
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: `主体类型"${r.kind.typeName}"与统一社会信用代码不符：代码第 2 位"${r.uscc![1]}"表示${KIND_WORD[codeSays]}（${KIND_WORD[r.kind.kind]}应为"${KIND_DIGIT[r.kind.kind]}"），请核对主体类型或统一社会信用代码`,
      });
  })
  // The registration system's type is kept as written (entity.reg_type); kind is XGZ's.
  // A 个体工商户 without a 字号 is known by its operator, as the registry shows it.
  // A kind read off the code has no registration type: one on file stays (the writer keeps it).
  .transform(({ kind, ...r }) => ({
    ...r,
    name: r.name ?? `${r.repName}（个体工商户）`,
    kind: kind?.kind ?? kindOfKeys(r)!,
    regType: kind?.typeName,
  }));
export type RegistryRow = {
  uscc?: string;
  regNo?: string;
  name: string;
  kind: 'enterprise' | 'individual' | 'cooperative';
  /** 市场主体类型 as the registration system names it. */
  regType?: string;
  /** Absent when the row does not say (see entityStatusField). */
  status?: 'active' | 'deregistered' | 'revoked' | 'moved_out';
  registeredOn?: string;
  address: string | null;
  countyCode: string;
  stationCode?: string;
  /** The station was worked out from the registering authority, street or address (the file names none): a guess, which never moves an entity already placed in its county. */
  stationDerived?: boolean;
  zoneName: string | null;
  zoneKind?: 'market' | 'park' | 'building' | 'district';
  industry?: { section: string; division: string | null };
  sizeClass?: 'micro' | 'small' | 'medium' | 'large';
  employees?: number;
  repName?: string;
  repIdNumber?: { value: string; birthDate: string; sex: 'male' | 'female' };
  repPhone?: string;
  liaisonName?: string;
  liaisonIdNumber?: { value: string; birthDate: string; sex: 'male' | 'female' };
  liaisonPhone?: string;
};

export const FILING_WORDS = {
  已报送: 'filed',
  已公示: 'filed',
  // As the supervision platforms and clerks word it.
  已年报: 'filed',
  已报: 'filed',
  filed: 'filed',
  逾期补报: 'late',
  补报: 'late',
  逾期报送: 'late',
  逾期年报: 'late',
  逾期已年报: 'late',
  逾期已报送: 'late',
  late: 'late',
  未报送: 'not_filed',
  未年报: 'not_filed',
  未报: 'not_filed',
  not_filed: 'not_filed',
} as const;

export const annualReportRow = z
  .object({
    uscc: optValue(usccField),
    regNo: optValue(regNoField),
    year: z
      .string()
      .trim()
      .transform((v, ctx) => {
        const y = Number(/^(\d{4})\s*(年度?)?$/.exec(toHalfWidth(v))?.[1] ?? NaN); // 2023, 2023年, 2023年度
        if (Number.isNaN(y) || y < 2013 || y >= Number(today().slice(0, 4))) {
          ctx.addIssue({ code: 'custom', message: `年报年度"${v}"无效（应为 2013 年至去年之间的四位年份）` });
          return z.NEVER;
        }
        return y;
      }),
    filingStatus: z
      .preprocess(blankToUndefined, choice('报送状态', FILING_WORDS).optional())
      .transform((v) => v ?? 'filed'),
    filedOn: optValue(dateField('报送日期')),
    employees: optCount('从业人数'),
    hasMembers: opt(yesNo('是否有党员')),
    partyMembers: optCount('党员人数', 1_000_000),
    partyOrgForm: opt(choice('党组织建立形式', ORG_FORM_WORDS)),
    // The report system writes 0 where there is no organization to have a way.
    partyOrgWay: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '0' ? '' : v),
      opt(choice('党组织建立方式', ORG_WAY_WORDS)),
    ),
    partyOrgSetOn: optValue(monthOrDateField('党组织建立时间')),
    repIsMember: opt(choice('法定代表人是否党员', PARTY_MEMBER_WORDS)),
    repIsSecretary: opt(yesNo('法定代表人是否党组织书记')),
    orgSetUp: opt(choice('是否成立党组织', ORG_SET_UP_WORDS)),
  })
  .superRefine((r, ctx) => {
    entityKeyIssues(r, ctx);
    for (const [field, message] of orgContradictions(r)) ctx.addIssue({ code: 'custom', path: [field], message });
    const members = memberCountIssue(r);
    if (members) ctx.addIssue({ code: 'custom', path: [members[0]], message: members[1] });
    if (r.partyMembers !== undefined && r.employees !== undefined && r.partyMembers > r.employees) {
      ctx.addIssue({
        code: 'custom',
        path: ['partyMembers'],
        message: `党员人数（${r.partyMembers}）不能多于从业人数（${r.employees}）`,
      });
    }
  })
  // Individual-business reports say only whether a branch was set up (partOrgIs 1/0).
  // 是否有党员 否 with the count left blank says the count: none.
  .transform(({ hasMembers, ...r }) => ({
    ...r,
    partyMembers: r.partyMembers ?? (hasMembers === false ? 0 : undefined),
    partyOrgForm: r.partyOrgForm ?? (r.orgSetUp === undefined ? undefined : r.orgSetUp ? 1 : 0),
  }));

/**
 * 是否有党员 against 党员人数: a 否 beside a count above 0, or a 是 beside 0, is at odds with itself;
 * a 是 without a count leaves the members uncounted, and a count is what the ledger keeps (the
 * entity's members, the 有党员未建组织 list): the clerk is asked for it rather than a number made up.
 */
export function memberCountIssue(r: { hasMembers?: boolean; partyMembers?: number }): [string, string] | null {
  if (r.hasMembers === false && (r.partyMembers ?? 0) > 0)
    return ['hasMembers', `是否有党员为"否"，党员人数却为 ${r.partyMembers}，请核对`];
  if (r.hasMembers === true && r.partyMembers === 0) return ['hasMembers', '是否有党员为"是"，党员人数却为 0，请核对'];
  if (r.hasMembers === true && r.partyMembers === undefined)
    return ['partyMembers', '是否有党员为"是"，党员人数为空：请填写党员人数（含预备党员）后重新导入'];
  return null;
}
/**
 * An annual report that says both that there is no party organization and what it is: 是否成立党组织
 * 否 beside a 党组织建立形式, or 建立形式 未建立 beside a 建立方式 or 建立时间 (the report system clears those
 * when there is none). Which half is true only the clerk can tell, so the row is refused.
 */
export function orgContradictions(r: {
  orgSetUp?: boolean;
  partyOrgForm?: number;
  partyOrgWay?: number;
  partyOrgSetOn?: string;
}): [string, string][] {
  const details = r.partyOrgWay !== undefined || r.partyOrgSetOn !== undefined;
  if (r.orgSetUp === false && ((r.partyOrgForm ?? 0) > 0 || details))
    return [['orgSetUp', '是否成立党组织为"否"，却填写了党组织的建立形式、方式或时间，请核对']];
  if (r.orgSetUp === true && r.partyOrgForm === 0)
    return [['orgSetUp', '是否成立党组织为"是"，党组织建立形式却为未建立，请核对']];
  if (r.partyOrgForm === 0 && details)
    return [['partyOrgForm', '党组织建立形式为未建立，却填写了建立方式或建立时间，请核对']];
  return [];
}

export type AnnualReportRow = {
  uscc?: string;
  regNo?: string;
  year: number;
  filingStatus: 'filed' | 'late' | 'not_filed';
  filedOn?: string;
  employees?: number;
  partyMembers?: number;
  partyOrgForm?: number;
  partyOrgWay?: number;
  partyOrgSetOn?: string;
  repIsMember?: boolean;
  repIsSecretary?: boolean;
};

type MemberStatus = 'normal' | 'mobile' | 'lost' | 'abroad' | 'other' | 'transferred_out' | 'stopped' | 'deceased';

/**
 * A row of the member roster the organization department shares. A member may have no ID number
 * (about a fifth of hand-kept rosters lack one: the member is then matched on name, birth date and
 * phone), but a number that is written is checked like any other: one Excel turned into
 * scientific notation, or with a wrong check digit, refuses the row rather than being dropped.
 */
export const rosterRow = z
  .object({
    name: personName('姓名'),
    // The key of a member: a masked number would make another person of them, or none.
    // The key of a member: a masked number would make another person of them, or none.
    idNumber: z.preprocess((v, ctx) => {
      if (typeof v === 'string' && isMasked(v))
        ctx.addIssue({ code: 'custom', message: '身份证号已被脱敏（含 *），无法识别此人，请使用未脱敏的名册' });
      return nothingToBlank(v);
    }, representativeIdField),
    sex: opt(
      // GB/T 2261.1: 1 男, 2 女.
      choice<'male' | 'female'>('性别', {
        男: 'male',
        女: 'female',
        男性: 'male',
        女性: 'female',
        male: 'male',
        female: 'female',
        '1': 'male',
        '2': 'female',
      }),
    ),
    /** 'YYYY-MM-DD', or 'YYYY-MM' when the roster gives the month only. */
    birthDate: optValue(birthField('出生日期')),
    joinDate: optValue(monthOrDateField('入党日期')),
    confirmedOn: optValue(monthOrDateField('转正日期')),
    // Read to tell a member whose relation has left the organization (leftOn): 转入日期 is not kept.
    transferredInOn: optValue(monthOrDateField('转入日期')),
    transferredOutOn: optValue(monthOrDateField('转出日期')),
    membership: notYetMember.pipe(
      choice<'full' | 'probationary'>('人员类别', {
        正式党员: 'full',
        正式: 'full',
        full: 'full',
        // 政治面貌 as personnel lists write it (GB/T 4762: 中国共产党党员, 中国共产党预备党员, and their short forms).
        中共党员: 'full',
        中国共产党党员: 'full',
        // As the member system's 人员类别 (and county rosters) word it.
        中共正式党员: 'full',
        中国共产党正式党员: 'full',
        预备党员: 'probationary',
        预备: 'probationary',
        中共预备党员: 'probationary',
        中国共产党预备党员: 'probationary',
        probationary: 'probationary',
      }),
    ),
    orgRelation: optionalText(200, '组织关系所在党组织'),
    orgRelationCode: optionalText(60, '党组织代码'),
    memberStatus: z.preprocess(
      blankToUndefined,
      notLeftParty
        .pipe(
          choice<MemberStatus>('党员状态', {
            正常: 'normal',
            // As county rosters word it (round 16).
            正常党员: 'normal',
            党籍正常: 'normal',
            流动: 'mobile',
            流动党员: 'mobile',
            // The national member system's words for a mobile member, by the side the roster is kept on.
            流出: 'mobile',
            流出党员: 'mobile',
            流入: 'mobile',
            流入党员: 'mobile',
            外出流动党员: 'mobile',
            失联: 'lost',
            失去联系: 'lost',
            出国境: 'abroad',
            出国: 'abroad',
            '出国（境）': 'abroad',
            '出国（境）党员': 'abroad',
            出国境党员: 'abroad',
            失联党员: 'lost',
            失去联系党员: 'lost',
            // What a member-missing case concludes (domain/cases/workflow.ts ABSENT_RESULT), as a roster may state it.
            停止党籍: 'stopped',
            已转出: 'transferred_out',
            转出: 'transferred_out',
            去世: 'deceased',
            死亡: 'deceased',
            // As a 党委's own list words them (round 20).
            已停止党籍: 'stopped',
            组织关系已转出: 'transferred_out',
            组织关系转出: 'transferred_out',
            已去世: 'deceased',
            已故: 'deceased',
            病故: 'deceased',
            已死亡: 'deceased',
            其他: 'other',
          }),
        )
        .optional(),
    ),
    // The organization department's export states these apart from 党籍状态 (which says 正常 for them).
    lostFlag: opt(yesNo('是否失联党员')),
    abroadFlag: opt(yesNo('是否出国（境）党员')),
    mobileFlag: opt(choice('是否流动党员', MOBILE_FLAG_WORDS)),
    // 联系电话 as the registry reads it (the mobile of "0512-6523456转801/13912345678"), kept only when
    // a mobile: a member known by name is matched on it, and a fixed line is shared by a workplace
    // (the job counts those not kept, withheldValues).
    phone: z
      .preprocess(nothingToBlank, unlessMasked(opt(contactPhoneField)))
      .transform((v) => (v && MOBILE.test(v) ? v : undefined)),
    occupation: optionalText(60, '职业'),
    workplace: optionalText(200, '工作单位'),
  })
  .superRefine((r, ctx) => {
    rosterContradictions(r).forEach(([field, message]) => ctx.addIssue({ code: 'custom', path: [field], message }));
  })
  .transform(({ lostFlag, abroadFlag, mobileFlag, transferredInOn, transferredOutOn, ...r }) => {
    const leftOn =
      transferredOutOn && !(transferredInOn && transferredInOn > transferredOutOn) ? transferredOutOn : null;
    return {
      ...r,
      memberStatus: leftOn
        ? ('transferred_out' as const)
        : memberStatusOf(r.memberStatus, { lostFlag, abroadFlag, mobileFlag }),
      /** The 转出日期 of a member whose relation went out (not followed by a later 转入日期). */
      leftOn: leftOn ?? undefined,
    };
  });

const SEX_LABEL = { male: '男', female: '女' } as const;

/**
 * A roster row saying the member's relation went out (a 转出日期 not followed by a later 转入日期,
 * or 党籍状态 已转出): the member is no longer held by the organization whose roster this is. The
 * row creates no member; it records the member held at the importer's node as 已转出 (on that
 * date), and is refused, saying so, when no member is held there (jobs/import/writers/roster.ts).
 */
export const leavesRoster = (r: Pick<RosterRow, 'memberStatus'>) => r.memberStatus === 'transferred_out';

/** Why a row saying the member left was not recorded: no member of its keys is held at the importer's node. */
export const leftUnknownMessage = (r: Pick<RosterRow, 'leftOn'>) =>
  `${r.leftOn ? `组织关系已于 ${r.leftOn} 转出` : '党籍状态为已转出'}，但本单位名册中没有此党员，无从记录转出，此行未导入（转入的党组织导入其名册时登记此人）`;

/**
 * What a roster row says against itself: a 性别 or 出生日期 other than the ID number's (the number
 * would win without a word), a member under 18, or who joined before 18 (or before birth), a 预备党员 with a
 * 转正日期, a 转正日期 before the 入党日期.
 */
function rosterContradictions(r: {
  idNumber?: { birthDate: string; sex: 'male' | 'female' };
  sex?: 'male' | 'female';
  birthDate?: string;
  joinDate?: string;
  confirmedOn?: string;
  membership: 'full' | 'probationary';
}): [string, string][] {
  const out: [string, string][] = [];
  const id = r.idNumber;
  if (id && r.sex && r.sex !== id.sex)
    out.push(['sex', `性别"${SEX_LABEL[r.sex]}"与身份证号不符（身份证号为${SEX_LABEL[id.sex]}性）`]);
  if (id && r.birthDate && !id.birthDate.startsWith(r.birthDate))
    out.push(['birthDate', `出生日期"${r.birthDate}"与身份证号不符（身份证号为 ${id.birthDate}）`]);
  const birth = id?.birthDate ?? r.birthDate;
  // To the month: a roster may give either date to the month only.
  const adult = birth && `${Number(birth.slice(0, 4)) + 18}${birth.slice(4, 7)}`;
  // A member is 18 at least (a two-digit year read as this century, Jul-19, would make a child).
  if (adult && today().slice(0, 7) < adult)
    out.push([
      'birthDate',
      `出生日期 ${birth} 距今不满 18 周岁，不可能是党员：请核对出生日期（两位数年份按不晚于今年读，如 19 读作 2019）`,
    ]);
  else if (adult && r.joinDate) {
    if (r.joinDate.slice(0, 7) < adult)
      out.push(['joinDate', `入党日期 ${r.joinDate} 时未满 18 周岁（出生日期 ${birth}），请核对入党日期与出生日期`]);
  }
  if (r.membership === 'probationary' && r.confirmedOn)
    out.push(['membership', `人员类别为预备党员，却填写了转正日期 ${r.confirmedOn}：已转正的应为正式党员`]);
  if (r.joinDate && r.confirmedOn && r.confirmedOn < r.joinDate)
    out.push(['confirmedOn', `转正日期 ${r.confirmedOn} 早于入党日期 ${r.joinDate}`]);
  return out;
}

/**
 * A member's status from 党籍状态 and the 是否失联/出国（境）/流动党员 columns: a status other than
 * 正常 as stated (停止党籍 stays so); else 失联 before 出国（境） before 流动 (the one that needs
 * finding first); else 正常.
 */
function memberStatusOf(
  stated: MemberStatus | undefined,
  flags: { lostFlag?: boolean; abroadFlag?: boolean; mobileFlag?: boolean },
): MemberStatus {
  if (stated && stated !== 'normal') return stated;
  if (flags.lostFlag) return 'lost';
  if (flags.abroadFlag) return 'abroad';
  if (flags.mobileFlag) return 'mobile';
  return 'normal';
}
export type RosterRow = z.infer<typeof rosterRow>;

/**
 * 人员类别 of a roster that has no such column, by its dates: a 转正日期 makes a 正式党员; without
 * one, a member who joined more than two years ago is one too (the probation is a year, extended by
 * a year at most: the member was then confirmed or is no longer on the roll; hand-kept rosters leave
 * an old member's 转正日期 blank when nobody knows it); else a 预备党员.
 */
export function membershipByDates(
  joinDate: string,
  confirmedOn: string,
  on: string = today(),
): '正式党员' | '预备党员' {
  if (!saysNothing(confirmedOn)) return '正式党员';
  const joined = monthOrDateField('入党日期').safeParse(joinDate);
  const twoYearsBefore = `${Number(on.slice(0, 4)) - 2}${on.slice(4)}`;
  return joined.success && joined.data < twoYearsBefore ? '正式党员' : '预备党员';
}

/** Why a value of an accepted row was read and not stored. */
type Withheld = 'masked' | 'fixedLine';

/** The optional personal fields whose masked values are taken as absent (unlessMasked), by file kind. */
const MASKABLE: Partial<Record<string, readonly string[]>> = {
  registry: ['repIdNumber', 'repPhone', 'liaisonIdNumber', 'liaisonPhone'],
  roster: ['phone'],
};

/**
 * What becomes of a masked value in a field: absent (the row is imported without it), refused (a
 * key: the row cannot say whom or what it is about), or null for a field no export masks.
 */
export function maskedValueFate(kind: string, field: string): 'absent' | 'refused' | null {
  if (MASKABLE[kind]?.includes(field)) return 'absent';
  return ['uscc', 'regNo', 'idNumber'].includes(field) ? 'refused' : null;
}

const WITHHELD_WORDS: Record<Withheld, string> = {
  masked: '已脱敏（含 *），未保存',
  fixedLine: '是固定电话，未保存（比对党员只用手机号）',
};

/**
 * The values of accepted rows that were read and not stored, counted by column for the job's
 * result (nothing a file holds is dropped unsaid): masked personal data, and a roster's fixed line.
 */
export class WithheldTally {
  private readonly counts = new Map<string, { field: string; why: Withheld; n: number }>();

  add(kind: string, input: Record<string, string | undefined>, row: { phone?: string }): void {
    for (const field of MASKABLE[kind] ?? []) {
      const v = input[field]?.trim();
      if (!v) continue;
      if (isMasked(v)) this.count(field, 'masked');
      // A roster's phone that was read (invalid ones refuse the row) and not kept is a fixed line.
      else if (kind === 'roster' && !row.phone && nothingToBlank(v) !== '') this.count(field, 'fixedLine');
    }
  }

  private count(field: string, why: Withheld): void {
    const key = `${field}|${why}`;
    const c = this.counts.get(key);
    if (c) c.n++;
    else this.counts.set(key, { field, why, n: 1 });
  }

  /** 列"联系电话"：3 个值已脱敏（含 *），未保存；…, or null when every value read was stored. */
  note(headerOf: (field: string) => string): string | null {
    if (!this.counts.size) return null;
    return [...this.counts.values()]
      .map((c) => `列"${headerOf(c.field)}"：${c.n} 个值${WITHHELD_WORDS[c.why]}`)
      .join('；');
  }
}
