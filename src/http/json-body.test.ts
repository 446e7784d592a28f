import { describe, expect, it } from 'vitest';
import { jsonShapeProblem } from './json-body.js';

const nestsDeeperThan = (text: string, depth: number) =>
  jsonShapeProblem(text, { depth, members: Infinity }) === 'depth';

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

describe('JSON members', () => {
  it('counts the commas that part members and elements, at every level together, not those inside strings', () => {
    const limits = { depth: 20, members: 4 };
    expect(jsonShapeProblem('{"a":[1,2],"b":{"c":3,"d":4}}', limits)).toBe(null); // 3 commas
    expect(jsonShapeProblem('{"a":[1,2,3],"b":{"c":3,"d":4}}', limits)).toBe('members'); // 4
    expect(jsonShapeProblem('{"a":"1,2,3,4,5,6"}', limits)).toBe(null);
  });
});
