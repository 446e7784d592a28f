import crypto from 'node:crypto';
import { RECEIPT_BYTES, receiptOf, type ReceiptPrefix } from '../domain/cases/receipt.js';

/**
 * Inserts a row under a new random receipt: `insert` writes it with ON CONFLICT (receipt) DO
 * NOTHING and returns undefined when the receipt was taken, and another is drawn (at 40 bits a
 * second draw is already rare; a statement that does nothing leaves the transaction usable).
 */
export async function insertWithReceipt<T>(
  prefix: ReceiptPrefix,
  insert: (receipt: string) => Promise<T | undefined>,
): Promise<{ receipt: string; row: T }> {
  for (let tries = 0; tries < 5; tries++) {
    const receipt = receiptOf(prefix, crypto.randomBytes(RECEIPT_BYTES));
    const row = await insert(receipt);
    if (row !== undefined) return { receipt, row };
  }
  throw new Error('no free receipt after 5 draws');
}
