import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { affectedParts, faultStart, supplementaryVolume } from './supplementary-volume.ts';

const zone = 'Asia/Shanghai';
const at = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();

describe('supplementary volume (domain.md §6)', () => {
  it('counts from the fault day, per month the highest same month of the previous two years minus what was metered', () => {
    const monthUsage = new Map([
      [at('2024-08-01'), { usage: 310, coverage: 1 }],
      [at('2025-08-01'), { usage: 279, coverage: 1 }],
      [at('2024-09-01'), { usage: 200, coverage: 1 }],
      [at('2025-09-01'), { usage: 240, coverage: 1 }],
      // too poorly read to count
      [at('2023-09-01'), { usage: 900, coverage: 0.5 }],
    ]);
    const p = supplementaryVolume({
      alert: { alertId: 'a', rule: 'stuck_meter', periodStart: at('2026-08-17'), periodEnd: at('2026-09-20'), value: 30, score: 3 },
      to: at('2026-10-01'),
      zone,
      monthUsage,
      meteredBetween: (from, to) => (to - from) / 86_400_000, // 1 m³ a day got through
    });
    expect(p.rows.map((r) => r.month)).toEqual(['2026-08', '2026-09']);
    const [aug, sep] = p.rows;
    // August: 15 of 31 days affected; highest August is 310 (2024).
    expect(aug!.fraction).toBeCloseTo(15 / 31, 3);
    expect(aug!.highest).toBe(310);
    expect(aug!.expected).toBeCloseTo(150, 3);
    expect(aug!.metered).toBe(15);
    expect(aug!.supplementary).toBeCloseTo(135, 3);
    expect(aug!.history).toEqual([
      { month: '2025-08', usage: 279, coverage: 1 },
      { month: '2024-08', usage: 310, coverage: 1 },
    ]);
    expect(sep!.highest).toBe(240);
    expect(sep!.supplementary).toBeCloseTo(210, 3);
    expect(p.volume).toBeCloseTo(345, 3);
    expect(p.monthsWithoutHistory).toEqual([]);
  });

  it('dates tampering from the change point, and reports months without history instead of guessing', () => {
    const alert = { alertId: 't', rule: 'tamper' as const, periodStart: at('2026-09-01'), periodEnd: at('2026-11-01'), value: -40, score: 5, evidence: { kind: 'change_point', changeMonth: at('2026-07-01') } };
    expect(faultStart(alert).at).toBe(at('2026-07-01'));
    const p = supplementaryVolume({ alert, to: at('2026-08-01'), zone, monthUsage: new Map(), meteredBetween: () => 10 });
    expect(p.rows).toHaveLength(1);
    expect(p.rows[0]).toMatchObject({ month: '2026-07', highest: null, expected: null, supplementary: 0 });
    expect(p.monthsWithoutHistory).toEqual(['2026-07']);
  });

  it('never proposes a negative volume when the meter registered more than the history', () => {
    const p = supplementaryVolume({
      alert: { alertId: 'b', rule: 'broken_meter', periodStart: at('2026-05-01'), periodEnd: at('2026-05-02'), value: 1, score: 9 },
      to: at('2026-06-01'),
      zone,
      monthUsage: new Map([[at('2025-05-01'), { usage: 20, coverage: 1 }]]),
      meteredBetween: () => 50,
    });
    expect(p.rows[0]!.supplementary).toBe(0);
  });

  it('splits the affected time at calendar months of the company zone', () => {
    const parts = affectedParts(at('2026-01-31T12:00'), at('2026-03-02'), zone);
    expect(parts.map((p) => p.month)).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(parts[1]!.fraction).toBe(1);
    expect(parts[0]!.fraction).toBeCloseTo(0.5 / 31, 6);
  });
});
