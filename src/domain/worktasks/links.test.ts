import { describe, expect, it } from 'vitest';
import { LINK_KINDS, LINK_PATHS, missingLinkMessage, revisionNote, type LinkKind } from './rules.js';

describe("a reply's linked records", () => {
  it('open the record itself, on the page that shows it', () => {
    expect(LINK_PATHS.visit(19)).toBe('/appeals?tab=visits&open=19');
    expect(LINK_PATHS.appeal(7)).toBe('/appeals?open=7');
    expect(LINK_PATHS.case(3)).toBe('/discovery?open=3');
    expect(LINK_PATHS.report(12)).toBe('/reports?open=12');
    expect(LINK_PATHS.import(5)).toBe('/imports');
  });

  it("are refused in the clerk's words, never by their code name", () => {
    for (const kind of Object.keys(LINK_KINDS) as LinkKind[]) {
      const m = missingLinkMessage({ kind, id: 999 });
      expect(m).toContain(LINK_KINDS[kind]);
      expect(m).toContain('999');
      expect(m).not.toMatch(/[a-z]/);
    }
  });
});

describe('the note the receiving units read on a correction', () => {
  it('names what changed, the new deadline spelled out, then the reason', () => {
    expect(revisionNote({ due: '2026-12-25 18:00' }, '延后至12月25日')).toBe(
      '修改了截止时间（改为 2026-12-25 18:00）。说明：延后至12月25日',
    );
    expect(revisionNote({ title: true, body: true, evidence: true }, '补充要求')).toBe(
      '修改了标题、正文、回复要求。说明：补充要求',
    );
    expect(revisionNote({ due: null }, '取消期限')).toBe('修改了截止时间（改为 无）。说明：取消期限');
  });

  it('is null when nothing changed', () => {
    expect(revisionNote({ title: false, body: false, evidence: false }, '无')).toBeNull();
  });
});
