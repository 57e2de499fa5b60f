import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { findYoyStep } from './change-point.ts';
import { fleetSeasonalShape } from './seasonal.ts';
import { tamperChangePoint } from './tamper-change-point.ts';
import { at, byMonth, context, dailyPoints, seriesOf, TZ } from './test-fixtures.ts';

/** Two years and a month of daily reads of a residential heating customer (~10 m³ a month on average). */
const FROM = at('2024-01-01');
const AS_OF = at('2026-02-01');
const SEASON = [20, 18, 14, 10, 6, 4, 3, 3, 5, 9, 14, 19];

/** Usage × `factor` from `stepAt` until `until` (a bypass stays: until = never). */
const customer = (id: string, stepAt?: number, factor = 0.45, until = Infinity, scale = 1) =>
  seriesOf(
    { meterId: id, category: 'residential' },
    dailyPoints(FROM, AS_OF + 86_400_000, (t) => byMonth(SEASON)(t) * scale * (stepAt !== undefined && t >= stepAt && t < until ? factor : 1)),
    AS_OF,
  );

const found = (ctxMeters: ReturnType<typeof customer>[], withShape = false) => {
  const ctx = context(AS_OF, ctxMeters);
  if (withShape) ctx.fleetShape = fleetSeasonalShape(ctx);
  return tamperChangePoint(ctx).map((a) => `${a.meterId}@${month(a.periodStart)}`);
};
const month = (t: number | string) => DateTime.fromMillis(typeof t === 'string' ? at(t) : t, { zone: TZ }).toFormat('yyyy-LL');

describe('tamper change point before a full year of history (year-over-year box)', () => {
  it('dates a bypass made in month 6 of the history by where usage returns to last year’s level a year later', () => {
    expect(found([customer('BYPASS', at('2024-06-01'))])).toEqual([`BYPASS@${month('2024-06-01')}`]);
  });

  it('dates a bypass made mid-month within 45 days, and one made in month 4 and month 12', () => {
    const mid = tamperChangePoint(context(AS_OF, [customer('MID', at('2024-09-20'))]));
    expect(mid).toHaveLength(1);
    expect(Math.abs(mid[0]!.periodStart - at('2024-09-20'))).toBeLessThanOrEqual(45 * 86_400_000);
    expect(found([customer('EARLY', at('2024-04-01'))])).toEqual([`EARLY@${month('2024-04-01')}`]);
    expect(found([customer('YEAR', at('2025-01-01'))])).toEqual([`YEAR@${month('2025-01-01')}`]);
  });

  it('still finds a step after a year of history from its first month (the classic case)', () => {
    const a = tamperChangePoint(context(AS_OF, [customer('LATE', at('2025-08-01'), 0.5)]));
    expect(a.map((x) => x.periodStart)).toEqual([at('2025-08-01')]);
    expect(a[0]!.value).toBeCloseTo(-50, 0);
    expect(a[0]!.evidence).toMatchObject({ basis: 'year_over_year' });
  });

  it('leaves alone a steady seasonal customer, a near-threshold step (−35 %) and a small user', () => {
    expect(found([customer('STEADY')])).toEqual([]);
    expect(found([customer('NEAR', at('2024-06-01'), 0.65)])).toEqual([]);
    expect(found([customer('SMALL', at('2024-06-01'), 0.45, Infinity, 0.2)])).toEqual([]);
  });

  it('judges a customer by its size before the change: a bypass in month 4 leaves a user of under 5 m³ a month', () => {
    // 0.45 of the usual season: 9, 8, 6 m³ in the three months before; at most 4 m³ in any month after.
    expect(found([customer('SHRUNK', at('2024-04-01'), 0.45, Infinity, 0.45)])).toEqual([`SHRUNK@${month('2024-04-01')}`]);
    // as small before as after: still too small to judge
    expect(found([customer('TINY', at('2024-04-01'), 0.45, Infinity, 0.2)])).toEqual([]);
  });

  it('dates by the box end a step whose year-earlier month was read incompletely (the history’s first month)', () => {
    // A meter read on the 1st of each month from 5 January 2024: January 2024 is not complete,
    // so January 2025, the bypass month, has no year-over-year ratio; usage is back at last
    // year's (already lowered) level in January 2026.
    const asOf = at('2026-03-01');
    const reads = dailyPoints(at('2024-01-05'), asOf + 86_400_000, (t) => byMonth(SEASON)(t) * (t >= at('2025-01-01') ? 0.35 : 1)).filter((p, i) => i === 0 || DateTime.fromMillis(p.t, { zone: TZ }).day === 1);
    const s = seriesOf({ meterId: 'MONTHLY', category: 'residential', kind: 'mechanical' }, reads, asOf);
    expect(tamperChangePoint(context(asOf, [s])).map((x) => month(x.periodStart))).toEqual([month('2025-01-01')]);
  });

  it('leaves alone a temporary dip (three winter months at 40 %) in either year', () => {
    expect(found([customer('DIP1', at('2024-11-01'), 0.4, at('2025-02-01'))])).toEqual([]);
    expect(found([customer('DIP2', at('2025-03-01'), 0.4, at('2025-07-01'))])).toEqual([]);
  });

  it('with the fleet’s seasonal shape, tells a dip at the start of the second year from an earlier bypass', () => {
    const fleet = Array.from({ length: 32 }, (_, i) => customer(`N${i}`, undefined, 1, Infinity, 0.9 + 0.01 * i));
    // Same year-over-year box (first four months of 2025 below 2024), different level history:
    // on its own series the dip cannot be told from a bypass made in May 2024.
    expect(found([customer('DIP', at('2025-01-01'), 0.4, at('2025-05-01'))])).toEqual([`DIP@${month('2024-05-01')}`]);
    expect(found([...fleet, customer('DIP', at('2025-01-01'), 0.4, at('2025-05-01')), customer('BYPASS', at('2024-05-01'))], true)).toEqual([
      `BYPASS@${month('2024-05-01')}`,
    ]);
  });

  it('finds a spring bypass of a cooking-only customer in a heating fleet (the shape does not fit it, so it cannot veto)', () => {
    const fleet = Array.from({ length: 32 }, (_, i) => customer(`N${i}`, undefined, 1, Infinity, 0.9 + 0.01 * i));
    const cook = seriesOf(
      { meterId: 'COOK', category: 'residential' },
      dailyPoints(FROM, AS_OF + 86_400_000, (t) => byMonth([13, 13, 12, 12, 11, 11, 11, 11, 11, 12, 12, 13])(t) * (t >= at('2024-04-01') ? 0.55 : 1)),
      AS_OF,
    );
    expect(found([...fleet, cook], true)).toEqual([`COOK@${month('2024-04-01')}`]);
  });

  it('needs a box closed on both sides: a series that is low from its first ratio to its last has no date', () => {
    expect(findYoyStep([...Array(12).fill(undefined), ...Array(13).fill(Math.log(0.4))])).toBeUndefined();
  });
});
