import { describe, expect, it } from 'vitest';
import { attemptedName } from './account-name.js';

describe('a name tried at sign-in, as the audit trail keeps it', () => {
  it("keeps a name of an account's shape as typed, and masks anything else (a phone, an ID number, a password)", () => {
    expect(attemptedName('county_editor')).toBe('county_editor');
    expect(attemptedName('13912345678')).toBe('1**********');
    expect(attemptedName('320102197705061234')).toBe('3*****************');
    expect(attemptedName('Xgz#2026-pw!')).toBe('X***********');
    expect(attemptedName('张三')).toBe('张*');
  });
});
