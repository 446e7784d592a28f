import { describe, expect, it } from 'vitest';
import { COUNTS } from './registry.js';

/**
 * 已找到的党员 is counted where the entity the member was found in is; 名册党员 where the roster
 * is held (a county's import counts at the county, not at its stations). A station that finds more
 * than it holds must read why on the figures themselves (round-5 play-testing).
 */
describe('the two member figures', () => {
  it('each says by which rule it is counted into a jurisdiction', () => {
    expect(COUNTS.membersFound.note).toContain('按所在主体计入辖区');
    expect(COUNTS.membersOnRoster.note).toContain('按名册所在单位计');
    expect(COUNTS.membersOnRoster.note).toContain('不计入基层所');
  });
});
