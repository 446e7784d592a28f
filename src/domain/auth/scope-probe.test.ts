import { describe, expect, it } from 'vitest';
import { probeTarget, probeWorthALine } from './scope-probe.js';

describe('probeWorthALine', () => {
  it('writes the first five probes of a window, then one line at each doubling from ten', () => {
    const lines = Array.from({ length: 700 }, (_, i) => i + 1).filter(probeWorthALine);
    expect(lines).toEqual([1, 2, 3, 4, 5, 10, 20, 40, 80, 160, 320, 640]);
  });
});

describe('probeTarget', () => {
  it('names the record of the route’s path parameter, the filter node of a list, or none', () => {
    expect(probeTarget('/api/v1/entities/:id/people/:roleId/reveal', { id: 7, roleId: 3 }, {})).toEqual({
      kind: 'entity',
      ref: '7',
      objectType: 'entity',
    });
    expect(probeTarget('/api/v1/units/summary/:code', { code: '320104' }, {})?.kind).toBe('jurisdiction');
    expect(probeTarget('/api/v1/units/:id', { id: '2' }, {})?.kind).toBe('bureau_unit');
    expect(probeTarget('/api/v1/accounts/:id', { id: '2' }, {})?.objectType).toBe('user');
    expect(probeTarget('/api/v1/imports/:kind', { kind: 'registry' }, {})).toBeNull();
    expect(probeTarget('/api/v1/entities', {}, { under: '320104' })).toEqual({
      kind: 'jurisdiction',
      ref: '320104',
      objectType: 'jurisdiction',
    });
    expect(probeTarget('/api/v1/entities', {}, {})).toBeNull();
  });
});
