import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-body.js';

describe('JSON nesting depth', () => {
  it('counts the brackets of arrays and objects, not those inside strings', () => {
    expect(nestsDeeperThan('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(nestsDeeperThan(`{"a":"${'['.repeat(100)}"}`, 1)).toBe(false);
    expect(nestsDeeperThan(`{"a":"\\"${'['.repeat(100)}"}`, 1)).toBe(false); // an escaped quote does not end the string
    expect(nestsDeeperThan(`{"a":"\\\\"${',['.repeat(3)}`, 3)).toBe(true); // an escaped backslash does
    expect(nestsDeeperThan('['.repeat(21) + ']'.repeat(21), 20)).toBe(true);
    expect(nestsDeeperThan('[]'.repeat(1000), 1)).toBe(false);
  });
});
