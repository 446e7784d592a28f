/**
 * 居民身份证号码 (GB 11643-1999): 6-digit division, 8-digit birth date, 3-digit sequence (odd =
 * male), check character by ISO 7064 MOD 11-2. First-generation numbers have 15 digits (2-digit
 * year, no check) and are upgraded to 18.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export type IdNumber = {
  value: string;
  division: string;
  birthDate: string;
  sex: 'male' | 'female';
  upgraded: boolean;
};
export type IdResult = ({ ok: true } & IdNumber) | { ok: false; reason: string };

function validDate(y: number, m: number, d: number, today: Date): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return (
    y >= 1900 &&
    dt.getUTCFullYear() === y &&
    dt.getUTCMonth() === m - 1 &&
    dt.getUTCDate() === d &&
    dt.getTime() <= today.getTime()
  );
}

/** knownProvince, when given, checks the two-digit province prefix against the loaded division tree. */
export function parseIdNumber(
  input: string,
  opts: { today?: Date; knownProvince?: (code: string) => boolean } = {},
): IdResult {
  const today = opts.today ?? new Date();
  let v = input.trim().toUpperCase();
  let upgraded = false;
  if (/^\d{15}$/.test(v)) {
    const first17 = `${v.slice(0, 6)}19${v.slice(6)}`;
    v = first17 + idCheckChar(first17);
    upgraded = true;
  } else if (!/^\d{17}[\dX]$/.test(v)) {
    return {
      ok: false,
      reason:
        v.length === 18
          ? '身份证号前 17 位应为数字，末位为数字或 X'
          : `身份证号应为 18 位（或 15 位一代证）（实际 ${v.length} 位）`,
    };
  }
  const y = Number(v.slice(6, 10));
  const m = Number(v.slice(10, 12));
  const d = Number(v.slice(12, 14));
  if (!validDate(y, m, d, today)) return { ok: false, reason: '身份证号中的出生日期无效' };
  if (!upgraded && idCheckChar(v.slice(0, 17)) !== v[17]) return { ok: false, reason: '身份证号校验位错误' };
  if (opts.knownProvince && !opts.knownProvince(v.slice(0, 2)))
    return { ok: false, reason: `身份证号地址码"${v.slice(0, 6)}"不属于任何省份` };
  return {
    ok: true,
    value: v,
    division: v.slice(0, 6),
    birthDate: `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`,
    sex: Number(v[16]) % 2 === 1 ? 'male' : 'female',
    upgraded,
  };
}

/** Masked for display: 320102********1234. */
export const maskIdNumber = (v: string): string =>
  v.length >= 10 ? `${v.slice(0, 6)}${'*'.repeat(v.length - 10)}${v.slice(-4)}` : '*'.repeat(v.length);

/**
 * The birth date to show beside a person's masked ID number: none. The mask hides exactly the
 * number's eight birth digits, so the date beside it would complete the number without the audited
 * reveal; a person without a number shows theirs.
 */
export const birthBesideMaskedId = (idEnc: string | null, birthDate: string | null): string | null =>
  idEnc ? null : birthDate;

/** Mainland mobile numbers: 11 digits starting 1[3-9]. */
export const MOBILE = /^1[3-9]\d{9}$/;
export const maskPhone = (v: string): string =>
  v.length >= 7 ? `${v.slice(0, 3)}${'*'.repeat(v.length - 7)}${v.slice(-4)}` : '*'.repeat(v.length);
