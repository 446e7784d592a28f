import { describe, expect, it } from 'vitest';
import {
  decideFeedback,
  decidePlaque,
  maskedName,
  publiclyReachable,
  needsReview,
  shownOnValid,
  parsePlaqueNumber,
  plaqueActions,
  plaqueNumber,
  verdictText,
} from './plaque.js';

describe('三亮 plaque state machine', () => {
  it('issues a first plaque to an active record, changing nothing else', () => {
    expect(decidePlaque('issue', { recordStatus: 'active', recordHasValidPlaque: false })).toEqual({
      ok: true,
      revokeOld: false,
      issueNew: true,
      withdrawRecord: false,
    });
  });

  it('refuses a second valid plaque on one record, and any plaque on a withdrawn record', () => {
    const twice = decidePlaque('issue', { recordStatus: 'active', recordHasValidPlaque: true });
    expect(twice).toMatchObject({ ok: false, kind: 'conflict' });
    expect(twice.ok || twice.message).toContain('补发');
    expect(decidePlaque('issue', { recordStatus: 'withdrawn', recordHasValidPlaque: false })).toMatchObject({
      ok: false,
      kind: 'conflict',
    });
  });

  it('revokes a valid plaque with a reason and withdraws the record (the exit mechanism)', () => {
    expect(
      decidePlaque('revoke', {
        recordStatus: 'active',
        recordHasValidPlaque: true,
        plaqueState: 'valid',
        reason: '营业执照被吊销',
      }),
    ).toEqual({ ok: true, revokeOld: true, issueNew: false, withdrawRecord: true });
  });

  it('cannot revoke twice', () => {
    const again = decidePlaque('revoke', {
      recordStatus: 'withdrawn',
      recordHasValidPlaque: false,
      plaqueState: 'revoked',
      reason: '再次撤销',
    });
    expect(again).toMatchObject({ ok: false, kind: 'conflict' });
    expect(again.ok || again.message).toContain('不能重复撤销');
  });

  it('needs a reason of at least two characters to revoke or reissue, naming the field', () => {
    for (const action of ['revoke', 'reissue'] as const) {
      for (const reason of [undefined, null, '', ' ', '丢']) {
        expect(
          decidePlaque(action, { recordStatus: 'active', recordHasValidPlaque: true, plaqueState: 'valid', reason }),
        ).toMatchObject({ ok: false, kind: 'invalid', field: 'reason' });
      }
    }
  });

  it('reissues: revokes the old plaque, issues a new one, keeps the record active', () => {
    expect(
      decidePlaque('reissue', {
        recordStatus: 'active',
        recordHasValidPlaque: true,
        plaqueState: 'valid',
        reason: '牌匾遗失',
      }),
    ).toEqual({ ok: true, revokeOld: true, issueNew: true, withdrawRecord: false });
  });

  it('cannot reissue from a revoked plaque (the replacement is the one to reissue)', () => {
    expect(
      decidePlaque('reissue', {
        recordStatus: 'active',
        recordHasValidPlaque: true,
        plaqueState: 'revoked',
        reason: '牌匾损毁',
      }),
    ).toMatchObject({ ok: false, kind: 'conflict' });
  });

  it('offers exactly the allowed actions', () => {
    expect(plaqueActions('active', null)).toEqual(['issue']);
    expect(plaqueActions('withdrawn', null)).toEqual([]);
    expect(plaqueActions('active', 'valid')).toEqual(['revoke', 'reissue']);
    expect(plaqueActions('active', 'revoked')).toEqual([]);
    expect(plaqueActions('withdrawn', 'revoked')).toEqual([]);
  });
});

describe('plaque numbers', () => {
  it('formats the county and a zero-padded serial', () => {
    expect(plaqueNumber('320102', 123)).toBe('XGZ-320102-000123');
    expect(plaqueNumber('320102', 1234567)).toBe('XGZ-320102-1234567');
  });

  it('refuses what is not a county code or a serial', () => {
    expect(() => plaqueNumber('3201', 1)).toThrow();
    expect(() => plaqueNumber('320102', 0)).toThrow();
    expect(() => plaqueNumber('320102', 1.5)).toThrow();
  });

  it('reads numbers as people type them, and nothing else', () => {
    expect(parsePlaqueNumber(' xgz-320102-000123 ')).toBe('XGZ-320102-000123');
    expect(parsePlaqueNumber('XGZ－320102－000123')).toBe('XGZ-320102-000123');
    expect(parsePlaqueNumber('XGZ 320102-000123')).toBeNull();
    expect(parsePlaqueNumber('XGZ-32010-000123')).toBeNull();
    expect(parsePlaqueNumber("XGZ-320102-000123' OR 1=1")).toBeNull();
    for (const n of [1, 42, 999999])
      expect(parsePlaqueNumber(plaqueNumber('110105', n))).toBe(plaqueNumber('110105', n));
  });
});

describe('the public page', () => {
  it('masks a name to its first character', () => {
    expect(maskedName('张', 2)).toBe('张*');
    expect(maskedName('欧', 4)).toBe('欧***');
    expect(maskedName('李', 1)).toBe('李*'); // a one-character name still hides that it is one
    expect(maskedName('', 0)).toBe('');
  });

  it('says plainly whether a plaque is valid, revoked, replaced or unknown', () => {
    expect(verdictText('valid').title).toBe('牌匾有效');
    expect(verdictText('revoked').title).toBe('牌匾已撤销');
    expect(verdictText('revoked', { reissued: true }).detail).toContain('补发');
    expect(verdictText('unknown').title).toBe('未查到该牌匾');
  });
});

describe('reports from the public page', () => {
  it('are handled once, with a note', () => {
    expect(decideFeedback('open', '已上门核实，经营者确为党员')).toEqual({ ok: true });
    expect(decideFeedback('open', ' ')).toMatchObject({ ok: false, kind: 'invalid', field: 'note' });
    expect(decideFeedback('handled', '再处理一次')).toMatchObject({ ok: false, kind: 'conflict' });
  });
});

describe('record rules', () => {
  it('asks to review an active record whose entity stopped operating, and only that', () => {
    expect(needsReview('active', 'active')).toBe(false);
    for (const bad of ['deregistered', 'revoked', 'moved_out']) expect(needsReview('active', bad)).toBe(true);
    expect(needsReview('withdrawn', 'revoked')).toBe(false);
  });

  it('takes no shown-on date in the future', () => {
    expect(shownOnValid('2026-03-01', '2026-03-01')).toBe(true);
    expect(shownOnValid('2026-03-02', '2026-03-01')).toBe(false);
  });
});

describe('a verification link the public can open', () => {
  it('is not one on this machine, a private address or an intranet name', () => {
    for (const url of [
      'http://127.0.0.1:3000/verify/x',
      'http://localhost/verify/x',
      'http://10.1.2.3/verify/x',
      'http://172.20.0.5:8080/verify/x',
      'http://192.168.1.10/verify/x',
      'http://xgz-server/verify/x',
      'http://[::1]/verify/x',
      'not a url',
    ])
      expect(publiclyReachable(url), url).toBe(false);
    for (const url of [
      'https://xgz.scjgj.nanjing.gov.cn/verify/x',
      'http://58.213.1.2/verify/x',
      'http://172.32.0.1/verify/x',
    ])
      expect(publiclyReachable(url), url).toBe(true);
  });
});
