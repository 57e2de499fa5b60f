import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, robustSdExcept, round, sortedMedianExcept } from '../stats.ts';
import { candidate, completeMonths, thresholdFor, type BatchContext } from './context.ts';
import { seasonalZ } from './seasonal.ts';

/**
 * residential_high (domain.md §4): a residential customer at ≥ 30 m³ in a calendar month;
 * ≥ 100 m³ puts the customer in the monthly-visit class. The score is how far the month
 * lies above the customer's own other months, so a large household that always uses 35 m³
 * ranks below one that jumped from 10 to 40.
 */
export function residentialHigh(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const s of ctx.meters.values()) {
    if (s.info.category !== 'residential') continue;
    const months = completeMonths(s, ctx.asOf);
    const threshold = thresholdFor(ctx.cfg.residentialHigh, s.info, ctx.cfg);
    // The customer's months sorted once; each alerted month is compared with the others.
    let sorted: Float64Array | undefined;
    for (const m of months) {
      if (m.usage < threshold) continue;
      sorted ??= Float64Array.from(months, (o) => o.usage).sort();
      const self = sorted.indexOf(m.usage);
      const ownMedian = sortedMedianExcept(sorted, self);
      // Against the same month last year when there is one (season cancels out); else
      // against the other months, capped low: without last year, season is unknown.
      const seasonal = seasonalZ(s, m.start, ctx.asOf, ctx.fleetIndex);
      const z = seasonal ?? Math.min(2, ownZ(m.usage, sorted, self, ownMedian) / 2);
      const monthlyVisit = m.usage >= ctx.cfg.residentialMonthlyVisit;
      out.push(
        candidate(s.info, 'residential_high', {
          severity: monthlyVisit ? 'critical' : 'warning',
          periodStart: m.start,
          periodEnd: m.end,
          value: round(m.usage, 3),
          threshold,
          score: clampScore(z),
          message: `${round(m.usage, 1)} m³ in the month, at or above ${threshold} m³${monthlyVisit ? `; ≥ ${ctx.cfg.residentialMonthlyVisit} m³: monthly site check` : ''}`,
          evidence: { usage: round(m.usage, 3), reads: m.reads, ownMonthlyMedian: round(ownMedian, 3), seasonalZ: seasonal === undefined ? null : round(seasonal, 2), monthlyVisitClass: monthlyVisit },
        }),
      );
    }
  }
  return out;
}

/** robustZ (stats.ts) of a month against the customer's other months: floor 2 m³, 8 m³ when fewer than 3 others. */
function ownZ(usage: number, sorted: Float64Array, self: number, ownMedian: number): number {
  const others = sorted.length - 1;
  if (others < 3) return (usage - (others > 0 ? ownMedian : 0)) / 8;
  return (usage - ownMedian) / Math.max(robustSdExcept(sorted, self), 2);
}
