/** An account's name: 3–32 characters, a letter first, then letters, digits, _ . - */
export const ACCOUNT_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]{2,31}$/;
export const ACCOUNT_NAME_RULE = '账号名 3–32 位，以字母开头，可含字母、数字、_ . -';

/**
 * What the audit trail keeps of a name typed at sign-in that names no account. A name of an
 * account's shape is kept as typed (the auditor sees which names are tried). Anything else can
 * be no account: people type their phone or ID number there (where other systems sign in by it),
 * or their password, so it is kept masked, its first character and its length only.
 */
export function attemptedName(typed: string): string {
  if (ACCOUNT_NAME.test(typed)) return typed;
  const chars = Array.from(typed);
  return `${chars[0] ?? ''}${'*'.repeat(Math.min(chars.length - 1, 63))}`;
}
