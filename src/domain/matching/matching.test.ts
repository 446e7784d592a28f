import { describe, expect, it } from 'vitest';
import { compareDates, compareNames, compareValues } from './compare.js';
import { DEFAULT_MODEL, decide, estimateU, score } from './fellegi-sunter.js';

describe('field comparisons', () => {
  it('names: exact, homophone, one character, different', () => {
    expect(compareNames('王伟', '王伟')).toBe('exact');
    expect(compareNames('王伟', '王玮')).toBe('homophone');
    expect(compareNames('张晓明', '张小明')).toBe('homophone');
    expect(compareNames('李建国', '李建华')).toBe('one_char');
    expect(compareNames('李建国', '赵建国')).toBe('different');
    expect(compareNames('王伟', '王伟强')).toBe('different');
  });
  it('dates: exact, a swapped or wrong digit, different, missing', () => {
    expect(compareDates('1985-06-01', '1985-06-01')).toBe('exact');
    expect(compareDates('1985-06-01', '1985-06-10')).toBe('transposed');
    expect(compareDates('1985-06-01', '1985-06-07')).toBe('transposed');
    expect(compareDates('1985-06-01', '1986-07-01')).toBe('different');
    expect(compareDates(null, '1985-06-01')).toBe('missing');
  });
  it('values: same, different, missing', () => {
    expect(compareValues('a', 'a')).toBe('same');
    expect(compareValues('a', 'b')).toBe('different');
    expect(compareValues(undefined, 'b')).toBe('missing');
  });
});

describe('Fellegi–Sunter scoring', () => {
  const base = { name: '王伟', birthDate: '1985-06-01', phoneBi: 'p1', county: '320102' };
  it('links the same person with typos, refuses namesakes born on other days', () => {
    expect(decide(base, { ...base }).link).toBe(true);
    expect(decide(base, { ...base, name: '王玮', phoneBi: null }).link).toBe(true);
    expect(decide(base, { ...base, birthDate: '1985-06-10', phoneBi: 'p2' }).link).toBe(true);
    expect(decide(base, { ...base, birthDate: '1979-03-02', phoneBi: 'p2' }).link).toBe(false);
    expect(decide(base, { ...base, name: '李强' }).link).toBe(false);
  });
  it('takes a birth month (a roster 出生年月) as less than a day and more than nothing', () => {
    expect(compareDates('1985-06', '1985-06-20')).toBe('month');
    expect(compareDates('1985-06-20', '1985-06')).toBe('month');
    expect(compareDates('1985-06', '1985-07-20')).toBe('different');
    const month = { name: '王伟', birthDate: '1985-06', county: '320102' };
    expect(decide(month, { ...month, birthDate: '1985-06-20' }).link).toBe(true);
    expect(decide(month, { ...month, birthDate: '1985-07-20' }).link).toBe(false);
    const levels = { name: 'exact', phone: 'missing', county: 'same' } as const;
    const m = score({ ...levels, birthDate: 'month' }).score;
    expect(m).toBeGreaterThan(score({ ...levels, birthDate: 'missing' }).score);
    expect(m).toBeLessThan(score({ ...levels, birthDate: 'exact' }).score);
  });
  it('needs more than a name and a county when the birth date is missing: a phone settles it', () => {
    expect(decide(base, { name: '王伟', county: '320102' }).link).toBe(false);
    expect(decide(base, { name: '王伟', county: '320102', phoneBi: 'p1' }).link).toBe(true);
  });
  it('never links on a name alone, however rare the data makes it', () => {
    const rare = estimateU(Array.from({ length: 5000 }, (_, i) => ({ name: `人${i}` })));
    expect(
      score({ name: 'exact', birthDate: 'missing', phone: 'missing', county: 'same' }, rare).score,
    ).toBeGreaterThan(14);
    expect(decide({ name: '人7', county: '320102' }, { name: '人7', county: '320102' }, rare).link).toBe(false);
  });
  it('scores are monotone: each extra agreement raises the score', () => {
    const none = score({ name: 'exact', birthDate: 'missing', phone: 'missing', county: 'missing' }).score;
    const withDate = score({ name: 'exact', birthDate: 'exact', phone: 'missing', county: 'missing' }).score;
    const withAll = score({ name: 'exact', birthDate: 'exact', phone: 'same', county: 'same' }).score;
    expect(none).toBeLessThan(withDate);
    expect(withDate).toBeLessThan(withAll);
    expect(
      score({ name: 'different', birthDate: 'different', phone: 'different', county: 'different' }).score,
    ).toBeLessThan(0);
  });
  it('estimates u from the data: a common name weighs less', () => {
    const records = Array.from({ length: 200 }, (_, i) => ({
      name: i % 2 ? '王伟' : `人${i}`,
      birthDate: `19${50 + (i % 40)}-01-01`,
    }));
    const m = estimateU(records);
    expect(m.name.exact.u).toBeGreaterThan(DEFAULT_MODEL.name.exact.u);
    expect(score({ name: 'exact', birthDate: 'missing', phone: 'missing', county: 'missing' }, m).score).toBeLessThan(
      score({ name: 'exact', birthDate: 'missing', phone: 'missing', county: 'missing' }).score,
    );
  });
});
