import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { MonthOf, monthlyUsage } from './monthly-usage.ts';

const TZ = 'Asia/Shanghai';
const t = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toMillis();

describe('monthlyUsage', () => {
  it('splits a monthly handheld read on the 17th between two months by time', () => {
    // 31 m³ between Oct 17 00:00 and Nov 17 00:00 (31 days): 15 days in October, 16 in November.
    const months = monthlyUsage([{ t: t('2026-09-17'), r: 0 }, { t: t('2026-10-17'), r: 30 }, { t: t('2026-11-17'), r: 61 }], t('2026-12-01'), TZ);
    const oct = months.find((m) => m.start === t('2026-10-01'))!;
    const nov = months.find((m) => m.start === t('2026-11-01'))!;
    // Oct: 16/30 of 30 (Oct 1–17 from the Sep-17→Oct-17 segment) + 15/31 of 31 (Oct 17–Nov 1)
    expect(oct.usage).toBeCloseTo((30 * 16) / 30 + (31 * 15) / 31, 9);
    expect(oct.covered).toBe(true);
    expect(nov.covered).toBe(false); // no read after Nov 30
    expect(nov.usage).toBeCloseTo(16, 9);
  });

  it('counts no negative usage when the register runs backwards', () => {
    const months = monthlyUsage([{ t: t('2026-01-01'), r: 100 }, { t: t('2026-01-15'), r: 90 }, { t: t('2026-02-01'), r: 95 }], t('2026-03-01'), TZ);
    expect(months[0]!.usage).toBeCloseTo(5, 9);
  });

  it('uses company-time-zone months, not UTC ones', () => {
    // 10 m³ in the hour 2026-10-31T16:00Z–17:00Z, which is Nov 1 00:00–01:00 in Shanghai
    const months = monthlyUsage([{ t: Date.UTC(2026, 9, 31, 16), r: 0 }, { t: Date.UTC(2026, 9, 31, 17), r: 10 }], Date.UTC(2026, 11, 1), TZ);
    expect(months).toHaveLength(1);
    expect(months[0]!.start).toBe(t('2026-11-01'));
    expect(months[0]!.usage).toBe(10);
  });
});

describe('MonthOf', () => {
  it('gives the start of the calendar month in the zone, as luxon does, for times in any order and outside the precomputed calendar', () => {
    for (const zone of [TZ, 'Europe/Berlin', 'America/New_York', 'UTC']) {
      const months = new MonthOf(zone);
      const times = [
        DateTime.fromISO('2026-03-29T01:59:59.999', { zone }).toMillis(),
        DateTime.fromISO('2026-03-31T23:59:59.999', { zone }).toMillis(),
        DateTime.fromISO('2026-04-01T00:00', { zone }).toMillis(),
        DateTime.fromISO('2026-04-01T00:00', { zone }).toMillis() - 1,
        DateTime.fromISO('2025-12-31T23:59:59.999', { zone }).toMillis(),
        DateTime.fromISO('2026-11-01T01:30', { zone }).toMillis(),
        DateTime.fromISO('1989-06-15T12:00', { zone }).toMillis(),
        DateTime.fromISO('2101-06-15T12:00', { zone }).toMillis(),
        DateTime.fromISO('2026-04-17T09:00', { zone }).toMillis(),
      ];
      for (const ms of times) expect([zone, ms, months.startOf(ms)]).toEqual([zone, ms, DateTime.fromMillis(ms, { zone }).startOf('month').toMillis()]);
    }
  });
});
