import { describe, expect, it } from 'vitest';
import { arrayLiteral } from './array-literal.js';

describe('arrayLiteral', () => {
  it('writes numbers, booleans and nulls bare, and quotes only the strings that need it', () => {
    expect(arrayLiteral([1, 2, null, 3])).toBe('{1,2,NULL,3}');
    expect(arrayLiteral([true, false, undefined])).toBe('{t,f,NULL}');
    expect(
      arrayLiteral(['92320102ABC', '2024-05-20', 'null', 'NULL', '', 'a b', 'x,y', 'q"uo\\te', '{}', '已报送']),
    ).toBe('{92320102ABC,2024-05-20,"null","NULL","","a b","x,y","q\\"uo\\\\te","{}","已报送"}');
    expect(arrayLiteral([])).toBe('{}');
    expect(() => arrayLiteral([Number.NaN])).toThrow();
  });
});
