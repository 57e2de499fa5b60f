import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, round } from '../stats.ts';
import { candidate } from './context.ts';
import { allowedAdvance, BACKWARDS_TOLERANCE, dayPeriod, delta, hours, type ReadingInterval } from './interval.ts';

/**
 * broken_meter (interface.md §3): the register runs backwards (without a recorded
 * replacement: the caller drops intervals that span one), or jumps beyond what the meter's
 * Qmax allows over the interval. Period: the day of the reading.
 */
export function brokenMeter(i: ReadingInterval, zone: string): AlertCandidate | undefined {
  const d = delta(i);
  const h = hours(i);
  if (d === undefined || !i.prev) return undefined;
  if (d < -BACKWARDS_TOLERANCE) {
    return candidate(i.meter, 'broken_meter', {
      severity: 'critical',
      ...dayPeriod(i.cur.ts, zone),
      value: round(-d, 3),
      threshold: 0,
      score: clampScore(6 + Math.log2(1 + -d)),
      message: `register ran backwards by ${round(-d, 3)} m³ (${i.prev.reading} → ${i.cur.reading})`,
      evidence: { kind: 'backwards', previous: i.prev, current: { ts: i.cur.ts, reading: i.cur.reading } },
    });
  }
  const qmax = i.meter.qmax;
  if (qmax !== undefined && h !== undefined && d > allowedAdvance(qmax, h)) {
    const allowed = qmax * h;
    return candidate(i.meter, 'broken_meter', {
      severity: 'critical',
      ...dayPeriod(i.cur.ts, zone),
      value: round(d, 3),
      threshold: round(allowed, 3),
      score: clampScore(6 + Math.log2(d / Math.max(allowed, 0.01))),
      message: `register jumped ${round(d, 3)} m³ in ${round(h, 2)} h; Qmax ${qmax} m³/h allows ${round(allowed, 3)} m³`,
      evidence: { kind: 'jump', previous: i.prev, current: { ts: i.cur.ts, reading: i.cur.reading }, qmax },
    });
  }
  return undefined;
}
