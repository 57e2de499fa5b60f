import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, round } from '../stats.ts';
import { candidate, thresholdFor, type RuleConfig } from './context.ts';
import { allowedAdvance, delta, hours, monthPeriod, type ReadingInterval } from './interval.ts';

/**
 * large_flow (domain.md §4, interface.md §3): flow ≥ 40 m³/h over a reading interval, as
 * reported or as register delta ÷ hours; also a reported flow above the meter's own Qmax
 * (unauthorised capacity increase, 私自增容). One alert per meter and calendar month with the
 * highest flow as value. A delta beyond Qmax × hours is a broken meter, not a large flow.
 */
export function largeFlow(i: ReadingInterval, cfg: RuleConfig, zone: string): AlertCandidate | undefined {
  // A regulator station's meter carries a district: it is not a customer in the ≥40 m³/h class.
  if (i.meter.category === 'supply') return undefined;
  const threshold = thresholdFor(cfg.largeFlow, i.meter, cfg);
  const h = hours(i);
  const d = delta(i);
  const qmax = i.meter.qmax;
  let computed: number | undefined;
  if (h !== undefined && d !== undefined && d >= 0 && (qmax === undefined || d <= allowedAdvance(qmax, h))) computed = d / h;
  const reported = i.cur.flow;
  const value = Math.max(reported ?? 0, computed ?? 0);
  const overQmax = reported !== undefined && qmax !== undefined && reported > qmax * 1.2 && reported < threshold;
  if (value < threshold && !overQmax) return undefined;
  const limit = overQmax ? qmax! : threshold;
  return candidate(i.meter, 'large_flow', {
    severity: 'warning',
    ...monthPeriod(i.cur.ts, zone),
    value: round(value, 3),
    threshold: limit,
    score: clampScore(value / limit),
    message: overQmax
      ? `reported flow ${round(value, 2)} m³/h above the meter's Qmax ${qmax} m³/h`
      : `flow ${round(value, 2)} m³/h at or above ${threshold} m³/h: on-site check twice a month`,
    evidence: { at: i.cur.ts, reportedFlow: reported ?? null, computedFlow: computed === undefined ? null : round(computed, 3), previousReadingAt: i.prev?.ts ?? null, qmax: qmax ?? null },
  });
}

const YEAR_MS = 366 * 86_400_000;

/**
 * A customer who stays in the ≥ 40 m³/h class (interface.md §3) is not news every month: the
 * score of a month's large_flow is its peak against the customer's own highest flow of the
 * twelve months before (alerts of those months, or reported flows), when that was already in
 * the class; a first entry keeps flow ÷ threshold. Used by the batch, which sees the history.
 */
export function scoreAgainstOwnPeaks(candidates: readonly AlertCandidate[], reportedPeaks: ReadonlyMap<number, number> | undefined): void {
  for (const c of candidates) {
    let previous = 0;
    for (const o of candidates) if (o.periodStart < c.periodStart && o.periodStart >= c.periodStart - YEAR_MS) previous = Math.max(previous, o.value);
    if (reportedPeaks) for (const [month, flow] of reportedPeaks) if (month < c.periodStart && month >= c.periodStart - YEAR_MS) previous = Math.max(previous, flow);
    if (previous < c.threshold) continue;
    c.score = clampScore(c.value / previous);
    c.evidence = { ...c.evidence, ownPeakLastYear: round(previous, 3) };
  }
}
