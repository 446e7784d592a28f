export type PasswordPolicy = { minLength: number };

const CLASSES: [RegExp, string][] = [
  [/[a-z]/, '小写字母'],
  [/[A-Z]/, '大写字母'],
  [/[0-9]/, '数字'],
  [/[^A-Za-z0-9]/, '符号'],
];

/** Checks a new password; returns the Chinese reasons it is refused (empty when acceptable). */
export function checkPassword(password: string, username: string, policy: PasswordPolicy): string[] {
  const problems: string[] = [];
  if (password.length < policy.minLength) problems.push(`密码至少 ${policy.minLength} 位`);
  if (password.length > 128) problems.push('密码不能超过 128 位');
  const classes = CLASSES.filter(([re]) => re.test(password)).length;
  if (classes < 3) problems.push('密码须包含大写字母、小写字母、数字、符号中的至少三类');
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('密码不能包含账号名');
  return problems;
}

/** A random password that satisfies the policy (for first start and administrator resets). */
export function generatePassword(random: (n: number) => Buffer, length = 14): string {
  const sets = ['abcdefghijkmnpqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '#%+-=@_'];
  const all = sets.join('');
  const pick = (s: string, b: number) => s[b % s.length];
  const bytes = random(length);
  const chars = Array.from(bytes, (b, i) => (i < sets.length ? pick(sets[i], b) : pick(all, b)));
  // Shuffle so the guaranteed classes do not sit at fixed places.
  const order = random(length);
  return chars
    .map((c, i) => [order[i], c] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, c]) => c)
    .join('');
}
