import { describe, expect, it } from 'vitest';
import { addMonths, formatInZone, monthLabel, monthStart, parseMonth, parseTimestamp } from './time.ts';

const TZ = 'Asia/Shanghai';

describe('parseTimestamp', () => {
  it('accepts ISO 8601 with an offset or Z, and integer epoch ms', () => {
    expect(parseTimestamp('2026-11-27T08:00:00+08:00')).toBe(Date.UTC(2026, 10, 27, 0, 0, 0));
    expect(parseTimestamp('2026-11-27T00:00:00Z')).toBe(Date.UTC(2026, 10, 27));
    expect(parseTimestamp(1795766400000)).toBe(1795766400000);
  });
  it('refuses local times without an offset, garbage, NaN and strings of digits', () => {
    expect(parseTimestamp('2026-11-27T08:00:00')).toBeUndefined();
    expect(parseTimestamp('2026-03-01')).toBeUndefined(); // "-01" is not an offset
    expect(parseTimestamp('yesterday')).toBeUndefined();
    expect(parseTimestamp(Number.NaN)).toBeUndefined();
    expect(parseTimestamp('1795766400000')).toBeUndefined();
    expect(parseTimestamp(null)).toBeUndefined();
  });
});

describe('calendar months in the company time zone', () => {
  it('puts 23:30 UTC on Oct 31 into November in Shanghai', () => {
    const t = Date.UTC(2026, 9, 31, 23, 30);
    expect(monthLabel(t, TZ)).toBe('2026-11');
    expect(formatInZone(monthStart(t, TZ), TZ)).toBe('2026-11-01T00:00:00+08:00');
  });
  it('steps months and parses YYYY-MM', () => {
    const nov = parseMonth('2026-11', TZ)!;
    expect(formatInZone(addMonths(nov, 2, TZ), TZ)).toBe('2027-01-01T00:00:00+08:00');
    expect(parseMonth('2026-13', TZ)).toBeUndefined();
  });
});

describe('formatInZone (fast path)', () => {
  it('matches luxon for many zones and instants, across DST changes and with milliseconds', async () => {
    const { DateTime } = await import('luxon');
    const zones = ['Asia/Shanghai', 'UTC', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns'];
    let t = Date.UTC(2023, 0, 1);
    const end = Date.UTC(2025, 0, 1);
    let checked = 0;
    while (t < end) {
      for (const zone of zones) {
        expect(formatInZone(t, zone)).toBe(DateTime.fromMillis(t, { zone }).toISO({ suppressMilliseconds: true }));
        checked++;
      }
      t += 3_600_000 * 7 + 60_000 * 13 + 457; // odd steps land on every minute, hour and millisecond
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
