import { encryptField } from '../../crypto/field.js';
import type { Keys } from '../../crypto/keys.js';
import { redactFreeText } from '../../domain/identifiers/free-text.js';

/**
 * Free text from the public as it is kept: ID numbers and phones masked in the text everyone is
 * shown (staff and the person tracking the case), and, when anything was masked, the original
 * SM4-encrypted for the audited reveal.
 */
export function sealFreeText(keys: Keys, text: string): { content: string; contentEnc: string | null } {
  const r = redactFreeText(text);
  return r.found ? { content: r.text, contentEnc: encryptField(keys, text) } : { content: text, contentEnc: null };
}

/** A comment or note from the public: masked (no original is kept). */
export const maskFreeText = (text: string | null | undefined): string | null | undefined =>
  text ? redactFreeText(text).text : text;
