import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPassword, generatePassword } from './password-policy.js';

const policy = { minLength: 8 };

describe('password policy', () => {
  it('accepts 8+ characters with three classes not containing the account name', () => {
    expect(checkPassword('Abcdefg1', 'zhang', policy)).toEqual([]);
    expect(checkPassword('abcdef1#', 'zhang', policy)).toEqual([]);
  });
  it('refuses short passwords at the boundary', () => {
    expect(checkPassword('Abcdef1', 'zhang', policy)).toContain('密码至少 8 位');
    expect(checkPassword('Abcdef1#x', 'zhang', { minLength: 10 })).toContain('密码至少 10 位');
  });
  it('refuses fewer than three character classes', () => {
    expect(checkPassword('abcdefgh1', 'zhang', policy).join()).toMatch(/至少三类/);
    expect(checkPassword('ABCDEFGH', 'zhang', policy).join()).toMatch(/至少三类/);
  });
  it('refuses a password containing the account name, in any case', () => {
    expect(checkPassword('Zhang-2026x', 'zhang', policy)).toContain('密码不能包含账号名');
  });
  it('generates passwords that pass the policy', () => {
    for (let i = 0; i < 500; i++) {
      const p = generatePassword((n) => crypto.randomBytes(n));
      expect(checkPassword(p, 'admin', policy)).toEqual([]);
    }
  });
});
