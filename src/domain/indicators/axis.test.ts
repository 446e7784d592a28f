import { describe, expect, it } from 'vitest';
import { percentAxisMax } from './axis.js';

describe('percentAxisMax', () => {
  it('fits small rates instead of a 10% floor', () => {
    expect(percentAxisMax(0.4)).toBe(0.5);
    expect(percentAxisMax(0.03)).toBe(0.05);
    expect(percentAxisMax(1.2)).toBe(2);
    expect(percentAxisMax(2.1)).toBe(2.5);
    expect(percentAxisMax(3)).toBe(5);
    expect(percentAxisMax(0.3)).toBe(0.5);
    expect(percentAxisMax(0.2)).toBe(0.2);
  });
  it('rounds larger rates up to the next ten, at most 100', () => {
    expect(percentAxisMax(7.5)).toBe(10);
    expect(percentAxisMax(10)).toBe(10);
    expect(percentAxisMax(47.3)).toBe(50);
    expect(percentAxisMax(100)).toBe(100);
  });
  it('gives an axis when nothing is above zero', () => {
    expect(percentAxisMax(0)).toBe(1);
  });
});
