import type { MeterCategory } from '../core/types.ts';

/**
 * Usage profiles per customer category: level, seasonality, weekday effect, daily shape and
 * noise. The shapes are calibrated, loosely, on the data sets in /work/shared/datasets:
 * the UK household series (half-hourly) gives the residential breakfast and evening peaks
 * (≈3× the mean at 06:00, ≈2× from 15:00 to 20:00) — a Chinese flat adds a lunch peak for
 * cooking; its heating season is far stronger (×5) than a city flat without a boiler, so the
 * amplitude here is the milder one of wall-heater and cooking load.
 *
 * The levels are chosen so that a NORMAL customer never crosses a rule threshold by itself
 * (interface.md §3): a residential month stays below 30 m³ with margin, no normal interval
 * flow reaches 40 m³/h, and a yoy-class month stays within −5 %/+10 % of the same month a
 * year earlier (the seasonal curve repeats exactly; monthly noise is bounded to ±1 %).
 */
export interface UsageProfile {
  /** Range of the customer's mean monthly usage, m³ (drawn log-uniformly). */
  monthlyRange: readonly [number, number];
  /** Seasonal amplitude: factor = 1 + A·cos(2π(dayOfYear − 15)/365.25), peak mid-January. */
  seasonAmplitude: number;
  /** Factor by ISO weekday index 0 = Sunday … 6 = Saturday. */
  weekday: readonly number[];
  /** Relative hourly shape, 24 values (normalised when used). */
  hourly: readonly number[];
  /** Day-to-day log-normal noise. */
  dailySigma: number;
  /** Hour-to-hour log-normal noise of smart meters (clamped to ±3 sigma). */
  hourlySigma: number;
  /** A month's total is pinned to its expected value × (1 ± monthlyJitter). */
  monthlyJitter: number;
  /** Months of the year (1–12) with a holiday factor (schools). */
  holidays?: Readonly<Record<number, number>>;
}

const RESIDENTIAL_HOURLY = [
  0.3, 0.25, 0.2, 0.2, 0.25, 0.6, 2.2, 1.6, 0.7, 0.5, 0.9, 2.0, 1.6, 0.6, 0.4, 0.5, 0.9, 2.0, 2.4, 1.8, 1.3, 1.0, 0.7, 0.5,
];
const COMMERCIAL_HOURLY = [
  0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 0.9, 1.1, 1.2, 1.8, 2.6, 2.4, 1.4, 1.0, 1.0, 1.4, 2.3, 2.6, 2.0, 1.3, 0.8, 0.4, 0.2,
];
const COLLECTIVE_HOURLY = [
  0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 1.6, 1.9, 1.2, 1.0, 1.6, 2.6, 2.2, 1.0, 0.8, 0.9, 1.5, 2.2, 1.6, 0.8, 0.4, 0.3, 0.2, 0.1,
];
const INDUSTRIAL_HOURLY = [
  0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 0.9, 1.1, 1.25, 1.3, 1.3, 1.3, 1.2, 1.3, 1.3, 1.3, 1.25, 1.2, 1.1, 1.0, 0.9, 0.8, 0.75, 0.7,
];

export const PROFILES: Readonly<Record<MeterCategory, UsageProfile>> = {
  // 3–16 m³/month mean: × 1.38 in January × 1.05 month jitter ≤ 23.2 m³ < 30 (domain.md §4)
  residential: {
    monthlyRange: [4, 16],
    seasonAmplitude: 0.38,
    weekday: [1.12, 0.97, 0.96, 0.96, 0.97, 0.98, 1.1],
    hourly: RESIDENTIAL_HOURLY,
    dailySigma: 0.25,
    hourlySigma: 0.3,
    monthlyJitter: 0.05,
  },
  // a bulk meter's own level comes from its households; these apply to its commercial units
  residential_bulk: {
    monthlyRange: [20, 120],
    seasonAmplitude: 0.2,
    weekday: [0.9, 1, 1, 1, 1, 1, 0.95],
    hourly: COMMERCIAL_HOURLY,
    dailySigma: 0.1,
    hourlySigma: 0.1,
    monthlyJitter: 0.01,
  },
  commercial: {
    monthlyRange: [250, 2500],
    seasonAmplitude: 0.2,
    weekday: [1.1, 0.95, 0.95, 0.95, 0.97, 1.05, 1.12],
    hourly: COMMERCIAL_HOURLY,
    dailySigma: 0.04,
    hourlySigma: 0.1,
    monthlyJitter: 0.01,
  },
  collective: {
    monthlyRange: [400, 4000],
    seasonAmplitude: 0.3,
    weekday: [0.8, 1, 1, 1, 1, 1, 0.8],
    hourly: COLLECTIVE_HOURLY,
    dailySigma: 0.04,
    hourlySigma: 0.1,
    monthlyJitter: 0.01,
    holidays: { 2: 0.85, 7: 0.75, 8: 0.75 },
  },
  // ≤ 10 000 m³/month: peak hour ≈ 329 m³/day × 1.1 season × 1.03 weekday × 1.13 daily noise × 5.3 % × 1.35 hourly noise ≈ 30 m³/h < 40
  industrial: {
    monthlyRange: [3000, 10000],
    seasonAmplitude: 0.1,
    weekday: [0.8, 1.03, 1.03, 1.03, 1.03, 1.03, 0.85],
    hourly: INDUSTRIAL_HOURLY,
    dailySigma: 0.04,
    hourlySigma: 0.1,
    monthlyJitter: 0.01,
  },
  // supply meters sum their district; the profile is unused except for its hourly shape
  supply: {
    monthlyRange: [1, 1],
    seasonAmplitude: 0,
    weekday: [1, 1, 1, 1, 1, 1, 1],
    hourly: RESIDENTIAL_HOURLY,
    dailySigma: 0,
    hourlySigma: 0,
    monthlyJitter: 0,
  },
};

/** Seasonal factor for a day of the year (1–366): heating peaks in mid-January. */
export function seasonFactor(profile: UsageProfile, dayOfYear: number, month: number): number {
  const heating = 1 + profile.seasonAmplitude * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365.25);
  return heating * (profile.holidays?.[month] ?? 1);
}

/** Normalised hourly shape (sums to 1). */
export function normalisedShape(hourly: readonly number[]): number[] {
  const total = hourly.reduce((s, v) => s + v, 0);
  return hourly.map((v) => v / total);
}

/** The largest share of a day that falls in one hour: bounds the peak hourly flow. */
export function peakHourShare(profile: UsageProfile): number {
  return Math.max(...normalisedShape(profile.hourly));
}
