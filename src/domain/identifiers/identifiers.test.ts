import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { USCC_ALPHABET, parseRegNo, parseUscc, regNoCheckDigit, usccCheckChar } from './uscc.js';
import { idCheckChar, maskIdNumber, maskPhone, parseIdNumber } from './id-number.js';

const TODAY = new Date('2026-11-27T00:00:00Z');

// Generators of valid codes, built from the rules (not from the parser under test).
const usccArb = fc
  .tuple(
    fc.constantFrom(['9', '1'], ['9', '2'], ['9', '3'], ['1', '1'], ['5', '1'], ['Y', '1']),
    fc.stringMatching(/^\d{6}$/),
    fc.array(fc.constantFrom(...USCC_ALPHABET), { minLength: 9, maxLength: 9 }),
  )
  .map(([[a, c], div, org]) => {
    const first17 = `${a}${c}${div}${org.join('')}`;
    return first17 + usccCheckChar(first17);
  });

const idArb = fc
  .tuple(
    fc.integer({ min: 11, max: 65 }),
    fc.stringMatching(/^\d{4}$/),
    fc.date({ min: new Date('1920-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }),
    fc.stringMatching(/^\d{3}$/),
  )
  .map(([prov, rest, date, seq]) => {
    const first17 = `${prov}${rest}${date.toISOString().slice(0, 10).replaceAll('-', '')}${seq}`;
    return first17 + idCheckChar(first17);
  });

/** Every single-character change to a valid code (the alphabet it is drawn from). */
function mutations(v: string, alphabet: string, at: number): string[] {
  return [...alphabet].filter((c) => c !== v[at]).map((c) => v.slice(0, at) + c + v.slice(at + 1));
}

describe('统一社会信用代码 GB 32100-2015', () => {
  it('accepts published examples', () => {
    expect(parseUscc('91350100M000100Y43').ok).toBe(true);
    expect(parseUscc('91110000600037341L').ok).toBe(true);
    expect(parseUscc(' 91110000600037341l ')).toMatchObject({
      ok: true,
      value: '91110000600037341L',
      division: '110000',
      authority: '9',
      category: '1',
    });
  });
  it('refuses wrong length, excluded letters, bad authority/category, and a wrong check', () => {
    expect(parseUscc('91110000600037341')).toMatchObject({ ok: false, reason: expect.stringMatching(/18 位/) });
    // A pre-2007 13-digit 注册号 where the code belongs is named as what it is.
    expect(parseUscc('3201001234567')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^此格为 13 位数字：这是 2007 年以前的旧注册号/),
    });
    expect(parseUscc('9111000060003734IL')).toMatchObject({ ok: false, reason: expect.stringMatching(/非法字符"I"/) });
    expect(parseUscc('Z1110000600037341L')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/非法字符|登记管理部门/),
    });
    expect(parseUscc('B1110000600037341L')).toMatchObject({ ok: false, reason: expect.stringMatching(/登记管理部门/) });
    expect(parseUscc('94110000600037341L')).toMatchObject({ ok: false, reason: expect.stringMatching(/机构类别/) });
    expect(parseUscc('91110000600037341M')).toMatchObject({ ok: false, reason: '统一社会信用代码校验位错误' });
  });
  it('property: generated valid codes pass', () => {
    fc.assert(fc.property(usccArb, (v) => parseUscc(v).ok));
  });
  it('property: any single-character change fails', () => {
    fc.assert(
      fc.property(usccArb, fc.integer({ min: 0, max: 17 }), (v, at) =>
        mutations(v, USCC_ALPHABET, at).every((m) => !parseUscc(m).ok),
      ),
      { numRuns: 300 },
    );
  });
});

describe('注册号 (15 digits, ISO 7064 MOD 11,10)', () => {
  const regArb = fc.stringMatching(/^\d{14}$/).map((s) => s + regNoCheckDigit(s));
  it('accepts valid and refuses malformed numbers', () => {
    expect(parseRegNo('110108000000016').ok).toBe(true);
    expect(parseRegNo('11010800000001')).toMatchObject({ ok: false });
    expect(parseRegNo('110108000000017')).toMatchObject({ ok: false, reason: '注册号校验位错误' });
  });
  it('property: valid pass, every single-digit change fails', () => {
    fc.assert(
      fc.property(
        regArb,
        fc.integer({ min: 0, max: 14 }),
        (v, at) => parseRegNo(v).ok && mutations(v, '0123456789', at).every((m) => !parseRegNo(m).ok),
      ),
    );
  });
});

describe('居民身份证号码 GB 11643-1999', () => {
  it('accepts the standard example and derives birth date and sex', () => {
    expect(parseIdNumber('11010519491231002X', { today: TODAY })).toMatchObject({
      ok: true,
      birthDate: '1949-12-31',
      sex: 'female',
      division: '110105',
    });
    expect(parseIdNumber('440524188001010014', { today: TODAY })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/出生日期/),
    });
  });
  it('upgrades a first-generation 15-digit number', () => {
    const r = parseIdNumber('110105491231002', { today: TODAY });
    expect(r).toMatchObject({ ok: true, value: '11010519491231002X', upgraded: true, sex: 'female' });
  });
  it('refuses bad dates, future births, bad length and a wrong check', () => {
    expect(parseIdNumber('110105194902300020', { today: TODAY })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/出生日期/),
    });
    expect(parseIdNumber('110105203001010011', { today: TODAY })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/出生日期/),
    });
    expect(parseIdNumber('1101051949123100', { today: TODAY })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/18 位/),
    });
    expect(parseIdNumber('110105194912310021', { today: TODAY })).toMatchObject({
      ok: false,
      reason: '身份证号校验位错误',
    });
  });
  it('checks the province prefix against the division tree when given', () => {
    expect(parseIdNumber('11010519491231002X', { today: TODAY, knownProvince: (p) => p === '32' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/不属于任何省份/),
    });
  });
  it('property: generated valid numbers pass; any single-character change fails', () => {
    fc.assert(
      fc.property(
        idArb,
        fc.integer({ min: 0, max: 17 }),
        (v, at) =>
          parseIdNumber(v, { today: TODAY }).ok &&
          mutations(v, '0123456789X', at).every((m) => !parseIdNumber(m, { today: TODAY }).ok),
      ),
      { numRuns: 300 },
    );
  });
  it('masks for display', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});
