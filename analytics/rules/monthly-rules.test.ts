import { describe, expect, it } from 'vitest';
import { bulkBalance } from './bulk-balance.ts';
import { bulkDrop } from './bulk-drop.ts';
import { residentialHigh } from './residential-high.ts';
import { at, byMonth, context, dailyPoints, seriesOf } from './test-fixtures.ts';
import { yoyDeviation } from './yoy-deviation.ts';

const FROM = at('2024-01-01');
const AS_OF = at('2026-01-01');
// Heating season: winter months high.
const SEASON = [20, 18, 14, 10, 6, 4, 3, 3, 5, 9, 14, 19];

describe('residential_high', () => {
  it('fires at 30 m³ exactly, not at 29.9, and only for residential customers', () => {
    const pattern = (dec: number) => byMonth([...SEASON.slice(0, 11), dec]);
    const at30 = seriesOf({ meterId: 'R30', category: 'residential' }, dailyPoints(FROM, AS_OF + 2 * 86_400_000, pattern(30)), AS_OF);
    const at299 = seriesOf({ meterId: 'R299', category: 'residential' }, dailyPoints(FROM, AS_OF + 2 * 86_400_000, pattern(29.9)), AS_OF);
    const com = seriesOf({ meterId: 'C50', category: 'commercial' }, dailyPoints(FROM, AS_OF + 2 * 86_400_000, pattern(50)), AS_OF);
    const alerts = residentialHigh(context(AS_OF, [at30, at299, com]));
    // December is 30 m³ in both years of the series: two alerts, both on R30.
    expect(alerts.map((a) => `${a.meterId}@${a.periodStart}`).sort()).toEqual([`R30@${at('2024-12-01')}`, `R30@${at('2025-12-01')}`]);
    expect(alerts[0]!.value).toBeCloseTo(30, 6);
    expect(alerts[0]!.severity).toBe('warning');
  });

  it('marks ≥ 100 m³ as critical (monthly-visit class) and ranks a jump above a habit', () => {
    const habit = seriesOf({ meterId: 'HABIT', category: 'residential' }, dailyPoints(FROM, AS_OF + 86_400_000, byMonth(Array(12).fill(35))), AS_OF);
    // Only December 2025 jumps: against the same month last year it stands out.
    const jump = seriesOf({ meterId: 'JUMP', category: 'residential' }, dailyPoints(FROM, AS_OF + 86_400_000, (t) => (t >= at('2025-12-01') ? 120 / 31 : byMonth(SEASON)(t))), AS_OF);
    const alerts = residentialHigh(context(AS_OF, [habit, jump]));
    const decJump = alerts.find((a) => a.meterId === 'JUMP' && a.periodStart === at('2025-12-01'))!;
    expect(decJump.severity).toBe('critical');
    const habitScores = alerts.filter((a) => a.meterId === 'HABIT').map((a) => a.score);
    expect(habitScores.length).toBeGreaterThan(20);
    expect(Math.max(...habitScores)).toBeLessThan(decJump.score);
  });

  it('is stricter for a blacklisted customer', () => {
    const s = seriesOf({ meterId: 'BL', category: 'residential', blacklisted: true }, dailyPoints(FROM, AS_OF + 86_400_000, byMonth([...SEASON.slice(0, 11), 25])), AS_OF);
    const alerts = residentialHigh(context(AS_OF, [s]));
    expect(alerts.map((a) => a.threshold)).toEqual([24, 24]); // both Decembers at 25 m³
    expect(alerts[0]!.severity).toBe('critical');
  });
});

describe('yoy_deviation', () => {
  const usage = (factorDec2025: number) => (t: number) => byMonth(SEASON.map((v) => v * 10))(t) * (t >= at('2025-12-01') ? factorDec2025 : 1);
  const run = (f: number, category: 'commercial' | 'residential' = 'commercial') =>
    yoyDeviation(context(AS_OF, [seriesOf({ meterId: 'Y', category }, dailyPoints(FROM, AS_OF + 86_400_000, usage(f)), AS_OF)]));

  it('fires below −5 % and above +10 %, and not at −4 % or +9 %', () => {
    expect(run(0.94).map((a) => a.periodStart)).toEqual([at('2025-12-01')]);
    expect(run(1.11).map((a) => a.periodStart)).toEqual([at('2025-12-01')]);
    expect(run(0.96)).toEqual([]);
    expect(run(1.09)).toEqual([]);
  });

  it('reports the change in percent with the threshold on the side it crossed', () => {
    const [down] = run(0.8);
    expect(down!.value).toBeCloseTo(-20, 1);
    expect(down!.threshold).toBe(-5);
  });

  it('does not apply to residential customers', () => {
    expect(run(0.5, 'residential')).toEqual([]);
  });

  it('needs a completely read month a year earlier', () => {
    const late = seriesOf({ meterId: 'LATE', category: 'commercial' }, dailyPoints(at('2024-12-15'), AS_OF + 86_400_000, usage(2)), AS_OF);
    expect(yoyDeviation(context(AS_OF, [late]))).toEqual([]);
  });
});

describe('bulk_drop', () => {
  const bulk = (factor: number, trend = 1) =>
    seriesOf(
      { meterId: 'B', category: 'residential_bulk' },
      dailyPoints(FROM, AS_OF + 86_400_000, (t) => byMonth(SEASON.map((v) => v * 100))(t) * (t >= at('2025-01-01') ? trend : 1) * (t >= at('2025-12-01') ? factor : 1)),
      AS_OF,
    );

  it('fires on a sudden drop against season and trend', () => {
    const alerts = bulkDrop(context(AS_OF, [bulk(0.5)]));
    expect(alerts.map((a) => a.periodStart)).toEqual([at('2025-12-01')]);
    expect(alerts[0]!.score).toBeGreaterThan(3);
  });

  it('keeps reporting a bypass that stays, month after month (the drop does not become the trend)', () => {
    const asOf = at('2026-06-01');
    const stays = seriesOf(
      { meterId: 'B', category: 'residential_bulk' },
      dailyPoints(FROM, asOf + 86_400_000, (t) => byMonth(SEASON.map((v) => v * 100))(t) * (t >= at('2025-12-01') ? 0.5 : 1)),
      asOf,
    );
    const months = bulkDrop(context(asOf, [stays])).map((a) => a.periodStart);
    expect(months).toEqual(['2025-12-01', '2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01', '2026-05-01'].map(at));
  });

  it('fires in the first months of the second year, before three months of trend exist', () => {
    // History from October 2024: December 2025 has only October and November to take a trend from.
    const from = at('2024-10-01');
    const asOf = at('2026-02-01');
    const early = seriesOf(
      { meterId: 'B', category: 'residential_bulk' },
      dailyPoints(from, asOf + 86_400_000, (t) => byMonth(SEASON.map((v) => v * 100))(t) * (t >= at('2025-12-04') ? 0.55 : 1)),
      asOf,
    );
    expect(bulkDrop(context(asOf, [early])).map((a) => a.periodStart)).toEqual([at('2025-12-01'), at('2026-01-01')]);
    const steady = seriesOf({ meterId: 'S', category: 'residential_bulk' }, dailyPoints(from, asOf + 86_400_000, byMonth(SEASON.map((v) => v * 100))), asOf);
    expect(bulkDrop(context(asOf, [steady]))).toEqual([]);
  });

  it('does not fire when the whole year was lower (trend) — a building emptying slowly', () => {
    expect(bulkDrop(context(AS_OF, [bulk(1, 0.6)]))).toEqual([]);
  });

  it('does not fire on the seasonal fall from winter to summer', () => {
    const alerts = bulkDrop(context(AS_OF, [bulk(1)]));
    expect(alerts).toEqual([]);
  });
});

describe('bulk_balance', () => {
  const family = (bulkPerMonth: number, housePerMonth: number, houses = 4) => [
    seriesOf({ meterId: 'BULK', category: 'residential_bulk' }, dailyPoints(at('2025-10-01'), AS_OF + 86_400_000, byMonth(Array(12).fill(bulkPerMonth))), AS_OF),
    ...Array.from({ length: houses }, (_, i) =>
      seriesOf({ meterId: `H${i}`, category: 'residential', parentMeterId: 'BULK' }, dailyPoints(at('2025-10-01'), AS_OF + 86_400_000, byMonth(Array(12).fill(housePerMonth))), AS_OF),
    ),
  ];

  it('fires when the households use more than the bulk meter', () => {
    const alerts = bulkBalance(context(AS_OF, family(100, 27)));
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]!.message).toMatch(/more than the bulk meter/);
  });

  it('fires when the loss share passes 8 %, not at 7 %', () => {
    expect(bulkBalance(context(AS_OF, family(100, 22.5))).length).toBeGreaterThan(0); // 10 % loss
    expect(bulkBalance(context(AS_OF, family(100, 23.25)))).toEqual([]); // 7 % loss
  });
});

describe('tamper (change point)', () => {
  const com = (stepAt: number | undefined, factor: number) =>
    seriesOf(
      { meterId: 'T', category: 'commercial' },
      dailyPoints(FROM, AS_OF + 86_400_000, (t) => byMonth(SEASON.map((v) => v * 10))(t) * (stepAt !== undefined && t >= stepAt ? factor : 1)),
      AS_OF,
    );

  it('dates a sustained step down at its change point', async () => {
    const { tamperChangePoint } = await import('./tamper-change-point.ts');
    const alerts = tamperChangePoint(context(AS_OF, [com(at('2025-06-01'), 0.5)]));
    expect(alerts.map((a) => a.periodStart)).toEqual([at('2025-06-01')]);
    expect(alerts[0]!.value).toBeCloseTo(-50, 0);
  });

  it('ignores a steady customer and a one-month dip', async () => {
    const { tamperChangePoint } = await import('./tamper-change-point.ts');
    expect(tamperChangePoint(context(AS_OF, [com(undefined, 1)]))).toEqual([]);
    const dip = seriesOf(
      { meterId: 'D', category: 'commercial' },
      dailyPoints(FROM, AS_OF + 86_400_000, (t) => byMonth(SEASON.map((v) => v * 10))(t) * (t >= at('2025-06-01') && t < at('2025-07-01') ? 0.3 : 1)),
      AS_OF,
    );
    expect(tamperChangePoint(context(AS_OF, [dip]))).toEqual([]);
  });
});

describe('yoy_deviation scored against the fleet (weather normalisation)', () => {
  it('keeps firing as written but ranks a fleet-wide cold month low and one customer’s jump high', async () => {
    const { fleetYoyIndex } = await import('./seasonal.ts');
    const meter = (id: string, dec2025: number, wobble: number) =>
      seriesOf(
        { meterId: id, category: 'commercial' },
        dailyPoints(FROM, AS_OF + 86_400_000, (t) => byMonth(SEASON.map((v, i) => v * 10 * (1 + wobble * Math.sin(i + t / 3e10))))(t) * (t >= at('2025-12-01') ? dec2025 : 1)),
        AS_OF,
      );
    const fleet = Array.from({ length: 10 }, (_, i) => meter(`F${i}`, 1.2, 0.02 * i));
    const ctx = context(AS_OF, [...fleet, meter('ODD', 1.9, 0.01)]);
    ctx.fleetIndex = fleetYoyIndex(ctx);
    const dec = yoyDeviation(ctx).filter((a) => a.periodStart === at('2025-12-01'));
    expect(dec.map((a) => a.meterId).sort()).toEqual([...fleet.map((f) => f.info.meterId), 'ODD'].sort());
    const odd = dec.find((a) => a.meterId === 'ODD')!;
    const cold = dec.filter((a) => a.meterId !== 'ODD').map((a) => a.score);
    expect(Math.max(...cold)).toBeLessThan(2);
    expect(odd.score).toBeGreaterThan(3);
    expect((odd.evidence as { fleetChangePercent: number }).fleetChangePercent).toBeGreaterThan(10); // the whole fleet rose
  });
});

describe('tamper (change point without a year of history)', () => {
  it('finds the step against the fleet’s seasonal shape', async () => {
    const { tamperChangePoint } = await import('./tamper-change-point.ts');
    const { fleetSeasonalShape } = await import('./seasonal.ts');
    const from = at('2025-02-01');
    const m = (id: string, step?: number) =>
      seriesOf({ meterId: id, category: 'residential' }, dailyPoints(from, AS_OF + 86_400_000, (t) => byMonth(SEASON)(t) * (id.length % 3 === 0 ? 1.1 : 1) * (step !== undefined && t >= step ? 0.4 : 1)), AS_OF);
    const fleet = Array.from({ length: 32 }, (_, i) => m(`N${'x'.repeat(i)}`));
    const ctx = context(AS_OF, [...fleet, m('BYPASS', at('2025-08-01'))]);
    ctx.fleetShape = fleetSeasonalShape(ctx);
    const alerts = tamperChangePoint(ctx);
    expect(alerts.map((a) => `${a.meterId}@${a.periodStart}`)).toEqual([`BYPASS@${at('2025-08-01')}`]);
    expect(alerts[0]!.evidence).toMatchObject({ basis: 'fleet_season' });
  });
});
