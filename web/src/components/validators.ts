import { MOBILE, parseIdNumber } from '@domain/identifiers/id-number';

/** A form rule that checks an ID number as the server does (the domain's GB 11643 check: length, birth date, check character). */
export const idNumberRule = {
  validator: (_: unknown, v?: string) => {
    if (!v) return Promise.resolve();
    const r = parseIdNumber(v);
    return r.ok ? Promise.resolve() : Promise.reject(new Error(r.reason));
  },
};

/** A form rule that checks a mobile number with the domain's pattern (the one the server's phone fields use). */
export const phoneRule = { pattern: MOBILE, message: '手机号应为 11 位，以 13 至 19 开头' };
