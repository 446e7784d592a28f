/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (no I O Z S V).
 *   1     registration authority (9 = 市场监管/工商)
 *   2     entity category under that authority
 *   3–8   division code of the registering authority (GB/T 2260)
 *   9–17  organization code (GB 11714)
 *   18    check character over 1–17, weights 3^i mod 31
 */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** Authority codes and the categories each may use. */
const CATEGORIES: Record<string, string> = {
  '1': '1239',
  '2': '19',
  '3': '123459',
  '4': '19',
  '5': '1239',
  '6': '129',
  '7': '129',
  '8': '19',
  '9': '123',
  A: '19',
  N: '123459',
  Y: '1',
};

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

export type UsccResult =
  { ok: true; value: string; division: string; authority: string; category: string } | { ok: false; reason: string };

export function parseUscc(input: string): UsccResult {
  const v = input.trim().toUpperCase();
  // The licence number of a registration older than 2007, copied where the code belongs.
  if (/^\d{13}$/.test(v))
    return {
      ok: false,
      reason:
        '此格为 13 位数字：这是 2007 年以前的旧注册号，不是统一社会信用代码，平台不能据此识别主体。请改填该主体的统一社会信用代码（可在国家企业信用信息公示系统查询）',
    };
  if (v.length !== 18) return { ok: false, reason: `统一社会信用代码应为 18 位（实际 ${v.length} 位）` };
  const bad = [...v].find((c) => !USCC_ALPHABET.includes(c));
  if (bad) return { ok: false, reason: `统一社会信用代码含非法字符"${bad}"（不使用 I、O、Z、S、V）` };
  const cats = CATEGORIES[v[0]];
  if (!cats) return { ok: false, reason: `登记管理部门代码"${v[0]}"无效` };
  if (!cats.includes(v[1])) return { ok: false, reason: `机构类别代码"${v[1]}"与登记管理部门"${v[0]}"不符` };
  if (!/^\d{6}$/.test(v.slice(2, 8))) return { ok: false, reason: '第 3–8 位行政区划码应为数字' };
  if (usccCheckChar(v.slice(0, 17)) !== v[17]) return { ok: false, reason: '统一社会信用代码校验位错误' };
  return { ok: true, value: v, division: v.slice(2, 8), authority: v[0], category: v[1] };
}

/**
 * 注册号: the 15-digit number of older registrations; 6-digit authority division, 8-digit
 * sequence, check digit by ISO 7064 MOD 11,10.
 */
export function regNoCheckDigit(first14: string): number {
  let p = 10;
  for (const ch of first14) {
    let s = (p + Number(ch)) % 10;
    if (s === 0) s = 10;
    p = (s * 2) % 11;
  }
  return (11 - p) % 10;
}

/**
 * Why a 注册号 is not of the 15-digit form. A 13-digit one is the number registries issued before
 * GS15-2006 (2007): still printed on old licences and copied into extracts, but no longer the
 * key anything is found by; the clerk is told what to write instead.
 */
export function regNoFormReason(v: string): string {
  return /^\d{13}$/.test(v)
    ? '注册号为 13 位：这是 2007 年以前的旧注册号（现行注册号为 15 位），平台不能据此识别主体。请改填该主体的统一社会信用代码或 15 位注册号（可在国家企业信用信息公示系统查询）；已填统一社会信用代码的，清空此格即可'
    : '注册号应为 15 位数字';
}

/**
 * The kind a 15-digit 注册号 names by its 7th digit, the first of its sequence (GS15-2006 4.3):
 * 6–9 a 个体工商户, 4–5 a 外商投资企业; null for 0–3 (内资企业, which a 农民专业合作社 shares) and
 * for a number whose check digit does not hold (a local system's before the standard).
 */
export function kindOfRegNo(regNo: string): 'individual' | 'enterprise' | null {
  if (!/^\d{15}$/.test(regNo) || regNoCheckDigit(regNo.slice(0, 14)) !== Number(regNo[14])) return null;
  return regNo[6] >= '6' ? 'individual' : regNo[6] >= '4' ? 'enterprise' : null;
}

export function parseRegNo(
  input: string,
): { ok: true; value: string; division: string } | { ok: false; reason: string } {
  const v = input.trim();
  if (!/^\d{15}$/.test(v)) return { ok: false, reason: regNoFormReason(v) };
  if (regNoCheckDigit(v.slice(0, 14)) !== Number(v[14])) return { ok: false, reason: '注册号校验位错误' };
  return { ok: true, value: v, division: v.slice(0, 6) };
}
