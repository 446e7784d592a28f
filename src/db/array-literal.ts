/**
 * A PostgreSQL array literal ('{1,2,NULL}') of a column of values, built in one pass, for
 * `unnest(${arrayLiteral(xs)}::int[], …)` in the bulk writers. The driver would serialise each
 * element on its own (a function call, type checks and escaping per element); a batch of 10,000
 * rows has tens of thousands. Strings are quoted only when they need it; null is NULL.
 */
export function arrayLiteral(values: readonly (string | number | boolean | null | undefined)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`arrayLiteral: ${v} is not a finite number`);
      parts[i] = String(v);
    } else if (typeof v === 'boolean') parts[i] = v ? 't' : 'f';
    else parts[i] = /^[0-9A-Za-z_.:-]+$/.test(v) && v.toUpperCase() !== 'NULL' ? v : `"${v.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `{${parts.join(',')}}`;
}
