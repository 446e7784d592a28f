import { parseIdNumber } from '@domain/identifiers/id-number';

/**
 * A form rule that checks an ID number as the server does where its contract takes the text and the
 * write checks it (a league member's): the domain's GB 11643 check (length, birth date, check
 * character). A field whose contract checks it is validated with `zodRule` instead.
 */
export const idNumberRule = {
  validator: (_: unknown, v?: string) => {
    if (!v) return Promise.resolve();
    const r = parseIdNumber(v);
    return r.ok ? Promise.resolve() : Promise.reject(new Error(r.reason));
  },
};
