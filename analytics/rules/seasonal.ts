import { robustSd } from '../stats.ts';
import type { MonthUsage } from '../batch/monthly-usage.ts';
import { completeMonths, type MeterSeries } from './context.ts';

/** Below this a month's usage is too small for a ratio to mean anything (m³). */
export const MIN_BASE_M3 = 1;

/** Pairs (month, same month a year earlier), both completely read. */
export function yearPairs(s: MeterSeries, asOf: number): { m: MonthUsage; prev: MonthUsage }[] {
  const byStart = new Set(completeMonths(s, asOf).map((m) => m.start));
  const pairs: { m: MonthUsage; prev: MonthUsage }[] = [];
  for (let i = 12; i < s.months.length; i++) {
    const m = s.months[i]!;
    const prev = s.months[i - 12]!;
    if (byStart.has(m.start) && byStart.has(prev.start) && prev.usage >= MIN_BASE_M3) pairs.push({ m, prev });
  }
  return pairs;
}

const logRatio = (p: { m: MonthUsage; prev: MonthUsage }) => Math.log(Math.max(p.m.usage, 0.01) / p.prev.usage);

/**
 * How many of its own usual year-over-year swings this month lies from the same month last
 * year: season (and the customer's habits) cancel out, so a winter that is as cold as the
 * last one scores near 0 however much gas it burns. Undefined without last year's month.
 */
export function seasonalZ(s: MeterSeries, monthStart: number, asOf: number): number | undefined {
  const pairs = yearPairs(s, asOf);
  const self = pairs.find((p) => p.m.start === monthStart);
  if (!self) return undefined;
  const others = pairs.filter((p) => p !== self).map(logRatio);
  const spread = others.length >= 3 ? Math.max(robustSd(others), 0.1) : 0.25;
  return logRatio(self) / spread;
}

/** Spread of month-on-same-month-last-year differences (m³): how well last year predicts this one. */
export function yoyDifferenceSd(s: MeterSeries, asOf: number): number | undefined {
  const diffs = yearPairs(s, asOf).map((p) => p.m.usage - p.prev.usage);
  return diffs.length >= 3 ? robustSd(diffs) : undefined;
}
