import { describe, expect, it } from 'vitest';
import { receiptOf } from './receipt.js';

describe('public receipts', () => {
  it('writes 40 random bits as two groups of four base32 characters after the prefix', () => {
    expect(receiptOf('DY', new Uint8Array([0, 0, 0, 0, 0]))).toBe('DY-0000-0000');
    expect(receiptOf('FK', new Uint8Array([255, 255, 255, 255, 255]))).toBe('FK-ZZZZ-ZZZZ');
    expect(receiptOf('DY', new Uint8Array([0x08, 0x86, 0x42, 0x98, 0xe8]))).toBe('DY-1234-5678');
    expect(() => receiptOf('DY', new Uint8Array(4))).toThrow();
  });
});
