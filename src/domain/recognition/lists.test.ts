import { describe, expect, it } from 'vitest';
import { listProblem } from './lists.js';

describe('configurable code lists', () => {
  const e = (code: string, label: string) => ({ code, label });
  it('keeps codes and labels unique and the list non-empty', () => {
    expect(listProblem([], new Set())).toMatchObject({ field: 'entries' });
    expect(listProblem([e('a', '甲'), e('a', '乙')], new Set())).toEqual({
      field: 'entries.1.code',
      message: '代码 a 重复',
    });
    expect(listProblem([e('a', '甲'), e('b', '甲')], new Set())?.field).toBe('entries.1.label');
    expect(listProblem([e('a', '甲'), e('b', '乙')], new Set())).toBeNull();
  });
  it('refuses to drop a code still in use, and allows renaming it', () => {
    expect(listProblem([e('a', '甲')], new Set(['a', 'b']))?.message).toContain('b');
    expect(listProblem([e('a', '新名称'), e('b', '乙')], new Set(['a', 'b']))).toBeNull();
  });
});
