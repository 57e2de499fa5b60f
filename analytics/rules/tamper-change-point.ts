import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, median, robustSd, round } from '../stats.ts';
import { candidate, completeMonths, type BatchContext } from './context.ts';

/**
 * A bypass shows as usage at least this far below last year's, sustained (log ratio −0.55 ≈
 * −42 %): deeper than an ordinary change of habit, which yoy_deviation reports.
 */
const SHIFT = 0.55;
const MIN_BEFORE = 3;
/** One complete month after the change point is enough to raise it; more months raise the score. */
const MIN_AFTER = 1;
const FLEET_MIN_AFTER = 3;
/** log(0.2): after the change the meter still registers at least a fifth of last year's use. */
const PASSES_SOME = Math.log(0.2);
/** Small users are too noisy for a change point to mean tampering (m³ per month, upper quartile). */
const MIN_MONTHLY = 5;

/**
 * tamper by change point (domain.md §6: tampering is dated by the change point in the usage
 * history, 异动时间): the month from which usage against the same month last year steps
 * down and stays down, while before it the customer tracked last year. Season cancels out
 * in the year-over-year ratio. Bulk meters have bulk_drop for the same shape.
 */
interface Point {
  start: number;
  end: number;
  r: number;
}

/** The best sustained step down in a log series, or undefined. `centered`: before the step the series sits near 0. */
function findStep(series: readonly Point[], centered: boolean, minAfter = MIN_AFTER): { k: number; shift: number; z: number } | undefined {
  let best: { k: number; shift: number; z: number } | undefined;
  for (let k = MIN_BEFORE; k <= series.length - minAfter; k++) {
    const before = series.slice(0, k).map((x) => x.r);
    const after = series.slice(k).map((x) => x.r);
    const mb = median(before);
    const ma = median(after);
    const shift = mb - ma;
    // Before: steady (near last year); after: every month clearly below it.
    // (Over four months or more, the quartiles: one odd summer month does not undo a bypass.)
    const sorted = [...after].sort((a, b) => a - b);
    const high = after.length >= 4 ? sorted[Math.floor(0.75 * (sorted.length - 1))]! : sorted[sorted.length - 1]!;
    const low = after.length >= 4 ? sorted[Math.floor(0.25 * (sorted.length - 1))]! : sorted[0]!;
    // The change month itself must show the drop: that dates the tampering (异动时间).
    if (shift < SHIFT || (centered && Math.abs(mb) > SHIFT / 2) || high > mb - (2 * SHIFT) / 3 || after[0]! > mb - (2 * SHIFT) / 3) continue;
    // A bypass lets part of the gas through the meter; a register that stopped is stuck or dead.
    if (low < mb + PASSES_SOME) continue;
    const sd = Math.max(robustSd([...before.map((v) => v - mb), ...after.map((v) => v - ma)]), 0.05);
    const z = (shift / sd) * Math.min(1, Math.sqrt(after.length / 3));
    if (!best || z > best.z) best = { k, shift, z };
  }
  return best;
}

export function tamperChangePoint(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const s of ctx.meters.values()) {
    if (s.info.category === 'supply' || s.info.category === 'residential_bulk' || s.info.status !== 'active') continue;
    const complete = new Map(completeMonths(s, ctx.asOf).map((m) => [m.start, m]));
    if (complete.size < MIN_BEFORE + MIN_AFTER) continue;
    const usages = [...complete.values()].map((m) => m.usage).sort((a, b) => a - b);
    if (usages[Math.floor(0.75 * (usages.length - 1))]! < MIN_MONTHLY) continue;
    // A register standing still now is stuck_meter's case, not a bypass.
    if (s.latest && s.flatSince !== undefined && s.latest.ts - s.flatSince >= ctx.cfg.stuckWindow) continue;
    // Preferred: against the same month last year. Without a year of history before the
    // step: the month's level over the fleet's seasonal shape for the category.
    const ratios: Point[] = [];
    for (let i = 12; i < s.months.length; i++) {
      const m = complete.get(s.months[i]!.start);
      const prev = complete.get(s.months[i - 12]!.start);
      if (m && prev && prev.usage >= 1) ratios.push({ start: m.start, end: m.end, r: Math.log(Math.max(m.usage, 0.01) / prev.usage) });
    }
    let basis: 'year_over_year' | 'fleet_season' = 'year_over_year';
    let series: Point[] = ratios;
    let best = ratios.length >= MIN_BEFORE + MIN_AFTER ? findStep(ratios, true) : undefined;
    if (!best && ctx.fleetShape) {
      const levels: Point[] = [];
      for (const m of complete.values()) {
        const shape = ctx.fleetShape.get(`${s.info.category ?? 'unknown'}|${m.start}`);
        if (shape !== undefined && shape > 0) levels.push({ start: m.start, end: m.end, r: Math.log(Math.max(m.usage, 0.01) / shape) });
      }
      levels.sort((a, b) => a.start - b.start);
      // The fleet's shape is a coarser reference than the customer's own last year: three
      // months after the step, not one.
      best = levels.length >= MIN_BEFORE + FLEET_MIN_AFTER ? findStep(levels, false, FLEET_MIN_AFTER) : undefined;
      if (best) {
        basis = 'fleet_season';
        series = levels;
      }
    }
    if (!best) continue;
    const change = series[best.k]!;
    const last = series[series.length - 1]!;
    out.push(
      candidate(s.info, 'tamper', {
        severity: 'critical',
        periodStart: change.start,
        periodEnd: last.end,
        value: round((Math.exp(-best.shift) - 1) * 100, 1),
        threshold: round((Math.exp(-SHIFT) - 1) * 100, 1),
        score: clampScore(best.z),
        message: `usage stepped down ${round((1 - Math.exp(-best.shift)) * 100, 0)} % ${basis === 'year_over_year' ? 'against last year' : 'against its own level, season taken out'} from this month on and stayed down (change point)`,
        evidence: { kind: 'change_point', basis, changeMonth: change.start, monthsAfter: series.length - best.k, series: series.map((x) => ({ month: x.start, ratio: round(Math.exp(x.r), 3) })) },
      }),
    );
  }
  return out;
}
