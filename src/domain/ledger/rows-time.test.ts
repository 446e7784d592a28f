import { describe, expect, it } from 'vitest';
import { annualReportRow, registryRow } from './rows.js';
import { bareHeader } from '../import/vocabulary.js';
import { joinLines, normaliseEntityName, normalisePersonName } from '../import/normalise.js';

/**
 * Round 18: a cell is read in time linear in its length, whatever it holds. Each of these took
 * the rest of a long run (of spaces, of brackets) again from each of its characters; a file's
 * cells pass through them row by row, on the server's one thread.
 */
describe('reading a cell takes time in proportion to it (round 18)', () => {
  const within = (ms: number, f: () => unknown) => {
    f(); // compiled once
    const started = performance.now();
    f();
    expect(performance.now() - started).toBeLessThan(ms);
  };
  const spaces = 'A' + '\u3000'.repeat(40_000) + 'B';

  it('the padding rules, a line break and a header’s notes', () => {
    within(50, () => normalisePersonName(spaces));
    within(50, () => normaliseEntityName(spaces));
    within(50, () => joinLines(spaces + '\nC'));
    within(50, () => bareHeader(spaces));
    within(50, () => bareHeader('A' + '：\u3000'.repeat(20_000) + 'B'));
  });

  it('a count with a note after it and a word with a note in brackets', () => {
    within(50, () => annualReportRow.safeParse({ partyMembers: '1' + ' '.repeat(40_000) + 'x' }));
    within(50, () => registryRow.safeParse({ status: 'x)' + '('.repeat(40_000) }));
  });
});
