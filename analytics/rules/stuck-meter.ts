import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, round } from '../stats.ts';
import { candidate, thresholdFor, type BatchContext, type MeterSeries } from './context.ts';
import { yoyDifferenceSd } from './seasonal.ts';

const DAY = 86_400_000;
const YEAR = 365 * DAY;

/** Usage the meter's own history expects over [from, to): the same window a year earlier if read, else the rate of the 30 days before. */
export function expectedUsage(s: MeterSeries, from: number, to: number): { expected: number; basis: 'last_year' | 'recent_rate' } | undefined {
  const lastYear = usageBetween(s, from - YEAR, to - YEAR);
  if (lastYear !== undefined) return { expected: lastYear, basis: 'last_year' };
  const before = usageBetween(s, from - 30 * DAY, from);
  if (before !== undefined) return { expected: (before * (to - from)) / (30 * DAY), basis: 'recent_rate' };
  return undefined;
}

/** Register advance between two times by linear interpolation of the reads; undefined when not bracketed. */
export function usageBetween(s: MeterSeries, from: number, to: number): number | undefined {
  const a = registerAt(s, from);
  const b = registerAt(s, to);
  return a === undefined || b === undefined ? undefined : Math.max(0, b - a);
}

function registerAt(s: MeterSeries, t: number): number | undefined {
  const p = s.points;
  if (p.length === 0 || t < p[0]!.t || t > p[p.length - 1]!.t) return undefined;
  let lo = 0;
  let hi = p.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (p[mid]!.t <= t) lo = mid;
    else hi = mid;
  }
  const a = p[lo]!;
  const b = p[hi]!;
  return b.t === a.t ? b.r : a.r + ((b.r - a.r) * (t - a.t)) / (b.t - a.t);
}

/**
 * stuck_meter (interface.md §3): an active meter keeps reporting while its register stays
 * flat for 20 days (two equal monthly reads for a mechanical meter) where its own history
 * says gas is used over that same window. Comparing with the same window last year keeps a
 * seasonal silence (a furnace in summer) from firing.
 */
export function stuckMeter(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const s of ctx.meters.values()) {
    if (s.info.status !== 'active' || !s.latest || s.firstTs === undefined) continue;
    // Flat is measured from the first read that shows the frozen value; the alert runs from
    // the last read that still moved (first evidence of the fault, interface.md §3).
    const flatFrom = s.flatSince ?? s.firstTs;
    const flatFor = s.latest.ts - flatFrom;
    if (flatFor < ctx.cfg.stuckWindow) continue;
    const exp = expectedUsage(s, flatFrom, s.latest.ts);
    const minExpected = thresholdFor(ctx.cfg.stuckMinExpected, s.info, ctx.cfg);
    if (!exp || exp.expected < minExpected) continue;
    // How well last year predicts this year, scaled to the flat window: a frozen register in
    // a month last year says should use gas scores high; season is not noise.
    const yoySd = yoyDifferenceSd(s, ctx.asOf);
    const sdWindow = (yoySd ?? exp.expected / 2) * Math.sqrt(flatFor / (30 * DAY));
    out.push(
      candidate(s.info, 'stuck_meter', {
        severity: 'warning',
        periodStart: s.lastChange ?? flatFrom,
        periodEnd: s.latest.ts,
        value: round(flatFor / DAY, 2),
        threshold: round(ctx.cfg.stuckWindow / DAY, 2),
        score: clampScore(4 + exp.expected / Math.max(sdWindow, 0.5)),
        message: `register flat at ${round(s.latest.reading, 3)} m³ for ${round(flatFor / DAY, 1)} days; own history expects ${round(exp.expected, 1)} m³ over that time`,
        evidence: { register: s.latest.reading, flatSince: flatFrom, lastReadingAt: s.latest.ts, expectedUsage: round(exp.expected, 3), basis: exp.basis },
      }),
    );
  }
  return out;
}
