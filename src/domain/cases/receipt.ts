/**
 * Receipt numbers given to the public (党员报到 DY…, a plaque's 反映 FK…). They were the row's
 * serial (DY00000001…), which told anyone who filed two how many had been filed between, and let a
 * caller who claimed a receipt on the phone name any other. A receipt is now 8 random characters
 * of Crockford's base32 (40 bits: a trillion values, no I, L, O or U to misread), grouped in fours
 * so it can be read out: DY-7K3M-9QXP. Nothing on the public side is looked up by it (a plaque
 * report's progress opens with its 130-bit query code, as an appeal's): it is only shown to the
 * staff who work the report (the case, the plaque's reports), inside their own jurisdiction.
 */
export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type ReceiptPrefix = 'DY' | 'FK';
export const RECEIPT_BYTES = 5;

/** A receipt from 5 random bytes (the caller draws them: crypto.randomBytes(RECEIPT_BYTES)). */
export function receiptOf(prefix: ReceiptPrefix, bytes: Uint8Array): string {
  if (bytes.length !== RECEIPT_BYTES) throw new Error(`a receipt takes ${RECEIPT_BYTES} random bytes`);
  let bits = 0;
  let n = 0;
  let out = '';
  for (const b of bytes) {
    bits = (bits << 8) | b;
    n += 8;
    while (n >= 5) {
      out += CROCKFORD[(bits >> (n - 5)) & 31];
      n -= 5;
      bits &= (1 << n) - 1;
    }
  }
  return `${prefix}-${out.slice(0, 4)}-${out.slice(4)}`;
}
