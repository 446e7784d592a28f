import { describe, expect, it } from 'vitest';
import { annualReportRow, registryRow } from './rows.js';
import { bareHeader } from '../import/vocabulary.js';
import { joinLines, normaliseEntityName, normalisePersonName } from '../import/normalise.js';

/**
 * Round 18: a cell is read in time linear in its length, whatever it holds. Each of these took
 * the rest of a long run (of spaces, of brackets) again from each of its characters (12–35 s at
 * 40,000 characters); a file's cells pass through them row by row, on the server's one thread.
 * No clock here: at 200,000 characters a rule that backtracked so would run for many minutes, far
 * past the suite's time for a test; read once, they take milliseconds and give these answers.
 */
describe('reading a cell takes time in proportion to it (round 18)', () => {
  const run = '\u3000'.repeat(200_000);

  it('the padding rules, a line break and a header’s notes', () => {
    expect(normalisePersonName(`A${run}B`) === `A${run}B`).toBe(true);
    expect(normaliseEntityName(`A${run}B`)).toBe('A B');
    expect(joinLines(`A${run}B\nC`) === `A${run}B C`).toBe(true);
    expect(bareHeader(`A${run}B`)).toHaveLength(200_002);
    expect(bareHeader('A' + '：\u3000'.repeat(100_000) + 'B')).toHaveLength(200_002);
  });

  it('a count with a note after it and a word with a note in brackets', () => {
    const count = annualReportRow.safeParse({ partyMembers: '1' + ' '.repeat(200_000) + 'x' });
    expect(count.success).toBe(false);
    expect(count.error!.issues.map((i) => i.path[0])).toContain('partyMembers');
    const status = registryRow.safeParse({ status: 'x)' + '('.repeat(200_000) });
    expect(status.success).toBe(false);
    expect(status.error!.issues.map((i) => i.path[0])).toContain('status');
  });
});
