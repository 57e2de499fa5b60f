import { median } from '../stats.ts';
import type { MonthUsage } from '../batch/monthly-usage.ts';
import { CITY_WIDE, completeMonths, type HddByMonth, type MeterSeries } from './context.ts';

/**
 * Weather normalisation of yoy_deviation with heating degree days (issue 6 item 2;
 * docs/weather.md). A customer's month usage is a base load (cooking, hot water, process
 * gas: about the same every day) plus a heating part that grows with the month's HDD. The
 * base is estimated from the customer's own low-HDD months (summer); the heating part of
 * last year's month, scaled by HDD_this / HDD_last, plus this month's base, is what this
 * month should have used had nothing changed but the weather.
 */

const DAY = 86_400_000;
/** HDD per day at or below which a month has (almost) no heating: the base-load months. */
const LOW_HDD_PER_DAY = 1;
/** HDD per day at or above which a month is a heating month. */
const HIGH_HDD_PER_DAY = 4;
/** Share of a heating month's usage above the base for a customer to count as heating with gas. */
const MIN_HEATING_SHARE = 0.15;
/** Fewer covered months than this say nothing reliable about base and heating. */
const MIN_MONTHS = 6;
/** Below this HDD last year's heating part is too small to scale by a ratio: the slope is used instead. */
const MIN_RATIO_HDD = 15;

export interface HeatingModel {
  /** base load, m³ per day */
  basePerDay: number;
  /** heating usage per heating degree day, m³/HDD (0: no heating response) */
  perHdd: number;
  /** false: usage does not follow the temperature; no correction is made */
  heats: boolean;
}

export interface WeatherExpectation {
  hdd: number;
  previousYearHdd: number;
  /** what this month would have used with last year's habits and this year's weather, m³ */
  expected: number;
  model: HeatingModel;
}

/** The HDD series a meter is judged against: its district's own, else the city's. */
export function hddSeriesFor(s: MeterSeries, hdd: HddByMonth | undefined): ReadonlyMap<number, number> | undefined {
  if (!hdd || hdd.size === 0) return undefined;
  const own = s.info.district === undefined ? undefined : hdd.get(s.info.district);
  return own && own.size > 0 ? own : hdd.get(CITY_WIDE);
}

const daysOf = (m: MonthUsage) => (m.end - m.start) / DAY;

/**
 * Base load and heating response from the customer's complete months with HDD coverage.
 * Base: median daily use of the low-HDD months; without two such months, the intercept of a
 * robust line (Theil–Sen) of daily use on daily HDD. Heating: median over heating months of
 * (daily use − base) / daily HDD. Undefined when too few months are covered.
 */
export function heatingModel(s: MeterSeries, asOf: number, hdd: ReadonlyMap<number, number>, complete: readonly MonthUsage[] = completeMonths(s, asOf)): HeatingModel | undefined {
  const pts: { use: number; hdd: number }[] = [];
  for (const m of complete) {
    const h = hdd.get(m.start);
    if (h === undefined) continue;
    pts.push({ use: m.usage / daysOf(m), hdd: h / daysOf(m) });
  }
  if (pts.length < MIN_MONTHS) return undefined;
  const low = pts.filter((p) => p.hdd <= LOW_HDD_PER_DAY);
  const basePerDay = low.length >= 2 ? median(low.map((p) => p.use)) : theilSenIntercept(pts);
  const high = pts.filter((p) => p.hdd >= HIGH_HDD_PER_DAY);
  if (high.length < 2 || !(basePerDay >= 0)) return { basePerDay: Math.max(0, basePerDay || 0), perHdd: 0, heats: false };
  const perHdd = median(high.map((p) => (p.use - basePerDay) / p.hdd));
  const share = median(high.map((p) => (p.use > 0 ? (p.use - basePerDay) / p.use : 0)));
  const heats = perHdd > 0 && share >= MIN_HEATING_SHARE;
  return { basePerDay, perHdd: heats ? perHdd : 0, heats };
}

/** Intercept of the Theil–Sen line (median of pairwise slopes), clamped to [0, lowest use]. */
function theilSenIntercept(pts: readonly { use: number; hdd: number }[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      const dx = pts[j]!.hdd - pts[i]!.hdd;
      if (Math.abs(dx) > 1e-9) slopes.push((pts[j]!.use - pts[i]!.use) / dx);
    }
  }
  if (slopes.length === 0) return median(pts.map((p) => p.use));
  const b = median(slopes);
  const a = median(pts.map((p) => p.use - b * p.hdd));
  return Math.max(0, Math.min(a, ...pts.map((p) => p.use)));
}

/**
 * The weather-normalised expectation for month `m` from the same month last year `prev`;
 * undefined when either month lacks HDD coverage. A customer whose usage does not follow
 * the temperature gets no correction (expected = last year's usage).
 */
export function weatherExpectation(p: { m: MonthUsage; prev: MonthUsage }, model: HeatingModel, hdd: ReadonlyMap<number, number>): WeatherExpectation | undefined {
  const now = hdd.get(p.m.start);
  const before = hdd.get(p.prev.start);
  if (now === undefined || before === undefined) return undefined;
  if (!model.heats) return { hdd: now, previousYearHdd: before, expected: p.prev.usage, model };
  // Last year's heating part: what it used above its base load that month.
  const heatBefore = Math.max(0, p.prev.usage - model.basePerDay * daysOf(p.prev));
  const baseNow = p.prev.usage - heatBefore + model.basePerDay * (daysOf(p.m) - daysOf(p.prev));
  const heatNow = before >= MIN_RATIO_HDD ? heatBefore * (now / before) : heatBefore + model.perHdd * (now - before);
  return { hdd: now, previousYearHdd: before, expected: Math.max(baseNow + Math.max(0, heatNow), 0.01), model };
}

/** log(actual / weather-normalised expectation): 0 when only the weather changed. */
export function weatherLogRatio(p: { m: MonthUsage }, e: WeatherExpectation): number {
  return Math.log(Math.max(p.m.usage, 0.01) / e.expected);
}
