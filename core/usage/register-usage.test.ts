import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../time.ts';
import { calendarEdges, yearEarlier } from './calendar.ts';
import { billingPeriods, registerSegments, usageByPeriod } from './register-usage.ts';

const Z = 'Asia/Shanghai';
const t = (iso: string): number => parseTimestamp(iso) as number;

function monthly(reads: Parameters<typeof registerSegments>[0], from: string, to: string, replacements: Parameters<typeof registerSegments>[1] = []) {
  return usageByPeriod(registerSegments(reads, replacements), calendarEdges(t(from), t(to), 'month', Z));
}

describe('pro-rating between reads (hand-computed)', () => {
  it('splits a read-to-read usage at the month edge in proportion to time: 31 m³ over 17 Jan → 17 Feb = 15 + 16', () => {
    const p = monthly(
      [
        { ts: t('2026-01-17T00:00:00+08:00'), reading: 100 },
        { ts: t('2026-02-17T00:00:00+08:00'), reading: 131 },
      ],
      '2026-01-01T00:00:00+08:00',
      '2026-03-01T00:00:00+08:00',
    );
    expect(p.map((x) => x.start)).toEqual([t('2026-01-01T00:00:00+08:00'), t('2026-02-01T00:00:00+08:00')]);
    expect(p[0]?.usage).toBeCloseTo(15, 9);
    expect(p[1]?.usage).toBeCloseTo(16, 9);
    // 17 Jan..1 Feb is 15 of January's 31 days; 1..17 Feb is 16 of February's 28.
    expect(p[0]?.coverage).toBeCloseTo(15 / 31, 9);
    expect(p[1]?.coverage).toBeCloseTo(16 / 28, 9);
  });

  it('uses the company time zone: a read at 2026-01-31T20:00Z is already February in Shanghai', () => {
    const p = monthly(
      [
        { ts: t('2026-01-31T12:00:00Z'), reading: 0 }, // 20:00 Jan 31 in Shanghai
        { ts: t('2026-01-31T20:00:00Z'), reading: 8 }, // 04:00 Feb 1 in Shanghai
      ],
      '2026-01-01T00:00:00+08:00',
      '2026-03-01T00:00:00+08:00',
    );
    // 8 h span, 4 h on each side of midnight Shanghai time.
    expect(p[0]?.usage).toBeCloseTo(4, 9);
    expect(p[1]?.usage).toBeCloseTo(4, 9);
  });

  it('spreads a multi-month gap across every month it spans, by days', () => {
    // 1 Jan → 1 Apr = 90 days, 90 m³: 31 + 28 + 31.
    const p = monthly(
      [
        { ts: t('2026-01-01T00:00:00+08:00'), reading: 10 },
        { ts: t('2026-04-01T00:00:00+08:00'), reading: 100 },
      ],
      '2026-01-01T00:00:00+08:00',
      '2026-04-01T00:00:00+08:00',
    );
    expect(p.map((x) => x.usage)).toEqual([expect.closeTo(31, 9), expect.closeTo(28, 9), expect.closeTo(31, 9)]);
    expect(p.every((x) => x.coverage === 1)).toBe(true);
  });

  it('reports no usage (null) for a period no read pair covers, and 0 for a flat register', () => {
    const p = monthly(
      [
        { ts: t('2026-02-01T00:00:00+08:00'), reading: 50 },
        { ts: t('2026-03-01T00:00:00+08:00'), reading: 50 },
      ],
      '2026-01-01T00:00:00+08:00',
      '2026-04-01T00:00:00+08:00',
    );
    expect(p.map((x) => x.usage)).toEqual([null, 0, null]);
    expect(p.map((x) => x.coverage)).toEqual([0, 1, 0]);
  });

  it('marks every period an estimated read contributes to', () => {
    const p = monthly(
      [
        { ts: t('2026-01-10T00:00:00+08:00'), reading: 0 },
        { ts: t('2026-02-10T00:00:00+08:00'), reading: 31, estimated: true },
        { ts: t('2026-03-10T00:00:00+08:00'), reading: 59 },
        { ts: t('2026-04-10T00:00:00+08:00'), reading: 90 },
      ],
      '2026-01-01T00:00:00+08:00',
      '2026-05-01T00:00:00+08:00',
    );
    expect(p.map((x) => x.estimated)).toEqual([true, true, true, false]);
  });

  it('splits days in a zone with daylight saving: the 23-hour day gets 23/24 of a 24 m³ day-long segment', () => {
    const zone = 'America/New_York';
    // 2026-03-08 is 23 h long in New York. Segment: noon 7 Mar → noon 8 Mar local = 23 h, 23 m³.
    const edges = calendarEdges(t('2026-03-07T00:00:00-05:00'), t('2026-03-09T00:00:00-04:00'), 'day', zone);
    expect(edges).toEqual([t('2026-03-07T00:00:00-05:00'), t('2026-03-08T00:00:00-05:00'), t('2026-03-09T00:00:00-04:00')]);
    const p = usageByPeriod(registerSegments([
      { ts: t('2026-03-07T12:00:00-05:00'), reading: 0 },
      { ts: t('2026-03-08T12:00:00-04:00'), reading: 23 },
    ]), edges);
    // 12 h in the 7th, 11 h in the 8th (its clock skips 02:00-03:00).
    expect(p[0]?.usage).toBeCloseTo(12, 9);
    expect(p[1]?.usage).toBeCloseTo(11, 9);
  });
});

describe('replacements and a register that runs backwards', () => {
  const reads = [
    { ts: t('2026-01-01T00:00:00+08:00'), reading: 100 },
    { ts: t('2026-01-21T00:00:00+08:00'), reading: 20 }, // new register since 11 Jan
  ];
  const swap = [{ meterId: 'M1', ts: t('2026-01-11T00:00:00+08:00'), finalReading: 110, newReading: 0 }];

  it('counts old register to its final reading plus new register from its start: 10 + 20 = 30, never negative', () => {
    const segs = registerSegments(reads, swap);
    expect(segs.map((s) => [s.usage, s.backwards])).toEqual([
      [10, 0],
      [20, 0],
    ]);
    const days = usageByPeriod(segs, calendarEdges(t('2026-01-01T00:00:00+08:00'), t('2026-01-21T00:00:00+08:00'), 'day', Z));
    expect(days).toHaveLength(20);
    expect(days.slice(0, 10).every((d) => Math.abs((d.usage ?? NaN) - 1) < 1e-9)).toBe(true); // 10 m³ over 10 days
    expect(days.slice(10).every((d) => Math.abs((d.usage ?? NaN) - 2) < 1e-9)).toBe(true); // 20 m³ over 10 days
  });

  it('without the replacement recorded, the drop 100 → 20 counts 0 and is kept as backwards evidence', () => {
    const segs = registerSegments(reads);
    expect(segs).toEqual([{ start: reads[0]?.ts, end: reads[1]?.ts, usage: 0, estimated: false, backwards: 80 }]);
  });

  it('a read at the replacement instant belongs to the new register', () => {
    const segs = registerSegments([...reads, { ts: t('2026-01-11T00:00:00+08:00'), reading: 0 }], swap);
    expect(segs.reduce((s, x) => s + x.usage, 0)).toBe(30);
    expect(segs.every((s) => s.backwards === 0)).toBe(true);
  });

  it('billing periods run read to read and include both registers', () => {
    const bills = billingPeriods(
      [...reads, { ts: t('2026-02-21T00:00:00+08:00'), reading: 51, estimated: true }],
      swap,
    );
    expect(bills.map((b) => [b.usage, b.replaced, b.estimated])).toEqual([
      [30, true, false],
      [31, false, true],
    ]);
  });
});

describe('calendar helpers', () => {
  it('covers [from, to) with whole months and goes back a calendar year', () => {
    expect(calendarEdges(t('2026-01-15T00:00:00+08:00'), t('2026-02-10T00:00:00+08:00'), 'month', Z)).toEqual([
      t('2026-01-01T00:00:00+08:00'),
      t('2026-02-01T00:00:00+08:00'),
      t('2026-03-01T00:00:00+08:00'),
    ]);
    expect(yearEarlier(t('2024-02-29T00:00:00+08:00'), Z)).toBe(t('2023-02-28T00:00:00+08:00'));
  });
});
