import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { needsSiteVisit, visitClasses, visitDueAt } from './site-visit.ts';

const zone = 'Asia/Shanghai';
const t0 = DateTime.fromISO('2026-01-31T10:00', { zone }).toMillis();
const none = { largeFlow: false, highMonthly: false, bulk: false };

describe('site visits (domain.md §4)', () => {
  it('every rule but the IC verification schedule needs a visit', () => {
    expect(needsSiteVisit('tamper')).toBe(true);
    expect(needsSiteVisit('yoy_deviation')).toBe(true);
    expect(needsSiteVisit('ic_verification_due')).toBe(false);
  });

  it('due dates follow the visit cadence: twice a month, monthly, every two months, else the default', () => {
    const due = (c: typeof none) => DateTime.fromMillis(visitDueAt(t0, c, zone, 7 * 86_400_000).dueAt, { zone }).toISO();
    expect(due({ ...none, largeFlow: true, bulk: true })).toBe('2026-02-15T10:00:00.000+08:00');
    expect(due({ ...none, highMonthly: true })).toBe('2026-02-28T10:00:00.000+08:00');
    expect(due({ ...none, bulk: true })).toBe('2026-03-31T10:00:00.000+08:00');
    expect(due(none)).toBe('2026-02-07T10:00:00.000+08:00');
  });

  it('reads the classes from the case alerts and the meter category', () => {
    const a = (rule: 'large_flow' | 'residential_high', value: number) => ({ alertId: rule, rule, periodStart: 0, periodEnd: 1, value, score: 1 });
    expect(visitClasses([a('residential_high', 45)], 'residential', 100)).toEqual(none);
    expect(visitClasses([a('residential_high', 120)], 'residential', 100)).toEqual({ ...none, highMonthly: true });
    expect(visitClasses([a('large_flow', 55)], 'residential_bulk', 100)).toEqual({ largeFlow: true, highMonthly: false, bulk: true });
  });
});
