import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import type { MonthUsage } from '../batch/monthly-usage.ts';
import { clampScore, robustZ, round } from '../stats.ts';
import { candidate, completeMonths, thresholdFor, type BatchContext, type MeterSeries } from './context.ts';

const CATEGORIES = new Set(['commercial', 'collective', 'residential_bulk']);
/** Below this a month's usage is too small for a percentage to mean anything. */
const MIN_BASE_M3 = 1;

/** Pairs (month, same month a year earlier), both completely read. */
export function yearPairs(s: MeterSeries, asOf: number): { m: MonthUsage; prev: MonthUsage }[] {
  const months = completeMonths(s, asOf);
  const byStart = new Map(months.map((m) => [m.start, m]));
  const pairs: { m: MonthUsage; prev: MonthUsage }[] = [];
  for (let i = 12; i < s.months.length; i++) {
    const m = s.months[i]!;
    const prev = s.months[i - 12]!;
    if (byStart.has(m.start) && byStart.has(prev.start) && prev.usage >= MIN_BASE_M3) pairs.push({ m, prev });
  }
  return pairs;
}

/**
 * yoy_deviation (domain.md §4): commercial, collective and residential-bulk month usage
 * against the same month last year, firing below −5 % or above +10 % as the regulations
 * write it. The score measures the change against the customer's own usual year-over-year
 * swings (robust SDs of its log ratios), so ordinary weather-driven months rank low.
 */
export function yoyDeviation(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const s of ctx.meters.values()) {
    if (!s.info.category || !CATEGORIES.has(s.info.category)) continue;
    const pairs = yearPairs(s, ctx.asOf);
    const logRatios = pairs.map((p) => Math.log(Math.max(p.m.usage, 0.01) / p.prev.usage));
    const down = thresholdFor(ctx.cfg.yoyDown, s.info, ctx.cfg);
    const up = thresholdFor(ctx.cfg.yoyUp, s.info, ctx.cfg);
    pairs.forEach(({ m, prev }, i) => {
      const change = (m.usage - prev.usage) / prev.usage;
      if (change >= -down && change <= up) return;
      const others = logRatios.filter((_, j) => j !== i);
      const z = Math.abs(robustZ(logRatios[i]!, others, 0.05, 0.2));
      out.push(
        candidate(s.info, 'yoy_deviation', {
          severity: 'warning',
          periodStart: m.start,
          periodEnd: m.end,
          value: round(change * 100, 2),
          threshold: change < 0 ? -round(down * 100, 2) : round(up * 100, 2),
          score: clampScore(z),
          message: `${round(m.usage, 1)} m³ against ${round(prev.usage, 1)} m³ in the same month last year (${change > 0 ? '+' : ''}${round(change * 100, 1)} %)`,
          evidence: { usage: round(m.usage, 3), previousYear: round(prev.usage, 3), previousYearStart: prev.start, changePercent: round(change * 100, 2) },
        }),
      );
    });
  }
  return out;
}
