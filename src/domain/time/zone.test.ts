import { describe, expect, it } from 'vitest';
import {
  addMonths,
  deadlineOf,
  endOfLocalDay,
  hostDateOf,
  instantOfLocal,
  isTimeZone,
  localDate,
  localDateTime,
  localMonth,
  offsetMs,
  startOfLocalDay,
  startOfMonth,
} from './zone.js';

describe("dates in the deployment's zone", () => {
  it("reads the calendar in the zone, not the host's or UTC (01:30 Beijing time on 1 January is 2027 there, 2026 in UTC)", () => {
    const at = new Date('2026-12-31T17:30:00Z');
    expect(localDate(at, 'Asia/Shanghai')).toBe('2027-01-01');
    expect(localMonth(at, 'Asia/Shanghai')).toBe('2027-01');
    expect(localDate(at, 'UTC')).toBe('2026-12-31');
    expect(localDate(at)).toBe('2027-01-01'); // the default zone
    // One second apart across midnight, and a second's fractions (the last instant's fields are kept).
    expect(localDateTime(new Date('2026-12-31T15:59:59.000Z'), true, 'Asia/Shanghai')).toBe('2026-12-31 23:59:59');
    expect(localDateTime(new Date('2026-12-31T15:59:59.999Z'), true, 'Asia/Shanghai')).toBe('2026-12-31 23:59:59');
    expect(localDateTime(new Date('2026-12-31T16:00:00.000Z'), true, 'Asia/Shanghai')).toBe('2027-01-01 00:00:00');
    expect(localDateTime(new Date('2026-12-31T16:00:00.000Z'), true, 'UTC')).toBe('2026-12-31 16:00:00');
  });
  it('finds where local days and months begin, and the offset', () => {
    expect(startOfMonth('2027-01', 'Asia/Shanghai').toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(startOfLocalDay('2026-07-01', 'UTC').toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(offsetMs(new Date('2026-06-01T00:00:00Z'), 'Asia/Shanghai')).toBe(8 * 3600_000);
    // A zone with daylight saving: the day after the change begins at the new offset.
    expect(startOfLocalDay('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });
  it('reads a wall-clock time without an offset in the zone, whatever the host runs in', () => {
    expect(instantOfLocal('2027-06-30T10:00', 'Asia/Shanghai').toISOString()).toBe('2027-06-30T02:00:00.000Z');
    expect(instantOfLocal('2027-06-30 10:00:30.5', 'Asia/Shanghai').toISOString()).toBe('2027-06-30T02:00:30.500Z');
    expect(instantOfLocal('2026-07-04T12:00', 'America/New_York').toISOString()).toBe('2026-07-04T16:00:00.000Z');
    expect(endOfLocalDay('2027-06-30', 'Asia/Shanghai').toISOString()).toBe('2027-06-30T15:59:59.999Z');
    expect(Number.isNaN(instantOfLocal('2027-06-30T99:00', 'Asia/Shanghai').getTime())).toBe(true);
  });
  it('counts months across years, and knows zone names', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -13)).toBe('2024-12');
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(hostDateOf(new Date('2026-12-31T17:30:00Z'), 'Asia/Shanghai').getDate()).toBe(1);
  });

  it("a day's deadline is its last second in the zone, not in Beijing's fixed offset", () => {
    expect(deadlineOf('2026-06-30', 'Asia/Shanghai').toISOString()).toBe('2026-06-30T15:59:59.000Z');
    expect(deadlineOf('2026-06-30', 'America/New_York').toISOString()).toBe('2026-07-01T03:59:59.000Z');
    expect(deadlineOf('2026-12-31', 'America/New_York').toISOString()).toBe('2027-01-01T04:59:59.000Z');
  });
});
